// Browser end-to-end tests of the compose task pane (issues 6 and 7) in Debian's Chromium, with the
// production build against the workbench's simulated Outlook and Exchange: a message with an attachment and
// an inline picture to two recipients, one without a certificate → the pane's readiness warning → the
// certificate imported → Encrypt & Send → the delivered bytes checked with `openssl cms -decrypt` and
// `-verify` and opened in the read pane (valid, encrypted); the send guard blocking a message that cannot be
// protected; a transport failure and an error thrown inside the send handler; and the organisation policy
// (encryption required, always sign) served as /signet-policy.json. Every failure test asserts that nothing
// was delivered (GET /workbench/api/sent unchanged), so in particular no plaintext copy.

import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { Frame } from 'playwright-core';
import { parseMime } from '../../src/core/mime/parser.js';
import type { MimeEntity } from '../../src/core/mime/entity.js';
import type { SentRecord } from '../../workbench/mail-store.js';
import { workbenchPaths } from '../../workbench/samples.js';
import type { WorkbenchTestHook } from '../../workbench/host.js';
import { PACKAGE_ROOT, buildForBrowser, openWorkbench, requireChromium, selectSample, writeNewMessage, type Workbench } from '../helpers/workbench.js';

let wb: Workbench;
let dist: string;
let scratch: string;
let defaultPolicy: string;
const paths = workbenchPaths(PACKAGE_ROOT);
/** Screenshots of the compose pane (git-ignored), as test/e2e/workbench.test.ts keeps the read pane's. */
const ARTIFACTS = join(PACKAGE_ROOT, 'artifacts', 'e2e');

type Hooked = typeof globalThis & { signetWorkbenchTest: WorkbenchTestHook };

/** A 1×1 PNG (an inline picture). */
const PIXEL = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');
const CSV = Buffer.from('item,price\r\nlicence,1200\r\n');

before(async () => {
  requireChromium();
  dist = buildForBrowser();
  defaultPolicy = readFileSync(join(dist, 'signet-policy.json'), 'utf8');
  wb = await openWorkbench(dist);
  scratch = mkdtempSync(join(tmpdir(), 'signet-compose-pane-e2e-'));
});

