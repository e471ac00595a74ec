// Whether a correspondent's certificate may be encrypted to: path validation to a trust anchor with the core
// chain code (RFC 5280 §6, core/pki/chain.ts), validity now, key usage for encryption (RFC 8550 §4.4.2:
// keyEncipherment for RSA, keyAgreement for EC), extKeyUsage emailProtection (§4.4.4), the key-size policy,
// the address, and revocation as far as Signet has learnt it. Encrypting to a certificate that fails any
// of these would hand the message to whoever holds an impostor's or a compromised key (ARCHITECTURE.md rule 8).
//
// Validation is cached per (certificate, trust anchors, policy) with the time window in which its answer
// holds, so a recipients-changed event in compose costs IndexedDB reads and date comparisons, not
// signature checks.

import { concat, equalBytes, toHex } from '../../core/bytes.js';
import { defaultLimits, type SignetConfig } from '../../core/config.js';
import type { CryptoProvider } from '../../core/crypto.js';
import { addressKey } from '../../core/mime/address.js';
import { parseTrustAnchors, type Certificate } from '../../core/pki/certificate.js';
import { validateChain } from '../../core/pki/chain.js';
import { keyMeetsPolicy } from '../../core/pki/public-key.js';
import { certificateUses, readCertificate } from './certificate-facts.js';

/**
 * Why a certificate cannot be encrypted to, as a stable code (the compose side turns it into advice):
 * - `expired`, `not-yet-valid`: outside its validity period (or a CA certificate in its chain is);
 * - `revoked`: Signet saw its issuer revoke it;
 * - `untrusted`: no path to a trust anchor (unknown or untrusted issuer, broken chain, bad CA signature);
 * - `no-encryption-usage`: key usage or extended key usage do not allow encrypting mail to it;
 * - `address-mismatch`: it does not name the recipient's address;
 * - `weak-key`, `unsupported-key`: key too short for the policy, or not RSA / EC on P-256/384/521;
 * - `malformed`: it cannot be parsed.
 */
export type CertificateProblem =
  | 'expired'
  | 'not-yet-valid'
  | 'revoked'
  | 'untrusted'
  | 'no-encryption-usage'
  | 'address-mismatch'
  | 'weak-key'
  | 'unsupported-key'
  | 'malformed';

export interface CertificateAssessment {
  problem: CertificateProblem | null;
  /** A sentence for people. */
  reason: string;
  /** The CA certificates between it and the trust anchor (DER), when a path was found; else empty. */
  path: Uint8Array[];
}

/** Trust anchors and the policy a certificate is judged against. */
export interface TrustContext {
  anchors: readonly Uint8Array[];
  config: SignetConfig;
}

interface ChainAnswer {
  /** The time-independent outcome, or the time problem found at `checkedAt`. */
  problem: CertificateProblem | null;
  reason: string;
  path: Uint8Array[];
  /** The window (latest notBefore, earliest notAfter over the path) in which a usable answer holds. */
  from: number;
  until: number;
}

const NO_PATH_REASON =
  'Signet cannot find the authority that issued it among the ones you trust. If its issuing certificate authority is missing, import a file that includes the chain (.p7b, or a .pem with the CA certificates).';
const UNTRUSTED_ROOT_REASON = 'It was issued by an authority you do not trust.';

export class CertificateJudge {
  readonly #provider: CryptoProvider;
  #trust: TrustContext;
  #anchors: Certificate[] | null = null;
  #trustKey: Promise<string> | null = null;
  readonly #cache = new Map<string, ChainAnswer>();

  constructor(trust: TrustContext, provider: CryptoProvider) {
    this.#trust = trust;
    this.#provider = provider;
  }

  /** New anchors or policy (the organisation policy was reloaded): cached answers no longer apply. */
  setTrust(trust: TrustContext): void {
    this.#trust = trust;
    this.#anchors = null;
    this.#trustKey = null;
    this.#cache.clear();
  }

  get trust(): TrustContext {
    return this.#trust;
  }

