// Opens a received message layer by layer (RFC 8551 §3: multipart/signed, application/pkcs7-mime
// signed-data, enveloped-data and authEnveloped-data) and returns one Verdict (ARCHITECTURE.md) plus the
// innermost content. The layer walk enforces the security rules of ARCHITECTURE.md:
//  1. only a signature on the message root, or on the root of a layer that was opened, counts (MIME
//     wrapping: a signed part below an unsigned multipart is not a signed message);
//  2. eContent confusion and opaque signed-data of another content type are refused;
//  3. every signer is reported and must verify;
//  4. the decisive signer's certificate address must equal the single From address;
//  7. only the root (or the content of one outer signature) is decrypted, never sub-parts (reply
//     oracle); CBC content without an inner valid signature is marked not integrity-protected.
// A root that is not signed may still contain a signed part (a mailing list wrapped the original
// multipart/signed and added a footer): the message stays 'unsigned' (rule 1), and each such part is
// reported in `enclosedSigned`, opened as if it were the root with the outer From and Date, without any
// decryption, within a bounded search (ENCLOSED_*) and the same per-message S/MIME layer limit.


import { resolveConfig, type ConfigOverrides, type SignetConfig } from '../config.js';
import { cryptoProvider, type CryptoProvider } from '../crypto.js';
import { SignetError, toSignetError, type ErrorCode } from '../errors.js';
import type { Identity } from '../keys.js';
import { OID } from '../oids.js';
import { peekContentType } from '../cms/content-type.js';
import { verifySignedData, type VerifyOptions } from '../cms/verify.js';
import { decryptContent } from '../cms/decrypt.js';
import { WorkBudget } from '../budget.js';
import { assertDecryptedEntity } from './decrypt-message.js';
import { parseMime } from '../mime/parser.js';
import type { MimeEntity } from '../mime/entity.js';
import { toCanonical } from '../mime/canonicalize.js';
import { singleFromAddress, sameAddress, type FromResult } from '../mime/address.js';
import {
  worstStatus,
  type Layer,
  type SignerReport,
  type Verdict,
  type VerdictStatus,
} from '../verdict.js';
import { summarize } from './summary.js';
import { applyHeaderProtection } from './protected-headers.js';
import { MemoryRevocationCache, type RevocationCache } from '../pki/revocation/index.js';

export interface OpenOptions {
  /** Our private keys, for decryption. */
  identities?: Identity[];
  /** Trust anchors (DER). */
  anchors: Uint8Array[];
  /** Certificates to help path building (intermediates), DER. */
  extraCertificates?: Uint8Array[];
  /** Validation time; default now. */
  at?: Date;
  /** Skip network revocation checks (and say so in the Verdict). */
  offline?: boolean;
  /**
   * Network access for revocation (OCSP, CRL) and for AIA caIssuers (missing intermediates). Absent, or
   * with `offline`, nothing is fetched.
   */
  fetch?: typeof fetch;
  /**
   * Verified revocation answers kept until their nextUpdate (pki/revocation/cache.ts). Pass one that lives
   * as long as the process or the task pane; by default each call starts with an empty one.
   */
  revocationCache?: RevocationCache;
  config?: ConfigOverrides | SignetConfig;
  provider?: CryptoProvider;
}

export interface OpenResult {
  verdict: Verdict;
  /** The innermost MIME entity the verdict covers (decrypted and unwrapped), or null when not reached. */
  content: Uint8Array | null;
  /**
   * For each `verdict.enclosedSigned[i]`, the MIME entity that enclosed signature covers (same order), or
   * null when it was not reached: for the pane to show it apart from the unsigned message around it.
   */
  enclosedContent: (Uint8Array | null)[];
}

/** Deepest level (child of the root = 1) searched for enclosed signed parts: wrappers add one or two. */
const ENCLOSED_MAX_DEPTH = 4;
/** Most enclosed signed parts opened per message: each costs a signature check and a path search. */
const ENCLOSED_MAX_PARTS = 4;

