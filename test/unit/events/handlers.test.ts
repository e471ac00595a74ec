// The browser-runtime handlers (src/events/handlers.ts) with office-addin-mock's Office and a local mail
// server that must receive nothing from the send handler: every event.completed shape it uses — allow;
// block with a message; block with the compose pane's commandId and contextData (Mailbox 1.14/1.15), or
// words below 1.14; thrown error and timeout, each blocked — plus OnNewMessageCompose,
// OnMessageRecipientsChanged and the ribbon toggles. The send handler never signs or sends (guard.ts).
import { CHOICE_KEY } from '../../../src/compose/defaults.js';
import { test, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
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

const server = await startMailServer();
after(() => server.close());
afterEach(() => {
  server.reset();
  uninstallOffice();
});

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

test('must be protected: blocked with "Open Signet" (commandId) and contextData for the pane; nothing is signed, sent or deleted', async () => {
  const mock = compose({ sign: true, encrypt: true }, { itemId: 'AAMk/draft+1=' });
  let keysLoaded = false;
  const e = await send(await handlerDeps(server, { services: async () => ((keysLoaded = true), Promise.reject(new Error('the send handler must not load keys'))) }));
  assert.equal(e.completions.length, 1);
  const c = e.completions[0]!;
  assert.equal(c.allowEvent, false);
  assert.equal(c.commandId, PANE.commandId);
  assert.equal(c.cancelLabel, PANE.cancelLabel);
  assert.match(c.errorMessage!, /^Not sent yet: this message must be signed and encrypted \(you turned it on\)/);
  assert.match(c.errorMessage!, /press "Encrypt & Send" there; Signet sends it protected and confirms when it has left\.$/);
  assert.deepEqual(JSON.parse(c.contextData as string), { signet: 'send-guard', reason: 'protect-in-pane', protection: { sign: true, encrypt: true } });
  assert.equal(keysLoaded, false);
  assert.equal(server.delivered.length, 0);
  assert.equal(server.requests.length, 0);
  assert.equal(mock.session.get(SENT_KEY), undefined);
});

test('Mailbox 1.14 without 1.15: commandId but no contextData; below 1.14: neither, and the words say where the pane is', async () => {
  compose({ sign: true, encrypt: false });
  let e = await send(await handlerDeps(server, { mailboxSupports: (v) => v === '1.14' }));
  assert.equal(e.completions[0]!.commandId, COMPOSE_PANE_COMMAND);
  assert.equal(e.completions[0]!.contextData, undefined);
  compose({ sign: true, encrypt: false });
  e = await send(await handlerDeps(server, { mailboxSupports: () => false }));
  assert.deepEqual(Object.keys(e.completions[0]!).sort(), ['allowEvent', 'errorMessage']);
  assert.match(e.completions[0]!.errorMessage!, /Open the Signet pane \(the Signet button on this message's ribbon/);
  assert.equal(server.delivered.length, 0);
});

test('a second Send after a protected send is refused without the pane (no double send)', async () => {
  compose({ sign: true, encrypt: false }, { session: { [PROTECTION_KEY]: '{"sign":true,"encrypt":false,"v":1}', [SENT_KEY]: '2026-11-20T09:00:00.000Z' } });
  const e = await send(await handlerDeps(server));
  assert.deepEqual(Object.keys(e.completions[0]!).sort(), ['allowEvent', 'errorMessage']);
  assert.equal(e.completions[0]!.allowEvent, false);
  assert.match(e.completions[0]!.errorMessage!, /already sent this message protected/);
  assert.equal(server.delivered.length, 0);
});

test('the organisation policy makes protection required even when the item says off', async () => {
  compose({ sign: false, encrypt: false });
  const e = await send(await handlerDeps(server, {}, (p) => (p.signing.alwaysSign = true)));
  assert.equal(e.completions[0]!.allowEvent, false);
  assert.match(e.completions[0]!.errorMessage!, /must be signed \(your organisation requires signing\)/);
  assert.equal(server.delivered.length, 0);
});

test('a thrown error anywhere (here: the policy loader) → blocked, "unexpected problem"', async () => {
  compose({ sign: true, encrypt: false });
  const e = await send(await handlerDeps(server, { loadPolicy: async () => Promise.reject(new TypeError('Cannot read properties of undefined')) }));
  const c = e.completions[0]!;
  assert.equal(c.allowEvent, false);
  assert.equal(c.commandId, COMPOSE_PANE_COMMAND);
  assert.match(c.errorMessage!, /unexpected problem and stopped Outlook from sending this message unprotected/);
});

test('timeout: the handler\'s own timer blocks the send; a late result does not complete twice', async () => {
  compose(null);
  let release!: () => void;
  const late = new Promise<void>((r) => (release = r));
  const deps = await handlerDeps(server, {
    sendTimeoutMs: 150,
    loadPolicy: async () => {
      await late;
      return { status: 'unavailable', reason: 'finished too late' };
    },
  });
  const e = mailboxEvent();
  const running = onMessageSend(e.event, deps);
  const first = await e.done;
  assert.equal(first?.allowEvent, false);
  assert.match(first?.errorMessage ?? '', /^Signet could not check this message within \d+ seconds, so Outlook did not send it\./);
  assert.equal(first?.commandId, COMPOSE_PANE_COMMAND);
  release();
  await running;
  await sleep(10);
  assert.equal(e.completions.length, 1);
});

test('JavaScript-only runtime (no WebCrypto): the same block with commandId, nothing sent', async () => {
  compose({ sign: true, encrypt: false });
  const e = await send(await handlerDeps(server, { runtime: 'javascript-only' }));
  const c = e.completions[0]!;
  assert.deepEqual({ allowEvent: c.allowEvent, commandId: c.commandId, cancelLabel: c.cancelLabel }, { allowEvent: false, ...PANE });
  assert.match(c.errorMessage!, /^Not sent yet: this message must be signed/);
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
  // Only the switch the sender touched becomes theirs; the other stays the pane's defaults' (compose/defaults.ts).
  assert.equal(mock.session.get(CHOICE_KEY), '{"sign":"user","encrypt":"auto","v":1}');
  assert.equal(mock.notifications.get(STATE_BAR)?.message, 'Signet will send this message signed.');
  await toggleCommand(event, 'encrypt', deps);
  assert.equal(mock.notifications.get(STATE_BAR)?.message, 'Signet will send this message signed and encrypted.');
  assert.equal(mock.session.get(CHOICE_KEY), '{"sign":"user","encrypt":"user","v":1}');
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