  #parsedAnchors(): Certificate[] {
    // An unreadable anchor anchors nothing. Parsed with the same cache as the read pane's verification
    // (certificate.ts parseTrustAnchors), so the ~110 built-in roots are parsed once per pane, not twice.
    this.#anchors ??= parseTrustAnchors(this.#trust.anchors, defaultLimits, 'skip');
    return this.#anchors;
  }

  /** A digest of the anchors and the policy fields that change a validation outcome. */
  trustKey(): Promise<string> {
    this.#trustKey ??= (async () => {
      const { anchors, config } = this.#trust;
      const policy = `${config.allowInsecureSha1}|${config.allowInsecureMd5}|${config.allowInsecureShortKeys}|${config.minRsaBits}|${config.minEcBits}`;
      const digest = await this.#provider.crypto.subtle.digest('SHA-256', concat([...anchors, new TextEncoder().encode(policy)]) as Uint8Array<ArrayBuffer>);
      return toHex(digest);
    })();
    return this.#trustKey;
  }

  /**
   * Judges `der` for encryption to `address` (null: to any address it names — it must name one) at `at`.
   * `intermediates` help path building; `revoked` is what the store knows about revocation.
   */
  async assess(
    der: Uint8Array,
    intermediates: readonly Uint8Array[],
    address: string | null,
    at: Date,
    revoked: { at: string; reason: string | null } | null = null,
  ): Promise<CertificateAssessment> {
    let cert: Certificate;
    try {
      cert = readCertificate(der);
    } catch {
      return { problem: 'malformed', reason: 'The certificate is damaged.', path: [] };
    }
    if (revoked) {
      return { problem: 'revoked', reason: `Its issuer revoked it${revoked.reason ? ` (${revoked.reason})` : ''}; a message signed with it showed this on ${revoked.at.slice(0, 10)}.`, path: [] };
    }
    if (address !== null ? !cert.emails.some((e) => addressKey(e) === addressKey(address)) : cert.emails.length === 0) {
      return { problem: 'address-mismatch', reason: address !== null ? `It is not issued for ${address}.` : 'It names no e-mail address.', path: [] };
    }
    const keyType = cert.publicKey.type;
    if (keyType !== 'rsa' && !(keyType === 'ec' && cert.publicKey.namedCurve)) {
      return { problem: 'unsupported-key', reason: `Signet cannot encrypt to a ${cert.publicKey.description} key (RSA and EC P-256/384/521 keys work).`, path: [] };
    }
    if (!keyMeetsPolicy(cert.publicKey, this.#trust.config)) {
      return { problem: 'weak-key', reason: `Its key (${cert.publicKey.description}) is too short for your organisation's policy.`, path: [] };
    }
    const uses = certificateUses(cert);
    if (!uses.emailProtection) return { problem: 'no-encryption-usage', reason: 'It is not issued for e-mail (extended key usage).', path: [] };
    if (!uses.encrypt) return { problem: 'no-encryption-usage', reason: 'It may only be used for signing, not for receiving encrypted mail (key usage).', path: [] };
    const chain = await this.#chain(cert, intermediates, at);
    const t = at.getTime();
    if (chain.problem === null) {
      if (t > chain.until) return { problem: 'expired', reason: `It expired on ${new Date(chain.until).toISOString().slice(0, 10)}.`, path: chain.path };
      if (t < chain.from) return { problem: 'not-yet-valid', reason: `It is not valid before ${new Date(chain.from).toISOString().slice(0, 10)}.`, path: chain.path };
      return { problem: null, reason: 'Valid, issued by an authority you trust, and allowed for encryption.', path: chain.path };
    }
    return { problem: chain.problem, reason: chain.reason, path: chain.path };
  }

  async #chain(cert: Certificate, intermediates: readonly Uint8Array[], at: Date): Promise<ChainAnswer> {
    const key = `${await this.trustKey()}:${toHex(await this.#provider.crypto.subtle.digest('SHA-256', concat([cert.der, ...intermediates]) as Uint8Array<ArrayBuffer>))}`;
    const cached = this.#cache.get(key);
    const t = at.getTime();
    // A usable answer holds for its whole window (the caller checks the dates); a time problem is recomputed
    // (cheap and rare), anything else holds until the trust changes.
    if (cached && (cached.problem === null || (cached.problem !== 'expired' && cached.problem !== 'not-yet-valid'))) return cached;
    const pool: Certificate[] = [];
    for (const der of intermediates) {
      if (equalBytes(der, cert.der)) continue;
      try {
        pool.push(readCertificate(der));
      } catch {
        // A damaged extra certificate helps no path.
      }
    }
    const result = await validateChain(
      cert,
      { anchors: this.#parsedAnchors(), intermediates: pool, at, signingTime: null, config: this.#trust.config, purpose: 'none', aia: null },
      this.#provider,
    );
    let from = -Infinity;
    let until = Infinity;
    for (const link of result.chain) {
      from = Math.max(from, link.certificate.notBefore.getTime());
      until = Math.min(until, link.certificate.notAfter.getTime());
    }
    // The CA certificates between the leaf and the anchor, for the caller to keep with the certificate.
    const path = result.anchored ? result.chain.slice(1, -1).map((l) => l.certificate.der) : [];
    let answer: ChainAnswer;
    if (result.status === 'valid') answer = { problem: null, reason: result.reason, from, until, path };
    else if (result.status === 'expired') {
      const problem = result.code === 'not-yet-valid' ? 'not-yet-valid' : 'expired';
      const reason = problem === 'expired' ? `It (or a certificate authority above it) expired on ${new Date(until).toISOString().slice(0, 10)}.` : 'It is not valid yet.';
      answer = { problem, reason, from, until, path };
    } else if (result.status === 'revoked') answer = { problem: 'revoked', reason: result.reason, from, until, path };
    else {
      const reason = result.anchored ? result.reason : result.code === 'untrusted-root' ? UNTRUSTED_ROOT_REASON : NO_PATH_REASON;
      answer = { problem: 'untrusted', reason, from, until, path };
    }
    // Only anchored validity is cached as usable: an unanchored path is never usable, whatever the time.
    if (t >= from && t <= until) this.#cache.set(key, answer);
    return answer;
  }
}
