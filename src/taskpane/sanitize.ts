// Builds the document shown in the sandboxed content iframe (DESIGN.md rule 7, the EFAIL lesson; Mailvelope's
// ContentSandbox): HTML is sanitised with DOMPurify, every remote reference is removed (images, CSS url(),
// @import, srcset, backgrounds, forms, frames, objects, meta refresh), cid: images are replaced by data: URLs
// of their MIME parts, and a CSP meta tag forbids any load that slipped through. The iframe itself gets
// `sandbox` without allow-scripts and allow-same-origin (ContentFrame in ui/content.tsx), so even a
// sanitiser bypass cannot run script or touch the pane.

import DOMPurify from 'dompurify';

/** The CSP inside the message document: no script, no network; only inline styles and data:/cid: images. */
export const CONTENT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data: cid:";

export interface SafeDocument {
  srcdoc: string;
  /** How many remote references were removed (shown as "N remote items blocked"). */
  blockedRemote: number;
}

const FORBID_TAGS = ['script', 'form', 'input', 'button', 'textarea', 'select', 'option', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'link', 'meta', 'base', 'video', 'audio', 'source', 'track', 'picture', 'portal', 'noscript', 'template'];
const FORBID_ATTR = ['srcset', 'background', 'poster', 'action', 'formaction', 'ping', 'lowsrc', 'dynsrc', 'longdesc', 'usemap', 'xlink:href'];
const URL_IN_CSS = /url\(\s*(['"]?)(.*?)\1\s*\)/gi;
const IMPORT_IN_CSS = /@import\b[^;]*;?/gi;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function wrap(body: string): string {
  return (
    '<!doctype html><html><head><meta charset="utf-8">' +
    `<meta http-equiv="Content-Security-Policy" content="${CONTENT_CSP}">` +
    '<meta name="referrer" content="no-referrer">' +
    '<style>html{color-scheme:light}body{margin:12px;font:14px/1.45 "Segoe UI",system-ui,sans-serif;color:#242424;background:#fff;overflow-wrap:anywhere}' +
    'img{max-width:100%;height:auto}pre{white-space:pre-wrap;font:13px/1.45 ui-monospace,Consolas,monospace;margin:0}</style>' +
    `</head><body>${body}</body></html>`
  );
}

export function plainTextDocument(text: string): SafeDocument {
  return { srcdoc: wrap(`<pre>${escapeHtml(text)}</pre>`), blockedRemote: 0 };
}

/** Sanitises a message's HTML body into a self-contained document with no remote references. */
export function htmlDocument(html: string, inline: ReadonlyMap<string, string>): SafeDocument {
  let blocked = 0;
  const cleanCss = (css: string): string =>
    css
      .replace(IMPORT_IN_CSS, () => {
        blocked++;
        return '';
      })
      .replace(URL_IN_CSS, (_m, _q: string, url: string) => {
        if (/^data:image\//i.test(url.trim())) return `url("${url.trim()}")`;
        blocked++;
        return 'none';
      });
  const purify = DOMPurify(window);
  purify.addHook('uponSanitizeElement', (node, data) => {
    if (data.tagName === 'style' && node.textContent) node.textContent = cleanCss(node.textContent);
  });
  purify.addHook('afterSanitizeAttributes', (node) => {
    const el = node as Element;
    for (const name of ['src', 'href']) {
      const value = el.getAttribute(name);
      if (value === null) continue;
      const v = value.trim();
      if (name === 'href' && el.tagName === 'A') {
        if (/^(https?:|mailto:)/i.test(v)) {
          // Links open outside the sandbox only when clicked (allow-popups), never with our referrer.
          el.setAttribute('target', '_blank');
          el.setAttribute('rel', 'noopener noreferrer');
        } else if (!v.startsWith('#')) el.removeAttribute(name);
        continue;
      }
      if (/^cid:/i.test(v)) {
        const data = inline.get(decodeURIComponent(v.slice(4)));
        if (data) el.setAttribute(name, data);
        else el.removeAttribute(name);
      } else if (!/^data:image\//i.test(v)) {
        el.removeAttribute(name);
        blocked++;
        if (el.tagName === 'IMG' && !el.getAttribute('alt')) el.setAttribute('alt', '[remote image blocked]');
      }
    }
    const style = el.getAttribute('style');
    if (style && /url\(|@import|expression\(/i.test(style)) el.setAttribute('style', cleanCss(style).replace(/expression\(/gi, 'none('));
  });
  purify.addHook('uponSanitizeAttribute', (_node, data) => {
    if (FORBID_ATTR.includes(data.attrName) && data.attrValue) blocked++;
  });
  const beforeTags = (html.match(/<\s*(link|iframe|frame|object|embed|video|audio|source|meta|base|form)\b/gi) ?? []).length;
  const body = purify.sanitize(html, {
    FORBID_TAGS,
    FORBID_ATTR,
    ADD_TAGS: ['style'],
    ALLOW_DATA_ATTR: false,
    WHOLE_DOCUMENT: false,
    // Keep <style> found in <head>: without FORCE_BODY DOMPurify drops a leading <style>.
    FORCE_BODY: true,
  });
  blocked += beforeTags;
  return { srcdoc: wrap(body), blockedRemote: blocked };
}
