import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMime } from '../../../src/core/mime/parser.js';
import { assertExactSlices, b, code, lf, s, walk } from './util.js';

const NESTED =
  'From: Alice <alice@example.org>\r\n' +
  'Subject: test\r\n' +
  '  folded\r\n' +
  'MIME-Version: 1.0\r\n' +
  'Content-Type: multipart/mixed; boundary="outer"\r\n' +
  '\r\n' +
  'This is the preamble.\r\n' +
  '--outer\r\n' +
  'Content-Type: multipart/alternative; boundary=inner\r\n' +
  '\r\n' +
  '--inner\r\n' +
  'Content-Type: text/plain; charset=utf-8\r\n' +
  'Content-Transfer-Encoding: quoted-printable\r\n' +
  '\r\n' +
  'caf=C3=A9\r\n' +
  '--inner\r\n' +
  'Content-Type: text/html\r\n' +
  '\r\n' +
  '<p>hi</p>\r\n' +
  '\r\n' +
  '--inner--\r\n' +
  '--outer\r\n' +
  'Content-Type: application/octet-stream; name="a.bin"\r\n' +
  'Content-Transfer-Encoding: base64\r\n' +
  '\r\n' +
  'AAEC\r\n' +
  '--outer--\r\n' +
  'epilogue\r\n';

test('parses a nested multipart with exact raw, header and body views', () => {
  const input = b(NESTED);
  const root = parseMime(input);
  assert.equal(root.type, 'multipart/mixed');
  assert.equal(root.boundary, 'outer');
  assert.equal(root.header('SUBJECT'), 'test  folded');
  assert.equal(s(root.preamble!), 'This is the preamble.');
  assert.equal(s(root.epilogue!), 'epilogue\r\n');
  assert.equal(root.children.length, 2);
  const [alt, bin] = root.children;
  assert.equal(alt!.children.length, 2);
  assert.equal(s(alt!.children[0]!.raw), 'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\ncaf=C3=A9');
  assert.equal(s(alt!.children[0]!.decodeBody()), 'caf\xc3\xa9');
  assert.equal(alt!.children[0]!.contentType.params['charset'], 'utf-8');
  assert.equal(alt!.children[0]!.transferEncoding, 'quoted-printable');
  // The blank line before the delimiter: only the CRLF that precedes "--inner--" belongs to it.
  assert.equal(s(alt!.children[1]!.bodyBytes), '<p>hi</p>\r\n');
  assert.equal(s(alt!.epilogue!), '');
  assert.equal(s(alt!.raw).endsWith('--inner--\r\n'), false);
  assert.equal(s(alt!.raw).endsWith('--inner--'), true);
  assert.deepEqual(bin!.decodeBody(), Uint8Array.of(0, 1, 2));
  assert.equal(bin!.contentType.params['name'], 'a.bin');
  assert.equal(bin!.depth, 1);
  assert.equal(alt!.children[0]!.depth, 2);
  assertExactSlices(root, input);
  assert.equal(s(root.headerBytes), NESTED.slice(0, NESTED.indexOf('\r\n\r\n') + 2));
  assert.deepEqual(
    root.headers.map((h) => h.name),
    ['From', 'Subject', 'MIME-Version', 'Content-Type'],
  );
  assert.equal(s(root.headers[1]!.raw), 'Subject: test\r\n  folded\r\n');
});

test('bare-LF input parses to the same structure without changing a byte', () => {
  const input = b(lf(NESTED));
  const root = parseMime(input);
  assert.equal(root.children.length, 2);
  assert.equal(s(root.children[0]!.children[0]!.raw), lf('Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\ncaf=C3=A9'));
  assert.equal(s(root.children[0]!.children[1]!.bodyBytes), '<p>hi</p>\n');
  assert.equal(s(root.epilogue!), 'epilogue\n');
  assertExactSlices(root, input);
  assert.equal(root.raw.length, input.length);
});

