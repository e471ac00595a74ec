// Signer status for defective certificates and hostile structures: each case asserts the status and code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signContent } from '../../../src/core/cms/sign.js';
import { verifySignedData } from '../../../src/core/cms/verify.js';
import { integer, oid, sequence, setOf, tlv, octetString } from '../../../src/core/der.js';
import { isSignetError } from '../../../src/core/errors.js';
import { OID } from '../../../src/core/oids.js';
import { testPki, type UserName } from '../../helpers/pki.js';
import { config, identityOf, openssl, pemFileToDer, provider, tmpFile } from './helpers.js';

const content = new TextEncoder().encode('Content-Type: text/plain\r\n\r\ntrust test\r\n');

async function verifyAs(user: UserName, opts: { at?: Date; anchors?: Uint8Array[]; signingTime?: Date; extra?: Uint8Array[] } = {}) {
  const der = await signContent(content, { identity: identityOf(user), signingTime: opts.signingTime, extraCertificates: opts.extra }, provider);
  const r = await verifySignedData(
    der,
    { detachedContent: content, anchors: opts.anchors ?? [testPki().rootDer], config: config(), at: opts.at },
    provider,
  );
  return r.signers[0]!;
}

const cases: [UserName, string, string][] = [
  ['expired', 'expired', 'expired'],
  ['notyet', 'expired', 'not-yet-valid'],
  ['serverauth', 'untrusted', 'ext-key-usage'],
  ['encipheronly', 'untrusted', 'key-usage'],
  ['weak', 'invalid', 'weak-key'],
  ['mallory', 'untrusted', 'untrusted-root'],
];
for (const [user, status, code] of cases) {
  test(`${user}: ${status} / ${code}`, async () => {
    const s = await verifyAs(user);
    assert.equal(s.status, status, s.reason);
    assert.equal(s.code, code);
    assert.ok(s.chain.length >= 1);
    assert.ok(s.chain.some((c) => c.status === code));
  });
}

test('noemail verifies (sender binding is the message layer) and reports no address', async () => {
  const s = await verifyAs('noemail');
  assert.equal(s.status, 'valid');
  assert.equal(s.email, null);
  assert.deepEqual(s.emails, []);
});

test('validity is checked at the signing time too: a cert expired when signed is expired even if `at` is inside', async () => {
  // alice is valid now; a signing time before her notBefore is a time she could not have signed at.
  const s = await verifyAs('alice', { signingTime: new Date('2001-01-01T00:00:00Z') });
  assert.equal(s.status, 'expired');
  assert.equal(s.code, 'signing-time-outside-validity');
  assert.equal(s.signingTime, null);
  assert.equal(s.claimedSigningTime, '2001-01-01T00:00:00.000Z');
});

test('validity is checked at `at`: alice verified 10 years from now is expired; the chain view says which', async () => {
  const s = await verifyAs('alice', { at: new Date(Date.now() + 10 * 365 * 86400_000) });
  assert.equal(s.status, 'expired');
  assert.equal(s.chain[0]!.status, 'expired');
});

test('the weak key is invalid even with allowInsecureShortKeys off only; on, it verifies', async () => {
  const der = await signContent(content, { identity: identityOf('weak') }, provider);
  const r = await verifySignedData(der, { detachedContent: content, anchors: [testPki().rootDer], config: config({ allowInsecureShortKeys: true }) }, provider);
  assert.equal(r.signers[0]!.status, 'valid');
});

test('mallory without her root in the message: untrusted / no-path', async () => {
  const pki = testPki();
  const id = { ...identityOf('mallory'), chain: [] };
  const der = await signContent(content, { identity: id }, provider);
  const r = await verifySignedData(der, { detachedContent: content, anchors: [pki.rootDer], config: config() }, provider);
  assert.equal(r.signers[0]!.status, 'untrusted');
  assert.equal(r.signers[0]!.code, 'no-path');
});

test('a fake root with the anchor\'s name but another key does not chain, even when the real root is in the message', async () => {
  const pki = testPki();
  const key = tmpFile('fake-root.key');
  const pem = tmpFile('fake-root.pem');
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', pem, '-subj', '/CN=Signet Test Root/O=Signet Tests', '-days', '30']);
  const fake = pemFileToDer(pem);
  const s = await verifyAs('alice', { anchors: [fake], extra: [pki.rootDer] });
  assert.equal(s.status, 'untrusted');
  assert.equal(s.code, 'untrusted-root');
  assert.ok(!s.chain.some((c) => c.isTrustAnchor));
  // The intermediate as anchor is a valid shorter path.
  const viaInter = await verifyAs('alice', { anchors: [fake, pki.intermediateDer] });
  assert.equal(viaInter.status, 'valid');
  assert.equal(viaInter.chain.length, 2);
});

