// Revocation checking of a validated certification path (RFC 5280 §6.3, RFC 6960) and the policy that
// turns the answers into a trust decision.
//
// Which certificates: every certificate of the chosen path except the trust anchor (anchors are trusted by
// configuration, RFC 5280 §6.1.1 d), each against the next certificate of the path as its issuer. The
// caller only asks for paths that end at a trust anchor: fetching URLs named by a certificate nobody
// vouches for would let any sender make the reader contact a server of the sender's choice (a "read
// receipt" for signed mail) for no security gain.
//
// How, per certificate: OCSP at the AIA id-ad-ocsp URLs first, then the CRL distribution points as the
// fallback (CRLs only when the certificate names no responder); cached answers first, until their
// nextUpdate. Every request has its own timeout and the whole check a budget of
// REVOCATION_BUDGET_FACTOR × timeout (certificates are checked in parallel), so a black-holed responder
// delays a verdict by seconds, not minutes. A certificate naming neither source has nothing to check
// (method 'none', status 'not-checked', problem 'no-source'): the CA promised no revocation service, so
// this is recorded in the evidence but is not "revocation unknown", in either mode (the rule Firefox uses
// for OCSP hard-fail too).
//
// Policy:
// - good: nothing changes.
// - no usable answer from a named source (down, timeout, stale, unverifiable, responder not authorised,
//   status unknown): 'revocation-unknown'. Soft mode (default) keeps the status and the Verdict carries a
//   'revocation-unknown' warning; hard mode (config.revocationMode) makes the signer 'untrusted' with code
//   'revocation-unknown'.
// - revoked: the status is 'revoked', by THE REVOCATION-TIME RULE:
//     A revoked certificate is revoked whatever signing time the message claims. signingTime is a signed
//     attribute written by whoever holds the private key — exactly the party revocation is about — so a
//     thief (or a former employee) simply dates the message before the revocation. Without a trusted
//     timestamp (an RFC 3161 countersignature, which Signet does not yet evaluate) nothing in a message
//     proves when it was signed. The only time Signet compares is the CA's revocationTime with the
//     validation time `at`, which the reader chooses (now, unless they ask `--at` for an audit of the past):
//     a certificate revoked AFTER `at` for an administrative reason that says nothing about the key
//     (superseded, cessationOfOperation, affiliationChanged, privilegeWithdrawn, certificateHold) was still
//     good at `at`. For keyCompromise, cACompromise, aACompromise, unspecified or no reason the key may
//     have been in other hands long before the CA learnt of it, so those revocations count at any `at`.
//   With the default `at` (now) every listed revocation therefore counts.

import { toHex } from '../../bytes.js';
import type { SignetConfig } from '../../config.js';
import type { CryptoProvider } from '../../crypto.js';
import type { RevocationEvidence } from '../../verdict.js';
import type { Certificate } from '../certificate.js';
import { MemoryRevocationCache, type RevocationCache } from './cache.js';
import { crlUrls, digest, freshnessProblem, MAX_AGE_WITHOUT_NEXT_UPDATE_MS, ocspUrls, type RevocationAnswer } from './common.js';
import { crlAnswer, fetchCrl, type VerifiedCrl } from './crl.js';
import { queryOcsp } from './ocsp.js';
import { stapledAnswer, type Stapled } from './staple.js';

export { MemoryRevocationCache, type RevocationCache } from './cache.js';

export type RevocationMode = 'soft' | 'hard';

/** A whole check may take this many request timeouts (attempts per certificate run one after another). */
export const REVOCATION_BUDGET_FACTOR = 2;

export interface RevocationOptions {
  /** The injected HTTP client (the core never uses a global one). */
  fetch: typeof fetch;
  /** The validation time (compared with revocation times, see the rule above). */
  at: Date;
  /** The clock for freshness and the cache; defaults to the real time. Tests move it forward. */
  now?: Date;
  mode: RevocationMode;
  /** Per request, milliseconds. */
  timeoutMs: number;
  /** Defaults to a cache for this call only. */
  cache?: RevocationCache;
  config: SignetConfig;
  /** Evidence stapled in the message (staple.ts): tried first, used only under the rules there. */
  stapled?: Stapled | null;
  /** The signing time the message claims (a stapled answer must cover it). */
  signingTime?: Date | null;
}

export type RevocationCode = 'ok' | 'revoked' | 'revocation-unknown';

