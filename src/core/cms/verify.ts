// CMS SignedData verification (RFC 5652 §5.4, §5.6) for S/MIME (RFC 8551), with ARCHITECTURE.md's rules:
// eContent plus detached content is refused (rule 2), zero signers is an error and every signer gets its
// own report (rule 3), SHA-1/MD5 and short keys are refused by default and the signer's certificate must
// chain to an anchor (rule 5). A SHA-1/MD5 signature refused by policy is still checked (digest and
// signature math): intact, it is 'outdated-algorithm' (the content matches; the method is forgeable),
// broken, it is 'invalid' like any other (issue 12). The signingTime is accepted as a fact only when the
// signature verified, it is not in the future (config.signingTimeFutureSkewSeconds) and the whole path was
// valid then; otherwise the signer fails ('signing-time-future', 'signing-time-outside-validity') and the
// report carries the value only as `claimedSigningTime`. Signed attributes are verified over the bytes as received, re-tagged from
// [0] IMPLICIT to SET (RFC 5652 §5.4) and never re-encoded: NSS and Outlook emit non-DER attribute orders
// that a re-encoder would "fix" into a different message digest.

import {
  encodingOf,
  parseAsn1,
  parseContentInfo,
  readOctetString,
  readOid,
  readTime,
  type Asn1Limits,
  type Asn1Node,
} from '../asn1.js';
import { WorkBudget } from '../budget.js';
import { equalBytes, toBase64 } from '../bytes.js';
import type { SignetConfig } from '../config.js';
import type { CryptoProvider } from '../crypto.js';
import { retag } from '../der.js';
import { SignetError, toSignetError } from '../errors.js';
import { OID, oidName } from '../oids.js';
import { commonName, formatName, parseCertificate, parseName, parseTrustAnchors, sameSerial, type Certificate } from '../pki/certificate.js';
import { describeCertificate, fingerprint, serialToHex } from '../pki/certificate-info.js';
import { validAt, validateChain, worseChainStatus, type ChainResult, type ChainStatus } from '../pki/chain.js';
import { verifyMd5WithRsa } from '../legacy/md5-rsa.js';
import { md5 } from '@noble/hashes/legacy.js';
import { checkRevocation, type RevocationCache, type RevocationResult } from '../pki/revocation/index.js';
import { ID_AA_ETS_REVOCATION_VALUES, readRevocationValues, readStapled, type Stapled } from '../pki/revocation/staple.js';
import { keyMeetsPolicy, verifyWithPublicKey } from '../pki/public-key.js';
import {
  digestFromOid,
  hashProblem,
  isAlgorithmProblem,
  resolveVerifyAlgorithm,
  type AlgorithmProblem,
  type DigestName,
  type SignatureAlgorithmInfo,
} from '../pki/signature-algorithm.js';
import { worstStatus, type SignerReport, type TrustCode } from '../verdict.js';
import {
  capabilityName,
  findEncryptionKeyPreference,
  readAttributes,
  readSmimeCapabilities,
  singleAttributeValue,
  type Attribute,
  type SmimeCapability,
} from './attributes.js';
import { readCertificates, readSignedData, readSignerInfo, type ParsedSignerInfo } from './signed-data.js';

export interface VerifyOptions {
  /** The signed content of a multipart/signed message (canonical form). Absent for opaque signed-data. */
  detachedContent?: Uint8Array;
  /** Trust anchors, DER. */
  anchors: Uint8Array[];
  /** Further untrusted certificates for path building (e.g. from a certificate store), DER. */
  extraCertificates?: Uint8Array[];
  /** Validation time; defaults to now. */
  at?: Date;
  config: SignetConfig;
  /** When given, issuers missing from the message are fetched from AIA caIssuers (pki/aia.ts). */
  fetch?: typeof fetch;
  /**
   * Network revocation checking (OCSP, CRL; pki/revocation) of each signer's path once it reaches a trust
   * anchor. Absent or null: not checked. The mode and timeout come from `config`.
   */
  revocation?: { fetch: typeof fetch; cache?: RevocationCache; now?: Date } | null;
  /**
   * The message's work budget (config.ts: signature checks, network fetches), shared with its other layers.
   * Absent: this call is the whole message, and gets its own (fetches then wrapped here).
   */
  budget?: WorkBudget;
}

