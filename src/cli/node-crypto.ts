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
    const d = createDecipheriv(`aes-${bits}-cbc`, KeyObject.from(key), bytesOf((algorithm as AesCbcParams).iv));
    d.setAutoPadding(false);
    // The plaintext lands in one buffer that is shrunk in place once the padding is known: no second copy.
    const out = resizable(bytes.length);
    const view = new Uint8Array(out);
    let o = 0;
    for (let i = 0; i < bytes.length; i += STEP) {
      const p = d.update(bytes.subarray(i, Math.min(bytes.length, i + STEP)));
      view.set(p, o);
      o += p.length;
      collectYoungGarbage(p.length);
    }
    const f = d.final();
    view.set(f, o);
    o += f.length;
    // PKCS #7: the last byte n (1-16) says how many bytes of value n end the plaintext.
    const n = view[o - 1]!;
    let bad = n < 1 || n > 16 ? 1 : 0;
    for (let i = 1; i <= 16; i++) if (i <= n) bad |= view[o - i]! ^ n;
    if (bad !== 0) throw new DOMException('The operation failed for an operation-specific reason', 'OperationError');
    out.resize(o - n);
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
