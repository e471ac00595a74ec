// The send guard's decision table (src/events/guard.ts): allow only when the policy was read and nothing is
// asked or required; otherwise block — with the compose pane as Smart Alerts commandId ("Open Signet",
// Mailbox 1.14) or, below 1.14, words that say where the pane is. The guard never protects or sends itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { domainKey } from '../../../src/core/idn.js';
import {
  COMPOSE_PANE_COMMAND,
  MAX_ALERT_MESSAGE,
  decideSend,
  domainListed,
  parseProtection,
  policyRequirement,
  serializeProtection,
  type GuardInput,
  type GuardPolicy,
} from '../../../src/events/guard.js';

const policy = (over: Partial<{ alwaysSign: boolean; required: 'never' | 'always' | 'domains'; domains: string[] }> = {}): GuardPolicy => ({
  signing: { alwaysSign: over.alwaysSign ?? false },
  encryption: { required: over.required ?? 'never', domains: over.domains ?? [] },
});

function input(over: Partial<GuardInput> = {}): GuardInput {
  return {
    stored: { status: 'absent' },
    policy: { status: 'loaded', policy: policy() },
    recipients: { status: 'read', addresses: ['bob@example.org'] },
    runtime: 'browser',
    alreadySent: null,
    toAscii: domainKey,
    ...over,
  };
}

const set = (sign: boolean, encrypt: boolean) => ({ status: 'set' as const, value: { sign, encrypt } });

test('nothing asked, nothing required, policy read: Outlook sends', () => {
  assert.deepEqual(decideSend(input()), { action: 'allow' });
  assert.deepEqual(decideSend(input({ stored: set(false, false) })), { action: 'allow' });
  assert.deepEqual(decideSend(input({ runtime: 'javascript-only' })), { action: 'allow' });
});

test('asked or required, in either runtime: blocked with "Open Signet" and the protection the pane is to apply', () => {
  const cases: [Partial<GuardInput>, { sign: boolean; encrypt: boolean }][] = [
    [{ stored: set(true, false) }, { sign: true, encrypt: false }],
    [{ policy: { status: 'loaded', policy: policy({ alwaysSign: true }) }, stored: set(false, true) }, { sign: true, encrypt: true }],
    [{ policy: { status: 'loaded', policy: policy({ required: 'always' }) } }, { sign: false, encrypt: true }],
    [{ stored: set(true, true), runtime: 'javascript-only' }, { sign: true, encrypt: true }],
  ];
  for (const [over, protection] of cases) {
    const d = decideSend(input(over));
    assert.equal(d.action, 'block');
    if (d.action !== 'block') continue;
    assert.equal(d.reason, 'protect-in-pane');
    assert.deepEqual(d.protection, protection);
    assert.equal(d.commandId, COMPOSE_PANE_COMMAND);
    assert.equal(d.cancelLabel, 'Open Signet');
    assert.match(d.message, /^Not sent yet: this message must be /);
    assert.match(d.message, /Signet sends it protected and confirms when it has left\.$/);
  }
});

