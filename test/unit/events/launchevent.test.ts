// Classic Outlook's JavaScript-only runtime handlers (src/events/launchevent.ts) with office-addin-mock and
// the policy the build writes into launchevent.js (SIGNET_POLICY_DOCUMENT, a global here): a message to be
// protected is always blocked with the compose pane's commandId (nothing can be signed here); a plain
// message goes only when the built-in policy requires nothing; no policy, an unknown policy version or a
// document that is not JSON all block. Nothing touches the network at send time.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { COMPOSE_PANE_COMMAND, PROTECTION_KEY } from '../../../src/events/guard.js';
import { CONTEXT_DATA_SET, TAKE_ACTION_SET, guardPolicyOf, onMessageRecipientsChangedHandler, onMessageSendHandler, onNewMessageComposeHandler } from '../../../src/events/launchevent.js';
import { MAILBOX_API } from '../../../src/outlook/requirements.js';
import { installCompose, mailboxEvent, uninstallOffice, type ComposeSetup } from '../../helpers/office-compose.js';

const g = globalThis as { SIGNET_POLICY_DOCUMENT?: string; fetch?: typeof fetch; XMLHttpRequest?: unknown };
const DEFAULT_POLICY = JSON.stringify({ policyVersion: 1 });
/** The policy "built into" launchevent.js for the next handler run. */
const policy = { set document(text: string | undefined) { if (text === undefined) delete g.SIGNET_POLICY_DOCUMENT; else g.SIGNET_POLICY_DOCUMENT = text; } };
policy.document = DEFAULT_POLICY;
// Any network access from the handlers is a test failure: the runtime's fetches are unreliable.
const network: string[] = [];
const realFetch = g.fetch;
g.fetch = ((input: unknown) => {
  network.push(String(input));
  return Promise.reject(new Error('no network in this runtime'));
}) as typeof fetch;
afterEach(() => {
  policy.document = DEFAULT_POLICY;
  uninstallOffice();
  assert.deepEqual(network, [], 'a launch-event handler tried to fetch');
});
test.after(() => {
  g.fetch = realFetch;
  delete g.SIGNET_POLICY_DOCUMENT;
});

function compose(session: string | null, over: ComposeSetup = {}) {
  return installCompose({ to: [{ displayName: 'Bob', emailAddress: 'bob@example.org' }], session: session === null ? {} : { [PROTECTION_KEY]: session }, ...over });
}

async function send(): Promise<Office.SmartAlertsEventCompletedOptions | undefined> {
  const e = mailboxEvent();
  onMessageSendHandler(e.event);
  const first = await e.done;
  assert.equal(e.completions.length, 1);
  return first;
}

test('protection asked for: blocked with the compose pane (Take Action "Open Signet") and a clear message', async () => {
  compose('{"sign":true,"encrypt":true,"v":1}');
  const c = await send();
  assert.equal(c?.allowEvent, false);
  assert.equal(c?.commandId, COMPOSE_PANE_COMMAND);
  assert.equal(c?.cancelLabel, 'Open Signet');
  assert.match(c?.errorMessage ?? '', /^Not sent yet: this message must be signed and encrypted \(you turned it on\), and only Signet can send it that way\./);
  assert.match(c?.errorMessage ?? '', /"Encrypt & Send"/);
  // Mailbox 1.15 and later: the pane learns why it was opened (getInitializationContextAsync).
  assert.deepEqual(JSON.parse(String(c?.contextData)), { signet: 'send-guard', reason: 'protect-in-pane', protection: { sign: true, encrypt: true } });
});

test('the requirement sets launchevent.js asks for are the one list\'s (src/outlook/requirements.ts)', () => {
  assert.equal(TAKE_ACTION_SET, MAILBOX_API.smartAlertsTakeAction);
  assert.equal(CONTEXT_DATA_SET, MAILBOX_API.smartAlertsContextData);
});

