// Turns a Draft into the RFC 5322 message that Signet then signs and/or encrypts, with the core MIME
// builder (core/mime/builder.ts): text/plain alone, or multipart/alternative (RFC 2046 §5.1.4) of
// text/plain and text/html, the HTML wrapped in multipart/related (RFC 2387) with its inline images as
// `cid:` parts (RFC 2392), and multipart/mixed around it when there are attachments. Bcc is never written
// (RFC 5322 §3.6.3): Bcc recipients only become encryption recipients and envelope recipients.

import { outsideScanner } from '../core/bytes.js';
import { SignetError } from '../core/errors.js';
import { domainKey } from '../core/idn.js';
import { buildMessage, encodeAddress, encodeAddressList, formatDate, generateMessageId, type EntitySpec } from '../core/mime/builder.js';
import type { Draft, DraftAttachment, MailAddress } from './draft.js';
import { validateDraft } from './draft.js';

export interface BuildDraftOptions {
  /** The Date header; default now. */
  now?: Date;
  /** Random source for boundaries and the Message-ID; default WebCrypto. */
  random?: (n: number) => Uint8Array;
}

export interface BuiltMessage {
  /** The whole unprotected message, CRLF, 7-bit. */
  bytes: Uint8Array;
  /** The Message-ID written, with angle brackets. */
  messageId: string;
}

/**
 * RFC 5322 §3.6.4 msg-id: `<id-left@id-right>`, printable ASCII without spaces or brackets inside. id-left
 * (dot-atom-text) and id-right have no "@", so the split is unambiguous and the match linear (an "@" allowed on both
 * sides made `<` followed by 40 000 "@" take 8 s).
 */
const MSG_ID = /^<[\x21-\x3b\x3d\x3f\x41-\x7e]+@[\x21-\x3b\x3d\x3f\x41-\x5a\x5e-\x7e]+>$/;

/** The msg-ids of an In-Reply-To / References value, in order; anything else in the value is dropped. */
export function parseMsgIds(value: string): string[] {
  return (value.match(/<[^<>\s]+>/g) ?? []).filter((id) => MSG_ID.test(id));
}

function addressHeader(list: readonly MailAddress[]): string {
  return encodeAddressList(list.map((a) => ({ name: a.name.trim() || null, address: a.address.trim() })));
}

/** The From domain in A-label form, for the Message-ID's right-hand side. */
function messageIdDomain(from: MailAddress): string {
  const at = from.address.lastIndexOf('@');
  const key = domainKey(from.address.slice(at + 1).trim());
  return /^[A-Za-z0-9.-]+$/.test(key) ? key : 'signet.invalid';
}

/**
 * True when `b` may travel as message/rfc822 unencoded: 7-bit, no NUL, no lone CR (the builder turns bare
 * LF into CRLF, RFC 2045 §2.7), lines of at most 998 octets.
 */
function sevenBitClean(b: Uint8Array): boolean {
  let lineStart = 0;
  const next = outsideScanner(b, 0x20);
  for (let i = next(0); i < b.length; i = next(i + 1)) {
    const c = b[i]!;
    if (c === 0 || c >= 0x80) return false;
    if (c === 0x0d && b[i + 1] !== 0x0a) return false;
    if (c === 0x0a) {
      if (i - lineStart - (i > 0 && b[i - 1] === 0x0d ? 1 : 0) > 998) return false;
      lineStart = i + 1;
    }
  }
  return b.length - lineStart <= 998;
}

function withExtension(name: string, ext: string): string {
  const trimmed = name.trim() || 'attachment';
  return trimmed.toLowerCase().endsWith(ext) ? trimmed : `${trimmed}${ext}`;
}

