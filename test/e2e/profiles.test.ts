// Every journey in every Outlook client profile (workbench/profiles.ts), in Debian's Chromium against the
// production build: read a signed and an encrypted message, compose and press Sign & Send in the pane, and
// press Outlook's Send with Sign on. In each profile the test asserts what the user sees — it works, or a
// clear explanation — and that nothing that was to be protected ever left plain. What it saw becomes the
// support matrix (workbench/support-matrix.ts): docs/support-matrix.json, and the tables between the
// markers in README.md and docs/ADMIN.md (rewritten here; test/unit/workbench/support-matrix.test.ts
// checks them without a browser). One browser for all profiles; each profile is one page load.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import type { SentRecord } from '../../workbench/mail-store.js';
import type { WorkbenchTestHook } from '../../workbench/host.js';
import { PROFILES, type ClientProfile, type ProfileId } from '../../workbench/profiles.js';
import { predictedStatus, renderMatrix, spliceMatrix, type Cell, type RecordedResults, type Row } from '../../workbench/support-matrix.js';
import { PACKAGE_ROOT, buildForBrowser, openWorkbench, requireChromium, type Workbench } from '../helpers/workbench.js';

let wb: Workbench;
let dist: string;
const rows: Partial<Record<ProfileId, Row>> = {};

type Hooked = typeof globalThis & { signetWorkbenchTest: WorkbenchTestHook };

before(async () => {
  requireChromium();
  dist = buildForBrowser();
  wb = await openWorkbench(dist);
});

after(async () => {
  await wb?.close();
  if (dist) rmSync(dist, { recursive: true, force: true });
  // Only a complete run rewrites the record and the tables.
  if (PROFILES.every((p) => rows[p.id])) {
    const results: RecordedResults = { source: 'test/e2e/profiles.test.ts', recordedAt: new Date().toISOString(), rows };
    writeFileSync(join(PACKAGE_ROOT, 'docs', 'support-matrix.json'), `${JSON.stringify(results, null, 1)}\n`);
    const table = renderMatrix(results);
    for (const doc of [join(PACKAGE_ROOT, 'README.md'), join(PACKAGE_ROOT, 'docs', 'ADMIN.md')]) writeFileSync(doc, spliceMatrix(readFileSync(doc, 'utf8'), table));
  }
});

async function sent(): Promise<SentRecord[]> {
  const r = await fetch(`${wb.server.url}workbench/api/sent`);
  return ((await r.json()) as { sent: SentRecord[] }).sent;
}

const short = (s: string): string => s.replace(/\s+/g, ' ').trim().slice(0, 140);

/** Waits until one of the locators is visible (they may live in different frames); returns its index. */
async function firstVisible(locators: Locator[], timeout: number): Promise<number> {
  const waits = locators.map((l, i) => l.waitFor({ state: 'visible', timeout }).then(() => i));
  for (const w of waits) w.catch(() => undefined);
  return Promise.any(waits);
}

