// SubjectPublicKeyInfo (RFC 5280 §4.1.2.7): key type and size for policy (minimum sizes, ARCHITECTURE.md rule 5),
// and import into WebCrypto for verification (RSA per RFC 3279 §2.3.1 / RFC 4055, EC per RFC 5480).

import {
  childrenOf,
  encodingOf,
  expectSequence,
  isUniversal,
  readAlgorithmIdentifier,
  readBitString,
  readIntegerBytes,
  readOid,
  Tag,
  type Asn1Limits,
  type Asn1Node,
  parseAsn1,
} from '../asn1.js';
import { latin1, toArrayBuffer } from '../bytes.js';
import { defaultLimits, type Limits } from '../config.js';
import type { CryptoProvider } from '../crypto.js';
import { algorithmIdentifier, sequence } from '../der.js';
import { ecCoordinateLength, ecdsaDerToRaw } from '../cms/ecdsa-signature.js';
import { SignetError } from '../errors.js';
import { WebCryptoMemo } from '../memo.js';
import type { HashName, NamedCurve } from '../keys.js';
import { OID } from '../oids.js';

const CURVES: Record<string, { name: NamedCurve; bits: number }> = {
  [OID.secp256r1]: { name: 'P-256', bits: 256 },
  [OID.secp384r1]: { name: 'P-384', bits: 384 },
  [OID.secp521r1]: { name: 'P-521', bits: 521 },
};

export type PublicKeyType = 'rsa' | 'ec' | 'dsa' | 'other';

export type VerifyAlgorithm =
  | { name: 'RSASSA-PKCS1-v1_5'; hash: HashName }
  | { name: 'RSA-PSS'; hash: HashName; saltLength: number }
  | { name: 'ECDSA'; hash: HashName };

export interface PublicKeyInfo {
  /** DER of the SubjectPublicKeyInfo. */
  readonly der: Uint8Array;
  readonly algorithmOid: string;
  readonly type: PublicKeyType;
  /** RSA modulus bits, EC field bits, 0 when unknown. */
  readonly bits: number;
  readonly namedCurve: NamedCurve | null;
  /** The curve OID for EC keys on curves we do not support (shown, never used). */
  readonly curveOid: string | null;
  /** e.g. "RSA 2048", "EC P-256". */
  readonly description: string;
  /**
   * Why this key may not be used at all (an RSA modulus or public exponent beyond config.ts
   * maxRsaModulusBits / maxRsaPublicExponentBits): every verification with it is refused as
   * 'unsupported-algorithm' before any arithmetic. Absent for usable keys.
   */
  readonly unusable?: string;
}

export type PublicKeyLimits = Asn1Limits & Partial<Pick<Limits, 'maxRsaModulusBits' | 'maxRsaPublicExponentBits'>>;

/**
 * Why an RSA key (modulus and public exponent as INTEGER contents) is too costly to use, or null. RFC 8017
 * §3.1: e is odd and 3 ≤ e < n; practice is 65537. Bounding the exponent bounds the cost of every
 * public-key operation (one squaring per exponent bit), bounding the modulus bounds each squaring.
 */
export function rsaKeyProblem(modulus: Uint8Array, exponent: Uint8Array, limits: Partial<Pick<Limits, 'maxRsaModulusBits' | 'maxRsaPublicExponentBits'>> = {}): string | null {
  const maxN = limits.maxRsaModulusBits ?? defaultLimits.maxRsaModulusBits;
  const maxE = limits.maxRsaPublicExponentBits ?? defaultLimits.maxRsaPublicExponentBits;
  const nBits = bitLength(modulus);
  const eBits = bitLength(exponent);
  if (nBits > maxN) return `The RSA key has a ${nBits}-bit modulus; at most ${maxN} bits are accepted.`;
  if (eBits > maxE) return `The RSA key has a ${eBits}-bit public exponent; at most ${maxE} bits are accepted (65537 is usual).`;
  if (eBits < 2 || (exponent[exponent.length - 1]! & 1) === 0) return 'The RSA public exponent is not an odd number of at least 3.';
  return null;
}

