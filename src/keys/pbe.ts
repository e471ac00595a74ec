// Password-based key derivation and decryption for key files: PBES2 (RFC 8018 §6.2: PBKDF2 + AES-CBC or
// 3DES-CBC) through WebCrypto, and the PKCS#12 PBE schemes (RFC 7292 App. B key derivation, App. C
// pbeWithSHAAnd3-KeyTripleDES-CBC / 2-Key / 128- and 40-bit RC2-CBC) through the small decryptors in
// ./legacy, because WebCrypto has neither 3DES nor RC2. Decryption only: Signet writes no key files.

import { childrenOf, readJoinedOctets, readOid, readSmallInteger, type Asn1Node } from '../core/asn1.js';
import { concat, toArrayBuffer, utf8 } from '../core/bytes.js';
import { defaultLimits } from '../core/config.js';
import type { CryptoProvider } from '../core/crypto.js';
import { SignetError } from '../core/errors.js';
import { desEde3CbcDecrypt } from '../core/legacy/des.js';
import { rc2CbcDecrypt } from './legacy/rc2.js';
import { iteratedHash } from './iterated-hash.js';

export const PBE_OID = {
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  pbmac1: '1.2.840.113549.1.5.14',
  hmacWithSHA1: '1.2.840.113549.2.7',
  hmacWithSHA256: '1.2.840.113549.2.9',
  hmacWithSHA384: '1.2.840.113549.2.10',
  hmacWithSHA512: '1.2.840.113549.2.11',
  aes128CBC: '2.16.840.1.101.3.4.1.2',
  aes192CBC: '2.16.840.1.101.3.4.1.22',
  aes256CBC: '2.16.840.1.101.3.4.1.42',
  desEde3CBC: '1.2.840.113549.3.7',
  // RFC 7292 App. C
  pbeWithSHAAnd128BitRC4: '1.2.840.113549.1.12.1.1',
  pbeWithSHAAnd40BitRC4: '1.2.840.113549.1.12.1.2',
  pbeWithSHAAnd3KeyTripleDESCBC: '1.2.840.113549.1.12.1.3',
  pbeWithSHAAnd2KeyTripleDESCBC: '1.2.840.113549.1.12.1.4',
  pbeWithSHAAnd128BitRC2CBC: '1.2.840.113549.1.12.1.5',
  pbeWithSHAAnd40BitRC2CBC: '1.2.840.113549.1.12.1.6',
} as const;

export type Pkcs12Hash = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

const HMAC_PRF: Record<string, Pkcs12Hash> = {
  [PBE_OID.hmacWithSHA1]: 'SHA-1',
  [PBE_OID.hmacWithSHA256]: 'SHA-256',
  [PBE_OID.hmacWithSHA384]: 'SHA-384',
  [PBE_OID.hmacWithSHA512]: 'SHA-512',
};

export function prfHash(prfOid: string): Pkcs12Hash {
  const h = HMAC_PRF[prfOid];
  if (!h) throw new SignetError('unsupported-algorithm', `PBKDF2 with PRF ${prfOid} is not supported.`);
  return h;
}

/**
 * Upper bounds on iteration counts read from a file (config.ts maxPkcs12KdfIterations,
 * maxPbkdf2Iterations): a hostile file could ask for 2^31 iterations and hang the task pane (a CPU denial
 * of service); honest writers use 2048 (OpenSSL), 10 000 (NSS, Windows) and up to 600 000 (OWASP-minded
 * tools).
 */
export const PBE_LIMITS = Object.freeze({
  maxPbkdf2Iterations: defaultLimits.maxPbkdf2Iterations,
  maxPkcs12KdfIterations: defaultLimits.maxPkcs12KdfIterations,
});

function checkIterations(n: number, max: number): void {
  if (n < 1 || n > max) {
    throw new SignetError('limit-exceeded', `The key file asks for ${n} key-derivation iterations (allowed: 1..${max}).`);
  }
}

/**
 * The key-derivation work one key file may cost, counted in hash iterations summed over all its
 * derivations (config.ts maxPkcs12KdfIterationsPerFile for the RFC 7292 App. B derivation, which runs as
 * JavaScript; maxPbkdf2IterationsPerFile for native PBKDF2). Make one per file read; each derivation is
 * charged before it runs, so a file over budget is refused before the hashing, not after.
 */