/** What a caller needs beyond the report, per signer (same order as `signers`). */
export interface SignerDetail {
  /** The signer's certificate, DER, when it was found. */
  certificate: Uint8Array | null;
  /**
   * The certificate the signer asks to be encrypted to (RFC 8551 §2.5.3 or Microsoft's attribute), when
   * it is among the available certificates; else the signing certificate. Only store it when the signer
   * verified, chained and matched From (ARCHITECTURE.md rule 8).
   */
  encryptionCertificate: Uint8Array | null;
  capabilities: SmimeCapability[];
  signingTime: Date | null;
}

export interface SignedDataResult {
  eContentType: string;
  /** The encapsulated content of opaque signed-data (a view on the input when it was one chunk). */
  eContent: Uint8Array | null;
  /** Names of SignedData.digestAlgorithms ("SHA-256" …). */
  digestAlgorithms: string[];
  signers: SignerReport[];
  signerDetails: SignerDetail[];
  /** Every X.509 certificate the message carries, DER. */
  certificates: Uint8Array[];
}

export async function verifySignedData(contentInfoDer: Uint8Array, opts: VerifyOptions, provider: CryptoProvider): Promise<SignedDataResult> {
  try {
    return await verifyUnchecked(contentInfoDer, opts, provider);
  } catch (e) {
    // Rule 9: whatever hostile input makes a library throw comes out as a coded error, never a bare one.
    throw toSignetError(e, 'malformed-asn1', 'The signature is not a valid CMS SignedData structure.');
  }
}

async function verifyUnchecked(contentInfoDer: Uint8Array, callerOpts: VerifyOptions, provider: CryptoProvider): Promise<SignedDataResult> {
  const opts = withBudget(callerOpts);
  const { config } = opts;
  const limits = config.limits;
  const at = opts.at ?? new Date();
  const ci = parseContentInfo(contentInfoDer, limits);
  if (ci.contentType !== OID.signedData) {
    throw new SignetError('malformed-asn1', `Expected CMS SignedData, found ${oidName(ci.contentType)}.`);
  }
  const { digestAlgorithms, eContentType, eContent, certsNode, revocationInfo, signerInfoNodes } = readSignedData(ci.content);
  const stapled = readStapledSafely(revocationInfo);

  // Rule 2: a detached signature that also carries content is two messages in one; refuse it.
  if (opts.detachedContent !== undefined && eContent !== null) {
    throw new SignetError('econtent-confusion', 'The signature carries its own content as well as signing the message body.');
  }
  // Rule 3: no signers means nothing is signed.
  if (signerInfoNodes.length === 0) throw new SignetError('no-signers', 'The signed-data has no signers.');
  // Each signer costs a signature check and a path search; every honest signer needs a certificate, so
  // the certificate limit also bounds the signers.
  if (signerInfoNodes.length > limits.maxCertificates) {
    throw new SignetError('limit-exceeded', `The signed-data has ${signerInfoNodes.length} signers (limit ${limits.maxCertificates}).`);
  }
  const content = eContent ?? opts.detachedContent ?? null;
  if (content === null) throw new SignetError('no-content', 'The signature has no content to verify.');
  const { certificates, messageCerts } = readCertificates(certsNode, limits);
  const extra = (opts.extraCertificates ?? []).map((d) => parseCertificate(d, limits));
  const anchors = parseTrustAnchors(opts.anchors, limits);
  const pool = [...messageCerts, ...extra];

  // One digest per algorithm over the (possibly 150 MB) content, shared by all signers.
  const digests = new Map<DigestName, Promise<Uint8Array>>();
  const digestOf = (h: DigestName): Promise<Uint8Array> => {
    let p = digests.get(h);
    if (!p) {
      // WebCrypto has no MD5; it is computed only to tell an intact outdated signature from a broken one.
      p = h === 'MD5' ? Promise.resolve(md5(content)) : provider.crypto.subtle.digest(h, content as Uint8Array<ArrayBuffer>).then((b) => new Uint8Array(b));
      digests.set(h, p);
    }
    return p;
  };

  const signers: SignerReport[] = [];
  const signerDetails: SignerDetail[] = [];
  for (const node of signerInfoNodes) {
    const si = readSignerInfo(node);
    const { report, detail } = await verifySigner(si, { eContentType, content, pool, anchors, at, config, digestOf, fetch: opts.fetch, revocation: opts.revocation ?? null, budget: opts.budget, stapled: signerStapled(stapled, si) }, provider);
    signers.push(report);
    signerDetails.push(detail);
  }
  return { eContentType, eContent, digestAlgorithms, signers, signerDetails, certificates };
}

