// Every common mail structure renders (issue 12, finding 6): each client shape of test/fixtures/structures/
// (see its README for which client each follows and where that knowledge comes from) gives the expected body
// kind, key text, inline pictures resolved to data: URLs, and attachments with their names and sizes. Plus
// Signet's own builder output (src/compose/build.ts), RFC 3676 unwrapping, and the content safety rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { parseMime } from '../../../src/core/mime/parser.js';
import { buildDraftMessage } from '../../../src/compose/build.js';
import { contentSafety, extractContent, formatSize, unflow, type ContentView } from '../../../src/taskpane/content.js';
import type { Layer, Verdict } from '../../../src/core/verdict.js';
import { draft } from '../../helpers/drafts.js';

function open(name: string): ContentView {
  return extractContent(parseMime(new Uint8Array(readFileSync(`test/fixtures/structures/${name}`))));
}

const files = (v: ContentView): string[] => v.attachments.map((a) => `${a.name} ${formatSize(a.bytes.length)}`);
const PNG_DATA = /^data:image\/png;base64,iVBORw0KGgo/;

test('Thunderbird: alternative [flowed text, related [html, picture]] + PDF shows the HTML with its picture', () => {
  const v = open('thunderbird-alternative-related.eml');
  assert.equal(v.body?.kind, 'html');
  assert.match(v.body.text, /plan for the offsite/);
  assert.doesNotMatch(v.body.text, /PLAIN-ALTERNATIVE-ONLY/, 'the text alternative is not shown as well');
  assert.deepEqual([...v.inline.keys()], ['part1.Xy7Q2b1c.8fK3dLmN@example.org']);
  assert.match(v.inline.get('part1.Xy7Q2b1c.8fK3dLmN@example.org')!, PNG_DATA);
  assert.deepEqual(files(v), ['agenda.pdf 1.5 KB']);
  assert.equal(v.attachments[0]!.bytes.length, 1543);
});

test('Apple Mail: alternative [text, related; type=text/html [QP html, picture]] shows the HTML with its picture', () => {
  const v = open('apple-mail-alternative-related.eml');
  assert.equal(v.body?.kind, 'html');
  assert.match(v.body.text, /<b>photo from the site visit<\/b>/);
  assert.match(v.body.text, /src="cid:7C1A2B3D-4E5F-6A7B-8C9D-0E1F2A3B4C5D"/, 'quoted-printable decoded');
  assert.doesNotMatch(v.body.text, /PLAIN-ALTERNATIVE-ONLY/);
  assert.match(v.inline.get('7C1A2B3D-4E5F-6A7B-8C9D-0E1F2A3B4C5D')!, PNG_DATA);
  assert.deepEqual(files(v), [], 'the picture the HTML uses is not also an attachment');
});

test('Apple Mail: mixed HTML fragments with a picture and a PDF between them render concatenated, in order', () => {
  const v = open('apple-mail-mixed-fragments.eml');
  assert.equal(v.body?.kind, 'html');
  const t = v.body.text;
  const one = t.indexOf('FRAGMENT-ONE');
  const picture = t.search(/<img src="data:image\/png;base64,iVBORw0KGgo[^"]*" alt="before\.png">/);
  const two = t.indexOf('FRAGMENT-TWO');
  const three = t.indexOf('FRAGMENT-THREE');
  assert.ok(one >= 0 && picture > one && two > picture && three > two, `order: ${one} ${picture} ${two} ${three}`);
  assert.doesNotMatch(t, /PLAIN-ALTERNATIVE-ONLY/);
  assert.deepEqual(files(v), ['before.png 105 B', 'Site report.pdf 1.5 KB']);
});

