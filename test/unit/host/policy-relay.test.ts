// The policy's revocation.relay setting and the validator's warning that hard revocation mode needs it
// (issue 15): accepted forms, refused forms (reported by path, falling back to no relay), and the warning
// in the admin status line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePolicy } from '../../../src/policy/policy.js';
import { policyStatusLine } from '../../../src/policy/load.js';

const doc = (revocation: unknown): string => JSON.stringify({ policyVersion: 1, revocation });

test('a same-origin path or an https URL is a relay; other forms are format errors and mean no relay', () => {
  assert.equal(parsePolicy(doc({ mode: 'soft', relay: '/relay' })).policy.revocation.relay, '/relay');
  assert.equal(parsePolicy(doc({ mode: 'soft', relay: 'https://relay.contoso.example/relay' })).policy.revocation.relay, 'https://relay.contoso.example/relay');
  assert.equal(parsePolicy(doc({ mode: 'soft', relay: null })).policy.revocation.relay, null);
  for (const bad of ['http://relay.contoso.example/relay', '//evil.example/relay', 'relay', '/relay?x=1', 'javascript:alert(1)', 42]) {
    const r = parsePolicy(doc({ mode: 'soft', relay: bad }));
    assert.equal(r.policy.revocation.relay, null, String(bad));
    assert.deepEqual(r.errors.map((e) => e.path), ['$.revocation.relay'], String(bad));
  }
});

test('hard mode without a relay: valid, with a needs-relay warning in the status line; with a relay, no warning', () => {
  const hard = parsePolicy(doc({ mode: 'hard' }));
  assert.deepEqual(hard.errors, []);
  assert.deepEqual(hard.warnings?.map((w) => [w.path, w.code]), [['$.revocation.mode', 'needs-relay']]);
  assert.match(policyStatusLine(hard), /^Organisation policy applied\. Warning: \$\.revocation\.mode "hard" needs \$\.revocation\.relay/);
  assert.deepEqual(parsePolicy(doc({ mode: 'hard', relay: '/relay' })).warnings, []);
  assert.deepEqual(parsePolicy(doc({ mode: 'soft' })).warnings, []);
});
