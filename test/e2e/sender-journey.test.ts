// The judged sender's journey (issue 18) in Debian's Chromium against the workbench, with the pane 320 px
// wide as in Outlook's narrowest layout: a message with an attachment and an inline picture to two
// recipients, one without a certificate → open Signet → fix the recipient in their row ("Add certificate")
// → Encrypt & Send → the confirmation in the pane, in Outlook's info bar and, after the form closed, in the
// read pane → read the Sent Items copy back (valid, encrypted). Every click on Signet's own surfaces (the
// panes and the ribbon's Signet buttons) is counted by a listener in the page, not by the test's own
// bookkeeping, and the journey fails above three. Each step's picture goes to docs/states/send-*.png, and
// every picture fails the test when the pane scrolls sideways (document.scrollingElement.scrollWidth >
// clientWidth).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { PACKAGE_ROOT, buildForBrowser, openWorkbench, requireChromium, selectSample, writeNewMessage, type Workbench } from '../helpers/workbench.js';

let wb: Workbench;
let dist: string;
let scratch: string;
let defaultPolicy: string;
const DOCS = join(PACKAGE_ROOT, 'docs', 'states');
const PKI = join(PACKAGE_ROOT, '.workbench', 'pki');
const AXE = readFileSync(join(PACKAGE_ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

/** axe-core violations in a pane's frame (evaluated through the debugger protocol, so the pane's CSP stays). */
async function axeViolations(frame: Frame): Promise<{ id: string; nodes: string[] }[]> {
  if ((await frame.evaluate('typeof axe')) === 'undefined') await frame.evaluate(`${AXE};\nundefined`);
  return frame.evaluate(async () => {
    const a = (globalThis as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: { id: string; nodes: { html: string }[] }[] }> } }).axe;
    const r = await a.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => n.html.slice(0, 160)) }));
  });
}

/** A 1×1 PNG (an inline picture). */
const PIXEL = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');
const CSV = Buffer.from('item,price\r\nlicence,1200\r\n');

/**
 * Counts trusted clicks on Signet's surfaces: anything inside a Signet pane (taskpane.html, in the read or
 * the compose frame) and the ribbon buttons whose control id is Signet's (data-control="signet…"). Runs in
 * every frame; the count lives in the top window.
 */
const CLICK_COUNTER = `(() => {
  const top = window.top;
  if (window === top) top.__signetClicks = top.__signetClicks || [];
  window.addEventListener('click', (ev) => {
    if (!ev.isTrusted) return;
    const inPane = /taskpane\\.html/.test(location.pathname);
    const target = ev.target instanceof Element ? ev.target : null;
    const ribbon = window === top && target && target.closest('[data-control^="signet"]');
    if (!inPane && !ribbon) return;
    const label = target ? (target.closest('button,[role=switch],input,label') || target).textContent.trim().slice(0, 40) : '?';
    top.__signetClicks.push((inPane ? 'pane: ' : 'ribbon: ') + label);
  }, true);
})();`;

before(async () => {
  requireChromium();
  dist = buildForBrowser();
  wb = await openWorkbench(dist);
  await wb.context.addInitScript(CLICK_COUNTER);
  defaultPolicy = readFileSync(join(dist, 'signet-policy.json'), 'utf8');
  scratch = mkdtempSync(join(tmpdir(), 'signet-sender-e2e-'));
  mkdirSync(DOCS, { recursive: true });
});

