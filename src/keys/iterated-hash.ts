// Repeated hashing H(H(…H(x))) for the PKCS#12 key derivation (RFC 7292 App. B.2 step 6: A = H^c(D‖I)).
// The first application takes the whole input (@noble/hashes); every later one hashes the previous
// digest, a single padded block (FIPS 180-4 §5.1), so SHA-1 and SHA-256 run here as tight loops over one
// preallocated message schedule: about 0.15 µs per iteration instead of an awaited WebCrypto digest
// (≈40 µs) or a general-purpose hasher object (≈1.3 µs). SHA-384/512 (rare in key files) fall back to
// @noble/hashes. Synchronous on purpose: the caller bounds the count (config.ts maxPkcs12KdfIterations).

import { sha1 } from '@noble/hashes/legacy.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';

export type IteratedHash = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

/** H applied `iterations` (≥ 1) times, starting with `input`. */
export function iteratedHash(hash: IteratedHash, input: Uint8Array, iterations: number): Uint8Array {
  switch (hash) {
    case 'SHA-1':
      return iterations === 1 ? sha1(input) : iterateSha1(sha1(input), iterations - 1);
    case 'SHA-256':
      return iterations === 1 ? sha256(input) : iterateSha256(sha256(input), iterations - 1);
    case 'SHA-384': {
      let a = sha384(input);
      for (let i = 1; i < iterations; i++) a = sha384(a);
      return a;
    }
    case 'SHA-512': {
      let a = sha512(input);
      for (let i = 1; i < iterations; i++) a = sha512(a);
      return a;
    }
  }
}

function toWords(b: Uint8Array, words: number): Uint32Array {
  const out = new Uint32Array(words);
  for (let i = 0; i < words; i++) out[i] = ((b[4 * i]! << 24) | (b[4 * i + 1]! << 16) | (b[4 * i + 2]! << 8) | b[4 * i + 3]!) >>> 0;
  return out;
}

function fromWords(w: Uint32Array | Int32Array): Uint8Array {
  const out = new Uint8Array(w.length * 4);
  for (let i = 0; i < w.length; i++) {
    out[4 * i] = w[i]! >>> 24;
    out[4 * i + 1] = (w[i]! >>> 16) & 0xff;
    out[4 * i + 2] = (w[i]! >>> 8) & 0xff;
    out[4 * i + 3] = w[i]! & 0xff;
  }
  return out;
}

/** SHA-1 of a 20-byte value, `n` times (FIPS 180-4 §6.1.2 with the one-block padding of a 160-bit message). */
function iterateSha1(digest: Uint8Array, n: number): Uint8Array {
  const h = new Int32Array(toWords(digest, 5));
  const W = new Int32Array(80);
  for (let r = 0; r < n; r++) {
    W[0] = h[0]!;
    W[1] = h[1]!;
    W[2] = h[2]!;
    W[3] = h[3]!;
    W[4] = h[4]!;
    W[5] = 0x80000000 | 0;
    for (let t = 6; t < 15; t++) W[t] = 0;
    W[15] = 160;
    for (let t = 16; t < 80; t++) {
      const x = W[t - 3]! ^ W[t - 8]! ^ W[t - 14]! ^ W[t - 16]!;
      W[t] = (x << 1) | (x >>> 31);
    }
    let a = 0x67452301 | 0;
    let b = 0xefcdab89 | 0;
    let c = 0x98badcfe | 0;
    let d = 0x10325476 | 0;
    let e = 0xc3d2e1f0 | 0;
    // Four rounds of 20 without a per-step branch (FIPS 180-4 §4.1.1 f_t and §4.2.1 K_t).
    let t = 0;
    for (; t < 20; t++) {
      const tmp = (((a << 5) | (a >>> 27)) + ((b & c) | (~b & d)) + e + 0x5a827999 + W[t]!) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = tmp;
    }
    for (; t < 40; t++) {
      const tmp = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0x6ed9eba1 + W[t]!) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = tmp;
    }
    for (; t < 60; t++) {
      const tmp = (((a << 5) | (a >>> 27)) + ((b & c) | (b & d) | (c & d)) + e + 0x8f1bbcdc + W[t]!) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = tmp;
    }
    for (; t < 80; t++) {
      const tmp = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0xca62c1d6 + W[t]!) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = tmp;
    }
    h[0] = (0x67452301 + a) | 0;
    h[1] = (0xefcdab89 + b) | 0;
    h[2] = (0x98badcfe + c) | 0;
    h[3] = (0x10325476 + d) | 0;
    h[4] = (0xc3d2e1f0 + e) | 0;
  }
  return fromWords(h);
}

const K256 = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be,
  0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa,
  0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85,
  0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
  0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
  0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const IV256 = Int32Array.from([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

/** SHA-256 of a 32-byte value, `n` times (FIPS 180-4 §6.2.2 with the one-block padding of a 256-bit message). */
function iterateSha256(digest: Uint8Array, n: number): Uint8Array {
  const h = new Int32Array(toWords(digest, 8));
  const W = new Int32Array(64);
  for (let r = 0; r < n; r++) {
    for (let t = 0; t < 8; t++) W[t] = h[t]!;
    W[8] = 0x80000000 | 0;
    for (let t = 9; t < 15; t++) W[t] = 0;
    W[15] = 256;
    for (let t = 16; t < 64; t++) {
      const w15 = W[t - 15]!;
      const w2 = W[t - 2]!; // >>> on an Int32 value reads its bit pattern unsigned, as FIPS 180-4 wants
      const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
      const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
      W[t] = (W[t - 16]! + s0 + W[t - 7]! + s1) | 0;
    }
    let a = IV256[0]! | 0;
    let b = IV256[1]! | 0;
    let c = IV256[2]! | 0;
    let d = IV256[3]! | 0;
    let e = IV256[4]! | 0;
    let f = IV256[5]! | 0;
    let g = IV256[6]! | 0;
    let hh = IV256[7]! | 0;
    for (let t = 0; t < 64; t++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (hh + S1 + ch + K256[t]! + W[t]!) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) | 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h[0] = (IV256[0]! + a) | 0;
    h[1] = (IV256[1]! + b) | 0;
    h[2] = (IV256[2]! + c) | 0;
    h[3] = (IV256[3]! + d) | 0;
    h[4] = (IV256[4]! + e) | 0;
    h[5] = (IV256[5]! + f) | 0;
    h[6] = (IV256[6]! + g) | 0;
    h[7] = (IV256[7]! + hh) | 0;
  }
  return fromWords(h);
}