export function parsePublicKeyInfo(node: Asn1Node, limits: PublicKeyLimits): PublicKeyInfo {
  const c = expectSequence(node, 'a SubjectPublicKeyInfo');
  const alg = readAlgorithmIdentifier(c[0], 'the public key algorithm');
  const key = readBitString(c[1], 'the public key');
  const der = encodingOf(node);
  if (alg.oid === OID.rsaEncryption || alg.oid === OID.rsassaPss) {
    let bits = 0;
    let unusable: string | null;
    try {
      const rsa = expectSequence(parseAsn1(key.bytes, limits, { what: 'An RSA public key' }), 'an RSAPublicKey');
      const n = readIntegerBytes(rsa[0], 'the RSA modulus');
      bits = bitLength(n);
      unusable = rsaKeyProblem(n, readIntegerBytes(rsa[1], 'the RSA public exponent'), limits);
    } catch (e) {
      throw new SignetError('malformed-asn1', 'The RSA public key is malformed.', { cause: e });
    }
    const info = { der, algorithmOid: alg.oid, type: 'rsa' as const, bits, namedCurve: null, curveOid: null, description: `RSA ${bits}` };
    return unusable ? { ...info, unusable } : info;
  }
  if (alg.oid === OID.ecPublicKey) {
    const curveOid = alg.params && isUniversal(alg.params, Tag.oid) ? readOid(alg.params) : null;
    const curve = curveOid ? CURVES[curveOid] : undefined;
    return {
      der,
      algorithmOid: alg.oid,
      type: 'ec',
      bits: curve?.bits ?? 0,
      namedCurve: curve?.name ?? null,
      curveOid,
      description: curve ? `EC ${curve.name}` : `EC ${curveOid ?? '(explicit parameters)'}`,
    };
  }
  if (alg.oid === OID.dsa) {
    let bits = 0;
    if (alg.params && isUniversal(alg.params, Tag.sequence)) {
      const p = childrenOf(alg.params)[0];
      if (p) bits = bitLength(readIntegerBytes(p));
    }
    return { der, algorithmOid: alg.oid, type: 'dsa', bits, namedCurve: null, curveOid: null, description: `DSA ${bits}` };
  }
  return { der, algorithmOid: alg.oid, type: 'other', bits: 0, namedCurve: null, curveOid: null, description: alg.oid };
}

function bitLength(intBytes: Uint8Array): number {
  let i = 0;
  while (i < intBytes.length && intBytes[i] === 0) i++;
  if (i === intBytes.length) return 0;
  return (intBytes.length - i) * 8 - (Math.clz32(intBytes[i]!) - 24);
}

/** Whether the key is at least as large as policy demands (RFC 8551 §4.1 lets clients refuse small keys). */
export function keyMeetsPolicy(key: PublicKeyInfo, policy: { minRsaBits: number; minEcBits: number; allowInsecureShortKeys: boolean }): boolean {
  if (policy.allowInsecureShortKeys) return true;
  if (key.type === 'rsa') return key.bits >= policy.minRsaBits;
  if (key.type === 'ec') return key.bits >= policy.minEcBits;
  return true;
}

const importCache = new WeakMap<PublicKeyInfo, Map<string, Promise<CryptoKey>>>();

/**
 * Verifies `signature` over `data` with this key. Returns false for a signature that does not verify
 * (including malformed ECDSA DER); throws `unsupported-algorithm` when the key cannot be used at all.
 */
export async function verifyWithPublicKey(
  key: PublicKeyInfo,
  alg: VerifyAlgorithm,
  data: Uint8Array,
  signature: Uint8Array,
  provider: CryptoProvider,
): Promise<boolean> {
  if (key.unusable) throw new SignetError('unsupported-algorithm', key.unusable);
  const memoKey = verifiedKey(key, alg, data, signature);
  const subtle = provider.crypto.subtle;
  const known = memoKey === null ? undefined : verified.get(subtle, memoKey);
  if (known !== undefined) return known;
  const ok = await verifyNow(key, alg, data, signature, provider);
  if (memoKey !== null) verified.set(subtle, memoKey, ok);
  return ok;
}

/**
 * Verification answers already given, by the exact bytes that decided them: the key (SPKI), the algorithm,
 * the signed data and the signature. A verification is a pure function of those bytes, so an answer holds
 * for as long as the page lives; what differs between calls (validity periods, revocation, the algorithm
 * policy) is judged by the callers every time. Certificate chains are checked again and again — the compose
 * pane checks the sender's and every recipient's path when it shows who is ready and again when the message
 * is sent, the read pane once per message from the same signer — and each check is a WebCrypto key import
 * and verification that waits its turn on a busy page (issue 17, compose latency). Only small inputs
 * (certificates, signed attributes: up to VERIFIED_MAX_BYTES together) are remembered, at most 256 answers
 * per WebCrypto object (core/memo.ts). Errors are not remembered.
 */