/**
 * RevocationInfoChoices: stapled OCSP responses and CRLs for the revocation layer (pki/revocation/staple.ts).
 * An unreadable set is ignored (the responders are asked instead), never a reason to reject the signature.
 */
function readStapledSafely(node: Asn1Node | null): Stapled | null {
  if (!node) return null;
  try {
    return readStapled(node);
  } catch {
    return null;
  }
}

/**
 * The SignedData's stapled evidence plus this signer's id-aa-ets-revocationValues (RFC 5126 §6.3.4), or
 * null when there is none. Unreadable evidence is dropped (the responders are asked instead).
 */
function signerStapled(shared: Stapled | null, si: ParsedSignerInfo): Stapled | null {
  const out: Stapled = { ocspResponses: [...(shared?.ocspResponses ?? [])], crls: [...(shared?.crls ?? [])] };
  if (si.unsignedAttrs) {
    try {
      for (const a of readAttributes(si.unsignedAttrs)) if (a.oid === ID_AA_ETS_REVOCATION_VALUES && a.values[0]) readRevocationValues(a.values[0], out);
    } catch {
      // ignored, as above
    }
  }
  return out.ocspResponses.length + out.crls.length > 0 ? out : null;
}

/** The caller's options with a work budget: theirs, or a new one charged by this call's fetches too. */
function withBudget(opts: VerifyOptions): VerifyOptions & { budget: WorkBudget } {
  if (opts.budget) return { ...opts, budget: opts.budget };
  const budget = new WorkBudget(opts.config.limits);
  return {
    ...opts,
    budget,
    ...(opts.fetch ? { fetch: budget.wrapFetch(opts.fetch) } : {}),
    ...(opts.revocation ? { revocation: { ...opts.revocation, fetch: budget.wrapFetch(opts.revocation.fetch) } } : {}),
  };
}

interface SignerContext {
  eContentType: string;
  content: Uint8Array;
  pool: Certificate[];
  anchors: Certificate[];
  at: Date;
  config: SignetConfig;
  digestOf(h: DigestName): Promise<Uint8Array>;
  fetch?: typeof fetch;
  revocation: VerifyOptions['revocation'];
  budget: WorkBudget;
  stapled: Stapled | null;
}

/**
 * One signer in three steps: gather the facts (certificate, algorithms, signed attributes, the signature
 * and digest checks, the path, revocation), decide the status from them (decideSigner, pure), and describe
 * the result for the Verdict (reportSigner).
 */
async function verifySigner(
  si: ParsedSignerInfo,
  ctx: SignerContext,
  provider: CryptoProvider,
): Promise<{ report: SignerReport; detail: SignerDetail }> {
  const facts = await gatherSignerFacts(si, ctx, provider);
  const decision = decideSigner(facts, ctx);
  return reportSigner(si, facts, decision, ctx, provider);
}

/** Which algorithms the signer used and what the policy says of them. */
interface AlgorithmFacts {
  digestName: DigestName | null;
  /** The digest's policy problem, if any (SHA-1/MD5 refused, unknown). */
  digestPolicy: AlgorithmProblem | null;
  /** The digest is refused only as outdated: it is still computed (issue 12). */
  digestOutdated: boolean;
  /** Why the hash is outdated (the policy's sentence), when it is. */
  outdated: string | null;
  /** The WebCrypto algorithm to verify with, or why there is none. */
  resolved: ReturnType<typeof resolveVerifyAlgorithm>;
  /** MD5 with RSA: WebCrypto has none, so the legacy module checks it (only to report it as outdated). */
  md5Rsa: boolean;
}

