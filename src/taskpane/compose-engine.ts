// The compose pane's crypto side, loaded lazily (a dynamic import from ui/compose-view.tsx) like engine.ts,
// so the builder, CMS and transports stay out of the initial bundle. It answers the pane's two questions
// over the same key services the send handler uses (events/runtime.ts): who is ready for encryption, and
// "protect this message and send it" — read the compose item (outlook/compose-item.ts), protect it
// (compose/protect-draft.ts, RFC 8551), hand it to the transport for this environment (Graph sendMail or
// EWS CreateItem, outlook/transport), then remove the draft. There is no path here that sends the message
// unprotected: the only send is sendProtected()'s, after protection succeeded.

import { SignetError, toSignetError } from '../core/errors.js';
import { domainKey } from '../core/idn.js';
import { sameAddress } from '../core/mime/address.js';
import { loadCertificates } from '../keys/identity-file.js';
import { certificateAddresses, readCertificate } from '../keys/store/certificate-facts.js';
import { allRecipients, type Draft } from '../compose/draft.js';
import { sentSentence } from '../compose/defaults.js';
import { combineServices, staticServices, type ComposeServices } from '../compose/services.js';
import { lookupsFit, protectDraft, startKeyLookups, type KeyLookups } from '../compose/protect-draft.js';
import { HIDE_SUBJECT_KEY, headerChoice } from '../compose/header-choice.js';
import { composeServicesFor } from '../keys/store/compose-services.js';
import { readDraft } from '../outlook/compose-item.js';
import { buildDraftMessage } from '../compose/build.js';
import { base64Encode, indexOfBytes, utf8 } from '../core/bytes.js';
import { prepareForSigning, splitMessage } from '../core/mime/canonicalize.js';
import { discardComposeForm, getSavedItemId, getSessionValue, setSessionValue, showInfoBar } from '../outlook/office.js';
import { createTransport, currentEnvironment } from '../outlook/transport/index.js';
import { SENT_KEY, describeProtection, type ProtectionState } from '../events/guard.js';
import type { Keyring } from './engine.js';
import { recheckReady, withRecipientRevocation, type RecipientRevocationContext, type RevocationNotes } from './recipient-revocation.js';
import { paneStapler } from './staple.js';

/** Notes of the last revocation re-check per recipient (recipient-revocation.ts), for the readiness list. */
const revocationNotes: RevocationNotes = new Map();

/**
 * The key services of this pane: the key store first, then the keys held for this session (workbench demo
 * key); recipients re-checked for revocation through the organisation's relay when the policy names one.
 */
export function paneServices(keyring: Keyring): ComposeServices {
  const session = staticServices({ identities: keyring.sessionIdentities });
  const services = keyring.store ? combineServices(composeServicesFor(keyring.store), session) : session;
  return withRecipientRevocation(services, revocationContext(keyring), revocationNotes);
}

function revocationContext(keyring: Keyring): RecipientRevocationContext {
  return { policy: keyring.policy.policy, config: keyring.config, anchors: keyring.anchors, intermediates: keyring.identities.flatMap((i) => i.chain), base: globalThis.location?.href };
}

export interface RecipientRow {
  address: string;
  ready: boolean;
  /** Why not ready (readiness-types.ts MissingReason: 'no-certificate', 'expired', 'untrusted' …), or null. */
  code: string | null;
  /** What is wrong and what to do (the key store's advice), when not ready. */
  reason: string | null;
  /** The revocation re-check through the relay, when ready and checked ("not revoked via OCSP …"). */
  revocation?: string | null;
}

export interface PaneReadiness {
  rows: RecipientRow[];
  /** A signing key for the From address exists. */
  canSign: boolean;
  /** A certificate of the sender's own keeps the Sent Items copy of encrypted mail readable. */
  ownCertificate: boolean;
}

/** Readiness of the sender and every recipient, for the pane's list (fast: the store, then the directory). */
/** The key store's readiness with its ready recipients re-checked through the relay, as paneServices does for the send. */
async function recheckStored<R extends { address: string; certificate: Uint8Array }>(
  keyring: Keyring,
  r: { ready: R[]; missing: { address: string; reason: string; advice: string }[] },
): Promise<{ ready: R[]; missing: { address: string; reason: string; advice: string }[] }> {
  const checked = await recheckReady(r.ready, revocationContext(keyring), revocationNotes);
  if (!checked) return r;
  return { ready: checked.ready, missing: [...r.missing, ...checked.refused.map((x) => ({ address: x.address, reason: x.code, advice: x.reason }))] };
}

