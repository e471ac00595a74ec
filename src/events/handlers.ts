// Launch-event and ribbon handlers for the browser runtime (commands.html: Outlook on the web, new Outlook,
// Mac): OnMessageSend (Smart Alerts) runs the guard (guard.ts) and, when the message must be protected,
// signs/encrypts it and sends it through Signet's transport, then cancels Outlook's own send;
// OnNewMessageCompose applies the policy defaults; OnMessageRecipientsChanged refreshes the readiness info
// bar; signetToggleSign / signetToggleEncrypt flip the item's protection state.
//
// Fail closed: every path of onMessageSendHandler ends in exactly one event.completed(), and the only
// completion with allowEvent: true is the guard's "allow" (nothing asked, nothing required, policy read).
// Thrown errors, transport failures, missing keys and the handler's own timer (well under Outlook's five
// minutes) all end with the plain send cancelled.
//
// What Outlook does after a protected send: the Smart Alerts dialog shows Signet's "sent" message and the
// compose form stays open (event handlers cannot close it: `closeAsync` is for task panes and function
// commands only). Signet deletes the saved draft on the server and marks the item (SENT_KEY) so that a
// second Send is refused instead of sending twice; the sender closes the form without saving.

import { SignetError, toSignetError } from '../core/errors.js';
import type { Draft } from '../compose/draft.js';
import type { ProtectedDraft } from '../compose/protect-draft.js';
import type { SendProtectedOptions } from '../compose/send.js';
import type { ComposeServices } from '../compose/services.js';
import type { Protection } from '../compose/size.js';
import { HIDE_SUBJECT_KEY, headerChoice } from '../compose/header-choice.js';
import type { ReadDraftOptions } from '../outlook/compose-item.js';
import {
  getComposeFrom,
  getComposeRecipients,
  getSavedItemId,
  getSessionValue,
  removeInfoBar,
  setSessionValue,
  showErrorBar,
  showInfoBar,
  signedInUser,
} from '../outlook/office.js';
import type { Transport } from '../outlook/transport/transport.js';
import type { Policy } from '../policy/policy.js';
import {
  COMPOSE_PANE_COMMAND,
  PROTECTION_KEY,
  SENT_KEY,
  decideSend,
  describeProtection,
  parseProtection,
  policyRequirement,
  serializeProtection,
  type GuardDecision,
  type ProtectionState,
  type RecipientsView,
  type RuntimeKind,
  type StoredProtection,
} from './guard.js';

/** The organisation policy as the handlers see it: loaded (possibly with per-field defaults) or not at all. */
export type PolicyState = { status: 'loaded'; policy: Policy } | { status: 'unavailable'; reason: string };

export interface HandlerDeps {
  runtime: RuntimeKind;
  loadPolicy(): Promise<PolicyState>;
  services(): Promise<ComposeServices>;
  /** The transport for this environment (never interactive here: an event handler has no UI). */
  transport(policy: Policy): Promise<Transport>;
  readDraft(options: ReadDraftOptions): Promise<Draft>;
  sendProtected(options: SendProtectedOptions): Promise<ProtectedDraft>;
  /** The send handler's own time limit. */
  sendTimeoutMs: number;
  /** Domain → A-label form (core/idn.ts domainKey). */
  toAscii(domain: string): string;
  now(): Date;
}

/** Outlook ends an OnMessageSend handler after about 5 minutes; Signet gives up well before that. */
export const DEFAULT_SEND_TIMEOUT_MS = 150_000;
/** Info-bar keys (item.notificationMessages). */
export const STATE_BAR = 'signet-protection';
export const READINESS_BAR = 'signet-readiness';
/** Outlook truncates info-bar text at 150 characters. */
const MAX_BAR = 150;

export type SendCompletion = Office.SmartAlertsEventCompletedOptions;

function bar(text: string): string {
  return text.length > MAX_BAR ? `${text.slice(0, MAX_BAR - 1)}…` : text;
}

function blocked(message: string, withPane = true): SendCompletion {
  const text = message.length > 500 ? `${message.slice(0, 499)}…` : message;
  return withPane ? { allowEvent: false, errorMessage: text, commandId: COMPOSE_PANE_COMMAND, cancelLabel: 'Open Signet' } : { allowEvent: false, errorMessage: text };
}

function completionFor(decision: Extract<GuardDecision, { action: 'block' }>): SendCompletion {
  const out: SendCompletion = { allowEvent: false, errorMessage: decision.message };
  if (decision.commandId !== null) out.commandId = decision.commandId;
  if (decision.cancelLabel !== null) out.cancelLabel = decision.cancelLabel;
  return out;
}