test('eContent confusion: opaque signed-data given with detached content is refused', async () => {
  const der = await signContent(content, { identity: identityOf('alice'), detached: false }, provider);
  await assert.rejects(
    verifySignedData(der, { detachedContent: content, anchors: [testPki().rootDer], config: config() }, provider),
    (e) => isSignetError(e, 'econtent-confusion'),
  );
});

test('a detached signature without content is no-content', async () => {
  const der = await signContent(content, { identity: identityOf('alice') }, provider);
  await assert.rejects(verifySignedData(der, { anchors: [testPki().rootDer], config: config() }, provider), (e) => isSignetError(e, 'no-content'));
});

test('zero SignerInfos: no-signers', async () => {
  const sd = sequence(integer(1), setOf(), sequence(oid(OID.data), tlv(0xa0, octetString(content))), setOf());
  const der = sequence(oid(OID.signedData), tlv(0xa0, sd));
  await assert.rejects(verifySignedData(der, { anchors: [testPki().rootDer], config: config() }, provider), (e) => isSignetError(e, 'no-signers'));
});

test('tampered opaque eContent: invalid / digest-mismatch', async () => {
  const der = await signContent(content, { identity: identityOf('erin'), detached: false }, provider);
  const i = Buffer.from(der).indexOf(Buffer.from('trust test'));
  assert.ok(i > 0);
  const bad = der.slice();
  bad[i]! ^= 0x20;
  const r = await verifySignedData(bad, { anchors: [testPki().rootDer], config: config() }, provider);
  assert.equal(r.signers[0]!.status, 'invalid');
  assert.equal(r.signers[0]!.code, 'digest-mismatch');
});

test('a tampered signature value: invalid / bad-signature', async () => {
  for (const user of ['bob', 'dave'] as UserName[]) {
    const der = await signContent(content, { identity: identityOf(user) }, provider);
    const bad = der.slice();
    bad[bad.length - 5]! ^= 0x01; // the signature OCTET STRING is last
    const r = await verifySignedData(bad, { detachedContent: content, anchors: [testPki().rootDer], config: config() }, provider);
    assert.equal(r.signers[0]!.status, 'invalid');
    assert.equal(r.signers[0]!.code, 'bad-signature');
  }
});

test('the signer certificate missing from the message: invalid / no-certificate, found via extraCertificates', async () => {
  const pki = testPki();
  const der = await signContent(content, { identity: identityOf('alice') }, provider);
  // Strip certificates by re-signing with openssl -nocerts.
  const nocerts = new Uint8Array(
    openssl(['cms', '-sign', '-binary', '-nocerts', '-outform', 'DER', '-in', tmpFile('nc.txt', content), '-signer', pki.users.alice.certPath, '-inkey', pki.users.alice.keyPath]),
  );
  assert.ok(der.length > nocerts.length);
  const r = await verifySignedData(nocerts, { detachedContent: content, anchors: [pki.rootDer], config: config() }, provider);
  assert.equal(r.signers[0]!.status, 'invalid');
  assert.equal(r.signers[0]!.code, 'no-certificate');
  const r2 = await verifySignedData(
    nocerts,
    { detachedContent: content, anchors: [pki.rootDer], extraCertificates: [pki.users.alice.certDer, pki.intermediateDer], config: config() },
    provider,
  );
  assert.equal(r2.signers[0]!.status, 'valid');
});

test('a signer identified by subjectKeyIdentifier (openssl -keyid) is found', async () => {
  const pki = testPki();
  const der = new Uint8Array(
    openssl(['cms', '-sign', '-binary', '-keyid', '-outform', 'DER', '-in', tmpFile('kid.txt', content), '-signer', pki.users.carol.certPath, '-inkey', pki.users.carol.keyPath, '-certfile', pki.intermediatePath]),
  );
  const r = await verifySignedData(der, { detachedContent: content, anchors: [pki.rootDer], config: config() }, provider);
  assert.equal(r.signers[0]!.status, 'valid');
});
