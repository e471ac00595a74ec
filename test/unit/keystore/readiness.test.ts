// The readiness API (src/keys/store/readiness.ts) for compose: ready and missing recipients with reasons
// and advice, the sender's own keys, request order and de-duplication, the speed budget for a
// recipients-changed event, and encryptOptionsFor(): a message the sender's locked key opens (own
// RecipientInfo on RSA-OAEP) and OpenSSL opens for every correspondent.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { utf8 } from '../../../src/core/bytes.js';
import { isSignetError } from '../../../src/core/errors.js';
import { openMessage } from '../../../src/core/smime/open.js';
import { protectMessage } from '../../../src/core/smime/protect.js';
import { loadIdentities } from '../../../src/keys/identity-file.js';
import { encryptOptionsFor } from '../../../src/keys/store/readiness.js';
import { PASS, issue, openStore, openssl, provider, testPki } from './helpers.js';

const file = (path: string): Uint8Array => new Uint8Array(readFileSync(path));

async function harvestFrom(store: Awaited<ReturnType<typeof openStore>>['store'], name: 'bob' | 'carol'): Promise<void> {
  const pki = testPki();
  const id = (await loadIdentities(file(pki.users[name].identityPemPath), undefined, provider))[0]!;
  const signed = await protectMessage(
    utf8(`From: ${name}@example.org\r\nTo: alice@example.org\r\nSubject: hi\r\nDate: ${new Date().toUTCString()}\r\nContent-Type: text/plain\r\n\r\nHi\r\n`),
    { sign: { identity: id }, provider },
  );
  const { verdict } = await openMessage(signed, { anchors: [pki.rootDer] });
  assert.equal(verdict.status, 'valid');
  await store.certificates.harvest(verdict);
}

test('ready, missing with reasons and advice, in request order, de-duplicated; the sender served by their own key', async () => {
  const pki = testPki();
  const { store } = await openStore();
  await store.identities.importPkcs12(file(pki.users.alice.p12Path), PASS);
  await harvestFrom(store, 'bob');
  await store.certificates.importCertificates(file(pki.users.carol.chainPath));
  const oscar = issue('Oscar', { email: 'oscar@example.org', days: 1 });
  await store.certificates.importCertificates(utf8(readFileSync(oscar.certPath, 'utf8') + readFileSync(pki.intermediatePath, 'utf8')));
  const r = await store.readiness({
    sender: 'alice@example.org',
    recipients: ['dave@example.org', 'bob@example.org', 'not an address', 'carol@example.org', 'alice@example.org', 'bob@EXAMPLE.org', 'oscar@example.org'],
    network: false,
  });
  assert.deepEqual(r.ready.map((x) => [x.address, x.source]), [['bob@example.org', 'message'], ['carol@example.org', 'file'], ['alice@example.org', 'own'], ['oscar@example.org', 'file']]);
  assert.deepEqual(r.missing.map((m) => [m.address, m.reason]), [['dave@example.org', 'no-certificate'], ['not an address', 'invalid-address']]);
  assert.match(r.missing[0]!.advice, /Ask them to send you a signed message/);
  assert.deepEqual(r.ready[0]!.certificate, pki.users.bob.certDer);
  assert.ok(r.ready[0]!.capabilities!.includes('AES-256-GCM'));
  assert.equal(r.ready[1]!.capabilities, null, 'capabilities unknown for an imported file');
  assert.equal(r.canSign, true);
  assert.equal(r.canEncrypt, false);
  assert.equal(r.senderSigning.ready, true);
  assert.deepEqual(r.senderEncryption.certificate, pki.users.alice.certDer);
});

test('an expired recipient certificate is reported as expired, not as unknown', async () => {
  const pki = testPki();
  const first = await openStore();
  const oscar = issue('Oscar Short', { email: 'oscar.short@example.org', days: 1 });
  await first.store.certificates.importCertificates(utf8(readFileSync(oscar.certPath, 'utf8') + readFileSync(pki.intermediatePath, 'utf8')));
  const later = await openStore({ factory: first.factory, now: () => new Date(Date.now() + 3 * 86_400_000) });
  const r = await later.store.readiness({ sender: 'alice@example.org', recipients: ['oscar.short@example.org'], network: false });
  assert.deepEqual(r.missing.map((m) => m.reason), ['expired']);
  assert.match(r.missing[0]!.advice, /has expired/);
  assert.equal(r.missing[0]!.rejected[0]!.problem, 'expired');
});

