// The send-time guard's decision, as a pure function: from the protection the sender asked for (item
// sessionData `signet-protection`), what the organisation policy requires (alwaysSign, encryption for all
// mail or for listed domains) and the recipients, it decides to let Outlook send, or to block with a
// message and — where Outlook has the button (Mailbox 1.14) — "Open Signet", the compose pane's commandId.
//
// Design (docs/ARCHITECTURE.md "Event handlers"): the OnMessageSend handler never signs, encrypts or sends.
// Microsoft's Smart Alerts documentation asks for short, lightweight handlers (past five seconds Outlook
// shows "taking longer than expected", at five minutes it times out, and a user who navigates away may end
// the handler with "Save as Draft"), and offers exactly this pattern: errorMessage + cancelLabel +
// commandId opening a task pane ("Take Action", Mailbox 1.14;
// https://learn.microsoft.com/office/dev/add-ins/outlook/onmessagesend-onappointmentsend-events and
// …/smart-alerts-onmessagesend-walkthrough). A message that must be protected is therefore blocked with a
// plain sentence and "Open Signet"; the pane protects it, sends it through Signet's transport and confirms.
// One design for both runtimes: classic Outlook's JavaScript-only runtime (launchevent.ts) could not sign
// anyway, so the user meets the same dialog and the same pane on every client.
//
// Rule: Outlook's own (plain) send is allowed only when the policy could be read and neither it nor the
// sender asks for any protection. Everything uncertain blocks.
//
// sendModeOverride (PromptUser) is never used: it adds "Send Anyway", which would send plaintext of a
// message that was to be protected; every block here is of such a message or of one whose requirement is
// unknown.
//
// This file is also loaded by classic Outlook's JavaScript-only runtime (launchevent.ts), which runs
// ECMAScript 2016 only: no async/await, no `?.`/`??`, no object spread, no optional catch binding — and,
// per Microsoft, no conditional (ternary) operator
// (https://learn.microsoft.com/office/dev/add-ins/outlook/troubleshoot-event-based-and-spam-reporting-add-ins).
// test/unit/events/es2016.test.ts parses the compiled file to hold it to that.

/** The sessionData key holding the sender's choice, JSON `{"sign": boolean, "encrypt": boolean, "v": 1}`. */
export const PROTECTION_KEY = 'signet-protection';
/** The sessionData key set after Signet sent this item protected (ISO time), so a second Send does not send twice. */
export const SENT_KEY = 'signet-sent';
/** The compose task pane button's control id (manifest.xml): the Smart Alerts "Take Action" target. */
export const COMPOSE_PANE_COMMAND = 'signetComposePaneButton';
/** Smart Alerts allows at most 500 characters of errorMessage and 20 of cancelLabel. */
export const MAX_ALERT_MESSAGE = 500;

export type RuntimeKind = 'browser' | 'javascript-only';

export interface ProtectionState {
  sign: boolean;
  encrypt: boolean;
}

export type StoredProtection = { status: 'set'; value: ProtectionState } | { status: 'absent' } | { status: 'unreadable'; reason: string };

/** The part of the organisation policy (src/policy/policy.ts Policy) the guard reads. */
export interface GuardPolicy {
  signing: { alwaysSign: boolean };
  encryption: { required: 'never' | 'always' | 'domains'; domains: string[] };
}

export type PolicyView = { status: 'loaded'; policy: GuardPolicy } | { status: 'unavailable'; reason: string };

export type RecipientsView = { status: 'read'; addresses: string[] } | { status: 'unreadable'; reason: string };

export type BlockReason =
  | 'already-sent'
  | 'protection-unreadable'
  | 'policy-unavailable'
  | 'recipients-unreadable'
  /** The message must be signed and/or encrypted: only Signet's pane sends it. */
  | 'protect-in-pane';