function attachmentPart(a: DraftAttachment): EntitySpec {
  if (a.kind === 'message' || a.contentType.toLowerCase() === 'message/rfc822') {
    const filename = withExtension(a.name, '.eml');
    // RFC 2046 §5.2.1 forbids encoding a message/rfc822 body; an 8-bit message therefore goes as a
    // downloadable .eml file instead of being mangled.
    if (sevenBitClean(a.content)) return { contentType: 'message/rfc822', body: a.content, disposition: 'attachment', filename };
    return { contentType: 'application/octet-stream', body: a.content, disposition: 'attachment', filename, transferEncoding: 'base64' };
  }
  if (a.kind === 'calendar') {
    return { contentType: 'text/calendar', body: a.content, disposition: 'attachment', filename: withExtension(a.name, '.ics') };
  }
  return { contentType: a.contentType, body: a.content, disposition: 'attachment', filename: a.name.trim() || 'attachment' };
}

function bodyPart(draft: Draft): EntitySpec {
  const text: EntitySpec = { contentType: 'text/plain', body: draft.text };
  if (draft.html === null) return text;
  let html: EntitySpec = { contentType: 'text/html', body: draft.html };
  if (draft.inlineImages.length > 0) {
    html = {
      contentType: 'multipart/related',
      params: { type: 'text/html' },
      parts: [
        html,
        ...draft.inlineImages.map(
          (img): EntitySpec => ({ contentType: img.contentType, body: img.content, disposition: 'inline', filename: img.name, contentId: img.contentId }),
        ),
      ],
    };
  }
  return { contentType: 'multipart/alternative', parts: [text, html] };
}

/** The draft's RFC 5322 header fields, in the order clients write them (Bcc deliberately absent). */
export function draftHeaders(draft: Draft, messageId: string, now: Date): [string, string][] {
  const headers: [string, string][] = [
    ['Date', formatDate(now)],
    ['From', encodeAddress({ name: draft.from.name.trim() || null, address: draft.from.address.trim() })],
  ];
  if (draft.to.length > 0) headers.push(['To', addressHeader(draft.to)]);
  if (draft.cc.length > 0) headers.push(['Cc', addressHeader(draft.cc)]);
  if (draft.subject !== '') headers.push(['Subject', draft.subject]);
  headers.push(['Message-ID', messageId]);
  const inReplyTo = draft.inReplyTo !== null && MSG_ID.test(draft.inReplyTo) ? draft.inReplyTo : null;
  if (inReplyTo) headers.push(['In-Reply-To', inReplyTo]);
  // RFC 5322 §3.6.4: References = the parent's References plus the parent's msg-id.
  const references = draft.references.filter((id) => MSG_ID.test(id));
  if (inReplyTo && !references.includes(inReplyTo)) references.push(inReplyTo);
  if (references.length > 0) headers.push(['References', references.join(' ')]);
  if (draft.importance !== 'normal') {
    // Importance (RFC 2156 §5.3) is what Outlook and Exchange read; X-Priority what most other clients read.
    headers.push(['Importance', draft.importance]);
    headers.push(['X-Priority', draft.importance === 'high' ? '1 (Highest)' : '5 (Lowest)']);
  }
  return headers;
}

/** Builds the unprotected message for a draft. Throws `usage` / `malformed-address` for a draft that cannot be sent. */
export function buildDraftMessage(draft: Draft, options: BuildDraftOptions = {}): BuiltMessage {
  validateDraft(draft);
  const now = options.now ?? new Date();
  const messageId = generateMessageId(messageIdDomain(draft.from), options.random);
  const body = bodyPart(draft);
  const root: EntitySpec =
    draft.attachments.length > 0 ? { contentType: 'multipart/mixed', parts: [body, ...draft.attachments.map(attachmentPart)] } : body;
  try {
    const bytes = buildMessage({ ...root, headers: [...draftHeaders(draft, messageId, now), ...(root.headers ?? [])] }, { random: options.random });
    return { bytes, messageId };
  } catch (e) {
    if (e instanceof SignetError) throw e;
    throw new SignetError('internal', `The message could not be built: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}
