// Revocation where people read mail (issue 15), in Debian's Chromium against the workbench with the
// organisation host's revocation relay on the pane's origin (/relay) and a real `openssl ocsp` responder
// on 127.0.0.1 (the relay in test mode, the only way it reaches loopback). A message signed by a revoked
// certificate shows as revoked with its evidence (date, reason, responder, time); with the responder down,
// soft mode says revocation unknown and hard mode makes the signer untrusted; without a relay in the
// policy, the pane says plainly that revocation was not checked. Pictures at 320 px, light and dark, go to
// artifacts/e2e/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { webcrypto } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { cryptoProvider } from '../../src/core/crypto.js';
import { protectMessage } from '../../src/core/smime/protect.js';
import { loadIdentities } from '../../src/keys/identity-file.js';
import { registerRelay, type RelayStats } from '../../src/host/relay/relay.js';
import { stapleFor } from '../../src/cli/staple.js';
import { testPki } from '../helpers/pki.js';
import { freePort, issueResponder, issueUser, revoke, startOcspResponder, type RevocationUser } from '../helpers/revocation.js';
import { buildForBrowser, openWorkbench, PACKAGE_ROOT, requireChromium, type Workbench } from '../helpers/workbench.js';

const provider = cryptoProvider(webcrypto as unknown as Crypto);
const ARTIFACTS = join(PACKAGE_ROOT, 'artifacts', 'e2e');

let wb: Workbench;
let dist: string;
let relay: FastifyInstance;
let stats: RelayStats;
let responder: ChildProcess;
const u = {} as Record<'good' | 'revoked' | 'down' | 'stapled', RevocationUser>;
let stapledMessage: Uint8Array;
const pane = () => wb.page.frameLocator('#taskpane');

