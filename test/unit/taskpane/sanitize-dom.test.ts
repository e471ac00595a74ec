// The content sanitiser (src/taskpane/sanitize.ts) in real Chromium — it needs a DOM, and the page is the one
// that will show its output: the compiled module is loaded as ES module (an import map names DOMPurify) from a
// loopback server that serves only lib/ and DOMPurify. Exact blocked counts (issue 12, finding 8), malformed
// cid: references that never blank the message, and inert links (rule 11): no element left that navigates.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { readFileSync, statSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_FLAGS, PACKAGE_ROOT, requireChromium } from '../../helpers/workbench.js';
import { extractContent } from '../../../src/taskpane/content.js';
import { parseMime } from '../../../src/core/mime/parser.js';
import type * as SanitizeModule from '../../../src/taskpane/sanitize.js';

let server: Server;
let base: string;
let browser: Browser;
let page: Page;
const outside: string[] = [];

const PAGE = `<!doctype html><html><head><script type="importmap">{"imports":{"dompurify":"/node_modules/dompurify/dist/purify.es.mjs"}}</script></head><body></body></html>`;

before(async () => {
  requireChromium();
  server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
      return;
    }
    const allowed = path.startsWith('/lib/') || path.startsWith('/node_modules/dompurify/');
    const file = join(PACKAGE_ROOT, path);
    if (!allowed || !file.startsWith(PACKAGE_ROOT) || !statSync(file, { throwIfNoEntry: false })?.isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': file.endsWith('js') || file.endsWith('mjs') ? 'text/javascript' : 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS, headless: true });
  page = await browser.newPage();
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(base)) return route.continue();
    outside.push(url);
    return route.abort();
  });
  await page.goto(base);
});

after(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
});

interface Result {
  blocked: number;
  inert: boolean;
  links: { text: string; url: string }[];
  text: string;
  /** Elements of the resulting document that could navigate or load, as tag names. */
  navigators: string[];
  imgs: { src: string | null; alt: string | null; cls: string | null }[];
  styles: string;
  srcdoc: string;
}

async function sanitize(html: string, inline: Record<string, string>, inertLinks: boolean): Promise<Result> {
  return page.evaluate(
    async ({ html, inline, inertLinks, module }) => {
      const m = (await import(module)) as typeof SanitizeModule;
      const d = m.htmlDocument(html, new Map(Object.entries(inline)), { inertLinks });
      const doc = new DOMParser().parseFromString(d.srcdoc, 'text/html');
      const navigators = Array.from(doc.querySelectorAll('a[href], area, form, button, input, base, meta[http-equiv="refresh" i], iframe, object, embed, link, [href]:not(image):not(use)')).map((e) => e.localName);
      return {
        blocked: d.blockedRemote,
        inert: d.inertLinks,
        links: d.links,
        text: doc.body.textContent ?? '',
        navigators,
        imgs: Array.from(doc.querySelectorAll('img')).map((i) => ({ src: i.getAttribute('src'), alt: i.getAttribute('alt'), cls: i.getAttribute('class') })),
        styles: Array.from(doc.querySelectorAll('style')).map((s) => s.textContent).join('\n') + Array.from(doc.querySelectorAll('[style]')).map((s) => s.getAttribute('style')).join('\n'),
        srcdoc: d.srcdoc,
      };
    },
    { html, inline, inertLinks, module: `${base}/lib/src/taskpane/sanitize.js` },
  );
}

test('malformed or dangling cid: references become placeholders, counted as blocked; the text stays', async () => {
  const view = extractContent(parseMime(new Uint8Array(readFileSync('test/fixtures/structures/broken-cid-references.eml'))));
  assert.equal(view.body?.kind, 'html');
  const r = await sanitize(view.body.text, Object.fromEntries(view.inline), false);
  assert.match(r.text, /BROKEN-CID text stays visible/);
  assert.equal(r.blocked, 3);
  assert.equal(r.imgs.length, 4);
  assert.deepEqual(
    r.imgs.slice(0, 3).map((i) => [i.src, i.cls, i.alt]),
    [
      [null, 'signet-missing', '[missing picture: bad escape]'],
      [null, 'signet-missing', '[missing picture: lone percent]'],
      [null, 'signet-missing', '[missing picture: missing part]'],
    ],
  );
  assert.match(r.imgs[3]!.src ?? '', /^data:image\/png;base64,iVBORw0KGgo/);
  assert.equal(r.imgs[3]!.cls, null);
});

test('a percent-encoded cid: resolves (RFC 2392), as does one naming the Content-ID directly', async () => {
  const r = await sanitize('<img src="cid:logo%40example.org"><img src="CID:logo@example.org">', { 'logo@example.org': 'data:image/png;base64,AAAA' }, false);
  assert.deepEqual(
    r.imgs.map((i) => i.src),
    ['data:image/png;base64,AAAA', 'data:image/png;base64,AAAA'],
  );
  assert.equal(r.blocked, 0);
});

