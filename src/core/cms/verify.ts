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
  childrenOf,
  encodingOf,
  expectSequence,
  expectSet,
  isContext,
  isUniversal,
  parseAsn1,
  parseContentInfo,
  primitiveContent,
  readAlgorithmIdentifier,
  readOctetString,
  readOid,
  readSmallInteger,
  readTime,
  Tag,
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
import { commonName, formatName, parseCertificate, parseCertificateNode, parseName, sameSerial, type Certificate } from '../pki/certificate.js';
import { describeCertificate, fingerprint, serialToHex } from '../pki/certificate-info.js';
import { validAt, validateChain, worseChainStatus, type ChainStatus } from '../pki/chain.js';
import { verifyMd5WithRsa } from '../legacy/md5-rsa.js';
import { md5 } from '@noble/hashes/legacy.js';
import { checkRevocation, type RevocationCache, type RevocationResult } from '../pki/revocation/index.js';
import { ID_AA_ETS_REVOCATION_VALUES, readRevocationValues, readStapled, type Stapled } from '../pki/revocation/staple.js';
import { keyMeetsPolicy, verifyWithPublicKey } from '../pki/public-key.js';
import {
  digestFromOid,
  hashProblem,
  isAlgorithmProblem,
  parseSignatureAlgorithm,
  resolveVerifyAlgorithm,
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

interface ParsedSignerInfo {
  sid: { kind: 'issuerAndSerialNumber'; issuer: Asn1Node; serial: Uint8Array } | { kind: 'subjectKeyIdentifier'; keyId: Uint8Array };
  digestAlgorithmOid: string;
  signedAttrs: Asn1Node | null;
  signatureAlgorithm: SignatureAlgorithmInfo;
  signature: Uint8Array;
  /** unsignedAttrs [1] IMPLICIT, when present (read only for stapled revocation values). */
  unsignedAttrs: Asn1Node | null;
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
  const fields = expectSequence(ci.content, 'SignedData');
  let i = 0;
  readSmallInteger(fields[i++], 'the SignedData version');
  const digestAlgorithms = expectSet(fields[i++], 'the SignedData digestAlgorithms').map((a) => oidName(readAlgorithmIdentifier(a).oid));
  const eci = expectSequence(fields[i++], 'the EncapsulatedContentInfo');
  const eContentType = readOid(eci[0], 'the eContentType');
  let eContent: Uint8Array | null = null;
  if (eci[1]) {
    if (!isContext(eci[1], 0)) throw new SignetError('malformed-asn1', 'The eContent must be [0] EXPLICIT.');
    eContent = readOctetString(childrenOf(eci[1])[0], 'the eContent');
  }
  let certsNode: Asn1Node | null = null;
  if (isContext(fields[i], 0)) certsNode = fields[i++]!;
  // RevocationInfoChoices: stapled OCSP responses and CRLs for the revocation layer (pki/revocation/staple.ts).
  // An unreadable set is ignored (the responders are asked instead), never a reason to reject the signature.
  let stapled: Stapled | null = null;
  if (isContext(fields[i], 1)) {
    try {
      stapled = readStapled(fields[i]!);
    } catch {
      stapled = null;
    }
    i++;
  }
  const signerInfoNodes = expectSet(fields[i], 'the SignerInfos');

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

  // Certificates: X.509 ones only (CertificateChoices [0]-[3] are obsolete or unused in mail).
  const certificates: Uint8Array[] = [];
  const messageCerts: Certificate[] = [];
  if (certsNode) {
    const choices = childrenOf(certsNode, 'certificates');
    if (choices.length > limits.maxCertificates) {
      throw new SignetError('limit-exceeded', `The message carries ${choices.length} certificates (limit ${limits.maxCertificates}).`);
    }
    for (const c of choices) {
      if (!isUniversal(c, Tag.sequence)) continue;
      certificates.push(encodingOf(c));
      try {
        messageCerts.push(parseCertificateNode(c, limits));
      } catch {
        // An unreadable certificate in the bag is ignored; if it was the signer's, the signer has none.
      }
    }
  }
  const extra = (opts.extraCertificates ?? []).map((d) => parseCertificate(d, limits));
  const anchors = parseAnchors(opts.anchors, limits);
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
    const si = parseSignerInfo(node);
    const { report, detail } = await verifySigner(si, { eContentType, content, pool, anchors, at, config, digestOf, fetch: opts.fetch, revocation: opts.revocation ?? null, budget: opts.budget, stapled: signerStapled(stapled, si) }, provider);
    signers.push(report);
    signerDetails.push(detail);
  }
  return { eContentType, eContent, digestAlgorithms, signers, signerDetails, certificates };
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

function parseSignerInfo(node: Asn1Node): ParsedSignerInfo {
  const f = expectSequence(node, 'a SignerInfo');
  let i = 0;
  const version = readSmallInteger(f[i++], 'the SignerInfo version');
  const sidNode = f[i++];
  let sid: ParsedSignerInfo['sid'];
  if (isUniversal(sidNode, Tag.sequence)) {
    const [issuer, serial] = childrenOf(sidNode);
    if (!isUniversal(issuer, Tag.sequence) || !isUniversal(serial, Tag.integer)) {
      throw new SignetError('malformed-asn1', 'The SignerInfo issuerAndSerialNumber is malformed.');
    }
    sid = { kind: 'issuerAndSerialNumber', issuer: issuer!, serial: primitiveContent(serial) };
  } else if (sidNode && isContext(sidNode, 0) && !sidNode.idBlock.isConstructed) {
    sid = { kind: 'subjectKeyIdentifier', keyId: primitiveContent(sidNode) };
  } else {
    throw new SignetError('malformed-asn1', 'The SignerInfo has no valid signer identifier.');
  }
  if (version !== 1 && version !== 3) throw new SignetError('malformed-asn1', `SignerInfo version ${version} is not defined.`);
  const digestAlgorithmOid = readAlgorithmIdentifier(f[i++], 'the SignerInfo digestAlgorithm').oid;
  let signedAttrs: Asn1Node | null = null;
  if (isContext(f[i], 0)) signedAttrs = f[i++]!;
  const signatureAlgorithm = parseSignatureAlgorithm(readAlgorithmIdentifier(f[i++], 'the SignerInfo signatureAlgorithm'));
  const signature = readOctetString(f[i++], 'the signature value');
  const unsignedAttrs = isContext(f[i], 1) ? f[i]! : null;
  return { sid, digestAlgorithmOid, signedAttrs, signatureAlgorithm, signature, unsignedAttrs };
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

async function verifySigner(
  si: ParsedSignerInfo,
  ctx: SignerContext,
  provider: CryptoProvider,
): Promise<{ report: SignerReport; detail: SignerDetail }> {
  const { config } = ctx;
  // Problems that make the signature itself unacceptable ('invalid'), most decisive first.
  const problems: [TrustCode, string][] = [];

  const cert =
    si.sid.kind === 'issuerAndSerialNumber'
      ? findByIssuerSerial(ctx.pool, si.sid.issuer, si.sid.serial)
      : ctx.pool.find((c) => c.subjectKeyId && equalBytes(c.subjectKeyId, (si.sid as { keyId: Uint8Array }).keyId));

  const digestName = digestFromOid(si.digestAlgorithmOid);
  // Issue 12: a hash refused by policy (SHA-1, MD5) does not stop the check. The digest and the signature
  // are computed anyway, so an intact signature ('outdated-algorithm') is told apart from tampering.
  const digestPolicy = hashProblem(digestName, config);
  const digestOutdated = digestPolicy?.code === 'insecure-algorithm';
  if (digestPolicy && !digestOutdated) problems.push([digestPolicy.code, digestPolicy.reason]);
  let outdated: string | null = digestOutdated ? digestPolicy.reason : null;
  let resolved = resolveVerifyAlgorithm(si.signatureAlgorithm, digestName, config);
  if (isAlgorithmProblem(resolved) && resolved.code === 'insecure-algorithm') {
    outdated ??= resolved.reason;
    resolved = resolveVerifyAlgorithm(si.signatureAlgorithm, digestName, OUTDATED_CHECK);
  }
  // MD5 with RSA: WebCrypto has none, so the legacy module checks it (only to report it as outdated).
  const md5Rsa = outdated !== null && si.signatureAlgorithm.kind === 'rsa-pkcs1' && (si.signatureAlgorithm.hash ?? digestName) === 'MD5';
  if (isAlgorithmProblem(resolved) && !md5Rsa) problems.push([resolved.code, resolved.reason]);
  if (!cert) problems.push(['no-certificate', "The signer's certificate is not in the message."]);
  if (cert && !keyMeetsPolicy(cert.publicKey, config)) {
    problems.push(['weak-key', `The signer's key (${cert.publicKey.description}) is too short to be trusted.`]);
  }

  // Signed attributes (RFC 5652 §5.3): contentType and messageDigest are mandatory when present at all.
  let attrs: Attribute[] = [];
  let signingTime: Date | null = null;
  let signedBytes: Uint8Array = ctx.content;
  if (si.signedAttrs) {
    attrs = readAttributes(si.signedAttrs);
    signedBytes = retag(encodingOf(si.signedAttrs), 0x31);
    const ct = singleAttributeValue(attrs, OID.contentType);
    const md = singleAttributeValue(attrs, OID.messageDigest);
    if (!ct || readOid(ct) !== ctx.eContentType) {
      problems.push(['bad-signature', 'The signed content type does not match the content.']);
    }
    const st = singleAttributeValue(attrs, OID.signingTime);
    if (st) {
      try {
        signingTime = readTime(st, 'the signing time');
      } catch {
        problems.push(['bad-signature', 'The signing time attribute is malformed.']);
      }
    }
    if (!md) {
      problems.push(['bad-signature', 'The signature has no message digest attribute.']);
    } else if (digestName && (!digestPolicy || digestOutdated)) {
      const expected = readOctetString(md, 'the message digest');
      if (!equalBytes(expected, await ctx.digestOf(digestName))) {
        problems.push(['digest-mismatch', 'The content was changed after it was signed.']);
      }
    }
  } else if (ctx.eContentType !== OID.data) {
    // RFC 5652 §5.3: any content type other than id-data requires signed attributes.
    problems.push(['bad-signature', 'A signature over non-data content has no signed attributes.']);
  }

  let signatureOk = false;
  if (cert && (md5Rsa || !isAlgorithmProblem(resolved))) {
    ctx.budget.chargeSignatureCheck();
    if (md5Rsa) {
      signatureOk = cert.publicKey.type === 'rsa' && verifyMd5WithRsa(cert.publicKey.der, signedBytes, si.signature);
    } else if (!isAlgorithmProblem(resolved)) {
      try {
        signatureOk = await verifyWithPublicKey(cert.publicKey, resolved.algorithm, signedBytes, si.signature, provider);
      } catch (e) {
        if (!(e instanceof SignetError && e.code === 'unsupported-algorithm')) throw e;
        problems.push(['unsupported-algorithm', e.message]);
      }
    }
    if (!signatureOk && !problems.some(([c]) => c === 'unsupported-algorithm')) {
      // A broken signature outranks a digest mismatch: the attributes themselves are not authentic.
      problems.unshift(['bad-signature', 'The signature does not verify with the signer\'s certificate.']);
    }
  }

  const chainResult = cert
    ? await validateChain(
        cert,
        { anchors: ctx.anchors, intermediates: ctx.pool, at: ctx.at, signingTime, config, purpose: 'email-signing', aia: ctx.fetch ? { fetch: ctx.fetch } : null, budget: ctx.budget },
        provider,
      )
    : null;

  // Revocation (RFC 5280 §6.3, RFC 6960) of the chosen path, only for an intact signature on a path that
  // reaches a trust anchor (see pki/revocation/index.ts for why, and for the policy).
  let revocation: RevocationResult | null = null;
  if (ctx.revocation && chainResult?.anchored && problems.length === 0 && chainResult.status !== 'invalid') {
    revocation = await checkRevocation(
      chainResult.chain.map((l) => l.certificate),
      {
        fetch: ctx.revocation.fetch,
        cache: ctx.revocation.cache,
        now: ctx.revocation.now,
        at: ctx.at,
        mode: config.revocationMode,
        timeoutMs: config.revocationTimeoutMs,
        config,
        stapled: ctx.stapled,
        signingTime,
      },
      provider,
    );
  }

  // The signing time (issue 13): a claim by the signer's software. Never in the future beyond the clock
  // skew, and every certificate of the path must have been valid then (chain.ts marks the links).
  const future = signingTime !== null && signingTime.getTime() > ctx.at.getTime() + config.signingTimeFutureSkewSeconds * 1000;
  const outsideValidity = signingTime !== null && chainResult !== null && chainResult.chain.some((l) => !validAt(l.certificate, signingTime));
  // Presented as a fact only when the attributes are authentic and the time possible.
  const acceptedSigningTime = signingTime !== null && signatureOk && !future && !outsideValidity ? signingTime : null;

  let status: SignerReport['status'];
  let code: TrustCode;
  let reason: string;
  if (problems.length > 0) {
    status = 'invalid';
    [code, reason] = pickProblem(problems);
  } else if (chainResult) {
    status = chainResult.status;
    code = chainResult.code;
    reason = chainResult.reason;
    // Revoked outranks expired and untrusted; an unknown revocation status fails only in hard mode.
    const failed = revocation ? revocationFailure(revocation, config) : null;
    if (revocation && failed && (status === 'valid' || worseChainStatus(status as ChainStatus, failed) !== status)) {
      status = worseChainStatus(status as ChainStatus, failed);
      code = revocation.code as TrustCode;
      reason = revocation.reason;
    }
    // A future signingTime is an 'expired'-class failure; a chain already failing in time keeps its own code.
    if (future && status !== 'expired' && worstStatus(status, 'expired') === 'expired') {
      status = 'expired';
      code = 'signing-time-future';
      reason = `The signature claims to have been made on ${signingTime!.toISOString()}, which is in the future.`;
    }
    // The least severe failure: every other outcome that applies wins over it (verdict.ts STATUS_SEVERITY).
    if (outdated !== null && status === 'valid') {
      status = 'outdated-algorithm';
      code = 'insecure-algorithm';
      reason = `The content matches what was signed, but ${outdated.charAt(0).toLowerCase()}${outdated.slice(1)} A determined attacker can forge such a signature.`;
    }
  } else {
    status = 'invalid';
    code = 'no-certificate';
    reason = "The signer's certificate is not in the message.";
  }

  const chain = chainResult
    ? await Promise.all(chainResult.chain.map((l) => describeCertificate(l.certificate, provider, { status: l.status, isTrustAnchor: l.isTrustAnchor })))
    : [];
  revocation?.certificates.forEach((r, i) => {
    const link = chain[i];
    if (!r || !link) return;
    link.revocation = r.evidence;
    // The link that failed shows why: 'revoked' always, 'revocation-unknown' when the mode makes it fail.
    const linkFailure = revocationFailure({ code: r.code }, config);
    if (linkFailure && (link.status === 'ok' || r.code === 'revoked')) link.status = r.code as TrustCode;
  });
  // The signer's own key problem belongs on its certificate in the chain view too.
  const keyProblem = problems.find(([c]) => c === 'weak-key');
  if (keyProblem && chain[0]?.status === 'ok') chain[0].status = 'weak-key';
  const capabilities = readCapabilities(attrs);
  const hashLabel = isAlgorithmProblem(resolved) ? null : resolved.hash.replace('-', '');
  const encryptionCert = cert ? encryptionCertificate(attrs, cert, ctx.pool, config.limits) : null;
  const sidIssuer = si.sid.kind === 'issuerAndSerialNumber' ? safeFormatName(si.sid.issuer) : '';
  const report: SignerReport = {
    status,
    code,
    email: cert?.emails[0] ?? null,
    emails: cert ? [...cert.emails] : [],
    name: cert ? commonName(cert.subject) : null,
    subject: cert ? formatName(cert.subject) : '',
    issuer: cert ? formatName(cert.issuer) : sidIssuer,
    serialNumber: cert ? serialToHex(cert.serialNumber) : si.sid.kind === 'issuerAndSerialNumber' ? serialToHex(si.sid.serial) : '',
    sha256: cert ? await fingerprint(cert.der, 'SHA-256', provider) : '',
    notBefore: cert ? cert.notBefore.toISOString() : '',
    notAfter: cert ? cert.notAfter.toISOString() : '',
    signingTime: acceptedSigningTime ? acceptedSigningTime.toISOString() : null,
    claimedSigningTime: signingTime && !acceptedSigningTime ? signingTime.toISOString() : null,
    digestAlgorithm: digestName ?? oidName(si.digestAlgorithmOid),
    signatureAlgorithm: displaySignatureAlgorithm(si.signatureAlgorithm, hashLabel),
    chain,
    capabilities: capabilities.map(capabilityName),
    ...(cert && encryptionCert && !equalBytes(encryptionCert, cert.der) ? { encryptionCertificate: toBase64(encryptionCert) } : {}),
    reason,
  };
  return {
    report,
    detail: {
      certificate: cert?.der ?? null,
      encryptionCertificate: encryptionCert,
      capabilities,
      signingTime: acceptedSigningTime,
    },
  };
}

/** The policy used only to check the math of a signature whose hash the real policy refuses. */
const OUTDATED_CHECK = { allowInsecureSha1: true, allowInsecureMd5: true } as const;

/** The status a revocation outcome forces: 'revoked', 'untrusted' for an unknown status in hard mode, else none. */
function revocationFailure(r: Pick<RevocationResult, 'code'>, config: SignetConfig): ChainStatus | null {
  if (r.code === 'revoked') return 'revoked';
  if (r.code === 'revocation-unknown' && config.revocationMode === 'hard') return 'untrusted';
  return null;
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

/**
 * Parsed trust anchors, by DER buffer: the task pane verifies every message against the same ~110 built-in
 * roots, and parsing them costs ~50 ms each time (bench/pane-latency.ts). A Certificate is never changed
 * after parsing, and the entry is dropped with its buffer (WeakMap); other limits parse afresh.
 */
const anchorCache = new WeakMap<Uint8Array, { limits: string; cert: Certificate }>();

function parseAnchors(ders: readonly Uint8Array[], limits: Asn1Limits): Certificate[] {
  const key = JSON.stringify(limits);
  return ders.map((der) => {
    const hit = anchorCache.get(der);
    if (hit && hit.limits === key) return hit.cert;
    const cert = parseCertificate(der, limits);
    anchorCache.set(der, { limits: key, cert });
    return cert;
  });
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
