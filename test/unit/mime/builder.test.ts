import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromUtf8, utf8 } from '../../../src/core/bytes.js';
import { parseAddressList } from '../../../src/core/mime/address.js';
import {
  buildEntity,
  buildMessage,
  encodeAddress,
  formatDate,
  generateBoundary,
  generateMessageId,
} from '../../../src/core/mime/builder.js';
import { decodeHeaderText } from '../../../src/core/mime/headers.js';
import { encodeWords, foldHeader } from '../../../src/core/mime/header-encoder.js';
import { parseMime } from '../../../src/core/mime/parser.js';
import { assertExactSlices, code, s, walk } from './util.js';

/** A deterministic random source so outputs are reproducible in tests. */
function counter(): (n: number) => Uint8Array {
  let k = 0;
  return (n) => new Uint8Array(n).map(() => k++ & 0xff);
}

function assertSevenBitCrlf(bytes: Uint8Array): void {
  const text = s(bytes);
  assert.ok(Array.from(text).every((c) => c.charCodeAt(0) > 0 && c.charCodeAt(0) < 0x80), '7-bit');
  assert.ok(!/[^\r]\n|\r[^\n]/.test(text), 'CRLF only');
  for (const line of text.split('\r\n')) assert.ok(line.length <= 998);
}

test('round trip: multipart/mixed > alternative + related with an inline image, attachment with a UTF-8 name', () => {
  const png = Uint8Array.from({ length: 300 }, (_, i) => (i * 31) & 0xff);
  const pdf = Uint8Array.from({ length: 100 }, (_, i) => 255 - i);
  const subject = 'Grüße aus Köln — ein sehr langer Betreff, der gefaltet werden muss, damit keine Zeile zu lang wird 😀';
  const bytes = buildMessage(
    {
      headers: [
        ['From', 'Jürgen Müller-Lüdenscheidt von und zu Hohenzollern-Sigmaringen <juergen@example.org>'],
        ['To', '"Doe, John" <john@example.com>, Zoë <zoe@bücher.example>'],
        ['Subject', subject],
        ['Date', formatDate(new Date(Date.UTC(2024, 3, 23, 12, 50, 6)))],
        ['Message-ID', generateMessageId('example.org', counter())],
      ],
      contentType: 'multipart/mixed',
      parts: [
        {
          contentType: 'multipart/alternative',
          parts: [
            { contentType: 'text/plain', body: 'Hallo Welt,\nschöne Grüße.\nFrom here on\n.\n' },
            {
              contentType: 'multipart/related',
              params: { type: 'text/html' },
              parts: [
                { contentType: 'text/html', body: '<p>Hallo <img src="cid:logo@x"></p>' },
                { contentType: 'image/png', body: png, disposition: 'inline', contentId: 'logo@x', filename: 'logo.png' },
              ],
            },
          ],
        },
        { contentType: 'application/pdf', body: pdf, filename: 'Rechnung für März 2024 – sehr langer Dateiname mit Umlauten äöü.pdf' },
      ],
    },
    { random: counter() },
  );
  assertSevenBitCrlf(bytes);
  for (const line of s(bytes).split('\r\n')) if (!/^[A-Za-z0-9+/=]+$/.test(line)) assert.ok(line.length <= 78, line);

  const root = parseMime(bytes);
  assertExactSlices(root, bytes);
  assert.equal(root.header('mime-version'), '1.0');
  assert.equal(decodeHeaderText(root.header('subject')!), subject);
  assert.deepEqual(parseAddressList(root.header('from')!).map((a) => ({ ...a })), [{ name: 'Jürgen Müller-Lüdenscheidt von und zu Hohenzollern-Sigmaringen', address: 'juergen@example.org' }]);
  assert.deepEqual(parseAddressList(root.header('to')!).map((a) => ({ ...a })), [
    { name: 'Doe, John', address: 'john@example.com' },
    { name: 'Zoë', address: 'zoe@xn--bcher-kva.example' },
  ]);
  assert.equal(root.header('date'), 'Tue, 23 Apr 2024 12:50:06 +0000');
  assert.match(root.header('message-id')!, /^<[0-9a-f]{32}@example\.org>$/);

  const [alt, pdfPart] = root.children;
  const [textPart, related] = alt!.children;
  assert.equal(textPart!.contentType.params['charset'], 'utf-8');
  assert.equal(textPart!.transferEncoding, 'quoted-printable');
  assert.equal(fromUtf8(textPart!.decodeBody()), 'Hallo Welt,\r\nschöne Grüße.\r\nFrom here on\r\n.\r\n');
  assert.equal(related!.contentType.params['type'], 'text/html');
  const img = related!.children[1]!;
  assert.equal(img.header('content-id'), '<logo@x>');
  assert.equal(img.disposition!.value, 'inline');
  assert.equal(img.transferEncoding, 'base64');
  assert.deepEqual(img.decodeBody(), png);
  assert.equal(related!.children[0]!.transferEncoding, '7bit');
  assert.deepEqual(pdfPart!.decodeBody(), pdf);
  assert.equal(pdfPart!.disposition!.value, 'attachment');
  assert.equal(pdfPart!.disposition!.params['filename'], 'Rechnung für März 2024 – sehr langer Dateiname mit Umlauten äöü.pdf');
  assert.equal(pdfPart!.contentType.params['name'], 'Rechnung für März 2024 – sehr langer Dateiname mit Umlauten äöü.pdf');
  assert.match(pdfPart!.header('content-type')!, /name="=\?UTF-8\?[BQ]\?/);
  assert.match(pdfPart!.header('content-disposition')!, /filename\*0\*=utf-8''/);
  assert.equal(walk(root).length, 7);
});

test('encoded words are at most 75 characters and never split a character', () => {
  for (const text of ['é'.repeat(100), '😀'.repeat(40), 'a'.repeat(200), 'mixed ascii and ü '.repeat(10)]) {
    const words = encodeWords(text);
    assert.ok(words.every((w) => w.length <= 75));
    assert.equal(decodeHeaderText(words.join(' ')), text);
    assert.equal(decodeHeaderText(words.join('\r\n ')), text);
  }
  assert.deepEqual(encodeWords('Grüße'), ['=?UTF-8?B?R3LDvMOfZQ==?=']);
  assert.deepEqual(encodeWords('Hello Wörld, mostly ASCII'), ['=?UTF-8?Q?Hello_W=C3=B6rld=2C_mostly_ASCII?=']);
  assert.deepEqual(encodeWords('日本語'), ['=?UTF-8?B?5pel5pys6Kqe?=']);
});

test('auto transfer encoding: 7bit when safe, QP for mostly-ASCII text, base64 otherwise; 7bit when asked must hold', () => {
  const cte = (spec: Parameters<typeof buildEntity>[0]): string => parseMime(buildEntity(spec, { random: counter() })).transferEncoding;
  assert.equal(cte({ contentType: 'text/plain', body: 'plain ascii\r\n' }), '7bit');
  assert.equal(cte({ contentType: 'text/plain', body: 'trailing space \r\n' }), 'quoted-printable');
  assert.equal(cte({ contentType: 'text/plain', body: 'x'.repeat(1200) }), 'quoted-printable');
  assert.equal(cte({ contentType: 'text/plain', body: '日本語のテキスト' }), 'base64');
  assert.equal(cte({ contentType: 'application/octet-stream', body: utf8('abc') }), '7bit');
  assert.equal(cte({ contentType: 'application/octet-stream', body: utf8('a\nb') }), 'base64');
  assert.equal(cte({ contentType: 'text/plain', body: 'x', transferEncoding: 'base64' }), 'base64');
  assert.throws(() => buildEntity({ contentType: 'text/plain', body: 'é', transferEncoding: '7bit' }), code('usage'));
  // Text keeps its meaning through base64 and QP: canonical CRLF.
  const e = parseMime(buildEntity({ contentType: 'text/plain', body: 'a\nb', transferEncoding: 'base64' }));
  assert.equal(s(e.decodeBody()), 'a\r\nb');
  const bin = Uint8Array.of(0, 10, 13, 255, 61);
  assert.deepEqual(parseMime(buildEntity({ contentType: 'application/x', body: bin, transferEncoding: 'quoted-printable' })).decodeBody(), bin);
});

test('boundaries are random, quoted, and re-drawn when they occur in the content', () => {
  assert.notEqual(generateBoundary(), generateBoundary());
  assert.match(generateBoundary(), /^=_signet_[0-9a-f]{36}$/);
  // A random source that first returns the bytes of a boundary already present in the raw part.
  const first = new Uint8Array(18).fill(7);
  const planted = `--${generateBoundary(() => first)}`;
  let calls = 0;
  const random = (n: number): Uint8Array => (calls++ === 0 ? first.slice(0, n) : new Uint8Array(n).fill(9));
  const out = buildEntity(
    { contentType: 'multipart/mixed', parts: [{ contentType: 'text/plain', raw: utf8(`Content-Type: text/plain\r\n\r\n${planted}\r\n`) }] },
    { random },
  );
  const root = parseMime(out);
  assert.equal(calls, 2);
  assert.equal(root.boundary, `=_signet_${'09'.repeat(18)}`);
  assert.match(root.header('content-type')!, /boundary="=_signet_/);
  assert.equal(root.children.length, 1);
  assert.equal(s(root.children[0]!.raw), `Content-Type: text/plain\r\n\r\n${planted}\r\n`);
});

test('raw parts are inserted byte for byte (multipart/signed content)', () => {
  const content = utf8('Content-Type: text/plain\r\n\r\nsigned text\r\n');
  const out = buildEntity(
    {
      contentType: 'multipart/signed',
      params: { protocol: 'application/pkcs7-signature', micalg: 'sha-256' },
      parts: [{ contentType: 'text/plain', raw: content }, { contentType: 'application/pkcs7-signature', filename: 'smime.p7s', body: Uint8Array.of(0x30, 0x80) }],
    },
    { random: counter() },
  );
  const root = parseMime(out);
  assert.deepEqual(root.children[0]!.raw, content);
  assert.equal(root.children.length, 2);
  assert.equal(root.contentType.params['protocol'], 'application/pkcs7-signature');
  assert.equal(root.contentType.params['micalg'], 'sha-256');
});

test('header injection and bad input are usage errors', () => {
  assert.throws(() => buildMessage({ contentType: 'text/plain', body: '', headers: [['Subject', 'x\r\nBcc: evil@x']] }), code('usage'));
  assert.throws(() => buildMessage({ contentType: 'text/plain', body: '', headers: [['Bad Name', 'x']] }), code('usage'));
  assert.throws(() => encodeAddress({ name: 'A\nB', address: 'a@b.test' }), code('usage'));
  assert.throws(() => encodeAddress({ address: 'nobody' }), code('usage'));
  assert.throws(() => encodeAddress({ address: 'jürgen@example.org' }), code('usage'));
  assert.throws(() => buildEntity({ contentType: 'multipart/mixed', parts: [] }), code('usage'));
  assert.throws(() => buildEntity({ contentType: 'not a type', body: '' }), code('usage'));
  assert.throws(() => buildEntity({ contentType: 'text/plain', body: '', headers: [['Content-Type', 'text/html']] }), code('usage'));
});

test('encodeAddress quotes, encodes and converts IDN domains', () => {
  assert.equal(encodeAddress({ address: 'a@b.test' }), 'a@b.test');
  assert.equal(encodeAddress({ name: 'Alice', address: 'a@b.test' }), 'Alice <a@b.test>');
  assert.equal(encodeAddress({ name: 'Doe, John', address: 'j@b.test' }), '"Doe, John" <j@b.test>');
  assert.equal(encodeAddress({ name: 'bob@evil.com', address: 'a@b.test' }), '"bob@evil.com" <a@b.test>');
  assert.equal(encodeAddress({ name: 'Zoë', address: 'zoe@bücher.example' }), '=?UTF-8?Q?Zo=C3=AB?= <zoe@xn--bcher-kva.example>');
  assert.equal(encodeAddress({ address: 'john doe@b.test' }), '"john doe"@b.test');
});

test('foldHeader folds at white space within 78 characters and unfolds to the same value', () => {
  const value = Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ');
  const folded = foldHeader('Subject', value);
  assert.ok(folded.endsWith('\r\n'));
  for (const line of folded.slice(0, -2).split('\r\n')) assert.ok(line.length <= 78);
  assert.equal(parseMime(utf8(folded + '\r\n')).header('subject'), value);
});

/**
 * The transfer encoding the builder chose before its scan went word by word (issue 17), restated byte by byte:
 * 7bit for 7-bit CRLF text with lines of at most 998 octets and no line that SMTP or mbox would alter, else
 * quoted-printable for text with at most a quarter of bytes to escape, else base64.
 */
function expectedEncoding(body: Uint8Array): string {
  let sevenBit = true;
  let crlfOnly = true;
  let shortLines = true;
  let hazards = false;
  let unsafe = 0;
  let lineStart = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (i === lineStart && (c === 0x2e || (c === 0x46 && body[i + 1] === 0x72 && body[i + 2] === 0x6f && body[i + 3] === 0x6d && body[i + 4] === 0x20))) hazards = true;
    if (c >= 0x80 || c === 0) {
      sevenBit = false;
      unsafe++;
    } else if (c === 0x0a) {
      if (i === 0 || body[i - 1] !== 0x0d) crlfOnly = false;
      if (i - lineStart > 999) shortLines = false;
      lineStart = i + 1;
    } else if (c === 0x0d) {
      if (body[i + 1] !== 0x0a) crlfOnly = false;
      else if (i > 0 && (body[i - 1] === 0x20 || body[i - 1] === 0x09)) hazards = true;
    } else if (c < 0x20 && c !== 0x09) unsafe++;
  }
  if (body.length - lineStart > 998) shortLines = false;
  if (body.length > 0 && (body[body.length - 1] === 0x20 || body[body.length - 1] === 0x09)) hazards = true;
  if (sevenBit && crlfOnly && shortLines && !hazards) return '7bit';
  if (unsafe * 4 <= body.length) return 'quoted-printable';
  return 'base64';
}

test('the transfer encoding chosen for text bodies is the one the byte-by-byte rules give (random bodies)', () => {
  let seed = 3;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 8;
  const pieces = ['a', 'b', ' ', '\t', '.', 'From ', 'From', '\r\n', '\n', '\r', '=', '\x00', '\x01', '\x7f', 'x'.repeat(990), 'é', '--'];
  const seen = new Set<string>();
  for (let round = 0; round < 600; round++) {
    const parts: string[] = [];
    const n = 1 + (rnd() % 12);
    for (let k = 0; k < n; k++) parts.push(pieces[rnd() % (round % 3 === 0 ? 3 : pieces.length)]!);
    // The builder makes text CRLF first (bare LF → CRLF); the rules apply to that.
    const body = utf8(parts.join('').replace(/\r?\n/g, '\r\n'));
    const built = s(buildEntity({ contentType: 'text/plain', body }, { random: counter() }));
    const cte = /Content-Transfer-Encoding: ([\w-]+)/.exec(built)![1]!;
    assert.equal(cte, expectedEncoding(body), JSON.stringify(s(body)));
    seen.add(cte);
  }
  assert.deepEqual([...seen].sort(), ['7bit', 'base64', 'quoted-printable']);
});
