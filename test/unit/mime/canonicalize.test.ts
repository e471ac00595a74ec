import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromUtf8 } from '../../../src/core/bytes.js';
import { buildEntity } from '../../../src/core/mime/builder.js';
import { joinMessage, prepareForSigning, splitMessage, toCanonical } from '../../../src/core/mime/canonicalize.js';
import { parseMime } from '../../../src/core/mime/parser.js';
import { assertExactSlices, b, code, s } from './util.js';

test('toCanonical: bare LF to CRLF, CRLF and lone CR untouched, same view when already canonical', () => {
  assert.equal(s(toCanonical(b('a\nb\r\nc\rd\n'))), 'a\r\nb\r\nc\rd\r\n');
  assert.equal(s(toCanonical(b('\n'))), '\r\n');
  const clean = b('a\r\nb');
  assert.equal(toCanonical(clean), clean);
});

test('prepareForSigning returns 7-bit CRLF input unchanged (same bytes, same view)', () => {
  const entity = buildEntity({ contentType: 'multipart/mixed', parts: [{ contentType: 'text/plain', body: 'hi é' }] });
  assert.equal(prepareForSigning(entity), entity);
});

test('prepareForSigning rebuilds 8bit, binary, bare-LF and long-line parts only', () => {
  const input = b(
    'Content-Type: multipart/mixed; boundary=b\n\n' +
      'preamble\n' +
      '--b\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\ncaf\xc3\xa9\nFrom me\n' +
      '--b\r\nContent-Type: text/plain\r\n\r\nalready clean\r\n' +
      '--b\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: binary\n\n\x00\x01\n\xff' +
      '\n--b\nContent-Type: text/plain\n\n' + 'x'.repeat(1200) +
      '\n--b\nContent-Type: text/plain\n\nlf only\n' +
      '\n--b\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\nAAEC\n' +
      '\n--b\nContent-Type: application/octet-stream\n\nclean body, header with bare LF' +
      '\n--b--\nepilogue\n',
  );
  const out = prepareForSigning(input);
  const text = s(out);
  assert.ok(Array.from(text).every((c) => c.charCodeAt(0) > 0 && c.charCodeAt(0) < 0x80), '7-bit');
  assert.ok(!/[^\r]\n/.test(text), 'CRLF only');
  assert.ok(text.split('\r\n').every((l) => l.length <= 998));
  const root = parseMime(out);
  assertExactSlices(root, out);
  const [utf, clean, bin, long, lfOnly, b64, headerOnly] = root.children;
  assert.equal(utf!.transferEncoding, 'quoted-printable');
  assert.equal(fromUtf8(utf!.decodeBody()), 'café\r\nFrom me');
  assert.equal(utf!.headerAll('content-transfer-encoding').length, 1);
  assert.equal(s(clean!.raw), 'Content-Type: text/plain\r\n\r\nalready clean');
  assert.equal(bin!.transferEncoding, 'base64');
  assert.deepEqual(bin!.decodeBody(), Uint8Array.of(0, 1, 10, 255));
  assert.equal(long!.transferEncoding, 'quoted-printable');
  assert.equal(s(long!.decodeBody()), 'x'.repeat(1200));
  assert.equal(s(lfOnly!.raw), 'Content-Type: text/plain\r\nContent-Transfer-Encoding: 7bit\r\n\r\nlf only\r\n');
  assert.equal(s(b64!.decodeBody()), '\x00\x01\x02');
  assert.equal(s(b64!.bodyBytes), 'AAEC\r\n');
  assert.equal(s(headerOnly!.raw), 'Content-Type: application/octet-stream\r\n\r\nclean body, header with bare LF');
  assert.equal(s(root.preamble!), 'preamble');
  assert.equal(s(root.epilogue!), 'epilogue\r\n');
  // Idempotent: the result is already prepared.
  assert.equal(prepareForSigning(out), out);
});

const MESSAGE =
  'Received: from x\r\n' +
  'From: Alice <alice@example.org>\r\n' +
  'To: bob@example.org\r\n' +
  'Subject: hello\r\n' +
  'MIME-Version: 1.0\r\n' +
  'Content-Type: text/plain; charset=utf-8\r\n' +
  'Content-Transfer-Encoding: 7bit\r\n' +
  '\r\n' +
  'body\r\n';

test('splitMessage keeps outer headers out; content is a view when the Content-* fields close the header block', () => {
  const input = b(MESSAGE);
  const { outerHeaders, content } = splitMessage(input);
  assert.deepEqual(outerHeaders.map((h) => h.name), ['Received', 'From', 'To', 'Subject']);
  assert.equal(s(outerHeaders[1]!.raw), 'From: Alice <alice@example.org>\r\n');
  assert.equal(outerHeaders[1]!.value, 'Alice <alice@example.org>');
  assert.equal(s(content), 'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\nbody\r\n');
  assert.equal(content.buffer, input.buffer);
  assert.equal(s(joinMessage(outerHeaders, content)), MESSAGE.replace('MIME-Version: 1.0\r\n', '') .replace('Content-Type', 'MIME-Version: 1.0\r\nContent-Type'));
});

test('splitMessage with interleaved headers, no Content-* fields, and bare LF', () => {
  const mixed = splitMessage(b('Content-Type: text/html\nFrom: a@x.test\nContent-ID: <1>\n\n<p>\n'));
  assert.deepEqual(mixed.outerHeaders.map((h) => h.name), ['From']);
  assert.equal(s(mixed.content), 'Content-Type: text/html\nContent-ID: <1>\n\n<p>\n');
  const none = splitMessage(b('From: a@x.test\r\n\r\nbody'));
  assert.equal(s(none.content), '\r\nbody');
  assert.equal(s(joinMessage(mixed.outerHeaders, mixed.content)), 'From: a@x.test\r\nMIME-Version: 1.0\r\nContent-Type: text/html\nContent-ID: <1>\n\n<p>\n');
});

test('joinMessage encodes headers given without raw, and refuses Content-* outer headers', () => {
  const out = joinMessage([{ name: 'Subject', value: 'Grüße' }, { name: 'From', value: 'Zoë <z@x.test>' }], b('\r\nx'));
  assert.equal(s(out), 'Subject: =?UTF-8?B?R3LDvMOfZQ==?=\r\nFrom: =?UTF-8?Q?Zo=C3=AB?= <z@x.test>\r\nMIME-Version: 1.0\r\n\r\nx');
  assert.throws(() => joinMessage([{ name: 'Content-Type', value: 'text/plain' }], b('')), code('usage'));
});