/** What one walk may do: the whole message, or (`outer` set) a part found inside it. */
interface Scope {
  /** For an enclosed part: the outer message's From and Date stand in for the part's own headers. */
  outer: { from: FromResult; date: string | undefined } | null;
  /** Counted across the whole message: S/MIME layers opened so far (config.limits.maxSmimeLayers). */
  work: { layers: number };
}

interface SignedStep {
  layerIndex: number;
  signers: SignerReport[];
  /** A signature over an encrypted layer proves nothing about the plaintext's author. */
  ignored: boolean;
  error: { code: ErrorCode; message: string } | null;
}

type Classified =
  | { kind: 'multipart-signed'; content: MimeEntity; signature: MimeEntity }
  | { kind: 'pkcs7'; der: Uint8Array }
  | { kind: 'plain' };

const PKCS7_MIME = new Set(['application/pkcs7-mime', 'application/x-pkcs7-mime']);
const PKCS7_SIG = new Set(['application/pkcs7-signature', 'application/x-pkcs7-signature']);

function classify(entity: MimeEntity): Classified {
  const type = entity.contentType.type;
  if (type === 'multipart/signed') {
    const protocol = (entity.contentType.params['protocol'] ?? '').toLowerCase();
    if (!PKCS7_SIG.has(protocol)) return { kind: 'plain' }; // e.g. PGP/MIME: not ours
    if (entity.children.length !== 2) {
      throw new SignetError('malformed-mime', 'A multipart/signed message must have exactly two parts.');
    }
    return { kind: 'multipart-signed', content: entity.children[0]!, signature: entity.children[1]! };
  }
  const name = (entity.contentType.params['name'] ?? '').toLowerCase();
  if (PKCS7_MIME.has(type) || (type === 'application/octet-stream' && name.endsWith('.p7m'))) {
    return { kind: 'pkcs7', der: entity.decodeBody() };
  }
  return { kind: 'plain' };
}

/** The refused hash ("SHA-1", "MD5") of the signer that made the Verdict 'outdated-algorithm', for its sentence. */
function outdatedHash(v: Verdict): string | null {
  const s = v.signers.find((x) => x.status === 'outdated-algorithm') ?? v.signer;
  if (!s) return null;
  if (s.digestAlgorithm === 'SHA-1' || s.digestAlgorithm === 'MD5') return s.digestAlgorithm;
  if (/SHA-?1(?!\d)/i.test(s.signatureAlgorithm)) return 'SHA-1';
  if (/MD5/i.test(s.signatureAlgorithm)) return 'MD5';
  return null;
}

function addressMatches(signer: SignerReport, from: string): boolean {
  return signer.emails.some((e) => sameAddress(e, from));
}

function emptyVerdict(at: Date, revocation: Verdict['revocation']): Verdict {
  return {
    enclosedSigned: [],
    status: 'unsigned',
    summary: '',
    code: null,
    layers: [],
    signer: null,
    signers: [],
    from: null,
    warnings: [],
    checkedAt: at.toISOString(),
    revocation,
    error: null,
  };
}

export async function openMessage(message: Uint8Array, openOptions: OpenOptions): Promise<OpenResult> {
  const config = resolveConfig(openOptions.config ?? {});
  // One work budget for the whole message (config.ts): every layer, signer, path, fetch and enclosed part
  // draws on it.
  const budget = new WorkBudget(config.limits);
  const options: BudgetedOptions = { ...openOptions, budget, ...(openOptions.fetch ? { fetch: budget.wrapFetch(openOptions.fetch) } : {}) };
  const result = await openWalk(message, options, { outer: null, work: { layers: 0 } });
  // RFC 9788 header protection, read from the innermost entity the walk reached (protected-headers.ts).
  applyHeaderProtection(result.verdict, message, result.content, config);
  return result;
}

type BudgetedOptions = OpenOptions & { budget: WorkBudget };

