// Certification path building and the basic validation S/MIME signer status needs (RFC 5280 §6 subset,
// RFC 8550 §4.4 for S/MIME end entities): names and key identifiers to find issuers, every signature
// verified, a bounded search that terminates on circular chains, validity at the signing time and at the
// validation time, basicConstraints/pathLen, name constraints (name-constraints.ts), keyUsage and EKU.
// Missing issuers may be fetched from AIA caIssuers (aia.ts) when a fetch is injected. Revocation (OCSP,
// CRL) is a later layer: it annotates the selected path's links and may lower the status to 'revoked'.
//
// Validity rule ("signed while valid, checked after expiry"): every certificate of the path must be
// valid at the validation time `at` AND, when the signature carries a signingTime, at that time too.
// A signature made in 2020 with a certificate that expired in 2021 is therefore 'expired' when checked
// today. signingTime is a signed attribute but its value is whatever the signer's software wrote: a thief
// holding an expired (or compromised and since expired) key can claim any past time, so "valid at
// signingTime" alone would let expired keys sign forever. Without a trusted timestamp (RFC 3161, not
// supported) the only safe default is to require validity now. Archive validation is still possible, but
// only on the reader's own word: the caller (CLI `--at`) sets `at` to a time it trusts. Each failing
// certificate is marked on its own link (an expired intermediate is reported on the intermediate, not on
// the signer). A certificate outside its validity at the validation time is 'expired' / 'not-yet-valid';
// one valid then but not at the claimed signingTime is 'signing-time-outside-validity' (status 'expired'),
// whatever that time is — a signingTime in the future is checked too, never skipped (the future itself is
// refused by the signature layer, cms/verify.ts, with 'signing-time-future').

import { verifyMd5WithRsa } from '../legacy/md5-rsa.js';
import { equalBytes } from '../bytes.js';
import type { WorkBudget } from '../budget.js';
import type { SignetConfig } from '../config.js';
import type { CryptoProvider } from '../crypto.js';
import { SignetError } from '../errors.js';
import { OID } from '../oids.js';
import type { TrustCode } from '../verdict.js';
import { IssuerFetcher, type AiaOptions } from './aia.js';
import { unhandledCriticalExtensions, type Certificate } from './certificate.js';
import { checkNameConstraints, readNameConstraints } from './name-constraints.js';
import { keyMeetsPolicy, verifyWithPublicKey } from './public-key.js';
import { parseSignatureAlgorithm, resolveVerifyAlgorithm, isAlgorithmProblem } from './signature-algorithm.js';

export type ChainStatus = 'valid' | 'invalid' | 'revoked' | 'expired' | 'untrusted';

export interface ChainLink {
  certificate: Certificate;
  status: TrustCode;
  isTrustAnchor: boolean;
}

export interface ChainResult {
  status: ChainStatus;
  code: TrustCode;
  reason: string;
  /** End entity first; ends with the trust anchor when `anchored`, else with the furthest issuer found. */
  chain: ChainLink[];
  anchored: boolean;
}

export interface ChainOptions {
  /** Trust anchors (name + key, RFC 5280 §6.1.1 d): a certificate chains only by a signature of this key. */
  anchors: readonly Certificate[];
  /** Untrusted certificates that may be intermediates (from the message and from the caller). */
  intermediates: readonly Certificate[];
  /** Validation time ("now" unless the caller asks otherwise). */
  at: Date;
  /** The signer's claimed signing time, when present: every certificate of the path must be valid then too. */
  signingTime: Date | null;
  config: SignetConfig;
  /** Leaf checks: 'email-signing' applies RFC 8550 §4.4.2/4.4.4 keyUsage and EKU rules. */
  purpose: 'email-signing' | 'none';
  /** Fetch missing issuers from AIA caIssuers (only when no path to an anchor can be built without). */
  aia?: AiaOptions | null;
  /** The message's work budget: every signature check of the search is charged to it (config.ts maxSignatureChecks). */
  budget?: WorkBudget;
}

/** Longest path searched, leaf and anchor included; real S/MIME chains have 2-5 certificates. */
const MAX_PATH_LENGTH = 10;
/** Signature checks per validation: bounds the search over a hostile pool of look-alike certificates. */
const MAX_SIGNATURE_CHECKS = 100;
/**
 * Search steps (certificates tried as the next link, cached signature checks included): with cached
 * links a hostile pool of mutually cross-signed look-alikes has exponentially many paths; this bounds them.
 */
