// RFC 9788 header protection end to end (issue 19), in Debian's Chromium against the workbench: the compose
// pane's "Hide the subject in transit" switch → Encrypt & Send → the delivered bytes carry Subject "[...]"
// and no trace of the real one, OpenSSL decrypts the real Subject inside (hp="cipher") → the Sent Items copy
// in the read pane shows the real Subject and says it was hidden in transit. Screenshots of that pane at
// 320 px in light and dark go to artifacts/e2e/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { signet } from '../helpers/cli.js';
import { PACKAGE_ROOT, buildForBrowser, openWorkbench, requireChromium, selectSample, writeNewMessage, type Workbench } from '../helpers/workbench.js';

interface Hook {
  signetWorkbenchTest: { compose(): { sessionData: Record<string, string> }; refresh(): void };
}

let wb: Workbench;
let dist: string;
let scratch: string;
const ARTIFACTS = join(PACKAGE_ROOT, 'artifacts', 'e2e');
const PKI = join(PACKAGE_ROOT, '.workbench', 'pki');
const SUBJECT = 'Board minutes: the Jones contract';

before(async () => {
  requireChromium();
  dist = buildForBrowser();
  wb = await openWorkbench(dist);
  scratch = mkdtempSync(join(tmpdir(), 'signet-hp-e2e-'));
  mkdirSync(ARTIFACTS, { recursive: true });
  await wb.page.goto(`${wb.server.url}?sendTimeoutMs=60000`);
  await wb.page.locator('#message-list button').first().waitFor();
});

