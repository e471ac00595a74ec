// Security-relevant defaults and resource limits in one place (the OpenPGP.js `config` habit).
// Every switch that weakens a check is named `allowInsecure…` and documents the threat it re-opens;
// every limit documents the attack it stops. Callers pass a partial override; validateConfig() rejects
// nonsense rather than silently running without a limit.

import { SignetError } from './errors.js';

const MiB = 1024 * 1024;

export interface SecurityConfig {
  /**
   * Accept SHA-1 in signatures. SHA-1 collisions are practical (SHAttered 2017, chosen-prefix 2020), so a
   * SHA-1 signature can be transplanted onto a different message. Thunderbird refuses SHA-1 too.
   */
  allowInsecureSha1: boolean;
  /** Accept MD5 in signatures. MD5 collisions are trivial: a signature proves nothing about content. */
  allowInsecureMd5: boolean;
  /**
   * Accept RSA keys shorter than minRsaBits / EC curves smaller than minEcBits. A 512-bit RSA key can be
   * factored in hours; anyone could then forge this signer.
   */
  allowInsecureShortKeys: boolean;
  /** Minimum RSA modulus, bits (RFC 8551 §4.1 says 2048 SHOULD be supported and smaller MAY be refused). */
  minRsaBits: number;
  /** Minimum EC field size, bits (P-256 and up). */
  minEcBits: number;
  /**
   * Largest accepted difference between a signature's signingTime and the message's Date header. The
   * Date header is not signed, so a large gap means an old signed message was re-dated and replayed.
   */
  maxSigningTimeSkewSeconds: number;
  /**
   * What happens when a certificate names a revocation source (OCSP responder, CRL) but no usable answer
   * can be obtained (responder down, timeout, stale or unverifiable response).
   * - 'soft' (default, what Thunderbird, Outlook and browsers do): the status is kept and the Verdict
   *   carries a visible 'revocation-unknown' warning. Threat left open: an attacker who holds a revoked
   *   key and can block the victim's traffic to the responder (captive network, MITM) makes the
   *   revocation check silently inconclusive instead of failing.
   * - 'hard': the signer is 'untrusted' with code 'revocation-unknown'. Closes that hole, at the price of
   *   false alarms whenever a CA's responder is down or the reader is offline.
   * A revoked answer always makes the status 'revoked' in both modes.
   */
  revocationMode: 'soft' | 'hard';
  /**
   * Time allowed for one OCSP or CRL request, in milliseconds. A responder that never answers (tarpit, or
   * an attacker holding the connection open) would otherwise hang verification; a whole check is bounded
   * by a few of these (see src/core/pki/revocation/index.ts).
   */
  revocationTimeoutMs: number;
  /**
   * How a signature that is intact but made with an outdated algorithm (SHA-1, MD5; status
   * 'outdated-algorithm') is presented: 'caution' (default) or 'danger'.
   */
  outdatedSignatureSeverity: 'caution' | 'danger';
}

export interface Limits {
  /**
   * Largest message accepted, in bytes of raw RFC 5322 text. Exchange Online accepts 150 MB messages;
   * base64 in transit adds a third, so 210 MiB. Stops memory exhaustion by an oversized input.
   */
  maxMessageBytes: number;
  /**
   * Deepest MIME nesting. Real mail rarely passes 10 levels; deep nesting is a stack-exhaustion and
   * quadratic-time attack on the parser (postal-mime uses the same kind of limit).
   */
  maxMimeDepth: number;
  /** Most MIME entities in one message: a "zip bomb" of empty parts costs memory per part. */
  maxMimeParts: number;
  /** Largest header block of a single entity: stops unbounded header folding from eating memory. */
  maxHeaderBytes: number;
  /**
   * Most S/MIME layers opened in one message (sign, encrypt, sign again …). Triple wrapping is 3;
   * beyond that a message is decrypting or verifying itself recursively for no honest reason.
   */
  maxSmimeLayers: number;
  /** ASN.1 nesting depth: a deeply nested BER blob is a stack-exhaustion attack on the decoder. */
  maxAsn1Depth: number;
  /**
   * ASN.1 nodes per structure. Indefinite-length BER splits content into chunks (NSS and OpenSSL's
   * -stream use 1000-4096 bytes), so a 150 MB message legitimately has ~150 000 nodes; many more
   * means a node bomb (millions of empty elements) built to exhaust memory.
   */
  maxAsn1Nodes: number;
  /** Largest ASN.1 structure (asn1js defaults to 16 MiB, too small for real attachments). */
  maxAsn1Bytes: number;
  /** Most certificates taken from one message: each one costs a signature check during path building. */
  maxCertificates: number;
  /**
   * Largest OCSP response or CRL accepted from the network, in bytes. Responses come over plain http from
   * a URL in a certificate, so anyone on the path can send an endless body; real CRLs of public e-mail
   * CAs stay below a few MiB, OCSP responses below a few KiB.
   */
  maxRevocationResponseBytes: number;
}

