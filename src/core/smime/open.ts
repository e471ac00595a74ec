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
import { fromBase64 } from '../bytes.js';
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
  type EnclosedSignedPart,
  type Layer,
  type SignerReport,
  type Verdict,
  type VerdictStatus,
  type Warning,
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
  /**
   * The caller hands `message` over: it reads neither it nor any view on it afterwards, whatever the
   * outcome (the CLI's standard input, the bytes a worker received by transfer). An encrypted root's
   * base64 body is then decoded into its own bytes and AES-CBC content decrypted over its ciphertext
   * (MimeEntity.decodeBodyInPlace, cms/cbc-in-place.ts): the message, its DER and the plaintext share one
   * buffer instead of three, and `content` is a view on it. The Verdict and content are the same.
   */
  consumeMessage?: boolean;
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

type Classified =
  | { kind: 'multipart-signed'; content: MimeEntity; signature: MimeEntity }
  /** `consumed`: `der` was decoded over the entity's own body and may be consumed further (decrypted in place). */
  | { kind: 'pkcs7'; der: Uint8Array; consumed: boolean }
  | { kind: 'plain' };

const PKCS7_MIME = new Set(['application/pkcs7-mime', 'application/x-pkcs7-mime']);
const PKCS7_SIG = new Set(['application/pkcs7-signature', 'application/x-pkcs7-signature']);

/**
 * `consume`: the bytes under `entity` are the caller's to overwrite. Only an encrypted body is then
 * decoded in place — what the walk reads next is its plaintext — never signed-data, whose received bytes
 * may still be shown as the content when its signature cannot count.
 */
function classify(entity: MimeEntity, consume = false): Classified {
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
    if (consume && entity.transferEncoding === 'base64') {
      const head = peekBase64ContentType(entity.bodyBytes);
      if (head === OID.envelopedData || head === OID.authEnvelopedData) return { kind: 'pkcs7', der: entity.decodeBodyInPlace(), consumed: true };
    }
    return { kind: 'pkcs7', der: entity.decodeBody(), consumed: false };
  }
  return { kind: 'plain' };
}

/**
 * The CMS content type at the head of a base64 body, read from a decoded copy of its first characters
 * (enough for the ContentInfo's tag, length and OID); null when they do not read as one.
 */