async function openWalk(message: Uint8Array, options: BudgetedOptions, scope: Scope): Promise<OpenResult> {
  const config = resolveConfig(options.config ?? {});
  const provider = options.provider ?? cryptoProvider();
  const at = options.at ?? new Date();
  // Revocation is checked when the caller gives network access and did not ask for offline.
  const revocationState: Verdict['revocation'] = options.offline === true ? 'offline' : options.fetch ? 'checked' : 'not-configured';
  const revocation =
    revocationState === 'checked' ? { fetch: options.fetch!, cache: options.revocationCache ?? new MemoryRevocationCache() } : null;
  const verdict = emptyVerdict(at, revocationState);
  const finish = (status: VerdictStatus, code: Verdict['code'], content: Uint8Array | null, enclosedContent: (Uint8Array | null)[] = []): OpenResult => {
    verdict.status = status;
    verdict.code = code;
    const encrypted = verdict.layers.some((l) => l.kind === 'encrypted' && l.status === 'decrypted');
    verdict.summary = summarize(status, code, verdict.signer?.email ?? null, verdict.from, encrypted, outdatedHash(verdict));
    if (verdict.revocation === 'offline') {
      verdict.warnings.push({ code: 'revocation-not-checked', message: 'Revocation was not checked (offline).' });
    }
    // A named revocation source gave no usable answer: visible in soft mode (the status is unchanged) and
    // kept as an explanation in hard mode (where the status already says 'untrusted').
    if (verdict.signers.some((s) => s.chain.some((c) => c.revocation?.status === 'unknown'))) {
      verdict.warnings.push({
        code: 'revocation-unknown',
        message: 'Whether a certificate in the chain has been revoked could not be checked (the revocation service gave no usable answer).',
      });
    }
    return { verdict, content, enclosedContent };
  };

  let root: MimeEntity;
  try {
    if (message.length > config.limits.maxMessageBytes) {
      throw new SignetError('limit-exceeded', `The message is larger than ${config.limits.maxMessageBytes} bytes.`);
    }
    root = parseMime(message, config.limits);
  } catch (e) {
    const err = toSignetError(e, 'malformed-mime');
    verdict.error = err.toJSON();
    return finish('malformed', err.code, null);
  }
  const fromResult = scope.outer ? scope.outer.from : singleFromAddress(root);
  verdict.from = fromResult.ok ? fromResult.address : null;

  const steps: SignedStep[] = [];
  let entity = root;
  let content: Uint8Array | null = root.raw;
  let decryptionFailure: { code: ErrorCode; message: string } | null = null;
  let cbcUnprotected = false;

  try {
    for (;;) {
      // Counted per message: enclosed parts share the root's allowance (ARCHITECTURE.md rule 9).
      if (scope.work.layers >= config.limits.maxSmimeLayers) {
        throw new SignetError('limit-exceeded', `More than ${config.limits.maxSmimeLayers} S/MIME layers.`);
      }
      const c = classify(entity);
      if (c.kind === 'plain') break;
      scope.work.layers++;
      if (c.kind === 'multipart-signed') {
        // RFC 8551 §3.1.1: the signature covers the canonical (CRLF) form of the first part, exactly. A file
        // saved with bare LF is canonicalized first; if that does not match but the raw bytes differ, the
        // signer may have signed a binary part as-is, so the exact received bytes get one more try.
        const signatureDer = c.signature.decodeBody();
        let signedBytes = toCanonical(c.content.raw);
        let step = await verifyLayer(signatureDer, signedBytes, 'multipart-signed', options, config, provider, verdict, revocation);
        if (signedBytes !== c.content.raw && step.signers.some((sg) => sg.code === 'digest-mismatch')) {
          const first = verdict.layers.pop()!;
          const exact = await verifyLayer(signatureDer, c.content.raw, 'multipart-signed', options, config, provider, verdict, revocation);
          if (exact.signers.length > 0 && exact.signers.every((sg) => sg.code !== 'digest-mismatch')) {
            step = exact;
            signedBytes = c.content.raw;
          } else {
            verdict.layers.pop();
            verdict.layers.push(first);
          }
        }
        steps.push(step);
        entity = parseMime(signedBytes, config.limits);
        content = signedBytes;
        continue;
      }
      // application/pkcs7-mime: trust the ContentInfo, not the smime-type parameter (mislabelled mail exists).
      const ci = { contentType: peekContentType(c.der) };
      if (ci.contentType === OID.signedData) {
        const step = await verifyLayer(c.der, undefined, 'opaque', options, config, provider, verdict, revocation);
        steps.push(step);
        if (step.error || step.eContent === null) break;
        entity = parseMime(step.eContent, config.limits);
        content = step.eContent;
        // Thunderbird compatibility (its test_smime_decrypt.js expectations): opaque signed-data directly
        // inside opaque signed-data is the signed object's content, like an attachment, not a further layer.
        const inner = classify(entity);
        if (inner.kind === 'pkcs7' && peekContentType(inner.der) === OID.signedData) break;
        continue;
      }
      if (ci.contentType === OID.envelopedData || ci.contentType === OID.authEnvelopedData) {
        // Rule 7: decrypt the message root, or the content of a single outer signature (encrypt-then-sign),
        // never an encrypted layer found deeper (that would make us a decryption oracle for a forwarder).
        const atRoot = verdict.layers.length === 0;
        const underOneSignature = verdict.layers.length === 1 && steps.length === 1;
        if (!atRoot && !underOneSignature) {
          verdict.warnings.push({ code: 'outer-signature-ignored', message: 'An encrypted part below other layers was not opened.' });
          break;
        }
        if (underOneSignature) {
          steps[0]!.ignored = true;
          verdict.warnings.push({
            code: 'outer-signature-ignored',
            message: 'A signature over encrypted data says nothing about who wrote the content, so it was not used.',
          });
        }
        const contentType = ci.contentType === OID.authEnvelopedData ? 'auth-enveloped-data' : 'enveloped-data';
        if (scope.outer) {
          // An enclosed part is never decrypted: it is not the message root (rule 7, reply oracle).
          decryptionFailure = { code: 'encrypted-subpart', message: 'An encrypted part inside the message is never opened.' };
          verdict.layers.push({ kind: 'encrypted', contentType, cipher: 'unknown', integrityProtected: false, recipients: 0, keyManagement: [], status: 'decryption-failed' });
          content = null;
          break;
        }
        if (!options.identities || options.identities.length === 0) {
          decryptionFailure = { code: 'no-private-key', message: 'The message is encrypted and no private key was given.' };
          verdict.layers.push({ kind: 'encrypted', contentType, cipher: 'unknown', integrityProtected: false, recipients: 0, keyManagement: [], status: 'decryption-failed' });
          content = null;
          break;
        }
        try {
          const d = await decryptContent(c.der, options.identities, provider, config.limits, options.budget);
          assertDecryptedEntity(d.content, config.limits); // random bytes from a wrong key are not content
          verdict.layers.push({
            kind: 'encrypted',
            contentType: d.contentType,
            cipher: d.cipher,
            integrityProtected: d.integrityProtected,
            recipients: d.recipients,
            keyManagement: d.keyManagement,
            status: 'decrypted',
          });
          cbcUnprotected = !d.integrityProtected;
          if (d.cipher === '3DES-CBC') {
            verdict.warnings.push({ code: 'legacy-cipher', message: 'The sender used 3DES, an outdated cipher; ask them to update their mail program.' });
          }
          entity = parseMime(d.content, config.limits);
          content = d.content;
          continue;
        } catch (e) {
          const err = toSignetError(e, 'decryption-failed');
          decryptionFailure = err.toJSON();
          verdict.layers.push({ kind: 'encrypted', contentType, cipher: 'unknown', integrityProtected: false, recipients: 0, keyManagement: [], status: 'decryption-failed' });
          content = null;
          break;
        }
      }
      throw new SignetError('not-smime', `Unexpected CMS content type ${ci.contentType}.`);
    }
  } catch (e) {
    const err = toSignetError(e, 'malformed-asn1');
    verdict.error = err.toJSON();
    return finish('malformed', err.code, null);
  }

  if (decryptionFailure) {
    verdict.error = decryptionFailure;
    return finish('decryption-failed', decryptionFailure.code, null);
  }

  // The decisive signature is the outermost one that is not ignored; inner ones still count for integrity.
  const counted = steps.filter((s) => !s.ignored);
  if (counted.length === 0) {
    if (cbcUnprotected) {
      verdict.warnings.push({ code: 'not-integrity-protected', message: 'The encryption used (CBC) does not detect changes, and no signature inside covers the content.' });
    }
    if (steps.length > 0 && steps.every((s) => s.ignored) && verdict.signers.length === 0) {
      verdict.signers = steps.flatMap((s) => s.signers);
    }
    if (scope.outer) return finish('unsigned', null, content);
    // Rule 1 stands: the message is not signed. Say what is signed inside it, if anything.
    const enclosedContent: (Uint8Array | null)[] = [];
    for (const found of findEnclosedSigned(entity)) {
      const inner = await openWalk(found.entity.raw, { ...options, identities: [] }, { outer: { from: fromResult, date: root.header('date') }, work: scope.work });
      verdict.enclosedSigned.push({ path: found.path, verdict: inner.verdict });
      enclosedContent.push(inner.content);
    }
    if (verdict.enclosedSigned.length > 0) {
      verdict.warnings.push({
        code: 'enclosed-signed-part',
        message:
          'The message itself is not signed, but a part inside it is (for example, a mailing list added a footer around a signed message). ' +
          'The signature covers only that part, not the text around it.',
      });
    }
    return finish('unsigned', null, content, enclosedContent);
  }
  // Every signature the verdict covers must bind to From (rule 4): an inner signer who is not the sender
  // would otherwise lend their valid signature to someone else's message (nested-signature forgery).
  const dateHeader = scope.outer ? scope.outer.date : root.header('date');
  const parsedDate = dateHeader ? new Date(dateHeader) : null;
  const messageDate = parsedDate && !Number.isNaN(parsedDate.getTime()) ? parsedDate : null;
  if (messageDate === null) {
    // Decision (README, "Trust decisions"): without a readable Date there is no unsigned date to compare,
    // so no replay check against it; the signing time is still checked against the validation time (not
    // in the future) and against every certificate's validity, and the reader is told.
    verdict.warnings.push({
      code: 'date-missing',
      message:
        'The message has no readable Date header, so its date could not be compared with the signing time; only the signing time itself was checked (not in the future, within the certificates\' validity).',
    });
  }
  let status: VerdictStatus = 'valid';
  let code: Verdict['code'] = null;
  const bound: SignerReport[][] = [];
  for (const step of counted) {
    if (step.error) {
      if (status !== 'invalid') code = step.error.code;
      status = worstStatus(status, 'invalid');
      verdict.error ??= step.error;
    }
    const signers = step.signers.map((s) => checkDate(bindSender(s, fromResult.ok ? fromResult.address : null), messageDate, config));
    bound.push(signers);
    for (const s of signers) {
      const next = worstStatus(status, s.status);
      if (next !== status) code = s.code;
      status = next;
    }
  }
  const decisiveSigners = bound[0] ?? [];
  verdict.signers = bound.flat();
  verdict.signer = decisiveSigners[0] ?? null;
  if (cbcUnprotected && status !== 'valid') {
    verdict.warnings.push({ code: 'not-integrity-protected', message: 'The encryption used (CBC) does not detect changes, and no valid signature inside covers the content.' });
  }
  return finish(status, status === 'valid' ? null : code, content);
}