const MAX_SEARCH_STEPS = 2000;
/** Complete paths evaluated before settling for the best one seen. */
const MAX_COMPLETE_PATHS = 8;

const STATUS_RANK: Record<ChainStatus, number> = { invalid: 0, revoked: 1, expired: 2, untrusted: 3, valid: 4 };

export function statusForCode(code: TrustCode): ChainStatus {
  switch (code) {
    case 'ok':
      return 'valid';
    case 'expired':
    case 'not-yet-valid':
    case 'signing-time-outside-validity':
    case 'signing-time-future':
      return 'expired';
    case 'revoked':
      return 'revoked';
    case 'bad-signature':
    case 'digest-mismatch':
    case 'econtent-confusion':
    case 'unsupported-algorithm':
      return 'invalid';
    default:
      return 'untrusted';
  }
}

/** The more severe of two statuses (invalid > revoked > expired > untrusted > valid). */
export function worseChainStatus(a: ChainStatus, b: ChainStatus): ChainStatus {
  return STATUS_RANK[a] <= STATUS_RANK[b] ? a : b;
}

type LinkOutcome = 'ok' | 'bad-signature' | 'insecure-algorithm' | 'unsupported-algorithm';

export async function validateChain(leaf: Certificate, options: ChainOptions, provider: CryptoProvider): Promise<ChainResult> {
  const { anchors, config } = options;
  const anchorFor = (c: Certificate): Certificate | undefined =>
    anchors.find((a) => a.subject.key === c.subject.key && equalBytes(a.publicKey.der, c.publicKey.der));
  // The pool: de-duplicated, without copies of anchors (an anchor found in the message is the anchor).
  const pool: Certificate[] = [];
  for (const c of options.intermediates) {
    if (!pool.some((p) => equalBytes(p.der, c.der)) && !anchorFor(c)) pool.push(c);
  }

  let checks = 0;
  let steps = 0;
  const linkCache = new Map<Certificate, Map<Certificate, Promise<LinkOutcome>>>();
  const checkLink = (child: Certificate, parent: Certificate): Promise<LinkOutcome> => {
    let m = linkCache.get(child);
    if (!m) linkCache.set(child, (m = new Map()));
    let p = m.get(parent);
    if (!p) {
      checks++;
      options.budget?.chargeSignatureCheck();
      p = verifyCertificateSignature(child, parent, config, provider);
      m.set(parent, p);
    }
    return p;
  };

  const candidates = (cur: Certificate): Certificate[] => {
    const byName = [...anchors, ...pool].filter((c) => c.subject.key === cur.issuer.key && c !== cur);
    // Key identifiers are hints (RFC 5280 §4.2.1.1): matching ones first, unknown next, mismatching last.
    const rank = (c: Certificate): number =>
      !cur.authorityKeyId || !c.subjectKeyId ? 1 : equalBytes(cur.authorityKeyId, c.subjectKeyId) ? 0 : 2;
    return byName.map((c, i) => ({ c, i, r: rank(c) })).sort((x, y) => x.r - y.r || x.i - y.i).map((x) => x.c);
  };

  let best: { result: ChainResult } | null = null;
  let completePaths = 0;
  let longest: Certificate[] = [leaf];
  const linkFailures = new Set<LinkOutcome>();
  /** Certificates at which a search branch ended without reaching an anchor: where an issuer is missing. */
  let deadEnds: Certificate[] = [];

  const consider = (path: Certificate[]): boolean => {
    const result = evaluatePath(path, true, options);
    completePaths++;
    if (!best || STATUS_RANK[result.status] > STATUS_RANK[best.result.status]) best = { result };
    return result.status === 'valid';
  };

  const extend = async (path: Certificate[]): Promise<boolean> => {
    const cur = path[path.length - 1]!;
    const anchor = anchorFor(cur);
    if (anchor) return consider([...path.slice(0, -1), anchor]);
    if (path.length > longest.length) longest = path;
    if (path.length >= MAX_PATH_LENGTH) return false;
    for (const cand of candidates(cur)) {
      if (completePaths >= MAX_COMPLETE_PATHS || checks >= MAX_SIGNATURE_CHECKS || ++steps > MAX_SEARCH_STEPS) return false;
      // A certificate appears at most once per path: this is what ends circular chains (A→B→A).
      if (path.some((p) => p === cand || equalBytes(p.der, cand.der))) continue;
      const outcome = await checkLink(cur, cand);
      if (outcome !== 'ok') {
        linkFailures.add(outcome);
        continue;
      }
      if (await extend([...path, cand])) return true;
    }
    if (!deadEnds.includes(cur)) deadEnds.push(cur);
    return false;
  };

  await extend([leaf]);
  // AIA caIssuers (RFC 5280 §4.2.2.1): only when no path reached an anchor. Each round fetches the issuers
  // of the certificates where the search stopped, adds them to the pool and searches again (a fetched
  // intermediate may itself need its issuer); the fetcher's budget bounds the rounds.
  const fetcher = options.aia ? new IssuerFetcher(options.aia, config.limits) : null;
  const asked = new Set<Certificate>();
  while (!best && fetcher) {
    let added = 0;
    for (const cert of deadEnds) {
      if (asked.has(cert) || cert.selfIssued) continue;
      asked.add(cert);
      for (const c of await fetcher.issuersOf(cert)) {
        if (pool.length >= config.limits.maxCertificates * 2) break;
        if (!pool.some((p) => equalBytes(p.der, c.der)) && !anchorFor(c)) {
          pool.push(c);
          added++;
        }
      }
      if (added > 0) break;
    }
    if (added === 0) break;
    completePaths = 0;
    steps = 0;
    deadEnds = [];
    await extend([leaf]);
  }
  if (best) return (best as { result: ChainResult }).result;

  // No path to an anchor: report the furthest we got, with why it stopped.
  const partial = evaluatePath(longest, false, options);
  const last = longest[longest.length - 1]!;
  let code: TrustCode;
  let reason: string;
  if (linkFailures.has('insecure-algorithm')) {
    code = 'insecure-algorithm';
    reason = 'A certificate in the chain is signed with an algorithm refused by policy (SHA-1 or MD5).';
  } else if (last.selfIssued) {
    code = 'untrusted-root';
    reason = 'The certificate chain ends at a root that is not one of your trusted authorities.';
  } else {
    code = 'no-path';
    reason = "No chain could be built from the signer's certificate to a trusted authority.";
  }
  const chain = partial.chain;
  const lastLink = chain[chain.length - 1]!;
  if (lastLink.status === 'ok') lastLink.status = code;
  // Severity still applies: an expired certificate on an untrusted chain is reported as expired.
  const worst = partial.status === 'valid' ? 'untrusted' : worseChainStatus(partial.status, 'untrusted');
  return worst === 'untrusted'
    ? { status: 'untrusted', code, reason, chain, anchored: false }
    : { ...partial, status: worst, anchored: false };
}

