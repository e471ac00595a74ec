// Sender binding (ARCHITECTURE.md rule 4) across the awkward From forms: the signer's certificate address (SAN
// rfc822Name, else subject emailAddress) must equal the single From addr-spec. Display names, comments
// and encoded words that look like addresses never count; Sender never stands in for From; domains
// compare case-insensitively and in U-label = A-label form; local parts compare exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { domainToASCII } from 'node:url';
import { openMessage } from '../../../src/core/smime/open.js';
import { protectMessage } from '../../../src/core/smime/protect.js';
import { privateKeyFromPkcs8 } from '../../../src/core/private-key.js';
import { addressKey, sameAddress, singleFromAddress } from '../../../src/core/mime/address.js';
import { domainKey } from '../../../src/core/idn.js';
import { parseMime } from '../../../src/core/mime/parser.js';
import { CA_EXT, issue, leafExt, provider, type TestCert } from './helpers.js';

const root = issue('sb-root', { subject: '/CN=Binding Root', ext: CA_EXT, from: -10, to: 3650 });
const inter = issue('sb-inter', { subject: '/CN=Binding Intermediate', ext: CA_EXT, issuer: root });
const alice = issue('sb-alice', { subject: '/CN=Alice', ext: leafExt('alice@example.org'), issuer: inter });
const idn = issue('sb-idn', { subject: '/CN=Jürgen', ext: leafExt('juergen@xn--mnchen-3ya.example'), issuer: inter });
const dnOnly = issue('sb-dn-only', { subject: '/CN=Old Style/emailAddress=old@example.org', ext: leafExt(null), issuer: inter });

async function signed(cert: TestCert): Promise<Buffer> {
  const identity = { certificate: cert.der, chain: [inter.der], privateKey: privateKeyFromPkcs8(cert.keyPkcs8, provider) };
  const body = new TextEncoder().encode('From: placeholder@example.org\r\nTo: bob@example.org\r\nSubject: binding\r\n\r\nhello\r\n');
  return Buffer.from(await protectMessage(body, { sign: { identity }, provider }));
}

/** Replaces the outer From/Sender headers (outside the signature) with `headers` (raw, may be UTF-8). */
function withHeaders(msg: Buffer, headers: string[]): Buffer {
  const end = msg.indexOf('\r\n\r\n');
  const kept = msg
    .subarray(0, end)
    .toString('latin1')
    .split(/\r\n(?![ \t])/)
    .filter((l) => !/^(from|sender):/i.test(l));
  return Buffer.concat([Buffer.from(headers.map((h) => h + '\r\n').join(''), 'utf8'), Buffer.from(kept.join('\r\n'), 'latin1'), msg.subarray(end)]);
}

async function verdictFor(cert: TestCert, headers: string[]) {
  const { verdict } = await openMessage(withHeaders(await signed(cert), headers), { anchors: [root.der], provider });
  return verdict;
}

const aliceCases: [string, string[], 'valid' | 'sender-mismatch'][] = [
  ['plain', ['From: alice@example.org'], 'valid'],
  ['name-addr with a display name', ['From: Alice Example <alice@example.org>'], 'valid'],
  ['domain in another case', ['From: Alice <alice@EXAMPLE.Org>'], 'valid'],
  ['comments around the address', ['From: (the boss) alice@example.org (Alice)'], 'valid'],
  ['a Sender header that differs is ignored when From matches', ['From: alice@example.org', 'Sender: secretary@example.org'], 'valid'],
  ['local part in another case is another mailbox', ['From: Alice@example.org'], 'sender-mismatch'],
  ['quoted display name that looks like the address', ['From: "alice@example.org" <mallory@evil.test>'], 'sender-mismatch'],
  ['RFC 2047 display name that looks like the address', ['From: =?utf-8?q?alice=40example=2Eorg?= <mallory@evil.test>'], 'sender-mismatch'],
  ['RFC 2047 display name hiding a whole name-addr', ['From: =?utf-8?b?QWxpY2UgPGFsaWNlQGV4YW1wbGUub3JnPg==?= <mallory@evil.test>'], 'sender-mismatch'],
  ['the address only in a comment', ['From: mallory@evil.test (alice@example.org)'], 'sender-mismatch'],
  ['an encoded word as the local part is not decoded', ['From: =?utf-8?q?alice?=@example.org'], 'sender-mismatch'],
  ['a group', ['From: team: alice@example.org;'], 'sender-mismatch'],
  ['two addresses', ['From: alice@example.org, mallory@evil.test'], 'sender-mismatch'],
  ['two From headers', ['From: alice@example.org', 'From: mallory@evil.test'], 'sender-mismatch'],
  ['an empty From', ['From: '], 'sender-mismatch'],
  ['no From at all', [], 'sender-mismatch'],
  ['Sender never stands in for a missing From', ['Sender: alice@example.org'], 'sender-mismatch'],
  ['Sender never stands in for another From', ['From: mallory@evil.test', 'Sender: alice@example.org'], 'sender-mismatch'],
];

