// The browser-runtime handlers (src/events/handlers.ts) with office-addin-mock's Office, real protection and
// the Graph transport against a local server: every event.completed shape the send handler uses — allow;
// block with a message; block with the compose pane's commandId; "sent protected" after a real send (the
// bytes checked with openssl); transport failure, thrown error and timeout, each blocked; the
// JavaScript-only runtime blocked with commandId — plus OnNewMessageCompose, OnMessageRecipientsChanged and
// the ribbon toggles.
import { test, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { SignetError } from '../../../src/core/errors.js';
import { COMPOSE_PANE_COMMAND, PROTECTION_KEY, SENT_KEY } from '../../../src/events/guard.js';
import {
  READINESS_BAR,
  STATE_BAR,
  completionForError,
  onMessageRecipientsChanged,
  onMessageSend,
  onNewMessageCompose,
  toggleCommand,
} from '../../../src/events/handlers.js';
import { installCompose, mailboxEvent, uninstallOffice, type ComposeSetup } from '../../helpers/office-compose.js';
import { startMailServer } from '../../helpers/mail-server.js';
import { handlerDeps } from '../../helpers/handler-deps.js';
import { testPki } from '../../helpers/pki.js';

const server = await startMailServer();
after(() => server.close());
afterEach(() => {
  server.reset();
  uninstallOffice();
});

const pki = testPki();
const PANE = { commandId: COMPOSE_PANE_COMMAND, cancelLabel: 'Open Signet' };
const BOB = { displayName: 'Bob', emailAddress: 'bob@example.org' };
const ERIN = { displayName: 'Erin', emailAddress: 'erin@example.org' };

function compose(session: { sign: boolean; encrypt: boolean } | null, over: ComposeSetup = {}) {
  return installCompose({
    to: [BOB],
    html: '<p>The numbers: <b>42</b></p>',
    text: 'The numbers: 42',
    session: session ? { [PROTECTION_KEY]: JSON.stringify({ ...session, v: 1 }) } : {},
    ...over,
  });
}

async function send(deps: Awaited<ReturnType<typeof handlerDeps>>) {
  const e = mailboxEvent();
  await onMessageSend(e.event, deps);
  await e.done;
  return e;
}

test('allow: nothing asked, nothing required → { allowEvent: true } and nothing sent by Signet', async () => {
  compose(null);
  const e = await send(await handlerDeps(server));
  assert.deepEqual(e.completions, [{ allowEvent: true }]);
  assert.equal(server.delivered.length, 0);
});

test('protect and send: signed and encrypted through Graph, the plain send cancelled with a "sent" message, draft deleted, item marked', async () => {
  const mock = compose({ sign: true, encrypt: true }, { itemId: 'AAMk/draft+1=' });
  const e = await send(await handlerDeps(server));
  assert.equal(e.completions.length, 1);
  const c = e.completions[0]!;
  assert.equal(c.allowEvent, false);
  assert.match(c.errorMessage ?? '', /^Sent signed and encrypted by Signet; the protected copy is in Sent Items\./);
  assert.equal(c.commandId, undefined);
  assert.equal(server.delivered.length, 1);
  // What left is real S/MIME: Bob decrypts it with OpenSSL and the signature inside verifies.
  const bob = pki.users.bob;
  const dec = spawnSync('openssl', ['cms', '-decrypt', '-recip', bob.certPath, '-inkey', bob.keyPath], { input: server.delivered[0]!.mime });
  assert.equal(dec.status, 0, dec.stderr.toString());
  const ver = spawnSync('openssl', ['cms', '-verify', '-CAfile', pki.rootPath], { input: dec.stdout });
  assert.equal(ver.status, 0, ver.stderr.toString());
  assert.match(ver.stdout.toString(), /The numbers: <b>42<\/b>/);
  assert.doesNotMatch(server.delivered[0]!.mime.toString('latin1'), /The numbers/);
  assert.ok(mock.session.get(SENT_KEY));
  assert.ok(server.requests.some((r) => r.method === 'DELETE' && r.url === '/v1.0/me/messages/AAMk-draft_1%3D'));
});

test('a second Send after a protected send is refused without the pane (no double send)', async () => {
  compose({ sign: true, encrypt: false }, { session: { [PROTECTION_KEY]: '{"sign":true,"encrypt":false,"v":1}', [SENT_KEY]: '2026-11-20T09:00:00.000Z' } });
  const e = await send(await handlerDeps(server));
  assert.deepEqual(Object.keys(e.completions[0]!).sort(), ['allowEvent', 'errorMessage']);
  assert.equal(e.completions[0]!.allowEvent, false);
  assert.match(e.completions[0]!.errorMessage!, /already sent this message protected/);
  assert.equal(server.delivered.length, 0);
});

test('block with commandId: a recipient without a certificate is named; nothing sent', async () => {
  compose({ sign: true, encrypt: true }, { to: [BOB, ERIN] });
  const e = await send(await handlerDeps(server));
  const c = e.completions[0]!;
  assert.equal(c.allowEvent, false);
  assert.equal(c.commandId, PANE.commandId);
  assert.equal(c.cancelLabel, PANE.cancelLabel);
  assert.match(c.errorMessage!, /1 recipient has no certificate: erin@example\.org/);
  assert.equal(server.delivered.length, 0);
});

test('the organisation policy makes protection required even when the item says off', async () => {
  compose({ sign: false, encrypt: false });
  const e = await send(await handlerDeps(server, {}, (p) => (p.signing.alwaysSign = true)));
  assert.match(e.completions[0]!.errorMessage!, /^Sent signed by Signet/);
  const ver = spawnSync('openssl', ['cms', '-verify', '-CAfile', pki.rootPath], { input: server.delivered[0]!.mime });
  assert.equal(ver.status, 0, ver.stderr.toString());
  // Never saved (getItemIdAsync: ItemNotSaved): there is no server draft to delete, and none is created.
  assert.ok(!server.requests.some((r) => r.method === 'DELETE'));
});

test('transport failure (Graph 503) → blocked with what happened and the pane', async () => {
  compose({ sign: true, encrypt: false });
  server.failNext.push({ status: 503, body: JSON.stringify({ error: { code: 'ServiceUnavailable', message: 'Service is unavailable.' } }) });
  const e = await send(await handlerDeps(server));
  const c = e.completions[0]!;
  assert.equal(c.allowEvent, false);
  assert.equal(c.commandId, COMPOSE_PANE_COMMAND);
  assert.match(c.errorMessage!, /^Signet did not send this message: Microsoft Graph had a problem \(HTTP 503\)/);
  assert.equal(server.delivered.length, 0);
});

test('a thrown error anywhere (here: the key store) → blocked, "unexpected problem"', async () => {
  compose({ sign: true, encrypt: false });
  const e = await send(await handlerDeps(server, { services: async () => Promise.reject(new TypeError('Cannot read properties of undefined')) }));
  const c = e.completions[0]!;
  assert.equal(c.allowEvent, false);
  assert.equal(c.commandId, COMPOSE_PANE_COMMAND);
  assert.match(c.errorMessage!, /unexpected problem and stopped Outlook from sending this message unprotected/);
});

test('no transport for this mailbox (e.g. Exchange Online without the Graph registration) → blocked with the reason', async () => {
  compose({ sign: true, encrypt: false });
  const e = await send(await handlerDeps(server, { transport: async () => Promise.reject(new SignetError('usage', 'Your organisation has not set up Microsoft Graph for Signet.')) }));
  assert.match(e.completions[0]!.errorMessage!, /not set up Microsoft Graph/);
  assert.equal(e.completions[0]!.allowEvent, false);
});

test('timeout: the handler\'s own timer blocks the send; a late result does not complete twice', async () => {
  compose({ sign: true, encrypt: false });
  let release!: () => void;
  const late = new Promise<void>((r) => (release = r));
  const deps = await handlerDeps(server, {
    sendTimeoutMs: 150,
    sendProtected: async () => {
      await late;
      throw new Error('finished too late');
    },
  });
  const e = mailboxEvent();
  const running = onMessageSend(e.event, deps);
  const first = await e.done;
  assert.equal(first?.allowEvent, false);
  assert.match(first?.errorMessage ?? '', /^Signet did not finish within \d+ seconds, so Outlook did not send this message\./);
  assert.equal(first?.commandId, COMPOSE_PANE_COMMAND);
  release();
  await running;
  await sleep(10);
  assert.equal(e.completions.length, 1);
});

test('JavaScript-only runtime (no WebCrypto): blocked with commandId, nothing sent', async () => {
  compose({ sign: true, encrypt: false });
  const e = await send(await handlerDeps(server, { runtime: 'javascript-only' }));
  const c = e.completions[0]!;
  assert.deepEqual({ allowEvent: c.allowEvent, commandId: c.commandId, cancelLabel: c.cancelLabel }, { allowEvent: false, ...PANE });
  assert.match(c.errorMessage!, /Classic Outlook cannot do that while sending/);
  assert.equal(server.delivered.length, 0);
});

test('policy unavailable → blocked; unreadable settings → blocked', async () => {
  compose(null);
  let e = await send(await handlerDeps(server, { loadPolicy: async () => ({ status: 'unavailable', reason: 'HTTP 503' }) }));
  assert.equal(e.completions[0]!.allowEvent, false);
  assert.match(e.completions[0]!.errorMessage!, /could not load your organisation's policy/);
  compose(null, { failures: ['sessionGet'] });
  e = await send(await handlerDeps(server));
  assert.equal(e.completions[0]!.allowEvent, false);
  assert.match(e.completions[0]!.errorMessage!, /could not read whether this message is to be signed or encrypted/);
});

test('completionForError keeps a typed error\'s message and never allows', () => {
  assert.deepEqual(completionForError(new SignetError('message-too-large', 'Too big.')), {
    allowEvent: false,
    errorMessage: 'Signet did not send this message: Too big.',
    ...PANE,
  });
  assert.equal(completionForError('a string was thrown').allowEvent, false);
  assert.ok((completionForError(new Error('x'.repeat(2000))).errorMessage ?? '').length <= 500);
});

test('OnNewMessageCompose stores the policy defaults and says so; an existing choice is kept', async () => {
  const mock = compose(null);
  const e = mailboxEvent();
  await onNewMessageCompose(e.event, await handlerDeps(server, {}, (p) => (p.signing.alwaysSign = true)));
  assert.deepEqual(e.completions, [undefined]);
  assert.equal(mock.session.get(PROTECTION_KEY), '{"sign":true,"encrypt":false,"v":1}');
  assert.match(mock.notifications.get(STATE_BAR)?.message ?? '', /will send this message signed \(your organisation's policy\)/);

  const kept = compose({ sign: false, encrypt: true });
  await onNewMessageCompose(mailboxEvent().event, await handlerDeps(server, {}, (p) => (p.signing.alwaysSign = true)));
  assert.equal(kept.session.get(PROTECTION_KEY), '{"sign":false,"encrypt":true,"v":1}');
});

test('OnNewMessageCompose without a policy: an error bar, and the event still completes', async () => {
  const mock = compose(null);
  const e = mailboxEvent();
  await onNewMessageCompose(e.event, await handlerDeps(server, { loadPolicy: async () => ({ status: 'unavailable', reason: 'x' }) }));
  assert.equal(e.completions.length, 1);
  assert.equal(mock.notifications.get(STATE_BAR)?.type, 'errorMessage');
  assert.equal(mock.session.has(PROTECTION_KEY), false);
});

test('OnMessageRecipientsChanged: "N recipients have no certificate", cleared when everyone is ready', async () => {
  const mock = compose({ sign: false, encrypt: true }, { to: [BOB, ERIN, { displayName: 'Zed', emailAddress: 'zed@elsewhere.example' }] });
  const e = mailboxEvent();
  await onMessageRecipientsChanged(e.event, await handlerDeps(server));
  assert.equal(e.completions.length, 1);
  assert.equal(mock.notifications.get(READINESS_BAR)?.message, '2 recipients have no certificate. Open Signet to see what to do.');

  const ready = compose({ sign: false, encrypt: true }, { to: [BOB] });
  ready.notifications.set(READINESS_BAR, { type: 'informationalMessage', message: 'old' });
  await onMessageRecipientsChanged(mailboxEvent().event, await handlerDeps(server));
  assert.equal(ready.notifications.has(READINESS_BAR), false);
});

test('OnMessageRecipientsChanged: a per-domain policy makes encryption required and says so', async () => {
  const mock = compose(null, { to: [{ displayName: 'P', emailAddress: 'p@fabrikam.com' }] });
  await onMessageRecipientsChanged(mailboxEvent().event, await handlerDeps(server, {}, (p) => Object.assign(p.encryption, { required: 'domains', domains: ['fabrikam.com'] })));
  assert.equal(mock.notifications.get(READINESS_BAR)?.message, 'Encryption is required for fabrikam.com. 1 recipient has no certificate (p@fabrikam.com). Open Signet to see what to do.');
});

test('ribbon toggles flip the item state, show it, and always complete', async () => {
  const mock = compose(null);
  const deps = await handlerDeps(server);
  let done = 0;
  const event = { completed: () => done++ } as unknown as Office.AddinCommands.Event;
  await toggleCommand(event, 'sign', deps);
  assert.equal(mock.session.get(PROTECTION_KEY), '{"sign":true,"encrypt":false,"v":1}');
  assert.equal(mock.notifications.get(STATE_BAR)?.message, 'Signet will send this message signed.');
  await toggleCommand(event, 'encrypt', deps);
  assert.equal(mock.notifications.get(STATE_BAR)?.message, 'Signet will send this message signed and encrypted.');
  await toggleCommand(event, 'sign', deps);
  await toggleCommand(event, 'encrypt', deps);
  assert.equal(mock.notifications.get(STATE_BAR)?.message, 'Signet will not sign or encrypt this message.');
  assert.equal(done, 4);

  const forced = compose({ sign: true, encrypt: false });
  await toggleCommand(event, 'sign', await handlerDeps(server, {}, (p) => (p.signing.alwaysSign = true)));
  assert.match(forced.notifications.get(STATE_BAR)?.message ?? '', /Your organisation still requires signing\./);

  const broken = compose(null, { failures: ['sessionSet'] });
  await toggleCommand(event, 'sign', deps);
  assert.equal(broken.notifications.get(STATE_BAR)?.type, 'errorMessage');
  assert.equal(done, 6);
});