after(async () => {
  await wb?.close();
  if (dist) rmSync(dist, { recursive: true, force: true });
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function openssl(args: string[]): void {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  assert.equal(r.status, 0, `openssl ${args.join(' ')}: ${r.stderr}`);
}

/**
 * A certificate for `address` with the given key usage: issued by the workbench's demo mail CA (trusted),
 * or self-signed (untrusted). PEM with the issuing CA appended, as people export them.
 */
function makeCertificate(name: string, address: string, keyUsage: string, issuer: 'demo-ca' | 'self'): Buffer {
  const key = join(scratch, `${name}.key`);
  const pem = join(scratch, `${name}.pem`);
  const ext = join(scratch, `${name}.ext`);
  writeFileSync(ext, `[e]\nbasicConstraints=CA:FALSE\nkeyUsage=critical,${keyUsage}\nextendedKeyUsage=emailProtection\nsubjectAltName=email:${address}\n`);
  openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-subj', `/CN=${name}/O=Signet Workbench`, '-out', `${pem}.csr`]);
  if (issuer === 'self') {
    openssl(['x509', '-req', '-in', `${pem}.csr`, '-signkey', key, '-days', '30', '-extfile', ext, '-extensions', 'e', '-out', pem]);
    return readFileSync(pem);
  }
  openssl(['x509', '-req', '-in', `${pem}.csr`, '-CA', join(PKI, 'inter.pem'), '-CAkey', join(PKI, 'inter.key'), '-CAcreateserial', '-CAserial', join(scratch, 'serial'), '-days', '30', '-extfile', ext, '-extensions', 'e', '-out', pem]);
  return Buffer.concat([readFileSync(pem), readFileSync(join(PKI, 'inter.pem'))]);
}

async function sentRecords(): Promise<{ kind: string; mime: string; sentItemsId: string }[]> {
  return ((await (await fetch(`${wb.server.url}workbench/api/sent`)).json()) as { sent: { kind: string; mime: string; sentItemsId: string }[] }).sent;
}

async function load(policy: string = defaultPolicy): Promise<void> {
  writeFileSync(join(dist, 'signet-policy.json'), policy);
  await wb.page.goto(wb.server.url);
  await wb.page.locator('#message-list button').first().waitFor();
}

async function compose(to: string, subject: string): Promise<void> {
  const page = wb.page;
  await writeNewMessage(page, { to, subject, body: 'Hello.' });
  await page.click('#compose-pane-button');
  await narrow('#compose-taskpane');
  await wb.page.frameLocator('#compose-taskpane').locator('[data-testid=compose-view]').waitFor({ timeout: 20_000 });
}

async function frameOf(selector: string): Promise<Frame> {
  const handle = await wb.page.locator(selector).elementHandle();
  const frame = await handle?.contentFrame();
  assert.ok(frame, `${selector} has a frame`);
  return frame;
}

/** Sets a pane frame to 320 px wide (Outlook's narrowest task pane). */
async function narrow(selector: string): Promise<void> {
  await wb.page.evaluate((sel) => {
    const f = document.querySelector<HTMLIFrameElement>(sel)!;
    f.style.width = '320px';
    f.style.minWidth = '320px';
    f.style.maxWidth = '320px';
  }, selector);
}

/** Fails on sideways scrolling in the pane, then writes its picture (the pane as tall as its content). */
async function shoot(name: string, selector: string): Promise<void> {
  await narrow(selector);
  await wb.page.waitForTimeout(200);
  const frame = await frameOf(selector);
  const { scrollWidth, clientWidth, height } = await frame.evaluate(() => {
    const el = document.scrollingElement ?? document.documentElement;
    return { scrollWidth: el.scrollWidth, clientWidth: el.clientWidth, height: Math.ceil(document.querySelector('main')?.getBoundingClientRect().bottom ?? el.scrollHeight) + 16 };
  });
  assert.ok(clientWidth <= 320, `the pane is at most 320 px wide (${clientWidth})`);
  assert.ok(scrollWidth <= clientWidth, `${name}: the pane overflows sideways at 320 px (scrollWidth ${scrollWidth} > clientWidth ${clientWidth})`);
  const old = await wb.page.evaluate((sel) => document.querySelector<HTMLIFrameElement>(sel)!.style.height, selector);
  await wb.page.evaluate(([sel, h]) => void (document.querySelector<HTMLIFrameElement>(sel as string)!.style.height = `${h as number}px`), [selector, Math.min(height, 2400)]);
  await wb.page.setViewportSize({ width: 1400, height: Math.min(height, 2400) + 500 });
  await wb.page.waitForTimeout(150);
  await wb.page.locator(selector).screenshot({ path: join(DOCS, `${name}.png`) });
  await wb.page.setViewportSize({ width: 1400, height: 1000 });
  await wb.page.evaluate(([sel, h]) => void (document.querySelector<HTMLIFrameElement>(sel as string)!.style.height = h as string), [selector, old]);
}

function signetClicks(): Promise<string[]> {
  return wb.page.evaluate(() => (globalThis as unknown as { __signetClicks: string[] }).__signetClicks ?? []);
}

test('judged journey: attachment + inline picture to two recipients, one without a certificate → fixed in its row → Encrypt & Send → confirmation → read back; at most three Signet clicks, nothing clipped at 320 px', async () => {
  const page = wb.page;
  await page.goto(wb.server.url);
  await page.locator('#message-list button').first().waitFor();
  // Alice's certificate is learnt the way a user gets it: by opening her signed message.
  await selectSample(page, 'valid-signed', 'Quarterly report (signed)');
  await page.frameLocator('#taskpane').locator('[data-testid=learning-done]').waitFor({ state: 'attached', timeout: 20_000 });
  assert.deepEqual(await signetClicks(), [], 'reading needs no Signet click');

  // Outlook's own compose form: two recipients, a subject, a body, an attachment and an inline picture.
  await page.click('#new-message');
  await page.locator('#compose:not([hidden])').waitFor();
  await page.fill('#compose-to', 'Alice Example <alice@example.org>; Bob Example <bob@example.org>');
  await page.locator('#compose-to').press('Tab');
  await page.fill('#compose-subject', 'Board pack (encrypted)');
  await page.locator('#compose-body').click();
  await page.keyboard.type('The figures are attached.');
  await page.setInputFiles('#compose-attach-input', { name: 'prices.csv', mimeType: 'text/csv', buffer: CSV });
  await page.setInputFiles('#compose-picture-input', { name: 'pixel.png', mimeType: 'image/png', buffer: PIXEL });
  assert.deepEqual(await signetClicks(), []);

  // Signet click 1: open the pane.
  await page.click('#compose-pane-button');
  await narrow('#compose-taskpane');
  const pane = page.frameLocator('#compose-taskpane');
  await pane.locator('[data-testid=readiness-row][data-address="bob@example.org"][data-ready=no]').waitFor({ timeout: 20_000 });
  await pane.locator('[data-testid=readiness-row][data-address="alice@example.org"][data-ready=yes]').waitFor();
  // Protection by default: Sign is on without a click; Encrypt waits for every recipient.
  await pane.locator('[data-testid=toggle-sign]:checked').waitFor({ timeout: 10_000 });
  assert.equal(await pane.locator('[data-testid=toggle-encrypt]').isChecked(), false);
  // The advice appears once, above the rows; Bob's row offers the fix.
  const paneText = (await pane.locator('[data-testid=compose-view]').textContent()) ?? '';
  assert.equal(paneText.match(/reply signed/g)?.length, 1, 'the advice appears once');
  assert.equal(paneText.match(/Keys & certificates/g), null, 'no detour through the Keys tab is suggested');
  assert.equal(await pane.locator('[data-testid=readiness-row][data-address="bob@example.org"] [data-testid=add-certificate]').count(), 1);
  assert.equal(await pane.locator('[data-testid=readiness-row][data-address="alice@example.org"] [data-testid=add-certificate]').count(), 0);
  await shoot('send-1-missing-certificate', '#compose-taskpane');

  // Signet click 2: "Add certificate" in Bob's row, then the file in the browser's own file dialog.
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), pane.locator('[data-testid=readiness-row][data-address="bob@example.org"] [data-testid=add-certificate]').click()]);
  await chooser.setFiles({ name: 'bob.pem', mimeType: 'application/x-pem-file', buffer: readFileSync(join(PKI, 'bob.pem')) });
  await pane.locator('[data-testid=readiness-row][data-address="bob@example.org"][data-ready=yes]').waitFor({ timeout: 20_000 });
  // Fixing the last missing recipient in place turns Encrypt on, and says so; no tab was switched.
  await pane.locator('[data-testid=toggle-encrypt]:checked').waitFor({ timeout: 10_000 });
  assert.match((await pane.locator('[data-testid=auto-note]').textContent()) ?? '', /Encrypt is on: every recipient has a certificate/);
  assert.equal(await pane.locator('[data-testid=tab-message]').getAttribute('aria-pressed'), 'true');
  assert.equal(await pane.locator('[data-testid=readiness-advice]').count(), 0);
  const button = pane.locator('[data-testid=send-protected]');
  assert.equal(await button.textContent(), 'Encrypt & Send');
  await shoot('send-2-ready', '#compose-taskpane');

  // Signet click 3: Encrypt & Send. The confirmation says what left and to whom, in the pane and in Outlook's info bar.
  const before = (await (await fetch(`${wb.server.url}workbench/api/sent`)).json()) as { sent: unknown[] };
  await button.click();
  const done = pane.locator('[data-testid=send-done]');
  await done.waitFor({ timeout: 60_000 });
  assert.match((await done.textContent()) ?? '', /Sent signed and encrypted to 2 people; the protected copy is in Sent Items\./);
  assert.match((await page.locator('#compose-info-bar').textContent()) ?? '', /Sent signed and encrypted to 2 people; the protected copy is in Sent Items/);
  await shoot('send-3-sent', '#compose-taskpane');

  // The form closes by itself; the read pane keeps the confirmation.
  await page.locator('#compose').waitFor({ state: 'hidden', timeout: 30_000 });
  const notice = page.frameLocator('#taskpane').locator('[data-testid=sent-notice]');
  await notice.waitFor({ timeout: 10_000 });
  assert.match((await notice.textContent()) ?? '', /Sent signed and encrypted to 2 people; the protected copy is in Sent Items\.\W*Board pack \(encrypted\)/);
  await shoot('send-4-confirmation-stays', '#taskpane');
  const after = (await (await fetch(`${wb.server.url}workbench/api/sent`)).json()) as { sent: { kind: string; sentItemsId: string }[] };
  const added = after.sent.slice(before.sent.length);
  assert.deepEqual(added.map((s) => s.kind), ['graph'], 'one protected send, no plain one');

  // Read it back from Sent Items (Outlook's clicks, not Signet's): valid and encrypted.
  await page.evaluate(() => (globalThis as unknown as { signetWorkbenchTest: { refresh(): void } }).signetWorkbenchTest.refresh());
  await page.click('button.folder[data-folder="sentitems"]');
  await page.click(`button[data-id="${added[0]!.sentItemsId}"]`);
  const badge = page.frameLocator('#taskpane').locator('[data-testid=badge][data-subject="Board pack (encrypted)"]');
  await badge.waitFor({ timeout: 20_000 });
  assert.equal(await badge.getAttribute('data-state'), 'valid');
  assert.match((await page.frameLocator('#taskpane').locator('[data-testid=encryption]').textContent()) ?? '', /AES/);
  await shoot('send-5-read-back', '#taskpane');

  const clicks = await signetClicks();
  assert.ok(clicks.length <= 3, `at most three Signet clicks, counted ${clicks.length}: ${clicks.join(' | ')}`);
  assert.deepEqual(clicks.map((c) => c.split(':')[0]), ['ribbon', 'pane', 'pane'], clicks.join(' | '));
});

