// The read pane's presentation of a Verdict: one state per status, the core's sentence, the info-bar text
// within Outlook's 150 characters, and "could not be checked in this Outlook" instead of "tampered" only
// for a failed clear signature read from a copy the client may have rebuilt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Verdict } from '../../../src/core/verdict.js';
import { INFO_BAR_MAX, formatFingerprint, mayBeReserialized, present } from '../../../src/taskpane/present.js';

function verdict(over: Partial<Verdict>): Verdict {
  return {
    status: 'valid',
    summary: 'Signed by alice@example.org. The message has not been changed since it was signed.',
    code: null,
    layers: [{ kind: 'signed', format: 'multipart-signed', digestAlgorithms: ['SHA-256'], signers: 1, status: 'valid' }],
    signer: null,
    signers: [],
    from: 'alice@example.org',
    warnings: [],
    checkedAt: '2026-01-01T00:00:00Z',
    revocation: 'not-configured',
    error: null,
    enclosedSigned: [],
    ...over,
  };
}

test('valid: success tone, the core sentence, the same sentence in the info bar', () => {
  const p = present(verdict({}), { byteExact: true });
  assert.equal(p.state, 'valid');
  assert.equal(p.tone, 'success');
  assert.equal(p.sentence, verdict({}).summary);
  assert.equal(p.infoBar, `Signet: ${verdict({}).summary}`);
});

test('digest mismatch on a byte-exact source stays "invalid" (tampered)', () => {
  const v = verdict({ status: 'invalid', code: 'digest-mismatch', summary: 'Do not trust this message: …' });
  assert.equal(present(v, { byteExact: true }).state, 'invalid');
});

test('digest mismatch on a rebuilt copy becomes "could not be checked in this Outlook", with how to check', () => {
  const v = verdict({ status: 'invalid', code: 'digest-mismatch', summary: 'Do not trust this message: …' });
  const p = present(v, { byteExact: false });
  assert.equal(p.state, 'unverifiable');
  assert.match(p.title, /could not be checked in this Outlook/i);
  assert.match(p.howToCheck ?? '', /\.eml/);
  assert.match(p.howToCheck ?? '', /signet verify/);
  assert.doesNotMatch(p.sentence, /changed after/);
});

test('other failures on a rebuilt copy are not excused', () => {
  assert.equal(mayBeReserialized(verdict({ status: 'invalid', code: 'econtent-confusion' }), false), false);
  assert.equal(mayBeReserialized(verdict({ status: 'untrusted', code: 'untrusted-root' }), false), false);
  const opaque = verdict({ status: 'invalid', code: 'digest-mismatch', layers: [{ kind: 'signed', format: 'opaque', digestAlgorithms: [], signers: 1, status: 'invalid' }] });
  assert.equal(mayBeReserialized(opaque, false), false, 'opaque signed-data carries its content: Outlook cannot have rebuilt it');
});

test('the info bar text never exceeds Outlook’s 150 characters', () => {
  const long = verdict({ status: 'sender-mismatch', summary: 'x'.repeat(400) });
  assert.ok(present(long, { byteExact: true }).infoBar.length <= INFO_BAR_MAX);
});

test('fingerprints are shown as colon-separated upper-case pairs', () => {
  assert.equal(formatFingerprint('0a1bff'), '0A:1B:FF');
});