/** The completion for an error anywhere in the send path: always a cancelled send, with what to do. */
export function completionForError(e: unknown): SendCompletion {
  const err = toSignetError(e, 'internal');
  const known = err.code !== 'internal' && err.code !== 'io';
  const message = known
    ? `Signet did not send this message: ${err.message}`
    : `Signet hit an unexpected problem and stopped Outlook from sending this message unprotected (${err.message.slice(0, 200)}). Open Signet to try again.`;
  return blocked(message);
}

async function readStored(): Promise<StoredProtection> {
  try {
    return parseProtection(await getSessionValue(PROTECTION_KEY));
  } catch (e) {
    return { status: 'unreadable', reason: e instanceof Error ? e.message : String(e) };
  }
}

async function readRecipients(): Promise<RecipientsView> {
  try {
    const lists = await Promise.all([getComposeRecipients('to'), getComposeRecipients('cc'), getComposeRecipients('bcc')]);
    const addresses = lists.flat().map((r) => (r.emailAddress ?? '').trim()).filter((a) => a !== '');
    return { status: 'read', addresses };
  } catch (e) {
    return { status: 'unreadable', reason: e instanceof Error ? e.message : String(e) };
  }
}

async function fromAddress(): Promise<string> {
  const from = await getComposeFrom().catch(() => null);
  const address = from?.emailAddress?.trim() || signedInUser()?.email || '';
  if (address === '') throw new SignetError('usage', 'Outlook did not say who this message is from.');
  return address;
}

/** Calls event.completed once; later calls (the timer after a completion, or the reverse) do nothing. */
function completeOnce(event: Office.MailboxEvent): (options: SendCompletion) => void {
  let done = false;
  return (options) => {
    if (done) return;
    done = true;
    event.completed(options);
  };
}

async function sendGuard(deps: HandlerDeps, isCancelled: () => boolean): Promise<SendCompletion> {
  const [stored, sent, policy, recipients] = await Promise.all([
    readStored(),
    getSessionValue(SENT_KEY).catch(() => null),
    deps.loadPolicy(),
    readRecipients(),
  ]);
  const input = { stored, policy, recipients, runtime: deps.runtime, readiness: null, alreadySent: sent, toAscii: deps.toAscii };
  let decision = decideSend(input);
  if (decision.action === 'allow') return { allowEvent: true };
  if (decision.action === 'block') return completionFor(decision);
  if (policy.status !== 'loaded' || recipients.status !== 'read') throw new SignetError('internal', 'The guard asked for readiness without a policy or recipients.');

  const protection: ProtectionState = decision.protection;
  const services = await deps.services();
  const from = await fromAddress();
  const readiness = { canSign: true, ownCertificate: true, missing: [] as string[] };
  if (protection.sign) readiness.canSign = (await services.signingIdentity(from)) !== null;
  if (protection.encrypt) {
    readiness.ownCertificate = (await services.encryptionCertificateOf(from)) !== null || (await services.signingIdentity(from)) !== null;
    readiness.missing = (await services.readiness(from, recipients.addresses)).missing.map((m) => m.address);
  }
  decision = decideSend({ ...input, readiness });
  if (decision.action === 'block') return completionFor(decision);
  if (decision.action !== 'protect') throw new SignetError('internal', `The guard answered ${decision.action} after the readiness check.`);

  const transport = await deps.transport(policy.policy);
  const draft = await deps.readDraft({ limit: transport.limit, protection: decision.protection as Protection });
  if (isCancelled()) throw new SignetError('timeout', 'Signet ran out of time before sending.');
  const result = await deps.sendProtected({
    draft,
    protection: decision.protection,
    // RFC 9788 header protection: the policy's default, or the compose pane's per-message switch.
    headers: headerChoice(policy.policy.headerProtection, await getSessionValue(HIDE_SUBJECT_KEY).catch(() => null)),
    services,
    transport,
    algorithms: { digests: policy.policy.algorithms.signatureDigests, ciphers: policy.policy.algorithms.encryptionCiphers },
    build: { now: deps.now() },
  });

  // Sent. From here on nothing may turn into a plain send; failures only change the message.
  let note = '';
  try {
    await setSessionValue(SENT_KEY, deps.now().toISOString());
  } catch {
    note = ' Do not press Send again.';
  }
  try {
    const id = await getSavedItemId();
    if (id !== null) await transport.discardDraft(id);
  } catch {
    note += ' Signet could not remove the saved draft; delete it from Drafts.';
  }
  return {
    allowEvent: false,
    errorMessage: `Sent ${describeProtection(result.protection)} by Signet; the protected copy is in Sent Items. Outlook's own send was stopped so that no unprotected copy leaves: close this draft without saving.${note}`,
  };
}

