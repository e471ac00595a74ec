// Defaults that protect (src/compose/defaults.ts, issue 18) and their policy settings ($.compose in
// src/policy/policy.ts): Sign starts on where a key exists, Encrypt switches itself on only under the policy
// or after the last missing recipient was fixed in place, a switch the sender set is never overridden, and
// encrypted-but-unsigned mail is signed unless the sender chose otherwise (then it asks).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyDefaults, parseChoice, people, sentSentence, serializeChoice, unsignedEncryption, type ReadinessFacts } from '../../../src/compose/defaults.js';
import { validatePolicy } from '../../../src/policy/policy.js';

const AUTO = { sign: 'auto', encrypt: 'auto' } as const;
const USER = { sign: 'user', encrypt: 'user' } as const;
const ALL_READY: ReadinessFacts = { canSign: true, ownCertificate: true, recipients: 2, missing: 0 };
const ONE_MISSING: ReadinessFacts = { canSign: true, ownCertificate: true, recipients: 2, missing: 1 };
const OFF = { sign: false, encrypt: false };

test('Sign starts on by default when a signing key exists, and off (not a broken promise) without one', () => {
  const policy = { signByDefault: true, encryptWhenReady: false };
  assert.deepEqual(applyDefaults(OFF, AUTO, policy, ONE_MISSING), { sign: true, encrypt: false });
  assert.deepEqual(applyDefaults(OFF, AUTO, policy, { ...ONE_MISSING, canSign: false }), { sign: false, encrypt: false });
  assert.deepEqual(applyDefaults(OFF, AUTO, { ...policy, signByDefault: false }, ONE_MISSING), { sign: false, encrypt: false });
});

test('Encrypt switches itself on only under encryptWhenReady (every recipient and the own copy ready), and off again when someone is missing', () => {
  const policy = { signByDefault: true, encryptWhenReady: true };
  assert.equal(applyDefaults(OFF, AUTO, policy, ALL_READY).encrypt, true);
  assert.equal(applyDefaults({ sign: true, encrypt: true }, AUTO, policy, ONE_MISSING).encrypt, false);
  assert.equal(applyDefaults(OFF, AUTO, policy, { ...ALL_READY, ownCertificate: false }).encrypt, false);
  assert.equal(applyDefaults(OFF, AUTO, policy, { ...ALL_READY, recipients: 0 }).encrypt, false);
  assert.equal(applyDefaults(OFF, AUTO, { ...policy, encryptWhenReady: false }, ALL_READY).encrypt, false, 'without the policy, readiness alone changes nothing');
});

test('fixing the last missing recipient in place turns Encrypt on (without the policy); a partial fix does not', () => {
  const policy = { signByDefault: true, encryptWhenReady: false };
  assert.equal(applyDefaults(OFF, AUTO, policy, ALL_READY, true).encrypt, true);
  assert.equal(applyDefaults(OFF, AUTO, policy, ONE_MISSING, true).encrypt, false);
});

test('a switch the sender set is never changed by a default', () => {
  const policy = { signByDefault: true, encryptWhenReady: true };
  assert.deepEqual(applyDefaults(OFF, USER, policy, ALL_READY, true), OFF);
  assert.deepEqual(applyDefaults({ sign: true, encrypt: true }, USER, policy, ONE_MISSING), { sign: true, encrypt: true });
  assert.deepEqual(applyDefaults(OFF, { sign: 'user', encrypt: 'auto' }, policy, ALL_READY), { sign: false, encrypt: true });
});

test('encrypted but not signed: signed too when Sign was off by default; asks when the sender chose it or has no key', () => {
  const enc = { sign: false, encrypt: true };
  assert.deepEqual(unsignedEncryption(enc, AUTO, true), { action: 'sign-too' });
  assert.deepEqual(unsignedEncryption(enc, { sign: 'user', encrypt: 'auto' }, true), { action: 'ask', reason: 'sender-chose' });
  assert.deepEqual(unsignedEncryption(enc, AUTO, false), { action: 'ask', reason: 'no-signing-key' });
  assert.deepEqual(unsignedEncryption({ sign: true, encrypt: true }, USER, true), { action: 'send' });
  assert.deepEqual(unsignedEncryption({ sign: true, encrypt: false }, USER, true), { action: 'send' });
});

test('the choice record round-trips and anything else is unreadable (null)', () => {
  assert.deepEqual(parseChoice(serializeChoice({ sign: 'user', encrypt: 'auto' })), { sign: 'user', encrypt: 'auto' });
  for (const bad of ['', 'x', '{}', '{"sign":"user","encrypt":"auto"}', '{"sign":true,"encrypt":"auto","v":1}', 'null']) assert.equal(parseChoice(bad), null, bad);
  assert.equal(parseChoice(null), null);
});

test('the confirmation sentence counts people in words', () => {
  assert.equal(people(1), '1 person');
  assert.equal(people(2), '2 people');
  assert.equal(sentSentence('signed and encrypted', 2), 'Sent signed and encrypted to 2 people; the protected copy is in Sent Items.');
});

test('policy $.compose: defaults Sign on / Encrypt-when-ready off; booleans apply; a bad value keeps its default with a path; unknown keys are named', () => {
  assert.deepEqual(validatePolicy({ policyVersion: 1 }).policy.compose, { signByDefault: true, encryptWhenReady: false });
  const set = validatePolicy({ policyVersion: 1, compose: { signByDefault: false, encryptWhenReady: true } });
  assert.deepEqual(set.errors, []);
  assert.deepEqual(set.policy.compose, { signByDefault: false, encryptWhenReady: true });
  const bad = validatePolicy({ policyVersion: 1, compose: { signByDefault: 'no', encryptWhenReady: true, autoEncrypt: true } });
  assert.deepEqual(bad.policy.compose, { signByDefault: true, encryptWhenReady: true });
  assert.deepEqual(bad.errors.map((e) => [e.path, e.code]).sort(), [['$.compose.autoEncrypt', 'unknown-field'], ['$.compose.signByDefault', 'type']]);
  assert.deepEqual(validatePolicy({ policyVersion: 1, compose: [] }).errors.map((e) => e.code), ['type']);
});