/** Drops `file` on a recipient's row in the compose pane (a real drop event with a DataTransfer). */
async function dropOnRow(address: string, name: string, bytes: Buffer): Promise<void> {
  const frame = await frameOf('#compose-taskpane');
  const row = frame.locator(`[data-testid=readiness-row][data-address="${address}"]`);
  const transfer = await frame.evaluateHandle(
    ([n, b64]) => {
      const dt = new DataTransfer();
      dt.items.add(new File([Uint8Array.from(atob(b64 as string), (c) => c.charCodeAt(0))], n as string));
      return dt;
    },
    [name, bytes.toString('base64')],
  );
  await row.dispatchEvent('dragover', { dataTransfer: transfer });
  await row.dispatchEvent('drop', { dataTransfer: transfer });
}

async function rowRefusal(address: string): Promise<{ code: string; text: string }> {
  const error = wb.page.frameLocator('#compose-taskpane').locator(`[data-testid=readiness-row][data-address="${address}"] [data-testid=row-error]`);
  await error.waitFor({ timeout: 20_000 });
  return { code: (await error.getAttribute('data-code')) ?? '', text: (await error.textContent()) ?? '' };
}

test('"Add certificate" in a row refuses, with the reason, a certificate that is expired, for someone else, not for encryption, untrusted or an authority; nothing is stored and the row stays not ready', async () => {
  await load();
  await compose('Oscar Old <oscar@example.org>; Erin Example <erin@example.net>', 'Refusals');
  const pane = wb.page.frameLocator('#compose-taskpane');
  await pane.locator('[data-testid=readiness-row][data-address="erin@example.net"][data-ready=no]').waitFor({ timeout: 20_000 });

  await dropOnRow('oscar@example.org', 'oscar.pem', readFileSync(join(PKI, 'expired.pem')));
  const expired = await rowRefusal('oscar@example.org');
  assert.equal(expired.code, 'expired');
  assert.match(expired.text, /Certificate not added/);
  assert.match(expired.text, /expired/i);

  const cases: { file: Buffer; code: string; words: RegExp }[] = [
    { file: readFileSync(join(PKI, 'carol.pem')), code: 'address-mismatch', words: /not for erin@example\.net: it is for carol@example\.org/ },
    { file: makeCertificate('erin-signing', 'erin@example.net', 'digitalSignature', 'demo-ca'), code: 'no-encryption-usage', words: /sign/i },
    { file: makeCertificate('erin-self', 'erin@example.net', 'digitalSignature,keyEncipherment', 'self'), code: 'untrusted', words: /trust/i },
    { file: readFileSync(join(PKI, 'other.pem')), code: 'not-an-end-entity', words: /certificate authority/ },
    { file: Buffer.from('not a certificate at all'), code: 'malformed-pem', words: /cannot be read as a certificate/ },
  ];
  for (const c of cases) {
    await dropOnRow('erin@example.net', 'erin.pem', c.file);
    await pane.locator(`[data-testid=readiness-row][data-address="erin@example.net"] [data-testid=row-error][data-code="${c.code}"]`).waitFor({ timeout: 20_000 }).catch(() => undefined);
    const r = await rowRefusal('erin@example.net');
    if (c.code === 'malformed-pem') assert.match(r.code, /^malformed/, r.text);
    else assert.equal(r.code, c.code, r.text);
    assert.match(r.text, c.words);
    if (c.code === 'no-encryption-usage') await shoot('send-row-refused', '#compose-taskpane');
  }
  assert.equal(await pane.locator('[data-testid=readiness-row][data-ready=yes]').count(), 0, 'no refused certificate made a row ready');
  assert.equal(await pane.locator('[data-testid=toggle-encrypt]').isChecked(), false);
});

