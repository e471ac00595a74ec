// Shared pieces of revocation checking (RFC 6960 OCSP, RFC 5280 CRLs): where a certificate says its
// revocation status is published (AIA id-ad-ocsp, CRL distribution points), the bounded HTTP exchange
// through an injected `fetch`, and the answer type both methods produce. No Node or DOM dependency: the
// caller injects `fetch` (the CLI passes globalThis.fetch; the core never reaches for a global).

import { readBodyCapped } from '../http-body.js';
import {
  childrenOf,
  expectSequence,
  isContext,
  parseAsn1,
  primitiveContent,
  readBitString,
  readOid,
  type AlgorithmIdentifier,
  type Asn1Limits,
  type Asn1Node,
} from '../../asn1.js';
import { fromBase64, latin1 } from '../../bytes.js';
import type { SignetConfig } from '../../config.js';
import type { CryptoProvider } from '../../crypto.js';
import { SignetError } from '../../errors.js';
import type { HashName } from '../../keys.js';
import type { RevocationProblem } from '../../verdict.js';
import type { Certificate } from '../certificate.js';
import { keyMeetsPolicy, verifyWithPublicKey, type PublicKeyInfo } from '../public-key.js';
import { isAlgorithmProblem, parseSignatureAlgorithm, resolveVerifyAlgorithm } from '../signature-algorithm.js';
import { pemBase64, pemBlocks } from '../../pem.js';

export const REVOCATION_OID = {
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  adOcsp: '1.3.6.1.5.5.7.48.1',
  ocspBasic: '1.3.6.1.5.5.7.48.1.1',
  ocspNonce: '1.3.6.1.5.5.7.48.1.2',
  ocspNoCheck: '1.3.6.1.5.5.7.48.1.5',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
  crlDistributionPoints: '2.5.29.31',
  crlNumber: '2.5.29.20',
  reasonCode: '2.5.29.21',
  invalidityDate: '2.5.29.24',
  deltaCrlIndicator: '2.5.29.27',
  issuingDistributionPoint: '2.5.29.28',
  certificateIssuer: '2.5.29.29',
  authorityKeyIdentifier: '2.5.29.35',
  freshestCrl: '2.5.29.46',
} as const;

/** RFC 5280 §5.3.1 CRLReason (also OCSP's revocationReason), by value; 7 is unused. */
export const CRL_REASONS: Record<number, string> = {
  0: 'unspecified',
  1: 'keyCompromise',
  2: 'cACompromise',
  3: 'affiliationChanged',
  4: 'superseded',
  5: 'cessationOfOperation',
  6: 'certificateHold',
  8: 'removeFromCRL',
  9: 'privilegeWithdrawn',
  10: 'aACompromise',
};

/** Clock skew tolerated between us and a responder or CRL issuer (thisUpdate in the future, nextUpdate just passed). */
export const REVOCATION_CLOCK_SKEW_MS = 5 * 60_000;
/**
 * An answer without nextUpdate (RFC 6960 §4.2.2.1: "newer information is always available"; a CRL without
 * it does not conform to RFC 5280 §5.1.2.5) is used only while its thisUpdate is this recent.
 */
export const MAX_AGE_WITHOUT_NEXT_UPDATE_MS = 24 * 3600_000;
/** URLs tried per method and certificate: a certificate listing dozens of URLs cannot multiply our requests. */
export const MAX_URLS_PER_METHOD = 3;

/** What one method (OCSP or CRL) concluded for one certificate. */
export type RevocationAnswer =
  | {
      status: 'good' | 'revoked';
      thisUpdate: Date;
      nextUpdate: Date | null;
      revokedAt?: Date;
      reason?: string;
    }
  | { status: 'unknown'; problem: RevocationProblem; thisUpdate?: Date; nextUpdate?: Date | null };