export async function paneReadiness(keyring: Keyring, from: string, recipients: readonly string[]): Promise<PaneReadiness> {
  const services = paneServices(keyring);
  const [identity, own, split] = await Promise.all([
    from ? services.signingIdentity(from) : Promise.resolve(null),
    from ? services.encryptionCertificateOf(from) : Promise.resolve(null),
    // The store's own answer carries the reason's code, so the pane need not repeat its advice per row.
    recipients.length === 0
      ? Promise.resolve({ ready: [] as { address: string }[], missing: [] as { address: string; reason: string; advice: string }[] })
      : keyring.store
        ? keyring.store.readiness({ sender: from, recipients }).then((r) => recheckStored(keyring, r))
        : services.readiness(from, recipients).then((r) => ({ ready: r.ready, missing: r.missing.map((m) => ({ address: m.address, reason: 'no-certificate', advice: m.reason })) })),
  ]);
  const ready = new Set(split.ready.map((r) => r.address));
  const missing = new Map(split.missing.map((m) => [m.address, m]));
  return {
    rows: recipients.map((address) => {
      const m = missing.get(address);
      if (ready.has(address)) return { address, ready: true, code: null, reason: null, revocation: revocationNotes.get(address) ?? null };
      return m
        ? { address, ready: false, code: m.reason, reason: m.advice }
        : { address, ready: false, code: 'no-certificate', reason: 'Signet has no certificate for this address yet.' };
    }),
    canSign: identity !== null,
    ownCertificate: own !== null || identity !== null,
  };
}

export type SendStep = 'reading' | 'protecting' | 'sending' | 'cleaning-up';

export interface PaneSendResult {
  /** "signed", "encrypted" or "signed and encrypted". */
  what: string;
  /** How many people it went to (To, Cc, Bcc, each address once). */
  recipients: number;
  /** "Sent signed and encrypted to 2 people; the protected copy is in Sent Items." */
  sentence: string;
  subject: string;
  transport: 'graph' | 'ews';
  /** Something after the send did not work (the draft could not be removed); the message did go out. */
  notes: string[];
}

/** The info-bar key of the confirmation on the item (Outlook's notificationMessages). */
export const SENT_BAR = 'signet-sent';

/**
 * Runs the send's byte handling once on a made-up message of ~0.5 MB, while the pane is idle: MIME building,
 * base64, the canonical-form check, the boundary search. A compose pane is a fresh page, and without this its
 * first send ran that code cold — parsed, interpreted, then compiled while megabytes went through it (issue
 * 17, compose latency). No key, no crypto, nothing stored or sent: the bytes are dropped at once.
 */
export function warmUp(): { bytes: number; encodedBytes: number; canonicalAsBuilt: boolean } {
  const text = Array.from({ length: 4000 }, (_, i) => `2026-01-${String((i % 28) + 1).padStart(2, '0')},ACC-${i},${i}.00,EUR,INV-${i}`).join('\r\n');
  const binary = new Uint8Array(300_000).map((_, i) => (i * 2654435761) >>> 24);
  const built = buildDraftMessage(
    {
      from: { name: 'Warm Up', address: 'warm-up@signet.invalid' },
      to: [{ name: '', address: 'nobody@signet.invalid' }],
      cc: [],
      bcc: [],
      subject: 'warm-up',
      html: `<p>${text.slice(0, 2000)}</p>`,
      text: text.slice(0, 2000),
      inlineImages: [],
      attachments: [
        { kind: 'file', name: 'a.bin', contentType: 'application/octet-stream', content: binary },
        { kind: 'file', name: 'a.csv', contentType: 'text/csv', content: utf8(text) },
      ],
      kind: 'new',
      inReplyTo: null,
      references: [],
      importance: 'normal',
    },
    { now: new Date(0) },
  );
  const { content } = splitMessage(built.bytes);
  const canonical = prepareForSigning(content);
  indexOfBytes(canonical, utf8('--signet-warm-up')); // the boundary check's search (never found)
  const encoded = base64Encode(canonical, 76);
  // What went through, for the test that this is a real message (and that the builder's output needed no
  // rewriting, as a send's does not).
  return { bytes: canonical.length, encodedBytes: encoded.length, canonicalAsBuilt: canonical === content };
}

/** The sender and the recipients (To, Cc, Bcc: each once, trimmed, in that order) the pane last showed. */
export interface ShownEnvelope {
  from: string;
  recipients: readonly string[];
}

/** The domain → A-label rule the guard uses for per-domain encryption policy. */
export const toAscii = domainKey;