export interface CertificateRevocation {
  evidence: RevocationEvidence;
  /** What the policy makes of the evidence (independent of soft/hard: the caller applies the mode). */
  code: RevocationCode;
  /** A sentence for people when code is not 'ok'. */
  reason: string | null;
}

export interface RevocationResult {
  /** Aligned with the path; null for the trust anchor (never checked). */
  certificates: (CertificateRevocation | null)[];
  /** The decisive outcome: any revoked certificate, else any unknown, else 'ok'. */
  code: RevocationCode;
  reason: string;
  /** Index in the path of the certificate that decided `code` (-1 when 'ok'). */
  index: number;
}

const ADMINISTRATIVE_REASONS = new Set(['superseded', 'cessationOfOperation', 'affiliationChanged', 'privilegeWithdrawn', 'certificateHold']);

/** The revocation-time rule (see the header): does this revocation count at validation time `at`? */
export function revocationCounts(revokedAt: Date | undefined, reason: string | undefined, at: Date): boolean {
  if (!revokedAt || !reason || !ADMINISTRATIVE_REASONS.has(reason)) return true;
  return revokedAt.getTime() <= at.getTime();
}

/**
 * Checks every non-anchor certificate of `chainPath` (end entity first, trust anchor last). Never throws
 * for network or response problems: they become evidence with status 'unknown'.
 */
export async function checkRevocation(
  chainPath: readonly Certificate[],
  options: RevocationOptions,
  provider: CryptoProvider,
): Promise<RevocationResult> {
  const now = options.now ?? new Date();
  const cache = options.cache ?? new MemoryRevocationCache();
  const deadline = Date.now() + REVOCATION_BUDGET_FACTOR * options.timeoutMs;
  const ctx: CheckContext = { ...options, now, cache, deadline };
  const certificates = await Promise.all(
    chainPath.map(async (cert, i): Promise<CertificateRevocation | null> => {
      const issuer = chainPath[i + 1];
      if (!issuer) return null;
      let evidence: RevocationEvidence;
      try {
        evidence = await checkCertificate(cert, issuer, ctx, provider);
      } catch {
        // An issuer key or extension we cannot even hash or read: no usable answer, never a crash.
        evidence = { method: 'none', status: 'unknown', problem: 'malformed', checkedAt: now.toISOString() };
      }
      return judge(evidence, i, options.at);
    }),
  );
  let index = certificates.findIndex((c) => c?.code === 'revoked');
  if (index === -1) index = certificates.findIndex((c) => c?.code === 'revocation-unknown');
  const decisive = index === -1 ? null : certificates[index]!;
  return {
    certificates,
    code: decisive?.code ?? 'ok',
    reason: decisive?.reason ?? 'No certificate in the chain is revoked.',
    index,
  };
}

function judge(evidence: RevocationEvidence, index: number, at: Date): CertificateRevocation {
  const who = index === 0 ? "The signer's certificate" : 'A certificate authority in the chain';
  if (evidence.status === 'revoked') {
    const when = evidence.revokedAt ? ` on ${evidence.revokedAt.slice(0, 10)}` : '';
    const why = evidence.reason ? ` (${evidence.reason})` : '';
    const revokedAt = evidence.revokedAt ? new Date(evidence.revokedAt) : undefined;
    if (!revocationCounts(revokedAt, evidence.reason, at)) {
      return { evidence, code: 'ok', reason: null };
    }
    return {
      evidence,
      code: 'revoked',
      reason:
        `${who} was revoked by its authority${when}${why}. A revoked certificate is not trusted, whatever signing ` +
        'time the message claims: the signing time is written by the key holder and proves nothing.',
    };
  }
  if (evidence.status === 'unknown') {
    return {
      evidence,
      code: 'revocation-unknown',
      reason: `${who} could not be checked for revocation (${evidence.problem ?? 'no answer'}).`,
    };
  }
  return { evidence, code: 'ok', reason: null };
}

interface CheckContext extends RevocationOptions {
  now: Date;
  cache: RevocationCache;
  deadline: number;
}