/** The read journey: a clear-signed message, then an encrypted one (the "Restricted item" prompt where the client shows it). */
async function readJourney(p: ClientProfile): Promise<Cell> {
  const page = wb.page;
  await page.goto(`${wb.server.url}?profile=${p.id}&select=valid-signed`);
  await page.locator('#message-list button').first().waitFor();
  assert.equal(await page.locator('html').getAttribute('data-profile'), p.id);
  const pane = page.frameLocator('#taskpane');
  const badge = pane.locator('[data-testid=badge][data-subject="Quarterly report (signed)"]');
  const error = pane.locator('[data-testid=error]');
  if ((await firstVisible([badge, error], 30_000)) === 1) {
    const text = short((await error.textContent()) ?? '');
    assert.ok(text.length > 20, `${p.id}: the read pane explains itself (${text})`);
    const first = text.split(/\s[(]/)[0]!.replace(/[.]$/, '');
    return { status: 'no', note: `Mailbox 1.8 needed; the pane says "${first}" and why` };
  }
  assert.equal(await badge.getAttribute('data-state'), 'valid', p.id);
  await page.click('button[data-id="encrypted"]');
  const restricted = page.locator('#restricted-item:not([hidden])');
  const encryptedBadge = pane.locator('[data-testid=badge][data-subject="Salary review (encrypted)"]');
  if ((await firstVisible([restricted, encryptedBadge], 30_000)) === 0) {
    assert.ok(p.restrictedItemPrompt, `${p.id}: no prompt expected`);
    await page.click('#restricted-item-ok');
    await encryptedBadge.waitFor({ timeout: 30_000 });
    return { status: 'limited', note: 'a "Restricted item" prompt first on encrypted mail, office-js #6569' };
  }
  assert.ok(!p.restrictedItemPrompt, `${p.id}: the Restricted item prompt was expected`);
  return { status: 'yes', note: '' };
}

async function newMessage(subject: string): Promise<void> {
  const page = wb.page;
  await page.click('#new-message');
  await page.locator('#compose:not([hidden])').waitFor();
  await page.fill('#compose-to', 'Dana Reader <dana@example.org>');
  await page.locator('#compose-to').press('Tab');
  await page.fill('#compose-subject', subject);
  await page.locator('#compose-body').click();
  await page.keyboard.type('Hello from a profile run');
}

/** Compose, open the pane from the ribbon, check that Sign is on by default there and press Sign & Send. */
async function sendJourney(p: ClientProfile): Promise<Cell> {
  const page = wb.page;
  await newMessage(`Sign & Send in ${p.id}`);
  await page.click('#compose-pane-button');
  const pane = page.frameLocator('#compose-taskpane');
  const unsupported = pane.locator('[data-testid=compose-unsupported]');
  const button = pane.locator('[data-testid=send-protected]');
  const before = (await sent()).length;
  if ((await firstVisible([unsupported, button], 30_000)) === 0) {
    const text = short((await unsupported.textContent()) ?? '');
    assert.match(text, /cannot sign or encrypt/, p.id);
    await page.click('#compose-discard');
    assert.equal((await sent()).length, before);
    return { status: 'no', note: `Mailbox 1.11 needed; the pane says so` };
  }
  // Sign is on by default (the demo identity signs); the pane applies its defaults once it has read the item.
  await pane.locator('[data-testid=toggle-sign]:checked').waitFor({ timeout: 20_000 });
  await page.waitForFunction(() => /"sign":true/.test((globalThis as Hooked).signetWorkbenchTest.compose().sessionData['signet-protection'] ?? ''), undefined, { timeout: 20_000 });
  await button.click();
  const error = pane.locator('[data-testid=send-error]');
  const form = page.locator('#compose');
  const outcome = await firstVisible([error, page.locator('#message-view')], 60_000).catch(() => -1);
  const added = (await sent()).slice(before);
  assert.ok(added.every((s) => s.kind !== 'outlook'), `${p.id}: no plain copy`);
  if (outcome === 0) {
    const text = short((await error.textContent()) ?? '');
    assert.equal(added.length, 0);
    await page.click('#compose-discard');
    return { status: 'no', note: `the pane says: "${text}"` };
  }
  assert.equal(await form.isHidden(), true, `${p.id}: the form closed after the protected send`);
  assert.deepEqual(added.map((s) => s.kind), [p.exchange === 'on-premises' ? 'ews' : 'graph'], p.id);
  return { status: 'yes', note: p.exchange === 'on-premises' ? 'through EWS' : 'through Graph with NAA' };
}

/** Compose with Sign on (ribbon), press Outlook's Send: blocked with a way to the pane, or no guard here at all. */
async function guardJourney(p: ClientProfile): Promise<Cell> {
  const page = wb.page;
  await newMessage(`Outlook Send in ${p.id}`);
  const before = (await sent()).length;
  const hasSessionData = await page.evaluate(() => (globalThis as Hooked).signetWorkbenchTest.profile.mailbox);
  const canMark = Number(hasSessionData.split('.')[1]) >= 11;
  if (canMark) {
    await page.click('#compose-sign');
    await page.waitForFunction(() => /"sign":true/.test((globalThis as Hooked).signetWorkbenchTest.compose().sessionData['signet-protection'] ?? ''), undefined, { timeout: 20_000 });
  }
  await page.click('#compose-send');
  const alert = page.locator('#smart-alert:not([hidden])');
  await firstVisible([alert, page.locator('#message-view')], 60_000);
  const record = await page.evaluate(() => (globalThis as Hooked).signetWorkbenchTest.lastSend());
  if (await alert.isVisible()) {
    const message = (await page.locator('#smart-alert-message').textContent()) ?? '';
    const buttons = await page.locator('#smart-alert-buttons button').allTextContents();
    assert.match(message, /^Not sent yet: this message must be signed/, p.id);
    assert.equal(record?.plainSent, false);
    assert.equal((await sent()).length, before, `${p.id}: nothing left`);
    await page.click('#smart-alert-buttons button[data-button="dont-send"]');
    await page.click('#compose-discard');
    if (buttons.includes('Open Signet')) return { status: 'yes', note: 'blocks with "Open Signet"' };
    return { status: 'limited', note: 'blocks; no Open Signet button, the message says where Signet is' };
  }
  // The form closed: Outlook sent it without asking Signet. Only acceptable where nothing was asked.
  assert.equal(canMark, false, `${p.id}: a message marked to be signed left plain`);
  assert.equal(record?.outcome, 'no-smart-alerts', p.id);
  return { status: 'no', note: `Mailbox ${p.mailbox} has no Smart Alerts (1.12): policy not enforced at Send` };
}

for (const p of PROFILES) {
  test(`${p.name}: read, Sign & Send and Outlook's Send either work or say why; nothing to be protected leaves plain`, async () => {
    const read = await readJourney(p);
    const send = await sendJourney(p);
    const guard = await guardJourney(p);
    const shared: Cell =
      send.status === 'yes' && guard.status !== 'no'
        ? { status: 'yes', note: 'with Send As or Send on Behalf: Graph sendMail with that From (Mail.Send.Shared) or EWS' }
        : send.status === 'yes'
          ? { status: 'limited', note: 'Sign & Send only; no guard' }
          : { status: 'no', note: 'no Sign & Send' };
    const row: Row = { read, send, guard, shared };
    const predicted = predictedStatus(p);
    assert.deepEqual({ read: read.status, send: send.status, guard: guard.status, shared: shared.status }, predicted, `${p.id}: what the user saw differs from what the profile data predicts`);
    rows[p.id] = row;
  });
}