export class KdfWork {
  /** App. B hash iterations charged so far. */
  used = 0;
  /** PBKDF2 PRF iterations charged so far. */
  usedPbkdf2 = 0;
  constructor(
    readonly max: number = defaultLimits.maxPkcs12KdfIterationsPerFile,
    readonly maxPbkdf2: number = defaultLimits.maxPbkdf2IterationsPerFile,
  ) {}

  /** Charges RFC 7292 App. B work (iterations × hash chains). */
  charge(iterations: number): void {
    if (this.used + iterations > this.max) {
      throw new SignetError(
        'limit-exceeded',
        `The key file needs more than ${this.max} PKCS#12 key-derivation iterations in all (the per-file key-derivation budget).`,
      );
    }
    this.used += iterations;
  }

  /** Charges PBKDF2 work (iterations × output blocks). */
  chargePbkdf2(iterations: number): void {
    if (this.usedPbkdf2 + iterations > this.maxPbkdf2) {
      throw new SignetError(
        'limit-exceeded',
        `The key file needs more than ${this.maxPbkdf2} PBKDF2 iterations in all (the per-file key-derivation budget).`,
      );
    }
    this.usedPbkdf2 += iterations;
  }
}

/**
 * The two encodings of one passphrase: PBES2/PBKDF2 and PBMAC1 take its UTF-8 bytes (RFC 8018 / RFC 9579),
 * the PKCS#12 KDF takes a BMPString with a two-byte terminator (RFC 7292 App. B.1).
 */
export interface Passphrase {
  utf8: Uint8Array;
  bmp: Uint8Array;
}

export function passphraseForms(pass: string): Passphrase[] {
  const bmp = new Uint8Array(pass.length * 2 + 2);
  for (let i = 0; i < pass.length; i++) {
    const c = pass.charCodeAt(i); // UTF-16 code units: what OpenSSL's utf82uni produces too
    bmp[2 * i] = c >> 8;
    bmp[2 * i + 1] = c & 0xff;
  }
  const forms: Passphrase[] = [{ utf8: utf8(pass), bmp }];
  // An empty password is ambiguous: OpenSSL and NSS encode it as the bare terminator 00 00, Java and
  // Bouncy Castle as zero bytes (BC's johndoe.p12 in the corpus). OpenSSL's pkcs12 tries both; so do we,
  // and the MAC tells which one the writer used.
  if (pass === '') forms.push({ utf8: new Uint8Array(0), bmp: new Uint8Array(0) });
  return forms;
}

const HASH_SIZES: Record<Pkcs12Hash, { u: number; v: number }> = {
  'SHA-1': { u: 20, v: 64 },
  'SHA-256': { u: 32, v: 64 },
  'SHA-384': { u: 48, v: 128 },
  'SHA-512': { u: 64, v: 128 },
};

function fillTo(src: Uint8Array, v: number): Uint8Array {
  if (src.length === 0) return new Uint8Array(0);
  const out = new Uint8Array(v * Math.ceil(src.length / v));
  for (let i = 0; i < out.length; i++) out[i] = src[i % src.length]!;
  return out;
}

/**
 * RFC 7292 App. B.2: derives `n` bytes of key (id 1), IV (id 2) or MAC key (id 3). Each output block is an
 * iterated hash chain; it runs synchronously (iterated-hash.ts, ~0.2-0.6 µs per iteration) rather than as
 * one awaited WebCrypto digest per iteration (1 000 000 iterations took 40 s that way). `provider` is kept
 * for the signature's stability; no WebCrypto call is needed.
 */
export async function pkcs12Kdf(
  _provider: CryptoProvider,
  hash: Pkcs12Hash,
  bmpPassword: Uint8Array,
  salt: Uint8Array,
  id: 1 | 2 | 3,
  iterations: number,
  n: number,
  work: KdfWork = new KdfWork(),
): Promise<Uint8Array> {
  checkIterations(iterations, PBE_LIMITS.maxPkcs12KdfIterations);
  const { u, v } = HASH_SIZES[hash];
  const c = Math.ceil(n / u);
  work.charge(iterations * c);
  const D = new Uint8Array(v).fill(id);
  const I = concat([fillTo(salt, v), fillTo(bmpPassword, v)]);
  const out = new Uint8Array(c * u);
  for (let i = 0; i < c; i++) {
    const A = iteratedHash(hash, concat([D, I]), iterations);
    out.set(A, i * u);
    if (i + 1 < c) {
      // I_j = (I_j + B + 1) mod 2^(8v) for each v-byte block of I, B being A repeated to v bytes.
      for (let j = 0; j < I.length; j += v) {
        let carry = 1;
        for (let k = v - 1; k >= 0; k--) {
          const x = I[j + k]! + A[k % u]! + carry;
          I[j + k] = x & 0xff;
          carry = x >>> 8;
        }
      }
    }
    // Let the event loop breathe between long chains (the pane stays responsive during an import).
    if (iterations > 10_000) await Promise.resolve();
  }
  return out.subarray(0, n);
}

