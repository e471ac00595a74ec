// Signature and digest AlgorithmIdentifiers as they appear in CMS SignerInfos (RFC 5652 §5.3, RFC 5754,
// RFC 4056 for RSASSA-PSS, RFC 5753 for ECDSA) and in X.509 certificates (RFC 5280 §4.1.1.2, RFC 4055),
// mapped to a WebCrypto verification algorithm under Signet's hash policy (ARCHITECTURE.md rule 5).

import {
  expectSequence,
  isContext,
  isUniversal,
  readAlgorithmIdentifier,
  readSmallInteger,
  childrenOf,
  Tag,
  type AlgorithmIdentifier,
} from '../asn1.js';
import type { SecurityConfig } from '../config.js';
import type { HashName } from '../keys.js';
import { OID, oidName } from '../oids.js';
import type { VerifyAlgorithm } from './public-key.js';

export type DigestName = HashName | 'MD5';

const DIGESTS: Record<string, DigestName> = {
  [OID.md5]: 'MD5',
  [OID.sha1]: 'SHA-1',
  [OID.sha256]: 'SHA-256',
  [OID.sha384]: 'SHA-384',
  [OID.sha512]: 'SHA-512',
};

export function digestFromOid(oid: string): DigestName | null {
  return DIGESTS[oid] ?? null;
}

export const DIGEST_OIDS: Record<HashName, string> = {
  'SHA-1': OID.sha1,
  'SHA-256': OID.sha256,
  'SHA-384': OID.sha384,
  'SHA-512': OID.sha512,
};

export type SignatureKind = 'rsa-pkcs1' | 'rsa-pss' | 'ecdsa' | 'dsa' | 'unknown';

export interface SignatureAlgorithmInfo {
  kind: SignatureKind;
  /** The hash the signature algorithm names; null when it names only the key type (rsaEncryption). */
  hash: DigestName | null;
  /** RSASSA-PSS only. */
  saltLength?: number;
  /** RSASSA-PSS only: the MGF1 hash, which WebCrypto requires to equal `hash`. */
  mgfHash?: DigestName | null;
  /** Display name, e.g. "RSA-SHA256", "RSA-PSS-SHA256", "ECDSA-SHA384". */
  name: string;
}

const SIGNATURES: Record<string, { kind: SignatureKind; hash: DigestName | null }> = {
  [OID.rsaEncryption]: { kind: 'rsa-pkcs1', hash: null },
  [OID.md5WithRSAEncryption]: { kind: 'rsa-pkcs1', hash: 'MD5' },
  [OID.sha1WithRSAEncryption]: { kind: 'rsa-pkcs1', hash: 'SHA-1' },
  [OID.sha256WithRSAEncryption]: { kind: 'rsa-pkcs1', hash: 'SHA-256' },
  [OID.sha384WithRSAEncryption]: { kind: 'rsa-pkcs1', hash: 'SHA-384' },
  [OID.sha512WithRSAEncryption]: { kind: 'rsa-pkcs1', hash: 'SHA-512' },
  [OID.ecPublicKey]: { kind: 'ecdsa', hash: null },
  [OID.ecdsaWithSHA1]: { kind: 'ecdsa', hash: 'SHA-1' },
  [OID.ecdsaWithSHA256]: { kind: 'ecdsa', hash: 'SHA-256' },
  [OID.ecdsaWithSHA384]: { kind: 'ecdsa', hash: 'SHA-384' },
  [OID.ecdsaWithSHA512]: { kind: 'ecdsa', hash: 'SHA-512' },
  [OID.dsa]: { kind: 'dsa', hash: null },
  [OID.dsaWithSHA1]: { kind: 'dsa', hash: 'SHA-1' },
  [OID.dsaWithSHA256]: { kind: 'dsa', hash: 'SHA-256' },
  // sha1WithRSA under its old OIW OID, still seen in old Outlook/Notes messages.
  [OID.sha1WithRSAEncryptionOiw]: { kind: 'rsa-pkcs1', hash: 'SHA-1' },
};

/** Parses a signature AlgorithmIdentifier; never throws for unknown OIDs (kind 'unknown'). */
export function parseSignatureAlgorithm(alg: AlgorithmIdentifier): SignatureAlgorithmInfo {
  if (alg.oid === OID.rsassaPss) return parsePssParams(alg);
  const known = SIGNATURES[alg.oid];
  if (!known) return { kind: 'unknown', hash: null, name: oidName(alg.oid) };
  return { ...known, name: oidName(alg.oid) };
}

