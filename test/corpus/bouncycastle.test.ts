// Bouncy Castle's SignedMailValidator messages (2006, SHA-1/RSA): each trust defect must get its own
// status and code when validated at 2006-09-05 against validator.root.crt. They are 2006 material: SHA-1
// signatures, MD5-signed certificates and a 1024-bit root, so the default policy refuses them first
// (tested); the trust checks are exercised with the policy of that era (SHA-1 and MD5 allowed, RSA ≥ 1024).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { webcrypto } from 'node:crypto';
import { cryptoProvider } from '../../src/core/crypto.js';
import { openMessage } from '../../src/core/smime/open.js';
import { loadCertificates } from '../../src/keys/identity-file.js';
import { CORPUS } from '../helpers/corpus.js';

const DIR = join(CORPUS, 'bouncycastle/mail/src/test/resources/org/bouncycastle/mail/smime/test');
const provider = cryptoProvider(webcrypto as unknown as Crypto);
const root = loadCertificates(new Uint8Array(readFileSync(join(DIR, 'validator.root.crt'))));
const fakeRoot = loadCertificates(new Uint8Array(readFileSync(join(DIR, 'validator.fakeRoot.crt'))));
const AT = new Date('2006-09-05T12:00:00Z');
const LEGACY = { allowInsecureSha1: true, allowInsecureMd5: true, minRsaBits: 1024 };
const read = (f: string) => new Uint8Array(readFileSync(join(DIR, f)));

function withoutFrom(msg: Uint8Array): Uint8Array {
  const text = Buffer.from(msg).toString('latin1').replace(/^From: .*\r?\n/m, '');
  return new Uint8Array(Buffer.from(text, 'latin1'));
}

async function verdictOf(file: string, opts: { from?: boolean; anchors?: Uint8Array[]; sha1?: boolean } = {}) {
  const msg = opts.from === false ? withoutFrom(read(file)) : read(file);
  return (await openMessage(msg, { anchors: opts.anchors ?? root, at: AT, provider, config: opts.sha1 === false ? {} : LEGACY })).verdict;
}

test('validMail: valid when From is the signer', async () => {
  const v = await verdictOf('validator.validMail.eml');
  assert.equal(v.status, 'valid', `${v.code}`);
});

test('validMail without its From header: sender-mismatch', async () => {
  const v = await verdictOf('validator.validMail.eml', { from: false });
  assert.equal(v.status, 'sender-mismatch');
  assert.equal(v.from, null);
});

test('validMail under the default policy: invalid (its 1024-bit key), the outdated SHA-1 being the lesser finding', async () => {
  // Issue 12: SHA-1 alone would be 'outdated-algorithm'; the too-short signer key makes it 'invalid'.
  const v = await verdictOf('validator.validMail.eml', { sha1: false });
  assert.equal(v.status, 'invalid');
  assert.equal(v.code, 'weak-key');
});

test('validMail against a fake root with the same name: untrusted', async () => {
  const v = await verdictOf('validator.validMail.eml', { anchors: fakeRoot });
  assert.equal(v.status, 'untrusted');
});

test('expired: expired', async () => {
  const v = await verdictOf('validator.expired.eml');
  assert.equal(v.status, 'expired');
  assert.equal(v.code, 'expired');
});

test('notYetValid: expired/not-yet-valid', async () => {
  const v = await verdictOf('validator.notYetValid.eml');
  assert.equal(v.status, 'expired');
  assert.equal(v.code, 'not-yet-valid');
});

test('keyUsage: refused with key-usage', async () => {
  const v = await verdictOf('validator.keyUsage.eml');
  assert.notEqual(v.status, 'valid');
  assert.equal(v.code, 'key-usage');
});

test('extKeyUsage: refused with ext-key-usage', async () => {
  const v = await verdictOf('validator.extKeyUsage.eml');
  assert.notEqual(v.status, 'valid');
  assert.equal(v.code, 'ext-key-usage');
});

test('shortKey (512-bit RSA): invalid/weak-key although OpenSSL accepts the chain', async () => {
  const v = await verdictOf('validator.shortKey.eml');
  assert.equal(v.status, 'invalid');
  assert.equal(v.code, 'weak-key');
});

test('noEmail: never bound to any From (sender-mismatch/no-email)', async () => {
  const v = await verdictOf('validator.noEmail.eml');
  assert.equal(v.status, 'sender-mismatch');
  assert.equal(v.code, 'no-email');
});

test('circular.eml: path building terminates with a verdict', async () => {
  const t = Date.now();
  const v = await verdictOf('circular.eml', { from: false });
  assert.ok(['untrusted', 'sender-mismatch', 'invalid', 'expired'].includes(v.status), v.status);
  assert.ok(Date.now() - t < 10_000);
});

test('openssl-signed RSA-PSS with salt length 222 verifies cryptographically', async () => {
  const v = await verdictOf('openssl-signed-sha256-non-default-salt-length.eml', { from: false });
  assert.equal(v.signers[0]?.code === 'bad-signature' || v.signers[0]?.code === 'digest-mismatch', false, JSON.stringify(v.signers[0]?.code));
});

test('every Bouncy Castle message yields a verdict or a coded error, never a crash', async () => {
  for (const f of readdirSync(DIR).filter((n) => n.endsWith('.eml') || n.endsWith('.message'))) {
    const r = await openMessage(read(f), { anchors: root, provider });
    assert.ok(typeof r.verdict.status === 'string', f);
    if (r.verdict.status === 'malformed') assert.ok(r.verdict.error?.code, f);
  }
});
