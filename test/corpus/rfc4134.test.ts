// RFC 4134 "Examples of S/MIME Messages": every example is parsed; RSA signatures verify (at a date
// when the 1999 certificates were valid); 3DES content decrypts (read only, flagged: old Outlook mail still
// uses it); DSA and RC2 give a clear unsupported-algorithm — DSA is gone from RFC 8551 and RC2's 40-bit
// keys give no confidentiality, so Signet implements neither.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { webcrypto } from 'node:crypto';
import { cryptoProvider } from '../../src/core/crypto.js';
import { resolveConfig } from '../../src/core/config.js';
import { verifySignedData } from '../../src/core/cms/verify.js';
import { decryptContent } from '../../src/core/cms/decrypt.js';
import { privateKeyFromPkcs8 } from '../../src/core/private-key.js';
import { isSignetError } from '../../src/core/errors.js';
import { openMessage } from '../../src/core/smime/open.js';
import { CORPUS } from '../helpers/corpus.js';

const DIR = join(CORPUS, 'rfc4134/rfc4134');
const provider = cryptoProvider(webcrypto as unknown as Crypto);
const read = (f: string) => new Uint8Array(readFileSync(join(DIR, f)));
const carlRsa = read('CarlRSASelf.cer');
const AT = new Date('2000-06-01T00:00:00Z');
const config = resolveConfig({ allowInsecureSha1: true, allowInsecureShortKeys: true });

for (const f of ['4.2.bin', '4.5.bin', '4.7.bin']) {
  test(`rfc4134 ${f}: RSA SignedData verifies (signature intact)`, async () => {
    const r = await verifySignedData(read(f), { anchors: [carlRsa], at: AT, config }, provider);
    assert.ok(r.signers.length >= 1);
    for (const s of r.signers) assert.ok(!['bad-signature', 'digest-mismatch'].includes(s.code), `${f}: ${s.code}`);
  });
}

for (const f of ['4.1.bin', '4.10.bin']) {
  test(`rfc4134 ${f}: DSA SignedData → unsupported-algorithm`, async () => {
    const r = await verifySignedData(read(f), { anchors: [read('CarlDSSSelf.cer')], at: AT, config }, provider);
    assert.equal(r.signers[0]?.code, 'unsupported-algorithm');
  });
}

const bob = () => ({ certificate: read('BobRSASignByCarl.cer'), chain: [], privateKey: privateKeyFromPkcs8(read('BobPrivRSAEncrypt.pri'), provider) });

test('rfc4134 5.1.bin: 3DES EnvelopedData decrypts to ExContent, flagged as not integrity-protected', async () => {
  const r = await decryptContent(read('5.1.bin'), [bob()], provider);
  assert.equal(r.cipher, '3DES-CBC');
  assert.equal(r.integrityProtected, false);
  assert.deepEqual(r.content, read('ExContent.bin'));
});

test('rfc4134 5.2.bin: RC2 EnvelopedData → unsupported-algorithm', async () => {
  await assert.rejects(decryptContent(read('5.2.bin'), [bob()], provider), (e: unknown) => isSignetError(e, 'unsupported-algorithm'));
});

test('rfc4134: every example parses to a verdict or a coded error, never a crash', async () => {
  for (const f of ['3.1.bin', '3.2.bin', '4.1.bin', '4.2.bin', '4.3.bin', '4.4.bin', '4.5.bin', '4.6.bin', '4.7.bin', '4.8.eml', '4.9.eml', '4.10.bin', '4.11.bin', '5.1.bin', '5.2.bin', '5.3.eml', '6.0.bin', '7.1.bin', '7.2.bin']) {
    try {
      if (f.endsWith('.eml')) {
        const r = await openMessage(read(f), { anchors: [carlRsa], provider, at: AT });
        assert.ok(r.verdict.status, f);
      } else {
        await verifySignedData(read(f), { anchors: [carlRsa], at: AT, config }, provider);
      }
    } catch (e) {
      assert.ok(isSignetError(e), `${f}: ${String(e)}`);
    }
  }
});
