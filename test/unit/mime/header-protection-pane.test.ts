// Header protection in the read pane (taskpane/present.ts presentHeaders, taskpane/content.ts): the words for
// a hidden Subject and for each header changed in transit, nothing presented as protected when nothing
// vouches for it, and the Legacy Display Element left out of the displayed text only when the payload
// carries hp (RFC 9788 §4.5.3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { present, presentHeaders } from '../../../src/taskpane/present.js';
import { extractContent } from '../../../src/taskpane/content.js';
import { parseMime } from '../../../src/core/mime/parser.js';
import { injectHeaderProtection, withoutLegacyDisplay, type HeaderProtectionReport } from '../../../src/core/mime/header-protection.js';
import type { Verdict } from '../../../src/core/verdict.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

function verdictWith(hp: Partial<HeaderProtectionReport> | null): Verdict {
  const report: HeaderProtectionReport | null =
    hp === null
      ? null
      : { scheme: 'rfc9788', hp: 'clear', protection: 'signed', fields: [], subject: 'Handling the Jones contract', from: 'Alice <alice@smime.example>', to: null, cc: null, date: null, hidden: [], mismatches: [], legacyDisplay: 'none', problems: [], ...hp };
  return { status: 'valid', summary: '', code: null, layers: [], signer: null, signers: [], from: null, warnings: [], checkedAt: new Date(0).toISOString(), revocation: 'offline', error: null, enclosedSigned: [], headerProtection: report };
}

test('no header protection: no section', () => {
  assert.equal(presentHeaders(verdictWith(null)), null);
});

test('a hidden Subject: the real one shown, what the servers saw named', () => {
  const p = presentHeaders(verdictWith({ hp: 'cipher', protection: 'signed-and-encrypted', hidden: [{ field: 'subject', outer: '[...]' }] }))!;
  assert.equal(p.subject, 'Handling the Jones contract');
  assert.equal(p.hiddenSubjectAs, '[...]');
  assert.equal(p.warning, false);
  assert.equal(p.basis, 'Protected by the signature.');
});

test('changed, removed and added headers: each named, with the value the sender wrote', () => {
  const p = presentHeaders(
    verdictWith({
      mismatches: [
        { field: 'subject', change: 'changed', signed: 'Handling the Jones contract', outer: 'Pay now' },
        { field: 'to', change: 'removed', signed: 'Bob <bob@smime.example>', outer: null },
        { field: 'cc', change: 'added', signed: null, outer: 'eve@attacker.example' },
      ],
    }),
  )!;
  assert.equal(p.warning, true);
  assert.deepEqual(p.changes.map((c) => c.text), [
    'Subject was changed in transit to \u201cPay now\u201d; the sender wrote \u201cHandling the Jones contract\u201d.',
    'To was removed in transit; the sender wrote \u201cBob <bob@smime.example>\u201d.',
    'Cc \u201ceve@attacker.example\u201d was added in transit; the sender did not write it.',
  ]);
});

test('nothing vouches for the fields (broken signature, CBC without signature): no change is asserted, and the basis says so', () => {
  const p = presentHeaders(verdictWith({ protection: 'none', mismatches: [{ field: 'subject', change: 'changed', signed: 'a', outer: 'b' }] }))!;
  assert.deepEqual(p.changes, []);
  assert.equal(p.warning, false);
  assert.match(p.basis, /^Not protected against changes/);
});

const MESSAGE =
  'From: Alice <alice@smime.example>\r\nTo: Bob <bob@smime.example>\r\nSubject: Handling the Jones contract\r\nMIME-Version: 1.0\r\n' +
  'Content-Type: text/plain; charset=utf-8\r\n\r\nPlease send me the signed copy.\r\n';

test('the pane leaves the Legacy Display Element out of the text of a header-protected payload', () => {
  const { payload } = injectHeaderProtection(enc(MESSAGE), 'cipher', { legacyDisplay: true });
  const view = extractContent(parseMime(payload));
  assert.deepEqual(view.body, { kind: 'text', text: 'Please send me the signed copy.\r\n' });
});

test('without hp on the payload root, a part marked hp-legacy-display keeps all its text', () => {
  const plain = 'Content-Type: text/plain; charset=utf-8; hp-legacy-display="1"\r\n\r\nSubject: x\r\n\r\nBody\r\n';
  assert.deepEqual(extractContent(parseMime(enc(plain))).body, { kind: 'text', text: 'Subject: x\r\n\r\nBody\r\n' });
});

test('withoutLegacyDisplay: text without the header-lines shape, or HTML without the div, is unchanged', () => {
  assert.equal(withoutLegacyDisplay('Dear Bob,\r\n\r\nhi', false), 'Dear Bob,\r\n\r\nhi');
  assert.equal(withoutLegacyDisplay('Subject: a\r\nno blank line', false), 'Subject: a\r\nno blank line');
  assert.equal(withoutLegacyDisplay('<p>hi</p>', true), '<p>hi</p>');
  assert.equal(withoutLegacyDisplay('<body><div class="header-protection-legacy-display"><pre>Subject: a</pre></div>\n<p>hi</p></body>', true), '<body><p>hi</p></body>');
});

test('a verified message with a Subject changed in transit is not shown as plainly good: caution, the change named', () => {
  const v = verdictWith({ mismatches: [{ field: 'subject', change: 'changed', signed: 'Handling the Jones contract', outer: 'Pay now' }] });
  const p = present(v, { byteExact: true });
  assert.equal(p.state, 'valid');
  assert.equal(p.severity, 'caution');
  assert.equal(p.title, 'Signed, but the Subject was changed');
  assert.equal(p.sentence, 'Signed by the sender, and the content is unchanged, but the Subject shown by Outlook was changed in transit. The values the sender wrote are shown below.');
  assert.ok(p.infoBar.length <= 150);
  assert.equal(p.infoBarKind, 'informational');
  // Without a change, the same verdict is plainly good.
  assert.equal(present(verdictWith({}), { byteExact: true }).severity, 'good');
});