/** OnMessageSend (Smart Alerts). */
export async function onMessageSend(event: Office.MailboxEvent, deps: HandlerDeps): Promise<void> {
  const complete = completeOnce(event);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    complete(
      blocked(
        `Signet did not finish within ${Math.round(deps.sendTimeoutMs / 1000)} seconds, so Outlook did not send this message. If Signet was sending it protected, check Sent Items before sending again.`,
      ),
    );
  }, deps.sendTimeoutMs);
  try {
    complete(await sendGuard(deps, () => timedOut));
  } catch (e) {
    complete(completionForError(e));
  } finally {
    clearTimeout(timer);
  }
}

function defaultsFrom(policy: Policy): ProtectionState {
  return { sign: policy.signing.alwaysSign, encrypt: policy.encryption.required === 'always' };
}

/** OnNewMessageCompose: stores the policy's defaults on the new item and says so in the info bar. */
export async function onNewMessageCompose(event: Office.MailboxEvent, deps: HandlerDeps): Promise<void> {
  try {
    const policy = await deps.loadPolicy();
    if (policy.status !== 'loaded') {
      await showErrorBar(STATE_BAR, bar("Signet could not load your organisation's policy; it checks again when you press Send."));
      return;
    }
    const stored = await readStored();
    if (stored.status === 'absent') {
      const defaults = defaultsFrom(policy.policy);
      await setSessionValue(PROTECTION_KEY, serializeProtection(defaults));
      if (defaults.sign || defaults.encrypt) {
        await showInfoBar(STATE_BAR, bar(`Signet will send this message ${describeProtection(defaults)} (your organisation's policy).`));
      }
    }
  } catch {
    // Nothing to show without an item; the send guard checks again at Send.
  } finally {
    event.completed();
  }
}

/** The readiness info-bar text for the current item, or null when there is nothing to say. */
export async function readinessText(deps: HandlerDeps): Promise<string | null> {
  const [stored, policy, recipients] = await Promise.all([readStored(), deps.loadPolicy(), readRecipients()]);
  const required = policyRequirement(policy, recipients, deps.toAscii);
  const requested = stored.status === 'set' ? stored.value : { sign: false, encrypt: false };
  const encrypt = requested.encrypt || (required?.encrypt ?? false);
  if (!encrypt || recipients.status !== 'read' || recipients.addresses.length === 0) return null;
  const services = await deps.services();
  const from = await fromAddress();
  const missing = (await services.readiness(from, recipients.addresses)).missing.map((m) => m.address);
  const policyNote = required && required.encryptDomains.length > 0 && !requested.encrypt ? `Encryption is required for ${required.encryptDomains[0]}. ` : '';
  if (missing.length === 0) return policyNote ? `${policyNote}Every recipient has a certificate.` : null;
  const who = missing.length === 1 ? `1 recipient has no certificate (${missing[0]})` : `${missing.length} recipients have no certificate`;
  return `${policyNote}${who}. Open Signet to see what to do.`;
}

/** OnMessageRecipientsChanged: refreshes the readiness info bar. */
export async function onMessageRecipientsChanged(event: Office.MailboxEvent, deps: HandlerDeps): Promise<void> {
  try {
    const text = await readinessText(deps);
    if (text === null) await removeInfoBar(READINESS_BAR);
    else await showInfoBar(READINESS_BAR, bar(text));
  } catch {
    // The bar is advisory; the send guard decides at Send.
  } finally {
    event.completed();
  }
}

/** Flips sign or encrypt in the item's protection state and shows the result (ribbon commands). */
export async function toggleProtection(which: 'sign' | 'encrypt', deps: HandlerDeps): Promise<ProtectionState> {
  const stored = await readStored();
  const current = stored.status === 'set' ? stored.value : { sign: false, encrypt: false };
  const next: ProtectionState = { ...current, [which]: !current[which] };
  await setSessionValue(PROTECTION_KEY, serializeProtection(next));
  const policy = await deps.loadPolicy().catch((): PolicyState => ({ status: 'unavailable', reason: '' }));
  const forced = policy.status === 'loaded' && ((which === 'sign' && policy.policy.signing.alwaysSign) || (which === 'encrypt' && policy.policy.encryption.required === 'always'));
  let text = next.sign || next.encrypt ? `Signet will send this message ${describeProtection(next)}.` : 'Signet will not sign or encrypt this message.';
  if (forced && !next[which]) text += ` Your organisation still requires ${which === 'sign' ? 'signing' : 'encryption'}.`;
  await showInfoBar(STATE_BAR, bar(text));
  return next;
}

export async function toggleCommand(event: Office.AddinCommands.Event, which: 'sign' | 'encrypt', deps: HandlerDeps): Promise<void> {
  try {
    await toggleProtection(which, deps);
  } catch (e) {
    await showErrorBar(STATE_BAR, bar(`Signet could not change the setting: ${toSignetError(e, 'internal').message}`)).catch(() => undefined);
  } finally {
    event.completed();
  }
}
