// A message being composed, as plain data with no Office.js in it: what src/outlook/compose-item.ts reads
// from Outlook's compose form and what build.ts turns into RFC 5322 / RFC 2045 MIME. Keeping the draft
// Office-free lets the same build → protect → send pipeline run in the task pane, in the send-time event
// handler and in Node tests.

import { SignetError } from '../core/errors.js';
import { addressKey } from '../core/mime/address.js';

/** One mailbox (RFC 5322 §3.4 name-addr): a display name (may be empty) and an addr-spec. */
export interface MailAddress {
  name: string;
  address: string;
}

/**
 * - `file`: a file attached as is (Office.js AttachmentContentFormat Base64);
 * - `message`: an attached e-mail (Office.js `Eml`), sent as message/rfc822 (RFC 2046 §5.2.1);
 * - `calendar`: an attached calendar item (Office.js `ICalendar`), sent as text/calendar (RFC 5545).
 */
export type AttachmentKind = 'file' | 'message' | 'calendar';

export interface DraftAttachment {
  kind: AttachmentKind;
  /** File name as the recipient should see it. */
  name: string;
  /** `type/subtype` (Outlook does not report one in compose mode: derived from the name, see media-types.ts). */
  contentType: string;
  content: Uint8Array;
}

/** An image shown inside the HTML body, referenced there as `cid:<contentId>` (RFC 2392). */
export interface InlineImage {
  name: string;
  contentType: string;
  /** Content-ID without angle brackets; the HTML body refers to it as `cid:<contentId>`. */
  contentId: string;
  content: Uint8Array;
}

export type ComposeKind = 'new' | 'reply' | 'forward';
export type Importance = 'low' | 'normal' | 'high';

export interface Draft {
  /** The From address: the signed-in user, or a shared / delegated mailbox chosen in Outlook's From field. */
  from: MailAddress;
  to: MailAddress[];
  cc: MailAddress[];
  /**
   * Blind copies: encryption recipients like everyone else, but never written into the protected message's
   * headers (RFC 5322 §3.6.3); the transport hands them to the server separately (see compose/submission.ts).
   */
  bcc: MailAddress[];
  subject: string;
  /** HTML body with inline images rewritten to `cid:` references, or null for a plain-text message. */
  html: string | null;
  /** Plain-text body (Outlook's own text rendering when the message is HTML). */
  text: string;
  inlineImages: InlineImage[];
  attachments: DraftAttachment[];
  kind: ComposeKind;
  /** RFC 5322 §3.6.4 msg-id of the message replied to, with angle brackets, or null. */
  inReplyTo: string | null;
  /** RFC 5322 §3.6.4 References, oldest first, each with angle brackets. */
  references: string[];
  importance: Importance;
}

/**
 * The key for "is this the same recipient": the core's address rule (core/mime/address.ts addressKey —
 * local part exact, domain case-insensitive in A-label form), the same one the key store indexes
 * certificates by, so that compose and the store never disagree about who a recipient is.
 */
export { addressKey };

/** Every recipient (To, Cc, Bcc), each address once, in that order. */
export function allRecipients(draft: Pick<Draft, 'to' | 'cc' | 'bcc'>): MailAddress[] {
  const seen = new Set<string>();
  const out: MailAddress[] = [];
  for (const a of [...draft.to, ...draft.cc, ...draft.bcc]) {
    const key = addressKey(a.address);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(a);
  }
  return out;
}

const ADDR_SPEC = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+$/u;

/**
 * Checks what build.ts relies on: a From address, at least one recipient, every address an addr-spec (a
 * display name in the address field would otherwise end up inside the header). Throws `malformed-address`
 * or `usage` with a sentence naming the problem.
 */
export function validateDraft(draft: Draft): void {
  if (!draft.from.address) throw new SignetError('usage', 'The message has no From address.');
  for (const a of [draft.from, ...draft.to, ...draft.cc, ...draft.bcc]) {
    if (!ADDR_SPEC.test(a.address.trim())) {
      throw new SignetError('malformed-address', `"${a.address}" is not an e-mail address.`);
    }
  }
  if (draft.to.length + draft.cc.length + draft.bcc.length === 0) {
    throw new SignetError('usage', 'The message has no recipients: add someone in To, Cc or Bcc.');
  }
}