const verified = new WebCryptoMemo<boolean>(256);
/** Key, data and signature together; the memo's worst case is then 256 × 16 KB = 4 MB of keys. */
const VERIFIED_MAX_BYTES = 16 * 1024;

/** The memo key: the lengths make it unambiguous (no two different inputs give the same string). Null: too large to keep. */
function verifiedKey(key: PublicKeyInfo, alg: VerifyAlgorithm, data: Uint8Array, signature: Uint8Array): string | null {
  if (data.length + signature.length + key.der.length > VERIFIED_MAX_BYTES) return null;
  const params = alg.name === 'RSA-PSS' ? `${alg.saltLength}` : '';
  return `${alg.name}/${alg.hash}/${params}/${key.der.length}/${data.length}/${signature.length}/${latin1(key.der)}${latin1(data)}${latin1(signature)}`;
}

async function verifyNow(key: PublicKeyInfo, alg: VerifyAlgorithm, data: Uint8Array, signature: Uint8Array, provider: CryptoProvider): Promise<boolean> {
  const subtle = provider.crypto.subtle;
  let cache = importCache.get(key);
  if (!cache) {
    cache = new Map();
    importCache.set(key, cache);
  }
  const cacheKey = `${alg.name}/${alg.hash}`;
  let imported = cache.get(cacheKey);
  if (!imported) {
    imported = importForVerify(key, alg, provider);
    cache.set(cacheKey, imported);
  }
  const cryptoKey = await imported;
  let sig = signature;
  let params: AlgorithmIdentifierParams;
  if (alg.name === 'ECDSA') {
    try {
      sig = ecdsaDerToRaw(signature, ecCoordinateLength(key.bits));
    } catch {
      return false;
    }
    params = { name: 'ECDSA', hash: alg.hash };
  } else {
    // Some encoders strip leading zero octets of an RSA signature; WebCrypto wants the modulus length.
    const modLen = Math.ceil(key.bits / 8);
    if (sig.length < modLen) {
      const padded = new Uint8Array(modLen);
      padded.set(sig, modLen - sig.length);
      sig = padded;
    }
    if (sig.length !== modLen) return false;
    params = alg.name === 'RSA-PSS' ? { name: 'RSA-PSS', saltLength: alg.saltLength } : { name: 'RSASSA-PKCS1-v1_5' };
  }
  try {
    return await subtle.verify(params, cryptoKey, toArrayBuffer(sig), data as Uint8Array<ArrayBuffer>);
  } catch {
    return false;
  }
}

type AlgorithmIdentifierParams = Algorithm | RsaPssParams | EcdsaParams;

async function importForVerify(key: PublicKeyInfo, alg: VerifyAlgorithm, provider: CryptoProvider): Promise<CryptoKey> {
  const subtle = provider.crypto.subtle;
  try {
    if (alg.name === 'ECDSA') {
      if (key.type !== 'ec' || !key.namedCurve) throw new Error('not a supported EC key');
      return await subtle.importKey('spki', toArrayBuffer(key.der), { name: 'ECDSA', namedCurve: key.namedCurve }, false, ['verify']);
    }
    if (key.type !== 'rsa') throw new Error('not an RSA key');
    // WebCrypto in browsers imports only rsaEncryption SPKIs; an id-RSASSA-PSS key is the same RSAPublicKey.
    const spki = key.algorithmOid === OID.rsaEncryption ? key.der : rsaEncryptionSpki(key.der);
    return await subtle.importKey('spki', toArrayBuffer(spki), { name: alg.name, hash: alg.hash }, false, ['verify']);
  } catch (e) {
    throw new SignetError('unsupported-algorithm', `A ${key.description} key cannot verify ${alg.name} signatures.`, { cause: e });
  }
}

function rsaEncryptionSpki(der: Uint8Array): Uint8Array {
  // Re-wrap the same BIT STRING under rsaEncryption: only the algorithm label changes, not the key.
  const bitString = encodingOf(childrenOf(parseAsn1(der, { maxAsn1Depth: 8, maxAsn1Nodes: 16, maxAsn1Bytes: der.length }))[1]!);
  return sequence(algorithmIdentifier(OID.rsaEncryption, 'null'), bitString);
}
