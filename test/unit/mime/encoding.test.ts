import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromBase64, utf8 } from '../../../src/core/bytes.js';
import {
  decodeQuotedPrintable,
  decodeTransferEncoding,
  encodeBase64Body,
  encodeQuotedPrintable,
} from '../../../src/core/mime/encoding.js';
import { b, code, s } from './util.js';

const qp = (x: string, binary = false): string => s(encodeQuotedPrintable(b(x), { binary }));
const unqp = (x: string): string => s(decodeQuotedPrintable(b(x)));

test('QP decode: hex (either case), soft breaks (CRLF, LF, trailing space), stray "=" kept', () => {
  assert.equal(unqp('caf=C3=a9'), 'caf\xc3\xa9');
  assert.equal(unqp('soft=\r\nbreak=\nhere=  \r\nend'), 'softbreakhereend');
  assert.equal(unqp('a = b =Z1 =\t'), 'a = b =Z1 ');
  assert.equal(unqp('trailing   \r\nspace\t\nkept inside'), 'trailing\r\nspace\nkept inside');
  assert.equal(unqp('end='), 'end');
  assert.equal(unqp(''), '');
});

test('QP encode: "=", non-ASCII, trailing white space, "From " and "." at a line start', () => {
  assert.equal(qp('a=b'), 'a=3Db');
  assert.equal(qp('caf\xc3\xa9'), 'caf=C3=A9');
  assert.equal(qp('x \r\ny\t\n'), 'x=20\r\ny=09\r\n');
  assert.equal(qp('end '), 'end=20');
  assert.equal(qp('From me\r\nnot From here'), '=46rom me\r\nnot From here');
  assert.equal(qp('.\r\n..x\r\n'), '=2E\r\n=2E.x\r\n');
  assert.equal(qp('Fromage'), 'Fromage');
  assert.equal(qp('bare\rcr'), 'bare=0Dcr');
  assert.equal(qp('a\r\nb', true), 'a=0D=0Ab');
});

test('QP encode: lines of at most 76 characters, soft breaks never split =XX, round trip', () => {
  const text = 'x'.repeat(200) + '\r\n' + '\xe9'.repeat(100) + '\r\n' + 'y '.repeat(80) + '\r\n' + '.'.repeat(80) + 'From ' + 'z'.repeat(70) + 'From x';
  const enc = qp(text);
  for (const line of enc.split('\r\n')) {
    assert.ok(line.length <= 76, `line of ${line.length}`);
    assert.ok(!/=[0-9A-F]?$/.test(line.replace(/=$/, '')) || line.endsWith('='), 'no split escape');
    assert.ok(!line.startsWith('.') && !line.startsWith('From '), `unsafe line start: ${line}`);
    assert.match(line, /^[\x21-\x7e \t]*$/);
    assert.ok(!/[ \t]$/.test(line));
  }
  assert.equal(unqp(enc), text);
  // Exactly 76 characters fit on a last line; 77 need a soft break.
  assert.equal(qp('a'.repeat(76)), 'a'.repeat(76));
  assert.equal(qp('a'.repeat(77)), 'a'.repeat(75) + '=\r\n' + 'aa');
  // Binary round trip of every byte value.
  const all = new Uint8Array(512).map((_, i) => i & 0xff);
  assert.deepEqual(decodeQuotedPrintable(encodeQuotedPrintable(all, { binary: true })), all);
  // Text mode turns bare LF into CRLF (canonical text).
  assert.equal(unqp(qp('a\nb\n')), 'a\r\nb\r\n');
});

test('base64 body: 76-character lines, CRLF after each, round trip', () => {
  const data = new Uint8Array(1000).map((_, i) => (i * 7) & 0xff);
  const enc = s(encodeBase64Body(data));
  const lines = enc.split('\r\n');
  assert.equal(lines.pop(), '');
  assert.ok(lines.every((l, i) => l.length === 76 || i === lines.length - 1));
  assert.deepEqual(fromBase64(enc), data);
  assert.equal(s(encodeBase64Body(new Uint8Array(0))), '');
  assert.equal(s(encodeBase64Body(new Uint8Array(57))), 'A'.repeat(76) + '\r\n');
  assert.equal(s(encodeBase64Body(utf8('hi'))), 'aGk=\r\n');
  // Byte for byte what Node writes, around the line length and the fast path's 3 KB threshold.
  for (const n of [1, 2, 3, 56, 58, 114, 3071, 3072, 3073, 57 * 100, 57 * 100 + 2, 100_003]) {
    const d = new Uint8Array(n).map((_, i) => (i * 131 + 7) & 0xff);
    assert.equal(s(encodeBase64Body(d)), Buffer.from(d).toString('base64').replace(/.{76}(?!$)/g, '$&\r\n') + '\r\n', `length ${n}`);
  }
});

test('decodeTransferEncoding: base64, QP, identity; broken base64 is malformed-base64', () => {
  assert.equal(s(decodeTransferEncoding(b('aGk=\r\n'), 'BASE64')), 'hi');
  assert.equal(s(decodeTransferEncoding(b('h=69'), 'quoted-printable')), 'hi');
  const raw = b('x\xff');
  assert.equal(decodeTransferEncoding(raw, '8bit'), raw);
  assert.equal(decodeTransferEncoding(raw, 'x-uuencode'), raw);
  assert.throws(() => decodeTransferEncoding(b('a*b='), 'base64'), code('malformed-base64'));
});