test('"Ask for it": one click prepares the request, sending it delivers a signed message to that recipient only, and the message being written stays open', async () => {
  await load();
  await compose('Erin Example <erin@example.net>', 'Ask Erin');
  const pane = wb.page.frameLocator('#compose-taskpane');
  const row = pane.locator('[data-testid=readiness-row][data-address="erin@example.net"]');
  await row.locator('[data-testid=ask-for-it]').click();
  const preview = row.locator('[data-testid=request-preview]');
  await preview.waitFor();
  assert.match((await preview.textContent()) ?? '', /Signed request to erin@example\.net/);
  const before = (await sentRecords()).length;
  await row.locator('[data-testid=send-request]').click();
  await row.locator('[data-testid=request-sent]').waitFor({ timeout: 30_000 });
  const added = (await sentRecords()).slice(before);
  assert.equal(added.length, 1);
  const mime = Buffer.from(added[0]!.mime, 'base64').toString('latin1');
  assert.match(mime, /^To: erin@example\.net\r?$/m);
  assert.match(mime, /Content-Type: multipart\/signed/);
  assert.match(mime, /reply with a signed message/);
  assert.ok(await wb.page.locator('#compose').isVisible(), 'the message being written is still open');
});

test('encrypted but not signed: with Sign switched off by hand the pane asks once; "Send unsigned" sends it encrypted only', async () => {
  await load();
  // Alice is ready (learnt in the journey above, or here).
  await selectSample(wb.page, 'valid-signed', 'Quarterly report (signed)');
  await wb.page.frameLocator('#taskpane').locator('[data-testid=learning-done]').waitFor({ state: 'attached', timeout: 20_000 });
  await compose('Alice Example <alice@example.org>', 'Encrypted only');
  const pane = wb.page.frameLocator('#compose-taskpane');
  await pane.locator('[data-testid=toggle-sign]:checked').waitFor({ timeout: 20_000 });
  await pane.locator('[data-testid=toggle-sign]').click();
  await pane.locator('[data-testid=toggle-encrypt]').click();
  await pane.locator('[data-testid=toggle-encrypt]:checked').waitFor();
  await pane.locator('[data-testid=readiness-row][data-address="alice@example.org"][data-ready=yes]').waitFor({ timeout: 20_000 });
  const before = (await sentRecords()).length;
  await pane.locator('[data-testid=send-protected]').click();
  const ask = pane.locator('[data-testid=confirm-unsigned]');
  await ask.waitFor({ timeout: 10_000 });
  assert.equal(await ask.getAttribute('data-reason'), 'sender-chose');
  assert.match((await ask.textContent()) ?? '', /cannot tell the message is from you/);
  assert.equal((await sentRecords()).length, before, 'nothing sent before the answer');
  await shoot('send-ask-unsigned', '#compose-taskpane');
  await pane.locator('[data-testid=confirm-send-unsigned]').click();
  const done = pane.locator('[data-testid=send-done]');
  await done.waitFor({ timeout: 60_000 });
  assert.equal(await done.getAttribute('data-what'), 'encrypted');
  assert.match((await done.textContent()) ?? '', /Sent encrypted to 1 person/);
  const added = (await sentRecords()).slice(before);
  assert.equal(added.length, 1);
  assert.match(Buffer.from(added[0]!.mime, 'base64').toString('latin1'), /smime-type=enveloped-data/);
});

