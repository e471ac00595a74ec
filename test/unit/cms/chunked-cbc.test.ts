// Chunked AES-CBC (envelope.ts): encrypting in CBC_CHUNK_BYTES slices, each chained on the previous
// slice's last ciphertext block, must give the one-shot ciphertext byte for byte, wherever the content's
// pieces are cut and whatever the length relative to the chunk and block sizes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { CBC_CHUNK_BYTES, cbcEncryptChunked } from '../../../src/core/cms/envelope.js';

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