export interface Block {
  action: 'block';
  reason: BlockReason;
  message: string;
  /** The compose pane, where the sender can finish (Smart Alerts commandId), or null. */
  commandId: string | null;
  /** Text of the Take Action button (≤ 20 characters), or null for Outlook's default. */
  cancelLabel: string | null;
  /** The protection the pane is to apply ('protect-in-pane'), else null. */
  protection: ProtectionState | null;
}

export type GuardDecision = { action: 'allow' } | Block;

export interface GuardInput {
  stored: StoredProtection;
  policy: PolicyView;
  recipients: RecipientsView;
  /** Which runtime asks (both decide the same way: neither signs while Outlook sends). */
  runtime: RuntimeKind;
  /**
   * Whether Outlook can put an "Open Signet" (Take Action) button on the Smart Alerts dialog: Mailbox 1.14
   * (commandId). Without it the message says in words where to find Signet. Default true.
   */
  takeAction?: boolean;
  /** When Signet already sent this item protected (SENT_KEY), else null. */
  alreadySent: string | null;
  /** Domain → A-label comparison form (core/idn.ts domainKey); without it a non-ASCII domain counts as listed. */
  toAscii?: (domain: string) => string;
}

/** Parses the sessionData value; anything but the documented shape is unreadable (and so blocks). */
export function parseProtection(raw: string | null): StoredProtection {
  if (raw === null || raw === '') return { status: 'absent' };
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch (e) {
    return { status: 'unreadable', reason: 'The stored protection setting is not JSON (' + String(e) + ').' };
  }
  const o = doc as { sign?: unknown; encrypt?: unknown; v?: unknown } | null;
  if (o === null || typeof o !== 'object' || o.v !== 1 || typeof o.sign !== 'boolean' || typeof o.encrypt !== 'boolean') {
    return { status: 'unreadable', reason: 'The stored protection setting has an unknown form.' };
  }
  return { status: 'set', value: { sign: o.sign, encrypt: o.encrypt } };
}

export function serializeProtection(state: ProtectionState): string {
  return JSON.stringify({ sign: state.sign === true, encrypt: state.encrypt === true, v: 1 });
}

/** The domain part of an address, lowercased; '' when there is none. */
function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0) return '';
  return address.slice(at + 1).trim().replace(/\.$/, '').toLowerCase();
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** True when `domain` is one of the policy's domains ("example.com", or "*.example.com" for its subdomains). */
export function domainListed(domain: string, listed: readonly string[], toAscii?: (domain: string) => string): boolean {
  let d = domain;
  if (!isAscii(d)) {
    // Without IDN conversion the comparison cannot be made: count it as listed (fail closed).
    if (toAscii === undefined) return true;
    d = toAscii(d);
  }
  for (const entry of listed) {
    const e = entry.toLowerCase();
    if (e.indexOf('*.') === 0) {
      if (d.length > e.length - 1 && d.endsWith(e.slice(1))) return true;
    } else if (d === e) {
      return true;
    }
  }
  return false;
}

export interface Requirement {
  sign: boolean;
  encrypt: boolean;
  /** The recipient domains that make encryption required (policy "domains"). */
  encryptDomains: string[];
}

/**
 * What the policy requires of this message, or null when that cannot be known (policy unreadable, or
 * recipients unreadable under a per-domain rule).
 */
export function policyRequirement(policy: PolicyView, recipients: RecipientsView, toAscii?: (domain: string) => string): Requirement | null {
  if (policy.status !== 'loaded') return null;
  const p = policy.policy;
  const out: Requirement = { sign: p.signing.alwaysSign === true, encrypt: p.encryption.required === 'always', encryptDomains: [] };
  if (p.encryption.required === 'domains') {
    if (recipients.status !== 'read') return null;
    for (const address of recipients.addresses) {
      const d = domainOf(address);
      if (domainListed(d, p.encryption.domains, toAscii) && out.encryptDomains.indexOf(d) < 0) out.encryptDomains.push(d);
    }
    if (out.encryptDomains.length > 0) out.encrypt = true;
  }
  return out;
}

