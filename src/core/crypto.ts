// The crypto engine is injected, never global (the @peculiar/x509 habit): every core function takes a
// `CryptoProvider`, defaulting to the platform's WebCrypto (browsers, and Node >= 20 as globalThis.crypto).
// Nothing in Signet calls PKI.js's cryptographic methods (which would reach for PKI.js's global engine):
// PKI.js is used only to read structures, and every signature, digest and cipher goes through `crypto`.

import { SignetError } from './errors.js';

export interface CryptoProvider {
  /** WebCrypto (`crypto.subtle`, `crypto.getRandomValues`). */
  readonly crypto: Crypto;
  /**
   * Optional, for a runtime that can write a cipher's output over its input (the CLI: node:crypto): AES-CBC
   * decryption of `data` with `iv`, the plaintext written over `data` from its start, PKCS #7 padding
   * (RFC 5652 §6.3) checked and removed as WebCrypto does, the result a view on `data`; rejects on bad
   * padding. `data` is consumed whatever the outcome. Without it, cms/cbc-in-place.ts uses WebCrypto in
   * chunks.
   */
  readonly decryptAesCbcInPlace?: (key: CryptoKey, iv: Uint8Array, data: Uint8Array) => Promise<Uint8Array>;
}

const cache = new WeakMap<Crypto, CryptoProvider>();

export function cryptoProvider(webcrypto?: Crypto): CryptoProvider {
  const c = webcrypto ?? (globalThis as { crypto?: Crypto }).crypto;
  if (!c || !c.subtle) {
    throw new SignetError('internal', 'No WebCrypto implementation is available in this runtime.');
  }
  let p = cache.get(c);
  if (!p) {
    p = { crypto: c };
    cache.set(c, p);
  }
  return p;
}

export function randomBytes(provider: CryptoProvider, n: number): Uint8Array {
  const out = new Uint8Array(n);
  // getRandomValues is limited to 65536 bytes per call.
  for (let i = 0; i < n; i += 65536) provider.crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
  return out;
}
