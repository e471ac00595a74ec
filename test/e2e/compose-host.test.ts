// Browser end-to-end tests of the workbench's compose host (issues 6 and 7): the compose form, the ribbon's
// add-in commands, the add-in's event runtime (commands.html) and Outlook's send pipeline with Smart Alerts,
// against the simulated Exchange (Graph and EWS) — in Debian's Chromium, with the production build.
// Two kinds of tests: the host's own Smart Alerts rules driven by a test handler put in place of the add-in's
// (window.signetWorkbenchTest.overrideHandler) — incl. the long-running notice and the item-switch dialog
// when the user navigates away — and Signet's real guard (src/events) doing the round trip: Sign or Encrypt
// from the ribbon → Send → blocked with "Open Signet" (nothing leaves) → the pane's Sign & Send → protected
// MIME through Graph/EWS → Sent Items → read pane, the delivered bytes checked with `openssl cms`. After
// every protected send the test asserts that no plain copy left (no delivery of kind "outlook").

import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseMime } from '../../src/core/mime/parser.js';
import { getHeader } from '../../src/core/mime/headers.js';
import type { MailboxMessage } from '../../workbench/mailbox.js';
import type { SentRecord } from '../../workbench/mail-store.js';
import { workbenchPaths } from '../../workbench/samples.js';
import type { WorkbenchTestHook } from '../../workbench/host.js';
import { PACKAGE_ROOT, buildForBrowser, openWorkbench, requireChromium, type Workbench } from '../helpers/workbench.js';

let wb: Workbench;
let dist: string;
let scratch: string;
const paths = workbenchPaths(PACKAGE_ROOT);

type Hooked = typeof globalThis & { signetWorkbenchTest: WorkbenchTestHook };

/** A 1×1 PNG (an inline picture). */
const PIXEL = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');

before(async () => {
  requireChromium();
  dist = buildForBrowser();
  wb = await openWorkbench(dist);
  scratch = mkdtempSync(join(tmpdir(), 'signet-compose-e2e-'));
});

