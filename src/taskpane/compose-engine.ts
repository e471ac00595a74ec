// The compose pane's crypto side, loaded lazily (a dynamic import from ui/compose-view.tsx) like engine.ts,
// so the builder, CMS and transports stay out of the initial bundle. It answers the pane's two questions
// over the same key services the send handler uses (events/runtime.ts): who is ready for encryption, and
// "protect this message and send it" — read the compose item (outlook/compose-item.ts), protect it
// (compose/protect-draft.ts, RFC 8551), hand it to the transport for this environment (Graph sendMail or
// EWS CreateItem, outlook/transport), then remove the draft. There is no path here that sends the message
// unprotected: the only send is sendProtected()'s, after protection succeeded.

import { SignetError } from '../core/errors.js';
import { domainKey } from '../core/idn.js';
import { combineServices, staticServices, type ComposeServices } from '../compose/services.js';
import { protectDraft } from '../compose/protect-draft.js';
import { HIDE_SUBJECT_KEY, headerChoice } from '../compose/header-choice.js';
import { composeServicesFor } from '../keys/store/compose-services.js';
import { readDraft } from '../outlook/compose-item.js';
import { discardComposeForm, getSavedItemId, getSessionValue, setSessionValue } from '../outlook/office.js';
import { createTransport, currentEnvironment } from '../outlook/transport/index.js';
import { SENT_KEY, describeProtection, type ProtectionState } from '../events/guard.js';
import type { Keyring } from './engine.js';
import { withRecipientRevocation, type RevocationNotes } from './recipient-revocation.js';
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
  return withRecipientRevocation(
    services,
    { policy: keyring.policy.policy, config: keyring.config, anchors: keyring.anchors, intermediates: keyring.identities.flatMap((i) => i.chain), base: globalThis.location?.href },
    revocationNotes,
  );
}

export interface RecipientRow {
  address: string;
  ready: boolean;
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
export async function paneReadiness(keyring: Keyring, from: string, recipients: readonly string[]): Promise<PaneReadiness> {
  const services = paneServices(keyring);
  const [identity, own, split] = await Promise.all([
    from ? services.signingIdentity(from) : Promise.resolve(null),
    from ? services.encryptionCertificateOf(from) : Promise.resolve(null),
    recipients.length > 0 ? services.readiness(from, recipients) : Promise.resolve({ ready: [], missing: [] }),
  ]);
  const ready = new Set(split.ready.map((r) => r.address));
  const reasons = new Map(split.missing.map((m) => [m.address, m.reason]));
  return {
    rows: recipients.map((address) => ({
      address,
      ready: ready.has(address),
      reason: ready.has(address) ? null : (reasons.get(address) ?? 'Signet has no certificate for this address yet.'),
      revocation: ready.has(address) ? (revocationNotes.get(address) ?? null) : null,
    })),
    canSign: identity !== null,
    ownCertificate: own !== null || identity !== null,
  };
}

export type SendStep = 'reading' | 'protecting' | 'sending' | 'cleaning-up';

export interface PaneSendResult {
  /** "signed", "encrypted" or "signed and encrypted". */
  what: string;
  transport: 'graph' | 'ews';
  /** False when this Outlook could not close the form (closeAsync): the sender closes it without saving. */
  closed: boolean;
  /** Something after the send did not work (the draft could not be removed); the message did go out. */
  notes: string[];
}

/** The domain → A-label rule the guard uses for per-domain encryption policy. */
export const toAscii = domainKey;

/**
 * Protects the message being composed as `protection` asks and sends it through Signet's transport; then
 * marks the item as sent (so Outlook's Send is refused by the guard instead of sending twice), deletes the
 * saved draft and closes the form. Throws a SignetError (message-too-large, missing-certificate,
 * no-signing-key, send-*, usage) before anything left, or after a refused send.
 */
export async function sendFromPane(keyring: Keyring, protection: ProtectionState, progress: (step: SendStep) => void): Promise<PaneSendResult> {
  if (!protection.sign && !protection.encrypt) {
    throw new SignetError('usage', 'Turn on Sign or Encrypt first: the Signet pane only sends protected mail (Outlook\u2019s Send button sends it unprotected).');
  }
  const policy = keyring.policy.policy;
  const services = paneServices(keyring);
  // The pane may show a sign-in (Nested App Authentication popup); an event handler may not.
  const transport = createTransport(currentEnvironment(policy), { interactive: true });
  progress('reading');
  const draft = await readDraft({ limit: transport.limit, protection });
  progress('protecting');
  const headers = headerChoice(policy.headerProtection, await getSessionValue(HIDE_SUBJECT_KEY).catch(() => null));
  const result = await protectDraft({
    draft,
    protection,
    headers,
    services,
    limit: transport.limit,
    algorithms: { digests: policy.algorithms.signatureDigests, ciphers: policy.algorithms.encryptionCiphers },
    build: { now: new Date() },
    staple: paneStapler(policy, keyring.config, globalThis.location?.href),
  });
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
  let closed = false;
  if (notes.length === 0) {
    // Closing the form ends this pane (Outlook stops the add-in with the form), so it comes last.
    closed = await discardComposeForm().catch(() => false);
  }
  return { what: describeProtection(result.protection), transport: transport.kind, closed, notes };
}