test('CSS loaders hidden by escapes, comments and image-set are dropped; the count is exact', async () => {
  const html = [
    '<style>body { color: #123; background: u\\72 l(http://a.example/1.png) } @\\69mport "http://a.example/2.css"; ',
    '@font-face { font-family: F; src: url(http://a.example/3.woff) } p { background: ur/**/l(http://a.example/4.png) }</style>',
    '<div style="background-image: image-set(\'http://a.example/5.png\' 1x); color: red">styled</div>',
    '<div style="b\\61 ckground: -webkit-image-set(url(http://a.example/6.png) 1x)">escaped property</div>',
    '<p style="cursor: url(http://a.example/7.cur), auto">cursor</p>',
    '<img src="http://a.example/8.png" alt="remote">',
    '<img srcset="http://a.example/9.png 2x" alt="srcset">',
    '<table background="http://a.example/10.png"><tr><td>t</td></tr></table>',
    '<link rel="stylesheet" href="http://a.example/11.css">',
    '<svg><image href="http://a.example/12.png"></image></svg>',
  ].join('\n');
  const r = await sanitize(html, {}, false);
  assert.equal(r.blocked, 12);
  assert.doesNotMatch(r.srcdoc, /a\.example/);
  assert.match(r.styles, /color: #123/);
  assert.match(r.styles, /color: red/);
});

test('inert links: no element can navigate; each URL is shown as text and returned for the pane chrome', async () => {
  const secretLink = 'http://127.0.0.1:9/?secret=';
  const html = [
    `<a href="${secretLink}" style="position:absolute;top:0;left:0;width:100%;height:100%;display:block">CLICK</a>`,
    '<p><a href="https://bank.example/pay" target="_self">Pay online</a> and <a href="mailto:x@example.org">mail</a></p>',
    '<svg width="20" height="20"><a href="http://svg.example/"><rect width="20" height="20"></rect></a></svg>',
    '<img src="data:image/png;base64,AAAA" usemap="#m"><map name="m"><area shape="rect" coords="0,0,9,9" href="http://area.example/"></map>',
    '<form action="http://form.example/"><button formaction="http://button.example/">Go</button><input type="image" src="x"></form>',
    '<base href="http://base.example/"><meta http-equiv="refresh" content="0;url=http://refresh.example/">',
    '<svg><animate attributeName="href" to="http://animate.example/"></animate><set attributeName="href" to="http://set.example/"></set></svg>',
    '<math href="http://math.example/"><mi>x</mi></math>',
    '<details><summary>more</summary>inside</details>',
  ].join('\n');
  const r = await sanitize(html, {}, true);
  assert.equal(r.inert, true);
  assert.deepEqual(r.navigators, []);
  assert.doesNotMatch(r.srcdoc, /href=|action=|http-equiv="refresh"|<area|<form|<animate|<set\b/i);
  assert.match(r.text, /CLICK ⟨http:\/\/127\.0\.0\.1:9\/\?secret=⟩/);
  assert.match(r.text, /Pay online ⟨https:\/\/bank\.example\/pay⟩/);
  assert.deepEqual(r.links, [
    { text: 'CLICK', url: secretLink },
    { text: 'Pay online', url: 'https://bank.example/pay' },
    { text: 'mail', url: 'mailto:x@example.org' },
    { text: '', url: 'http://svg.example/' },
  ]);
  assert.match(r.srcdoc, /a,area\{pointer-events:none!important\}/);
});

test('live links (protected content): http(s) and mailto open in a new tab without referrer; others removed', async () => {
  const r = await sanitize('<a href="https://ok.example/">ok</a><a href="ftp://x.example/">ftp</a><a href="#top">top</a>', {}, false);
  assert.equal(r.inert, false);
  const doc = r.srcdoc;
  assert.match(doc, /<a href="https:\/\/ok\.example\/" target="_blank" rel="noopener noreferrer">ok<\/a>/);
  assert.match(doc, /<a>ftp<\/a>/);
  assert.match(doc, /<a href="#top">top<\/a>/);
  assert.deepEqual(r.links, [{ text: 'ok', url: 'https://ok.example/' }]);
});

test('plain text: never HTML, URLs listed for the chrome when links are inert', async () => {
  const r = await page.evaluate(async (module) => {
    const m = (await import(module)) as typeof SanitizeModule;
    return m.plainTextDocument('See <b>https://x.example/a?b=1</b>, or mailto:y@example.org.', { inertLinks: true });
  }, `${base}/lib/src/taskpane/sanitize.js`);
  assert.match(r.srcdoc, /<pre>See &lt;b&gt;https:\/\/x\.example\/a\?b=1&lt;\/b&gt;, or mailto:y@example\.org\.<\/pre>/);
  assert.deepEqual(r.links, [
    { text: '', url: 'https://x.example/a?b=1' },
    { text: '', url: 'mailto:y@example.org' },
  ]);
});

test('only elements that name something outside the message count: a content-type meta or a data: source does not', async () => {
  const html = [
    '<meta http-equiv="content-type" content="text/html; charset=UTF-8">',
    '<meta http-equiv="refresh" content="0; url=http://a.example/r">',
    '<link rel="stylesheet" href="http://a.example/l.css"><base href="http://a.example/">',
    '<video src="http://a.example/v.mp4" poster="http://a.example/p.png"></video>',
    '<object data="data:image/png;base64,AAAA"></object><iframe src="#x"></iframe>',
    '<form><input name="x"></form>',
    '<script src="http://a.example/s.js"></script><p>text</p>',
  ].join('');
  const r = await sanitize(html, {}, false);
  assert.equal(r.blocked, 5);
  assert.equal(r.text, 'text');
});

test('nothing was requested outside the test server', () => {
  assert.deepEqual(outside, []);
});
