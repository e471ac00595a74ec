import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeEncodedWords,
  decodeHeaderText,
  parseContentDisposition,
  parseContentType,
  unfold,
} from '../../../src/core/mime/headers.js';

test('unfold removes the line breaks of folding, keeps the white space', () => {
  assert.equal(unfold('a\r\n b\n\tc\r\n'), 'a b\tc');
});

test('Content-Type: lowercased type, quoted strings, comments, escapes', () => {
  const ct = parseContentType('Text/PLAIN (comment) ; CHARSET="UTF-8" ; format=flowed (more); name="a \\"b\\".txt"')!;
  assert.equal(ct.type, 'text/plain');
  assert.deepEqual({ ...ct.params }, { charset: 'UTF-8', format: 'flowed', name: 'a "b".txt' });
  assert.equal(parseContentType('text/plain; charset=us-ascii (Plain text)')!.params['charset'], 'us-ascii');
  assert.equal(parseContentType('multipart/mixed;\r\n boundary="----=_Part_1"')!.params['boundary'], '----=_Part_1');
  assert.equal(parseContentType('text'), null);
  assert.equal(parseContentType('text/pl@in'), null);
  assert.equal(parseContentType('text / plain')!.type, 'text/plain');
  // First occurrence wins; parameters without "=" are skipped.
  assert.deepEqual({ ...parseContentType('a/b; junk; x=1; x=2; ;')!.params }, { x: '1' });
  // A parameter named __proto__ is just data.
  assert.equal(parseContentType('a/b; __proto__=x')!.params['__proto__'], 'x');
});

test('RFC 2231: charset and language, continuations, precedence over the plain form', () => {
  const d = parseContentDisposition("attachment; filename*=iso-8859-1'en'%A3%20rates.txt")!;
  assert.equal(d.value, 'attachment');
  assert.equal(d.params['filename'], '£ rates.txt');
  const c = parseContentType(
    "application/x-stuff; title*0*=us-ascii'en'This%20is%20even%20more%20; title*1*=%2A%2A%2Afun%2A%2A%2A%20; title*2=\"isn't it!\"",
  )!;
  assert.equal(c.params['title'], "This is even more ***fun*** isn't it!");
  const u = parseContentDisposition("attachment; filename=\"fallback.txt\"; filename*=UTF-8''%E2%82%AC%20r%C3%A9sum%C3%A9.pdf")!;
  assert.equal(u.params['filename'], '€ résumé.pdf');
  // Continuations out of order are sorted; a gap ends the value.
  const o = parseContentType('a/b; n*1=bar; n*0=foo; n*3=zzz')!;
  assert.equal(o.params['n'], 'foobar');
});

test('RFC 2047: B and Q, UTF-8, ISO-8859-*, windows-1252, joined words, invalid words kept', () => {
  assert.equal(decodeEncodedWords('=?ISO-8859-1?Q?Andr=E9?= Pirard'), 'André Pirard');
  assert.equal(decodeEncodedWords('=?utf-8?B?4oKsIGV1cm8=?='), '€ euro');
  assert.equal(decodeEncodedWords('(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)'), '(ab)');
  assert.equal(decodeEncodedWords('(=?ISO-8859-1?Q?a?=  \r\n  =?ISO-8859-1?Q?b?=)'), '(ab)');
  assert.equal(decodeEncodedWords('(=?ISO-8859-1?Q?a_b?=)'), '(a b)');
  assert.equal(decodeEncodedWords('=?ISO-8859-15?Q?=A4?='), '€');
  assert.equal(decodeEncodedWords('=?windows-1252?Q?=80?='), '€');
  assert.equal(decodeEncodedWords('=?ISO-8859-2?Q?=B1?='), 'ą');
  // A UTF-8 character split across two words is joined as bytes first.
  assert.equal(decodeEncodedWords('=?UTF-8?Q?=E2=82?= =?UTF-8?Q?=AC?='), '€');
  assert.equal(decodeEncodedWords('=?utf-8*en?q?hi?='), 'hi');
  // Invalid words stay as they were.
  assert.equal(decodeEncodedWords('=?x-unknown?Q?abc?= z'), '=?x-unknown?Q?abc?= z');
  assert.equal(decodeEncodedWords('=?utf-8?B?***?='), '=?utf-8?B?***?=');
  assert.equal(decodeEncodedWords('a =?utf-8?X?abc?= b'), 'a =?utf-8?X?abc?= b');
  assert.equal(decodeEncodedWords('plain =?utf-8?q?x?= text'), 'plain x text');
});

test('decodeHeaderText reads raw UTF-8 (RFC 6532) and keeps Latin-1 otherwise', () => {
  assert.equal(decodeHeaderText('caf\xc3\xa9'), 'café');
  assert.equal(decodeHeaderText('caf\xe9'), 'caf\xe9');
});
