// Draft → RFC 5322 (src/compose/build.ts), checked by parsing the result with Signet's own MIME parser:
// the part tree (alternative / related / mixed), cid: inline images, attachments, Bcc nowhere, threading and
// importance headers, RFC 2047 subjects and the size estimates of size.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromLatin1, latin1, utf8 } from '../../../src/core/bytes.js';
import { isSignetError } from '../../../src/core/errors.js';
import { parseMime } from '../../../src/core/mime/parser.js';
import type { MimeEntity } from '../../../src/core/mime/entity.js';
import { buildDraftMessage, parseMsgIds } from '../../../src/compose/build.js';
import { draft } from '../../helpers/drafts.js';
import { allRecipients } from '../../../src/compose/draft.js';
import { mediaTypeFor } from '../../../src/compose/media-types.js';
import { checkSize, estimateMessageBytes, estimateProtectedBytes, GRAPH_MAX_MESSAGE_BYTES } from '../../../src/compose/size.js';
import { withBccForSubmission } from '../../../src/compose/submission.js';

const NOW = new Date('2026-11-20T09:30:00Z');
let counter = 0;
/** Deterministic but different on every call (boundaries of nested multiparts must differ). */
const random = (n: number) => {
  counter++;
  return Uint8Array.from({ length: n }, (_, i) => (i * 37 + counter * 101) & 0xff);
};

function header(e: MimeEntity, name: string): string | undefined {
  return e.header(name);
}

function type(e: MimeEntity): string {
  return e.type;
}

test('plain text only: one text/plain entity with the outer headers', () => {
  const { bytes, messageId } = buildDraftMessage(draft(), { now: NOW, random });
  const text = latin1(bytes);
  assert.match(text, /^Date: Fri, 20 Nov 2026 09:30:00 \+0000\r\nFrom: Alice Example <alice@example\.org>\r\nTo: Bob <bob@example\.org>\r\nSubject: Quarterly numbers\r\n/);
  assert.match(messageId, /^<[0-9a-f]{32}@example\.org>$/);
  assert.ok(text.includes(`Message-ID: ${messageId}\r\n`));
  const root = parseMime(bytes);
  assert.equal(type(root), 'text/plain');
  assert.equal(latin1(root.decodeBody()).replace(/\r\n/g, '\n'), 'Hello Bob,\nthe numbers: 42.\n');
});

test('HTML with inline images and attachments: mixed(alternative(text, related(html, image)), file, message/rfc822)', () => {
  const png = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 1, 2, 3);
  const d = draft({
    html: '<p>Logo: <img src="cid:logo@x"></p>',
    text: 'Logo:',
    inlineImages: [{ name: 'logo.png', contentType: 'image/png', contentId: 'logo@x', content: png }],
    attachments: [
      { kind: 'file', name: 'Preisliste März.pdf', contentType: 'application/pdf', content: utf8('%PDF-1.7 ...') },
      { kind: 'message', name: 'Earlier', contentType: 'message/rfc822', content: utf8('From: x@example.org\nSubject: e\n\nbody\n') },
    ],
  });
  const root = parseMime(buildDraftMessage(d, { now: NOW, random }).bytes);
  assert.equal(type(root), 'multipart/mixed');
  const [body, pdf, eml] = root.children;
  assert.equal(type(body!), 'multipart/alternative');
  assert.deepEqual(body!.children.map(type), ['text/plain', 'multipart/related']);
  const related = body!.children[1]!;
  assert.equal(related.contentType.params['type'], 'text/html');
  assert.deepEqual(related.children.map(type), ['text/html', 'image/png']);
  assert.equal(header(related.children[1]!, 'Content-ID'), '<logo@x>');
  assert.match(header(related.children[1]!, 'Content-Disposition') ?? '', /^inline/);
  assert.deepEqual([...related.children[1]!.decodeBody()], [...png]);
  assert.equal(type(pdf!), 'application/pdf');
  assert.match(header(pdf!, 'Content-Disposition') ?? '', /filename\*=utf-8''Preisliste%20M%C3%A4rz\.pdf/i);
  assert.equal(type(eml!), 'message/rfc822');
  assert.match(header(eml!, 'Content-Disposition') ?? '', /filename="?Earlier\.eml"?/);
});