after(async () => {
  await wb?.close();
  if (dist) rmSync(dist, { recursive: true, force: true });
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const pane = () => wb.page.frameLocator('#compose-taskpane');
const readPane = () => wb.page.frameLocator('#taskpane');

async function sent(): Promise<{ kind: string; mime: string; sentItemsId: string }[]> {
  const r = await fetch(`${wb.server.url}workbench/api/sent`);
  return ((await r.json()) as { sent: { kind: string; mime: string; sentItemsId: string }[] }).sent;
}

/** The read pane at 320 px, as tall as its content, written to artifacts/e2e/<name>.png. */
async function shoot(name: string): Promise<void> {
  const page = wb.page;
  await page.evaluate(() => {
    const f = document.querySelector<HTMLIFrameElement>('#taskpane')!;
    f.style.width = '320px';
    f.style.height = '1400px';
  });
  await page.setViewportSize({ width: 1400, height: 1800 });
  await page.waitForTimeout(200);
  await page.locator('#taskpane').screenshot({ path: join(ARTIFACTS, `${name}.png`) });
  await page.setViewportSize({ width: 1400, height: 1000 });
  await page.evaluate(() => {
    const f = document.querySelector<HTMLIFrameElement>('#taskpane')!;
    f.style.width = '';
    f.style.height = '';
  });
}

test('encrypted with the subject hidden: "[...]" on the wire, the real Subject in the read pane, said to be hidden in transit', async () => {
  const page = wb.page;
  // Alice's certificate is learnt by opening her signed message.
  await selectSample(page, 'valid-signed', 'Quarterly report (signed)');
  await readPane().locator('[data-testid=learning-done]').waitFor({ state: 'attached', timeout: 20_000 });

  await writeNewMessage(page, { to: 'Alice Example <alice@example.org>', subject: SUBJECT, body: 'Minutes attached in the text: we accept the offer.' });
  await page.click('#compose-pane-button');
  await pane().locator('[data-testid=compose-view]').waitFor({ timeout: 20_000 });

  // Sign is on by default (the sender has a key here); the sender turns encryption on.
  await pane().locator('[data-testid=toggle-sign]:checked').waitFor({ timeout: 20_000 });
  await pane().locator('[data-testid=toggle-encrypt]').click();
  // The switch appears with encryption; off by default (the organisation did not opt in).
  const hide = pane().locator('[data-testid=toggle-hide-subject]');
  await hide.waitFor({ timeout: 10_000 });
  assert.equal(await hide.isChecked(), false);
  await hide.click();
  await page.waitForFunction(() => (globalThis as unknown as Hook).signetWorkbenchTest.compose().sessionData['signet-hide-subject'] === 'on', undefined, { timeout: 10_000 });
  assert.match((await pane().locator('[data-testid=hide-subject-note]').textContent()) ?? '', /\[\.\.\.\]/);
  await page.waitForTimeout(300); // the switch's own transition
  await page.locator('#compose-taskpane').screenshot({ path: join(ARTIFACTS, 'compose-hide-subject.png') });

  const before = (await sent()).length;
  await pane().locator('[data-testid=send-protected]').click();
  await page.locator('#compose').waitFor({ state: 'hidden', timeout: 60_000 });
  const added = (await sent()).slice(before);
  assert.deepEqual(added.map((s) => s.kind), ['graph']);
  const wire = Buffer.from(added[0]!.mime, 'base64');
  const text = wire.toString('latin1');
  assert.match(text, /^Subject: \[\.\.\.\]\r$/m, 'the Subject on the wire is "[...]"');
  assert.ok(!text.includes('Jones'), 'the real Subject is nowhere on the wire');

  // OpenSSL decrypts the delivered bytes: the real Subject is inside, in the payload marked hp="cipher".
  const key = join(scratch, 'alice.key');
  writeFileSync(key, readFileSync(join(PKI, 'alice.key')));
  const d = spawnSync('openssl', ['cms', '-decrypt', '-recip', join(PKI, 'alice.pem'), '-inkey', key], { input: wire });
  assert.equal(d.status, 0, d.stderr.toString());
  const v = spawnSync('openssl', ['cms', '-verify', '-noverify'], { input: d.stdout });
  assert.equal(v.status, 0, v.stderr.toString());
  const inner = v.stdout.toString();
  assert.match(inner, /hp="cipher"/);
  assert.match(inner, new RegExp(`^Subject: ${SUBJECT}\\r?$`, 'm'));
  assert.match(inner, /^HP-Outer: Subject: \[\.\.\.\]\r?$/m);

  // The Sent Items copy in the read pane: valid, the real Subject shown, hidden in transit.
  await page.evaluate(() => (globalThis as unknown as Hook).signetWorkbenchTest.refresh());
  await page.click('button.folder[data-folder="sentitems"]');
  await page.click(`button[data-id="${added[0]!.sentItemsId}"]`);
  await readPane().locator('[data-testid=protected-subject]').waitFor({ timeout: 20_000 });
  assert.equal(await readPane().locator('[data-testid=badge]').getAttribute('data-state'), 'valid');
  assert.equal(await readPane().locator('[data-testid=protected-subject]').textContent(), SUBJECT);
  assert.match((await readPane().locator('[data-testid=subject-hidden]').textContent()) ?? '', /hidden in transit: mail servers saw only “\[\.\.\.\]”/);
  assert.equal(await readPane().locator('[data-testid=header-changed]').count(), 0);
  await shoot('read-hidden-subject');

  // Dark theme, same message.
  await Promise.all([page.waitForEvent('load'), page.click('#dark-toggle')]);
  try {
    await page.locator('#message-list button').first().waitFor();
    await page.click('button.folder[data-folder="sentitems"]');
    await page.click(`button[data-id="${added[0]!.sentItemsId}"]`);
    await readPane().locator('[data-testid=protected-subject]').waitFor({ timeout: 20_000 });
    await shoot('read-hidden-subject-dark');
  } finally {
    await Promise.all([page.waitForEvent('load'), page.click('#dark-toggle')]);
  }
});

test('a signed message whose Subject was changed in transit: the read pane flags it and shows the signed Subject', async () => {
  const page = wb.page;
  const identity = join(scratch, 'alice-identity.pem');
  writeFileSync(identity, Buffer.concat([readFileSync(join(PKI, 'alice.key')), readFileSync(join(PKI, 'alice.pem')), readFileSync(join(PKI, 'inter.pem'))]));
  const original =
    `From: Alice Example <alice@example.org>\r\nTo: Dana Reader <dana@example.org>\r\nSubject: Invoice 1001: please pay by Friday\r\n` +
    `Date: ${new Date().toUTCString()}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPlease pay invoice 1001 to account 12345.\r\n`;
  const s = signet(['sign', '--identity', identity, '--protect-headers'], original);
  assert.equal(s.status, 0, s.stderr);
  const changed = s.stdout.toString('latin1').replace('Subject: Invoice 1001: please pay by Friday', 'Subject: Invoice 1001: NEW bank account, pay today');
  await page.goto(`${wb.server.url}?sendTimeoutMs=60000`);
  await page.locator('#message-list button').first().waitFor();
  await selectSample(page, 'valid-signed', 'Quarterly report (signed)');
  await readPane().locator('[data-testid=file-input]').setInputFiles({ name: 'changed-subject.eml', mimeType: 'message/rfc822', buffer: Buffer.from(changed, 'latin1') });
  const change = readPane().locator('[data-testid=header-change][data-field=subject]');
  await change.waitFor({ timeout: 20_000 });
  assert.equal(
    await change.textContent(),
    'Subject was changed in transit to \u201cInvoice 1001: NEW bank account, pay today\u201d; the sender wrote \u201cInvoice 1001: please pay by Friday\u201d.',
  );
  assert.equal(await readPane().locator('[data-testid=protected-subject]').textContent(), 'Invoice 1001: please pay by Friday');
  assert.equal(await readPane().locator('[data-testid=protected-headers]').getAttribute('data-warning'), 'yes');
  // The badge is not plainly good: what Outlook shows above the message is not what was signed.
  assert.equal(await readPane().locator('[data-testid=badge]').getAttribute('data-severity'), 'caution');
  assert.equal(await readPane().locator('[data-testid=badge-title]').textContent(), 'Signed, but the Subject was changed');
  await shoot('read-subject-changed');
});
