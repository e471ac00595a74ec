// One identity rule and one normalisation (ARCHITECTURE.md rule 4, issue 13): a certificate's addresses are its
// SAN rfc822Names when the SAN has any, else the subject emailAddress; malformed names are rejected, never
// trimmed; name constraints (RFC 5280 §4.2.1.10) see exactly the same names in the same form.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { certificateMailbox, mailIdentity, validDomain } from '../../../src/core/pki/mail-identity.js';
import { parseCertificate } from '../../../src/core/pki/certificate.js';
import { CA_EXT, config, issue, linkStatuses, sanExt, signAndVerify, type TestCert } from './helpers.js';

test('certificateMailbox accepts RFC 5321 mailboxes and lowercases only the domain', () => {
  assert.equal(certificateMailbox('alice@example.org'), 'alice@example.org');
  assert.equal(certificateMailbox('Alice.B+tag@EXAMPLE.Org'), 'Alice.B+tag@example.org');
  assert.equal(certificateMailbox('juergen@xn--mnchen-3ya.example'), 'juergen@xn--mnchen-3ya.example');
  assert.equal(certificateMailbox('ops@[192.0.2.1]'), 'ops@[192.0.2.1]');
  assert.equal(certificateMailbox('root@localhost'), 'root@localhost');
});

test('certificateMailbox rejects whitespace, controls, @ counts, empty parts, trailing dots and invalid IDN', () => {
  const bad = [
    'alice@example.org ', ' alice@example.org', 'alice @example.org', 'alice@example.org\t', 'alice@example.org\r\n',
    'alice@exam\u0000ple.org', 'alice@example.org\u007f', 'alice@example.org\u00a0', 'alice\u200b@example.org',
    'alice', 'alice@', '@example.org', 'a@b@example.org', '', 'alice@example.org.', 'alice@.example.org',
    'alice@example..org', '.alice@example.org', 'alice.@example.org', 'al..ice@example.org', '"alice"@example.org',
    'alice@-example.org', 'alice@example-.org', 'alice@exa_mple.org', 'alice@xn--zz.example', 'alice@xn--abc-.example',
    'alice@münchen.example', 'jürgen@example.org', 'alice@[999.0.2.1]', `${'a'.repeat(65)}@example.org`,
  ];
  for (const b of bad) assert.equal(certificateMailbox(b), null, JSON.stringify(b));
  assert.equal(validDomain('example.org.'), false);
});

test('mailIdentity: SAN rfc822Names when present, else subject emailAddress; a malformed SAN still blocks the fallback', () => {
  assert.deepEqual(mailIdentity(['eve@example.org'], ['alice@example.org']).addresses, ['eve@example.org']);
  assert.deepEqual(mailIdentity([], ['alice@example.org']).addresses, ['alice@example.org']);
  assert.deepEqual(mailIdentity(['eve@example.org '], ['alice@example.org']).addresses, []);
  assert.deepEqual(mailIdentity([], ['alice@example.org ', null]).addresses, []);
  assert.deepEqual(mailIdentity(['a@EXAMPLE.org', 'a@example.org', 'A@example.org'], []).addresses, ['a@example.org', 'A@example.org']);
  // name constraints still see every name, malformed ones marked
  assert.deepEqual(
    mailIdentity(['eve@example.org '], ['alice@example.org']).names.map((n) => [n.source, n.address]),
    [['san', null], ['subject', 'alice@example.org']],
  );
});

const leafBase = 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nextendedKeyUsage=emailProtection\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n';

test('the parsed certificate uses the rule: SAN eve + subject E=alice names only eve', () => {
  const root = issue('mi-root', { subject: '/CN=MI Root', ext: CA_EXT, from: -10, to: 3650 });
  const eve = issue('mi-eve', { subject: '/CN=Eve/emailAddress=alice@example.org', ext: leafBase + sanExt(['eve@example.org']), issuer: root });
  const c = parseCertificate(eve.der, config.limits);
  assert.deepEqual(c.emails, ['eve@example.org']);
  const spaced = issue('mi-spaced', { subject: '/CN=Spaced/emailAddress=alice@example.org', ext: leafBase + sanExt(['alice@example.org ']), issuer: root });
  assert.deepEqual(parseCertificate(spaced.der, config.limits).emails, []);
});