test('an attached e-mail stays message/rfc822 exactly while it is 7-bit with lines of at most 998 octets and no lone CR', () => {
  const kindOf = (content: string): string => {
    const d = draft({ attachments: [{ kind: 'message', name: 'Earlier', contentType: 'message/rfc822', content: fromLatin1(content) }] });
    const root = parseMime(buildDraftMessage(d).bytes);
    return type(root.children[1]!);
  };
  const head = 'Subject: e\r\n\r\n';
  assert.equal(kindOf(`${head}${'x'.repeat(998)}\r\nend\r\n`), 'message/rfc822');
  assert.equal(kindOf(`${head}${'x'.repeat(998)}\nend\n`), 'message/rfc822', 'bare LF is made CRLF');
  assert.equal(kindOf(`${head}${'x'.repeat(998)}`), 'message/rfc822', 'a last line without a line break');
  assert.equal(kindOf(`${head}${'x'.repeat(999)}\r\nend\r\n`), 'application/octet-stream');
  assert.equal(kindOf(`${head}${'x'.repeat(999)}`), 'application/octet-stream');
  assert.equal(kindOf(`${head}a\rb\r\n`), 'application/octet-stream', 'a lone CR');
  assert.equal(kindOf(`${head}a\x00b\r\n`), 'application/octet-stream', 'NUL');
  assert.equal(kindOf(`${head}caf\xe9\r\n`), 'application/octet-stream', '8-bit');
  assert.equal(kindOf(`${head}a\tb\x01c\r\n`), 'message/rfc822', 'other controls are 7-bit data');
});

test('an 8-bit attached e-mail cannot be message/rfc822 (RFC 2046 §5.2.1): it goes as a base64 .eml file', () => {
  const d = draft({ attachments: [{ kind: 'message', name: 'Grüße', contentType: 'message/rfc822', content: utf8('Subject: Grüße\r\n\r\nÄpfel\r\n') }] });
  const root = parseMime(buildDraftMessage(d, { now: NOW, random }).bytes);
  const att = root.children[1]!;
  assert.equal(type(att), 'application/octet-stream');
  assert.equal(header(att, 'Content-Transfer-Encoding'), 'base64');
  assert.equal(att.contentType.params['name'], 'Grüße.eml');
});

test('a calendar item attachment becomes text/calendar with an .ics name', () => {
  const d = draft({ attachments: [{ kind: 'calendar', name: 'Meeting', contentType: 'text/calendar', content: utf8('BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n') }] });
  const att = parseMime(buildDraftMessage(d, { now: NOW, random }).bytes).children[1]!;
  assert.equal(type(att), 'text/calendar');
  assert.match(header(att, 'Content-Disposition') ?? '', /Meeting\.ics/);
});

test('Bcc is never written; Cc is; a non-ASCII subject and display name are RFC 2047 encoded', () => {
  const d = draft({
    cc: [{ name: 'Carol', address: 'carol@example.org' }],
    bcc: [{ name: 'Secret Sam', address: 'sam@example.org' }],
    subject: 'Grüße aus München',
    from: { name: 'Jürgen', address: 'juergen@example.org' },
  });
  const text = latin1(buildDraftMessage(d, { now: NOW, random }).bytes);
  assert.doesNotMatch(text, /^Bcc:/im);
  assert.doesNotMatch(text, /sam@example\.org/);
  assert.match(text, /\r\nCc: Carol <carol@example\.org>\r\n/);
  assert.match(text, /\r\nSubject: =\?utf-8\?/i);
  assert.match(text, /\r\nFrom: =\?utf-8\?[^\r]*<juergen@example\.org>\r\n/i);
  // but Bcc recipients are recipients
  assert.deepEqual(allRecipients(d).map((a) => a.address), ['bob@example.org', 'carol@example.org', 'sam@example.org']);
});

test('reply threading: In-Reply-To, and References ending with the parent (RFC 5322 §3.6.4); Importance + X-Priority', () => {
  const d = draft({ kind: 'reply', inReplyTo: '<parent@example.org>', references: ['<root@example.org>'], importance: 'high' });
  const text = latin1(buildDraftMessage(d, { now: NOW, random }).bytes);
  assert.match(text, /\r\nIn-Reply-To: <parent@example\.org>\r\n/);
  assert.match(text, /\r\nReferences: <root@example\.org> <parent@example\.org>\r\n/);
  assert.match(text, /\r\nImportance: high\r\nX-Priority: 1 \(Highest\)\r\n/);
  const low = latin1(buildDraftMessage(draft({ importance: 'low' }), { now: NOW, random }).bytes);
  assert.match(low, /\r\nX-Priority: 5 \(Lowest\)\r\n/);
  assert.doesNotMatch(latin1(buildDraftMessage(draft(), { now: NOW, random }).bytes), /Importance|X-Priority|In-Reply-To|References/);
});

