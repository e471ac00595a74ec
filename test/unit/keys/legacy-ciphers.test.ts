// The hand-written legacy decryptors (3DES-CBC, RC2-CBC) against OpenSSL's own `enc` output, plus the
// FIPS 46 single-DES example, with random keys, IVs and lengths generated fresh in every run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Des, desEde3CbcDecrypt } from '../../../src/core/legacy/des.js';
import { rc2CbcDecrypt } from '../../../src/keys/legacy/rc2.js';

function opensslEnc(cipher: string, key: Buffer, iv: Buffer, data: Buffer, legacy = false): Buffer {
  const providers = legacy ? ['-provider', 'legacy', '-provider', 'default'] : [];
  return execFileSync('openssl', ['enc', `-${cipher}`, '-K', key.toString('hex'), '-iv', iv.toString('hex'), ...providers], { input: data });
}

function unpad(b: Uint8Array): Buffer {
  return Buffer.from(b.subarray(0, b.length - b[b.length - 1]!));
}

test('DES: the classic FIPS 46 worked example (key 133457799BBCDFF1)', () => {
  const des = new Des(Buffer.from('133457799bbcdff1', 'hex'));
  const [h, l] = des.encryptBlock(0x01234567, 0x89abcdef);
  assert.equal(h.toString(16).padStart(8, '0') + l.toString(16).padStart(8, '0'), '85e813540f0ab405');
  assert.deepEqual(des.decryptBlock(h, l), [0x01234567, 0x89abcdef]);
});

test('3DES-EDE3-CBC decryption matches openssl enc -des-ede3-cbc', () => {
  for (const len of [0, 1, 7, 8, 9, 63, 64, 1000]) {
    const key = randomBytes(24);
    const iv = randomBytes(8);
    const data = randomBytes(len);
    const ct = opensslEnc('des-ede3-cbc', key, iv, data);
    assert.deepEqual(unpad(desEde3CbcDecrypt(key, iv, ct)), data, `length ${len}`);
  }
});

test('2-key 3DES-EDE-CBC decryption matches openssl enc -des-ede-cbc', () => {
  const key = randomBytes(16);
  const iv = randomBytes(8);
  const data = randomBytes(333);
  assert.deepEqual(unpad(desEde3CbcDecrypt(key, iv, opensslEnc('des-ede-cbc', key, iv, data, true))), data);
});

test('RC2-CBC decryption matches openssl enc -rc2-cbc / -rc2-64-cbc / -rc2-40-cbc', () => {
  for (const [cipher, keyLen] of [['rc2-cbc', 16], ['rc2-64-cbc', 8], ['rc2-40-cbc', 5]] as const) {
    for (const len of [0, 5, 8, 200]) {
      const key = randomBytes(keyLen);
      const iv = randomBytes(8);
      const data = randomBytes(len);
      const ct = opensslEnc(cipher, key, iv, data, true);
      assert.deepEqual(unpad(rc2CbcDecrypt(key, keyLen * 8, iv, ct)), data, `${cipher} length ${len}`);
    }
  }
});

test('the decryptors refuse ragged input instead of reading past the end', () => {
  assert.throws(() => desEde3CbcDecrypt(randomBytes(24), randomBytes(8), randomBytes(12)), RangeError);
  assert.throws(() => rc2CbcDecrypt(randomBytes(16), 128, randomBytes(8), randomBytes(9)), RangeError);
});