test('below Mailbox 1.14 (no Take Action button) the message says in words where the pane is', () => {
  const d = decideSend(input({ stored: set(true, false), takeAction: false }));
  assert.equal(d.action, 'block');
  if (d.action !== 'block') return;
  assert.equal(d.commandId, null);
  assert.equal(d.cancelLabel, null);
  assert.doesNotMatch(d.message, /Open Signet"/);
  assert.match(d.message, /Open the Signet pane \(the Signet button on this message's ribbon/);
  assert.match(d.message, /"Sign & Send"/);
  const policyDown = decideSend(input({ policy: { status: 'unavailable', reason: 'x' }, takeAction: false }));
  assert.equal(policyDown.action === 'block' && policyDown.commandId, null);
  assert.ok(policyDown.action === 'block' && policyDown.message.length <= MAX_ALERT_MESSAGE);
});

test('the user cannot switch off what the policy requires', () => {
  const d = decideSend(input({ policy: { status: 'loaded', policy: policy({ alwaysSign: true }) }, stored: set(false, false) }));
  assert.equal(d.action, 'block');
  assert.deepEqual(d.action === 'block' && d.protection, { sign: true, encrypt: false });
});

test('per-domain encryption: exact domains, *.subdomains, case and IDN forms', () => {
  const p = { status: 'loaded' as const, policy: policy({ required: 'domains', domains: ['fabrikam.com', '*.northwind.example', 'xn--mnchen-3ya.example'] }) };
  const need = (addresses: string[]) => policyRequirement(p, { status: 'read', addresses }, domainKey);
  assert.equal(need(['bob@example.org'])?.encrypt, false);
  assert.deepEqual(need(['a@Fabrikam.COM', 'b@example.org'])?.encryptDomains, ['fabrikam.com']);
  assert.equal(need(['a@sales.northwind.example'])?.encrypt, true);
  assert.equal(need(['a@northwind.example'])?.encrypt, false, '*.x means subdomains only');
  assert.equal(need(['a@evilnorthwind.example'])?.encrypt, false);
  assert.equal(need(['a@münchen.example'])?.encrypt, true);
  // Without IDN conversion (classic Outlook's runtime) a non-ASCII domain counts as listed: fail closed.
  assert.equal(domainListed('bücher.example', ['other.example']), true);
  assert.equal(domainListed('bücher.example', ['other.example'], domainKey), false);
  // Unreadable recipients under a per-domain rule: the requirement is unknown.
  assert.equal(policyRequirement(p, { status: 'unreadable', reason: 'x' }), null);
});

test('blocks without the pane: already sent by Signet (a second Send must not send twice)', () => {
  const d = decideSend(input({ alreadySent: '2026-11-20T09:00:00Z' }));
  assert.equal(d.action, 'block');
  if (d.action !== 'block') return;
  assert.equal(d.reason, 'already-sent');
  assert.equal(d.commandId, null);
  assert.match(d.message, /already sent/);
});

test('blocks with the pane: unreadable settings, policy unavailable, unreadable recipients, protection needed', () => {
  const cases: [Partial<GuardInput>, string][] = [
    [{ stored: { status: 'unreadable', reason: 'x' } }, 'protection-unreadable'],
    [{ policy: { status: 'unavailable', reason: 'HTTP 404' } }, 'policy-unavailable'],
    [{ policy: { status: 'loaded', policy: policy({ required: 'domains', domains: ['x.example'] }) }, recipients: { status: 'unreadable', reason: 'x' } }, 'recipients-unreadable'],
    [{ stored: set(true, false), runtime: 'javascript-only' }, 'protect-in-pane'],
    [{ stored: set(false, true) }, 'protect-in-pane'],
  ];
  for (const [over, reason] of cases) {
    const d = decideSend(input(over));
    assert.equal(d.action, 'block', reason);
    if (d.action !== 'block') continue;
    assert.equal(d.reason, reason);
    assert.equal(d.commandId, COMPOSE_PANE_COMMAND);
    assert.equal(d.cancelLabel, 'Open Signet');
    assert.ok(d.cancelLabel.length <= 20);
    assert.ok(d.message.length <= MAX_ALERT_MESSAGE, `${reason}: ${d.message.length}`);
  }
});

test('the policy being unavailable blocks even a message nobody asked to protect (the requirement is unknown)', () => {
  const d = decideSend(input({ stored: set(false, false), policy: { status: 'unavailable', reason: 'offline' } }));
  assert.equal(d.action, 'block');
});

test('messages say what is required and why', () => {
  const js = decideSend(input({ runtime: 'javascript-only', policy: { status: 'loaded', policy: policy({ required: 'domains', domains: ['fabrikam.com'] }) }, recipients: { status: 'read', addresses: ['x@fabrikam.com'] } }));
  assert.equal(js.action, 'block');
  if (js.action === 'block') {
    assert.match(js.message, /must be encrypted \(your organisation requires encryption for mail to fabrikam\.com\)/);
    assert.match(js.message, /"Encrypt & Send"/);
  }
  const mine = decideSend(input({ stored: set(true, false) }));
  assert.match(mine.action === 'block' ? mine.message : '', /must be signed \(you turned it on\)/);
});

test('the stored state: only the documented JSON is accepted; anything else is unreadable (and blocks)', () => {
  assert.deepEqual(parseProtection(null), { status: 'absent' });
  assert.deepEqual(parseProtection(''), { status: 'absent' });
  assert.deepEqual(parseProtection('{"sign":true,"encrypt":false,"v":1}'), { status: 'set', value: { sign: true, encrypt: false } });
  assert.equal(parseProtection('{"sign":"yes","encrypt":false,"v":1}').status, 'unreadable');
  assert.equal(parseProtection('{"sign":true,"encrypt":false,"v":2}').status, 'unreadable');
  assert.equal(parseProtection('{not json').status, 'unreadable');
  assert.equal(parseProtection('null').status, 'unreadable');
  assert.equal(serializeProtection({ sign: true, encrypt: false }), '{"sign":true,"encrypt":false,"v":1}');
});
