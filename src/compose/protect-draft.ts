// Draft → protected RFC 5322 message: look up the keys (services.ts), build the MIME (build.ts), check the
// transport's size limit (size.ts) before any crypto, then sign and/or encrypt with the core
// (core/smime/protect.ts: RFC 8551 §3.6 sign-then-encrypt). The sender is always an encryption recipient,
// so the Sent Items copy stays readable. Every refusal is a SignetError whose message tells the sender
// what to do; nothing here sends anything.

import { equalBytes } from '../core/bytes.js';
import type { CryptoProvider } from '../core/crypto.js';
import { SignetError } from '../core/errors.js';
import { chooseCipher } from '../core/cms/envelope.js';
import type { Identity } from '../core/keys.js';
import { protectMessage, type Cipher, type Digest, type ProtectOptions } from '../core/smime/protect.js';
import type { StapleInput } from '../core/cms/sign.js';
import { buildDraftMessage, type BuildDraftOptions } from './build.js';
import { headerProtectionFor, type HeaderChoice } from './header-choice.js';
import { allRecipients, validateDraft, type Draft } from './draft.js';
import type { ComposeServices, MissingRecipient, OwnCertificate, Readiness, RsaKeyTransport } from './services.js';
import { checkSize, estimateMessageBytes, estimateProtectedBytes, type Protection, type SizeLimit } from './size.js';
import { withBccForSubmission } from './submission.js';

/** Recipients without a usable encryption certificate; the message names them. */
export class RecipientsNotReadyError extends SignetError {
  readonly missing: readonly MissingRecipient[];

  constructor(missing: readonly MissingRecipient[]) {
    const shown = missing.slice(0, 5).map((m) => m.address);
    const more = missing.length > shown.length ? ` and ${missing.length - shown.length} more` : '';
    const who = missing.length === 1 ? `1 recipient has no certificate: ${shown[0]}` : `${missing.length} recipients have no certificate: ${shown.join(', ')}${more}`;
    super(
      'missing-certificate',
      `${who}. Signet cannot encrypt to them. Send them a signed message and ask them to reply signed (their reply teaches Signet their certificate), or remove them from this message.`,
    );
    this.missing = missing;
  }
}

/** The algorithms an organisation policy allows (src/policy: algorithms.signatureDigests / encryptionCiphers). */
export interface AlgorithmChoice {
  /** Digests in order of preference; the first one Signet can sign with is used. Default SHA-256. */
  digests?: readonly string[];
  /** Allowed content ciphers in order of preference; default all four. */
  ciphers?: readonly Cipher[];
}

export interface ProtectDraftOptions {
  draft: Draft;
  protection: Protection;
  services: ComposeServices;
  limit: SizeLimit;
  algorithms?: AlgorithmChoice;
  build?: BuildDraftOptions;
  provider?: CryptoProvider;
  /** RFC 9788 header protection (header-choice.ts); absent = none (the callers pass the policy's choice). */
  headers?: HeaderChoice;
  /** Revocation evidence to staple for the signer (the pane fetches it through the relay, taskpane/staple.ts). */
  staple?: (identity: Identity) => Promise<StapleInput | undefined>;
  /**
   * Look-ups started earlier (startKeyLookups), while the draft's body and attachments were still being read.
   * Used only when they were made for this draft's sender, recipients and protection; otherwise protectDraft
   * starts its own.
   */
  lookups?: KeyLookups;
}

/** The key look-ups of one send (IndexedDB reads and certificate checks), started together. */
export interface KeyLookups {
  readonly from: string;
  readonly recipients: readonly string[];
  readonly protection: Protection;
  readonly identity: Promise<Identity | null> | null;
  readonly readiness: Promise<Readiness> | null;
  readonly own: Promise<OwnCertificate | null> | null;
}

/**
 * Starts the look-ups a send of `protection` from `from` to `recipients` needs: as soon as the sender and the
 * recipients are known, so that they run while the pane is still reading the body and the attachments
 * (issue 17, compose latency). Their failures are held until protectDraft awaits them, in its order.
 */
export function startKeyLookups(services: ComposeServices, protection: Protection, from: string, recipients: readonly string[]): KeyLookups {
  const lookups: KeyLookups = {
    from,
    recipients: [...recipients],
    protection: { ...protection },
    identity: protection.sign ? services.signingIdentity(from) : null,
    readiness: protection.encrypt ? services.readiness(from, recipients) : null,
    own: protection.encrypt ? services.encryptionCertificateOf(from) : null,
  };
  for (const p of [lookups.identity, lookups.readiness, lookups.own]) p?.catch(() => undefined); // awaited by protectDraft
  return lookups;
}

