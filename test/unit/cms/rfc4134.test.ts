// RFC 4134 example SignedData objects: RSA ones verify (with the 2005-era SHA-1/short-key switches on),
// DSA ones are unsupported-algorithm, the certificates-only object has no signers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifySignedData } from '../../../src/core/cms/verify.js';
import { isSignetError } from '../../../src/core/errors.js';
import { CORPUS, config, provider } from './fixtures.js';

const D = join(CORPUS, 'rfc4134/rfc4134');
const file = (f: string): Uint8Array => new Uint8Array(readFileSync(join(D, f)));
const opts = () => ({
  anchors: [file('CarlRSASelf.cer'), file('CarlDSSSelf.cer')],
  at: new Date('2003-01-01T00:00:00Z'),
  config: config({ allowInsecureSha1: true, allowInsecureShortKeys: true }),
});

test('RFC 4134 4.2 and 4.5 (RSA, SHA-1) verify and chain to CarlRSASelf when SHA-1 is allowed', async () => {
  for (const f of ['4.2.bin', '4.5.bin']) {
    const r = await verifySignedData(file(f), opts(), provider);
    assert.equal(r.signers[0]!.status, 'valid', `${f}: ${r.signers[0]!.reason}`);
    const strict = await verifySignedData(file(f), { ...opts(), config: config() }, provider);
    assert.equal(strict.signers[0]!.status, 'invalid');
  }
});

test('RFC 4134 DSA examples (4.1, 4.3 detached, 4.7 SKI, 4.10) are unsupported-algorithm, never valid', async () => {
  for (const f of ['4.1.bin', '4.3.bin', '4.7.bin', '4.10.bin']) {
    const r = await verifySignedData(file(f), { ...opts(), detachedContent: f === '4.3.bin' ? file('ExContent.bin') : undefined }, provider);
    assert.equal(r.signers[0]!.status, 'invalid');
    assert.equal(r.signers[0]!.code, 'unsupported-algorithm');
  }
});

test('RFC 4134 4.6 (several signers) yields one report per signer', async () => {
  const r = await verifySignedData(file('4.6.bin'), opts(), provider);
  assert.ok(r.signers.length >= 2);
});

test('RFC 4134 4.11 (certificates only) is no-signers', async () => {
  await assert.rejects(verifySignedData(file('4.11.bin'), opts(), provider), (e) => isSignetError(e, 'no-signers'));
});