/**
 * Protects the message being composed as `protection` asks and sends it through Signet's transport; then
 * marks the item as sent (so Outlook's Send is refused by the guard instead of sending twice), deletes the
 * saved draft and puts the confirmation into Outlook's info bar. The pane closes the form afterwards
 * (closeForm), once the sender has seen the confirmation. Throws a SignetError (message-too-large, missing-certificate,
 * no-signing-key, send-*, usage) before anything left, or after a refused send.
 */
export async function sendFromPane(
  keyring: Keyring,
  protection: ProtectionState,
  progress: (step: SendStep) => void,
  shown?: ShownEnvelope,
): Promise<PaneSendResult> {
  if (!protection.sign && !protection.encrypt) {
    throw new SignetError('usage', 'Turn on Sign or Encrypt first: the Signet pane only sends protected mail (Outlook\u2019s Send button sends it unprotected).');
  }
  const policy = keyring.policy.policy;
  const services = paneServices(keyring);
  // The pane may show a sign-in (Nested App Authentication popup); an event handler may not.
  const transport = createTransport(currentEnvironment(policy), { interactive: true });
  progress('reading');
  const hideSubject = getSessionValue(HIDE_SUBJECT_KEY).catch(() => null); // read alongside the draft
  // The key look-ups start at once for the sender and recipients the pane last showed, and run while the
  // draft is read (issue 17, compose latency). What Outlook then says the draft is from and to decides: look-ups
  // made for anything else are not used, and new ones start as soon as the envelope is known.
  let lookups: KeyLookups | undefined = shown && shown.from !== '' ? startKeyLookups(services, protection, shown.from, shown.recipients) : undefined;
  const onEnvelope = (e: Pick<Draft, 'from' | 'to' | 'cc' | 'bcc'>): void => {
    const from = e.from.address.trim();
    const recipients = allRecipients(e).map((r) => r.address.trim());
    if (!lookups || !lookupsFit(lookups, protection, from, recipients)) lookups = startKeyLookups(services, protection, from, recipients);
  };
  const draft = await readDraft({ limit: transport.limit, protection, onEnvelope });
  performance.mark('signet:compose-read');
  progress('protecting');
  const headers = headerChoice(policy.headerProtection, await hideSubject);
  const result = await protectDraft({
    draft,
    protection,
    headers,
    services,
    limit: transport.limit,
    algorithms: { digests: policy.algorithms.signatureDigests, ciphers: policy.algorithms.encryptionCiphers },
    build: { now: new Date() },
    staple: paneStapler(policy, keyring.config, globalThis.location?.href),
    ...(lookups ? { lookups } : {}),
  });
  // The protected MIME is ready to hand to Outlook's transport: bench/compose.ts times the send button's
  // click to here (issue 17: ≤ 2× OpenSSL's sign + encrypt of the same MIME).
  performance.mark('signet:compose-protected');
  progress('sending');
  await transport.send(result.submission);

  // Sent. Nothing below may fail the send; it only adds notes.
  progress('cleaning-up');
  const notes: string[] = [];
  await setSessionValue(SENT_KEY, new Date().toISOString()).catch(() => notes.push('Do not press Outlook\u2019s Send for this draft: the message has already gone.'));
  try {
    const id = await getSavedItemId();
    if (id !== null) await transport.discardDraft(id);
  } catch {
    notes.push('Signet could not remove the saved draft; delete it from Drafts.');
  }
  const what = describeProtection(result.protection);
  const recipients = allRecipients(draft).length;
  const sentence = sentSentence(what, recipients);
  // Outlook's info bar on the form, for as long as it stays open (Office.js notificationMessages, 150 characters).
  await showInfoBar(SENT_BAR, sentence.slice(0, 150)).catch(() => undefined);
  return { what, recipients, sentence, subject: draft.subject, transport: transport.kind, notes };
}

/**
 * Closes the sent message's form without saving (closeAsync discardItem, Mailbox 1.14). Outlook ends the
 * pane with the form, so this comes last. False when this Outlook cannot: the sender closes it.
 */
export async function closeForm(): Promise<boolean> {
  return discardComposeForm().catch(() => false);
}

