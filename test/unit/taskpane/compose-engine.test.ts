// The compose pane's send path (src/taskpane/compose-engine.ts) in Node: the real compose reader over
// office-addin-mock, real protection, and the Graph transport against the local mail server (injected the way
// the workbench's entry point injects it, src/outlook/development-hooks.ts). What is asserted: nothing is sent when nothing is
// asked; a protected send delivers exactly one message that openssl verifies, marks the item as sent and
// deletes the saved draft; a refused send leaves the item unmarked and delivers nothing; readiness names the
// recipients without a certificate.

import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { isSignetError } from '../../../src/core/errors.js';
import { defaultPolicy } from '../../../src/policy/policy.js';
import { paneReadiness, sendFromPane, warmUp, type SendStep } from '../../../src/taskpane/compose-engine.js';
import type { Keyring } from '../../../src/taskpane/engine.js';
import { isComposeMode } from '../../../src/outlook/office.js';
import { setDevelopmentHooks } from '../../../src/outlook/development-hooks.js';
import { SENT_KEY } from '../../../src/events/guard.js';
import { aliceIdentity } from '../../helpers/handler-deps.js';
import { startMailServer, type MailServer } from '../../helpers/mail-server.js';
import { installCompose, uninstallOffice } from '../../helpers/office-compose.js';
import { testPki } from '../../helpers/pki.js';

let server: MailServer;

before(async () => {
  server = await startMailServer();
  setDevelopmentHooks({ graph: { baseUrl: server.graphBase, accessToken: server.token } });
});
after(async () => {
  setDevelopmentHooks(null);
  uninstallOffice();
  await server.close();
});
beforeEach(() => server.reset());

async function keyring(): Promise<Keyring> {
  const alice = await aliceIdentity();
  return { anchors: [], policy: { policy: defaultPolicy(), errors: [], source: 'file' }, config: {} as Keyring['config'], identities: [alice], sessionIdentities: [alice], store: null, storeError: null, notes: [] } as unknown as Keyring;
}

const bob = { displayName: 'Bob Example', emailAddress: 'bob@example.org' };

test('the pane detects compose mode from item.subject being an object with getAsync', () => {
  installCompose({ to: [bob] });
  assert.equal(isComposeMode(), true);
  uninstallOffice();
  assert.equal(isComposeMode(), false);
});

test('nothing asked: sendFromPane refuses (usage) without reading the item or sending', async () => {
  const office = installCompose({ to: [bob] });
  await assert.rejects(sendFromPane(await keyring(), { sign: false, encrypt: false }, () => undefined), (e: unknown) => isSignetError(e, 'usage'));
  assert.deepEqual(office.calls, []);
  assert.equal(server.requests.length, 0);
});

test('Sign & Send: one signed message through Graph (openssl verifies it), the item is marked sent, the saved draft is deleted', async () => {
  const office = installCompose({ to: [bob], itemId: 'AAMk/draft+1', text: 'Signed from the pane', html: '<p>Signed from the pane</p>' });
  const steps: SendStep[] = [];
  const result = await sendFromPane(await keyring(), { sign: true, encrypt: false }, (s) => steps.push(s));
  assert.deepEqual(steps, ['reading', 'protecting', 'sending', 'cleaning-up']);
  assert.equal(result.what, 'signed');
  assert.equal(result.transport, 'graph');
  assert.equal(result.recipients, 1);
  assert.equal(result.sentence, 'Sent signed to 1 person; the protected copy is in Sent Items.');
  assert.equal(office.notifications.get('signet-sent')?.message, result.sentence, 'the confirmation is in Outlook\u2019s info bar while the form is open');
  assert.equal(server.delivered.length, 1);
  const pki = testPki();
  const verify = spawnSync('openssl', ['cms', '-verify', '-CAfile', pki.rootPath, '-purpose', 'smimesign'], { input: server.delivered[0]!.mime });
  assert.equal(verify.status, 0, verify.stderr.toString());
  assert.match(verify.stdout.toString(), /Signed from the pane/);
  assert.ok(office.session.get(SENT_KEY), 'a second Outlook Send is refused by the guard');
  assert.ok(server.requests.some((r) => r.method === 'DELETE' && r.url === '/v1.0/me/messages/AAMk-draft_1'), 'the draft is deleted by its REST id');
});

test('a refused send (Graph 503): a send-* error, nothing delivered, the item is not marked sent', async () => {
  const office = installCompose({ to: [bob], itemId: 'AAMkdraft' });
  server.failNext.push({ status: 503, headers: { 'Retry-After': '1' } });
  await assert.rejects(sendFromPane(await keyring(), { sign: true, encrypt: false }, () => undefined), (e: unknown) => isSignetError(e) && /^send-/.test(e.code));
  assert.equal(server.delivered.length, 0);
  assert.equal(office.session.get(SENT_KEY), undefined);
});

test('encrypt to a recipient without a certificate: missing-certificate, nothing delivered; readiness names them', async () => {
  installCompose({ to: [bob], itemId: 'AAMkdraft' });
  const k = await keyring();
  await assert.rejects(sendFromPane(k, { sign: true, encrypt: true }, () => undefined), (e: unknown) => isSignetError(e, 'missing-certificate'));
  assert.equal(server.delivered.length, 0);
  const r = await paneReadiness(k, 'alice@example.org', ['bob@example.org', 'alice@example.org']);
  assert.equal(r.canSign, true);
  assert.equal(r.ownCertificate, true);
  assert.deepEqual(r.rows.map((x) => [x.address, x.ready]), [['bob@example.org', false], ['alice@example.org', true]]);
  assert.match(r.rows[0]!.reason ?? '', /no certificate/);
});

test('the envelope the pane last showed only starts the look-ups: the draft Outlook hands over decides who is encrypted to', async () => {
  // The pane last showed a message to the sender herself (ready); the draft is now to Bob, who has no certificate.
  installCompose({ to: [bob], itemId: 'AAMkdraft' });
  const shown = { from: 'alice@example.org', recipients: ['alice@example.org'] };
  await assert.rejects(sendFromPane(await keyring(), { sign: true, encrypt: true }, () => undefined, shown), (e: unknown) => isSignetError(e, 'missing-certificate') && /bob@example\.org/.test(e.message));
  assert.equal(server.delivered.length, 0);
  // Shown and handed over agree: the message goes, encrypted to the sender, and she can read it.
  const alice = { displayName: 'Alice Example', emailAddress: 'alice@example.org' };
  installCompose({ to: [alice], itemId: 'AAMkdraft2', text: 'To myself, encrypted' });
  const result = await sendFromPane(await keyring(), { sign: true, encrypt: true }, () => undefined, shown);
  assert.equal(result.what, 'signed and encrypted');
  assert.equal(server.delivered.length, 1);
  const pki = testPki();
  const plain = spawnSync('openssl', ['cms', '-decrypt', '-recip', pki.users.alice.certPath, '-inkey', pki.users.alice.keyPath], { input: server.delivered[0]!.mime });
  assert.equal(plain.status, 0, plain.stderr.toString());
  assert.match(plain.stdout.toString('latin1'), /multipart\/signed/);
});

test('the idle-time warm-up runs the send\'s byte handling on a real ~0.5 MB message that needs no rewriting', () => {
  const r = warmUp();
  assert.ok(r.bytes > 400_000, `${r.bytes} bytes`);
  assert.ok(r.encodedBytes > (r.bytes * 4) / 3, 'base64 with line breaks is longer than 4/3 of the input');
  assert.equal(r.canonicalAsBuilt, true, 'the builder\'s output is already canonical (prepareForSigning returned it unchanged)');
});