/**
 * The Date header is outside the signature; a signer's signingTime far from it means the message was
 * re-dated (a replay of an old signed message made to look new). Thunderbird refuses these too.
 */
function checkDate(s: SignerReport, messageDate: Date | null, config: SignetConfig): SignerReport {
  if ((s.status !== 'valid' && s.status !== 'outdated-algorithm') || !s.signingTime || !messageDate) return s;
  const skew = Math.abs(new Date(s.signingTime).getTime() - messageDate.getTime()) / 1000;
  if (skew <= config.maxSigningTimeSkewSeconds) return s;
  return { ...s, status: 'invalid', code: 'date-mismatch', reason: 'The message date differs from the time it was signed.' };
}

function bindSender(s: SignerReport, from: string | null): SignerReport {
  // An intact signature with an outdated hash is bound too: a mismatch is the more severe finding.
  if (s.status !== 'valid' && s.status !== 'outdated-algorithm') return s;
  if (s.emails.length === 0) return { ...s, status: 'sender-mismatch', code: 'no-email', reason: "The signer's certificate names no email address." };
  if (from === null || !addressMatches(s, from)) {
    return { ...s, status: 'sender-mismatch', code: 'sender-mismatch', reason: 'The signer is not the sender shown in From.' };
  }
  const matching = s.emails.find((e) => sameAddress(e, from));
  return { ...s, email: matching ?? s.email };
}

