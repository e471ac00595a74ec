// A CryptoProvider over Node's WebCrypto that counts the signature verifications and digests asked of it.
// Each call makes a WebCrypto object of its own, so its answers are never ones another provider remembered
// (core/memo.ts).
import { webcrypto } from 'node:crypto';
import { cryptoProvider, type CryptoProvider } from '../../src/core/crypto.js';

export interface CountingProvider {
  provider: CryptoProvider;
  calls: { verify: number; digest: number };
}

export function countingProvider(): CountingProvider {
  const calls = { verify: 0, digest: 0 };
  const subtle = new Proxy(webcrypto.subtle, {
    get(target, key) {
      const v = Reflect.get(target, key) as unknown;
      if (key === 'verify' || key === 'digest') {
        return (...args: unknown[]) => {
          calls[key]++;
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  const c = { subtle, getRandomValues: <T extends ArrayBufferView | null>(a: T) => webcrypto.getRandomValues(a as never) as T } as unknown as Crypto;
  return { provider: cryptoProvider(c), calls };
}