test('multipart/signed: the first part excludes the CRLF before the delimiter', () => {
  const signed = 'Content-Type: text/plain\r\n\r\nhello\r\n';
  const input = b(
    'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary=sig\r\n\r\n' +
      '--sig\r\n' + signed + '\r\n--sig\r\nContent-Type: application/pkcs7-signature\r\n\r\nMIIB\r\n--sig--\r\n',
  );
  const root = parseMime(input);
  assert.equal(root.children.length, 2);
  assert.equal(s(root.children[0]!.raw), signed);
  assert.equal(root.contentType.params['protocol'], 'application/pkcs7-signature');
  assertExactSlices(root, input);
});

test('header-only parts and empty parts keep RFC 2046 delimiter ownership', () => {
  const input = b('Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\n--x\r\n--x\r\n\r\nbody\r\n--x--');
  const root = parseMime(input);
  assert.equal(root.children.length, 3);
  assert.equal(s(root.children[0]!.raw), 'Content-Type: text/plain\r\n');
  assert.equal(s(root.children[0]!.bodyBytes), '');
  assert.equal(s(root.children[1]!.raw), '');
  assert.equal(s(root.children[2]!.raw), '\r\nbody');
  assert.equal(root.children[2]!.headers.length, 0);
  assert.equal(s(root.children[2]!.bodyBytes), 'body');
  assert.equal(s(root.epilogue!), '');
  assertExactSlices(root, input);
});

test('lenient: missing close-delimiter, padding after boundaries, junk header lines', () => {
  const input = b(
    'From mbox-line Sat Jan  1 00:00:00 2000\r\nnot a header\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n' +
      '--b \t\r\nContent-Type: text/plain\r\n\r\none\r\n--b\r\n\r\ntwo\r\n',
  );
  const root = parseMime(input);
  assert.equal(root.type, 'multipart/mixed');
  assert.deepEqual(root.headers.map((h) => h.name), ['Content-Type']);
  assert.equal(root.children.length, 2);
  assert.equal(s(root.children[1]!.raw), '\r\ntwo\r\n');
  assert.equal(s(root.epilogue!), '');
  assertExactSlices(root, input);
});

test('a boundary that is a prefix of a line is not a delimiter', () => {
  const input = b('Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\n--bx\r\n-- b\r\n--b--\r\n');
  const root = parseMime(input);
  assert.equal(root.children.length, 1);
  assert.equal(s(root.children[0]!.bodyBytes), '--bx\r\n-- b');
});

test('an outer delimiter ends an unterminated inner multipart', () => {
  const input = b(
    'Content-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\nContent-Type: multipart/mixed; boundary=i\r\n\r\n--i\r\n\r\nx\r\n--o\r\n\r\ny\r\n--o--\r\n',
  );
  const root = parseMime(input);
  assert.equal(root.children.length, 2);
  assert.equal(root.children[0]!.children.length, 1);
  assert.equal(s(root.children[0]!.children[0]!.raw), '\r\nx');
  assert.equal(s(root.children[1]!.bodyBytes), 'y');
  assertExactSlices(root, input);
});

test('defaults: text/plain us-ascii, 7bit; message/rfc822 inside multipart/digest', () => {
  const root = parseMime(b('Subject: x\r\n\r\nbody'));
  assert.equal(root.type, 'text/plain');
  assert.equal(root.contentType.params['charset'], 'us-ascii');
  assert.equal(root.transferEncoding, '7bit');
  assert.equal(parseMime(b('Content-Type: garbage\r\n\r\n')).type, 'text/plain');
  const digest = parseMime(b('Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\nSubject: inner\r\n\r\nhi\r\n--d--\r\n'));
  assert.equal(digest.children[0]!.type, 'message/rfc822');
  const inner = digest.children[0]!.embeddedMessage()!;
  assert.equal(inner.header('subject'), 'inner');
  assert.equal(s(inner.bodyBytes), 'hi');
  assert.equal(inner.depth, 2);
  assert.equal(parseMime(b('\r\nbody')).headers.length, 0);
  assert.equal(s(parseMime(b('A: 1\r\nB: 2')).headerBytes), 'A: 1\r\nB: 2');
});