test('a header-injection attempt in a msg-id or address is not written', () => {
  const d = draft({ kind: 'reply', inReplyTo: '<a@b>\r\nBcc: evil@example.org', references: ['<x@y>\r\nX-Evil: 1'] });
  const text = latin1(buildDraftMessage(d, { now: NOW, random }).bytes);
  assert.doesNotMatch(text, /evil/i);
  assert.throws(
    () => buildDraftMessage(draft({ to: [{ name: 'x', address: 'bob@example.org>\r\nBcc: evil@example.org' }] }), { now: NOW, random }),
    (e: Error) => isSignetError(e, 'malformed-address'),
  );
});

test('a draft without recipients or with a display name in the address field is refused', () => {
  assert.throws(() => buildDraftMessage(draft({ to: [] }), { now: NOW, random }), (e: Error) => isSignetError(e, 'usage') && /no recipients/.test(e.message));
  assert.throws(() => buildDraftMessage(draft({ to: [{ name: '', address: 'Bob Example' }] }), { now: NOW, random }), (e: Error) => isSignetError(e, 'malformed-address'));
});

test('msg-id parsing keeps only RFC 5322 msg-ids', () => {
  assert.deepEqual(parseMsgIds('<a@b> junk <c d@e> <f@g>'), ['<a@b>', '<f@g>']);
  assert.deepEqual(parseMsgIds(''), []);
});

test('media types by extension', () => {
  assert.equal(mediaTypeFor('Report.PDF'), 'application/pdf');
  assert.equal(mediaTypeFor('photo.jpeg'), 'image/jpeg');
  assert.equal(mediaTypeFor('noext'), 'application/octet-stream');
  assert.equal(mediaTypeFor('trailing.'), 'application/octet-stream');
});

test('size estimates: signing adds a signature, encryption another base64 layer; the Graph limit is 3 MiB of message', () => {
  assert.equal(GRAPH_MAX_MESSAGE_BYTES, 3 * 1024 * 1024);
  const m = 1_000_000;
  assert.equal(estimateProtectedBytes(m, { sign: false, encrypt: false }, 1), m);
  assert.ok(estimateProtectedBytes(m, { sign: true, encrypt: false }, 1) > m);
  const enc = estimateProtectedBytes(m, { sign: true, encrypt: true }, 2);
  assert.ok(enc > m * 1.36 && enc < m * 1.4, String(enc));
  // A 2 MB attachment: ~2.74 MB of MIME, ~3.75 MB encrypted: over Graph's limit.
  const est = estimateProtectedBytes(estimateMessageBytes({ textBytes: 100, htmlBytes: 0, attachmentBytes: [2_000_000] }), { sign: true, encrypt: true }, 1);
  assert.throws(() => checkSize(est, { transport: 'graph', maxMessageBytes: GRAPH_MAX_MESSAGE_BYTES }), (e: Error) => isSignetError(e, 'message-too-large') && /Microsoft Graph/.test(e.message) && /links/.test(e.message));
  assert.throws(() => checkSize(11 * 1024 * 1024, { transport: 'ews', maxMessageBytes: 10 * 1024 * 1024 }), (e: Error) => /Exchange server/.test(e.message) && /administrator/.test(e.message));
  assert.doesNotThrow(() => checkSize(100, { transport: 'graph', maxMessageBytes: GRAPH_MAX_MESSAGE_BYTES }));
});

test('submission: a Bcc field goes in front of the protected message, and only when there is a Bcc', () => {
  const msg = fromLatin1('From: a@example.org\r\nMIME-Version: 1.0\r\n\r\nx');
  assert.equal(withBccForSubmission(msg, []), msg);
  const out = latin1(withBccForSubmission(msg, [{ name: 'Sam', address: 'sam@example.org' }, { name: '', address: 'tom@example.org' }]));
  assert.equal(out, 'Bcc: Sam <sam@example.org>, tom@example.org\r\nFrom: a@example.org\r\nMIME-Version: 1.0\r\n\r\nx');
});
