import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeAddress, parseAddressList, singleFromAddress } from '../../../src/core/mime/address.js';
import { parseMime } from '../../../src/core/mime/parser.js';
import { b, code } from './util.js';

const plain = (v: string): { name: string | null; address: string }[] => parseAddressList(v).map((a) => ({ ...a }));

test('a display name that looks like an address is only a name', () => {
  assert.deepEqual(plain('"bob@evil.com" <alice@example.org>'), [{ name: 'bob@evil.com', address: 'alice@example.org' }]);
  // Unquoted, as some clients send it: still the angle address, never the name.
  assert.deepEqual(plain('bob@evil.com <alice@example.org>'), [{ name: 'bob@evil.com', address: 'alice@example.org' }]);
  assert.deepEqual(plain('=?utf-8?q?bob=40evil=2Ecom?= <alice@example.org>'), [{ name: 'bob@evil.com', address: 'alice@example.org' }]);
});

test('quoted names with "<", ",", "@"; comments; angle-addr; obsolete route', () => {
  assert.deepEqual(plain('"Doe, John <boss@x.com>" <john@example.com>, jane@example.com'), [
    { name: 'Doe, John <boss@x.com>', address: 'john@example.com' },
    { name: null, address: 'jane@example.com' },
  ]);
  assert.deepEqual(plain('Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>'), [
    { name: 'Pete', address: 'pete@silly.test' },
  ]);
  assert.deepEqual(plain('jdoe@example.org (John Doe)'), [{ name: 'John Doe', address: 'jdoe@example.org' }]);
  assert.deepEqual(plain('<@route1.test,@route2.test:joe@example.org>'), [{ name: null, address: 'joe@example.org' }]);
  assert.deepEqual(plain('"Joe Q. Public" <john.q.public@example.com>'), [{ name: 'Joe Q. Public', address: 'john.q.public@example.com' }]);
  assert.deepEqual(plain('"quoted local"@example.com, "plain"@Example.COM'), [
    { name: null, address: '"quoted local"@example.com' },
    { name: null, address: 'plain@Example.COM' },
  ]);
  assert.deepEqual(plain('x@[192.0.2.1]'), [{ name: null, address: 'x@[192.0.2.1]' }]);
});

test('groups: members are returned; undisclosed-recipients contributes nothing', () => {
  assert.deepEqual(plain('undisclosed-recipients:;'), []);
  assert.deepEqual(plain('A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;, Mary <mary@x.test>'), [
    { name: 'Ed Jones', address: 'c@a.test' },
    { name: null, address: 'joe@where.test' },
    { name: 'John', address: 'jdoe@one.test' },
    { name: 'Mary', address: 'mary@x.test' },
  ]);
  assert.deepEqual(plain(''), []);
});

test('RFC 2047 and raw UTF-8 display names; IDN domains kept as given', () => {
  assert.deepEqual(plain('=?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>'), [{ name: 'André Pirard', address: 'PIRARD@vm1.ulg.ac.be' }]);
  assert.deepEqual(plain('=?UTF-8?B?SsO8cmdlbg==?= <j@bücher.example>'), [{ name: 'Jürgen', address: 'j@bücher.example' }]);
  assert.deepEqual(plain('J\xc3\xbcrgen <j@b\xc3\xbccher.example>'), [{ name: 'Jürgen', address: 'j@bücher.example' }]);
});

test('malformed-address for what is not an address list', () => {
  for (const bad of ['alice', '<alice>', 'a@', '@b', 'Alice <a@b', '"unterminated <a@b>', 'A <a@b> trailing', 'G: H: a@b;;', 'a..b@c', 'a@b..c', '<>']) {
    assert.throws(() => parseAddressList(bad), code('malformed-address'), bad);
  }
});

test('normalizeAddress lowercases the domain only', () => {
  assert.equal(normalizeAddress(' Alice.Smith@EXAMPLE.Org '), 'Alice.Smith@example.org');
  assert.equal(normalizeAddress('J@BÜCHER.example'), 'J@bücher.example');
});

const from = (...values: string[]): ReturnType<typeof singleFromAddress> =>
  singleFromAddress(values.map((v) => ({ name: 'From', value: v })));

test('singleFromAddress: exactly one From header with exactly one mailbox (ARCHITECTURE.md rule 4)', () => {
  assert.deepEqual(from('Alice <Alice@Example.ORG>'), { ok: true, address: 'Alice@example.org', name: 'Alice' });
  assert.deepEqual(from('"alice@example.org" <eve@evil.test>'), { ok: true, address: 'eve@evil.test', name: 'alice@example.org' });
  assert.deepEqual(singleFromAddress([]), { ok: false, reason: 'missing' });
  assert.deepEqual(from('a@x.test', 'b@y.test'), { ok: false, reason: 'several-headers' });
  assert.deepEqual(from('a@x.test', 'a@x.test'), { ok: false, reason: 'several-headers' });
  assert.deepEqual(from('   '), { ok: false, reason: 'empty' });
  assert.deepEqual(from('a@x.test, b@y.test'), { ok: false, reason: 'several-addresses' });
  assert.deepEqual(from('"alice@example.org"'), { ok: false, reason: 'unparseable' });
  assert.deepEqual(from('alice@example.org <>'), { ok: false, reason: 'unparseable' });
  assert.deepEqual(from('Friends: a@x.test;'), { ok: false, reason: 'unparseable' });
  assert.deepEqual(from('undisclosed-recipients:;'), { ok: false, reason: 'unparseable' });
  assert.deepEqual(from('(just a comment)'), { ok: false, reason: 'empty' });
  // From a parsed entity: header names are case-insensitive.
  const e = parseMime(b('FROM: a@x.test\r\nfrom: b@x.test\r\n\r\n'));
  assert.deepEqual(singleFromAddress(e), { ok: false, reason: 'several-headers' });
  assert.deepEqual(singleFromAddress(parseMime(b('From: A <a@X.test>\r\n\r\n'))), { ok: true, address: 'a@x.test', name: 'A' });
});