/** What to do next, per refusal (recipient-certificate.ts CertificateProblem). */
const NEXT_STEP: Record<string, string> = {
  expired: 'Ask them for their current certificate, or use Ask for it.',
  'not-yet-valid': 'Try again when it becomes valid, or ask them for their current certificate.',
  revoked: 'Its issuer withdrew it: ask them for their new certificate.',
  untrusted: 'It was not issued by an authority you trust, so it could belong to an impostor: ask them for one from their organisation\u2019s authority, or use Ask for it.',
  'no-encryption-usage': 'Ask them for their encryption certificate (many people have one for signing and one for encryption).',
  'weak-key': 'Ask them for a certificate with a longer key.',
  'unsupported-key': 'Ask them for an RSA or elliptic-curve (P-256, P-384, P-521) certificate.',
  malformed: 'Ask them to send it again (.cer, .pem or .p7c).',
};

export type AddCertificateResult = { ok: true; address: string } | { ok: false; code: string; reason: string };

/**
 * "Add certificate" in a recipient's row: checks that the file holds a certificate for exactly this address
 * before anything is stored (a certificate for someone else is refused, not filed under their address),
 * then lets the key store judge it (trusted path, validity, encryption usage: recipient-certificate.ts) and
 * store it. Never throws: every refusal is a code and a sentence that says what to do.
 */
export async function addRecipientCertificate(keyring: Keyring, address: string, file: Uint8Array): Promise<AddCertificateResult> {
  if (!keyring.store) return { ok: false, code: 'storage', reason: keyring.storeError ?? 'This browser cannot keep certificates.' };
  try {
    const certs = loadCertificates(file).map((d, i) => readCertificate(d, `Certificate ${i + 1} in the file`));
    const people = certs.filter((c) => c.basicConstraints?.cA !== true);
    if (people.length === 0) {
      return { ok: false, code: 'not-an-end-entity', reason: 'This file holds only a certificate authority, not a person\u2019s certificate. Ask for their own certificate (.cer, .pem or .p7c).' };
    }
    if (!people.some((c) => certificateAddresses(c).some((a) => sameAddress(a, address)))) {
      const named = [...new Set(people.flatMap((c) => certificateAddresses(c)))];
      return {
        ok: false,
        code: 'address-mismatch',
        reason: `This certificate is not for ${address}${named.length > 0 ? `: it is for ${named.slice(0, 3).join(', ')}` : ': it names no e-mail address'}. Choose the file ${address} sent you.`,
      };
    }
    const change = await keyring.store.certificates.importCertificates(file);
    const readiness = await keyring.store.readiness({ sender: '', recipients: [address] });
    if (readiness.ready.some((r) => sameAddress(r.address, address))) return { ok: true, address };
    const refusal = change.refused.find((r) => r.addresses.some((a) => sameAddress(a, address))) ?? change.refused[0];
    const missing = readiness.missing.find((m) => sameAddress(m.address, address));
    const code = refusal?.problem ?? missing?.reason ?? 'no-certificate';
    const why = refusal?.reason ?? missing?.advice ?? 'Signet cannot encrypt to this certificate.';
    return { ok: false, code, reason: `${why} ${NEXT_STEP[code] ?? `Ask ${address} for their current certificate.`}` };
  } catch (e) {
    const err = toSignetError(e, 'malformed-asn1');
    return { ok: false, code: err.code, reason: `This file cannot be read as a certificate (.cer, .pem or .p7c): ${err.message}` };
  }
}

/** The text of "Ask for it": a short signed message asking the recipient to reply signed. */
export function certificateRequestDraft(from: string, to: string): Draft {
  const text =
    'Hello,\r\n\r\nI would like to send you encrypted e-mail. This message is signed with my certificate, so your mail program can now encrypt to me. ' +
    'Could you reply with a signed message? Your reply gives me your certificate, and then I can encrypt to you as well.\r\n\r\nThank you.\r\n';
  return {
    from: { name: '', address: from },
    to: [{ name: '', address: to }],
    cc: [],
    bcc: [],
    subject: 'Please reply signed, so that I can send you encrypted mail',
    html: null,
    text,
    inlineImages: [],
    attachments: [],
    kind: 'new',
    inReplyTo: null,
    references: [],
    importance: 'normal',
  };
}

/** "Ask for it": signs the certificate request (certificateRequestDraft) and sends it through Signet's transport. */
export async function sendCertificateRequest(keyring: Keyring, from: string, to: string): Promise<void> {
  const policy = keyring.policy.policy;
  const transport = createTransport(currentEnvironment(policy), { interactive: true });
  const protection = { sign: true, encrypt: false };
  const result = await protectDraft({
    draft: certificateRequestDraft(from, to),
    protection,
    services: paneServices(keyring),
    limit: transport.limit,
    algorithms: { digests: policy.algorithms.signatureDigests, ciphers: policy.algorithms.encryptionCiphers },
    build: { now: new Date() },
  });
  await transport.send(result.submission);
}
