// Launch-event and ribbon handlers for the browser runtime (commands.html: Outlook on the web, new Outlook,
// Mac): OnMessageSend (Smart Alerts) runs the guard (guard.ts) — it lets a message that needs nothing go,
// and blocks one that must be signed or encrypted with a plain sentence and "Open Signet" (commandId, where
// Mailbox 1.14 has the button; contextData says why, 1.15). It never signs, encrypts or sends: Microsoft
// asks for short handlers, shows "taking longer than expected" after five seconds and lets a user who
// navigates away end the handler with "Save as Draft" (docs/ARCHITECTURE.md "Event handlers"), and a send
// that happened inside a handler the user had already abandoned would leave them unsure whether it left.
// The pane protects, sends through Signet's transport and confirms. OnNewMessageCompose applies the policy
// defaults; OnMessageRecipientsChanged refreshes the readiness info bar; signetToggleSign /
// signetToggleEncrypt flip the item's protection state.
//
// Fail closed: every path of onMessageSendHandler ends in exactly one event.completed(), and the only
// completion with allowEvent: true is the guard's "allow" (nothing asked, nothing required, policy read).
// Thrown errors and the handler's own timer (well under Outlook's five minutes) end with the plain send
// cancelled.

import { SignetError, toSignetError } from '../core/errors.js';
import type { ComposeServices } from '../compose/services.js';
import { CHOICE_KEY, parseChoice, serializeChoice } from '../compose/defaults.js';
import {
  getComposeFrom,
  getComposeRecipients,
  getSessionValue,
  removeInfoBar,
  setSessionValue,
  showErrorBar,
  showInfoBar,
  signedInUser,
} from '../outlook/office.js';
import type { Policy } from '../policy/policy.js';
import { MAILBOX_API } from '../outlook/requirements.js';
import {
  COMPOSE_PANE_COMMAND,
  PROTECTION_KEY,
  SENT_KEY,
  decideSend,
  describeProtection,
  parseProtection,
  policyRequirement,
  serializeProtection,
  type Block,
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
  /** The key services (the recipients-changed info bar; the send handler never loads keys). */
  services(): Promise<ComposeServices>;
  /** Office.context.requirements.isSetSupported('Mailbox', version) (office.ts requirementSupported). */
  mailboxSupports(version: string): boolean;
  /** The send handler's own time limit. */
  sendTimeoutMs: number;
  /** Domain → A-label form (core/idn.ts domainKey). */
  toAscii(domain: string): string;
  now(): Date;
}

/**
 * Outlook ends an OnMessageSend handler after five minutes and shows "taking longer than expected" after
 * five seconds; the guard reads only the item and the policy, so past this something is wrong: it blocks.
 */
export const DEFAULT_SEND_TIMEOUT_MS = 20_000;
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

/** The JSON the pane receives through getInitializationContextAsync when opened from the dialog (Mailbox 1.15). */
export interface GuardContext {
  signet: 'send-guard';
  reason: Block['reason'];
  protection: ProtectionState | null;
}

function completionFor(decision: Block, contextData: boolean): SendCompletion {
  const out: SendCompletion = { allowEvent: false, errorMessage: decision.message };
  if (decision.commandId !== null) {
    out.commandId = decision.commandId;
    if (contextData) out.contextData = JSON.stringify({ signet: 'send-guard', reason: decision.reason, protection: decision.protection } satisfies GuardContext);
  }
  if (decision.cancelLabel !== null) out.cancelLabel = decision.cancelLabel;
  return out;
}

/** The completion for an error anywhere in the send path: always a cancelled send, with what to do. */
export function completionForError(e: unknown, withPane = true): SendCompletion {
  const err = toSignetError(e, 'internal');
  const known = err.code !== 'internal' && err.code !== 'io';
  const message = known
    ? `Signet did not send this message: ${err.message}`
    : `Signet hit an unexpected problem and stopped Outlook from sending this message unprotected (${err.message.slice(0, 200)}). Open Signet to try again.`;
  return blocked(message, withPane);
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

async function sendGuard(deps: HandlerDeps): Promise<SendCompletion> {
  const [stored, sent, policy, recipients] = await Promise.all([
    readStored(),
    getSessionValue(SENT_KEY).catch(() => null),
    deps.loadPolicy(),
    readRecipients(),
  ]);
  // "Take Action" with commandId needs Mailbox 1.14; contextData 1.15 (smart-alerts-onmessagesend-walkthrough).
  const takeAction = deps.mailboxSupports(MAILBOX_API.smartAlertsTakeAction);
  const decision = decideSend({ stored, policy, recipients, runtime: deps.runtime, takeAction, alreadySent: sent, toAscii: deps.toAscii });
  if (decision.action === 'allow') return { allowEvent: true };
  return completionFor(decision, deps.mailboxSupports(MAILBOX_API.smartAlertsContextData));
}

/** OnMessageSend (Smart Alerts). */
export async function onMessageSend(event: Office.MailboxEvent, deps: HandlerDeps): Promise<void> {
  const complete = completeOnce(event);
  // Asked once, up front, and never allowed to throw: the error and timeout paths depend on it.
  let withPane = true;
  try {
    withPane = deps.mailboxSupports(MAILBOX_API.smartAlertsTakeAction);
  } catch {
    // Unknown: offer the button; Outlook ignores a commandId it cannot show.
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      complete(blocked(`Signet could not check this message within ${Math.round(deps.sendTimeoutMs / 1000)} seconds, so Outlook did not send it. Send again, or open Signet to send it.`, withPane));
      resolve();
    }, deps.sendTimeoutMs);
  });
  const checked = sendGuard(deps).then(complete, (e: unknown) => complete(completionForError(e, withPane)));
  // Whichever comes first ends this call; a late guard result is dropped by completeOnce.
  await Promise.race([checked, timedOut]);
  clearTimeout(timer);
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
  // The sender set this switch by hand; the other stays the defaults' to decide (compose/defaults.ts), so
  // Encrypt from the ribbon still gets Sign by default in the pane instead of an "unsigned?" question.
  const choice = parseChoice(await getSessionValue(CHOICE_KEY).catch(() => null)) ?? { sign: 'auto', encrypt: 'auto' };
  await setSessionValue(CHOICE_KEY, serializeChoice({ ...choice, [which]: 'user' })).catch(() => undefined);
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
