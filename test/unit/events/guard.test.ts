// The send guard's decision table (src/events/guard.ts): allow only when the policy was read and nothing is
// asked or required; protect in a browser runtime once the keys are there; block — with the compose pane as
// Smart Alerts commandId where finishing there helps — in every other case.
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
    readiness: null,
    alreadySent: null,
    toAscii: domainKey,
    ...over,
  };
}

const set = (sign: boolean, encrypt: boolean) => ({ status: 'set' as const, value: { sign, encrypt } });
const ready = { canSign: true, ownCertificate: true, missing: [] };

test('nothing asked, nothing required, policy read: Outlook sends', () => {
  assert.deepEqual(decideSend(input()), { action: 'allow' });
  assert.deepEqual(decideSend(input({ stored: set(false, false) })), { action: 'allow' });
  assert.deepEqual(decideSend(input({ runtime: 'javascript-only' })), { action: 'allow' });
});

test('asked or required in a browser runtime: check the keys, then protect', () => {
  assert.deepEqual(decideSend(input({ stored: set(true, false) })), { action: 'check-readiness', protection: { sign: true, encrypt: false } });
  assert.deepEqual(decideSend(input({ policy: { status: 'loaded', policy: policy({ alwaysSign: true }) }, stored: set(false, true), readiness: ready })), {
    action: 'protect',
    protection: { sign: true, encrypt: true },
  });
  assert.deepEqual(decideSend(input({ policy: { status: 'loaded', policy: policy({ required: 'always' }) }, readiness: ready })), { action: 'protect', protection: { sign: false, encrypt: true } });
});

test('the user cannot switch off what the policy requires', () => {
  const d = decideSend(input({ policy: { status: 'loaded', policy: policy({ alwaysSign: true }) }, stored: set(false, false), readiness: ready }));
  assert.deepEqual(d, { action: 'protect', protection: { sign: true, encrypt: false } });
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

test('blocks with the pane: unreadable settings, policy unavailable, unreadable recipients, classic runtime, missing keys', () => {
  const cases: [Partial<GuardInput>, string][] = [
    [{ stored: { status: 'unreadable', reason: 'x' } }, 'protection-unreadable'],
    [{ policy: { status: 'unavailable', reason: 'HTTP 404' } }, 'policy-unavailable'],
    [{ policy: { status: 'loaded', policy: policy({ required: 'domains', domains: ['x.example'] }) }, recipients: { status: 'unreadable', reason: 'x' } }, 'recipients-unreadable'],
    [{ stored: set(true, false), runtime: 'javascript-only' }, 'javascript-only'],
    [{ stored: set(true, false), readiness: { ...ready, canSign: false } }, 'no-signing-key'],
    [{ stored: set(false, true), readiness: { ...ready, missing: ['erin@example.org', 'zed@x.example'] } }, 'missing-certificates'],
    [{ stored: set(false, true), readiness: { ...ready, ownCertificate: false } }, 'no-own-certificate'],
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

test('messages say what is required, why, and who lacks a certificate', () => {
  const js = decideSend(input({ runtime: 'javascript-only', policy: { status: 'loaded', policy: policy({ required: 'domains', domains: ['fabrikam.com'] }) }, recipients: { status: 'read', addresses: ['x@fabrikam.com'] } }));
  assert.equal(js.action, 'block');
  if (js.action === 'block') {
    assert.match(js.message, /must be encrypted \(your organisation requires encryption for mail to fabrikam\.com\)/);
    assert.match(js.message, /"Encrypt & Send"/);
  }
  const missing = decideSend(input({ stored: set(true, true), readiness: { ...ready, missing: ['a@x.example', 'b@x.example', 'c@x.example', 'd@x.example', 'e@x.example', 'f@x.example'] } }));
  if (missing.action === 'block') assert.match(missing.message, /6 recipients have no certificate: a@x\.example, b@x\.example, c@x\.example, d@x\.example and 2 more/);
  const one = decideSend(input({ stored: set(false, true), readiness: { ...ready, missing: ['a@x.example'] } }));
  if (one.action === 'block') assert.match(one.message, /1 recipient has no certificate: a@x\.example/);
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