test('the sender without keys: reasons and advice for signing and for the Sent Items copy', async () => {
  const pki = testPki();
  const { store, factory } = await openStore();
  let r = await store.readiness({ sender: 'alice@example.org', recipients: [], network: false });
  assert.equal(r.canSign, false);
  assert.equal(r.senderSigning.reason, 'no-identity');
  assert.match(r.senderSigning.advice!, /Import your \.p12/);
  assert.equal(r.canEncrypt, false, 'no readable Sent Items copy without an own encryption certificate');
  // A signing-only identity: signing ready, encryption 'no-usage'.
  const signOnly = issue('Alice Sign', { email: 'alice.sign@example.org', ku: 'critical,digitalSignature' });
  await store.identities.importPkcs12(signOnly.p12, PASS);
  r = await store.readiness({ sender: 'alice.sign@example.org', recipients: [], network: false });
  assert.equal(r.senderSigning.ready, true);
  assert.equal(r.senderEncryption.reason, 'no-usage');
  // An identity that has since expired.
  await store.identities.importPkcs12(file(pki.users.alice.p12Path), PASS);
  const future = await openStore({ factory, now: () => new Date(Date.now() + 20 * 365 * 86_400_000) });
  r = await future.store.readiness({ sender: 'alice@example.org', recipients: [], network: false });
  assert.equal(r.senderSigning.reason, 'expired');
  assert.match(r.senderSigning.advice!, /expired/);
});

test('encryptOptionsFor: the sender first on RSA-OAEP; the locked key reads Sent Items, OpenSSL reads each recipient', async () => {
  const pki = testPki();
  const { store } = await openStore();
  await store.identities.importPkcs12(file(pki.users.alice.p12Path), PASS);
  await harvestFrom(store, 'bob');
  await harvestFrom(store, 'carol');
  const r = await store.readiness({ sender: 'alice@example.org', recipients: ['bob@example.org', 'carol@example.org'], network: false });
  assert.equal(r.canEncrypt, true);
  const options = encryptOptionsFor(r);
  assert.deepEqual(options.recipients, [pki.users.alice.certDer, pki.users.bob.certDer, pki.users.carol.certDer]);
  assert.deepEqual(options.recipientKeyTransport, ['oaep', null, null]);
  const identity = (await store.signingIdentity('alice@example.org'))!;
  const eml = await protectMessage(
    utf8(`From: alice@example.org\r\nTo: bob@example.org, carol@example.org\r\nSubject: plan\r\nDate: ${new Date().toUTCString()}\r\nContent-Type: text/plain\r\n\r\nThe plan.\r\n`),
    { sign: { identity }, encrypt: options, provider },
  );
  // Sent Items: alice's key is locked (no unlock this session), yet her copy opens: her RecipientInfo is OAEP.
  const own = await openMessage(eml, { anchors: [pki.rootDer], identities: await store.identities.identities() });
  assert.equal(own.verdict.status, 'valid');
  assert.match(new TextDecoder().decode(own.content!), /The plan/);
  const enc = own.verdict.layers.find((l) => l.kind === 'encrypted');
  assert.ok(enc && enc.kind === 'encrypted' && enc.keyManagement.includes('RSA-OAEP-SHA256'));
  const path = join(pki.dir, 'ks-readiness.eml');
  writeFileSync(path, eml);
  for (const name of ['bob', 'carol'] as const) {
    const u = pki.users[name];
    const out = openssl(['cms', '-decrypt', '-in', path, '-recip', u.certPath, '-inkey', u.keyPath]).toString('latin1');
    assert.match(out, /multipart\/signed|pkcs7/i, `${name}: openssl decrypts`);
  }
  // Anyone missing: no options, a coded error naming them.
  const missing = await store.readiness({ sender: 'alice@example.org', recipients: ['bob@example.org', 'zed@example.org'], network: false });
  assert.throws(() => encryptOptionsFor(missing), (e: unknown) => isSignetError(e, 'missing-certificate') && /zed@example\.org/.test(e.message));
});

test('fast enough for every recipients change: 40 recipients answered from the store in well under 250 ms', async () => {
  const pki = testPki();
  const { store } = await openStore();
  await store.identities.importPkcs12(file(pki.users.alice.p12Path), PASS);
  await harvestFrom(store, 'bob');
  await harvestFrom(store, 'carol');
  const recipients = ['bob@example.org', 'carol@example.org', ...Array.from({ length: 38 }, (_, i) => `person${i}@example.org`)];
  await store.readiness({ sender: 'alice@example.org', recipients, network: false }); // warm: path validations cached
  const t0 = performance.now();
  const r = await store.readiness({ sender: 'alice@example.org', recipients, network: false });
  const ms = performance.now() - t0;
  assert.equal(r.ready.length, 2);
  assert.equal(r.missing.length, 38);
  assert.ok(ms < 250, `readiness took ${ms.toFixed(1)} ms`);
});