async function checkCertificate(cert: Certificate, issuer: Certificate, ctx: CheckContext, provider: CryptoProvider): Promise<RevocationEvidence> {
  const limits = ctx.config.limits;
  const checkedAt = ctx.now.toISOString();
  const ocsp = ocspUrls(cert, limits);
  const crl = crlUrls(cert, limits);
  if (ocsp.length === 0 && crl.length === 0) return { method: 'none', status: 'not-checked', problem: 'no-source', checkedAt };

  const issuerId = toHex(await digest('SHA-256', issuer.publicKey.der, provider));
  const ocspKey = `ocsp|${issuerId}|${toHex(cert.issuer.der)}|${cert.serialHex}`;
  const crlKey = (url: string): string => `crl|${issuerId}|${url}`;

  // Stapled evidence first (staple.ts: authentic, about this certificate, fresh now, covering the signing time).
  if (ctx.stapled) {
    const st = await stapledAnswer(cert, issuer, ctx.stapled, { now: ctx.now, signingTime: ctx.signingTime ?? null, config: ctx.config }, provider);
    if (st) {
      const { source: _source, ...e } = evidenceOf(st.method, '', st.answer, checkedAt);
      return { ...e, stapled: true };
    }
  }

  // Cached answers first (re-checked for freshness: a custom cache may ignore expiry).
  const cachedOcsp = ctx.cache.get(ocspKey, ctx.now);
  if (cachedOcsp?.kind === 'ocsp' && !freshnessProblem(cachedOcsp.answer.thisUpdate, cachedOcsp.answer.nextUpdate, ctx.now)) {
    return { ...evidenceOf('ocsp', cachedOcsp.source, cachedOcsp.answer, checkedAt), cached: true };
  }
  for (const url of crl) {
    const c = ctx.cache.get(crlKey(url), ctx.now);
    if (c?.kind !== 'crl') continue;
    const answer = crlAnswer(c.crl, cert, ctx.now, limits);
    if (answer.status !== 'unknown') return { ...evidenceOf('crl', url, answer, checkedAt), cached: true };
  }

  const attempts: { method: 'ocsp' | 'crl'; url: string }[] = [
    ...ocsp.map((url) => ({ method: 'ocsp' as const, url })),
    ...crl.map((url) => ({ method: 'crl' as const, url })),
  ];
  let firstFailure: RevocationEvidence | null = null;
  for (const { method, url } of attempts) {
    const remaining = ctx.deadline - Date.now();
    let answer: RevocationAnswer;
    if (remaining <= 0) {
      answer = { status: 'unknown', problem: 'timeout' };
    } else {
      const timeoutMs = Math.min(ctx.timeoutMs, remaining);
      if (method === 'ocsp') {
        answer = await queryOcsp(cert, issuer, url, { fetch: ctx.fetch, timeoutMs, now: ctx.now, config: ctx.config }, provider);
        if (answer.status !== 'unknown') ctx.cache.set(ocspKey, { kind: 'ocsp', source: url, answer }, expiry(answer.thisUpdate, answer.nextUpdate));
      } else {
        const verified = await fetchCrl(url, issuer, { fetch: ctx.fetch, timeoutMs, config: ctx.config }, provider);
        if (typeof verified === 'string') {
          answer = { status: 'unknown', problem: verified };
        } else {
          answer = crlAnswer(verified, cert, ctx.now, limits);
          if (!freshnessProblem(verified.thisUpdate, verified.nextUpdate, ctx.now)) cacheCrl(ctx, crlKey(url), verified);
        }
      }
    }
    const evidence = evidenceOf(method, url, answer, checkedAt);
    if (answer.status !== 'unknown') return evidence;
    firstFailure ??= evidence;
  }
  return firstFailure!;
}

function cacheCrl(ctx: CheckContext, key: string, crl: VerifiedCrl): void {
  ctx.cache.set(key, { kind: 'crl', crl }, expiry(crl.thisUpdate, crl.nextUpdate));
}

/** Cached until nextUpdate; without one, as long as such an answer is accepted at all. */
function expiry(thisUpdate: Date, nextUpdate: Date | null): Date {
  return nextUpdate ?? new Date(thisUpdate.getTime() + MAX_AGE_WITHOUT_NEXT_UPDATE_MS);
}

function evidenceOf(method: 'ocsp' | 'crl', source: string, answer: RevocationAnswer, checkedAt: string): RevocationEvidence {
  const e: RevocationEvidence = { method, status: answer.status, source, checkedAt };
  if (answer.thisUpdate) e.thisUpdate = answer.thisUpdate.toISOString();
  if (answer.nextUpdate) e.nextUpdate = answer.nextUpdate.toISOString();
  if (answer.status === 'revoked') {
    if (answer.revokedAt) e.revokedAt = answer.revokedAt.toISOString();
    if (answer.reason) e.reason = answer.reason;
  }
  if (answer.status === 'unknown') e.problem = answer.problem;
  return e;
}
