// Thunderbird's own S/MIME test messages (made by NSS) must get the outcome Thunderbird's
// test_smime_decrypt.js asserts: encrypted?, signed?, signature good? (EXPECTED_…tsv), with TestCA.pem
// as the anchor and the .p12 keys (password "nss"). Read from test/fixtures/corpus/thunderbird.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { webcrypto } from 'node:crypto';
import { cryptoProvider } from '../../src/core/crypto.js';
import { openMessage } from '../../src/core/smime/open.js';
import { decryptMessage } from '../../src/core/smime/decrypt-message.js';
import { SignetError } from '../../src/core/errors.js';
import { loadIdentities, loadCertificates } from '../../src/keys/identity-file.js';
import { CORPUS } from '../helpers/corpus.js';
import type { Identity } from '../../src/core/keys.js';

const TB = join(CORPUS, 'thunderbird');
const SMIME = join(TB, 'mailnews/test/data/smime');
const provider = cryptoProvider(webcrypto as unknown as Crypto);

const rows = readFileSync(join(TB, 'EXPECTED_thunderbird_test_smime_decrypt.tsv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => l.split('\t'))
  .map(([file, enc, sig, good]) => ({ file: file!, enc: enc === 'true', sig: sig === '-' ? null : sig === 'true', good: good === '-' ? null : good === 'true' }));

let ids: Identity[] | null = null;
async function identities(): Promise<Identity[]> {
  if (!ids) {
    ids = [];
    for (const p of ['smime/Bob.p12', 'smime-interop/Fran.p12', 'smime-interop/Fran-ec.p12']) {
      ids.push(...(await loadIdentities(new Uint8Array(readFileSync(join(TB, 'mailnews/test/data', p))), 'nss', provider)));
    }
  }
  return ids;
}
const anchors = loadCertificates(new Uint8Array(readFileSync(join(SMIME, 'TestCA.pem'))));

test('the expectations table lists 68 messages', () => {
  assert.equal(rows.length, 68);
});

for (const row of rows) {
  test(`thunderbird ${row.file}: enc=${row.enc} sig=${row.sig} good=${row.good}`, async () => {
    const msg = new Uint8Array(readFileSync(join(SMIME, row.file)));
    const { verdict } = await openMessage(msg, { anchors, identities: await identities(), provider, at: new Date('2026-11-01T00:00:00Z') });
    const encrypted = verdict.layers.some((l) => l.kind === 'encrypted' && l.status === 'decrypted');
    assert.equal(encrypted, row.enc, `encrypted (status ${verdict.status}, code ${verdict.code})`);
    if (row.sig !== null) {
      const signed = verdict.status !== 'unsigned' && verdict.status !== 'malformed' && verdict.status !== 'decryption-failed';
      assert.equal(signed, row.sig, `signed (status ${verdict.status}, code ${verdict.code})`);
      assert.equal(verdict.status === 'valid', row.good, `good (status ${verdict.status}, code ${verdict.code})`);
    }
  });
}

// consumeMessage (issue 17): the base64 body decoded and AES-CBC content decrypted in the caller's bytes.
// The Verdict and content must be those of the copying path for every message, and the caller's bytes
// are really consumed for an encrypted root.
test('every message opened with consumeMessage gets the copying path\'s Verdict and content', async () => {
  let consumed = 0;
  for (const row of rows) {
    const original = new Uint8Array(readFileSync(join(SMIME, row.file)));
    const options = { anchors, identities: await identities(), provider, at: new Date('2026-11-01T00:00:00Z') };
    const copying = await openMessage(original.slice(), options);
    const handed = original.slice();
    const inPlace = await openMessage(handed, { ...options, consumeMessage: true });
    assert.deepEqual(inPlace.verdict, copying.verdict, row.file);
    assert.deepEqual(inPlace.content, copying.content, row.file);
    assert.deepEqual(inPlace.enclosedContent, copying.enclosedContent, row.file);
    // A message whose root is encrypted was decoded (and decrypted) over itself.
    const rootEncrypted = copying.verdict.layers[0]?.kind === 'encrypted';
    assert.equal(!Buffer.from(handed).equals(Buffer.from(original)), rootEncrypted, `${row.file}: consumed`);
    if (rootEncrypted) consumed++;
  }
  assert.ok(consumed >= 10, `${consumed} messages consumed`);
});

test('decryptMessage with consumeMessage gives the copying path\'s parts, or its error code, also for damaged messages', async () => {
  const codeOf = async (f: () => Promise<{ parts: readonly Uint8Array[] }>): Promise<string | Buffer> => {
    try {
      return Buffer.concat((await f()).parts);
    } catch (e) {
      return e instanceof SignetError ? e.code : 'not a SignetError';
    }
  };
  const seen = new Set<string>();
  for (const row of rows.filter((r) => r.enc)) {
    const original = new Uint8Array(readFileSync(join(SMIME, row.file)));
    // Damaged: the last base64 character before the trailing line ends changed (the last ciphertext block:
    // the padding), and a stray '*' (malformed base64).
    const text = Buffer.from(original).toString('latin1');
    const last = text.replace(/[\r\n]+$/, '').length - 1;
    const flipped = text.slice(0, last) + (text[last] === 'A' ? 'B' : 'A') + text.slice(last + 1);
    const starred = text.slice(0, last - 10) + '*' + text.slice(last - 9);
    for (const [what, msg] of [['intact', text], ['flipped', flipped], ['starred', starred]] as const) {
      const bytes = new Uint8Array(Buffer.from(msg, 'latin1'));
      const ids = await identities();
      const copying = await codeOf(() => decryptMessage(bytes.slice(), ids, provider));
      const inPlace = await codeOf(() => decryptMessage(bytes.slice(), ids, provider, {}, { consumeMessage: true }));
      assert.deepEqual(inPlace, copying, `${row.file} ${what}`);
      if (typeof copying === 'string') seen.add(copying);
    }
  }
  // The damage was noticed: a padding failure or bad base64, reported alike by both paths.
  assert.ok(seen.has('malformed-base64') && seen.has('decryption-failed'), [...seen].join(', '));
});
