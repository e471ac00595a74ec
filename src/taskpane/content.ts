// Picks what to show from the MIME entity a Verdict covers: the body, the inline pictures it references, and
// everything else as attachments to download. No rendering here: sanitize.ts turns the body into the sandboxed
// iframe's document. Pure and DOM-free (unit-tested in Node against test/fixtures/structures/).
//
// The structures real clients send, and how each is read:
// - multipart/alternative (RFC 2046 §5.1.4): the parts are the same content in increasing faithfulness, so
//   the LAST part Signet can display is shown (text/html, text/plain, or a multipart holding them, e.g.
//   multipart/related [text/html, image] from Thunderbird, Apple Mail and Signet's own builder). The other
//   text alternatives are dropped; an alternative Signet cannot display (text/calendar …) is offered as a file.
// - multipart/related (RFC 2387 §3.1-3.2): the root is the part named by the `start` parameter, else the
//   first part (Outlook's shape is related [alternative [text, html], image]); the other parts are resources
//   the root refers to by `cid:` (RFC 2392). Resources the HTML does not use are listed as attachments.
// - multipart/mixed and unknown multipart subtypes (RFC 2046 §5.1.3, §5.1.7): parts in order; inline text and
//   HTML parts after the first are shown in sequence (Apple Mail's mixed [html, image, html] for pictures
//   placed in the text; Exchange's "aggregate body", [MS-OXCMAIL] §2.2.3.3.2.2, reads it the same way),
//   pictures not marked as attachments are shown where they stand, the rest are attachments (RFC 2183).
// - text/plain; format=flowed (RFC 3676 §4): soft line breaks are unwrapped, space-stuffing removed, delsp honoured.

import { decodeCharset } from '../core/mime/headers.js';
import { withoutLegacyDisplay } from '../core/mime/header-protection.js';
import type { MimeEntity } from '../core/mime/entity.js';
import type { Verdict } from '../core/verdict.js';
import { severityOf, type SeverityPolicy } from './severity.js';
export { formatSize } from './size.js';

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

/** Pictures a browser shows from a data: URL in <img> without running anything (no SVG: it is a document). */
export const INLINE_IMAGE_TYPES: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/jpg', 'image/pjpeg', 'image/gif', 'image/webp', 'image/bmp', 'image/avif']);

/** Nesting deeper than this is not walked for display (the parser has its own, larger limit: rule 9). */
const MAX_DISPLAY_DEPTH = 32;


/** Undoes a part's Content-Transfer-Encoding, once per part (extractContent's `consume`). */
type BodyDecoder = (entity: MimeEntity) => Uint8Array;

function textOf(entity: MimeEntity, decode: BodyDecoder, headerProtected = false): string {
  const bytes = decode(entity);
  const charset = entity.contentType.params['charset'] ?? 'us-ascii';
  let text = decodeCharset(bytes, charset) ?? new TextDecoder('utf-8').decode(bytes);
  // RFC 9788 §4.5.3: the pane shows the protected header fields itself, so their legacy copy is left out.
  if (headerProtected && entity.contentType.params['hp-legacy-display'] === '1') text = withoutLegacyDisplay(text, entity.type === 'text/html');
  if (entity.type !== 'text/plain' || (entity.contentType.params['format'] ?? '').toLowerCase() !== 'flowed') return text;
  return unflow(text, (entity.contentType.params['delsp'] ?? '').toLowerCase() === 'yes');
}

/**
 * RFC 3676 §4.1-4.5: a line ending in a space is a soft break (joined with the next line of the same quote
 * depth); a leading space is stuffing and removed (§4.4); the signature separator "-- " is never flowed
 * (§4.3); with DelSp=yes the trailing space is deleted when joining (§4.2).
 */
export function unflow(text: string, delsp: boolean): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  let current: { depth: number; text: string } | null = null;
  let open = false;
  for (const raw of lines) {
    let depth = 0;
    while (raw[depth] === '>') depth++;
    let line = raw.slice(depth);
    if (line.startsWith(' ')) line = line.slice(1);
    const isSignature = line === '-- ';
    const soft = !isSignature && line.endsWith(' ');
    if (soft && delsp) line = line.slice(0, -1);
    if (current && open && current.depth === depth) current.text += line;
    else {
      if (current) out.push(render(current));
      current = { depth, text: line };
    }
    open = soft;
  }
  if (current) out.push(render(current));
  return out.join('\n');
  function render(l: { depth: number; text: string }): string {
    return l.depth > 0 ? `${'>'.repeat(l.depth)} ${l.text}` : l.text;
  }
}

function fileName(entity: MimeEntity, fallbackIndex: number): string {
  const name = declaredName(entity);
  if (name) return name;
  const ext = entity.type === 'message/rfc822' ? 'eml' : (entity.type.split('/')[1] ?? 'bin').replace(/[^a-z0-9]/gi, '');
  return `part-${fallbackIndex}.${ext || 'bin'}`;
}