function peekBase64ContentType(body: Uint8Array): string | null {
  const head: number[] = [];
  for (let i = 0; i < body.length && head.length < 128; i++) {
    const c = body[i]!;
    if (c === 0x0d || c === 0x0a || c === 0x20 || c === 0x09) continue;
    if (c === 0x3d) break;
    head.push(c);
  }
  try {
    return peekContentType(fromBase64(Uint8Array.from(head.slice(0, head.length & ~3))));
  } catch {
    return null;
  }
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

/** What one walk works with: the caller's options, resolved once. */
interface WalkContext {
  options: BudgetedOptions;
  config: SignetConfig;
  provider: CryptoProvider;
  at: Date;
  /** Revocation is checked when the caller gives network access and did not ask for offline. */
  revocationState: Verdict['revocation'];
  revocation: VerifyOptions['revocation'];
}

function walkContext(options: BudgetedOptions): WalkContext {
  const revocationState: Verdict['revocation'] = options.offline === true ? 'offline' : options.fetch ? 'checked' : 'not-configured';
  return {
    options,
    config: resolveConfig(options.config ?? {}),
    provider: options.provider ?? cryptoProvider(),
    at: options.at ?? new Date(),
    revocationState,
    revocation: revocationState === 'checked' ? { fetch: options.fetch!, cache: options.revocationCache ?? new MemoryRevocationCache() } : null,
  };
}

/**
 * One message (or enclosed part) in two steps: the layer walk gathers facts (walkLayers, with the
 * enclosed-part search when the root turned out unsigned), then decideVerdict turns them into the Verdict
 * without doing anything else.
 */
async function openWalk(message: Uint8Array, options: BudgetedOptions, scope: Scope): Promise<OpenResult> {
  const ctx = walkContext(options);
  const parsed = parseRoot(message, ctx.config);
  if ('error' in parsed) {
    const facts: WalkFacts = { layers: [], signatures: [], notes: [], end: { kind: 'malformed', error: parsed.error } };
    return { verdict: decideVerdict(facts, { ctx, from: null, dateHeader: undefined, enclosed: [] }), content: null, enclosedContent: [] };
  }
  const root = parsed.root;
  const from = scope.outer ? scope.outer.from : singleFromAddress(root);
  const dateHeader = scope.outer ? scope.outer.date : root.header('date');
  const facts = await walkLayers(root, ctx, scope);
  // Rule 1 stands for an unsigned root: the message is not signed. Say what is signed inside it, if anything.
  const enclosed =
    facts.end.kind === 'content' && scope.outer === null && countedSignatures(facts).length === 0
      ? await openEnclosed(facts.end.entity, options, { outer: { from, date: dateHeader }, work: scope.work })
      : [];
  const verdict = decideVerdict(facts, { ctx, from: from.ok ? from.address : null, dateHeader, enclosed: enclosed.map((e) => e.part) });
  return { verdict, content: facts.end.kind === 'content' ? facts.end.content : null, enclosedContent: enclosed.map((e) => e.content) };
}

function parseRoot(message: Uint8Array, config: SignetConfig): { root: MimeEntity } | { error: Problem } {
  try {
    if (message.length > config.limits.maxMessageBytes) {
      throw new SignetError('limit-exceeded', `The message is larger than ${config.limits.maxMessageBytes} bytes.`);
    }
    return { root: parseMime(message, config.limits) };
  } catch (e) {
    return { error: toSignetError(e, 'malformed-mime').toJSON() };
  }
}

type Problem = { code: ErrorCode; message: string };

/** One signature met on the walk. */
interface SignedStep {
  /** Its layer's index in `WalkFacts.layers`. */
  layerIndex: number;
  signers: SignerReport[];
  /** Why the signature as a whole cannot count (e.g. rule 2), or null. */
  error: Problem | null;
}

/** Where the walk stopped: at content (the innermost entity reached), or at a failure. */
type WalkEnd =
  | { kind: 'content'; entity: MimeEntity; content: Uint8Array }
  | { kind: 'malformed'; error: Problem }
  | { kind: 'decryption-failed'; error: Problem };

/** Everything the layer walk found, appended as it went and never revised; the Verdict follows from it. */
interface WalkFacts {
  /** Outermost first, as in the Verdict. */
  layers: Layer[];
  signatures: SignedStep[];
  /** Observations made on the way (an encrypted part left closed, a signature over encryption, 3DES), in order. */
  notes: Warning[];
  end: WalkEnd;
}

type Position = { entity: MimeEntity; content: Uint8Array };
/** What opening one layer leads to: the entity inside it, or the end of the walk. */
type LayerOutcome = { next: Position } | { end: WalkEnd };

/**
 * Opens S/MIME layers from the root inwards (RFC 8551 §3) until plain content or a failure. Each layer
 * opener appends its layer, signature and notes to the facts and says where the walk goes next.
 */
async function walkLayers(root: MimeEntity, ctx: WalkContext, scope: Scope): Promise<WalkFacts> {
  const found: Omit<WalkFacts, 'end'> = { layers: [], signatures: [], notes: [] };
  let at: Position = { entity: root, content: root.raw };
  try {
    for (;;) {
      // Counted per message: enclosed parts share the root's allowance (ARCHITECTURE.md rule 9).
      if (scope.work.layers >= ctx.config.limits.maxSmimeLayers) {
        throw new SignetError('limit-exceeded', `More than ${ctx.config.limits.maxSmimeLayers} S/MIME layers.`);
      }
      // Only the root of the message the caller handed over (never an enclosed part) may be consumed.
      const c = classify(at.entity, ctx.options.consumeMessage === true && at.entity === root && scope.outer === null);
      if (c.kind === 'plain') return { ...found, end: { kind: 'content', ...at } };
      scope.work.layers++;
      const outcome = c.kind === 'multipart-signed' ? await openMultipartSigned(c, ctx, found) : await openPkcs7(c.der, c.consumed, at, ctx, scope, found);
      if ('end' in outcome) return { ...found, end: outcome.end };
      at = outcome.next;
    }
  } catch (e) {
    return { ...found, end: { kind: 'malformed', error: toSignetError(e, 'malformed-asn1').toJSON() } };
  }
}

/** Appends a verified signature layer to the facts; a signature block that cannot be decoded ends the walk. */
function recordSignature(found: Omit<WalkFacts, 'end'>, v: VerifiedLayer): void {
  found.layers.push(v.layer);
  if (v.fatal) throw v.fatal;
  found.signatures.push({ layerIndex: found.layers.length - 1, signers: v.signers, error: v.error });
}

async function openMultipartSigned(c: Extract<Classified, { kind: 'multipart-signed' }>, ctx: WalkContext, found: Omit<WalkFacts, 'end'>): Promise<LayerOutcome> {
  const { verified, signedBytes } = await verifyMultipartSigned(c, ctx);
  recordSignature(found, verified);
  return { next: { entity: parseMime(signedBytes, ctx.config.limits), content: signedBytes } };
}

const hasDigestMismatch = (signers: SignerReport[]): boolean => signers.some((s) => s.code === 'digest-mismatch');

/**
 * RFC 8551 §3.1.1: the signature covers the canonical (CRLF) form of the first part, exactly. A file saved
 * with bare LF is canonicalized first; if that does not match but the raw bytes differ, the signer may have
 * signed a binary part as-is, so the exact received bytes get one more try, used only if every signer's
 * digest then matches.
 */
async function verifyMultipartSigned(
  c: Extract<Classified, { kind: 'multipart-signed' }>,
  ctx: WalkContext,
): Promise<{ verified: VerifiedLayer; signedBytes: Uint8Array }> {
  const signatureDer = c.signature.decodeBody();
  const canonical = toCanonical(c.content.raw);
  const first = await verifyLayer(signatureDer, canonical, 'multipart-signed', ctx);
  if (canonical === c.content.raw || !hasDigestMismatch(first.signers)) return { verified: first, signedBytes: canonical };
  const exact = await verifyLayer(signatureDer, c.content.raw, 'multipart-signed', ctx);
  if (exact.fatal) return { verified: exact, signedBytes: c.content.raw };
  const exactMatches = exact.signers.length > 0 && !hasDigestMismatch(exact.signers);
  return exactMatches ? { verified: exact, signedBytes: c.content.raw } : { verified: first, signedBytes: canonical };
}

/** application/pkcs7-mime: trust the ContentInfo, not the smime-type parameter (mislabelled mail exists). */
async function openPkcs7(der: Uint8Array, consumed: boolean, at: Position, ctx: WalkContext, scope: Scope, found: Omit<WalkFacts, 'end'>): Promise<LayerOutcome> {
  const contentType = peekContentType(der);
  if (contentType === OID.signedData) return openOpaqueSigned(der, at, ctx, found);
  if (contentType === OID.envelopedData || contentType === OID.authEnvelopedData) {
    return openEncrypted(der, consumed, contentType === OID.authEnvelopedData ? 'auth-enveloped-data' : 'enveloped-data', at, ctx, scope, found);
  }
  throw new SignetError('not-smime', `Unexpected CMS content type ${contentType}.`);
}

async function openOpaqueSigned(der: Uint8Array, at: Position, ctx: WalkContext, found: Omit<WalkFacts, 'end'>): Promise<LayerOutcome> {
  const v = await verifyLayer(der, undefined, 'opaque', ctx);
  recordSignature(found, v);
  if (v.error || v.eContent === null) return { end: { kind: 'content', ...at } };
  const inner: Position = { entity: parseMime(v.eContent, ctx.config.limits), content: v.eContent };
  // Thunderbird compatibility (its test_smime_decrypt.js expectations): opaque signed-data directly
  // inside opaque signed-data is the signed object's content, like an attachment, not a further layer.
  const c = classify(inner.entity);
  if (c.kind === 'pkcs7' && peekContentType(c.der) === OID.signedData) return { end: { kind: 'content', ...inner } };
  return { next: inner };
}

/**
 * Rule 7: decrypt the message root, or the content of a single outer signature (encrypt-then-sign), never
 * an encrypted layer found deeper (that would make us a decryption oracle for a forwarder), and never in
 * an enclosed part (it is not the message root).
 */
async function openEncrypted(
  der: Uint8Array,
  consumed: boolean,
  contentType: 'enveloped-data' | 'auth-enveloped-data',
  at: Position,
  ctx: WalkContext,
  scope: Scope,
  found: Omit<WalkFacts, 'end'>,
): Promise<LayerOutcome> {
  const atRoot = found.layers.length === 0;
  const underOneSignature = found.layers.length === 1 && found.signatures.length === 1;
  if (!atRoot && !underOneSignature) {
    found.notes.push({ code: 'outer-signature-ignored', message: 'An encrypted part below other layers was not opened.' });
    return { end: { kind: 'content', ...at } };
  }
  if (underOneSignature) {
    // The signature is not counted (see signatureOverEncryption).
    found.notes.push({ code: 'outer-signature-ignored', message: 'A signature over encrypted data says nothing about who wrote the content, so it was not used.' });
  }
  const failed = (error: Problem): LayerOutcome => {
    found.layers.push({ kind: 'encrypted', contentType, cipher: 'unknown', integrityProtected: false, recipients: 0, keyManagement: [], status: 'decryption-failed' });
    return { end: { kind: 'decryption-failed', error } };
  };
  const identities = ctx.options.identities ?? [];
  if (scope.outer) return failed({ code: 'encrypted-subpart', message: 'An encrypted part inside the message is never opened.' });
  if (identities.length === 0) return failed({ code: 'no-private-key', message: 'The message is encrypted and no private key was given.' });
  let d: Awaited<ReturnType<typeof decryptContent>>;
  let entity: MimeEntity;
  try {
    d = await decryptContent(der, identities, ctx.provider, ctx.config.limits, ctx.options.budget, consumed);
    assertDecryptedEntity(d.content, ctx.config.limits); // random bytes from a wrong key are not content
    entity = parseMime(d.content, ctx.config.limits);
  } catch (e) {
    return failed(toSignetError(e, 'decryption-failed').toJSON());
  }
  const { cipher, integrityProtected, recipients, keyManagement } = d;
  found.layers.push({ kind: 'encrypted', contentType: d.contentType, cipher, integrityProtected, recipients, keyManagement, status: 'decrypted' });
  if (cipher === '3DES-CBC') {
    found.notes.push({ code: 'legacy-cipher', message: 'The sender used 3DES, an outdated cipher; ask them to update their mail program.' });
  }
  return { next: { entity, content: d.content } };
}

/** A signature whose content is the encrypted layer (sign-then-encrypt's reverse) proves nothing about the plaintext's author. */
function signatureOverEncryption(facts: Pick<WalkFacts, 'layers'>, step: SignedStep): boolean {
  return step.layerIndex === 0 && facts.layers[1]?.kind === 'encrypted';
}

/** The signatures the Verdict rests on, outermost (decisive) first; inner ones still count for integrity. */
function countedSignatures(facts: Pick<WalkFacts, 'layers' | 'signatures'>): SignedStep[] {
  return facts.signatures.filter((s) => !signatureOverEncryption(facts, s));
}

/** CBC EnvelopedData was decrypted: the content has no integrity protection of its own. */
function cbcUnprotected(facts: Pick<WalkFacts, 'layers'>): boolean {
  return facts.layers.some((l) => l.kind === 'encrypted' && l.status === 'decrypted' && !l.integrityProtected);
}

/** Each signed part below an unsigned root, opened as if it were the root, without any decryption. */
async function openEnclosed(entity: MimeEntity, options: BudgetedOptions, scope: Scope): Promise<{ part: EnclosedSignedPart; content: Uint8Array | null }[]> {
  const opened: { part: EnclosedSignedPart; content: Uint8Array | null }[] = [];
  for (const found of findEnclosedSigned(entity)) {
    const inner = await openWalk(found.entity.raw, { ...options, identities: [] }, scope);
    opened.push({ part: { path: found.path, verdict: inner.verdict }, content: inner.content });
  }
  return opened;
}

interface DecisionContext {
  ctx: Pick<WalkContext, 'config' | 'at' | 'revocationState'>;
  /** The single From addr-spec (the outer message's for an enclosed part), or null. */
  from: string | null;
  dateHeader: string | undefined;
  enclosed: EnclosedSignedPart[];
}

/** The status, code and signers the facts amount to, and the warnings that explain them. */
interface Decision {
  status: VerdictStatus;
  code: Verdict['code'];
  signers: SignerReport[];
  signer: SignerReport | null;
  error: Problem | null;
  warnings: Warning[];
}

/** The Verdict for the walk's facts: a pure function of them (ARCHITECTURE.md rules 1-4, 7). */
function decideVerdict(facts: WalkFacts, dc: DecisionContext): Verdict {
  const d = decide(facts, dc);
  const verdict: Verdict = {
    enclosedSigned: dc.enclosed,
    status: d.status,
    summary: '',
    code: d.code,
    layers: facts.layers,
    signer: d.signer,
    signers: d.signers,
    from: dc.from,
    warnings: [...facts.notes, ...d.warnings, ...revocationWarnings(dc.ctx.revocationState, d.signers)],
    checkedAt: dc.ctx.at.toISOString(),
    revocation: dc.ctx.revocationState,
    error: d.error,
  };
  const encrypted = facts.layers.some((l) => l.kind === 'encrypted' && l.status === 'decrypted');
  verdict.summary = summarize(d.status, d.code, d.signer?.email ?? null, verdict.from, encrypted, outdatedHash(verdict));
  return verdict;
}

function decide(facts: WalkFacts, dc: DecisionContext): Decision {
  const none = { signers: [], signer: null, warnings: [] };
  if (facts.end.kind !== 'content') return { status: facts.end.kind, code: facts.end.error.code, error: facts.end.error, ...none };
  const counted = countedSignatures(facts);
  return counted.length === 0 ? decideUnsigned(facts, dc) : decideSigned(facts, counted, dc);
}

function decideUnsigned(facts: WalkFacts, dc: DecisionContext): Decision {
  const warnings: Warning[] = [];
  if (cbcUnprotected(facts)) {
    warnings.push({ code: 'not-integrity-protected', message: 'The encryption used (CBC) does not detect changes, and no signature inside covers the content.' });
  }
  if (dc.enclosed.length > 0) {
    warnings.push({
      code: 'enclosed-signed-part',
      message:
        'The message itself is not signed, but a part inside it is (for example, a mailing list added a footer around a signed message). ' +
        'The signature covers only that part, not the text around it.',
    });
  }
  // A signature that was not counted is still reported, so the reader sees who signed the encrypted data.
  return { status: 'unsigned', code: null, signers: facts.signatures.flatMap((s) => s.signers), signer: null, error: null, warnings };
}

/**
 * Every signature the verdict covers must bind to From (rule 4): an inner signer who is not the sender
 * would otherwise lend their valid signature to someone else's message (nested-signature forgery). The
 * most severe finding decides; its code explains it.
 */
function decideSigned(facts: WalkFacts, counted: SignedStep[], dc: DecisionContext): Decision {
  const warnings: Warning[] = [];
  const messageDate = readDate(dc.dateHeader);
  if (messageDate === null) {
    // Decision (docs/TRUST.md, "Trust decisions"): without a readable Date there is no unsigned date to compare,
    // so no replay check against it; the signing time is still checked against the validation time (not
    // in the future) and against every certificate's validity, and the reader is told.
    warnings.push({
      code: 'date-missing',
      message:
        'The message has no readable Date header, so its date could not be compared with the signing time; only the signing time itself was checked (not in the future, within the certificates\' validity).',
    });
  }
  const bound = counted.map((step) => step.signers.map((s) => checkDate(bindSender(s, dc.from), messageDate, dc.ctx.config)));
  const findings = counted.flatMap((step, i) => [
    ...(step.error ? [{ status: 'invalid' as const, code: step.error.code }] : []),
    ...bound[i]!.map((s) => ({ status: s.status, code: s.code })),
  ]);
  let status: VerdictStatus = 'valid';
  let code: Verdict['code'] = null;
  for (const f of findings) {
    const next = worstStatus(status, f.status);
    if (next !== status) code = f.code;
    status = next;
  }
  if (cbcUnprotected(facts) && status !== 'valid') {
    warnings.push({ code: 'not-integrity-protected', message: 'The encryption used (CBC) does not detect changes, and no valid signature inside covers the content.' });
  }
  const error = counted.find((s) => s.error)?.error ?? null;
  return { status, code: status === 'valid' ? null : code, signers: bound.flat(), signer: bound[0]?.[0] ?? null, error, warnings };
}

function readDate(header: string | undefined): Date | null {
  const parsed = header ? new Date(header) : null;
  return parsed && !Number.isNaN(parsed.getTime()) ? parsed : null;
}

function revocationWarnings(state: Verdict['revocation'], signers: SignerReport[]): Warning[] {
  const warnings: Warning[] = [];
  if (state === 'offline') warnings.push({ code: 'revocation-not-checked', message: 'Revocation was not checked (offline).' });
  // A named revocation source gave no usable answer: visible in soft mode (the status is unchanged) and
  // kept as an explanation in hard mode (where the status already says 'untrusted').
  if (signers.some((s) => s.chain.some((c) => c.revocation?.status === 'unknown'))) {
    warnings.push({
      code: 'revocation-unknown',
      message: 'Whether a certificate in the chain has been revoked could not be checked (the revocation service gave no usable answer).',
    });
  }
  return warnings;
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

/** One signature layer as verified: its Layer, its signers, or why it cannot count or be read at all. */
interface VerifiedLayer {
  layer: Layer;
  signers: SignerReport[];
  error: Problem | null;
  eContent: Uint8Array | null;
  /** A signature block that cannot even be decoded makes the message malformed, not "invalid". */
  fatal: SignetError | null;
}

async function verifyLayer(
  signatureDer: Uint8Array,
  detached: Uint8Array | undefined,
  format: 'multipart-signed' | 'opaque',
  ctx: WalkContext,
): Promise<VerifiedLayer> {
  const { options, config } = ctx;
  const unread: Layer = { kind: 'signed', format, digestAlgorithms: [], signers: 0, status: 'invalid' };
  try {
    const r = await verifySignedData(
      signatureDer,
      {
        detachedContent: detached,
        anchors: options.anchors,
        extraCertificates: options.extraCertificates ?? [],
        at: ctx.at,
        config,
        fetch: options.offline ? undefined : options.fetch,
        revocation: ctx.revocation,
        budget: options.budget,
      },
      ctx.provider,
    );
    const status = r.signers.reduce<VerdictStatus>((st, s) => worstStatus(st, s.status), 'valid');
    const layer: Layer = { kind: 'signed', format, digestAlgorithms: r.digestAlgorithms, signers: r.signers.length, status };
    if (format === 'opaque' && r.eContentType !== OID.data) {
      // Rule 2: an opaque signature over something other than id-data is not a signed mail.
      const error: Problem = { code: 'econtent-confusion', message: 'The signed content is not a mail message.' };
      return { layer: { ...layer, status: 'invalid' }, signers: r.signers, error, eContent: null, fatal: null };
    }
    return { layer, signers: r.signers, error: null, eContent: r.eContent, fatal: null };
  } catch (e) {
    const err = toSignetError(e, 'malformed-asn1');
    if (err.code === 'limit-exceeded' || err.code === 'budget-exceeded' || err.code.startsWith('malformed-')) {
      return { layer: unread, signers: [], error: null, eContent: null, fatal: err };
    }
    return { layer: unread, signers: [], error: err.toJSON(), eContent: null, fatal: null };
  }
}
