// Builds the document shown in the sandboxed content iframe (ARCHITECTURE.md rules 7 and 11, the EFAIL lessons;
// Mailvelope's ContentSandbox): HTML is sanitised with DOMPurify, every remote reference is removed (images,
// CSS loaders via sanitize-css.ts, srcset, backgrounds, forms, frames, objects, meta refresh, base), cid:
// pictures are replaced by data: URLs of their MIME parts (RFC 2392; a reference that is malformed or names
// no part becomes a broken-picture placeholder), and a CSP meta tag forbids any load that slipped through.
// The iframe gets `sandbox` without allow-scripts and allow-same-origin (ui/content-view.tsx), so even a
// sanitiser bypass cannot run script or touch the pane.
//
// Links (rule 11): with `inertLinks` (content that is not integrity-protected, or whose check failed) no
// element in the document can navigate anywhere: every <a> becomes plain text followed by its URL as text,
// <area>/<map>, SVG links and SMIL animations that could create one are removed, and the URLs are returned
// in `links` so the pane's chrome — outside the content — can show each whole URL and open it only after
// the reader confirms. Without `inertLinks`, http(s) and mailto links stay live and open in a new tab without
// referrer; every other link target is removed.

import DOMPurify from 'dompurify';
import { safeDecode } from './content.js';
import { filterDeclarations, filterStyleSheet } from './sanitize-css.js';

/** The CSP inside the message document: no script, no network; only inline styles and data: images. */
export const CONTENT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'";

export interface LinkRef {
  /** The link's visible text (trimmed, possibly empty). */
  text: string;
  /** The whole URL, exactly as the message gives it. */
  url: string;
}

export interface SafeDocument {
  srcdoc: string;
  /** How many remote references were removed (shown as "N remote items blocked"). */
  blockedRemote: number;
  /** True when no link in the document is live (rule 11); `links` then lists them for the pane's chrome. */
  inertLinks: boolean;
  /** The http(s) and mailto links the content holds, in order, without duplicates (at most MAX_LINKS). */
  links: LinkRef[];
}

export interface DocumentOptions {
  /** Make every link inert text (content without integrity protection, or under a failed check). */
  inertLinks: boolean;
}

/** More links than this are not listed one by one in the pane (a list nobody could read). */
export const MAX_LINKS = 50;

const FORBID_TAGS = [
  'script', 'form', 'input', 'button', 'textarea', 'select', 'option', 'optgroup', 'datalist', 'output', 'fieldset', 'label',
  'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'link', 'meta', 'base', 'video', 'audio', 'source', 'track',
  'picture', 'portal', 'noscript', 'template', 'dialog', 'area', 'map',
  // SMIL can set an attribute (href) after sanitising; MathML links (href on any element) in some engines.
  'animate', 'animatecolor', 'animatemotion', 'animatetransform', 'set', 'discard', 'math', 'foreignobject',
];
const FORBID_ATTR = ['srcset', 'background', 'poster', 'action', 'formaction', 'ping', 'lowsrc', 'dynsrc', 'longdesc', 'usemap', 'xlink:href', 'ismap', 'srcdoc', 'data', 'codebase', 'cite', 'popovertarget', 'popover'];
/** Attributes whose value is a URL that would be fetched. */
const REMOTE_ATTRS = new Set(['srcset', 'background', 'poster', 'lowsrc', 'dynsrc', 'longdesc', 'xlink:href', 'data', 'codebase', 'action', 'formaction', 'ping']);
/** Elements removed whole that would fetch or navigate: each one that names a URL counts as one blocked item. */
const LOADING_TAGS = new Set(['script', 'link', 'iframe', 'frame', 'object', 'embed', 'applet', 'video', 'audio', 'source', 'track', 'base', 'form', 'input', 'button', 'portal', 'meta', 'image']);
const URL_ATTRS = ['src', 'href', 'xlink:href', 'data', 'action', 'formaction', 'poster', 'srcset', 'codebase', 'background'];

const LIVE_SCHEMES = /^(?:https?:|mailto:)/i;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const STYLE =
  'html{color-scheme:light}body{margin:12px;font:14px/1.45 "Segoe UI",system-ui,sans-serif;color:#242424;background:#fff;overflow-wrap:anywhere}' +
  'img{max-width:100%;height:auto}pre{white-space:pre-wrap;font:13px/1.45 ui-monospace,Consolas,monospace;margin:0}' +
  '.signet-url{color:#616161;font-size:.9em}.signet-missing{display:inline-block;border:1px dashed #999;padding:2px 6px;color:#616161;font-size:12px}';