/** A usable answer's freshness at `now` (RFC 6960 §3.2 items 4-5, RFC 5280 §6.3.3 a). */
export function freshnessProblem(thisUpdate: Date, nextUpdate: Date | null, now: Date): RevocationProblem | null {
  const t = now.getTime();
  if (thisUpdate.getTime() > t + REVOCATION_CLOCK_SKEW_MS) return 'not-yet-valid';
  if (nextUpdate) {
    if (nextUpdate.getTime() < t - REVOCATION_CLOCK_SKEW_MS) return 'stale';
  } else if (t - thisUpdate.getTime() > MAX_AGE_WITHOUT_NEXT_UPDATE_MS) {
    return 'stale';
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------
// Sources named by the certificate

function extensionValue(cert: Certificate, oid: string, limits: Asn1Limits): Asn1Node | null {
  const e = cert.extensions.find((x) => x.oid === oid);
  return e ? parseAsn1(e.value, limits, { what: `Extension ${oid}` }) : null;
}

/** A GeneralName uniformResourceIdentifier [6] IA5String, or null for any other choice. */
function uriOf(gn: Asn1Node): string | null {
  if (!isContext(gn, 6) || gn.idBlock.isConstructed) return null;
  return latin1(primitiveContent(gn, 'a URI'));
}

function usableUrl(u: string, schemes: readonly string[]): boolean {
  try {
    const url = new URL(u);
    return schemes.includes(url.protocol);
  } catch {
    return false;
  }
}

/** AIA id-ad-ocsp URLs (RFC 5280 §4.2.2.1), http(s) only (OCSP over plain http is normal: responses are signed). */
export function ocspUrls(cert: Certificate, limits: Asn1Limits): string[] {
  const out: string[] = [];
  try {
    const aia = extensionValue(cert, REVOCATION_OID.authorityInfoAccess, limits);
    if (!aia) return [];
    for (const ad of expectSequence(aia, 'authorityInfoAccess')) {
      const [method, location] = expectSequence(ad, 'an AccessDescription');
      if (readOid(method) !== REVOCATION_OID.adOcsp || !location) continue;
      const u = uriOf(location);
      if (u && usableUrl(u, ['http:', 'https:']) && !out.includes(u)) out.push(u);
    }
  } catch {
    return out; // a malformed extension names no usable source
  }
  return out.slice(0, MAX_URLS_PER_METHOD);
}

/**
 * http(s) fullName URIs of the CRL distribution points (RFC 5280 §4.2.1.13) that point at a complete,
 * direct CRL: points with a cRLIssuer (indirect CRL) or a reasons subset are skipped, as are LDAP URLs.
 */
export function crlUrls(cert: Certificate, limits: Asn1Limits): string[] {
  return distributionPointUris(cert, limits, true).filter((u) => usableUrl(u, ['http:', 'https:'])).slice(0, MAX_URLS_PER_METHOD);
}

/** Every fullName URI of the certificate's distribution points (for the CRL scope check), any scheme. */
export function distributionPointUris(cert: Certificate, limits: Asn1Limits, directCompleteOnly = false): string[] {
  const out: string[] = [];
  try {
    const cdp = extensionValue(cert, REVOCATION_OID.crlDistributionPoints, limits);
    if (!cdp) return [];
    for (const dp of expectSequence(cdp, 'cRLDistributionPoints')) {
      const fields = expectSequence(dp, 'a DistributionPoint');
      if (directCompleteOnly && fields.some((f) => isContext(f, 1) || isContext(f, 2))) continue;
      const name = fields.find((f) => isContext(f, 0));
      if (!name) continue;
      for (const u of fullNameUris(childrenOf(name, 'a DistributionPointName')[0])) if (!out.includes(u)) out.push(u);
    }
  } catch {
    return out;
  }
  return out;
}

/** URIs of a DistributionPointName's fullName [0] GeneralNames; none for nameRelativeToCRLIssuer [1]. */
export function fullNameUris(dpName: Asn1Node | undefined): string[] {
  if (!dpName || !isContext(dpName, 0)) return [];
  const out: string[] = [];
  for (const gn of childrenOf(dpName, 'a fullName')) {
    const u = uriOf(gn);
    if (u) out.push(u);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Bounded HTTP

export class FetchProblem extends Error {
  constructor(readonly problem: RevocationProblem) {
    super(problem);
  }
}

export interface HttpOptions {
  fetch: typeof fetch;
  timeoutMs: number;
  maxBytes: number;
}

/**
 * One request with a hard deadline (AbortController covers connecting and reading the body) and a size
 * cap checked while streaming, so a hostile server can neither hang us nor fill memory.
 */
export async function fetchBytes(url: string, init: RequestInit, opts: HttpOptions): Promise<Uint8Array> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, opts.timeoutMs);
  try {
    let res: Response;
    try {
      res = await opts.fetch(url, { ...init, signal: controller.signal, redirect: 'follow', cache: 'no-store' });
    } catch {
      throw new FetchProblem(timedOut ? 'timeout' : 'network');
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw new FetchProblem('http-status');
    }
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > opts.maxBytes) {
      await res.body?.cancel().catch(() => undefined);
      throw new FetchProblem('too-large');
    }
    try {
      const body = await readBodyCapped(res, opts.maxBytes);
      if (!body) throw new FetchProblem('too-large');
      return body;
    } catch (e) {
      if (e instanceof FetchProblem) throw e;
      throw new FetchProblem(timedOut ? 'timeout' : 'network');
    }
  } finally {
    clearTimeout(timer);
  }
}

/** DER as is, or the first PEM block with the given label (CRLs are published both ways). */
export function derOrPem(bytes: Uint8Array, label: string): Uint8Array {
  if (bytes[0] === 0x30) return bytes;
  const text = latin1(bytes.subarray(0, Math.min(bytes.length, 64 * 1024 * 1024)));
  const block = pemBlocks(text, [label])[0];
  if (!block) return bytes;
  return fromBase64(pemBase64(block.body));
}

// ---------------------------------------------------------------------------------------------------------
// Signatures on responses, CRLs and responder certificates, under the same algorithm and key policy as
// certificates (ARCHITECTURE.md rule 5): a SHA-1-signed OCSP response is as forgeable as a SHA-1 certificate.

export type SignatureCheck = 'ok' | 'bad-signature' | 'insecure-algorithm' | 'unsupported-algorithm';

export async function checkSignature(
  signer: PublicKeyInfo,
  algorithm: AlgorithmIdentifier,
  tbs: Uint8Array,
  signature: Uint8Array,
  config: SignetConfig,
  provider: CryptoProvider,
): Promise<SignatureCheck> {
  if (!keyMeetsPolicy(signer, config)) return 'insecure-algorithm';
  const resolved = resolveVerifyAlgorithm(parseSignatureAlgorithm(algorithm), null, config);
  if (isAlgorithmProblem(resolved)) return resolved.code;
  try {
    return (await verifyWithPublicKey(signer, resolved.algorithm, tbs, signature, provider)) ? 'ok' : 'bad-signature';
  } catch (e) {
    if (e instanceof SignetError && e.code === 'unsupported-algorithm') return 'unsupported-algorithm';
    throw e;
  }
}

/** The subjectPublicKey BIT STRING value (without the unused-bits octet) of a SubjectPublicKeyInfo. */
export function publicKeyBits(key: PublicKeyInfo, limits: Asn1Limits): Uint8Array {
  const spki = expectSequence(parseAsn1(key.der, limits, { what: 'A public key' }), 'a SubjectPublicKeyInfo');
  return readBitString(spki[1], 'the public key').bytes;
}

export async function digest(hash: HashName, data: Uint8Array, provider: CryptoProvider): Promise<Uint8Array> {
  return new Uint8Array(await provider.crypto.subtle.digest(hash, data as Uint8Array<ArrayBuffer>));
}