/** What the signed attributes (RFC 5652 §5.3) say, or that there are none. */
interface AttributeFacts {
  attrs: Attribute[];
  /** The bytes the signature covers: the signed attributes re-tagged as SET, or the content itself. */
  signedBytes: Uint8Array;
  present: boolean;
  contentTypeMatches: boolean;
  signingTime: Date | null;
  signingTimeMalformed: boolean;
  /** The messageDigest attribute against the content: null when absent, 'unchecked' when the digest cannot be computed. */
  messageDigest: 'match' | 'mismatch' | 'unchecked' | null;
}

interface SignerFacts {
  cert: Certificate | undefined;
  alg: AlgorithmFacts;
  attributes: AttributeFacts;
  /** The signature was computed (a certificate and a usable algorithm); `ok` is its outcome. */
  signature: { checked: boolean; ok: boolean; unsupported: string | null };
  /** Problems that make the signature itself unacceptable, most decisive first. */
  problems: [TrustCode, string][];
  chain: ChainResult | null;
  revocation: RevocationResult | null;
}

async function gatherSignerFacts(si: ParsedSignerInfo, ctx: SignerContext, provider: CryptoProvider): Promise<SignerFacts> {
  const cert = findSignerCertificate(ctx.pool, si.sid);
  const alg = algorithmFacts(si, ctx.config);
  const attributes = await attributeFacts(si, alg, ctx);
  const signature = await checkSignature(si, cert, alg, attributes.signedBytes, ctx, provider);
  const problems = signatureProblems({ cert, alg, attributes, signature, weakKey: cert !== undefined && !keyMeetsPolicy(cert.publicKey, ctx.config), eContentType: ctx.eContentType });
  const chain = cert
    ? await validateChain(
        cert,
        { anchors: ctx.anchors, intermediates: ctx.pool, at: ctx.at, signingTime: attributes.signingTime, config: ctx.config, purpose: 'email-signing', aia: ctx.fetch ? { fetch: ctx.fetch } : null, budget: ctx.budget },
        provider,
      )
    : null;
  // Revocation (RFC 5280 §6.3, RFC 6960) of the chosen path, only for an intact signature on a path that
  // reaches a trust anchor (see pki/revocation/index.ts for why, and for the policy).
  const revocation = ctx.revocation && chain?.anchored && problems.length === 0 && chain.status !== 'invalid' ? await checkPathRevocation(chain, ctx.revocation, ctx, attributes.signingTime, provider) : null;
  return { cert, alg, attributes, signature, problems, chain, revocation };
}

function findSignerCertificate(pool: Certificate[], sid: ParsedSignerInfo['sid']): Certificate | undefined {
  if (sid.kind === 'issuerAndSerialNumber') return findByIssuerSerial(pool, sid.issuer, sid.serial);
  return pool.find((c) => c.subjectKeyId && equalBytes(c.subjectKeyId, sid.keyId));
}

/**
 * Issue 12: a hash refused by policy (SHA-1, MD5) does not stop the check. The digest and the signature
 * are computed anyway, so an intact signature ('outdated-algorithm') is told apart from tampering.
 */
function algorithmFacts(si: ParsedSignerInfo, config: SignetConfig): AlgorithmFacts {
  const digestName = digestFromOid(si.digestAlgorithmOid);
  const digestPolicy = hashProblem(digestName, config);
  const digestOutdated = digestPolicy?.code === 'insecure-algorithm';
  let outdated: string | null = digestOutdated ? digestPolicy.reason : null;
  let resolved = resolveVerifyAlgorithm(si.signatureAlgorithm, digestName, config);
  if (isAlgorithmProblem(resolved) && resolved.code === 'insecure-algorithm') {
    outdated ??= resolved.reason;
    resolved = resolveVerifyAlgorithm(si.signatureAlgorithm, digestName, OUTDATED_CHECK);
  }
  const md5Rsa = outdated !== null && si.signatureAlgorithm.kind === 'rsa-pkcs1' && (si.signatureAlgorithm.hash ?? digestName) === 'MD5';
  return { digestName, digestPolicy, digestOutdated, outdated, resolved, md5Rsa };
}