test('malformed-mime where the structure is undecidable', () => {
  assert.throws(() => parseMime(b('Content-Type: multipart/mixed\r\n\r\n--x\r\n')), code('malformed-mime'));
  assert.throws(() => parseMime(b('Content-Type: multipart/mixed; boundary=""\r\n\r\n')), code('malformed-mime'));
  assert.throws(
    () => parseMime(b('Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\nContent-Type: multipart/mixed; boundary=a\r\n\r\n--a--\r\n')),
    code('malformed-mime'),
  );
});

test('limits: message size, header size, part count', () => {
  assert.throws(() => parseMime(b('Subject: x\r\n\r\n0123456789'), { maxMessageBytes: 10 }), code('limit-exceeded'));
  assert.throws(() => parseMime(b('Subject: ' + 'x'.repeat(2000) + '\r\n\r\n'), { maxHeaderBytes: 1000 }), code('limit-exceeded'));
  assert.throws(() => parseMime(b('Subject: x\r\n' + ' y\r\n'.repeat(1000) + '\r\n'), { maxHeaderBytes: 1000 }), code('limit-exceeded'));
  const bomb = 'Content-Type: multipart/mixed; boundary=p\r\n\r\n' + '--p\r\n'.repeat(5000) + '--p--\r\n';
  assert.throws(() => parseMime(b(bomb)), code('limit-exceeded'));
  assert.equal(parseMime(b(bomb), { maxMimeParts: 6000 }).children.length, 5000);
  assert.throws(() => parseMime(b(''), { maxMimeDepth: 0 }), code('usage'));
});

function depthBomb(levels: number): string {
  let head = '';
  for (let i = 0; i < levels; i++) head += `Content-Type: multipart/mixed; boundary=b${i}\r\n\r\n--b${i}\r\n`;
  return head + '\r\nleaf';
}

test('depth bomb: 10 000 nested multiparts give limit-exceeded quickly, and no stack overflow when allowed', () => {
  const bomb = b(depthBomb(10_000));
  const t0 = Date.now();
  assert.throws(() => parseMime(bomb), code('limit-exceeded'));
  assert.ok(Date.now() - t0 < 1000);
  const root = parseMime(bomb, { maxMimeDepth: 20_000, maxMimeParts: 20_000 });
  const all = walk(root);
  assert.equal(all.length, 10_001);
  assert.equal(Math.max(...all.map((e) => e.depth)), 10_000);
});

test('depth bomb through message/rfc822 is bounded by the same depth limit', () => {
  let m = 'Subject: leaf\r\n\r\nx';
  for (let i = 0; i < 100; i++) m = `Content-Type: message/rfc822\r\n\r\n${m}`;
  let e = parseMime(b(m));
  assert.throws(() => {
    for (;;) e = e.embeddedMessage()!;
  }, code('limit-exceeded'));
});

test('a 100 MB body parses in well under a second (linear scan)', () => {
  const head = b('Content-Type: multipart/mixed; boundary=zz\r\n\r\n--zz\r\nContent-Type: multipart/mixed; boundary=yy\r\n\r\n--yy\r\nContent-Transfer-Encoding: base64\r\n\r\n');
  const tail = b('\r\n--yy--\r\n--zz--\r\n');
  const n = 100 * 1024 * 1024;
  const input = new Uint8Array(head.length + n + tail.length);
  input.set(head);
  input.fill(0x41, head.length, head.length + n);
  for (let i = head.length + 76; i < head.length + n; i += 78) {
    input[i] = 0x0d;
    input[i + 1] = 0x0a;
  }
  input.set(tail, head.length + n);
  let t0 = Date.now();
  const root = parseMime(input);
  assert.ok(Date.now() - t0 < 1000, `took ${Date.now() - t0} ms`);
  assert.equal(root.children[0]!.children[0]!.bodyBytes.length, n);
  // Adversarial: a body of empty lines and of dash lines.
  input.fill(0x0a, head.length, head.length + n);
  t0 = Date.now();
  parseMime(input);
  assert.ok(Date.now() - t0 < 1500, `LF body took ${Date.now() - t0} ms`);
  for (let i = head.length; i < head.length + n; i++) input[i] = i % 3 === 0 ? 0x0a : 0x2d;
  t0 = Date.now();
  parseMime(input);
  assert.ok(Date.now() - t0 < 1500, `dash body took ${Date.now() - t0} ms`);
});
