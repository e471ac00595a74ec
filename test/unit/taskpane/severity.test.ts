// severity.ts: every badge state has exactly one level, the levels are the four of the README, danger stays
// danger (never neutral) for forged/tampered/untrusted/mismatch/revoked/malformed, the policy switch for
// outdated algorithms, and the info-bar type follows the level.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SEVERITIES, SEVERITY_LABEL, infoBarKind, severityOf, type BadgeState } from '../../../src/taskpane/severity.js';

const EXPECTED: Record<BadgeState, string> = {
  valid: 'good',
  'outdated-algorithm': 'caution',
  invalid: 'danger',
  revoked: 'danger',
  untrusted: 'danger',
  'sender-mismatch': 'danger',
  malformed: 'danger',
  expired: 'caution',
  unsigned: 'neutral',
  'decryption-failed': 'neutral',
  unverifiable: 'neutral',
};

test('each state maps to its documented level', () => {
  for (const [state, level] of Object.entries(EXPECTED) as [BadgeState, string][]) {
    assert.equal(severityOf({ state }), level, state);
  }
});

test('codes that change the level', () => {
  assert.equal(severityOf({ state: 'untrusted', code: 'revocation-unknown' }), 'caution');
  assert.equal(severityOf({ state: 'untrusted', code: 'untrusted-root' }), 'danger');
  assert.equal(severityOf({ state: 'decryption-failed', code: 'authentication-failed' }), 'danger');
  assert.equal(severityOf({ state: 'decryption-failed', code: 'not-a-recipient' }), 'neutral');
  assert.equal(severityOf({ state: 'unsigned', notIntegrityProtected: true }), 'caution');
  assert.equal(severityOf({ state: 'outdated-algorithm' }, { outdatedSignatureSeverity: 'danger' }), 'danger');
  assert.equal(severityOf({ state: 'outdated-algorithm' }, { outdatedSignatureSeverity: 'caution' }), 'caution');
});

test('an unknown state is refused, not silently given a level', () => {
  assert.throws(() => severityOf({ state: 'brand-new' as BadgeState }), /No severity decided/);
});

test('four levels, each with its own words; only danger uses ErrorMessage', () => {
  assert.deepEqual([...SEVERITIES], ['danger', 'caution', 'neutral', 'good']);
  assert.equal(new Set(Object.values(SEVERITY_LABEL)).size, 4);
  assert.deepEqual(SEVERITIES.map(infoBarKind), ['error', 'informational', 'informational', 'informational']);
});