/** Checks `child`'s signature with `parent`'s key under the algorithm policy; 'ok' or the refusal code. */
export async function verifyCertificateSignature(
  child: Certificate,
  parent: Certificate,
  config: SignetConfig,
  provider: CryptoProvider,
): Promise<LinkOutcome> {
  const parsed = parseSignatureAlgorithm(child.signatureAlgorithm);
  if (parent.publicKey.unusable) return 'unsupported-algorithm'; // an RSA key beyond the config.ts bounds
  if (parsed.kind === 'rsa-pkcs1' && parsed.hash === 'MD5' && config.allowInsecureMd5 && parent.publicKey.type === 'rsa') {
    return verifyMd5WithRsa(parent.publicKey.der, child.tbs, child.signatureValue) ? 'ok' : 'bad-signature';
  }
  const resolved = resolveVerifyAlgorithm(parsed, null, config);
  if (isAlgorithmProblem(resolved)) return resolved.code;
  try {
    return (await verifyWithPublicKey(parent.publicKey, resolved.algorithm, child.tbs, child.signatureValue, provider)) ? 'ok' : 'bad-signature';
  } catch (e) {
    if (e instanceof SignetError && e.code === 'unsupported-algorithm') return 'unsupported-algorithm';
    throw e;
  }
}

/** Checks every certificate of a path (leaf first); `anchored` means the last one is a trust anchor. */
function evaluatePath(path: Certificate[], anchored: boolean, options: ChainOptions): ChainResult {
  const { at, config } = options;
  const signingTime = options.signingTime;
  const links: ChainLink[] = [];
  const reasons = new Map<TrustCode, string>();
  path.forEach((cert, i) => {
    const isAnchor = anchored && i === path.length - 1;
    const isLeaf = i === 0;
    const problems: [TrustCode, string][] = [];
    if (at.getTime() < cert.notBefore.getTime()) problems.push(['not-yet-valid', 'A certificate in the chain was not yet valid at the validation time.']);
    else if (at.getTime() > cert.notAfter.getTime()) problems.push(['expired', 'A certificate in the chain had expired at the validation time.']);
    if (signingTime && !validAt(cert, signingTime)) {
      problems.push([
        'signing-time-outside-validity',
        `The signature claims to have been made on ${signingTime.toISOString()}, when a certificate in the chain was ${signingTime.getTime() < cert.notBefore.getTime() ? 'not yet valid' : 'no longer valid'}.`,
      ]);
    }
    if (!isAnchor && unhandledCriticalExtensions(cert).length > 0) {
      problems.push(['critical-extension', 'A certificate in the chain has a critical extension that Signet cannot process.']);
    }
    if (isLeaf && options.purpose === 'email-signing') {
      const ku = cert.keyUsage;
      if (ku && !ku.has('digitalSignature') && !ku.has('nonRepudiation')) {
        problems.push(['key-usage', "The signer's certificate is not allowed to make signatures (keyUsage)."]);
      }
      const eku = cert.extKeyUsage;
      if (eku && !eku.includes(OID.emailProtection) && !eku.includes(OID.anyExtendedKeyUsage)) {
        problems.push(['ext-key-usage', "The signer's certificate is not issued for e-mail protection (extendedKeyUsage)."]);
      }
    }
    if (!isLeaf) {
      const bc = cert.basicConstraints;
      if (!isAnchor) {
        if (!bc?.cA) problems.push(['not-ca', 'A certificate that issued another one is not a certificate authority.']);
        else if (cert.keyUsage && !cert.keyUsage.has('keyCertSign')) {
          problems.push(['not-ca', 'A certificate authority in the chain is not allowed to sign certificates (keyUsage).']);
        }
        if (!keyMeetsPolicy(cert.publicKey, config)) problems.push(['weak-key', `A certificate authority in the chain has a weak key (${cert.publicKey.description}).`]);
      }
      if (bc?.cA && bc.pathLen !== null) {
        // RFC 5280 §4.2.1.9: pathLen counts the non-self-issued intermediates below this CA.
        let below = 0;
        for (let j = 1; j < i; j++) if (!path[j]!.selfIssued) below++;
        if (below > bc.pathLen) problems.push(['path-length', 'The chain is longer than a certificate authority allows (pathLen).']);
      }
    }
    // Name constraints of every CA above this certificate (the anchor's included, as NSS and OpenSSL do);
    // a self-issued intermediate is exempt (§6.1.3 b), the end entity never.
    if (isLeaf || !cert.selfIssued) {
      for (let j = i + 1; j < path.length; j++) {
        const nc = constraintsOf(path[j]!, options);
        const check = nc === 'unreadable' ? { ok: false as const, reason: 'an issuer\'s name constraints cannot be read' } : nc ? checkNameConstraints(nc, cert, config.limits) : null;
        if (check && !check.ok) {
          problems.push(['name-constraints', `A certificate in the chain violates its issuer's name constraints: ${check.reason}.`]);
          break;
        }
      }
    }
    let status: TrustCode = 'ok';
    for (const [code, reason] of problems) {
      if (status === 'ok' || STATUS_RANK[statusForCode(code)] < STATUS_RANK[statusForCode(status)]) status = code;
      if (!reasons.has(code)) reasons.set(code, reason);
    }
    links.push({ certificate: cert, status, isTrustAnchor: isAnchor });
  });
  let status: ChainStatus = 'valid';
  let code: TrustCode = 'ok';
  for (const l of links) {
    if (l.status === 'ok') continue;
    const s = statusForCode(l.status);
    if (STATUS_RANK[s] < STATUS_RANK[status]) {
      status = s;
      code = l.status;
    }
  }
  const reason = status === 'valid' ? 'The certificate chains to a trusted authority and is valid.' : (reasons.get(code) ?? '');
  return { status, code, reason, chain: links, anchored };
}

/** Whether `t` lies within the certificate's validity period (RFC 5280 §4.1.2.5: both ends inclusive). */
export function validAt(cert: Certificate, t: Date): boolean {
  return t.getTime() >= cert.notBefore.getTime() && t.getTime() <= cert.notAfter.getTime();
}

const constraintsCache = new WeakMap<Certificate, ReturnType<typeof readNameConstraints> | 'unreadable'>();

function constraintsOf(ca: Certificate, options: ChainOptions): ReturnType<typeof readNameConstraints> | 'unreadable' {
  let nc = constraintsCache.get(ca);
  if (nc === undefined) {
    try {
      nc = readNameConstraints(ca, options.config.limits);
    } catch {
      nc = 'unreadable';
    }
    constraintsCache.set(ca, nc);
  }
  return nc;
}