after(async () => {
  await wb?.close();
  if (dist) rmSync(dist, { recursive: true, force: true });
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** Opens the workbench afresh (settings from the query string) and waits for the mailbox. */
async function load(query = ''): Promise<void> {
  await wb.page.goto(`${wb.server.url}${query}`);
  await wb.page.locator('#message-list button').first().waitFor();
}

beforeEach(async () => {
  await load('?sendTimeoutMs=60000');
});

async function sent(): Promise<(SentRecord & { mime: string })[]> {
  const r = await fetch(`${wb.server.url}workbench/api/sent`);
  return ((await r.json()) as { sent: (SentRecord & { mime: string })[] }).sent;
}

async function delivered(): Promise<MailboxMessage[]> {
  const r = await fetch(`${wb.server.url}workbench/api/mailbox`);
  return ((await r.json()) as { messages: MailboxMessage[] }).messages;
}

/** Opens a new message and fills it in as a user would. */
async function compose(fields: { to: string; cc?: string; bcc?: string; subject: string; body: string }): Promise<void> {
  const page = wb.page;
  await page.click('#new-message');
  await page.locator('#compose:not([hidden])').waitFor();
  await page.fill('#compose-to', fields.to);
  await page.locator('#compose-to').press('Tab');
  if (fields.cc) {
    await page.fill('#compose-cc', fields.cc);
    await page.locator('#compose-cc').press('Tab');
  }
  if (fields.bcc) {
    await page.fill('#compose-bcc', fields.bcc);
    await page.locator('#compose-bcc').press('Tab');
  }
  await page.fill('#compose-subject', fields.subject);
  await page.locator('#compose-body').click();
  await page.keyboard.type(fields.body);
}

/** Waits for the Smart Alerts dialog and returns its message and buttons. */
async function smartAlert(timeout = 60_000): Promise<{ reason: string; message: string; buttons: string[] }> {
  const page = wb.page;
  await page.locator('#smart-alert:not([hidden])').waitFor({ timeout });
  return {
    reason: (await page.locator('#smart-alert').getAttribute('data-reason')) ?? '',
    message: (await page.locator('#smart-alert-message').textContent()) ?? '',
    buttons: await page.locator('#smart-alert-buttons button').allTextContents(),
  };
}


function lastSend() {
  return wb.page.evaluate(() => (globalThis as Hooked).signetWorkbenchTest.lastSend());
}

function openssl(args: string[], input: Buffer): { status: number | null; stdout: Buffer; stderr: string } {
  const r = spawnSync('openssl', ['cms', ...args], { input });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

test('a message without protection: OnMessageSend allows it and Outlook sends the form as plain MIME', async () => {
  const page = wb.page;
  await compose({ to: 'Dana Reader <dana@example.org>; Alice Example <alice@example.org>', cc: 'carol@example.org', bcc: 'bob@example.org', subject: 'Plain, with everything', body: 'Hello plain world' });
  await page.selectOption('#compose-importance', 'high');
  await page.setInputFiles('#compose-attach-input', { name: 'prices.csv', mimeType: 'text/csv', buffer: Buffer.from('item,price\r\nlicence,1200\r\n') });
  await page.setInputFiles('#compose-picture-input', { name: 'pixel.png', mimeType: 'image/png', buffer: PIXEL });
  // What the add-in sees through Office.js (fake-office.ts): two attachments, one of them inline.
  const item = await page.evaluate(() => (globalThis as Hooked).signetWorkbenchTest.compose());
  assert.deepEqual(item.to.map((p) => p.email), ['dana@example.org', 'alice@example.org']);
  assert.deepEqual(item.attachments.map((a) => [a.name, a.isInline]), [['prices.csv', false], ['pixel.png', true]]);
  await page.click('#compose-send');
  await page.locator('#compose').waitFor({ state: 'hidden', timeout: 60_000 });
  const send = await lastSend();
  assert.equal(send?.decision, 'send');
  assert.equal(send?.plainSent, true);
  const record = (await sent()).at(-1)!;
  assert.equal(record.kind, 'outlook', "Outlook's own send");
  const root = parseMime(new Uint8Array(Buffer.from(record.mime, 'base64')));
  assert.equal(root.type, 'multipart/mixed');
  assert.equal(getHeader(root.headers, 'importance'), 'high');
  assert.equal(getHeader(root.headers, 'bcc'), 'bob@example.org', 'the Sent Items copy keeps Bcc');
  const [related, csv] = root.children;
  assert.equal(related?.type, 'multipart/related');
  assert.equal(csv?.disposition?.params['filename'], 'prices.csv');
  const html = new TextDecoder().decode(related!.children[0]!.children[1]!.decodeBody());
  const cid = getHeader(related!.children[1]!.headers, 'content-id')!.replace(/^<|>$/g, '');
  assert.ok(html.includes(`cid:${cid}`), 'the inline picture is referenced by cid:');
  assert.deepEqual(Buffer.from(related!.children[1]!.decodeBody()), PIXEL);
  // Exchange filed it: Sent Items, and the owner's Inbox copy without Bcc.
  const items = await delivered();
  const inbox = items.find((m) => m.id === record.inboxId)!;
  assert.equal(inbox.folder, 'inbox');
  assert.equal(inbox.bcc, undefined);
  assert.deepEqual(inbox.cc?.map((p) => p.email), ['carol@example.org']);
});

test('Smart Alerts with a test handler: allowEvent false shows errorMessage, Take Action opens the compose pane, nothing is sent', async () => {
  const page = wb.page;
  const before = (await sent()).length;
  await compose({ to: 'alice@example.org', subject: 'Stopped by a test handler', body: 'x' });
  await page.evaluate(() =>
    (globalThis as Hooked).signetWorkbenchTest.overrideHandler('onMessageSendHandler', (event) =>
      (event as Office.MailboxEvent).completed({ allowEvent: false, errorMessage: 'Alice has no certificate.', commandId: 'signetComposePaneButton', cancelLabel: 'Open Signet' }),
    ),
  );
  await page.click('#compose-send');
  const alert = await smartAlert();
  assert.deepEqual(alert, { reason: 'blocked', message: 'Alice has no certificate.', buttons: ["Don't Send", 'Open Signet'] });
  await page.click('#smart-alert-buttons button[data-button="take-action"]');
  await page.locator('#compose-taskpane:not([hidden])').waitFor();
  assert.match((await page.locator('#compose-taskpane').getAttribute('src')) ?? '', /^workbench-taskpane\.html\?workbench=1/);
  assert.ok(await page.locator('#compose').isVisible(), 'the message stays open');
  assert.equal((await sent()).length, before);
});

test('Smart Alerts: sendModeOverride "promptUser" offers Send Anyway in SoftBlock, which sends plain', async () => {
  const page = wb.page;
  await compose({ to: 'dana@example.org', subject: 'Prompt user', body: 'x' });
  await page.evaluate(() =>
    (globalThis as Hooked).signetWorkbenchTest.overrideHandler('onMessageSendHandler', (event) =>
      (event as Office.MailboxEvent).completed({ allowEvent: false, errorMessage: 'Really?', sendModeOverride: 'promptUser' }),
    ),
  );
  await page.click('#compose-send');
  assert.deepEqual((await smartAlert()).buttons, ['Send Anyway', "Don't Send"]);
  await page.click('#smart-alert-buttons button[data-button="send-anyway"]');
  await page.locator('#compose').waitFor({ state: 'hidden' });
  assert.equal((await sent()).at(-1)?.kind, 'outlook');
  assert.equal((await lastSend())?.choice, 'send-anyway');
});

test('Smart Alerts: a handler that throws and never completes blocks the send at the timeout (SoftBlock), after the long-running notice', async () => {
  await load('?sendTimeoutMs=2500&longRunningMs=600');
  const page = wb.page;
  const before = (await sent()).length;
  await compose({ to: 'dana@example.org', subject: 'Hanging handler', body: 'x' });
  await page.evaluate(() =>
    (globalThis as Hooked).signetWorkbenchTest.overrideHandler('onMessageSendHandler', () => {
      throw new Error('boom');
    }),
  );
  await page.click('#compose-send');
  const notice = await smartAlert(5_000);
  assert.equal(notice.reason, 'long-running');
  assert.deepEqual(notice.buttons, [], 'SoftBlock: the user must wait');
  await page.locator('#smart-alert[data-reason="timeout"]:not([hidden])').waitFor({ timeout: 10_000 });
  const timeout = await smartAlert();
  assert.match(timeout.message, /wasn't sent/);
  assert.deepEqual(timeout.buttons, ['OK']);
  await page.click('#smart-alert-buttons button');
  assert.equal((await sent()).length, before, 'nothing left');
  assert.match(await page.locator('#event-log').innerText(), /the handler threw \(boom\)/);
});

test('OnMessageRecipientsChanged carries the changed field; OnNewMessageCompose runs when the form opens', async () => {
  const page = wb.page;
  await page.click('#new-message');
  await page.evaluate(() => {
    const seen: unknown[] = [];
    (globalThis as typeof globalThis & { seen: unknown[] }).seen = seen;
    (globalThis as Hooked).signetWorkbenchTest.overrideHandler('onMessageRecipientsChangedHandler', (event) => {
      seen.push((event as { changedRecipientFields: unknown }).changedRecipientFields);
      (event as Office.MailboxEvent).completed();
    });
  });
  await page.fill('#compose-cc', 'carol@example.org');
  await page.locator('#compose-cc').press('Tab');
  await page.waitForFunction(() => (globalThis as typeof globalThis & { seen: unknown[] }).seen.length === 1);
  const seen = await page.evaluate(() => (globalThis as typeof globalThis & { seen: { cc: boolean; to: boolean }[] }).seen);
  assert.equal(seen[0]!.cc, true);
  assert.equal(seen[0]!.to, false);
  // Signet's own OnNewMessageCompose stored the policy's defaults on the item (contract: sessionData).
  await page.waitForFunction(() => 'signet-protection' in (globalThis as Hooked).signetWorkbenchTest.compose().sessionData, undefined, { timeout: 20_000 });
  const stored = JSON.parse((await page.evaluate(() => (globalThis as Hooked).signetWorkbenchTest.compose().sessionData))['signet-protection']!) as { v: number };
  assert.equal(stored.v, 1);
});

test("Reply threads to the original: To its sender, Re: subject, In-Reply-To its Message-ID", async () => {
  const page = wb.page;
  await page.click('button[data-id="valid-signed"]');
  await page.click('#reply');
  await page.locator('#compose:not([hidden])').waitFor();
  const item = await page.evaluate(() => (globalThis as Hooked).signetWorkbenchTest.compose());
  const eml = readFileSync(join(paths.publicDir, 'mailbox', 'valid-signed.eml'));
  const messageId = getHeader(parseMime(new Uint8Array(eml)).headers, 'message-id');
  assert.equal(item.composeType, 'reply');
  assert.deepEqual(item.to.map((p) => p.email), ['alice@example.org']);
  assert.equal(item.subject, 'Re: Quarterly report (signed)');
  assert.equal(item.inReplyTo, messageId);
  assert.equal(item.references, messageId);
});

/** The compose task pane (opened by the ribbon or by the Smart Alert's "Open Signet"). */
function pane() {
  return wb.page.frameLocator('#compose-taskpane');
}

/** Send → Signet's guard blocks with "Open Signet" → the pane opens on the same draft. Returns the alert. */
async function sendBlockedThenOpenSignet(): Promise<{ reason: string; message: string; buttons: string[] }> {
  const page = wb.page;
  const before = (await sent()).length;
  await page.click('#compose-send');
  const alert = await smartAlert();
  assert.equal(alert.reason, 'blocked');
  assert.deepEqual(alert.buttons, ["Don't Send", 'Open Signet'], 'SoftBlock: no Send Anyway, and the way to the pane');
  assert.match(alert.message, /^Not sent yet: this message must be /);
  assert.equal((await sent()).length, before, 'the guard itself sends nothing, plain or protected');
  assert.equal((await lastSend())?.plainSent, false);
  await page.click('#smart-alert-buttons button[data-button="take-action"]');
  await page.locator('#compose-taskpane:not([hidden])').waitFor();
  assert.ok(await page.locator('#compose').isVisible(), 'the message stays open');
  return alert;
}

test('Sign from the ribbon, Send: the guard blocks with "Open Signet"; the pane\'s Sign & Send sends it protected (one Graph send, no plain one), the form closes, the read pane says valid, openssl verifies it', async () => {
  const page = wb.page;
  await compose({ to: 'Dana Reader <dana@example.org>', subject: 'Signed from the workbench', body: 'Signed hello' });
  await page.click('#compose-sign');
  await page.waitForFunction(() => /"sign":true/.test((globalThis as Hooked).signetWorkbenchTest.compose().sessionData['signet-protection'] ?? ''), undefined, { timeout: 20_000 });
  const before = await sent();
  const alert = await sendBlockedThenOpenSignet();
  assert.match(alert.message, /must be signed \(you turned it on\).*"Sign & Send"/);
  const button = pane().locator('[data-testid=send-protected]');
  await button.waitFor({ timeout: 30_000 });
  assert.equal(await button.textContent(), 'Sign & Send');
  await button.click();
  await page.locator('#compose').waitFor({ state: 'hidden', timeout: 60_000 });
  const added = (await sent()).slice(before.length);
  assert.deepEqual(added.map((s) => s.kind), ['graph'], 'one protected send, no plain one');
  const mime = Buffer.from(added[0]!.mime, 'base64');
  assert.equal(parseMime(new Uint8Array(mime)).type, 'multipart/signed');
  const verify = openssl(['-verify', '-CAfile', join(paths.publicDir, 'trust-anchors.pem'), '-purpose', 'smimesign'], mime);
  assert.equal(verify.status, 0, verify.stderr);
  assert.match(verify.stdout.toString(), /Signed hello/);
  // The delivered copy, opened from Sent Items in the read pane.
  await page.evaluate(() => (globalThis as Hooked).signetWorkbenchTest.refresh());
  await page.click('button.folder[data-folder="sentitems"]');
  await page.click(`button[data-id="${added[0]!.sentItemsId}"]`);
  const badge = page.frameLocator('#taskpane').locator('[data-testid=badge][data-subject="Signed from the workbench"]');
  await badge.waitFor({ timeout: 20_000 });
  assert.equal(await badge.getAttribute('data-state'), 'valid');
});

test('Encrypt to a recipient without a certificate: the guard blocks, the pane opened from the alert names her, and nothing leaves', async () => {
  const page = wb.page;
  // Erin never sent a signed message the read pane could have learnt her certificate from.
  await compose({ to: 'Erin Example <erin@example.net>', subject: 'Encrypted to Erin', body: 'Secret' });
  await page.click('#compose-encrypt');
  await page.waitForFunction(() => /"encrypt":true/.test((globalThis as Hooked).signetWorkbenchTest.compose().sessionData['signet-protection'] ?? ''), undefined, { timeout: 20_000 });
  const before = (await sent()).length;
  const alert = await sendBlockedThenOpenSignet();
  assert.match(alert.message, /"Encrypt & Send"/);
  await pane().locator('[data-testid=readiness-row][data-address="erin@example.net"][data-ready=no]').waitFor({ timeout: 30_000 });
  assert.equal((await sent()).length, before, 'no protected and no plain send');
});

test('a Graph failure (fail-next 503) when the pane sends: a clear error in the pane, the form stays open, and nothing plain leaves', async () => {
  const page = wb.page;
  await compose({ to: 'dana@example.org', subject: 'Graph is down', body: 'x' });
  await page.click('#compose-sign');
  await page.waitForFunction(() => /"sign":true/.test((globalThis as Hooked).signetWorkbenchTest.compose().sessionData['signet-protection'] ?? ''), undefined, { timeout: 20_000 });
  const before = (await sent()).length;
  await sendBlockedThenOpenSignet();
  const button = pane().locator('[data-testid=send-protected]');
  await button.waitFor({ timeout: 30_000 });
  const arm = await fetch(`${wb.server.url}workbench/api/fail-next`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ status: 503 }) });
  assert.equal(arm.status, 204);
  await button.click();
  const error = pane().locator('[data-testid=send-error]');
  await error.waitFor({ timeout: 60_000 });
  assert.match((await error.textContent()) ?? '', /not sent|try again|unavailable|busy|503/i);
  assert.ok(await page.locator('#compose').isVisible(), 'the message stays open to try again');
  assert.equal((await sent()).length, before);
  assert.equal((await lastSend())?.plainSent, false);
});

test('navigating away while the send check runs (Smart Alerts item-switch): "Save as Draft" ends the handler, the draft is saved, the form closes with "not sent", nothing leaves; "Wait" keeps the check going', async () => {
  await load('?sendTimeoutMs=60000&longRunningMs=600');
  const page = wb.page;
  const before = (await sent()).length;
  await compose({ to: 'dana@example.org', subject: 'Left behind', body: 'x' });
  // A handler slower than Outlook's five seconds (scaled down): Signet's own never is, this one stands in.
  await page.evaluate(() =>
    (globalThis as Hooked).signetWorkbenchTest.overrideHandler('onMessageSendHandler', (event) => {
      setTimeout(() => (event as Office.MailboxEvent).completed({ allowEvent: false, errorMessage: 'Checked late.', commandId: 'signetComposePaneButton', cancelLabel: 'Open Signet' }), 4000);
    }),
  );
  await page.click('#compose-send');
  const notice = await smartAlert(5_000);
  assert.equal(notice.reason, 'long-running');
  assert.match(notice.message, /taking longer than expected/);
  // The user goes to Sent Items: Outlook asks first.
  void page.evaluate(() => (globalThis as Hooked).signetWorkbenchTest.navigateAway());
  await page.locator('#smart-alert[data-reason="item-switch"]:not([hidden])').waitFor({ timeout: 5_000 });
  const choice = await smartAlert();
  assert.deepEqual(choice.buttons, ['Wait', 'Save as Draft'], 'SoftBlock: no Send Anyway');
  // Wait: the check goes on and ends in its own dialog.
  await page.click('#smart-alert-buttons button[data-button="wait"]');
  const late = await smartAlert(10_000);
  assert.equal(late.message, 'Checked late.');
  await page.click('#smart-alert-buttons button[data-button="dont-send"]');
  // Send again, and this time leave.
  await page.click('#compose-send');
  await smartAlert(5_000);
  void page.evaluate(() => (globalThis as Hooked).signetWorkbenchTest.navigateAway());
  await page.locator('#smart-alert[data-reason="item-switch"]:not([hidden])').waitFor({ timeout: 5_000 });
  await page.click('#smart-alert-buttons button[data-button="save-draft"]');
  await page.locator('#compose').waitFor({ state: 'hidden', timeout: 10_000 });
  assert.equal(await page.locator('#host-notice').textContent(), 'Your message was saved to Drafts. It was not sent.');
  const record = await lastSend();
  assert.equal(record?.savedAsDraft, true);
  assert.equal(record?.plainSent, false);
  assert.equal((await sent()).length, before, 'nothing left');
  assert.match(await page.locator('#event-log').innerText(), /Save as Draft: the add-in was stopped, the message is in Drafts/);
});

test("Signet's own guard answers before Outlook's long-running notice (five seconds): policy and item only, no keys, no crypto", async () => {
  await load('?sendTimeoutMs=60000&longRunningMs=5000');
  const page = wb.page;
  await compose({ to: 'dana@example.org', subject: 'Quick check', body: 'x' });
  await page.click('#compose-sign');
  await page.waitForFunction(() => /"sign":true/.test((globalThis as Hooked).signetWorkbenchTest.compose().sessionData['signet-protection'] ?? ''), undefined, { timeout: 20_000 });
  const t0 = Date.now();
  await page.click('#compose-send');
  const alert = await smartAlert(5_000);
  assert.equal(alert.reason, 'blocked', `the guard answered in ${Date.now() - t0} ms`);
  assert.doesNotMatch(await page.locator('#event-log').innerText(), /taking longer than expected/);
});

test('Exchange Server: the same protected send goes through EWS (makeEwsRequestAsync → CreateItem), decrypts with openssl', async () => {
  await load('?exchange=on-premises&sendTimeoutMs=60000');
  const page = wb.page;
  await compose({ to: 'Dana Reader <dana@example.org>', subject: 'Encrypted through EWS', body: 'For my eyes only' });
  await page.click('#compose-encrypt');
  await page.waitForFunction(() => /"encrypt":true/.test((globalThis as Hooked).signetWorkbenchTest.compose().sessionData['signet-protection'] ?? ''), undefined, { timeout: 20_000 });
  const before = (await sent()).length;
  const alert = await sendBlockedThenOpenSignet();
  assert.match(alert.message, /must be encrypted/);
  const button = pane().locator('[data-testid=send-protected]');
  await button.waitFor({ timeout: 30_000 });
  await button.click();
  await page.locator('#compose').waitFor({ state: 'hidden', timeout: 60_000 });
  const added = (await sent()).slice(before);
  assert.deepEqual(added.map((s) => s.kind), ['ews']);
  const mime = Buffer.from(added[0]!.mime, 'base64');
  assert.equal(parseMime(new Uint8Array(mime)).type, 'application/pkcs7-mime');
  const key = join(scratch, 'owner.pem');
  writeFileSync(key, readFileSync(join(paths.publicDir, 'demo', 'owner-identity.pem')));
  const decrypted = openssl(['-decrypt', '-recip', key], mime);
  assert.equal(decrypted.status, 0, decrypted.stderr);
  assert.match(decrypted.stdout.toString(), /For my eyes only/);
  const inbox = (await delivered()).find((m) => m.id === added[0]!.inboxId);
  assert.equal(inbox?.delivery, 'smime-attachment', 'Exchange keeps it as an smime.p7m item');
});
