// Where 'outdated-algorithm' sits among the statuses (issue 12): the least severe failure, above only
// 'unsigned' and 'valid', so any other finding that applies to the same message wins.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STATUS_SEVERITY, worstStatus } from '../../../src/core/verdict.js';
import { summarize } from '../../../src/core/smime/summary.js';

test('STATUS_SEVERITY: outdated-algorithm is after sender-mismatch and before unsigned', () => {
  assert.deepEqual(STATUS_SEVERITY, ['malformed', 'decryption-failed', 'invalid', 'revoked', 'expired', 'untrusted', 'sender-mismatch', 'outdated-algorithm', 'unsigned', 'valid']);
  for (const worse of ['invalid', 'revoked', 'expired', 'untrusted', 'sender-mismatch'] as const) {
    assert.equal(worstStatus('outdated-algorithm', worse), worse);
    assert.equal(worstStatus(worse, 'outdated-algorithm'), worse);
  }
  assert.equal(worstStatus('valid', 'outdated-algorithm'), 'outdated-algorithm');
});

test('the outdated-algorithm sentence says the content matches, names the method, and what to do', () => {
  const s = summarize('outdated-algorithm', 'insecure-algorithm', 'alice@example.org', 'alice@example.org', false, 'SHA-1');
  assert.equal(
    s,
    'The content matches what was signed, but it was signed with an outdated method (SHA-1) that a determined attacker can forge. Ask the sender to update their mail program.',
  );
  assert.match(summarize('outdated-algorithm', 'insecure-algorithm', null, null, false, 'MD5'), /\(MD5\)/);
  assert.match(summarize('expired', 'signing-time-future', 'a@example.org', 'a@example.org', false), /claims to have been signed is in the future/);
});
