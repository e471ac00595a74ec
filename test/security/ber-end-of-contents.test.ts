// BER end-of-contents leniency (found by the live Bouncy Castle interop test): Bouncy Castle writes CMS with
// indefinite lengths, each closed by two zero octets (X.690 §8.1.5). asn1js read a marker changed to
// "00 01" — or "00 00" inside a definite length — as an ordinary element, so `signet decrypt` returned the
// plaintext of a message `openssl cms` refuses. Harmless for integrity (the byte is outside what is signed
// or authenticated) but two parsers disagreeing on one message is how signature-confusion attacks start:
// the engine now refuses every such marker, wherever it is, as `malformed-asn1`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { webcrypto } from 'node:crypto';
import { parseAsn1 } from '../../src/core/asn1.js';
import { defaultLimits, resolveConfig } from '../../src/core/config.js';
import { cryptoProvider } from '../../src/core/crypto.js';
import { verifySignedData } from '../../src/core/cms/verify.js';
import { isSignetError } from '../../src/core/errors.js';
import { CORPUS } from '../helpers/corpus.js';

const refused = (bytes: number[]): string => {
  try {
    parseAsn1(new Uint8Array(bytes), defaultLimits);
    return 'accepted';
  } catch (e) {
    return isSignetError(e) ? e.code : 'crash';
  }
};

test('an end-of-contents marker that is not exactly 00 00 closing an indefinite length is malformed', () => {
  assert.equal(refused([0x30, 0x80, 0x04, 0x01, 0x41, 0x00, 0x00]), 'accepted', 'the proper form');
  const cases: Record<string, number[]> = {
    'last byte 00 → 01': [0x30, 0x80, 0x04, 0x01, 0x41, 0x00, 0x01],
    'nested marker 00 01': [0x30, 0x80, 0x30, 0x80, 0x04, 0x01, 0x41, 0x00, 0x01, 0x00, 0x00],
    'half a marker': [0x30, 0x80, 0x04, 0x01, 0x41, 0x00],
    '00 00 inside a definite length': [0x30, 0x05, 0x04, 0x01, 0x41, 0x00, 0x00],
    'a marker with content inside a definite length': [0x30, 0x06, 0x04, 0x01, 0x41, 0x00, 0x01, 0x42],
    'a constructed tag 0': [0x30, 0x80, 0x20, 0x00, 0x00, 0x00],
  };
  for (const [name, bytes] of Object.entries(cases)) assert.equal(refused(bytes), 'malformed-asn1', name);
});

test('RFC 4134 4.5 (indefinite lengths): intact it verifies; its final end-of-contents changed, it is malformed', async () => {
  const dir = join(CORPUS, 'rfc4134/rfc4134');
  const der = new Uint8Array(readFileSync(join(dir, '4.5.bin')));
  const opts = { anchors: [new Uint8Array(readFileSync(join(dir, 'CarlRSASelf.cer')))], at: new Date('2000-06-01T00:00:00Z'), config: resolveConfig({ allowInsecureSha1: true, allowInsecureShortKeys: true }) };
  const provider = cryptoProvider(webcrypto as unknown as Crypto);
  const ok = await verifySignedData(der, opts, provider);
  assert.ok(ok.signers.length >= 1 && ok.signers.every((s) => s.code !== 'digest-mismatch' && s.code !== 'bad-signature'));
  assert.deepEqual([...der.subarray(-2)], [0, 0]);
  const changed = der.slice();
  changed[changed.length - 1] = 0x01;
  await assert.rejects(verifySignedData(changed, opts, provider), (e: unknown) => isSignetError(e) && e.code === 'malformed-asn1');
});