/** Removes PKCS#7 padding; a wrong key almost always leaves invalid padding, reported as bad-passphrase. */
function unpad(b: Uint8Array, block: number): Uint8Array {
  const p = b[b.length - 1] ?? 0;
  if (p < 1 || p > block || p > b.length) throw badPassphrase();
  for (let i = b.length - p; i < b.length; i++) if (b[i] !== p) throw badPassphrase();
  return b.subarray(0, b.length - p);
}

export function badPassphrase(cause?: unknown): SignetError {
  return new SignetError('bad-passphrase', 'The passphrase is wrong (the key file could not be decrypted).', { cause });
}

/**
 * Decrypts `data` protected by the password-based scheme in `algorithm` (an AlgorithmIdentifier node):
 * PBES2 or one of the PKCS#12 PBE schemes. Used for PKCS#8 ShroudedKeyBags, PKCS#12 EncryptedData and
 * PEM "ENCRYPTED PRIVATE KEY".
 */
export async function pbeDecrypt(
  algorithm: Asn1Node,
  data: Uint8Array,
  pass: Passphrase,
  provider: CryptoProvider,
  work: KdfWork = new KdfWork(),
): Promise<Uint8Array> {
  const [algNode, params] = childrenOf(algorithm, 'encryption AlgorithmIdentifier');
  const alg = readOid(algNode, 'encryption algorithm');
  switch (alg) {
    case PBE_OID.pbes2:
      return pbes2Decrypt(params, data, pass, provider, work);
    case PBE_OID.pbeWithSHAAnd3KeyTripleDESCBC:
    case PBE_OID.pbeWithSHAAnd2KeyTripleDESCBC:
    case PBE_OID.pbeWithSHAAnd128BitRC2CBC:
    case PBE_OID.pbeWithSHAAnd40BitRC2CBC: {
      const [saltNode, iterNode] = childrenOf(params, 'pkcs-12PbeParams');
      const salt = readJoinedOctets(saltNode, 'PBE salt');
      const iterations = readSmallInteger(iterNode, 'PBE iteration count');
      const keyLen = { [PBE_OID.pbeWithSHAAnd3KeyTripleDESCBC]: 24, [PBE_OID.pbeWithSHAAnd2KeyTripleDESCBC]: 16,
        [PBE_OID.pbeWithSHAAnd128BitRC2CBC]: 16, [PBE_OID.pbeWithSHAAnd40BitRC2CBC]: 5 }[alg];
      // Both derivations are charged before either runs: a file over budget is refused at once.
      work.charge(iterations * (Math.ceil(keyLen / 20) + 1));
      const prepaid = new KdfWork(Infinity, 0);
      const key = await pkcs12Kdf(provider, 'SHA-1', pass.bmp, salt, 1, iterations, keyLen, prepaid);
      const iv = await pkcs12Kdf(provider, 'SHA-1', pass.bmp, salt, 2, iterations, 8, prepaid);
      if (data.length === 0 || data.length % 8 !== 0) throw badPassphrase();
      const padded =
        alg === PBE_OID.pbeWithSHAAnd3KeyTripleDESCBC || alg === PBE_OID.pbeWithSHAAnd2KeyTripleDESCBC
          ? desEde3CbcDecrypt(key, iv, data)
          : rc2CbcDecrypt(key, keyLen * 8, iv, data);
      return unpad(padded, 8);
    }
    case PBE_OID.pbeWithSHAAnd128BitRC4:
    case PBE_OID.pbeWithSHAAnd40BitRC4:
      throw new SignetError('unsupported-algorithm', 'This key file is encrypted with RC4, which Signet does not read; re-export it with AES.');
    default:
      throw new SignetError('unsupported-algorithm', `Key files encrypted with ${alg} are not supported (PBES2 and PKCS#12 3DES/RC2 are).`);
  }
}