after(async () => {
  await wb?.close();
  if (dist) rmSync(dist, { recursive: true, force: true });
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

async function load(query = '?sendTimeoutMs=60000'): Promise<void> {
  await wb.page.goto(`${wb.server.url}${query}`);
  await wb.page.locator('#message-list button').first().waitFor();
}

beforeEach(async () => {
  writeFileSync(join(dist, 'signet-policy.json'), defaultPolicy);
  await load();
});

async function sent(): Promise<(SentRecord & { mime: string })[]> {
  const r = await fetch(`${wb.server.url}workbench/api/sent`);
  return ((await r.json()) as { sent: (SentRecord & { mime: string })[] }).sent;
}

/** The compose pane's frame (opened from the ribbon's Signet button). Fluent's Switch puts data-testid on its native checkbox. */
const pane = () => wb.page.frameLocator('#compose-taskpane');

const compose = (fields: { to: string; subject: string; body: string }): Promise<void> => writeNewMessage(wb.page, fields);

async function openPane(): Promise<void> {
  await wb.page.click('#compose-pane-button');
  await pane().locator('[data-testid=compose-view]').waitFor({ timeout: 20_000 });
}

/** Sign is on by default (policy compose.signByDefault, the demo key can sign): waits until the pane stored it on the item. */
async function signOnByDefault(): Promise<void> {
  await pane().locator('[data-testid=toggle-sign]:checked').waitFor({ timeout: 20_000 });
  await wb.page.waitForFunction(() => /"sign":true/.test((globalThis as Hooked).signetWorkbenchTest.compose().sessionData['signet-protection'] ?? ''), undefined, { timeout: 10_000 });
}

function stored(): Promise<string> {
  return wb.page.evaluate(() => (globalThis as Hooked).signetWorkbenchTest.compose().sessionData['signet-protection'] ?? '');
}

/** Waits until the readiness list shows `address` in the given state. */
async function readinessOf(address: string, ready: 'yes' | 'no'): Promise<void> {
  await pane().locator(`[data-testid=readiness-row][data-address="${address}"][data-ready=${ready}]`).waitFor({ timeout: 20_000 });
}

async function smartAlert(): Promise<{ reason: string; message: string; buttons: string[] }> {
  const page = wb.page;
  await page.locator('#smart-alert:not([hidden])').waitFor({ timeout: 60_000 });
  return {
    reason: (await page.locator('#smart-alert').getAttribute('data-reason')) ?? '',
    message: (await page.locator('#smart-alert-message').textContent()) ?? '',
    buttons: await page.locator('#smart-alert-buttons button').allTextContents(),
  };
}

function openssl(args: string[], input: Buffer): { status: number | null; stdout: Buffer; stderr: string } {
  const r = spawnSync('openssl', ['cms', ...args], { input });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

function leaves(node: MimeEntity): MimeEntity[] {
  return node.children.length === 0 ? [node] : node.children.flatMap(leaves);
}

/** The add-in's event runtime page (commands.html) of the open compose form. */
async function runtimeFrame(): Promise<Frame> {
  for (let i = 0; i < 100; i++) {
    const f = wb.page.frames().find((x) => x.url().includes('commands.html'));
    if (f) return f;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the event runtime did not load');
}

test('judged scenario: attachment + inline picture to two recipients, one without a certificate → readiness warning → import → Encrypt & Send → valid + encrypted in the read pane, openssl decrypts and verifies the delivered bytes', async () => {
  const page = wb.page;
  // Alice's certificate is learnt the way a user gets it: by opening her signed message.
  await selectSample(page, 'valid-signed', 'Quarterly report (signed)');
  await page.frameLocator('#taskpane').locator('[data-testid=learning-done]').waitFor({ state: 'attached', timeout: 20_000 });

  await compose({ to: 'Alice Example <alice@example.org>; Bob Example <bob@example.org>', subject: 'Board pack (encrypted)', body: 'The figures are attached.' });
  await page.setInputFiles('#compose-attach-input', { name: 'prices.csv', mimeType: 'text/csv', buffer: CSV });
  await page.setInputFiles('#compose-picture-input', { name: 'pixel.png', mimeType: 'image/png', buffer: PIXEL });
  await openPane();

  await signOnByDefault();
  await pane().locator('[data-testid=toggle-encrypt]').click();
  await page.waitForFunction(() => /"sign":true,"encrypt":true/.test((globalThis as Hooked).signetWorkbenchTest.compose().sessionData['signet-protection'] ?? ''), undefined, { timeout: 10_000 });

  await readinessOf('alice@example.org', 'yes');
  await readinessOf('bob@example.org', 'no');
  const advice = (await pane().locator('[data-testid=readiness-advice]').textContent()) ?? '';
  assert.match(advice, /1 recipient has no certificate/);
  assert.match(advice, /ask for it/i);
  assert.match(advice, /reply signed/);
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.locator('#compose-taskpane').screenshot({ path: join(ARTIFACTS, 'compose-readiness-warning.png') });

  // Fix it in Bob's row: drop his certificate there (no tab switch).
  const row = pane().locator('[data-testid=readiness-row][data-address="bob@example.org"]');
  await row.locator('[data-testid=row-certificate-file]').setInputFiles({ name: 'bob.pem', mimeType: 'application/x-pem-file', buffer: readFileSync(join(paths.pkiDir, 'bob.pem')) });
  await readinessOf('bob@example.org', 'yes');
  assert.equal(await pane().locator('[data-testid=readiness-advice]').count(), 0);
  assert.equal(await pane().locator('[data-testid=toggle-encrypt]').isChecked(), true);

  const before = await sent();
  const button = pane().locator('[data-testid=send-protected]');
  assert.equal(await button.textContent(), 'Encrypt & Send');
  await page.locator('#compose-taskpane').screenshot({ path: join(ARTIFACTS, 'compose-ready.png') });
  await button.click();
  // The pane sends, confirms, then discards the draft and closes the form (closeAsync, discardItem).
  await pane().locator('[data-testid=send-done]').waitFor({ timeout: 60_000 });
  await page.locator('#compose').waitFor({ state: 'hidden', timeout: 60_000 });
  const added = (await sent()).slice(before.length);
  assert.deepEqual(added.map((s) => s.kind), ['graph'], 'one protected send through Graph, no plain one');
  const mime = Buffer.from(added[0]!.mime, 'base64');
  assert.equal(parseMime(new Uint8Array(mime)).type, 'application/pkcs7-mime');
  assert.ok(!mime.includes('The figures are attached'), 'no plaintext on the wire');

  // The exact delivered bytes: Alice decrypts them with OpenSSL, and the signature inside verifies.
  const aliceKey = join(scratch, 'alice.key');
  writeFileSync(aliceKey, readFileSync(join(paths.pkiDir, 'alice.key')));
  const decrypted = openssl(['-decrypt', '-recip', join(paths.pkiDir, 'alice.pem'), '-inkey', aliceKey], mime);
  assert.equal(decrypted.status, 0, decrypted.stderr);
  assert.equal(parseMime(new Uint8Array(decrypted.stdout)).type, 'multipart/signed');
  const verified = openssl(['-verify', '-CAfile', join(paths.publicDir, 'trust-anchors.pem'), '-purpose', 'smimesign'], decrypted.stdout);
  assert.equal(verified.status, 0, verified.stderr);
  const content = leaves(parseMime(new Uint8Array(verified.stdout)));
  assert.ok(content.some((p) => p.disposition?.params['filename'] === 'prices.csv' && Buffer.from(p.decodeBody()).equals(CSV)), 'the attachment is inside');
  assert.ok(content.some((p) => p.type === 'image/png' && Buffer.from(p.decodeBody()).equals(PIXEL)), 'the inline picture is inside');
  assert.ok(content.some((p) => p.type === 'text/html' && /cid:/.test(new TextDecoder().decode(p.decodeBody()))), 'the HTML refers to it by cid:');
  // Bob can decrypt too (his imported certificate was used).
  const bobKey = join(scratch, 'bob.key');
  writeFileSync(bobKey, readFileSync(join(paths.pkiDir, 'bob.key')));
  assert.equal(openssl(['-decrypt', '-recip', join(paths.pkiDir, 'bob.pem'), '-inkey', bobKey], mime).status, 0);

  // The Sent Items copy in the read pane: valid and encrypted.
  await page.evaluate(() => (globalThis as Hooked).signetWorkbenchTest.refresh());
  await page.click('button.folder[data-folder="sentitems"]');
  await page.click(`button[data-id="${added[0]!.sentItemsId}"]`);
  const badge = page.frameLocator('#taskpane').locator('[data-testid=badge][data-subject="Board pack (encrypted)"]');
  await badge.waitFor({ timeout: 20_000 });
  assert.equal(await badge.getAttribute('data-state'), 'valid');
  assert.match((await page.frameLocator('#taskpane').locator('[data-testid=encryption]').textContent()) ?? '', /AES/);
});

test('encrypt on, a recipient without a certificate: Outlook Send is blocked with the Smart Alert text, the pane refuses with missing-certificate, nothing is delivered', async () => {
  const page = wb.page;
  await compose({ to: 'Erin Example <erin@example.net>', subject: 'For Erin', body: 'Secret for Erin' });
  await openPane();
  await pane().locator('[data-testid=toggle-encrypt]').click();
  await page.waitForFunction(() => /"encrypt":true/.test((globalThis as Hooked).signetWorkbenchTest.compose().sessionData['signet-protection'] ?? ''), undefined, { timeout: 10_000 });
  await readinessOf('erin@example.net', 'no');
  const before = (await sent()).length;

  await page.click('#compose-send');
  const alert = await smartAlert();
  assert.equal(alert.reason, 'blocked');
  assert.match(alert.message, /must be signed and encrypted/);
  // The guard decides from the policy and the item only (no key look-ups at send time); the pane names Erin.
  assert.match(alert.message, /"Open Signet"/);
  assert.ok(!alert.buttons.includes('Send Anyway'));
  await page.click('#smart-alert-buttons button[data-button="dont-send"]');

  await pane().locator('[data-testid=send-protected]').click();
  const error = pane().locator('[data-testid=send-error]');
  await error.waitFor({ timeout: 20_000 });
  assert.equal(await error.getAttribute('data-code'), 'missing-certificate');
  assert.match((await error.textContent()) ?? '', /erin@example\.net/);
  assert.equal((await sent()).length, before, 'nothing delivered, neither protected nor plain');
  assert.equal((await page.evaluate(() => (globalThis as Hooked).signetWorkbenchTest.lastSend()))?.plainSent, false);
});

test('the choice lives on the item: closing and reopening the pane keeps it, and the ribbon toggle shows in the pane', async () => {
  const page = wb.page;
  await compose({ to: 'dana@example.org', subject: 'Reopen the pane', body: 'x' });
  await openPane();
  await pane().locator('[data-testid=toggle-encrypt]').click();
  await page.waitForFunction(() => /"encrypt":true/.test((globalThis as Hooked).signetWorkbenchTest.compose().sessionData['signet-protection'] ?? ''), undefined, { timeout: 10_000 });
  // Close and reopen: a fresh page in the pane's frame.
  await page.locator('#compose-taskpane').evaluate((f) => (f as HTMLIFrameElement).setAttribute('src', 'about:blank'));
  await page.locator('#compose-taskpane').evaluate((f) => (f as HTMLIFrameElement).removeAttribute('src'));
  await openPane();
  await pane().locator('[data-testid=toggle-encrypt]:checked').waitFor({ timeout: 10_000 });
  assert.equal(await pane().locator('[data-testid=toggle-sign]').isChecked(), true, 'Sign is on by default');
  // The ribbon's Sign button writes the same setting; the open pane follows it, and no default turns it back on.
  await page.click('#compose-sign');
  await pane().locator('[data-testid=toggle-sign]:not(:checked)').waitFor({ timeout: 10_000 });
  assert.match(await stored(), /"sign":false,"encrypt":true/);
  await page.waitForTimeout(2000);
  assert.equal(await pane().locator('[data-testid=toggle-sign]').isChecked(), false, 'the sender\u2019s choice stays');
});

test('a message too large for Graph (~3 MB): the pane refuses with message-too-large before any crypto, nothing is delivered', async () => {
  const page = wb.page;
  await compose({ to: 'dana@example.org', subject: 'Too big', body: 'See the attachment' });
  await page.setInputFiles('#compose-attach-input', { name: 'video.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(3_500_000, 7) });
  await openPane();
  await signOnByDefault();
  const before = (await sent()).length;
  await pane().locator('[data-testid=send-protected]').click();
  const error = pane().locator('[data-testid=send-error]');
  await error.waitFor({ timeout: 30_000 });
  assert.equal(await error.getAttribute('data-code'), 'message-too-large');
  const text = (await error.textContent()) ?? '';
  assert.match(text, /Too large to send protected/);
  assert.match(text, /Microsoft Graph/);
  assert.match(text, /links/);
  assert.equal((await sent()).length, before);
  assert.ok(await page.locator('#compose').isVisible());
});

test('a Graph failure (fail-next 503) during Sign & Send in the pane: a send-* error, the form stays open, nothing is delivered', async () => {
  const page = wb.page;
  await compose({ to: 'dana@example.org', subject: 'Graph down from the pane', body: 'Signed, not delivered' });
  await openPane();
  await signOnByDefault();
  const arm = await fetch(`${wb.server.url}workbench/api/fail-next`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ status: 503 }) });
  assert.equal(arm.status, 204);
  const before = (await sent()).length;
  assert.equal(await pane().locator('[data-testid=send-protected]').textContent(), 'Sign & Send');
  await pane().locator('[data-testid=send-protected]').click();
  const error = pane().locator('[data-testid=send-error]');
  await error.waitFor({ timeout: 30_000 });
  assert.match((await error.getAttribute('data-code')) ?? '', /^send-(failed|throttled)$/);
  assert.match((await error.textContent()) ?? '', /Nothing was sent unprotected/);
  assert.ok(await page.locator('#compose').isVisible(), 'the message stays open to try again');
  assert.equal((await sent()).length, before);
});

test('WebCrypto failing in the event runtime changes nothing: the send guard never signs, it blocks with "Open Signet", nothing plain leaves', async () => {
  const page = wb.page;
  await compose({ to: 'dana@example.org', subject: 'Handler throws', body: 'Must not leave plain' });
  await openPane();
  await signOnByDefault();
  const runtime = await runtimeFrame();
  await runtime.evaluate(() => {
    const subtle = globalThis.crypto.subtle as unknown as Record<string, unknown>;
    subtle['sign'] = () => {
      throw new Error('injected WebCrypto failure');
    };
  });
  const before = (await sent()).length;
  await page.click('#compose-send');
  const alert = await smartAlert();
  assert.equal(alert.reason, 'blocked');
  assert.match(alert.message, /^Not sent yet: this message must be signed/);
  assert.equal((await sent()).length, before, 'nothing delivered');
  assert.equal((await page.evaluate(() => (globalThis as Hooked).signetWorkbenchTest.lastSend()))?.plainSent, false);
});

test('issue 7: a policy with encryption.required "always" locks Encrypt on in the pane and makes the guard block a plain send; nothing is delivered', async () => {
  writeFileSync(
    join(dist, 'signet-policy.json'),
    JSON.stringify({ policyVersion: 1, revision: 'e2e always encrypt', encryption: { required: 'always' }, sendGuard: { mode: 'Block' } }),
  );
  await load();
  const page = wb.page;
  // No toggle touched: the sender wants a plain message; the policy does not.
  await compose({ to: 'Erin Example <erin@example.net>', subject: 'Plain attempt', body: 'This must not leave in clear' });
  await page.waitForFunction(() => /"encrypt":true/.test((globalThis as Hooked).signetWorkbenchTest.compose().sessionData['signet-protection'] ?? ''), undefined, { timeout: 20_000 });
  await openPane();
  const encrypt = pane().locator('[data-testid=toggle-encrypt]');
  await pane().locator('[data-testid=encrypt-locked-reason]').waitFor({ timeout: 20_000 });
  assert.equal(await encrypt.getAttribute('data-locked'), 'yes');
  assert.equal(await encrypt.isChecked(), true);
  assert.equal(await encrypt.isDisabled(), true);
  assert.match((await pane().locator('[data-testid=encrypt-locked-reason]').textContent()) ?? '', /requires every message to be encrypted/);

  const before = (await sent()).length;
  await page.click('#compose-send');
  const alert = await smartAlert();
  assert.equal(alert.reason, 'blocked');
  assert.match(alert.message, /your organisation requires encryption/);
  assert.equal((await sent()).length, before, 'no plain send');
  assert.equal((await page.evaluate(() => (globalThis as Hooked).signetWorkbenchTest.lastSend()))?.plainSent, false);
});

test('issue 7: docs/policies/always-sign.json turns on "always sign": the pane shows Sign locked on with the reason, and Outlook Send goes out signed', async () => {
  writeFileSync(join(dist, 'signet-policy.json'), readFileSync(join(PACKAGE_ROOT, 'docs', 'policies', 'always-sign.json')));
  await load();
  const page = wb.page;
  await compose({ to: 'dana@example.org', subject: 'Always signed', body: 'Signed by policy' });
  await openPane();
  const sign = pane().locator('[data-testid=toggle-sign]');
  await pane().locator('[data-testid=sign-locked-reason]').waitFor({ timeout: 20_000 });
  assert.equal(await sign.getAttribute('data-locked'), 'yes');
  assert.equal(await sign.isChecked(), true);
  assert.equal(await sign.isDisabled(), true);
  assert.match((await pane().locator('[data-testid=sign-locked-reason]').textContent()) ?? '', /requires every message to be signed/);
  assert.equal(await pane().locator('[data-testid=send-protected]').textContent(), 'Sign & Send');
  assert.match(await stored(), /"sign":true/, 'OnNewMessageCompose stored the default on the item');

  // Outlook's own Send: the guard blocks it ("Open Signet"); the pane signs and sends; no plain copy.
  const before = (await sent()).length;
  await page.click('#compose-send');
  const alert = await smartAlert();
  assert.match(alert.message, /must be signed \(your organisation requires signing\)/);
  assert.equal((await sent()).length, before);
  await page.click('#smart-alert-buttons button[data-button="take-action"]');
  await pane().locator('[data-testid=send-protected]').click();
  await page.locator('#compose').waitFor({ state: 'hidden', timeout: 60_000 });
  const added = (await sent()).slice(before);
  assert.deepEqual(added.map((s) => s.kind), ['graph']);
  assert.equal(parseMime(new Uint8Array(Buffer.from(added[0]!.mime, 'base64'))).type, 'multipart/signed');
});