/** Signed attributes (RFC 5652 §5.3): contentType and messageDigest are mandatory when present at all. */
async function attributeFacts(si: ParsedSignerInfo, alg: AlgorithmFacts, ctx: SignerContext): Promise<AttributeFacts> {
  if (!si.signedAttrs) {
    return { attrs: [], signedBytes: ctx.content, present: false, contentTypeMatches: true, signingTime: null, signingTimeMalformed: false, messageDigest: null };
  }
  const attrs = readAttributes(si.signedAttrs);
  const ct = singleAttributeValue(attrs, OID.contentType);
  const md = singleAttributeValue(attrs, OID.messageDigest);
  const contentTypeMatches = ct !== null && readOid(ct) === ctx.eContentType;
  const st = singleAttributeValue(attrs, OID.signingTime);
  let signingTime: Date | null = null;
  let signingTimeMalformed = false;
  if (st) {
    try {
      signingTime = readTime(st, 'the signing time');
    } catch {
      signingTimeMalformed = true;
    }
  }
  let messageDigest: AttributeFacts['messageDigest'] = null;
  if (md) {
    const computable = alg.digestName !== null && (!alg.digestPolicy || alg.digestOutdated);
    messageDigest = computable ? (equalBytes(readOctetString(md, 'the message digest'), await ctx.digestOf(alg.digestName!)) ? 'match' : 'mismatch') : 'unchecked';
  }
  return {
    attrs,
    signedBytes: retag(encodingOf(si.signedAttrs), 0x31),
    present: true,
    contentTypeMatches,
    signingTime,
    signingTimeMalformed,
    messageDigest,
  };
}

/** The signature over the signed bytes, when there is a certificate and an algorithm to check it with. */
async function checkSignature(
  si: ParsedSignerInfo,
  cert: Certificate | undefined,
  alg: AlgorithmFacts,
  signedBytes: Uint8Array,
  ctx: SignerContext,
  provider: CryptoProvider,
): Promise<SignerFacts['signature']> {
  if (!cert || (!alg.md5Rsa && isAlgorithmProblem(alg.resolved))) return { checked: false, ok: false, unsupported: null };
  ctx.budget.chargeSignatureCheck();
  if (alg.md5Rsa) return { checked: true, ok: cert.publicKey.type === 'rsa' && verifyMd5WithRsa(cert.publicKey.der, signedBytes, si.signature), unsupported: null };
  try {
    const ok = await verifyWithPublicKey(cert.publicKey, (alg.resolved as { algorithm: Parameters<typeof verifyWithPublicKey>[1] }).algorithm, signedBytes, si.signature, provider);
    return { checked: true, ok, unsupported: null };
  } catch (e) {
    if (!(e instanceof SignetError && e.code === 'unsupported-algorithm')) throw e;
    return { checked: true, ok: false, unsupported: e.message };
  }
}

/**
 * The problems that make the signature unacceptable ('invalid'), in the order that breaks ties in
 * pickProblem: a broken signature first (the attributes themselves are then not authentic), then the
 * algorithms, the certificate, the key and the attributes.
 */