/** RFC 8018 §6.2.2 with PBKDF2 (§5.2). */
async function pbes2Decrypt(
  params: Asn1Node | undefined,
  data: Uint8Array,
  pass: Passphrase,
  provider: CryptoProvider,
  work: KdfWork,
): Promise<Uint8Array> {
  const [kdf, scheme] = childrenOf(params, 'PBES2-params');
  const [kdfOid, kdfParams] = childrenOf(kdf, 'PBES2 keyDerivationFunc');
  if (readOid(kdfOid, 'PBES2 KDF') !== PBE_OID.pbkdf2) {
    throw new SignetError('unsupported-algorithm', 'Only PBKDF2 is supported as the PBES2 key derivation (not scrypt).');
  }
  const p = parsePbkdf2Params(kdfParams);
  const [encOid, encParams] = childrenOf(scheme, 'PBES2 encryptionScheme');
  const enc = readOid(encOid, 'PBES2 encryption scheme');
  const aesLen = { [PBE_OID.aes128CBC]: 16, [PBE_OID.aes192CBC]: 24, [PBE_OID.aes256CBC]: 32 }[enc];
  const keyLen = aesLen ?? (enc === PBE_OID.desEde3CBC ? 24 : undefined);
  if (!keyLen) throw new SignetError('unsupported-algorithm', `PBES2 with cipher ${enc} is not supported (AES-CBC and 3DES-CBC are).`);
  if (p.keyLength !== undefined && p.keyLength !== keyLen) throw new SignetError('malformed-asn1', 'PBKDF2 keyLength does not match the cipher.');
  const iv = readJoinedOctets(encParams, 'PBES2 IV');
  const key = await pbkdf2(provider, pass.utf8, p.salt, p.iterations, p.hash, keyLen, work);
  if (aesLen) {
    if (iv.length !== 16) throw new SignetError('malformed-asn1', 'AES-CBC IV must be 16 bytes.');
    try {
      const k = await provider.crypto.subtle.importKey('raw', toArrayBuffer(key), 'AES-CBC', false, ['decrypt']);
      return new Uint8Array(await provider.crypto.subtle.decrypt({ name: 'AES-CBC', iv: toArrayBuffer(iv) }, k, toArrayBuffer(data)));
    } catch (e) {
      throw badPassphrase(e);
    }
  }
  if (iv.length !== 8 || data.length === 0 || data.length % 8 !== 0) throw badPassphrase();
  return unpad(desEde3CbcDecrypt(key, iv, data), 8);
}

export interface Pbkdf2Params {
  salt: Uint8Array;
  iterations: number;
  keyLength?: number;
  hash: Pkcs12Hash;
}

export function parsePbkdf2Params(node: Asn1Node | undefined): Pbkdf2Params {
  const f = childrenOf(node, 'PBKDF2-params');
  const salt = readJoinedOctets(f[0], 'PBKDF2 salt (only "specified" salts are supported)');
  const iterations = readSmallInteger(f[1], 'PBKDF2 iteration count');
  let i = 2;
  let keyLength: number | undefined;
  if (f[i] && f[i]!.idBlock.tagClass === 1 && f[i]!.idBlock.tagNumber === 2) keyLength = readSmallInteger(f[i++], 'PBKDF2 keyLength');
  let hash: Pkcs12Hash = 'SHA-1';
  if (f[i]) hash = prfHash(readOid(childrenOf(f[i], 'PBKDF2 prf')[0], 'PBKDF2 prf'));
  return keyLength === undefined ? { salt, iterations, hash } : { salt, iterations, keyLength, hash };
}

/**
 * PBKDF2 (RFC 8018 §5.2) in one native WebCrypto `deriveBits` call. Charged to `work` as iterations times
 * output blocks (the PRF runs once per iteration per block).
 */
export async function pbkdf2(
  provider: CryptoProvider,
  password: Uint8Array,
  salt: Uint8Array,
  iterations: number,
  hash: Pkcs12Hash,
  bytes: number,
  work: KdfWork = new KdfWork(),
): Promise<Uint8Array> {
  checkIterations(iterations, PBE_LIMITS.maxPbkdf2Iterations);
  work.chargePbkdf2(iterations * Math.ceil(bytes / HASH_SIZES[hash].u));
  const base = await provider.crypto.subtle.importKey('raw', toArrayBuffer(password), 'PBKDF2', false, ['deriveBits']);
  return new Uint8Array(
    await provider.crypto.subtle.deriveBits({ name: 'PBKDF2', hash, salt: toArrayBuffer(salt), iterations }, base, bytes * 8),
  );
}