for (const [what, headers, status] of aliceCases) {
  test(`sender binding: ${what} → ${status}`, async () => {
    const v = await verdictFor(alice, headers);
    assert.equal(v.status, status, v.summary);
    assert.equal(v.code, status === 'valid' ? null : 'sender-mismatch');
    // The badge always shows the certificate's address, never the From text.
    assert.equal(v.signer!.email, 'alice@example.org');
  });
}

test('IDN: a certificate with the A-label domain matches a From in U-labels (RFC 6532 UTF-8) and in A-labels of any case', async () => {
  for (const from of ['From: Jürgen <juergen@münchen.example>', 'From: juergen@XN--MNCHEN-3YA.example', 'From: juergen@MÜNCHEN.example']) {
    const v = await verdictFor(idn, [from]);
    assert.equal(v.status, 'valid', `${from}: ${v.summary}`);
    assert.equal(v.signer!.email, 'juergen@xn--mnchen-3ya.example');
  }
  const v = await verdictFor(idn, ['From: juergen@munchen.example']);
  assert.equal(v.status, 'sender-mismatch');
});

test('a certificate without SAN binds through its subject emailAddress', async () => {
  const v = await verdictFor(dnOnly, ['From: Old <old@example.org>']);
  assert.equal(v.status, 'valid', v.summary);
  assert.equal(v.signer!.email, 'old@example.org');
  assert.equal((await verdictFor(dnOnly, ['From: other@example.org'])).status, 'sender-mismatch');
});

test('singleFromAddress reasons for the ambiguous forms', () => {
  const from = (raw: string) => singleFromAddress(parseMime(Buffer.from(raw + '\r\n\r\nbody\r\n', 'utf8')));
  assert.deepEqual(from('Subject: x'), { ok: false, reason: 'missing' });
  assert.deepEqual(from('From:   '), { ok: false, reason: 'empty' });
  assert.deepEqual(from('From: a@example.org\r\nFrom: a@example.org'), { ok: false, reason: 'several-headers' });
  assert.deepEqual(from('From: a@example.org, b@example.org'), { ok: false, reason: 'several-addresses' });
  assert.equal(from('From: g: a@example.org;').ok, false);
  const r = from('From: "a@example.org" <b@example.org>');
  assert.ok(r.ok && r.address === 'b@example.org' && r.name === 'a@example.org');
});

test('address comparison: local part exact, domain case-insensitive, U-label = A-label', () => {
  assert.ok(sameAddress('alice@Example.ORG', 'alice@example.org'));
  assert.ok(!sameAddress('Alice@example.org', 'alice@example.org'));
  assert.ok(sameAddress('a@bücher.example', 'a@xn--bcher-kva.example'));
  assert.ok(!sameAddress('a@bucher.example', 'a@xn--bcher-kva.example'));
  assert.equal(addressKey('a@[192.0.2.1]'), 'a@[192.0.2.1]');
});

test('domain keys agree with Node (WHATWG URL domainToASCII)', () => {
  for (const d of ['münchen.example', 'bücher.de', '例え.テスト', 'яндекс.рф', 'ελληνικά.gr', 'mañana.com', 'ü.example', 'xn--mnchen-3ya.example', 'EXAMPLE.com']) {
    assert.equal(domainKey(d), domainToASCII(d), d);
  }
  // A broken A-label stays as written: it equals only itself.
  assert.equal(domainKey('xn--zz!.example'), 'xn--zz!.example');
});
