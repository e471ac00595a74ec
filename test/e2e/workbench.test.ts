// Browser end-to-end tests (issue #4): the production build of the task pane, hosted by the workbench with
// its simulated Office.js, in Debian's Chromium. Every sample shows the expected badge and signer; the hostile
// HTML sample makes no network request and runs no script; the chain opens from the keyboard; the initial-JS
// budget holds. Screenshots of the pane per state go to artifacts/e2e/ (git-ignored). No test is skipped:
// without Chromium the suite fails and says how to install it.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MailboxIndex } from '../../workbench/mailbox.js';
import { ATTACKER_HOST, workbenchPaths } from '../../workbench/samples.js';
import { CONTENT_SANDBOX } from '../../src/taskpane/sandbox.js';
import { PACKAGE_ROOT, buildForBrowser, openWorkbench, requireChromium, selectSample, type Workbench } from '../helpers/workbench.js';

/**
 * The badge state each sample must show, and the address the pane may attach to it: as the verified signer
 * (`signer`, only for valid signatures), as the real signer who is not the sender (`notSender`), or as an
 * unverified claim (`claim`), never more (ARCHITECTURE.md rule 10). `outdated-sha1` is 'outdated-algorithm': the signer
 * is shown as verified (path validated), with the caution badge (test/e2e/states.test.ts).
 */
const EXPECTED: Record<string, { state: string | string[]; signer?: string; notSender?: string; claim?: string; verifiedWhen?: string }> = {
  plain: { state: 'unsigned' },
  // Intact SHA-1 on a validated path: the verified signer, under a caution badge.
  'outdated-sha1': { state: ['outdated-algorithm'], claim: 'alice@example.org', verifiedWhen: 'outdated-algorithm' },
  'valid-signed': { state: 'valid', signer: 'alice@example.org' },
  'opaque-signed': { state: 'valid', signer: 'alice@example.org' },
  tampered: { state: 'invalid', claim: 'alice@example.org' },
  untrusted: { state: 'untrusted', claim: 'alice@example.org' },
  expired: { state: 'expired', claim: 'oscar@example.org' },
  'sender-mismatch': { state: 'sender-mismatch', notSender: 'bob@example.org' },
  encrypted: { state: 'unsigned' },
  'signed-encrypted': { state: 'valid', signer: 'alice@example.org' },
  'encrypted-other': { state: 'decryption-failed' },
  reserialized: { state: 'unverifiable' },
  'reserialized-forged': { state: 'invalid', claim: 'alice@example.org' },
  'list-wrapped': { state: 'unsigned' },
  'encrypted-cbc': { state: 'unsigned' },
  malformed: { state: 'malformed' },
  'attack-econtent': { state: 'invalid' },
  'attack-wrapping': { state: 'unsigned' },
  'attack-html': { state: 'valid', signer: 'alice@example.org' },
  'large-signed': { state: 'valid', signer: 'alice@example.org' },
};

const ARTIFACTS = join(PACKAGE_ROOT, 'artifacts', 'e2e');

let wb: Workbench;
let dist: string;
let index: MailboxIndex;
const requests: string[] = [];
const blocked: string[] = [];

before(async () => {
  requireChromium();
  dist = buildForBrowser();
  wb = await openWorkbench(dist);
  index = JSON.parse(readFileSync(workbenchPaths(PACKAGE_ROOT).index, 'utf8')) as MailboxIndex;
  mkdirSync(ARTIFACTS, { recursive: true });
  wb.context.on('request', (r) => requests.push(r.url()));
  // Anything not for the workbench server is refused and recorded: a leak fails the test, not the network.
  await wb.context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(wb.server.url) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    blocked.push(url);
    return route.abort();
  });
  // A script that ran inside message content could only get out by messaging its parents.
  await wb.context.addInitScript(() => {
    addEventListener('message', (e) => {
      if (e.data === 'signet-pwned') (globalThis as { signetPwned?: boolean }).signetPwned = true;
    });
  });
  await wb.page.goto(wb.server.url);
  await wb.page.locator('#message-list button').first().waitFor();
});

after(async () => {
  await wb?.close();
  if (dist) rmSync(dist, { recursive: true, force: true });
});

const pane = () => wb.page.frameLocator('#taskpane');

test('every sample in the mailbox has an expectation, and every expectation a sample', () => {
  assert.deepEqual(index.messages.map((m) => m.id).sort(), Object.keys(EXPECTED).sort());
});