test('classic Outlook below Mailbox 1.14 (no Take Action button): no commandId, and the words say where the pane is', async () => {
  compose('{"sign":true,"encrypt":false,"v":1}', { mailbox: '1.13' });
  const c = await send();
  assert.equal(c?.allowEvent, false);
  assert.equal(c?.commandId, undefined);
  assert.equal(c?.contextData, undefined);
  assert.match(c?.errorMessage ?? '', /Open the Signet pane \(the Signet button on this message's ribbon/);
});

test('a second Send after the pane sent the item protected: refused, no pane (no double send)', async () => {
  compose('{"sign":true,"encrypt":false,"v":1}', { session: { [PROTECTION_KEY]: '{"sign":true,"encrypt":false,"v":1}', 'signet-sent': '2026-11-20T09:00:00.000Z' } });
  const c = await send();
  assert.equal(c?.allowEvent, false);
  assert.equal(c?.commandId, undefined);
  assert.match(c?.errorMessage ?? '', /already sent this message protected/);
});

test('nothing asked and a policy that requires nothing: Outlook sends', async () => {
  compose(null);
  assert.deepEqual(await send(), { allowEvent: true });
});

test('policy alwaysSign, or encryption for a listed recipient domain: blocked', async () => {
  policy.document = JSON.stringify({ policyVersion: 1, signing: { alwaysSign: true } });
  compose('{"sign":false,"encrypt":false,"v":1}');
  let c = await send();
  assert.equal(c?.allowEvent, false);
  assert.match(c?.errorMessage ?? '', /must be signed \(your organisation requires signing\)/);

  policy.document = JSON.stringify({ policyVersion: 1, encryption: { required: 'domains', domains: ['Fabrikam.com'] } });
  compose(null, { cc: [{ displayName: 'P', emailAddress: 'p@fabrikam.com' }] });
  c = await send();
  assert.equal(c?.allowEvent, false);
  assert.match(c?.errorMessage ?? '', /requires encryption for mail to fabrikam\.com/);

  compose(null, { cc: [{ displayName: 'Q', emailAddress: 'q@contoso.com' }] });
  assert.deepEqual(await send(), { allowEvent: true });
});

test('no built-in policy, unknown version, not JSON: unavailable → blocked even when nothing was asked', async () => {
  for (const doc of [undefined, JSON.stringify({ policyVersion: 2 }), '{nope']) {
    policy.document = doc;
    compose(null);
    const c = await send();
    assert.equal(c?.allowEvent, false, String(doc));
    assert.equal(c?.commandId, COMPOSE_PANE_COMMAND);
    assert.match(c?.errorMessage ?? '', /could not load your organisation's policy/);
  }
});

test('unreadable item settings or recipients: blocked', async () => {
  compose(null, { failures: ['sessionGet'] });
  assert.equal((await send())?.allowEvent, false);
  compose('garbage');
  assert.equal((await send())?.allowEvent, false);
  policy.document = JSON.stringify({ policyVersion: 1, encryption: { required: 'domains', domains: ['fabrikam.com'] } });
  compose(null, { failures: ['to'] });
  const c = await send();
  assert.equal(c?.allowEvent, false);
  assert.match(c?.errorMessage ?? '', /could not read the recipients/);
});

test('OnNewMessageCompose applies the policy defaults and tells the user to send from the pane', async () => {
  policy.document = JSON.stringify({ policyVersion: 1, signing: { alwaysSign: true }, encryption: { required: 'always' } });
  const mock = compose(null);
  const e = mailboxEvent();
  onNewMessageComposeHandler(e.event);
  assert.equal(await e.done, undefined);
  assert.equal(mock.session.get(PROTECTION_KEY), '{"sign":true,"encrypt":true,"v":1}');
  assert.match(mock.notifications.get('signet-protection')?.message ?? '', /must be signed and encrypted \(organisation policy\)/);
});

test('OnNewMessageCompose without a policy completes and stores nothing', async () => {
  policy.document = undefined;
  const mock = compose(null);
  const e = mailboxEvent();
  onNewMessageComposeHandler(e.event);
  await e.done;
  assert.equal(mock.session.size, 0);
});

test('OnMessageRecipientsChanged: a listed domain shows the requirement; otherwise the bar goes', async () => {
  policy.document = JSON.stringify({ policyVersion: 1, encryption: { required: 'domains', domains: ['*.fabrikam.com'] } });
  const mock = compose(null, { to: [{ displayName: 'S', emailAddress: 's@sales.fabrikam.com' }] });
  const e = mailboxEvent();
  onMessageRecipientsChangedHandler(e.event);
  await e.done;
  assert.match(mock.notifications.get('signet-readiness')?.message ?? '', /mail to sales\.fabrikam\.com must be encrypted/);
  const other = compose(null);
  other.notifications.set('signet-readiness', { type: 'informationalMessage', message: 'old' });
  const e2 = mailboxEvent();
  onMessageRecipientsChangedHandler(e2.event);
  await e2.done;
  assert.equal(other.notifications.has('signet-readiness'), false);
});

test('the policy subset this runtime reads, and the handlers registered by name on load', async () => {
  assert.equal(guardPolicyOf({ policyVersion: 2 }), null);
  assert.equal(guardPolicyOf(null), null);
  assert.deepEqual(guardPolicyOf({ policyVersion: 1, signing: { alwaysSign: 'yes' }, encryption: { required: 'domains', domains: [' A.example ', 3, ''] } }), {
    signing: { alwaysSign: false },
    encryption: { required: 'domains', domains: ['a.example'] },
  });
  const mock = installCompose();
  await import(`../../../src/events/launchevent.js?registration=${Date.now()}`);
  assert.deepEqual(
    mock.calls.filter((c) => c.startsWith('associate')),
    ['associate(onNewMessageComposeHandler)', 'associate(onMessageRecipientsChangedHandler)', 'associate(onMessageSendHandler)'],
  );
});