function pem(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

async function setPolicy(revocation: Record<string, unknown>, anchors: Uint8Array[] = [testPki().rootDer]): Promise<void> {
  writeFileSync(join(dist, 'signet-policy.json'), JSON.stringify({ policyVersion: 1, revocation, trust: { anchors: anchors.map(pem), includeBuiltinRoots: false } }));
  await wb.page.goto(wb.server.url);
  await wb.page.locator('#message-list button').first().waitFor();
}

async function signed(user: RevocationUser, subject: string): Promise<Uint8Array> {
  const [identity] = await loadIdentities(new Uint8Array(readFileSync(user.identityPemPath)), undefined, provider);
  const msg = `From: ${user.email}\r\nTo: dana@example.org\r\nSubject: ${subject}\r\nDate: ${new Date().toUTCString()}\r\nContent-Type: text/plain\r\n\r\nHello.\r\n`;
  return protectMessage(new TextEncoder().encode(msg), { sign: { identity: identity! }, provider });
}

/** Opens a message as a chosen .eml; returns the badge's state and the revocation line (or null). */
async function openSigned(user: RevocationUser, name: string): Promise<{ state: string | null; title: string; revocation: string | null; details: string }> {
  await pane().locator('[data-testid=file-input]').setInputFiles({ name, mimeType: 'message/rfc822', buffer: Buffer.from(await signed(user, name)) });
  const badge = pane().locator(`[data-testid=badge][data-subject="${name}"]`);
  await badge.waitFor({ timeout: 30_000 });
  const line = pane().locator('[data-testid=revocation]');
  return {
    state: await badge.getAttribute('data-state'),
    title: (await badge.textContent()) ?? '',
    revocation: (await line.count()) > 0 ? ((await line.textContent()) ?? '') : null,
    details: (await pane().locator('[data-testid=technical]').textContent()) ?? '',
  };
}

async function shoot(name: string): Promise<void> {
  await wb.page.evaluate(() => {
    const aside = document.querySelector<HTMLElement>('.taskpane')!;
    aside.style.width = '320px';
    aside.style.flex = '0 0 320px';
    aside.style.maxWidth = '320px';
  });
  await wb.page.waitForTimeout(150);
  await wb.page.locator('#taskpane').screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

before(async () => {
  requireChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
  const [pOcsp, pDown] = await Promise.all([freePort(), freePort()]);
  u.good = issueUser('e2e-good', { email: 'good.signer@example.org', ocsp: [`http://127.0.0.1:${pOcsp}/`] });
  u.revoked = issueUser('e2e-revoked', { email: 'revoked.signer@example.org', ocsp: [`http://127.0.0.1:${pOcsp}/`] });
  u.down = issueUser('e2e-down', { email: 'down.signer@example.org', ocsp: [`http://127.0.0.1:${pDown}/`] });
  revoke(u.revoked.certPath, 'keyCompromise');
  const delegated = issueResponder('e2e-delegated', 'inter', true);
  responder = await startOcspResponder({ port: pOcsp, rsigner: delegated.certPath, rkey: delegated.keyPath, nmin: 5 });
  // A signer whose responder answers only while the message is signed (and stapled), then goes away.
  const pStaple = await freePort();
  u.stapled = issueUser('e2e-stapled', { email: 'stapled.signer@example.org', ocsp: [`http://127.0.0.1:${pStaple}/`] });
  const stapleResponder = await startOcspResponder({ port: pStaple, rsigner: delegated.certPath, rkey: delegated.keyPath, nmin: 10 });
  const [stapler] = await loadIdentities(new Uint8Array(readFileSync(u.stapled.identityPemPath)), undefined, provider);
  const staple = await stapleFor(stapler!, provider, () => undefined);
  stapleResponder.kill();
  assert.equal(staple.ocspResponses.length, 1);
  stapledMessage = await protectMessage(
    new TextEncoder().encode(`From: ${u.stapled.email}\r\nTo: dana@example.org\r\nSubject: stapled.eml\r\nDate: ${new Date().toUTCString()}\r\nContent-Type: text/plain\r\n\r\nHello.\r\n`),
    { sign: { identity: stapler!, revocationInfo: staple }, provider },
  );

  relay = Fastify({ logger: false });
  stats = await registerRelay(relay, { allowLoopbackForTests: true, extraPortsForTests: [pOcsp, pDown], timeoutMs: 3000 });
  await relay.ready();
  dist = buildForBrowser();
  wb = await openWorkbench(dist, { relay: (req, res) => relay.routing(req, res) });
});

after(async () => {
  await wb?.close();
  await relay?.close();
  responder?.kill();
  if (dist) rmSync(dist, { recursive: true, force: true });
});

test('through the relay: a good signer shows "Not revoked" with the responder; a revoked one shows revoked with date and reason', async () => {
  await setPolicy({ mode: 'soft', relay: '/relay' });
  const good = await openSigned(u.good, 'good-signer.eml');
  assert.equal(good.state, 'valid');
  assert.match(good.revocation ?? '', /^Not revoked — OCSP http:\/\/127\.0\.0\.1:\d+\/, /);

  const revoked = await openSigned(u.revoked, 'revoked-signer.eml');
  assert.equal(revoked.state, 'revoked');
  const today = new Date();
  assert.match(revoked.revocation ?? '', /^Revoked on .+ \(keyCompromise\) — OCSP http:\/\/127\.0\.0\.1:\d+\/, /);
  assert.ok((revoked.revocation ?? '').includes(String(today.getUTCFullYear())), revoked.revocation ?? '');
  assert.ok(stats.upstreamRequests >= 2);
  await shoot('revocation-revoked');
});

test('responder down: soft mode says revocation unknown, hard mode makes the signer untrusted', async () => {
  await setPolicy({ mode: 'soft', relay: '/relay' });
  const soft = await openSigned(u.down, 'responder-down-soft.eml');
  assert.equal(soft.state, 'valid');
  assert.match(soft.revocation ?? '', /^Revocation unknown: the revocation service could not be reached — OCSP http:\/\/127\.0\.0\.1:\d+\//);
  await shoot('revocation-unknown-soft');

  await setPolicy({ mode: 'hard', relay: '/relay' });
  const hard = await openSigned(u.down, 'responder-down-hard.eml');
  assert.equal(hard.state, 'untrusted');
  assert.match(hard.title, /Revocation could not be checked/);
  assert.match(hard.revocation ?? '', /^Revocation unknown/);
  await shoot('revocation-unknown-hard');
});

test('a stapled message verifies with its responder down, in hard mode, without asking the relay', async () => {
  await setPolicy({ mode: 'hard', relay: '/relay' });
  const before = stats.requests;
  await pane().locator('[data-testid=file-input]').setInputFiles({ name: 'stapled.eml', mimeType: 'message/rfc822', buffer: Buffer.from(stapledMessage) });
  const badge = pane().locator('[data-testid=badge][data-subject="stapled.eml"]');
  await badge.waitFor({ timeout: 30_000 });
  assert.equal(await badge.getAttribute('data-state'), 'valid');
  assert.match((await pane().locator('[data-testid=revocation]').textContent()) ?? '', /^Not revoked — OCSP answer stapled in the message, /);
  assert.equal(stats.requests, before);
  await shoot('revocation-stapled');
});

test('compose: a recipient learnt from a signed message is re-checked through the relay, with the result in the readiness list', async () => {
  // The intermediate is an anchor here so the recipient's path builds from what the pane knows.
  await setPolicy({ mode: 'soft', relay: '/relay' }, [testPki().rootDer, testPki().intermediateDer]);
  await openSigned(u.good, 'learn-good.eml');
  await pane().locator('[data-testid=learning-done]').waitFor({ state: 'attached', timeout: 20_000 });
  const page = wb.page;
  await page.click('#new-message');
  await page.locator('#compose:not([hidden])').waitFor();
  await page.fill('#compose-to', `Good Signer <${u.good.email}>`);
  await page.locator('#compose-to').press('Tab');
  await page.fill('#compose-subject', 'Checked before encrypting');
  await page.click('#compose-pane-button');
  const compose = page.frameLocator('#compose-taskpane');
  await compose.locator(`[data-testid=readiness-row][data-address="${u.good.email}"][data-ready=yes]`).waitFor({ timeout: 30_000 });
  const note = compose.locator('[data-testid=readiness-revocation]');
  await note.waitFor({ timeout: 20_000 });
  assert.match((await note.textContent()) ?? '', /^Revocation: not revoked via OCSP http:\/\/127\.0\.0\.1:\d+\/, checked /);
  await page.evaluate(() => {
    const f = document.querySelector<HTMLIFrameElement>('#compose-taskpane')!;
    f.style.width = '320px';
  });
  await page.waitForTimeout(150);
  await page.locator('#compose-taskpane').screenshot({ path: join(ARTIFACTS, 'revocation-compose.png') });
  await page.goto(wb.server.url);
  await page.locator('#message-list button').first().waitFor();
});

test('without a relay in the policy the pane says plainly that revocation was not checked', async () => {
  await setPolicy({ mode: 'soft' });
  const before = stats.upstreamRequests;
  const r = await openSigned(u.revoked, 'no-relay.eml');
  assert.equal(r.revocation, null);
  assert.match(r.details, /Revocation was not checked: your organisation has not set up a revocation relay/);
  assert.equal(stats.upstreamRequests, before);
});

test('dark theme at 320 px: the revoked and hard-mode pictures', async () => {
  await setPolicy({ mode: 'hard', relay: '/relay' });
  await Promise.all([wb.page.waitForEvent('load'), wb.page.click('#dark-toggle')]);
  await wb.page.locator('#message-list button').first().waitFor();
  await openSigned(u.revoked, 'revoked-dark.eml');
  await shoot('revocation-revoked-dark');
  await openSigned(u.down, 'hard-dark.eml');
  await shoot('revocation-unknown-hard-dark');
  await Promise.all([wb.page.waitForEvent('load'), wb.page.click('#dark-toggle')]);
});
