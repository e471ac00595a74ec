// ARCHITECTURE.md rule 8 regressions for the key store's certificate harvest (src/keys/store/certificate-directory.ts):
// a certificate is stored for encryption only from a Verdict that is valid — signature verified, chained to
// a trust anchor, bound to the single From address. Spoofed messages (From mismatch, an untrusted root, a
// revoked certificate) add nothing; a forged Verdict object cannot smuggle a certificate in either, and an
// SMIMEEncryptionKeyPreference naming someone else's certificate never becomes the sender's.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { utf8 } from '../../src/core/bytes.js';
import type { Identity } from '../../src/core/keys.js';
import { openMessage } from '../../src/core/smime/open.js';
import { protectMessage } from '../../src/core/smime/protect.js';
import type { Verdict } from '../../src/core/verdict.js';
import { loadIdentities } from '../../src/keys/identity-file.js';
import { issueUser, makeCrl, revoke, startHttpServer, type LocalServer } from '../helpers/revocation.js';
import { openStore, provider, testPki } from '../unit/keystore/helpers.js';

const file = (path: string): Uint8Array => new Uint8Array(readFileSync(path));

async function identity(pemPath: string): Promise<Identity> {
  return (await loadIdentities(file(pemPath), undefined, provider))[0]!;
}

async function open(signer: Identity, from: string, options: { fetch?: typeof fetch; encryptionCertificate?: Uint8Array } = {}): Promise<Verdict> {
  const message = utf8(`From: ${from}\r\nTo: dana@example.org\r\nSubject: invoice\r\nDate: ${new Date().toUTCString()}\r\nContent-Type: text/plain\r\n\r\nPay to account 12345.\r\n`);
  const signed = await protectMessage(message, {
    sign: { identity: signer, ...(options.encryptionCertificate ? { encryptionCertificate: options.encryptionCertificate } : {}) },
    provider,
  });
  return (await openMessage(signed, { anchors: [testPki().rootDer], ...(options.fetch ? { fetch: options.fetch } : {}) })).verdict;
}

test('From mismatch: a valid signature by bob on a message "from" alice adds nothing', async () => {
  const pki = testPki();
  const { store } = await openStore();
  const v = await open(await identity(pki.users.bob.identityPemPath), 'alice@example.org');
  assert.equal(v.status, 'sender-mismatch');
  const r = await store.certificates.harvest(v);
  assert.deepEqual(r.stored, []);
  assert.deepEqual(await store.certificates.list(), []);
});

test("untrusted root: mallory's certificate in alice's name adds nothing and never replaces alice's", async () => {
  const pki = testPki();
  const { store } = await openStore();
  await store.certificates.harvest(await open(await identity(pki.users.alice.identityPemPath), 'alice@example.org'));
  const v = await open(await identity(pki.users.mallory.identityPemPath), 'alice@example.org');
  assert.equal(v.status, 'untrusted');
  assert.deepEqual((await store.certificates.harvest(v)).stored, []);
  const a = await store.certificates.lookup('alice@example.org');
  assert.deepEqual(a.chosen!.der, pki.users.alice.certDer);
  assert.deepEqual(a.rejected, []);
  assert.equal((await store.certificates.list())[0]!.superseded.length, 0);
});

test('a forged Verdict object cannot smuggle a certificate in', async () => {
  const pki = testPki();
  const { store } = await openStore();
  const genuine = await open(await identity(pki.users.alice.identityPemPath), 'alice@example.org');
  assert.equal(genuine.status, 'valid');
  // The signer does not match the From of the forged verdict.
  assert.deepEqual((await store.certificates.harvest({ ...genuine, from: 'bob@example.org' })).stored, []);
  // An untrusted signer dressed up as valid: the store validates the path itself.
  const mallory = await open(await identity(pki.users.mallory.identityPemPath), 'alice@example.org');
  const dressed: Verdict = {
    ...mallory,
    status: 'valid',
    code: null,
    signers: mallory.signers.map((s) => ({ ...s, status: 'valid', code: 'ok' })),
  };
  const r = await store.certificates.harvest(dressed);
  assert.deepEqual(r.stored, []);
  assert.equal(r.refused[0]!.problem, 'untrusted');
  assert.deepEqual(await store.certificates.list(), []);
});

test("an encryption-key preference naming bob's certificate is not stored as alice's", async () => {
  const pki = testPki();
  const { store } = await openStore();
  const alice = await identity(pki.users.alice.identityPemPath);
  alice.chain = [pki.intermediateDer, pki.users.bob.certDer]; // bob's certificate travels in the message
  const v = await open(alice, 'alice@example.org', { encryptionCertificate: pki.users.bob.certDer });
  assert.equal(v.status, 'valid');
  assert.ok(v.signer!.encryptionCertificate);
  const r = await store.certificates.harvest(v);
  assert.deepEqual(r.stored.map((s) => s.addresses), [['alice@example.org']]);
  assert.deepEqual(r.refused.map((x) => x.problem), ['address-mismatch']);
  assert.deepEqual((await store.certificates.lookup('alice@example.org')).chosen!.der, pki.users.alice.certDer);
  assert.equal((await store.certificates.lookup('bob@example.org', { network: false })).chosen, null);
});

let crlServer: LocalServer | null = null;
after(async () => {
  await crlServer?.close();
});

test('revoked: a revoked signer adds nothing, and the stored certificate is marked revoked and never used', async () => {
  let crl: Uint8Array = new Uint8Array(0);
  crlServer = await startHttpServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(crl);
  });
  const user = issueUser('harvest-revoked', { email: 'rex@example.org', crl: [crlServer.url('/inter.crl')] });
  const signer = await identity(user.identityPemPath);
  const { store } = await openStore();
  crl = makeCrl('harvest-before', 'inter');
  const before = await open(signer, 'rex@example.org', { fetch });
  assert.equal(before.status, 'valid');
  assert.equal((await store.certificates.harvest(before)).stored.length, 1);
  assert.ok((await store.readiness({ sender: 'dana@example.org', recipients: ['rex@example.org'], network: false })).ready.length === 1);

  revoke(user.certPath, 'keyCompromise');
  crl = makeCrl('harvest-after', 'inter');
  const after = await open(signer, 'rex@example.org', { fetch });
  assert.equal(after.status, 'revoked');
  const r = await store.certificates.harvest(after);
  assert.deepEqual(r.stored, []);
  assert.equal(r.markedRevoked.length, 1);
  const rex = await store.certificates.lookup('rex@example.org');
  assert.equal(rex.chosen, null);
  assert.equal(rex.rejected[0]!.problem, 'revoked');
  assert.match(rex.rejected[0]!.reason, /revoked/);
  const readiness = await store.readiness({ sender: 'dana@example.org', recipients: ['rex@example.org'], network: false });
  assert.deepEqual(readiness.missing.map((m) => m.reason), ['revoked']);
  // A later valid-looking verdict (revocation not checked, e.g. offline) does not bring it back.
  const offline = await open(signer, 'rex@example.org');
  assert.equal(offline.status, 'valid');
  await store.certificates.harvest(offline);
  assert.equal((await store.certificates.lookup('rex@example.org')).chosen, null);
});
