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
