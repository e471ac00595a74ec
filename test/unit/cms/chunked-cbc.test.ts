// Chunked AES-CBC (envelope.ts): encrypting in CBC_CHUNK_BYTES slices, each chained on the previous
// slice's last ciphertext block, must give the one-shot ciphertext byte for byte, wherever the content's
// pieces are cut and whatever the length relative to the chunk and block sizes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { CBC_CHUNK_BYTES, cbcEncryptChunked, cbcEncryptIncremental } from '../../../src/core/cms/envelope.js';

const subtle = webcrypto.subtle as unknown as SubtleCrypto;

test('chunked AES-CBC equals the one-shot WebCrypto ciphertext for every boundary case', async () => {
  const key = await subtle.importKey('raw', new Uint8Array(32).fill(7), { name: 'AES-CBC' }, false, ['encrypt']);
  const iv = new Uint8Array(16).map((_, i) => i * 11);
  const C = CBC_CHUNK_BYTES;
  for (const n of [0, 1, 15, 16, 17, C - 1, C, C + 1, C + 16, 2 * C, 2 * C + 17]) {
    const content = new Uint8Array(n).map((_, i) => (i * 2654435761) >>> 24);
    const oneShot = new Uint8Array(await subtle.encrypt({ name: 'AES-CBC', iv }, key, content));
    // As one piece, and cut at odd places (a slice then straddles pieces and is gathered).
    const cut1 = Math.min(n, 5);
    const cut2 = Math.min(n, Math.floor(n / 2) + 3);
    for (const parts of [[content], [content.subarray(0, cut1), new Uint8Array(0), content.subarray(cut1, cut2), content.subarray(cut2)]]) {
      const pieces = await cbcEncryptChunked(subtle, key, iv, parts);
      const joined = Buffer.concat(pieces.parts);
      assert.equal(pieces.length, oneShot.length, `length for ${n}`);
      assert.ok(Buffer.from(oneShot).equals(joined), `ciphertext for ${n} bytes in ${parts.length} pieces`);
      assert.equal(pieces.parts.length, Math.max(1, Math.ceil(n / C)), `one WebCrypto call per chunk for ${n}`);
    }
  }
});

// cbcEncryptIncremental: the same ciphertext from a source whose length is unknown until it ends (a pipe),
// whatever sizes its pieces come in — including a content that ends exactly on a chunk boundary, where
// the last call encrypts nothing and must still yield the one full padding block (RFC 5652 §6.3).
test('incremental AES-CBC over a source of unknown length equals the one-shot ciphertext', async () => {
  const key = await subtle.importKey('raw', new Uint8Array(16).fill(3), { name: 'AES-CBC' }, false, ['encrypt']);
  const iv = new Uint8Array(16).map((_, i) => 255 - i);
  const C = CBC_CHUNK_BYTES;
  async function* pieces(content: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
    for (let o = 0; o < content.length; o += size) yield content.subarray(o, Math.min(content.length, o + size));
  }
  for (const n of [0, 1, 16, C - 1, C, C + 1, 2 * C, 2 * C + 33]) {
    const content = new Uint8Array(n).map((_, i) => (i * 40503) >>> 7);
    const oneShot = Buffer.from(await subtle.encrypt({ name: 'AES-CBC', iv }, key, content));
    for (const size of [1 << 16, 7919, C, C + 5]) {
      const out: Uint8Array[] = [];
      for await (const c of cbcEncryptIncremental(subtle, key, iv, pieces(content, size))) out.push(c);
      assert.ok(oneShot.equals(Buffer.concat(out)), `ciphertext for ${n} bytes in pieces of ${size}`);
      // One piece per full chunk, plus the padded last one.
      assert.equal(out.length, Math.floor(n / C) + 1, `chunks for ${n} bytes`);
    }
  }
});