test('policy compose.signByDefault false + encryptWhenReady true: Sign starts off, Encrypt turns itself on when every recipient is ready, and encrypted mail is still signed (Sign was off only by default)', async () => {
  await load(JSON.stringify({ policyVersion: 1, revision: 'e2e compose defaults', compose: { signByDefault: false, encryptWhenReady: true } }));
  await selectSample(wb.page, 'valid-signed', 'Quarterly report (signed)');
  await wb.page.frameLocator('#taskpane').locator('[data-testid=learning-done]').waitFor({ state: 'attached', timeout: 20_000 });
  await compose('Alice Example <alice@example.org>', 'Automatic encryption');
  const pane = wb.page.frameLocator('#compose-taskpane');
  await pane.locator('[data-testid=toggle-encrypt]:checked').waitFor({ timeout: 20_000 });
  assert.equal(await pane.locator('[data-testid=toggle-sign]').isChecked(), false);
  assert.match((await pane.locator('[data-testid=auto-note]').textContent()) ?? '', /Encrypt is on: every recipient has a certificate/);
  const before = (await sentRecords()).length;
  await pane.locator('[data-testid=send-protected]').click();
  const done = pane.locator('[data-testid=send-done]');
  await done.waitFor({ timeout: 60_000 });
  assert.equal(await done.getAttribute('data-what'), 'signed and encrypted');
  assert.equal((await sentRecords()).length, before + 1);
});