test('Outlook: related [alternative [text, html], image001.png] + XLSX shows the HTML with its picture', () => {
  const v = open('outlook-related-alternative.eml');
  assert.equal(v.body?.kind, 'html');
  assert.match(v.body.text, /<b>budget for 2027<\/b>/);
  assert.match(v.body.text, /src="cid:image001\.png@01DB4C2A\.5E6F7A80"/, 'soft line breaks of quoted-printable joined');
  assert.doesNotMatch(v.body.text, /PLAIN-ALTERNATIVE-ONLY/);
  assert.match(v.inline.get('image001.png@01DB4C2A.5E6F7A80')!, PNG_DATA);
  assert.deepEqual(files(v), ['Budget 2027.xlsx 3.0 KB']);
  assert.equal(v.attachments[0]!.bytes.length, 3076);
  assert.equal(v.attachments[0]!.mediaType, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
});

test('format=flowed; delsp=yes: soft breaks unwrapped, stuffing removed, quotes and the signature kept (RFC 3676)', () => {
  const v = open('plain-flowed-delsp.eml');
  assert.equal(v.body?.kind, 'text');
  assert.equal(
    v.body.text,
    [
      'Dana wrote:',
      '> Can you confirm the new numbers before Friday? The board meets on Monday.',
      '',
      'Yes: revenue is EUR 1,250,000 and costs are EUR 980,000. This long paragraph was wrapped by the sender with DelSp=yes, so the space before each soft break is not part of the text and must be deleted when unwrapping.',
      'From now on this line starts with a stuffed space.',
      '',
      '-- ',
      'Alice',
      '',
    ].join('\n'),
  );
  assert.deepEqual(files(v), []);
});

test('unflow without delsp keeps the space; quote depth changes end a paragraph (RFC 3676 §4.5)', () => {
  assert.equal(unflow('one \r\ntwo \r\nthree\r\n', false), 'one two three\n');
  assert.equal(unflow('> a \r\n>> b\r\n', false), '> a \n>> b\n');
  assert.equal(unflow('-- \r\nsig', false), '-- \nsig');
});

test('mixed [text, picture, text, CSV]: text parts and the picture in order, the CSV as an attachment', () => {
  const v = open('mixed-inline-parts.eml');
  assert.equal(v.body?.kind, 'html', 'a picture between text parts needs HTML');
  const t = v.body.text;
  assert.ok(t.indexOf('TEXT-ONE') < t.indexOf('<img src="data:image/png') && t.indexOf('<img src="data:image/png') < t.indexOf('TEXT-TWO'));
  assert.match(t, /TEXT-TWO: &lt;not a tag&gt; &amp; the readings/, 'plain text is escaped, never parsed as HTML');
  assert.deepEqual(files(v), ['meter.png 114 B', 'readings.csv 39 B']);
});

test('related with start=: the named root is the body; a %-encoded cid resolves; an unused resource is a file', () => {
  const v = open('related-start-param.eml');
  assert.equal(v.body?.kind, 'html');
  assert.match(v.body.text, /ROOT-BODY named by start/);
  assert.deepEqual([...v.inline.keys()].sort(), ['logo@example.org', 'unused.picture@example.org']);
  assert.deepEqual(files(v), ['part-1.png 105 B']);
});

test('broken cid: references never blank the message (extraction keeps the body and the good picture)', () => {
  const v = open('broken-cid-references.eml');
  assert.equal(v.body?.kind, 'html');
  assert.match(v.body.text, /BROKEN-CID text stays visible/);
  assert.deepEqual([...v.inline.keys()], ['good@example.org']);
  assert.deepEqual(files(v), []);
});

test("Signet's own builder: mixed [alternative [text, related [html, picture]], attachment] shows the HTML", () => {
  const png = new Uint8Array(readFileSync('test/fixtures/structures/related-start-param.eml')).subarray(0, 10); // any bytes
  const built = buildDraftMessage(
    draft({
      html: '<p>Hello <b>Bob</b>, the chart: <img src="cid:chart@signet"></p>',
      text: 'Hello Bob, PLAIN-ALTERNATIVE-ONLY',
      inlineImages: [{ name: 'chart.png', contentType: 'image/png', contentId: 'chart@signet', content: png }],
      attachments: [{ kind: 'file', name: 'numbers.csv', contentType: 'text/csv', content: new Uint8Array(2500) }],
    }),
  );
  const v = extractContent(parseMime(built.bytes));
  assert.equal(v.body?.kind, 'html');
  assert.match(v.body.text, /Hello <b>Bob<\/b>/);
  assert.equal(v.inline.get('chart@signet'), `data:image/png;base64,${Buffer.from(png).toString('base64')}`);
  assert.deepEqual(files(v), ['numbers.csv 2.4 KB']);
});

test('alternative with a part Signet cannot show (text/calendar) offers it as a file and shows the HTML', () => {
  const mime = [
    'Content-Type: multipart/alternative; boundary=b',
    '',
    '--b',
    'Content-Type: text/plain',
    '',
    'plain',
    '--b',
    'Content-Type: text/html',
    '',
    '<p>INVITE-HTML</p>',
    '--b',
    'Content-Type: text/calendar; method=REQUEST; name=invite.ics',
    '',
    'BEGIN:VCALENDAR',
    'END:VCALENDAR',
    '--b--',
    '',
  ].join('\r\n');
  const v = extractContent(parseMime(new TextEncoder().encode(mime)));
  assert.equal(v.body?.kind, 'html');
  assert.match(v.body.text, /INVITE-HTML/);
  assert.deepEqual(files(v), ['invite.ics 30 B']);
});

test('formatSize uses human units', () => {
  assert.deepEqual([0, 1023, 1024, 1536, 1048576, 5 * 1024 ** 3].map(formatSize), ['0 B', '1023 B', '1.0 KB', '1.5 KB', '1.0 MB', '5.0 GB']);
});

function verdict(over: Partial<Verdict>): Pick<Verdict, 'status' | 'code' | 'layers' | 'warnings'> {
  return { status: 'unsigned', code: null, layers: [], warnings: [], ...over };
}
const cbc: Layer = { kind: 'encrypted', contentType: 'enveloped-data', cipher: 'AES-256-CBC', integrityProtected: false, recipients: 1, keyManagement: [], status: 'decrypted' };
const gcm: Layer = { kind: 'encrypted', contentType: 'auth-enveloped-data', cipher: 'AES-256-GCM', integrityProtected: true, recipients: 1, keyManagement: [], status: 'decrypted' };
const notProtected = { code: 'not-integrity-protected', message: 'CBC' } as const;

test('content safety: links are inert without integrity protection or under a failed check (rule 11)', () => {
  assert.deepEqual(contentSafety(verdict({ layers: [cbc], warnings: [notProtected] })), { integrityProtected: false, failedCheck: false, inertLinks: true });
  // CBC with no warning but a status other than valid is still unprotected (derived from the layers too).
  assert.deepEqual(contentSafety(verdict({ layers: [cbc], status: 'untrusted' })), { integrityProtected: false, failedCheck: true, inertLinks: true });
  // CBC with a valid signature inside: protected by the signature.
  assert.deepEqual(contentSafety(verdict({ layers: [cbc], status: 'valid' })), { integrityProtected: true, failedCheck: false, inertLinks: false });
  assert.deepEqual(contentSafety(verdict({ layers: [gcm] })), { integrityProtected: true, failedCheck: false, inertLinks: false });
  assert.deepEqual(contentSafety(verdict({ status: 'valid' })), { integrityProtected: true, failedCheck: false, inertLinks: false });
  for (const status of ['invalid', 'revoked', 'sender-mismatch', 'malformed'] as const) {
    assert.deepEqual(contentSafety(verdict({ status, layers: [gcm] })), { integrityProtected: true, failedCheck: true, inertLinks: true }, status);
  }
  // A forged or untrusted signer is danger on the pane's scale (severity.ts): links inert too; revocation
  // unknown under a hard policy is caution and keeps them.
  assert.deepEqual(contentSafety(verdict({ status: 'untrusted', code: 'untrusted-root', layers: [gcm] })), { integrityProtected: true, failedCheck: true, inertLinks: true });
  assert.equal(contentSafety(verdict({ status: 'untrusted', code: 'revocation-unknown' })).inertLinks, false);
  // An outdated algorithm follows the policy's severity.
  assert.equal(contentSafety(verdict({ status: 'outdated-algorithm', code: 'insecure-algorithm' })).inertLinks, false);
  assert.equal(contentSafety(verdict({ status: 'outdated-algorithm', code: 'insecure-algorithm' }), { outdatedSignatureSeverity: 'danger' }).inertLinks, true);
  for (const status of ['expired', 'unsigned', 'valid'] as const) assert.equal(contentSafety(verdict({ status })).inertLinks, false, status);
});

test('a picture in multipart/mixed that the HTML references by cid: is shown there once, not appended or listed', () => {
  const mime = [
    'Content-Type: multipart/mixed; boundary=b',
    '',
    '--b',
    'Content-Type: text/html',
    '',
    '<p>MIXED-CID <img src="cid:pic@x"></p>',
    '--b',
    'Content-Type: image/png',
    'Content-ID: <pic@x>',
    'Content-Transfer-Encoding: base64',
    '',
    'iVBORw0KGgo=',
    '--b--',
    '',
  ].join('\r\n');
  const v = extractContent(parseMime(new TextEncoder().encode(mime)));
  assert.equal(v.body?.kind, 'html');
  assert.equal(v.body.text, '<p>MIXED-CID <img src="cid:pic@x"></p>');
  assert.equal(v.inline.get('pic@x'), 'data:image/png;base64,iVBORw0KGgo=');
  assert.deepEqual(files(v), []);
});

test('consume: every structure extracts to the same view when its parts are decoded in place, and decodes into its own bytes', () => {
  const names = readdirSync('test/fixtures/structures').filter((n) => n.endsWith('.eml'));
  assert.ok(names.length >= 4, names.join(', '));
  let inPlace = 0;
  for (const name of names) {
    const original = new Uint8Array(readFileSync(`test/fixtures/structures/${name}`));
    const expected = extractContent(parseMime(original.slice()));
    const handed = original.slice();
    const got = extractContent(parseMime(handed), { consume: true });
    assert.deepEqual(got, expected, name);
    // Attachments decoded from base64 are views on the handed bytes, not new buffers.
    for (const a of got.attachments) if (a.bytes.buffer === handed.buffer) inPlace++;
  }
  assert.ok(inPlace > 0, 'some attachment was decoded in place');
});