test('each sample shows its badge state, sentence and signer', async () => {
  for (const m of index.messages) {
    let want = EXPECTED[m.id]!;
    await selectSample(wb.page, m.id, m.subject);
    const badge = pane().locator('[data-testid=badge]');
    const states = typeof want.state === 'string' ? [want.state] : want.state;
    const state = (await badge.getAttribute('data-state')) ?? '';
    assert.ok(states.includes(state), `${m.id}: badge state`);
    if (want.verifiedWhen === state) want = { state, signer: want.claim! };
    const sentence = (await pane().locator('[data-testid=badge] [data-testid=badge-sentence]').textContent()) ?? '';
    assert.ok(sentence.length > 20, `${m.id}: a sentence is shown`);
    const signer = pane().locator('[data-testid=signer-email]');
    const claim = pane().locator('[data-testid=signer-claim]');
    if (want.signer) {
      assert.equal(await signer.getAttribute('data-identity'), 'verified', `${m.id}: verified signer`);
      assert.match((await signer.textContent()) ?? '', new RegExp(want.signer.replace('.', '\\.')), `${m.id}: signer`);
      assert.ok(sentence.includes(want.signer), `${m.id}: the sentence names the signer's real address`);
    } else if (want.notSender) {
      assert.equal(await signer.getAttribute('data-identity'), 'not-sender', `${m.id}: the real signer, as not the sender`);
      assert.match((await signer.textContent()) ?? '', new RegExp(want.notSender.replace('.', '\\.')), `${m.id}: signer`);
      assert.ok(sentence.includes(want.notSender), `${m.id}: the sentence names the signer's real address`);
    } else {
      assert.equal(await signer.count(), 0, `${m.id}: nobody shown as the signer`);
    }
    if (want.claim) assert.match((await claim.textContent()) ?? '', new RegExp(`${want.claim.replace('.', '\\.')} \\(not verified\\)`), `${m.id}: unverified claim`);
    else assert.equal(await claim.count(), 0, `${m.id}: no claim shown`);
    // Outlook's info bar carries the same short verdict (item.notificationMessages).
    await wb.page.locator('#info-bar:not([hidden])').waitFor({ timeout: 5000 });
    assert.match((await wb.page.locator('#info-bar').textContent()) ?? '', /^Signet: /, `${m.id}: info bar`);
    await wb.page.locator('#taskpane').screenshot({ path: join(ARTIFACTS, `${m.id}.png`) });
  }
});

test('the re-serialized copy says "could not be checked in this Outlook", not "tampered"', async () => {
  const m = index.messages.find((x) => x.id === 'reserialized')!;
  await selectSample(wb.page, m.id, m.subject);
  const text = (await pane().locator('[data-testid=badge]').textContent()) ?? '';
  assert.match(text, /could not be checked in this Outlook/i);
  assert.match(text, /\.eml/);
  assert.match(text, /signet verify/);
  assert.doesNotMatch(text, /changed after it was signed|do not trust|alice@example\.org/i);
});

test('encrypted content is shown in a sandboxed iframe, with attachments to download', async () => {
  const m = index.messages.find((x) => x.id === 'signed-encrypted')!;
  await selectSample(wb.page, m.id, m.subject);
  const frame = pane().locator('[data-testid=content-frame]');
  assert.equal(await frame.getAttribute('sandbox'), CONTENT_SANDBOX);
  assert.doesNotMatch(CONTENT_SANDBOX, /allow-scripts|allow-same-origin/);
  const content = pane().frameLocator('[data-testid=content-frame]');
  assert.match((await content.locator('body').textContent()) ?? '', /contract draft/i);
  // The cid: image became a data: URL; nothing else.
  assert.match((await content.locator('img').first().getAttribute('src')) ?? '', /^data:image\/png;base64,/);
  assert.match((await pane().locator('[data-testid=encryption]').textContent()) ?? '', /AES-256-GCM/);
  const attachment = pane().locator('[data-testid=attachment]');
  assert.equal(await attachment.count(), 1);
  // The file is made at the click (save-file.ts), not while the message is shown: no blob until then.
  assert.equal(await attachment.getAttribute('href'), null);
  const [download] = await Promise.all([wb.page.waitForEvent('download'), attachment.click()]);
  assert.equal(download.suggestedFilename(), 'prices.csv');
  const saved = join(ARTIFACTS, 'prices.csv');
  await download.saveAs(saved);
  assert.equal(readFileSync(saved, 'latin1'), 'item,price\r\nlicence,1200\r\nsupport,300');
});

