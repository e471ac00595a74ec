// Reads the message being composed in Outlook into a plain, Office-free Draft (src/compose/draft.ts), through
// the promisified calls of office.ts: From (incl. shared and delegated mailboxes, `item.from`, Mailbox 1.7),
// To/Cc/Bcc, Subject, the HTML and plain-text bodies, attachments (`getAttachmentContentAsync`, 1.8) and
// inline images (rewritten to RFC 2392 `cid:` references), reply threading and importance.
//
// What Office.js cannot give, and what Signet does instead:
// - In-Reply-To / References: compose mode has no property for the message replied to, and
//   `internetHeaders.getAsync` is documented for the custom headers an add-in set itself
//   (https://learn.microsoft.com/javascript/api/outlook/office.internetheaders). Signet asks for both
//   headers and uses them when Outlook returns them; otherwise the reply carries no threading headers and
//   clients thread it by subject (Outlook by its conversation, which Exchange keeps server-side).
// - Importance: there is no compose-mode getter in Office.js; an Importance / X-Priority internet header is
//   used when present, otherwise the message goes with normal importance.
// - Content types: compose-mode attachment details carry none; they come from the file name (and, for an
//   inline image, from the image's signature bytes).
// - Cloud attachments (OneDrive / SharePoint links) have no bytes to protect: refused, "attach a copy".

import { fromBase64, toHex, utf8 } from '../core/bytes.js';
import { SignetError } from '../core/errors.js';
import { parseMsgIds } from '../compose/build.js';
import type { ComposeKind, Draft, DraftAttachment, Importance, InlineImage, MailAddress } from '../compose/draft.js';
import { mediaTypeFor } from '../compose/media-types.js';
import { checkSize, estimateMessageBytes, estimateProtectedBytes, type Protection, type SizeLimit } from '../compose/size.js';
import {
  getAttachmentContent,
  getComposeAttachments,
  getComposeBody,
  getComposeBodyType,
  getComposeFrom,
  getComposeInternetHeaders,
  getComposeRecipients,
  getComposeType,
  getItemSubject,
  signedInUser,
} from './office.js';

export interface ReadDraftOptions {
  /**
   * When given, the message is refused (`message-too-large`) from the attachments' sizes alone, before
   * any attachment content is downloaded.
   */
  limit?: SizeLimit;
  protection?: Protection;
  /** Random source for generated Content-IDs; default WebCrypto. */
  random?: (n: number) => Uint8Array;
  /**
   * Called once the sender and the recipients are known, before the body and the attachments are read: the
   * pane starts its key look-ups there (compose/protect-draft.ts startKeyLookups).
   */
  onEnvelope?: (envelope: Pick<Draft, 'from' | 'to' | 'cc' | 'bcc'>) => void;
}

function mailAddress(d: Office.EmailAddressDetails | null | undefined): MailAddress | null {
  if (!d || typeof d.emailAddress !== 'string' || d.emailAddress.trim() === '') return null;
  return { name: (d.displayName ?? '').trim(), address: d.emailAddress.trim() };
}

function addresses(list: readonly Office.EmailAddressDetails[]): MailAddress[] {
  return list.map(mailAddress).filter((a): a is MailAddress => a !== null);
}

function composeKind(type: string | null): ComposeKind {
  const t = (type ?? '').toLowerCase();
  return t === 'reply' ? 'reply' : t === 'forward' ? 'forward' : 'new';
}

function headerValue(headers: Record<string, string>, name: string): string | null {
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name.toLowerCase() && typeof v === 'string') return v;
  return null;
}

/** Importance (RFC 2156 §5.3: low / normal / high), else X-Priority (1-2 high, 4-5 low). */
function importanceOf(headers: Record<string, string>): Importance {
  const importance = headerValue(headers, 'Importance')?.trim().toLowerCase();
  if (importance === 'high' || importance === 'low' || importance === 'normal') return importance;
  const priority = Number.parseInt(headerValue(headers, 'X-Priority') ?? '', 10);
  if (priority === 1 || priority === 2) return 'high';
  if (priority === 4 || priority === 5) return 'low';
  return 'normal';
}

/** An image type from the first bytes (PNG, JPEG, GIF, WebP, BMP), for inline images whose name says nothing. */
function sniffImageType(b: Uint8Array): string | null {
  const starts = (...sig: number[]): boolean => sig.every((v, i) => b[i] === v);
  if (starts(0x89, 0x50, 0x4e, 0x47)) return 'image/png';
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (starts(0x47, 0x49, 0x46, 0x38)) return 'image/gif';
  if (starts(0x52, 0x49, 0x46, 0x46) && b[8] === 0x57 && b[9] === 0x45 && b[10] === 0x42 && b[11] === 0x50) return 'image/webp';
  if (starts(0x42, 0x4d)) return 'image/bmp';
  return null;
}