function signatureProblems(f: Pick<SignerFacts, 'cert' | 'alg' | 'attributes' | 'signature'> & { weakKey: boolean; eContentType: string }): [TrustCode, string][] {
  const { alg, attributes: a } = f;
  const problems: [TrustCode, string][] = [];
  if (alg.digestPolicy && !alg.digestOutdated) problems.push([alg.digestPolicy.code, alg.digestPolicy.reason]);
  if (isAlgorithmProblem(alg.resolved) && !alg.md5Rsa) problems.push([alg.resolved.code, alg.resolved.reason]);
  if (!f.cert) problems.push(['no-certificate', "The signer's certificate is not in the message."]);
  if (f.cert && f.weakKey) problems.push(['weak-key', `The signer's key (${f.cert.publicKey.description}) is too short to be trusted.`]);
  if (a.present && !a.contentTypeMatches) problems.push(['bad-signature', 'The signed content type does not match the content.']);
  if (a.signingTimeMalformed) problems.push(['bad-signature', 'The signing time attribute is malformed.']);
  if (a.present && a.messageDigest === null) problems.push(['bad-signature', 'The signature has no message digest attribute.']);
  if (a.messageDigest === 'mismatch') problems.push(['digest-mismatch', 'The content was changed after it was signed.']);
  // RFC 5652 §5.3: any content type other than id-data requires signed attributes.
  if (!a.present && f.eContentType !== OID.data) problems.push(['bad-signature', 'A signature over non-data content has no signed attributes.']);
  if (f.signature.unsupported !== null) problems.push(['unsupported-algorithm', f.signature.unsupported]);
  if (f.signature.checked && !f.signature.ok && !problems.some(([c]) => c === 'unsupported-algorithm')) {
    problems.unshift(['bad-signature', 'The signature does not verify with the signer\'s certificate.']);
  }
  return problems;
}

async function checkPathRevocation(
  chain: ChainResult,
  r: NonNullable<VerifyOptions['revocation']>,
  ctx: SignerContext,
  signingTime: Date | null,
  provider: CryptoProvider,
): Promise<RevocationResult> {
  const { config } = ctx;
  return checkRevocation(
    chain.chain.map((l) => l.certificate),
    { fetch: r.fetch, cache: r.cache, now: r.now, at: ctx.at, mode: config.revocationMode, timeoutMs: config.revocationTimeoutMs, config, stapled: ctx.stapled, signingTime },
    provider,
  );
}

interface SignerDecision {
  status: SignerReport['status'];
  code: TrustCode;
  reason: string;
  /** The signing time presented as a fact, or null (then the report shows it only as claimed). */
  acceptedSigningTime: Date | null;
}

/**
 * The signer's status from the facts, most severe first: a problem with the signature itself ('invalid'),
 * else the path's status, worsened by revocation, a future signing time, and last an outdated hash.
 */
function decideSigner(f: SignerFacts, ctx: Pick<SignerContext, 'at' | 'config'>): SignerDecision {
  const { config } = ctx;
  const signingTime = f.attributes.signingTime;
  // The signing time (issue 13): a claim by the signer's software. Never in the future beyond the clock
  // skew, and every certificate of the path must have been valid then (chain.ts marks the links).
  const future = signingTime !== null && signingTime.getTime() > ctx.at.getTime() + config.signingTimeFutureSkewSeconds * 1000;
  const outsideValidity = signingTime !== null && f.chain !== null && f.chain.chain.some((l) => !validAt(l.certificate, signingTime));
  // Presented as a fact only when the attributes are authentic and the time possible.
  const acceptedSigningTime = signingTime !== null && f.signature.ok && !future && !outsideValidity ? signingTime : null;
  if (f.problems.length > 0) {
    const [code, reason] = pickProblem(f.problems);
    return { status: 'invalid', code, reason, acceptedSigningTime };
  }
  if (!f.chain) return { status: 'invalid', code: 'no-certificate', reason: "The signer's certificate is not in the message.", acceptedSigningTime };
  let d: Omit<SignerDecision, 'acceptedSigningTime'> = { status: f.chain.status, code: f.chain.code, reason: f.chain.reason };
  // Revoked outranks expired and untrusted; an unknown revocation status fails only in hard mode.
  const failed = f.revocation ? revocationFailure(f.revocation, config) : null;
  if (f.revocation && failed && (d.status === 'valid' || worseChainStatus(d.status as ChainStatus, failed) !== d.status)) {
    d = { status: worseChainStatus(d.status as ChainStatus, failed), code: f.revocation.code as TrustCode, reason: f.revocation.reason };
  }
  // A future signingTime is an 'expired'-class failure; a chain already failing in time keeps its own code.
  if (future && d.status !== 'expired' && worstStatus(d.status, 'expired') === 'expired') {
    d = { status: 'expired', code: 'signing-time-future', reason: `The signature claims to have been made on ${signingTime.toISOString()}, which is in the future.` };
  }
  // The least severe failure: every other outcome that applies wins over it (verdict.ts STATUS_SEVERITY).
  const outdated = f.alg.outdated;
  if (outdated !== null && d.status === 'valid') {
    d = {
      status: 'outdated-algorithm',
      code: 'insecure-algorithm',
      reason: `The content matches what was signed, but ${outdated.charAt(0).toLowerCase()}${outdated.slice(1)} A determined attacker can forge such a signature.`,
    };
  }
  return { ...d, acceptedSigningTime };
}