/** "signed", "encrypted" or "signed and encrypted". */
export function describeProtection(p: ProtectionState): string {
  if (p.sign && p.encrypt) return 'signed and encrypted';
  if (p.encrypt) return 'encrypted';
  return 'signed';
}

/** Where the pane is when Outlook has no Take Action button (Mailbox below 1.14). */
const PANE_IN_WORDS = 'the Signet pane (the Signet button on this message\'s ribbon, under "…" or Apps when hidden)';

function block(reason: BlockReason, message: string, withPane: boolean, takeAction: boolean, protection: ProtectionState | null): Block {
  let text = message;
  if (withPane && !takeAction) text = text.split('Choose "Open Signet"').join('Open ' + PANE_IN_WORDS).split('Open Signet').join('Open ' + PANE_IN_WORDS);
  if (text.length > MAX_ALERT_MESSAGE) text = text.slice(0, MAX_ALERT_MESSAGE - 1) + '…';
  if (withPane && takeAction) return { action: 'block', reason: reason, message: text, commandId: COMPOSE_PANE_COMMAND, cancelLabel: 'Open Signet', protection: protection };
  return { action: 'block', reason: reason, message: text, commandId: null, cancelLabel: null, protection: protection };
}

function why(requested: ProtectionState, required: Requirement): string {
  const parts: string[] = [];
  if (required.sign) parts.push('your organisation requires signing');
  if (required.encrypt) {
    if (required.encryptDomains.length > 0) parts.push('your organisation requires encryption for mail to ' + required.encryptDomains.slice(0, 3).join(', '));
    else parts.push('your organisation requires encryption');
  }
  if ((requested.sign && !required.sign) || (requested.encrypt && !required.encrypt)) parts.push('you turned it on');
  if (parts.length === 0) return '';
  return ' (' + parts.join('; ') + ')';
}

/** The guard. See the rule at the top of this file. */
export function decideSend(input: GuardInput): GuardDecision {
  const pane = input.takeAction !== false;
  if (input.alreadySent !== null) {
    return block(
      'already-sent',
      'Signet already sent this message protected; the protected copy is in Sent Items. Close this draft without saving it instead of sending it again.',
      false,
      pane,
      null,
    );
  }
  if (input.stored.status === 'unreadable') {
    return block('protection-unreadable', 'Signet could not read whether this message is to be signed or encrypted, so Outlook did not send it. Choose "Open Signet" to choose and send.', true, pane, null);
  }
  if (input.policy.status !== 'loaded') {
    return block(
      'policy-unavailable',
      "Signet could not load your organisation's policy, so it cannot tell whether this message must be signed or encrypted; Outlook did not send it. Choose \"Open Signet\" to send it protected, or try again in a moment.",
      true,
      pane,
      null,
    );
  }
  const required = policyRequirement(input.policy, input.recipients, input.toAscii);
  if (required === null) {
    return block('recipients-unreadable', 'Signet could not read the recipients to check whether this message must be encrypted, so Outlook did not send it. Try again, or choose "Open Signet" to send it.', true, pane, null);
  }
  let requested: ProtectionState = { sign: false, encrypt: false };
  if (input.stored.status === 'set') requested = input.stored.value;
  const want: ProtectionState = { sign: requested.sign || required.sign, encrypt: requested.encrypt || required.encrypt };
  if (!want.sign && !want.encrypt) return { action: 'allow' };
  return block(
    'protect-in-pane',
    'Not sent yet: this message must be ' + describeProtection(want) + why(requested, required) + ', and only Signet can send it that way. Choose "Open Signet" and press ' + sendButton(want) + ' there; Signet sends it protected and confirms when it has left.',
    true,
    pane,
    want,
  );
}

function sendButton(p: ProtectionState): string {
  if (p.encrypt) return '"Encrypt & Send"';
  return '"Sign & Send"';
}