function wrap(body: string, inertLinks: boolean): string {
  return (
    '<!doctype html><html><head><meta charset="utf-8">' +
    `<meta http-equiv="Content-Security-Policy" content="${CONTENT_CSP}">` +
    '<meta name="referrer" content="no-referrer">' +
    `<style>${STYLE}${inertLinks ? 'a,area{pointer-events:none!important}' : ''}</style>` +
    // A focusable body: Tab (the browser's, and Fluent's tabster, which hands iframes to the browser) enters
    // the frame even when the content has no link or control, and the arrow keys then scroll it.
    `</head><body tabindex="0">${body}</body></html>`
  );
}

const URL_IN_TEXT = /\b(?:https?:\/\/|mailto:)[^\s<>"'`]+/gi;

/** http(s) and mailto URLs written in a plain-text body (trailing punctuation is not part of them). */
export function linksInText(text: string): LinkRef[] {
  const out: LinkRef[] = [];
  for (const m of text.matchAll(URL_IN_TEXT)) out.push({ text: '', url: m[0].replace(/[.,;:!?)\]}>]+$/, '') });
  return dedupe(out);
}

function dedupe(links: LinkRef[]): LinkRef[] {
  const seen = new Set<string>();
  const out: LinkRef[] = [];
  for (const l of links) {
    if (seen.has(l.url) || out.length >= MAX_LINKS) continue;
    seen.add(l.url);
    out.push(l);
  }
  return out;
}

export function plainTextDocument(text: string, options: DocumentOptions = { inertLinks: true }): SafeDocument {
  return { srcdoc: wrap(`<pre>${escapeHtml(text)}</pre>`, options.inertLinks), blockedRemote: 0, inertLinks: options.inertLinks, links: options.inertLinks ? linksInText(text) : [] };
}