test('dark theme: the recipient fixes, a refusal and the prepared request, axe clean, nothing clipped at 320 px', async () => {
  await load();
  await Promise.all([wb.page.waitForEvent('load'), wb.page.click('#dark-toggle')]);
  await wb.page.locator('#message-list button').first().waitFor();
  try {
    await compose('Alice Example <alice@example.org>; Oscar Old <oscar@example.org>', 'Dark');
    const pane = wb.page.frameLocator('#compose-taskpane');
    await pane.locator('[data-testid=readiness-row][data-address="oscar@example.org"][data-ready=no]').waitFor({ timeout: 20_000 });
    assert.equal(await pane.locator('[data-theme]').first().getAttribute('data-theme'), 'dark');
    assert.deepEqual(await axeViolations(await frameOf('#compose-taskpane')), []);
    await shoot('send-1-missing-certificate-dark', '#compose-taskpane');
    await dropOnRow('oscar@example.org', 'oscar.pem', readFileSync(join(PKI, 'expired.pem')));
    await rowRefusal('oscar@example.org');
    assert.deepEqual(await axeViolations(await frameOf('#compose-taskpane')), []);
    await shoot('send-row-refused-dark', '#compose-taskpane');
    await pane.locator('[data-testid=ask-for-it]').click();
    await pane.locator('[data-testid=request-preview]').waitFor();
    assert.deepEqual(await axeViolations(await frameOf('#compose-taskpane')), []);
    await shoot('send-ask-for-it-dark', '#compose-taskpane');
  } finally {
    await Promise.all([wb.page.waitForEvent('load'), wb.page.click('#dark-toggle')]);
  }
});