/** True when `l` was started for exactly this sender, these recipients (in this order) and this protection. */
export function lookupsFit(l: KeyLookups, protection: Protection, from: string, recipients: readonly string[]): boolean {
  return (
    l.from === from &&
    l.protection.sign === protection.sign &&
    l.protection.encrypt === protection.encrypt &&
    l.recipients.length === recipients.length &&
    l.recipients.every((r, i) => r === recipients[i])
  );
}

export interface ProtectedDraft {
  /** The protected message exactly as recipients receive it. */
  message: Uint8Array;
  /** What goes to the server: `message` plus the Bcc field (submission.ts). */
  submission: Uint8Array;
  messageId: string;
  protection: Protection;
  /** The content cipher used, when encrypted. */
  cipher: Cipher | null;
  /** Addresses the message is encrypted to (the sender included), when encrypted. */
  encryptedTo: string[];
  /** The header protection applied: 'clear' (signed), 'cipher' (encrypted), or null; and whether the Subject travelled as "[...]". */
  headerProtection: { hp: 'clear' | 'cipher'; subjectHidden: boolean } | null;
}

const SIGNING_DIGESTS: readonly Digest[] = ['SHA-256', 'SHA-384', 'SHA-512'];

function pickDigest(preferred: readonly string[] | undefined): Digest {
  for (const d of preferred ?? []) if ((SIGNING_DIGESTS as readonly string[]).includes(d)) return d as Digest;
  return 'SHA-256';
}

/**
 * Whether Signet sends AuthEnvelopedData (AES-GCM, RFC 5083/5084) through a transport. Microsoft Graph's
 * sendMail is publicly reported to deliver `smime-type=authEnveloped-data` broken
 * (microsoftgraph/msgraph-sdk-java issue #2544, open since February 2026), and this cannot be tested here
 * against the real service: until it is shown to work, nothing AES-GCM goes through Graph. EWS (Exchange
 * Server) hands the MIME to the server as it is.
 */
export function carriesAuthEnvelopedData(transport: SizeLimit['transport']): boolean {
  return transport !== 'graph';
}

const isGcm = (c: Cipher): boolean => c.endsWith('gcm');

/**
 * The content cipher: the policy's order among those every recipient can read (GCM only when every
 * recipient advertised it, RFC 8551 §2.7; CBC always). When the policy allows only ciphers some recipient
 * did not advertise, the policy wins: the organisation chose it. A transport that cannot carry
 * AuthEnvelopedData gets the policy's first CBC cipher instead of a GCM one; a policy of GCM only is then
 * refused before anything is encrypted, since no choice would honour both.
 */
function pickCipher(allowed: readonly Cipher[] | undefined, capabilities: (string[] | null)[], gcmOk: boolean): Cipher {
  const auto = chooseCipher(capabilities);
  const list = allowed && allowed.length > 0 ? allowed : null;
  const candidates = list === null ? [auto] : list.includes(auto) ? [auto, ...list] : [...list.filter((c) => !isGcm(c) || isGcm(auto)), ...list];
  const usable = candidates.find((c) => gcmOk || !isGcm(c));
  if (usable === undefined) {
    throw new SignetError(
      'unsupported-algorithm',
      'Your organisation allows only AES-GCM encryption, which Signet does not send through Microsoft Graph (such messages are reported to arrive broken). Ask your administrator to allow AES-CBC in the Signet policy (algorithms.encryptionCiphers).',
    );
  }
  return usable;
}

function noSigningKey(from: string): SignetError {
  return new SignetError(
    'no-signing-key',
    `Signet has no signing key for ${from} in this Outlook. Import your certificate (.p12/.pfx) under "Keys and trust" in the Signet pane, then send again.`,
  );
}

/** A User Timing mark where the runtime has one: bench/compose.ts reports the steps of a send from them. */
function mark(name: string): void {
  globalThis.performance?.mark?.(name);
}

/**
 * Protects a draft for sending. Order matters: keys and recipients are checked and the size is estimated
 * before anything is encrypted, so a refusal costs no crypto.
 */