/** Sanitises a message's HTML body into a self-contained document with no remote references. */
export function htmlDocument(html: string, inline: ReadonlyMap<string, string>, options: DocumentOptions): SafeDocument {
  let blocked = 0;
  const links: LinkRef[] = [];
  /** Inert mode: the URL each former link pointed to, written after it as text. */
  const inertUrls = new WeakMap<Element, string>();
  const purify = DOMPurify(window);
  const lookupCid = (ref: string): string | undefined => {
    // RFC 2392: the cid: URL is the Content-ID, percent-encoded; a malformed escape is looked up as written.
    const raw = ref.slice(4).trim();
    return inline.get(safeDecode(raw)) ?? inline.get(raw) ?? inline.get(safeDecode(raw).replace(/^<|>$/g, ''));
  };
  purify.addHook('uponSanitizeElement', (node, data) => {
    if (FORBID_TAGS.includes(data.tagName) && LOADING_TAGS.has(data.tagName) && node.nodeType === 1 && namesRemoteUrl(node as Element)) blocked++;
    if (data.tagName === 'style' && node.textContent) {
      const r = filterStyleSheet(node.textContent);
      blocked += r.blocked;
      node.textContent = r.css;
    }
  });
  purify.addHook('uponSanitizeAttribute', (_node, data) => {
    if (FORBID_ATTR.includes(data.attrName) && REMOTE_ATTRS.has(data.attrName) && data.attrValue.trim() && !/^(?:data:|#|cid:)/i.test(data.attrValue.trim())) blocked++;
  });
  purify.addHook('afterSanitizeAttributes', (node) => {
    const el = node as Element;
    const isLink = el.localName === 'a';
    const href = el.getAttribute('href');
    if (isLink) {
      const v = (href ?? '').trim();
      if (options.inertLinks) {
        el.removeAttribute('href');
        el.removeAttribute('target');
        if (v && !v.startsWith('#')) inertUrls.set(el, v);
        if (LIVE_SCHEMES.test(v)) links.push({ text: (el.textContent ?? '').trim().slice(0, 200), url: v });
      } else if (LIVE_SCHEMES.test(v)) {
        // Links open outside the sandbox only when clicked (allow-popups), never with our referrer.
        el.setAttribute('target', '_blank');
        el.setAttribute('rel', 'noopener noreferrer');
        links.push({ text: (el.textContent ?? '').trim().slice(0, 200), url: v });
      } else if (href !== null && !v.startsWith('#')) el.removeAttribute('href');
    } else if (href !== null) {
      // href on anything but a link (SVG <image>, <use>, …) is a load: only cid: and data: pictures stay.
      const v = href.trim();
      const data = /^cid:/i.test(v) ? lookupCid(v) : /^data:image\//i.test(v) ? v : undefined;
      if (data) el.setAttribute('href', data);
      else {
        el.removeAttribute('href');
        if (!v.startsWith('#')) blocked++;
      }
    }
    const src = el.getAttribute('src');
    if (src !== null) {
      const v = src.trim();
      if (/^cid:/i.test(v)) {
        const data = lookupCid(v);
        if (data) el.setAttribute('src', data);
        else {
          // A picture the message names but does not carry (or a malformed reference): a placeholder.
          el.removeAttribute('src');
          blocked++;
          markMissing(el, `[missing picture${el.getAttribute('alt') ? `: ${el.getAttribute('alt')}` : ''}]`);
        }
      } else if (!/^data:image\//i.test(v)) {
        el.removeAttribute('src');
        if (v !== '') blocked++;
        if (el.localName === 'img') markMissing(el, el.getAttribute('alt') ? `[remote picture blocked: ${el.getAttribute('alt')}]` : '[remote picture blocked]');
      }
    }
    const style = el.getAttribute('style');
    if (style !== null) {
      const r = filterDeclarations(style);
      blocked += r.blocked;
      if (r.css) el.setAttribute('style', r.css);
      else el.removeAttribute('style');
    }
  });
  const fragment = purify.sanitize(html, {
    FORBID_TAGS,
    FORBID_ATTR,
    ADD_TAGS: ['style'],
    ALLOW_DATA_ATTR: false,
    WHOLE_DOCUMENT: false,
    RETURN_DOM_FRAGMENT: true,
    // Keep <style> found in <head>: without FORCE_BODY DOMPurify drops a leading <style>.
    FORCE_BODY: true,
  });
  if (options.inertLinks) inertAnchors(fragment, inertUrls);
  const holder = document.createElement('div');
  holder.appendChild(fragment);
  return { srcdoc: wrap(holder.innerHTML, options.inertLinks), blockedRemote: blocked, inertLinks: options.inertLinks, links: dedupe(links) };
}

/** Whether an element names something outside the message (not data:, cid: or a #fragment); meta refresh too. */
function namesRemoteUrl(el: Element): boolean {
  for (const name of URL_ATTRS) {
    const v = el.getAttribute(name)?.trim();
    if (v && !/^(?:data:|cid:|#)/i.test(v)) return true;
  }
  return el.localName === 'meta' && /refresh/i.test(el.getAttribute('http-equiv') ?? '') && /url\s*=/i.test(el.getAttribute('content') ?? '');
}

function markMissing(el: Element, text: string): void {
  el.setAttribute('alt', text);
  el.setAttribute('class', 'signet-missing');
  el.setAttribute('role', 'img');
  el.setAttribute('aria-label', text);
}

/**
 * Rule 11: every remaining <a> (HTML or SVG) is replaced by a <span> with its content, followed by the URL
 * it pointed to as text ("⟨https://…⟩"), so the reader sees where it would go and nothing can be clicked.
 */
function inertAnchors(root: DocumentFragment, urls: WeakMap<Element, string>): void {
  const doc = root.ownerDocument;
  for (const a of Array.from(root.querySelectorAll('a'))) {
    const parent = a.parentNode;
    if (!parent) continue;
    const url = urls.get(a);
    const span = doc.createElementNS(a.namespaceURI ?? 'http://www.w3.org/1999/xhtml', a.namespaceURI === 'http://www.w3.org/2000/svg' ? 'g' : 'span');
    for (const attr of Array.from(a.attributes)) if (attr.name === 'style' || attr.name === 'class' || attr.name === 'dir' || attr.name === 'lang') span.setAttribute(attr.name, attr.value);
    while (a.firstChild) span.appendChild(a.firstChild);
    parent.replaceChild(span, a);
    if (url && span.localName === 'span') {
      const note = doc.createElement('span');
      note.className = 'signet-url';
      note.textContent = ` ⟨${url}⟩`;
      span.after(note);
    }
  }
}
