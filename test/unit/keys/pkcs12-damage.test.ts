// A damaged .p12 is told apart from a wrong passphrase (issue 18, src/keys/pkcs12.ts): the PFX and
// AuthenticatedSafe structure is read before the MAC (RFC 7292 §4), so a change that breaks the DER is
// "damaged" (`damaged-file`, or `not-pkcs12` when not even the PFX envelope is left) whatever the passphrase; an intact structure whose MAC fails
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
    // unsupported-algorithm: the flip landed in an algorithm OID. A flip in an iteration count is damage
    // too: the count is either implausible DER or breaks the MAC while the bags still decrypt.
    assert.ok(['damaged-file', 'not-pkcs12', 'unsupported-algorithm'].includes(code), `byte ${at}: ${code}`);
  }
  assert.ok((seen.get('damaged-file') ?? 0) > 30, `most flips are reported as damage: ${JSON.stringify([...seen])}`);
});

test('a flip inside the MAC value or inside a ciphertext (intact DER): damaged with the right passphrase, wrong passphrase with a wrong one', async () => {
  // The MAC value is the last OCTET STRING before the salt and iteration count at the end of the file;
  // the middle of the file lies inside the encrypted certificate bag's ciphertext.
  for (const at of [FILE.length - 30, Math.floor(FILE.length / 2)]) {
    const bytes = new Uint8Array(FILE);
    bytes[at]! ^= 0x01;
    assert.equal(await outcome(bytes, PASS), 'damaged-file', `byte ${at}, right passphrase`);
    assert.equal(await outcome(bytes, 'not-the-passphrase'), 'bad-passphrase', `byte ${at}, wrong passphrase`);
  }
});

test('a truncated file is damaged (not-pkcs12 or damaged-file), never a wrong passphrase', async () => {
  for (const n of [10, 100, Math.floor(FILE.length / 2), FILE.length - 1]) {
    const code = await outcome(FILE.subarray(0, n), PASS);
    assert.ok(code === 'not-pkcs12' || code === 'damaged-file', `${n} bytes: ${code}`);
  }
});

/** Alice.p12 with its MacData iteration count (RFC 7292 §4: outside what the MAC protects) replaced. */
function withMacIterations(count: number[]): Uint8Array {
  // The file ends: MacData SEQUENCE (30 49: DigestInfo, salt, 02 02 27 10 = 10 000 iterations), then the
  // PFX's end-of-contents (NSS writes the PFX with an indefinite length, so the MacData may grow).
  const at = FILE.length - 6;
  assert.deepEqual([...FILE.subarray(at, at + 4)], [0x02, 0x02, 0x27, 0x10]);
  const macData = FILE.length - 2 - 2 - 0x49;
  assert.deepEqual([...FILE.subarray(macData, macData + 2)], [0x30, 0x49]);
  const out = new Uint8Array([...FILE.subarray(0, at), 0x02, count.length, ...count, 0x00, 0x00]);
  out[macData + 1] = 0x49 + count.length - 2;
  return out;
}

test('a flipped bit that makes the MAC iteration count huge: damaged-file with the right passphrase, still a resource limit otherwise', async () => {
  // 0x4F4240 = 5 194 304: one bit (0x40) away from 1 000 000, over the per-derivation limit. Nothing is
  // hashed that many times either way.
  const huge = withMacIterations([0x4f, 0x42, 0x40]);
  const t0 = Date.now();
  assert.equal(await outcome(huge, PASS), 'damaged-file');
  // With a wrong passphrase no bag decrypts: it cannot be told from a file that really asks for that much
  // work, so it stays refused as the resource limit.
  assert.equal(await outcome(huge, 'not-the-passphrase'), 'limit-exceeded');
  assert.ok(Date.now() - t0 < 5000, `refused without the work (${Date.now() - t0} ms)`);
  // Control: the same splice with the original count is the intact file.
  assert.equal(await outcome(withMacIterations([0x27, 0x10]), PASS), 'ok');
  // The sign bit of the count flipped: not a count at all.
  assert.equal(await outcome(withMacIterations([0xa7, 0x10]), PASS), 'damaged-file');
  assert.equal(await outcome(withMacIterations([0xa7, 0x10]), 'not-the-passphrase'), 'damaged-file');
});