function cloudRefusal(name: string): SignetError {
  return new SignetError(
    'unsupported-attachment',
    `"${name}" is a cloud attachment (a link to OneDrive or SharePoint), which Signet cannot sign or encrypt. Remove it and attach a copy of the file instead, or share the link in the text.`,
  );
}

type NativeBase64 = { fromBase64?: (s: string) => Uint8Array };

/**
 * An attachment's base64 from Outlook, decoded. Where the runtime has ES2026's `Uint8Array.fromBase64`
 * (Chromium 140, Safari 18.2, Firefox 133: the WebView2 and browsers Outlook runs in) it decodes a 3 MB
 * attachment natively, ~10× faster than the JavaScript decoder (bench/compose.ts). It is used only where
 * its result is the core decoder's: on text without a form feed (the one separator it skips that
 * fromBase64() refuses); any text it refuses (say "QQ=", which fromBase64() reads) goes to fromBase64(),
 * whose result or `malformed-base64` error stands.
 */
function decodeAttachment(b64: string): Uint8Array {
  const native = (Uint8Array as unknown as NativeBase64).fromBase64;
  if (typeof native === 'function' && !b64.includes('\f')) {
    try {
      return native.call(Uint8Array, b64);
    } catch {
      // fall through to the core decoder
    }
  }
  return fromBase64(b64);
}

interface FetchedAttachment {
  details: Office.AttachmentDetailsCompose;
  attachment: DraftAttachment;
}

async function fetchAttachment(details: Office.AttachmentDetailsCompose): Promise<FetchedAttachment> {
  const name = details.name || 'attachment';
  if (String(details.attachmentType).toLowerCase() === 'cloud') throw cloudRefusal(name);
  const content = await getAttachmentContent(details.id);
  const format = String(content.format).toLowerCase();
  if (format === 'base64') {
    return { details, attachment: { kind: 'file', name, contentType: mediaTypeFor(name), content: decodeAttachment(content.content) } };
  }
  if (format === 'eml') {
    // An attached e-mail ("Forward as attachment", or an item attached in classic Outlook): the EML as text.
    return { details, attachment: { kind: 'message', name, contentType: 'message/rfc822', content: utf8(content.content) } };
  }
  if (format === 'icalendar') {
    return { details, attachment: { kind: 'calendar', name, contentType: 'text/calendar', content: utf8(content.content) } };
  }
  if (format === 'url') throw cloudRefusal(name);
  throw new SignetError('unsupported-attachment', `Outlook handed over "${name}" in a form Signet does not know (${String(content.format)}); remove it and attach the file again.`);
}

