// Correspondents' certificates (src/keys/store/certificate-directory.ts) over fake-indexeddb: harvest from a
// valid signed message with its SMIMECapabilities and encryption-key preference, manual import of .cer /
// .pem / .p7b with a reason for every refusal, the newest usable certificate per address, expiry and trust
// changes after storing, and the organisation directory's GET/JSON format against a node:http server.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { utf8 } from '../../../src/core/bytes.js';
import { resolveConfig } from '../../../src/core/config.js';
import { isSignetError } from '../../../src/core/errors.js';
import type { Identity } from '../../../src/core/keys.js';
import { openMessage } from '../../../src/core/smime/open.js';
import { protectMessage } from '../../../src/core/smime/protect.js';
import { loadIdentities } from '../../../src/keys/identity-file.js';
import { directoryRequestUrl, parseDirectoryResponse } from '../../../src/keys/store/organisation-directory.js';
import { startHttpServer } from '../../helpers/revocation.js';
import { PASS, issue, openStore, openssl, provider, testPki, type Issued } from './helpers.js';

const file = (path: string): Uint8Array => new Uint8Array(readFileSync(path));

async function identity(pemPath: string): Promise<Identity> {
  return (await loadIdentities(file(pemPath), undefined, provider))[0]!;
}

function mail(from: string, to = 'dana@example.org'): Uint8Array {
  return utf8(`From: ${from}\r\nTo: ${to}\r\nSubject: hello\r\nDate: ${new Date().toUTCString()}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nHello.\r\n`);
}

async function signedVerdict(id: Identity, from: string, extra: { encryptionCertificate?: Uint8Array } = {}) {
  const signed = await protectMessage(mail(from), { sign: { identity: id, ...extra }, provider });
  return (await openMessage(signed, { anchors: [testPki().rootDer] })).verdict;
}

/** The certificate followed by the test intermediate, as a PEM file a CA hands out. */
function withChain(i: Issued): Uint8Array {
  return utf8(readFileSync(i.certPath, 'utf8') + readFileSync(testPki().intermediatePath, 'utf8'));
}

/** ASN.1 GeneralizedTime-ish for `openssl ca -startdate`, `days` from now. */
function asn1Time(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
}

test('harvest: a valid signed message stores the signer certificate with its capabilities', async () => {
  const pki = testPki();
  const { store } = await openStore();
  const verdict = await signedVerdict(await identity(pki.users.alice.identityPemPath), 'alice@example.org');
  assert.equal(verdict.status, 'valid');
  const r = await store.certificates.harvest(verdict);
  assert.equal(r.stored.length, 1);
  assert.deepEqual(r.refused, []);
  const stored = r.stored[0]!;
  assert.deepEqual(stored.der, pki.users.alice.certDer);
  assert.deepEqual(stored.sources, ['message']);
  assert.ok(stored.capabilities!.includes('AES-256-GCM') && stored.capabilities!.includes('RSA-OAEP-SHA256'), String(stored.capabilities));
  const found = await store.certificates.lookup('alice@example.org');
  assert.deepEqual(found.chosen!.der, pki.users.alice.certDer);
  assert.equal(found.chosen!.problem, null);
  // Seen again: still one record, still from a message.
  await store.certificates.harvest(verdict);
  const list = await store.certificates.list();
  assert.equal(list.length, 1);
  assert.equal(list[0]!.address, 'alice@example.org');
});

test('harvest: the encryption-key preference chooses the separate encryption certificate', async () => {
  const pki = testPki();
  const sign = issue('Ivy Sign', { email: 'ivy@example.org', ku: 'critical,digitalSignature,nonRepudiation' });
  const enc = issue('Ivy Encrypt', { email: 'ivy@example.org', ku: 'critical,keyEncipherment' });
  const signer = await identity(signIdentityPem(sign));
  // The encryption certificate travels in the message (SignedData certificates), as Outlook sends it.
  signer.chain = [pki.intermediateDer, enc.certDer];
  const verdict = await signedVerdict(signer, 'ivy@example.org', { encryptionCertificate: enc.certDer });
  assert.equal(verdict.status, 'valid');
  assert.ok(verdict.signer!.encryptionCertificate, 'the Verdict carries the preferred certificate');
  const { store } = await openStore();
  const r = await store.certificates.harvest(verdict);
  assert.deepEqual(r.refused, [], 'the signing-only certificate is expected not to be stored, silently');
  assert.equal(r.stored.length, 1);
  assert.deepEqual(r.stored[0]!.der, enc.certDer);
  assert.equal(r.stored[0]!.preferredForEncryption, true);
  assert.deepEqual((await store.certificates.lookup('ivy@example.org')).chosen!.der, enc.certDer);
});

/** A PEM identity file (key, certificate, intermediate) for an issued certificate. */
function signIdentityPem(i: Issued): string {
  const path = i.keyPath.replace(/\.key$/, '.identity.pem');
  writeFileSync(path, readFileSync(i.keyPath, 'utf8') + readFileSync(i.certPath, 'utf8') + readFileSync(testPki().intermediatePath, 'utf8'));
  return path;
}