/**
 * RSASSA-PSS-params (RFC 4055 §3.1): hashAlgorithm [0] DEFAULT sha1, maskGenAlgorithm [1] DEFAULT
 * mgf1SHA1, saltLength [2] DEFAULT 20, trailerField [3] DEFAULT 1. OpenSSL's default salt is the maximum
 * (222 for RSA-2048/SHA-256), so the salt is always taken from here, never assumed.
 */
function parsePssParams(alg: AlgorithmIdentifier): SignatureAlgorithmInfo {
  let hash: DigestName | null = 'SHA-1';
  let mgfHash: DigestName | null = 'SHA-1';
  let saltLength = 20;
  let trailerOk = true;
  if (alg.params && !isUniversal(alg.params, Tag.null)) {
    for (const f of expectSequence(alg.params, 'RSASSA-PSS parameters')) {
      const inner = childrenOf(f)[0];
      if (isContext(f, 0)) {
        hash = digestFromOid(readAlgorithmIdentifier(inner, 'the PSS hash').oid);
      } else if (isContext(f, 1)) {
        const mgf = readAlgorithmIdentifier(inner, 'the PSS mask generation function');
        mgfHash = mgf.oid === OID.mgf1 && mgf.params ? digestFromOid(readAlgorithmIdentifier(mgf.params, 'the MGF1 hash').oid) : null;
      } else if (isContext(f, 2)) {
        saltLength = readSmallInteger(inner, 'the PSS salt length');
      } else if (isContext(f, 3)) {
        trailerOk = readSmallInteger(inner, 'the PSS trailer field') === 1;
      }
    }
  }
  const name = `RSA-PSS-${(hash ?? 'unknown').replace('-', '')}`;
  if (!trailerOk) return { kind: 'unknown', hash, name };
  return { kind: 'rsa-pss', hash, saltLength, mgfHash, name };
}

/** A refusal with the TrustCode it maps to. */
export interface AlgorithmProblem {
  code: 'insecure-algorithm' | 'unsupported-algorithm';
  reason: string;
}

/** Hash policy: SHA-1 and MD5 only with their allowInsecure… switch (collisions make them forgeable). */
export function hashProblem(hash: DigestName | null, policy: Pick<SecurityConfig, 'allowInsecureSha1' | 'allowInsecureMd5'>): AlgorithmProblem | null {
  if (hash === null) return { code: 'unsupported-algorithm', reason: 'The hash algorithm is not supported.' };
  if (hash === 'SHA-1' && !policy.allowInsecureSha1) {
    return { code: 'insecure-algorithm', reason: 'The signature uses SHA-1, which is no longer secure (collisions are practical).' };
  }
  if (hash === 'MD5') {
    if (!policy.allowInsecureMd5) return { code: 'insecure-algorithm', reason: 'The signature uses MD5, which is broken.' };
    return { code: 'unsupported-algorithm', reason: 'MD5 is not available in WebCrypto.' };
  }
  return null;
}

/**
 * The WebCrypto algorithm that verifies a signature, or the problem that prevents it. `fallbackHash` is
 * used when the AlgorithmIdentifier names only the key (rsaEncryption, as NSS and OpenSSL write in CMS, or
 * id-ecPublicKey): the hash is then the SignerInfo's digestAlgorithm (RFC 5754 §3.2, RFC 5753 §2.1.1).
 */
export function resolveVerifyAlgorithm(
  sig: SignatureAlgorithmInfo,
  fallbackHash: DigestName | null,
  policy: Pick<SecurityConfig, 'allowInsecureSha1' | 'allowInsecureMd5'>,
): { algorithm: VerifyAlgorithm; hash: HashName } | AlgorithmProblem {
  if (sig.kind === 'dsa') return { code: 'unsupported-algorithm', reason: 'DSA signatures are not supported.' };
  if (sig.kind === 'unknown') return { code: 'unsupported-algorithm', reason: `The signature algorithm ${sig.name} is not supported.` };
  const hash = sig.hash ?? fallbackHash;
  const problem = hashProblem(hash, policy);
  if (problem) return problem;
  const h = hash as HashName;
  switch (sig.kind) {
    case 'rsa-pkcs1':
      return { algorithm: { name: 'RSASSA-PKCS1-v1_5', hash: h }, hash: h };
    case 'ecdsa':
      return { algorithm: { name: 'ECDSA', hash: h }, hash: h };
    case 'rsa-pss':
      if (sig.mgfHash !== sig.hash) {
        return { code: 'unsupported-algorithm', reason: 'RSA-PSS with an MGF1 hash different from the message hash is not supported.' };
      }
      return { algorithm: { name: 'RSA-PSS', hash: h, saltLength: sig.saltLength ?? 20 }, hash: h };
  }
}

export function isAlgorithmProblem(x: unknown): x is AlgorithmProblem {
  return typeof x === 'object' && x !== null && 'code' in x && 'reason' in x;
}