/**
 * Signed parts below an unsigned root, depth first in document order: multipart/signed (CMS protocol) and
 * application/pkcs7-mime signed-data. A found part is not searched further; encrypted parts are skipped
 * (never decrypted, rule 7); at most ENCLOSED_MAX_PARTS, at most ENCLOSED_MAX_DEPTH levels down.
 */
function findEnclosedSigned(root: MimeEntity): { path: number[]; entity: MimeEntity }[] {
  const found: { path: number[]; entity: MimeEntity }[] = [];
  const walk = (e: MimeEntity, path: number[]): void => {
    e.children.forEach((child, i) => {
      if (found.length >= ENCLOSED_MAX_PARTS) return;
      const p = [...path, i];
      const kind = enclosedKind(child);
      if (kind === 'signed') found.push({ path: p, entity: child });
      else if (kind === 'container' && p.length < ENCLOSED_MAX_DEPTH) walk(child, p);
    });
  };
  walk(root, []);
  return found;
}

function enclosedKind(e: MimeEntity): 'signed' | 'container' | 'other' {
  const type = e.contentType.type;
  if (type === 'multipart/signed') {
    return PKCS7_SIG.has((e.contentType.params['protocol'] ?? '').toLowerCase()) ? 'signed' : 'container';
  }
  const name = (e.contentType.params['name'] ?? '').toLowerCase();
  if (PKCS7_MIME.has(type) || (type === 'application/octet-stream' && name.endsWith('.p7m'))) {
    try {
      return peekContentType(e.decodeBody()) === OID.signedData ? 'signed' : 'other';
    } catch {
      return 'other';
    }
  }
  return e.children.length > 0 ? 'container' : 'other';
}