test('manual import: PEM, DER and PKCS#7 bundles; every refusal has a reason', async () => {
  const pki = testPki();
  const { store } = await openStore();
  // A lone .cer does not carry the organisation's intermediate: no path, and the reason says what to do.
  const lone = await store.certificates.importCertificates(file(pki.users.bob.certPath));
  assert.equal(lone.stored.length, 0);
  assert.equal(lone.refused[0]!.problem, 'untrusted');
  assert.match(lone.refused[0]!.reason, /includes the chain/);
  // Once the user's own identity (whose .p12 carries that intermediate) is in the store, it builds.
  await store.identities.importPkcs12(file(pki.users.alice.p12Path), PASS);
  const pem = await store.certificates.importCertificates(file(pki.users.bob.certPath));
  assert.equal(pem.stored.length, 1);
  const der = await store.certificates.importCertificates(pki.users.bob.certDer);
  assert.equal(der.stored[0]!.id, pem.stored[0]!.id, 'the same certificate, one record');
  assert.deepEqual(der.stored[0]!.sources, ['file']);
  const p7b = openssl(['crl2pkcs7', '-nocrl', '-certfile', pki.users.carol.chainPath, '-outform', 'DER']);
  const bundle = await store.certificates.importCertificates(new Uint8Array(p7b));
  assert.deepEqual(bundle.stored.map((s) => s.addresses), [['carol@example.org']], 'the CA in the bundle only helps the path');
  // The refusals, each with a specific problem.
  const refused = async (path: string): Promise<string> => {
    const r = await store.certificates.importCertificates(file(path));
    assert.equal(r.stored.length, 0, path);
    assert.equal(r.refused.length, 1, path);
    assert.ok(r.refused[0]!.reason.length > 10);
    return r.refused[0]!.problem;
  };
  assert.equal(await refused(pki.users.expired.certPath), 'expired');
  assert.equal(await refused(pki.users.notyet.certPath), 'not-yet-valid');
  assert.equal(await refused(pki.users.serverauth.certPath), 'no-encryption-usage');
  assert.equal(await refused(pki.users.mallory.certPath), 'untrusted');
  assert.equal(await refused(pki.users.noemail.certPath), 'address-mismatch');
  assert.equal(await refused(pki.users.weak.certPath), 'weak-key');
  assert.equal(await refused(pki.rootPath), 'not-an-end-entity');
  const signOnly = issue('Sam Sign', { email: 'sam@example.org', ku: 'critical,digitalSignature' });
  assert.equal(await refused(signOnly.certPath), 'no-encryption-usage');
  // keyEncipherment without digitalSignature: cannot sign, can receive encrypted mail.
  assert.equal((await store.certificates.importCertificates(file(pki.users.encipheronly.certPath))).stored.length, 1);
  await assert.rejects(store.certificates.importCertificates(utf8('not a certificate at all')), (e: unknown) => isSignetError(e) && e.code.startsWith('malformed-'));
  const addresses = (await store.certificates.list()).map((a) => a.address);
  assert.deepEqual(addresses, ['bob@example.org', 'carol@example.org', 'enc@example.org']);
});

test('per address: the newest usable certificate is chosen; expired and revoked ones carry their reason', async () => {
  const older = issue('Gina Old', { email: 'gina@example.org', start: asn1Time(-20), end: asn1Time(300) });
  const newer = issue('Gina New', { email: 'gina@example.org', start: asn1Time(-2), end: asn1Time(300) });
  const { store } = await openStore();
  await store.certificates.importCertificates(withChain(older));
  await store.certificates.importCertificates(withChain(newer));
  let g = await store.certificates.lookup('gina@example.org');
  assert.deepEqual(g.chosen!.der, newer.certDer);
  assert.equal(g.superseded.length, 1);
  assert.deepEqual(g.rejected, []);
  // Removing the chosen one falls back to the older, still valid one.
  await store.certificates.remove(g.chosen!.id);
  g = await store.certificates.lookup('gina@example.org');
  assert.deepEqual(g.chosen!.der, older.certDer);
  // A year later both have expired: never used, and the reason says so.
  const later = await openStore({ factory: undefined });
  await later.store.certificates.importCertificates(withChain(older));
  const future = await openStore({ factory: later.factory, now: () => new Date(Date.now() + 400 * 86_400_000) });
  const expired = await future.store.certificates.lookup('gina@example.org');
  assert.equal(expired.chosen, null);
  assert.equal(expired.rejected[0]!.problem, 'expired');
  assert.match(expired.rejected[0]!.reason, /expired on \d{4}-\d\d-\d\d/);
});

