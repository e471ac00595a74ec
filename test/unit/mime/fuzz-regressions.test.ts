// Regressions from issue 13 (quadratic regular expressions) and from the fuzz campaigns (test/fuzz/):
// each input here once crashed or took seconds; the outcome asserted is the exact one expected now.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromLatin1 } from '../../../src/core/bytes.js';
import { domainKey } from '../../../src/core/idn.js';
import { addressKey } from '../../../src/core/mime/address.js';
import { prepareForSigning } from '../../../src/core/mime/canonicalize.js';
import { decodeEncodedWords, parseContentType } from '../../../src/core/mime/headers.js';
import { parseMime, scanHeaderBlock } from '../../../src/core/mime/parser.js';
import { code } from './util.js';

const cpuMs = (run: () => unknown): number => {
  const t0 = process.cpuUsage();
  run();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000;
};

test('fuzz: an empty body at an odd offset no longer crashes prepareForSigning (misaligned Uint32Array)', () => {
  // "\n": no header fields, an empty body starting at offset 1; the bare LF becomes CRLF.
  assert.deepEqual(prepareForSigning(fromLatin1('\n')), fromLatin1('\r\n'));
  const crlf = fromLatin1('Content-Type: text/plain\r\nContent-Transfer-Encoding: 8bit\r\n\r\n');
  assert.equal(new TextDecoder().decode(prepareForSigning(crlf)), 'Content-Type: text/plain\r\nContent-Transfer-Encoding: 7bit\r\n\r\n');
});

test('issue 13: 200k spaces inside a header value parse in linear time, value kept exactly', () => {
  const spaces = ' '.repeat(200_000);
  const msg = fromLatin1(`Subject: a${spaces}b \t\r\n\r\nbody`);
  let value = '';
  const ms = cpuMs(() => (value = parseMime(msg).header('subject')!));
  assert.equal(value, `a${spaces}b`);
  assert.ok(ms < 1000, `took ${ms} ms`);
});

test('issue 13: header names with inner white space are skipped quickly; white space before the colon is obsolete syntax', () => {
  const hb = scanHeaderBlock(fromLatin1(`X${' '.repeat(200_000)}y: v\r\nName \t: value\r\n folded \r\n\r\n`), 0, 1 << 20);
  assert.deepEqual(
    hb.headers.map((h) => [h.name, h.value]),
    [['Name', 'value folded']],
  );
});

test('issue 13: folded values unfold exactly (CRLF and bare LF), leading folds and trailing white space trimmed', () => {
  const hb = scanHeaderBlock(fromLatin1('A:\r\n \t x\r\n\ty \r\n \r\nB: p\n q\nC: \r\r\n z\n\n'), 0, 1 << 20);
  assert.deepEqual(
    hb.headers.map((h) => [h.name, h.value]),
    [
      ['A', 'x\ty'],
      ['B', 'p q'],
      ['C', '\r z'],
    ],
  );
});

test('issue 13: a boundary of 100k spaces (plain, quoted or RFC 2231) is malformed-mime, at once', () => {
  for (const param of [`boundary="b${' '.repeat(100_000)}x"`, `boundary*=''b${'%20'.repeat(100_000)}x`, `boundary*0*=''b${'%09'.repeat(50_000)}; boundary*1=x`]) {
    const msg = fromLatin1(`Content-Type: multipart/mixed; ${param}\r\n\r\n--b\r\n\r\nx\r\n--b--\r\n`);
    const ms = cpuMs(() => assert.throws(() => parseMime(msg), code('malformed-mime')));
    assert.ok(ms < 1000, `took ${ms} ms`);
  }
  // Trailing white space of a boundary is still transport padding.
  const ok = parseMime(fromLatin1('Content-Type: multipart/mixed; boundary="b \t"\r\n\r\n--b\r\n\r\nx\r\n--b--\r\n'));
  assert.equal(ok.boundary, 'b');
  assert.equal(ok.children.length, 1);
});

test('issue 13: a parameter value with 200k spaces keeps its value; a trailing comment is still removed', () => {
  const v = `a${' '.repeat(200_000)}b`;
  let ct: ReturnType<typeof parseContentType> = null;
  const ms = cpuMs(() => (ct = parseContentType(`text/plain; charset=${v}`)));
  assert.equal(ct!.params['charset'], v);
  assert.ok(ms < 1000, `took ${ms} ms`);
  assert.equal(parseContentType('text/plain; charset=us-ascii (Plain text)')!.params['charset'], 'us-ascii');
  assert.equal(parseContentType('text/plain; charset=us-ascii \t(Plain text)  ; x=1')!.params['charset'], 'us-ascii');
  // Not a trailing comment: no white space before it, nested parentheses, or text after it.
  assert.equal(parseContentType('text/plain; charset=a(b)')!.params['charset'], 'a(b)');
  assert.equal(parseContentType('text/plain; charset=a (b(c))')!.params['charset'], 'a (b(c))');
  assert.equal(parseContentType('text/plain; charset=a (b) c')!.params['charset'], 'a (b) c');
  assert.equal(parseContentType(`text/plain; charset=a${' ('.repeat(50_000)}`)!.params['charset'], `a${' ('.repeat(50_000)}`.trim());
});

test('issue 13: base64 encoded words with padding decode; a run of "=" is left as it is', () => {
  assert.equal(decodeEncodedWords('=?utf-8?b?w6k=?='), 'é');
  const eq = `=?utf-8?b?${'='.repeat(100_000)}?=`;
  assert.equal(decodeEncodedWords(eq), eq);
});

test('issue 13: an over-long internationalised label is kept as written (no quadratic Punycode), short ones still become A-labels', () => {
  const long = Array.from({ length: 100_000 }, (_, i) => String.fromCodePoint(0x4e00 + (i % 20000))).join('');
  let key = '';
  const ms = cpuMs(() => (key = domainKey(`${long}.example`)));
  assert.equal(key, `${long}.example`);
  assert.ok(ms < 1000, `took ${ms} ms`);
  assert.equal(domainKey('MÜNCHEN.example'), 'xn--mnchen-3ya.example');
  assert.equal(addressKey('a@münchen.EXAMPLE'), 'a@xn--mnchen-3ya.example');
  // 63 code points is the most a label can have; one more and it is not a label.
  const max = 'ü'.repeat(63);
  assert.ok(domainKey(max).startsWith('xn--'));
  assert.equal(domainKey(max + 'ü'), max + 'ü');
});
