// Picks what to show from the MIME entity a Verdict covers (RFC 2046 multiparts, RFC 2387 multipart/related,
// RFC 2183 dispositions): the body (HTML preferred over plain text in multipart/alternative), the inline
// resources an HTML body references by Content-ID (RFC 2392), and everything else as attachments to download.
// No rendering here: sanitize.ts turns the body into the sandboxed iframe's document.

import { decodeCharset } from '../core/mime/headers.js';
import type { MimeEntity } from '../core/mime/entity.js';

export interface AttachmentView {
  name: string;
  mediaType: string;
  bytes: Uint8Array;
}

export interface ContentView {
  body: { kind: 'html' | 'text'; text: string } | null;
  /** Content-ID (without <>) → data: URL, for cid: references in the HTML body. */
  inline: Map<string, string>;
  attachments: AttachmentView[];
}

function textOf(entity: MimeEntity): string {
  const bytes = entity.decodeBody();
  const charset = entity.contentType.params['charset'] ?? 'us-ascii';
  return decodeCharset(bytes, charset) ?? new TextDecoder('utf-8').decode(bytes);
}

function fileName(entity: MimeEntity, fallbackIndex: number): string {
  const name = entity.disposition?.params['filename'] ?? entity.contentType.params['name'];
  if (name && name.trim()) return name.trim();
  const ext = entity.type === 'message/rfc822' ? 'eml' : (entity.type.split('/')[1] ?? 'bin').replace(/[^a-z0-9]/gi, '');
  return `part-${fallbackIndex}.${ext || 'bin'}`;
}

function base64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp']);

export function extractContent(root: MimeEntity): ContentView {
  const view: ContentView = { body: null, inline: new Map(), attachments: [] };
  const attach = (e: MimeEntity): void => {
    view.attachments.push({ name: fileName(e, view.attachments.length + 1), mediaType: e.type, bytes: e.type === 'message/rfc822' ? e.raw.subarray(e.headerBytes.length) : e.decodeBody() });
  };
  const visit = (e: MimeEntity): void => {
    const isAttachment = e.disposition?.value.toLowerCase() === 'attachment';
    if (e.isMultipart) {
      if (e.type === 'multipart/alternative' && view.body === null) {
        const html = e.children.find((c) => c.type === 'text/html');
        const plain = e.children.find((c) => c.type === 'text/plain');
        const chosen = html ?? plain ?? e.children[e.children.length - 1];
        if (chosen) visit(chosen);
        for (const c of e.children) if (c !== chosen && c.isMultipart) visit(c);
        return;
      }
      for (const c of e.children) visit(c);
      return;
    }
    const cid = (e.header('content-id') ?? '').trim().replace(/^<|>$/g, '');
    if (cid && IMAGE_TYPES.has(e.type) && !isAttachment) {
      view.inline.set(cid, `data:${e.type};base64,${base64(e.decodeBody())}`);
      return;
    }
    if (!isAttachment && view.body === null && (e.type === 'text/html' || e.type === 'text/plain')) {
      view.body = { kind: e.type === 'text/html' ? 'html' : 'text', text: textOf(e) };
      return;
    }
    attach(e);
  };
  visit(root);
  return view;
}
