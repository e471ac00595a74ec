// AES-CBC decrypted over its own ciphertext (cms/cbc-in-place.ts, issue 17): in WebCrypto chunks chained
// by an extra padding block, or through the CLI's node:crypto hook. The plaintext must be one-shot
// WebCrypto's byte for byte at every length around the chunk size, land in the caller's buffer, and a
// bad padding or a wrong key must reject as one WebCrypto call does (decrypt.ts turns it into
// 'decryption-failed').
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { CBC_CHUNK, CBC_MIN_CHUNK, cbcChunkFor, decryptAesCbcInPlace } from '../../../src/core/cms/cbc-in-place.js';
import { cryptoProvider, type CryptoProvider } from '../../../src/core/crypto.js';
import { decryptAesCbcInPlace as nodeInPlace } from '../../../src/cli/node-crypto.js';

const subtle = webcrypto.subtle as unknown as SubtleCrypto;
const webProvider = cryptoProvider(webcrypto as unknown as Crypto);
const nodeProvider: CryptoProvider = { ...webProvider, decryptAesCbcInPlace: nodeInPlace };
const iv = new Uint8Array(16).map((_, i) => i * 7 + 1);

async function encrypted(n: number, key: CryptoKey): Promise<{ plain: Uint8Array<ArrayBuffer>; ct: Uint8Array<ArrayBuffer> }> {
  const plain = new Uint8Array(n).map((_, i) => (i * 2654435761) >>> 24);
  return { plain, ct: new Uint8Array(await subtle.encrypt({ name: 'AES-CBC', iv }, key, plain)) };
}

test('in-place AES-CBC equals one-shot WebCrypto at every length around the chunk, and writes into the caller\'s buffer', async () => {
  const key = await subtle.importKey('raw', new Uint8Array(32).fill(5), 'AES-CBC', false, ['decrypt', 'encrypt']);
  const C = CBC_CHUNK;
  const M = CBC_MIN_CHUNK;
  // Around the smallest chunk, the sizes cut into about four (1 MB: 256 KB chunks; 5 MB: 1.25 MB ones),
  // and around the largest chunk.
  for (const n of [0, 1, 15, 16, 100_000, M - 17, M - 16, M, M + 1, 4 * M - 16, 4 * M + 33, 5 * 1024 * 1024 + 7, C - 17, C - 16, C - 1, C, C + 1, 2 * C - 16, 2 * C, 2 * C + 33, 8 * C + 16]) {
    const { plain, ct } = await encrypted(n, key);
    const oneShot = new Uint8Array(await subtle.decrypt({ name: 'AES-CBC', iv }, key, ct));
    for (const [name, provider] of [['WebCrypto chunks', webProvider], ['node:crypto', nodeProvider]] as const) {
      const data = ct.slice();
      const out = await decryptAesCbcInPlace(provider, key, iv, data);
      assert.ok(Buffer.from(out).equals(Buffer.from(oneShot)) && Buffer.from(out).equals(Buffer.from(plain)), `${name}, ${n} bytes`);
      // Above one chunk (always, for node:crypto) the plaintext is a view on the ciphertext's own buffer.
      if (ct.length > cbcChunkFor(ct.length) || provider === nodeProvider) {
        assert.equal(out.buffer, data.buffer, `${name}, ${n} bytes: in place`);
        assert.equal(out.byteOffset, data.byteOffset);
      }
    }
  }
});

test('the chunk is a quarter of the ciphertext in whole blocks, between 256 KB and 2 MB', () => {
  assert.equal(cbcChunkFor(100_000), CBC_MIN_CHUNK);
  assert.equal(cbcChunkFor(1024 * 1024 + 16), CBC_MIN_CHUNK); // a quarter of 1 MB + 16, in whole blocks
  assert.equal(cbcChunkFor(5 * 1024 * 1024), 5 * 256 * 1024);
  assert.equal(cbcChunkFor(5 * 1024 * 1024 + 48) % 16, 0);
  assert.equal(cbcChunkFor(100 * 1024 * 1024), CBC_CHUNK);
});

test('in-place AES-CBC of a view inside a larger buffer touches nothing outside the view', async () => {
  const key = await subtle.importKey('raw', new Uint8Array(16).fill(3), 'AES-CBC', false, ['decrypt', 'encrypt']);
  const { plain, ct } = await encrypted(CBC_CHUNK * 2 + 100, key);
  for (const provider of [webProvider, nodeProvider]) {
    const whole = new Uint8Array(ct.length + 64).fill(0xee);
    whole.set(ct, 32);
    const out = await decryptAesCbcInPlace(provider, key, iv, whole.subarray(32, 32 + ct.length));
    assert.ok(Buffer.from(out).equals(Buffer.from(plain)));
    assert.ok(whole.subarray(0, 32).every((b) => b === 0xee) && whole.subarray(32 + ct.length).every((b) => b === 0xee));
  }
});

test('a key without the encrypt usage is decrypted in one call, with the same result', async () => {
  const key = await subtle.importKey('raw', new Uint8Array(32).fill(5), 'AES-CBC', false, ['decrypt']);
  const enc = await subtle.importKey('raw', new Uint8Array(32).fill(5), 'AES-CBC', false, ['encrypt']);
  const { plain, ct } = await encrypted(CBC_CHUNK * 2 + 5, enc);
  const out = await decryptAesCbcInPlace(webProvider, key, iv, ct.slice());
  assert.ok(Buffer.from(out).equals(Buffer.from(plain)));
});

test('bad padding, a wrong key or a truncated ciphertext rejects as one WebCrypto call does', async () => {
  const key = await subtle.importKey('raw', new Uint8Array(32).fill(1), 'AES-CBC', false, ['decrypt', 'encrypt']);
  const other = await subtle.importKey('raw', new Uint8Array(32).fill(2), 'AES-CBC', false, ['decrypt', 'encrypt']);
  const { ct } = await encrypted(CBC_CHUNK * 2 + 40, key);
  const flipped = ct.slice();
  flipped[flipped.length - 17]! ^= 0x55; // the last plaintext block: its padding bytes
  const truncated = ct.slice(0, ct.length - 16 * 3);
  for (const [what, k, data] of [['bad padding', key, flipped], ['wrong key', other, ct], ['truncated', key, truncated]] as const) {
    await assert.rejects(subtle.decrypt({ name: 'AES-CBC', iv }, k, data), `${what}: WebCrypto itself rejects`);
    for (const provider of [webProvider, nodeProvider]) {
      await assert.rejects(decryptAesCbcInPlace(provider, k, iv, data.slice()), (e: unknown) => e instanceof DOMException && e.name === 'OperationError', what);
    }
  }
  // Not a whole number of blocks: refused before any byte is written by the node:crypto hook.
  const odd = ct.slice(0, 100);
  await assert.rejects(nodeInPlace(key, iv, odd), (e: unknown) => e instanceof DOMException && e.name === 'OperationError');
  assert.ok(Buffer.from(odd).equals(Buffer.from(ct.subarray(0, 100))));
});