/** The path as the Verdict shows it: each link's status, with revocation evidence and the signer's key problem on the link they concern. */
async function describePath(f: SignerFacts, config: SignetConfig, provider: CryptoProvider): Promise<SignerReport['chain']> {
  const chain = f.chain
    ? await Promise.all(f.chain.chain.map((l) => describeCertificate(l.certificate, provider, { status: l.status, isTrustAnchor: l.isTrustAnchor })))
    : [];
  f.revocation?.certificates.forEach((r, i) => {
    const link = chain[i];
    if (!r || !link) return;
    link.revocation = r.evidence;
    // The link that failed shows why: 'revoked' always, 'revocation-unknown' when the mode makes it fail.
    const linkFailure = revocationFailure({ code: r.code }, config);
    if (linkFailure && (link.status === 'ok' || r.code === 'revoked')) link.status = r.code as TrustCode;
  });
  // The signer's own key problem belongs on its certificate in the chain view too.
  if (f.problems.some(([c]) => c === 'weak-key') && chain[0]?.status === 'ok') chain[0].status = 'weak-key';
  return chain;
}

async function reportSigner(
  si: ParsedSignerInfo,
  f: SignerFacts,
  d: SignerDecision,
  ctx: SignerContext,
  provider: CryptoProvider,
): Promise<{ report: SignerReport; detail: SignerDetail }> {
  const { cert } = f;
  const chain = await describePath(f, ctx.config, provider);
  const capabilities = readCapabilities(f.attributes.attrs);
  const hashLabel = isAlgorithmProblem(f.alg.resolved) ? null : f.alg.resolved.hash.replace('-', '');
  const encryptionCert = cert ? encryptionCertificate(f.attributes.attrs, cert, ctx.pool, ctx.config.limits) : null;
  const signingTime = f.attributes.signingTime;
  const report: SignerReport = {
    status: d.status,
    code: d.code,
    ...(await certificateFields(cert, si.sid, provider)),
    signingTime: d.acceptedSigningTime ? d.acceptedSigningTime.toISOString() : null,
    claimedSigningTime: signingTime && !d.acceptedSigningTime ? signingTime.toISOString() : null,
    digestAlgorithm: f.alg.digestName ?? oidName(si.digestAlgorithmOid),
    signatureAlgorithm: displaySignatureAlgorithm(si.signatureAlgorithm, hashLabel),
    chain,
    capabilities: capabilities.map(capabilityName),
    ...(cert && encryptionCert && !equalBytes(encryptionCert, cert.der) ? { encryptionCertificate: toBase64(encryptionCert) } : {}),
    reason: d.reason,
  };
  const detail: SignerDetail = { certificate: cert?.der ?? null, encryptionCertificate: encryptionCert, capabilities, signingTime: d.acceptedSigningTime };
  return { report, detail };
}

/** The policy used only to check the math of a signature whose hash the real policy refuses. */
const OUTDATED_CHECK = { allowInsecureSha1: true, allowInsecureMd5: true } as const;

/** The status a revocation outcome forces: 'revoked', 'untrusted' for an unknown status in hard mode, else none. */
function revocationFailure(r: Pick<RevocationResult, 'code'>, config: SignetConfig): ChainStatus | null {
  if (r.code === 'revoked') return 'revoked';
  if (r.code === 'revocation-unknown' && config.revocationMode === 'hard') return 'untrusted';
  return null;
}