test('hostile HTML: zero network requests beyond the pane, no script, nothing remote left', async () => {
  const m = index.messages.find((x) => x.id === 'attack-html')!;
  const before = requests.length;
  await selectSample(wb.page, m.id, m.subject);
  const content = pane().frameLocator('[data-testid=content-frame]');
  await content.locator('h2').waitFor();
  await wb.page.waitForTimeout(1500); // time for a meta refresh, lazy images, a delayed script
  const during = requests.slice(before);
  assert.deepEqual(blocked, [], `requests that left the workbench: ${blocked.join(', ')}`);
  assert.deepEqual(during.filter((u) => u.includes(ATTACKER_HOST)), []);
  // The only requests while opening the message are the pane's own (the mailbox files), none from content.
  for (const u of during) assert.ok(u.startsWith(wb.server.url), `unexpected request ${u}`);
  assert.equal(await wb.page.evaluate(() => (globalThis as { signetPwned?: boolean }).signetPwned ?? false), false);
  const paneFrame = wb.page.frame({ url: /taskpane\.html/ });
  assert.ok(paneFrame);
  assert.equal(await paneFrame.evaluate(() => (globalThis as { signetPwned?: boolean }).signetPwned ?? false), false);
  assert.equal(await content.locator('script, form, input, button, iframe, object, embed, link, base, video, meta[http-equiv="refresh" i]').count(), 0);
  assert.equal(await content.locator(`[src*="${ATTACKER_HOST}"], [srcset], [background], [poster], [style*="${ATTACKER_HOST}"]`).count(), 0);
  const styles = await content.locator('style').allTextContents();
  assert.ok(styles.every((s) => !s.includes(ATTACKER_HOST)), 'no remote url() or @import left in <style>');
  const csp = await content.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  assert.match(csp ?? '', /default-src 'none'/);
  assert.ok(Number((await pane().locator('[data-testid=blocked]').textContent())?.match(/\d+/)?.[0]) > 5, 'the pane says remote items were blocked');
});

test('the certificate chain opens from the keyboard and shows the fingerprint with a copy button', async () => {
  const m = index.messages.find((x) => x.id === 'valid-signed')!;
  await selectSample(wb.page, m.id, m.subject);
  await pane().locator('[data-testid=technical] > summary').click();
  const header = pane().locator('[data-testid=chain] button').first();
  await header.focus();
  await wb.page.keyboard.press('Enter');
  const cert = pane().locator('[data-testid=certificate]').first();
  await cert.waitFor();
  const text = (await cert.textContent()) ?? '';
  assert.match(text, /SHA-256/);
  assert.match(text, /([0-9A-F]{2}:){31}[0-9A-F]{2}/);
  assert.match(text, /emailProtection|E-mail protection|email/i);
  assert.ok((await cert.getByRole('button', { name: /copy sha-256/i }).count()) === 1);
  await wb.page.locator('#taskpane').screenshot({ path: join(ARTIFACTS, 'valid-signed-chain.png') });
});

test('dark theme follows Outlook (Office.context.officeTheme)', async () => {
  // The toggle stores the choice and reloads the page, as a theme change reloads an Outlook add-in.
  await Promise.all([wb.page.waitForEvent('load'), wb.page.click('#dark-toggle')]);
  await wb.page.locator('#message-list button').first().waitFor();
  const m = index.messages.find((x) => x.id === 'signed-encrypted')!;
  await selectSample(wb.page, m.id, m.subject);
  assert.equal(await pane().locator('[data-theme]').first().getAttribute('data-theme'), 'dark');
  await wb.page.locator('#taskpane').screenshot({ path: join(ARTIFACTS, 'signed-encrypted-dark.png') });
  await Promise.all([wb.page.waitForEvent('load'), wb.page.click('#dark-toggle')]);
});

test('an invalid organisation policy: safe defaults in force, and a visible error for the administrator', async () => {
  const file = join(dist, 'signet-policy.json');
  const good = readFileSync(file, 'utf8');
  // A typo in the revocation mode, and an anchor that is not PEM: both reported by path, neither weakens anything.
  writeFileSync(file, JSON.stringify({ policyVersion: 1, revocation: { mode: 'lenient' }, trust: { anchors: ['not a certificate'], includeBuiltinRoots: true } }));
  try {
    await wb.page.reload();
    await wb.page.locator('#message-list button').first().waitFor();
    const m = index.messages.find((x) => x.id === 'valid-signed')!;
    await selectSample(wb.page, m.id, m.subject);
    const banner = pane().locator('[data-testid=policy-error]');
    await banner.waitFor({ timeout: 10_000 });
    const text = (await banner.textContent()) ?? '';
    assert.match(text, /For your administrator/);
    assert.match(text, /\$\.(revocation\.mode|trust\.anchors\[0\])/);
    assert.match(text, /safe defaults|has errors/);
    // Verification still runs with the defaults (the demo CA is a root the simulated user trusts).
    assert.equal(await pane().locator('[data-testid=badge]').getAttribute('data-state'), 'valid');
    await wb.page.locator('#taskpane').screenshot({ path: join(ARTIFACTS, 'policy-error.png') });
  } finally {
    writeFileSync(file, good);
    await wb.page.reload();
    await wb.page.locator('#message-list button').first().waitFor();
  }
  const m = index.messages.find((x) => x.id === 'valid-signed')!;
  await selectSample(wb.page, m.id, m.subject);
  assert.equal(await pane().locator('[data-testid=policy-error]').count(), 0, 'a valid policy shows no admin error');
});

test('the read pane initial JavaScript is within its gzipped budget (scripts/check-budget.js INITIAL_JS_BUDGET_BYTES)', () => {
  const r = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'scripts', 'check-budget.js'), dist], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  console.log(r.stdout.trim());
});
