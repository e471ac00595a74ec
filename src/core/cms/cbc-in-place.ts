// AES-CBC decryption (RFC 3565 content encryption, PKCS #7 padding of RFC 5652 §6.3) that writes the
// plaintext over the ciphertext, so a large message's content is never held twice (issue 17). WebCrypto
// has no such call and copies its input: here it is given the ciphertext a chunk at a time, and each
// chunk's plaintext is copied back over the ciphertext it came from, which nobody reads any more. A
// runtime that can do better (the CLI's node:crypto) supplies CryptoProvider.decryptAesCbcInPlace.

import type { CryptoProvider } from '../crypto.js';

/** Ciphertext per WebCrypto call at most: the transient memory is a few of these, not the whole content. */
export const CBC_CHUNK = 1 << 21;
/**
 * Ciphertext per WebCrypto call at least. A content of a few chunks is cut into about four, so that a 1 MB
 * message's decryption does not hold its copy of the input and its output whole next to the content (what
 * one call does: the pane's memory per 1 MB message, issue 17); at or below this size, one call.
 */
export const CBC_MIN_CHUNK = 1 << 18;

/** The chunk for `length` bytes of ciphertext: a quarter of it, between CBC_MIN_CHUNK and CBC_CHUNK, in whole blocks. */
export function cbcChunkFor(length: number): number {
  return Math.min(CBC_CHUNK, Math.max(CBC_MIN_CHUNK, Math.floor(length / 4 / 16) * 16));
}

/**
 * The usages of a received message's content key: it decrypts, and an AES-CBC one may also encrypt — one
 * block at a time, which decryption in WebCrypto chunks needs (below). The key is the message's own,
 * non-extractable, and lives only while the message is decrypted.
 */
export function contentKeyUsages(cipherName: string): KeyUsage[] {
  return cipherName === 'AES-CBC' ? ['decrypt', 'encrypt'] : ['decrypt'];
}

/** 16 bytes of 0x10: a whole block of PKCS #7 padding. */
const PADDING_BLOCK = new Uint8Array(16).fill(16);

/**
 * AES-CBC-decrypts `data` (a non-zero multiple of 16 bytes) with `key` and `iv`, writes the plaintext over
 * `data` from its start and returns it without its padding, as a view on `data`. The result and the
 * errors are those of one `subtle.decrypt` over the whole ciphertext: CBC decryption of a block needs
 * only that block and the ciphertext block before it, and only the last chunk carries the padding, so it
 * alone can fail its check (one error for every padding failure, as WebCrypto gives: no padding oracle).
 *
 * Every chunk but the last is given to WebCrypto followed by one extra block X = E_K(P ⊕ C_last), the
 * first block of the CBC encryption of a padding block P (16 × 0x10) under the IV C_last, the chunk's
 * last ciphertext block. X decrypts, chained on C_last, to exactly P: WebCrypto strips it as padding
 * and returns the chunk's plaintext. That takes a key with the 'encrypt' usage; without it, or for a
 * content of one chunk, the content is decrypted in one call into a new buffer (still a correct result).
 *
 * Ownership: `data` is consumed — overwritten in part or whole, even when this rejects (a wrong key is
 * only noticed at the end). Call it only on ciphertext nobody reads afterwards, and only once: a second
 * key cannot be tried on the same bytes.
 */
export async function decryptAesCbcInPlace(provider: CryptoProvider, key: CryptoKey, iv: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  if (provider.decryptAesCbcInPlace) return provider.decryptAesCbcInPlace(key, iv, data);
  const subtle = provider.crypto.subtle;
  const chunk = cbcChunkFor(data.length);
  if (data.length <= chunk || !key.usages.includes('encrypt')) {
    return new Uint8Array(await subtle.decrypt({ name: 'AES-CBC', iv: iv as BufferSource }, key, data as BufferSource));
  }
  const scratch = new Uint8Array(chunk + 16);
  const { release, close } = releaser();
  let previous = iv.slice();
  let at = 0;
  try {
    while (data.length - at > chunk) {
      scratch.set(data.subarray(at, at + chunk));
      const last = scratch.slice(chunk - 16, chunk);
      const x = await subtle.encrypt({ name: 'AES-CBC', iv: last }, key, PADDING_BLOCK);
      scratch.set(new Uint8Array(x, 0, 16), chunk);
      const plainBuffer = await subtle.decrypt({ name: 'AES-CBC', iv: previous }, key, scratch);
      const plain = new Uint8Array(plainBuffer);
      // Exactly the chunk's length by construction; anything else is a broken WebCrypto, not a bad message.
      if (plain.length !== chunk) throw new Error('AES-CBC chunk decryption returned an unexpected length.');
      data.set(plain, at);
      release(plainBuffer);
      previous = last;
      at += chunk;
    }
    const tailBuffer = await subtle.decrypt({ name: 'AES-CBC', iv: previous }, key, data.subarray(at) as BufferSource);
    const length = tailBuffer.byteLength;
    data.set(new Uint8Array(tailBuffer), at);
    release(tailBuffer);
    return data.subarray(0, at + length);
  } finally {
    close();
  }
}

/**
 * Frees a chunk's plaintext buffer now rather than at some later garbage collection. Left to the collector,
 * WebCrypto's result buffers pile up — Chromium collected none of them while decrypting 100 MB in 2 MB
 * chunks (+100 MB peak). Transferring a buffer detaches it and moves its memory into the message (HTML
 * §2.7.3 StructuredSerializeWithTransfer); a message to a port whose other end is closed is discarded,
 * with that memory (measured: +8 MB peak for the same 100 MB). ArrayBuffer.prototype.transfer(0) does
 * not do it in Chromium: the page's wrapper keeps the memory until a collection. Without MessageChannel,
 * or where the buffer cannot be transferred, it is simply left to the collector.
 */
function releaser(): { release(buffer: ArrayBuffer): void; close(): void } {
  if (typeof MessageChannel === 'undefined') return { release: () => undefined, close: () => undefined };
  const channel = new MessageChannel();
  channel.port2.close();
  return {
    release(buffer) {
      try {
        channel.port1.postMessage(null, [buffer]);
      } catch {
        // Not transferable here: the collector frees it.
      }
    },
    close: () => channel.port1.close(),
  };
}
