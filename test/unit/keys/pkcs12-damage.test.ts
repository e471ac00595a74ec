// A damaged .p12 is told apart from a wrong passphrase (issue 18, src/keys/pkcs12.ts): the PFX and
// AuthenticatedSafe structure is read before the MAC (RFC 7292 §4), so a change that breaks the DER is
// "damaged" (`malformed-asn1` / `not-pkcs12`) whatever the passphrase; an intact structure whose MAC fails
// is settled by decrypting a bag — with the right passphrase a bag decrypts, so the file is damaged; with a
// wrong one every bag fails its padding or DER check, so the passphrase is wrong. Files: the Thunderbird
// (NSS) corpus, byte-exact.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cryptoProvider } from '../../../src/core/crypto.js';
import { isSignetError } from '../../../src/core/errors.js';
import { parsePkcs12 } from '../../../src/keys/pkcs12.js';
import { CORPUS } from '../../helpers/corpus.js';

const provider = cryptoProvider();
const TB = join(CORPUS, 'thunderbird/mailnews/test/data/smime');
const FILE = readFileSync(join(TB, 'Alice.p12'));
const PASS = 'nss';

async function outcome(bytes: Uint8Array, pass: string): Promise<string> {
  try {
    await parsePkcs12(bytes, pass, provider);
    return 'ok';
  } catch (e) {
    assert.ok(isSignetError(e), `a SignetError, not ${String(e)}`);
    return e.code;
  }
}

/** Positions spread over the whole file, first and last bytes included. */
function positions(length: number, count: number): number[] {
  const out = new Set<number>([0, 1, 2, 3, length - 1, length - 2]);
  for (let i = 0; i < count; i++) out.add(Math.floor((i * (length - 1)) / (count - 1)));
  return [...out].sort((a, b) => a - b);
}

test('the intact file opens; a wrong passphrase on it is bad-passphrase', async () => {
  assert.equal(await outcome(FILE, PASS), 'ok');
  assert.equal(await outcome(FILE, 'not-the-passphrase'), 'bad-passphrase');
});

test('one flipped bit anywhere, right passphrase: never "wrong passphrase", never accepted (unless it only hit the closing end-of-contents)', async () => {
  const seen = new Map<string, number>();
  for (const at of positions(FILE.length, 90)) {
    const bytes = new Uint8Array(FILE);
    bytes[at]! ^= 0x10;
    const code = await outcome(bytes, PASS);
    seen.set(code, (seen.get(code) ?? 0) + 1);
    // NSS writes the PFX with an indefinite length: its closing end-of-contents octets (the last two
    // bytes) carry nothing, and what they close was all checked by the MAC.
    if (at >= FILE.length - 2 && code === 'ok') continue;
    // limit-exceeded / unsupported-algorithm: the flip landed in an iteration count or an algorithm OID.
    assert.ok(['malformed-asn1', 'not-pkcs12', 'limit-exceeded', 'unsupported-algorithm'].includes(code), `byte ${at}: ${code}`);
  }
  assert.ok((seen.get('malformed-asn1') ?? 0) > 30, `most flips are reported as damage: ${JSON.stringify([...seen])}`);
});

test('a flip inside the MAC value or inside a ciphertext (intact DER): damaged with the right passphrase, wrong passphrase with a wrong one', async () => {
  // The MAC value is the last OCTET STRING before the salt and iteration count at the end of the file;
  // the middle of the file lies inside the encrypted certificate bag's ciphertext.
  for (const at of [FILE.length - 30, Math.floor(FILE.length / 2)]) {
    const bytes = new Uint8Array(FILE);
    bytes[at]! ^= 0x01;
    assert.equal(await outcome(bytes, PASS), 'malformed-asn1', `byte ${at}, right passphrase`);
    assert.equal(await outcome(bytes, 'not-the-passphrase'), 'bad-passphrase', `byte ${at}, wrong passphrase`);
  }
});

test('a truncated file is damaged (not-pkcs12 or malformed-asn1), never a wrong passphrase', async () => {
  for (const n of [10, 100, Math.floor(FILE.length / 2), FILE.length - 1]) {
    const code = await outcome(FILE.subarray(0, n), PASS);
    assert.ok(code === 'not-pkcs12' || code === 'malformed-asn1', `${n} bytes: ${code}`);
  }
});
