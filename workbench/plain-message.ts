// Outlook's own send, as the workbench simulates it when the send handlers allow it (or the user chooses
// "Send Anyway"): the compose form serialised as an ordinary RFC 5322 / MIME message — no add-in involved,
// no S/MIME. multipart/alternative (RFC 2046 §5.1.4) of the text and HTML bodies, inside
// multipart/related (RFC 2387) with the inline images as cid: parts (RFC 2392), inside multipart/mixed
// with the attachments; Importance (RFC 2156) and In-Reply-To / References (RFC 5322 §3.6.4) as Outlook
// writes them. Built with Signet's own core MIME builder.

import { fromBase64 } from '../src/core/bytes.js';
import { buildMessage, encodeAddressList, formatDate, generateMessageId, type EntitySpec } from '../src/core/mime/builder.js';
import type { ComposeState } from './fake-office.js';
import type { MailboxPerson } from './mailbox.js';

const list = (people: readonly MailboxPerson[]): string => encodeAddressList(people.map((p) => ({ name: p.name === p.email ? null : p.name, address: p.email })));

/** The message the form holds, as Outlook would hand it to Exchange. */
export function buildPlainMessage(state: ComposeState, body: { html: string; text: string }, now = new Date()): Uint8Array {
  const headers: [string, string][] = [['From', list([state.from])]];
  if (state.to.length > 0) headers.push(['To', list(state.to)]);
  if (state.cc.length > 0) headers.push(['Cc', list(state.cc)]);
  // Bcc goes to the transport in the header; Exchange removes it from the recipients' copies (delivery.ts).
  if (state.bcc.length > 0) headers.push(['Bcc', list(state.bcc)]);
  headers.push(['Subject', state.subject], ['Date', formatDate(now)], ['Message-ID', generateMessageId('workbench.signet.example')]);
  if (state.inReplyTo) headers.push(['In-Reply-To', state.inReplyTo]);
  if (state.references) headers.push(['References', state.references]);
  if (state.importance !== 'normal') headers.push(['Importance', state.importance === 'high' ? 'high' : 'low']);

  let root: EntitySpec = {
    contentType: 'multipart/alternative',
    parts: [
      { contentType: 'text/plain', body: body.text.replace(/\r?\n/g, '\r\n') },
      { contentType: 'text/html', body: body.html },
    ],
  };
  const inline = state.attachments.filter((a) => a.isInline && body.html.includes(`cid:${a.contentId}`));
  if (inline.length > 0) {
    root = {
      contentType: 'multipart/related',
      params: { type: 'multipart/alternative' },
      parts: [
        root,
        ...inline.map((a) => ({ contentType: a.contentType, body: fromBase64(a.base64), transferEncoding: 'base64' as const, contentId: a.contentId, disposition: 'inline' as const, filename: a.name })),
      ],
    };
  }
  const files = state.attachments.filter((a) => !a.isInline);
  if (files.length > 0) {
    root = {
      contentType: 'multipart/mixed',
      parts: [root, ...files.map((a) => ({ contentType: a.contentType, body: fromBase64(a.base64), transferEncoding: 'base64' as const, disposition: 'attachment' as const, filename: a.name }))],
    };
  }
  return buildMessage({ ...root, headers });
}