function declaredName(entity: MimeEntity): string | null {
  const name = entity.disposition?.params['filename'] ?? entity.contentType.params['name'];
  return name && name.trim() ? name.trim() : null;
}

function base64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function contentId(e: MimeEntity): string | null {
  const raw = (e.header('content-id') ?? '').trim().replace(/^<|>$/g, '').trim();
  return raw || null;
}

function dataUrl(e: MimeEntity, decode: BodyDecoder): string {
  return `data:${e.type === 'image/jpg' || e.type === 'image/pjpeg' ? 'image/jpeg' : e.type};base64,${base64(decode(e))}`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

type Fragment = { kind: 'text'; text: string } | { kind: 'html'; html: string } | { kind: 'image'; src: string; alt: string };

const dispositionOf = (e: MimeEntity): string | null => e.disposition?.value.toLowerCase() ?? null;

/** Whether a part can be shown as (part of) the message body. */
function displayable(e: MimeEntity, depth = 0): boolean {
  if (depth > MAX_DISPLAY_DEPTH) return false;
  if (dispositionOf(e) === 'attachment') return false;
  if (e.type === 'text/html' || e.type === 'text/plain') return true;
  if (!e.isMultipart) return false;
  if (e.type === 'multipart/related') {
    const root = relatedRoot(e);
    return root !== null && displayable(root, depth + 1);
  }
  return e.children.some((c) => displayable(c, depth + 1));
}

/** RFC 2387 §3.2: the `start` parameter names the root by Content-ID; without it the root is the first part. */
function relatedRoot(e: MimeEntity): MimeEntity | null {
  const start = (e.contentType.params['start'] ?? '').trim().replace(/^<|>$/g, '');
  if (start) {
    const named = e.children.find((c) => contentId(c) === start);
    if (named) return named;
  }
  return e.children[0] ?? null;
}

/** The cid: references an HTML text makes (RFC 2392), decoded where the percent-encoding is well-formed. */
export function cidReferences(html: string): Set<string> {
  const found = new Set<string>();
  for (const m of html.matchAll(/cid:([^\s"'<>)]+)/gi)) {
    found.add(m[1]!);
    found.add(safeDecode(m[1]!));
  }
  return found;
}

/** decodeURIComponent that never throws: a malformed escape leaves the text as it is. */
export function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * `consume` (issue 17): the bytes under `root` are the caller's to overwrite, and nothing reads them
 * afterwards but the returned view (the open worker, with bytes it received by transfer). Each part's
 * body is then decoded into its own bytes (MimeEntity.decodeBodyInPlace) instead of a new buffer, so a
 * large attachment is not held twice; the attachment bytes are then views on those bytes. Every part is
 * decoded at most once (a second in-place decode would read decoded bytes), and the parts decoded are
 * leaves, whose bodies never overlap; a message/rfc822 attachment is a view on its body, never decoded.
 */
export function extractContent(root: MimeEntity, { consume = false }: { consume?: boolean } = {}): ContentView {
  const view: ContentView = { body: null, inline: new Map(), attachments: [] };
  const decoded = new Map<MimeEntity, Uint8Array>();
  const decode: BodyDecoder = (e) => {
    let b = decoded.get(e);
    if (b === undefined) decoded.set(e, (b = consume ? e.decodeBodyInPlace() : e.decodeBody()));
    return b;
  };
  const fragments: Fragment[] = [];
  const headerProtected = root.contentType.params['hp'] !== undefined;
  const attach = (e: MimeEntity): void => {
    view.attachments.push({ name: fileName(e, view.attachments.length + 1), mediaType: e.type, bytes: e.type === 'message/rfc822' ? e.raw.subarray(e.headerBytes.length) : decode(e) });
  };
  const bodySoFar = (): boolean => fragments.some((f) => f.kind !== 'image');
  // Pictures some senders put in multipart/mixed (not related) but still reference by cid: from the HTML.
  const referenced = new Set<string>();
  const collect = (e: MimeEntity, depth: number): void => {
    if (depth > MAX_DISPLAY_DEPTH) return;
    if (e.isMultipart) for (const c of e.children) collect(c, depth + 1);
    else if (e.type === 'text/html') for (const cid of cidReferences(textOf(e, decode))) referenced.add(cid);
  };
  collect(root, 0);

  /** Shows `e` as body (appending fragments), or lists it as an attachment. */
  const show = (e: MimeEntity, depth: number): void => {
    if (depth > MAX_DISPLAY_DEPTH) {
      if (!e.isMultipart) attach(e);
      return;
    }
    const disposition = dispositionOf(e);
    if (e.isMultipart) {
      if (e.type === 'multipart/alternative') {
        // RFC 2046 §5.1.4: the last alternative the reader can display is the best one.
        const chosen = [...e.children].reverse().find((c) => displayable(c, depth + 1));
        if (chosen) show(chosen, depth + 1);
        for (const c of e.children) if (c !== chosen && !c.isMultipart && c.type !== 'text/plain' && c.type !== 'text/html') attach(c);
        return;
      }
      if (e.type === 'multipart/related') {
        const rootPart = relatedRoot(e);
        const resources = e.children.filter((c) => c !== rootPart);
        for (const r of resources) {
          const cid = contentId(r);
          if (cid && INLINE_IMAGE_TYPES.has(r.type)) view.inline.set(cid, dataUrl(r, decode));
        }
        const before = fragments.length;
        if (rootPart) show(rootPart, depth + 1);
        const html = fragments
          .slice(before)
          .map((f) => (f.kind === 'html' ? f.html : ''))
          .join('');
        const used = cidReferences(html);
        for (const r of resources) {
          const cid = contentId(r);
          if (r.isMultipart) show(r, depth + 1);
          else if (!(cid && INLINE_IMAGE_TYPES.has(r.type) && used.has(cid))) attach(r);
        }
        return;
      }
      // multipart/mixed, and every unknown multipart subtype (RFC 2046 §5.1.7).
      for (const c of e.children) show(c, depth + 1);
      return;
    }
    if (disposition === 'attachment') {
      attach(e);
      return;
    }
    if (e.type === 'text/html' || e.type === 'text/plain') {
      // The first text is the body; later inline ones (no file name, or marked inline) continue it in order.
      if (!bodySoFar() || disposition === 'inline' || declaredName(e) === null) {
        fragments.push(e.type === 'text/html' ? { kind: 'html', html: textOf(e, decode, headerProtected) } : { kind: 'text', text: textOf(e, decode, headerProtected) });
        return;
      }
      attach(e);
      return;
    }
    const cid = contentId(e);
    if (INLINE_IMAGE_TYPES.has(e.type) && cid !== null && referenced.has(cid)) {
      view.inline.set(cid, dataUrl(e, decode)); // shown where the HTML puts it
      return;
    }
    if (INLINE_IMAGE_TYPES.has(e.type)) {
      // A picture placed in the text (Apple Mail's inline parts, any picture not marked as an attachment):
      // shown where it stands, as Exchange builds its "aggregate body" from such parts ([MS-OXCMAIL]
      // §2.2.3.3.2.2), and offered as a file too, as Apple Mail and Thunderbird do.
      fragments.push({ kind: 'image', src: dataUrl(e, decode), alt: declaredName(e) ?? 'picture' });
      attach(e);
      return;
    }
    attach(e);
  };
  show(root, 0);

  if (fragments.length > 0) {
    if (fragments.every((f) => f.kind === 'text')) {
      view.body = { kind: 'text', text: fragments.map((f) => (f.kind === 'text' ? f.text : '')).join('\n\n') };
    } else {
      const html = fragments
        .map((f) =>
          f.kind === 'html' ? f.html : f.kind === 'text' ? `<pre class="signet-text">${escapeHtml(f.text)}</pre>` : `<p><img src="${f.src}" alt="${escapeHtml(f.alt)}"></p>`,
        )
        .join('\n');
      view.body = { kind: 'html', text: html };
    }
  }
  return view;
}

/**
 * How the content a Verdict covers may be shown (ARCHITECTURE.md rules 7, 10 and 11):
 * - `integrityProtected` is false when an encrypted layer does not detect changes (CBC EnvelopedData) and no
 *   valid signature inside covers the content (the core's `not-integrity-protected` warning): an attacker
 *   who changed the ciphertext (EFAIL's CBC gadgets) may have turned the plaintext into a link;
 * - `failedCheck` is true when the verdict is a danger state (a broken or forged signature, a signer who is not
 *   the sender, a damaged message): the content may be the attacker's, so it is framed as such.
 * Links are live only when neither holds (Signet's choice for protected content under a failed check: inert too).
 */
export interface ContentSafety {
  integrityProtected: boolean;
  failedCheck: boolean;
  inertLinks: boolean;
}

export function contentSafety(verdict: Pick<Verdict, 'status' | 'code' | 'layers' | 'warnings'>, policy: SeverityPolicy = {}): ContentSafety {
  const cbc = verdict.layers.some((l) => l.kind === 'encrypted' && !l.integrityProtected);
  const integrityProtected = !verdict.warnings.some((w) => w.code === 'not-integrity-protected') && !(cbc && verdict.status !== 'valid');
  // Everything the pane's one severity scale calls danger (severity.ts) — a forged or untrusted signer
  // included — is content under a failed check: framed, and its links inert.
  const failedCheck = severityOf({ state: verdict.status, code: verdict.code }, policy) === 'danger';
  return { integrityProtected, failedCheck, inertLinks: !integrityProtected || failedCheck };
}