export async function protectDraft(options: ProtectDraftOptions): Promise<ProtectedDraft> {
  const { draft, protection, services, limit } = options;
  if (!protection.sign && !protection.encrypt) throw new SignetError('usage', 'Neither signing nor encryption was asked for.');
  validateDraft(draft);
  const from = draft.from.address.trim();
  const recipients = allRecipients(draft).map((r) => r.address.trim());

  // First estimate from the parts' sizes: a 40 MB attachment is refused before the MIME is even built.
  checkSize(
    estimateProtectedBytes(
      estimateMessageBytes({
        textBytes: draft.text.length,
        htmlBytes: draft.html?.length ?? 0,
        attachmentBytes: [...draft.attachments, ...draft.inlineImages].map((a) => a.content.length),
      }),
      protection,
      recipients.length,
    ),
    limit,
  );

  // The key look-ups (IndexedDB, certificate checks) are independent: started together (issue 17, compose
  // latency), their answers still judged in this order (no signing key is reported before recipients).
  const lookups = options.lookups && lookupsFit(options.lookups, protection, from, recipients) ? options.lookups : startKeyLookups(services, protection, from, recipients);
  const { identity: identityLookup, readiness: readinessLookup, own: ownLookup } = lookups;

  let identity: Identity | null = null;
  if (identityLookup) {
    identity = await identityLookup;
    if (identity === null) throw noSigningKey(from);
  }

  let encryptTo: { address: string; certificate: Uint8Array; capabilities: string[] | null; keyTransport: RsaKeyTransport | null }[] = [];
  if (readinessLookup && ownLookup) {
    const readiness = await readinessLookup;
    if (readiness.missing.length > 0) throw new RecipientsNotReadyError(readiness.missing);
    const own: OwnCertificate | null =
      (await ownLookup) ??
      (identity ? { certificate: identity.certificate, rsaKeyTransport: null } : null) ??
      (await services.signingIdentity(from).then((id) => (id ? { certificate: id.certificate, rsaKeyTransport: null } : null)));
    if (own === null) {
      throw new SignetError(
        'missing-certificate',
        `Signet has no certificate of your own for ${from}, so you could not read this encrypted message in Sent Items. Import your certificate under "Keys and trust" in the Signet pane.`,
      );
    }
    // The sender first; a recipient whose certificate is the sender's own (mail to oneself) is not repeated.
    encryptTo = [{ address: from, certificate: own.certificate, capabilities: null, keyTransport: own.rsaKeyTransport }];
    for (const r of readiness.ready) {
      if (encryptTo.some((e) => equalBytes(e.certificate, r.certificate))) continue;
      encryptTo.push({ address: r.address, certificate: r.certificate, capabilities: r.capabilities, keyTransport: null });
    }
  }

  mark('signet:compose-keys');
  const built = buildDraftMessage(draft, options.build);
  mark('signet:compose-built');
  // Second estimate, from the exact MIME size: still before any crypto.
  checkSize(estimateProtectedBytes(built.bytes.length, protection, encryptTo.length), limit);

  const headerProtection = headerProtectionFor(options.headers, protection);
  const protect: ProtectOptions = { provider: options.provider, ...(headerProtection ? { headerProtection } : {}) };
  if (identity) {
    const ownEncryption = protection.encrypt ? encryptTo[0]!.certificate : null;
    protect.sign = {
      identity,
      digest: pickDigest(options.algorithms?.digests),
      // RFC 8551 §2.5.3 SMIMEEncryptionKeyPreference: only needed when it is not the signing certificate.
      encryptionCertificate: ownEncryption && !equalBytes(ownEncryption, identity.certificate) ? ownEncryption : undefined,
      signingTime: options.build?.now,
      revocationInfo: options.staple ? await options.staple(identity) : undefined,
    };
    mark('signet:compose-stapled');
  }
  let cipher: Cipher | null = null;
  if (protection.encrypt) {
    const capabilities = encryptTo.map((e) => e.capabilities);
    cipher = pickCipher(options.algorithms?.ciphers, capabilities, carriesAuthEnvelopedData(limit.transport));
    protect.encrypt = {
      recipients: encryptTo.map((e) => e.certificate),
      capabilities,
      cipher,
      recipientKeyTransport: encryptTo.map((e) => e.keyTransport),
    };
  }
  const message = await protectMessage(built.bytes, protect);
  // The estimate is generous, but a check of the real size costs nothing and keeps the promise.
  checkSize(message.length, limit);
  return {
    message,
    submission: withBccForSubmission(message, draft.bcc),
    messageId: built.messageId,
    protection,
    cipher,
    encryptedTo: encryptTo.map((e) => e.address),
    headerProtection: headerProtection
      ? { hp: protection.encrypt ? 'cipher' : 'clear', subjectHidden: protection.encrypt && headerProtection.hcp === 'baseline' && draft.subject !== '' }
      : null,
  };
}