type CertificateFields = Pick<SignerReport, 'email' | 'emails' | 'name' | 'subject' | 'issuer' | 'serialNumber' | 'sha256' | 'notBefore' | 'notAfter'>;

/** Who the signer is, from the certificate; without one, only what the signer identifier names. */
async function certificateFields(cert: Certificate | undefined, sid: ParsedSignerInfo['sid'], provider: CryptoProvider): Promise<CertificateFields> {
  if (!cert) {
    const byIssuer = sid.kind === 'issuerAndSerialNumber';
    const issuer = byIssuer ? safeFormatName(sid.issuer) : '';
    const serialNumber = byIssuer ? serialToHex(sid.serial) : '';
    return { email: null, emails: [], name: null, subject: '', issuer, serialNumber, sha256: '', notBefore: '', notAfter: '' };
  }
  return {
    email: cert.emails[0] ?? null,
    emails: [...cert.emails],
    name: commonName(cert.subject),
    subject: formatName(cert.subject),
    issuer: formatName(cert.issuer),
    serialNumber: serialToHex(cert.serialNumber),
    sha256: await fingerprint(cert.der, 'SHA-256', provider),
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
  };
}

/** The most severe problem; within a severity, the first found (problems are pushed most decisive first). */
function pickProblem(problems: [TrustCode, string][]): [TrustCode, string] {
  const order: TrustCode[] = ['bad-signature', 'digest-mismatch', 'insecure-algorithm', 'unsupported-algorithm', 'weak-key', 'no-certificate'];
  let best = problems[0]!;
  for (const p of problems) {
    const a = order.indexOf(p[0]);
    const b = order.indexOf(best[0]);
    if (a !== -1 && (b === -1 || a < b)) best = p;
  }
  return best;
}

function findByIssuerSerial(pool: Certificate[], issuerNode: Asn1Node, serial: Uint8Array): Certificate | undefined {
  let issuerKey: string;
  try {
    issuerKey = parseName(issuerNode).key;
  } catch {
    return undefined;
  }
  return pool.find((c) => c.issuer.key === issuerKey && sameSerial(c.serialNumber, serial));
}

function safeFormatName(node: Asn1Node): string {
  try {
    return formatName(parseName(node));
  } catch {
    return '';
  }
}

function readCapabilities(attrs: Attribute[]): SmimeCapability[] {
  const a = attrs.find((x) => x.oid === OID.smimeCapabilities);
  if (!a?.values[0]) return [];
  try {
    return readSmimeCapabilities(a.values[0]);
  } catch {
    return []; // capabilities are advisory: a malformed list only loses the hint
  }
}

function encryptionCertificate(attrs: Attribute[], signer: Certificate, pool: Certificate[], limits: Asn1Limits): Uint8Array {
  const pref = findEncryptionKeyPreference(attrs);
  if (pref) {
    let found: Certificate | undefined;
    if (pref.kind === 'issuerAndSerialNumber') {
      let key: string | null = null;
      try {
        key = parseName(parseAsn1(pref.issuer, limits)).key;
      } catch {
        key = null;
      }
      found = pool.find((c) => c.issuer.key === key && sameSerial(c.serialNumber, pref.serialNumber));
    } else {
      found = pool.find((c) => c.subjectKeyId && equalBytes(c.subjectKeyId, pref.subjectKeyIdentifier));
    }
    if (found) return found.der;
  }
  return signer.der;
}

function displaySignatureAlgorithm(sig: SignatureAlgorithmInfo, hashLabel: string | null): string {
  if (!hashLabel) return sig.name;
  switch (sig.kind) {
    case 'rsa-pkcs1':
      return `RSA-${hashLabel}`;
    case 'rsa-pss':
      return `RSA-PSS-${hashLabel}`;
    case 'ecdsa':
      return `ECDSA-${hashLabel}`;
    default:
      return sig.name;
  }
}