test('trust changes apply to stored certificates: without the root, a stored certificate is untrusted', async () => {
  const pki = testPki();
  const { store } = await openStore();
  await store.certificates.importCertificates(file(pki.users.bob.chainPath));
  assert.ok((await store.certificates.lookup('bob@example.org')).chosen);
  store.setTrust({ anchors: [], config: resolveConfig({}) });
  const b = await store.certificates.lookup('bob@example.org');
  assert.equal(b.chosen, null);
  assert.equal(b.rejected[0]!.problem, 'untrusted');
  store.setTrust({ anchors: [pki.rootDer], config: resolveConfig({}) });
  assert.ok((await store.certificates.lookup('bob@example.org')).chosen);
  // A stricter key policy makes a stored 2048-bit certificate too weak.
  await store.certificates.importCertificates(file(pki.users.alice.chainPath));
  store.setTrust({ anchors: [pki.rootDer], config: resolveConfig({ minRsaBits: 3072 }) });
  assert.equal((await store.certificates.lookup('alice@example.org')).rejected[0]!.problem, 'weak-key');
  // Bob's own key is 3072 bits, but the test CAs' 2048-bit keys now break his path.
  const bob = await store.certificates.lookup('bob@example.org');
  assert.equal(bob.chosen, null);
  assert.equal(bob.rejected[0]!.problem, 'untrusted');
  assert.match(bob.rejected[0]!.reason, /weak key/);
});

test('organisation directory: GET ?address= with Accept JSON, no credentials; answers validated and cached', async () => {
  const pki = testPki();
  const hal = issue('Hal', { email: 'hal@example.org' });
  const pat = issue('Pat', { email: 'pat@example.org' });
  // LDAP's userSMIMECertificate holds a PKCS#7 certs-only bundle: the gateway may pass it on as is.
  const patBundle = new Uint8Array(openssl(['crl2pkcs7', '-nocrl', '-certfile', pat.certPath, '-certfile', pki.intermediatePath, '-outform', 'DER']));
  const requests: IncomingMessage[] = [];
  const server = await startHttpServer((req, res) => {
    requests.push(req);
    const address = new URL(req.url!, 'http://x').searchParams.get('address');
    const certs: Record<string, Uint8Array[]> = {
      'hal@example.org': [hal.certDer, pki.intermediateDer],
      'pat@example.org': [patBundle],
      'oscar@example.org': [pki.users.expired.certDer],
      'mallory@example.org': [pki.users.mallory.certDer],
    };
    if (address === 'broken@example.org') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"certificates": "nope"}');
      return;
    }
    const list = address ? certs[address] : undefined;
    if (!list) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ certificates: list.map((c) => Buffer.from(c).toString('base64')) }));
  });
  try {
    const { store } = await openStore({ organisation: { url: server.url('/certs?tenant=signet'), fetch } });
    const h = await store.certificates.lookup('hal@example.org');
    assert.deepEqual(h.chosen!.der, hal.certDer);
    assert.deepEqual(h.chosen!.sources, ['directory']);
    assert.equal(h.askedDirectory, true);
    assert.equal(requests.length, 1);
    const req = requests[0]!;
    assert.equal(req.method, 'GET');
    assert.equal(req.url, '/certs?tenant=signet&address=hal%40example.org');
    assert.match(String(req.headers.accept), /application\/json/);
    assert.equal(req.headers.cookie, undefined);
    assert.equal(req.headers.authorization, undefined);
    // Now in the store: no second request.
    assert.ok((await store.certificates.lookup('hal@example.org')).chosen);
    assert.equal(requests.length, 1);
    assert.deepEqual((await store.certificates.lookup('pat@example.org')).chosen!.der, pat.certDer);
    assert.equal(requests.length, 2);
    // Unknown: 404, then not asked again for a while.
    const n = await store.certificates.lookup('nobody@example.org');
    assert.equal(n.chosen, null);
    assert.equal(n.askedDirectory, true);
    await store.certificates.lookup('nobody@example.org');
    assert.equal(requests.length, 3);
    // What the directory returns is judged like anything else.
    const o = await store.certificates.lookup('oscar@example.org');
    assert.equal(o.chosen, null);
    assert.equal(o.rejected[0]!.problem, 'address-mismatch', 'old@example.org is not oscar');
    const m = await store.certificates.lookup('mallory@example.org');
    assert.equal(m.chosen, null);
    // A broken directory answer is an error the lookup reports, not a crash.
    const b = await store.certificates.lookup('broken@example.org');
    assert.equal(b.chosen, null);
    assert.match(b.directoryError ?? '', /certificates/);
    // network: false never asks.
    const before = requests.length;
    await store.certificates.lookup('quiet@example.org', { network: false });
    assert.equal(requests.length, before);
  } finally {
    await server.close();
  }
});

test('organisation directory: https only (loopback http allowed for tests), and a strict answer format', () => {
  assert.throws(() => directoryRequestUrl('http://directory.example.org/certs', 'a@b.example'), (e: unknown) => isSignetError(e, 'usage'));
  assert.equal(directoryRequestUrl('https://dir.example.org/c?x=1', 'a+b@example.org'), 'https://dir.example.org/c?x=1&address=a%2Bb%40example.org');
  assert.deepEqual(parseDirectoryResponse('{"certificates":[]}'), []);
  assert.throws(() => parseDirectoryResponse('[]'), (e: unknown) => isSignetError(e, 'network'));
  assert.throws(() => parseDirectoryResponse('{"certificates":[1]}'), (e: unknown) => isSignetError(e, 'network'));
  assert.equal(parseDirectoryResponse(JSON.stringify({ certificates: Array(40).fill('AAAA') })).length, 16);
});