async function verifyLayer(
  signatureDer: Uint8Array,
  detached: Uint8Array | undefined,
  format: 'multipart-signed' | 'opaque',
  options: OpenOptions & { budget?: WorkBudget },
  config: SignetConfig,
  provider: CryptoProvider,
  verdict: Verdict,
  revocation: VerifyOptions['revocation'],
): Promise<SignedStep & { eContent: Uint8Array | null }> {
  const layerIndex = verdict.layers.length;
  const layer: Layer = { kind: 'signed', format, digestAlgorithms: [], signers: 0, status: 'invalid' };
  verdict.layers.push(layer);
  try {
    const r = await verifySignedData(
      signatureDer,
      {
        detachedContent: detached,
        anchors: options.anchors,
        extraCertificates: options.extraCertificates ?? [],
        at: options.at ?? new Date(),
        config,
        fetch: options.offline ? undefined : options.fetch,
        revocation,
        budget: options.budget,
      },
      provider,
    );
    layer.digestAlgorithms = r.digestAlgorithms;
    layer.signers = r.signers.length;
    let st: VerdictStatus = 'valid';
    for (const s of r.signers) st = worstStatus(st, s.status);
    layer.status = st;
    if (format === 'opaque' && r.eContentType !== OID.data) {
      // Rule 2: an opaque signature over something other than id-data is not a signed mail.
      layer.status = 'invalid';
      return { layerIndex, signers: r.signers, ignored: false, error: { code: 'econtent-confusion', message: 'The signed content is not a mail message.' }, eContent: null };
    }
    return { layerIndex, signers: r.signers, ignored: false, error: null, eContent: r.eContent };
  } catch (e) {
    const err = toSignetError(e, 'malformed-asn1');
    // A signature block that cannot even be decoded makes the message malformed, not "invalid".
    if (err.code === 'limit-exceeded' || err.code === 'budget-exceeded' || err.code.startsWith('malformed-')) throw err;
    layer.status = 'invalid';
    return { layerIndex, signers: [], ignored: false, error: err.toJSON(), eContent: null };
  }
}