test('an RFC 8398 SmtpUTF8Mailbox in the SAN is a SAN e-mail name: no fallback to the subject, and no identity', () => {
  const root = issue('mi-utf8-root', { subject: '/CN=MI UTF8 Root', ext: CA_EXT, from: -10, to: 3650 });
  const c = issue('mi-utf8', { subject: '/CN=UTF8/emailAddress=alice@example.org', ext: leafBase + 'subjectAltName=otherName:1.3.6.1.5.5.7.8.9;UTF8:j\u00fcrgen@example.org\n', issuer: root });
  const cert = parseCertificate(c.der, config.limits);
  assert.deepEqual(cert.emails, []);
  assert.deepEqual(cert.mailNames.map((n) => [n.source, n.address]), [['san', null], ['subject', 'alice@example.org']]);
});

// Name constraints: excluded and permitted subtrees in the three rfc822Name forms of RFC 5280 §4.2.1.10.
const ncRoot = issue('mi-nc-root', { subject: '/CN=MI NC Root', ext: CA_EXT, from: -10, to: 3650 });
const excl = issue('mi-nc-excl', {
  subject: '/CN=Excluding CA',
  ext: CA_EXT + 'nameConstraints=critical,excluded;email:excluded.example,excluded;email:.banned.example,excluded;email:ceo@corp.example\n',
  issuer: ncRoot,
});
const perm = issue('mi-nc-perm', {
  subject: '/CN=Permitting CA',
  ext: CA_EXT + 'nameConstraints=critical,permitted;email:permitted.example,permitted;email:.sub.example,permitted;email:boss@solo.example\n',
  issuer: ncRoot,
});
let n = 0;
async function underCa(ca: TestCert, sanNames: string[]) {
  const leaf = issue(`mi-nc-leaf-${++n}`, { subject: `/CN=NC Leaf ${n}`, ext: leafBase + sanExt(sanNames), issuer: ca });
  return signAndVerify(leaf, [ca], [ncRoot]);
}

test('excluded subtrees: whitespace, trailing-dot and case variants never slip out', async () => {
  for (const name of [
    'eve@excluded.example', 'eve@excluded.example ', ' eve@excluded.example', 'eve@excluded.example\t', 'eve@excluded.example.',
    'eve@EXCLUDED.Example', 'eve@host.banned.example', 'eve@HOST.Banned.Example ', 'ceo@corp.example', 'CEO@corp.example',
    'ceo@CORP.example.', 'ceo@corp.example\r\n',
  ]) {
    const s = await underCa(excl, [name]);
    assert.equal(s.status, 'untrusted', JSON.stringify(name));
    assert.equal(s.code, 'name-constraints', JSON.stringify(name));
    assert.deepEqual(linkStatuses(s), ['name-constraints', 'ok', 'ok'], JSON.stringify(name));
  }
  // Outside the exclusions: fine.
  for (const name of ['eve@other.example', 'bob@corp.example', 'eve@banned.example']) {
    const s = await underCa(excl, [name]);
    assert.equal(s.status, 'valid', `${name}: ${s.reason}`);
  }
});

test('permitted subtrees: case variants of a permitted name pass, malformed or look-alike names fail', async () => {
  for (const name of ['a@permitted.example', 'a@PERMITTED.Example', 'a@x.sub.example', 'boss@solo.example', 'boss@SOLO.example']) {
    const s = await underCa(perm, [name]);
    assert.equal(s.status, 'valid', `${name}: ${s.reason}`);
  }
  for (const name of [
    'a@permitted.example ', 'a@permitted.example.', 'a@x.permitted.example', 'a@sub.example', 'a@notsub.example', 'Boss@solo.example',
    'a@evilpermitted.example', ' a@permitted.example',
  ]) {
    const s = await underCa(perm, [name]);
    assert.equal(s.code, 'name-constraints', JSON.stringify(name));
  }
});