const IMG_SRC = /(<img\b[^>]*?\bsrc\s*=\s*)(["'])([^"']*)\2/gi;

function decodeAttribute(v: string): string {
  return v.replace(/&amp;/gi, '&').replace(/&quot;/gi, '"').replace(/&#39;/g, "'");
}

function safeDecode(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}

/**
 * Points every <img> of the HTML body that shows `image` at `cid:<contentId>`. Outlook writes inline images
 * as `cid:` references (classic, and Outlook on the web since November 2025) or, in older web builds, as a
 * URL that contains the attachment id; both forms are recognised. Returns the new HTML and whether the image
 * is referenced at all.
 */
export function rewriteInlineReferences(html: string, image: { id: string; contentId: string; name: string; cid: string }): { html: string; referenced: boolean } {
  let referenced = false;
  const wanted = new Set([image.contentId, image.name].filter((s) => s !== '').map((s) => s.toLowerCase()));
  const out = html.replace(IMG_SRC, (whole, prefix: string, quote: string, rawSrc: string) => {
    const src = decodeAttribute(rawSrc);
    let match = false;
    if (/^cid:/i.test(src)) match = wanted.has(safeDecode(src.slice(4)).replace(/^<|>$/g, '').toLowerCase());
    else if (image.id !== '' && (src.includes(image.id) || src.includes(encodeURIComponent(image.id)) || safeDecode(src).includes(image.id))) match = true;
    if (!match) return whole;
    referenced = true;
    return `${prefix}${quote}cid:${image.cid}${quote}`;
  });
  return { html: out, referenced };
}

/**
 * Reads the message being composed. Throws a SignetError with a sentence for the sender when it cannot be
 * sent protected as it is (a cloud attachment, too large for the transport, no From address …).
 */
export async function readDraft(options: ReadDraftOptions = {}): Promise<Draft> {
  const [fromDetails, toList, ccList, bccList, subject, bodyType] = await Promise.all([
    getComposeFrom(),
    getComposeRecipients('to'),
    getComposeRecipients('cc'),
    getComposeRecipients('bcc'),
    getItemSubject(),
    getComposeBodyType(),
  ]);
  const user = signedInUser();
  const from = mailAddress(fromDetails) ?? (user && user.email ? { name: user.name, address: user.email } : null);
  if (from === null) throw new SignetError('usage', 'Outlook did not say who this message is from.');
  options.onEnvelope?.({ from, to: addresses(toList), cc: addresses(ccList), bcc: addresses(bccList) });

  // Independent Office.js calls, each a round trip to Outlook: started together (issue 17, compose latency),
  // awaited in the order their failures were always reported.
  const htmlRead = bodyType === 'html' ? getComposeBody('html') : Promise.resolve(null);
  const textRead = getComposeBody('text');
  const listRead = getComposeAttachments();
  const typeRead = getComposeType();
  // Only threading and importance come from the internet headers; a message without them is still correct.
  const headersRead = getComposeInternetHeaders(['In-Reply-To', 'References', 'Importance', 'X-Priority']).catch((): Record<string, string> => ({}));
  for (const p of [htmlRead, textRead, listRead, typeRead]) p.catch(() => undefined); // reported below, in order
  const html = await htmlRead;
  const text = await textRead;
  const attachmentList = await listRead;

  if (options.limit) {
    // Refuse before downloading: Outlook reports every attachment's size up front.
    const recipients = toList.length + ccList.length + bccList.length;
    const estimate = estimateMessageBytes({ textBytes: text.length, htmlBytes: html?.length ?? 0, attachmentBytes: attachmentList.map((a) => a.size || 0) });
    checkSize(estimateProtectedBytes(estimate, options.protection ?? { sign: true, encrypt: true }, recipients), options.limit);
  }
  for (const a of attachmentList) if (String(a.attachmentType).toLowerCase() === 'cloud') throw cloudRefusal(a.name || 'attachment');

  const kind = composeKind(await typeRead);
  const headers = await headersRead;

  // Downloaded together, decoded as each arrives; a failure is reported for the first attachment in order.
  const fetching = attachmentList.map((details) => fetchAttachment(details));
  for (const f of fetching) f.catch(() => undefined);
  const fetched: FetchedAttachment[] = [];
  for (const f of fetching) fetched.push(await f);

  let body = html;
  const inlineImages: InlineImage[] = [];
  const attachments: DraftAttachment[] = [];
  const random = options.random ?? ((n: number) => globalThis.crypto.getRandomValues(new Uint8Array(n)));
  for (const f of fetched) {
    if (f.details.isInline && body !== null && f.attachment.kind === 'file') {
      const given = (f.details.contentId ?? '').replace(/^<|>$/g, '').trim();
      const cid = /^[\x21-\x3b\x3d\x3f-\x7e]+$/.test(given) ? given : `signet-${toHex(random(8))}@inline.invalid`;
      const rewritten = rewriteInlineReferences(body, { id: f.details.id, contentId: given, name: f.attachment.name, cid });
      if (rewritten.referenced) {
        body = rewritten.html;
        const type = f.attachment.contentType.startsWith('image/') ? f.attachment.contentType : sniffImageType(f.attachment.content) ?? f.attachment.contentType;
        inlineImages.push({ name: f.attachment.name, contentType: type, contentId: cid, content: f.attachment.content });
        continue;
      }
      // An inline image the body no longer shows still travels, as an ordinary attachment.
    }
    attachments.push(f.attachment);
  }

  const inReplyTo = kind === 'reply' ? (parseMsgIds(headerValue(headers, 'In-Reply-To') ?? '')[0] ?? null) : null;
  const references = kind === 'new' ? [] : parseMsgIds(headerValue(headers, 'References') ?? '');
  return {
    from,
    to: addresses(toList),
    cc: addresses(ccList),
    bcc: addresses(bccList),
    subject,
    html: body,
    text,
    inlineImages,
    attachments,
    kind,
    inReplyTo,
    references,
    importance: importanceOf(headers),
  };
}
