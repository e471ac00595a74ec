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
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { PACKAGE_ROOT, buildForBrowser, openWorkbench, requireChromium, selectSample, type Workbench } from '../helpers/workbench.js';

let wb: Workbench;
let dist: string;
const DOCS = join(PACKAGE_ROOT, 'docs', 'states');
const PKI = join(PACKAGE_ROOT, '.workbench', 'pki');

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
  mkdirSync(DOCS, { recursive: true });
});

after(async () => {
  await wb?.close();
  if (dist) rmSync(dist, { recursive: true, force: true });
});

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
  assert.match((await notice.textContent()) ?? '', /Sent signed and encrypted to 2 people; the protected copy is in Sent Items\..*Board pack \(encrypted\)/);
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
