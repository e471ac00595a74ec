// Node's WebCrypto for the command line, with the two operations that touch a whole message done by
// node:crypto over the caller's bytes in place. Node's WebCrypto copies every input for its worker thread:
// for a 25-150 MB message that is a second copy of it (and the garbage collection it triggers) when
// signing, verifying or decrypting. The results are the same bytes: SHA-2 is SHA-2, and AES-CBC with
// PKCS #7 padding (RFC 5652 §6.3) is checked here exactly as WebCrypto checks it. Small inputs and every
// other method go to WebCrypto itself, bound to its own object (WebCrypto checks `this`).

import { createDecipheriv, createHash, KeyObject, webcrypto } from 'node:crypto';
import { collectYoungGarbage } from './node-gc.js';

const HASHES: Record<string, string> = { 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };
/** Below this, WebCrypto's copy costs nothing worth avoiding. */
const LARGE = 1 << 16;
/** Bytes per decipher step: each step's output is copied into the result and becomes garbage. */
const STEP = 1 << 19;

const bytesOf = (data: BufferSource): Uint8Array =>
  ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
const nameOf = (a: AlgorithmIdentifier): string => (typeof a === 'string' ? a : a.name).toUpperCase();

/** An ES2024 resizable ArrayBuffer (Node 20), not yet in this TypeScript lib. */
type Resizable = ArrayBuffer & { resize(n: number): void };
const resizable = (n: number): Resizable => new (ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => Resizable)(n, { maxByteLength: n });

/**
 * CryptoProvider.decryptAesCbcInPlace with node:crypto: AES-CBC over `data`, each step's output copied back
 * over the ciphertext it came from (with padding off, a step of whole blocks gives exactly as many bytes,
 * and only after reading them), then the PKCS #7 padding checked as above. The plaintext is a view on
 * `data`; no buffer of the content's size is allocated. `data` is consumed, even on failure.
 */
export async function decryptAesCbcInPlace(key: CryptoKey, iv: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const bits = (key.algorithm as AesKeyAlgorithm).length;
  if (key.algorithm.name !== 'AES-CBC' || ![128, 192, 256].includes(bits) || data.length === 0 || data.length % 16 !== 0) {
    throw new DOMException('The provided data is not a whole number of AES blocks.', 'OperationError');
  }
  if (!key.usages.includes('decrypt')) throw new DOMException('The key may not be used to decrypt.', 'InvalidAccessError');
  return data.subarray(0, decipherInto(key, bits, iv, data, data));
}

/**
 * AES-CBC decryption of `src` into `dst` (the same bytes, or a buffer of src's size), step by step with
 * padding off, then the PKCS #7 padding checked; returns the plaintext's length. Writing over `src` itself
 * is safe: a step of whole blocks gives exactly as many bytes, written after they were read.
 */
function decipherInto(key: CryptoKey, bits: number, iv: Uint8Array, src: Uint8Array, dst: Uint8Array): number {
  const d = createDecipheriv(`aes-${bits}-cbc`, KeyObject.from(key), iv);
  d.setAutoPadding(false);
  let o = 0;
  for (let i = 0; i < src.length; i += STEP) {
    const p = d.update(src.subarray(i, Math.min(src.length, i + STEP)));
    dst.set(p, o);
    o += p.length;
    collectYoungGarbage(p.length);
  }
  const f = d.final();
  dst.set(f, o);
  o += f.length;
  return o - checkPadding(dst, o);
}

/** PKCS #7: the last byte n (1-16) says how many bytes of value n end the plaintext; returns n. */
function checkPadding(view: Uint8Array, o: number): number {
  const n = view[o - 1]!;
  let bad = n < 1 || n > 16 ? 1 : 0;
  for (let i = 1; i <= 16; i++) if (i <= n) bad |= view[o - i]! ^ n;
  if (bad !== 0) throw new DOMException('The operation failed for an operation-specific reason', 'OperationError');
  return n;
}

export function nodeCrypto(): Crypto {
  const wc = webcrypto as unknown as Crypto;
  const subtle = wc.subtle;

  const digest = async (algorithm: AlgorithmIdentifier, data: BufferSource): Promise<ArrayBuffer> => {
    const name = HASHES[nameOf(algorithm)];
    const bytes = bytesOf(data);
    if (name === undefined || bytes.length < LARGE) return subtle.digest(algorithm, data);
    const d = createHash(name).update(bytes).digest();
    return d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength) as ArrayBuffer;
  };

  const decrypt = async (algorithm: AlgorithmIdentifier | AesCbcParams, key: CryptoKey, data: BufferSource): Promise<ArrayBuffer> => {
    const bytes = bytesOf(data);
    const bits = (key.algorithm as AesKeyAlgorithm).length;
    if (nameOf(algorithm) !== 'AES-CBC' || key.algorithm.name !== 'AES-CBC' || bytes.length < LARGE || bytes.length % 16 !== 0 || ![128, 192, 256].includes(bits)) {
      return subtle.decrypt(algorithm, key, data);
    }
    if (!key.usages.includes('decrypt')) throw new DOMException('The key may not be used to decrypt.', 'InvalidAccessError');
    // The plaintext lands in one buffer that is shrunk in place once the padding is known: no second copy.
    const out = resizable(bytes.length);
    out.resize(decipherInto(key, bits, bytesOf((algorithm as AesCbcParams).iv), bytes, new Uint8Array(out)));
    return out;
  };

  const fast = new Proxy(subtle, {
    get(target, key) {
      if (key === 'digest') return digest;
      if (key === 'decrypt') return decrypt;
      const v: unknown = Reflect.get(target, key, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { subtle: fast, getRandomValues: wc.getRandomValues.bind(wc), randomUUID: () => wc.randomUUID() } as Crypto;
}