export interface SignetConfig extends SecurityConfig {
  limits: Limits;
}

export const defaultLimits: Readonly<Limits> = Object.freeze({
  maxMessageBytes: 210 * MiB,
  maxMimeDepth: 32,
  maxMimeParts: 2000,
  maxHeaderBytes: 1 * MiB,
  maxSmimeLayers: 6,
  maxAsn1Depth: 64,
  maxAsn1Nodes: 400_000,
  maxAsn1Bytes: 210 * MiB,
  maxCertificates: 64,
  maxRevocationResponseBytes: 32 * MiB,
});

export const defaultConfig: Readonly<SignetConfig> = Object.freeze({
  allowInsecureSha1: false,
  allowInsecureMd5: false,
  allowInsecureShortKeys: false,
  minRsaBits: 2048,
  minEcBits: 256,
  maxSigningTimeSkewSeconds: 3600,
  revocationMode: 'soft',
  revocationTimeoutMs: 5000,
  outdatedSignatureSeverity: 'caution',
  limits: defaultLimits,
});

export type ConfigOverrides = Partial<SecurityConfig> & { limits?: Partial<Limits> };

/** Merges overrides onto the defaults and validates every field; a bad value is a `usage` error. */
export function resolveConfig(overrides: ConfigOverrides = {}): SignetConfig {
  const limits: Limits = { ...defaultLimits, ...(overrides.limits ?? {}) };
  const cfg: SignetConfig = { ...defaultConfig, ...overrides, limits };
  for (const [k, v] of Object.entries(limits)) {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) {
      throw new SignetError('usage', `Limit ${k} must be a positive whole number.`);
    }
  }
  for (const k of ['allowInsecureSha1', 'allowInsecureMd5', 'allowInsecureShortKeys'] as const) {
    if (typeof cfg[k] !== 'boolean') throw new SignetError('usage', `${k} must be true or false.`);
  }
  if (!Number.isSafeInteger(cfg.minRsaBits) || cfg.minRsaBits < 512) {
    throw new SignetError('usage', 'minRsaBits must be a whole number of at least 512.');
  }
  if (!Number.isSafeInteger(cfg.maxSigningTimeSkewSeconds) || cfg.maxSigningTimeSkewSeconds < 0) {
    throw new SignetError('usage', 'maxSigningTimeSkewSeconds must be a whole number of seconds.');
  }
  if (cfg.revocationMode !== 'soft' && cfg.revocationMode !== 'hard') {
    throw new SignetError('usage', "revocationMode must be 'soft' or 'hard'.");
  }
  if (!Number.isSafeInteger(cfg.revocationTimeoutMs) || cfg.revocationTimeoutMs < 100 || cfg.revocationTimeoutMs > 120_000) {
    throw new SignetError('usage', 'revocationTimeoutMs must be a whole number of milliseconds between 100 and 120000.');
  }
  if (![256, 384, 521].includes(cfg.minEcBits)) {
    throw new SignetError('usage', 'minEcBits must be 256, 384 or 521.');
  }
  return cfg;
}
