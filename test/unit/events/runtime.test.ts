// The browser runtime's wiring (src/events/runtime.ts): the policy loaded next to the page (only an
// unreadable policy is "unavailable", and a failure is not cached), the key services (key store first, then
// the session's keys — here the workbench demo key served from 127.0.0.1), combineServices, and the
// WebCrypto check that decides between protecting here and guarding only.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { staticServices, combineServices } from '../../../src/compose/services.js';
import { composeServices, loadPolicyState, runtimeKind, setComposeServicesProvider } from '../../../src/events/runtime.js';
import { setDevelopmentHooks } from '../../../src/outlook/development-hooks.js';
import { startMailServer } from '../../helpers/mail-server.js';
import { aliceIdentity } from '../../helpers/handler-deps.js';
import { testPki } from '../../helpers/pki.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const server = await startMailServer();
const pki = testPki();
const keys = createServer((req, res) => {
  if (req.url === '/demo-identity.pem') {
    res.writeHead(200);
    res.end(readFileSync(pki.users.alice.identityPemPath));
  } else {
    res.writeHead(404);
    res.end();
  }
});
await new Promise<void>((r) => keys.listen(0, '127.0.0.1', r));
const keysOrigin = `http://127.0.0.1:${(keys.address() as AddressInfo).port}`;
after(async () => {
  await server.close();
  keys.close();
});

const g = globalThis as { location?: { href: string } };

test('the policy next to the page: unavailable without a location or on 404 (not cached), then loaded', async () => {
  assert.deepEqual(await loadPolicyState(), { status: 'unavailable', reason: 'This Outlook gives Signet no way to fetch its policy.' });
  g.location = { href: `${server.origin}/commands.html?_host_Info=Outlook` };
  try {
    server.policy = { status: 404 };
    const missing = await loadPolicyState();
    assert.equal(missing.status, 'unavailable');
    server.policy = JSON.stringify({ policyVersion: 1, signing: { alwaysSign: true }, encryption: { required: 'nope' } });
    const loaded = await loadPolicyState();
    assert.equal(loaded.status, 'loaded');
    // A document with a bad field is still a policy: the valid fields apply, the bad one keeps its default.
    if (loaded.status === 'loaded') {
      assert.equal(loaded.policy.signing.alwaysSign, true);
      assert.equal(loaded.policy.encryption.required, 'never');
    }
    // Reused for a while by the same runtime.
    server.policy = { status: 500 };
    assert.equal((await loadPolicyState()).status, 'loaded');
  } finally {
    delete g.location;
  }
});

test('WebCrypto present: a browser runtime that can protect', () => {
  assert.equal(runtimeKind(), 'browser');
});

test('key services: an injected development demo key signs for its address; without keys nothing is found', async () => {
  setComposeServicesProvider(null);
  const none = await composeServices();
  assert.equal(await none.signingIdentity('alice@example.org'), null);
  setDevelopmentHooks({ demoIdentityUrl: `${keysOrigin}/demo-identity.pem` });
  try {
    const s = await composeServices();
    // The core's address rule (core/mime/address.ts addressKey): the domain's case does not matter, the local part's does.
    const id = await s.signingIdentity('alice@Example.ORG');
    assert.ok(id);
    assert.equal(await s.signingIdentity('Alice@example.org'), null);
    assert.deepEqual(id.certificate, pki.users.alice.certDer);
    assert.deepEqual((await s.encryptionCertificateOf('alice@example.org'))?.certificate, pki.users.alice.certDer);
    const r = await s.readiness('alice@example.org', ['alice@example.org', 'bob@example.org']);
    assert.deepEqual(r.ready.map((x) => x.address), ['alice@example.org']);
    assert.deepEqual(r.missing.map((x) => x.address), ['bob@example.org']);
  } finally {
    setDevelopmentHooks(null);
  }
});

test('a registered provider replaces the defaults', async () => {
  const mine = staticServices({});
  setComposeServicesProvider(async () => mine);
  try {
    assert.equal(await composeServices(), mine);
  } finally {
    setComposeServicesProvider(null);
  }
});

test('combineServices: the key store first, session keys for what it lacks', async () => {
  const alice = await aliceIdentity();
  const store = staticServices({ certificates: new Map([['bob@example.org', { certificate: pki.users.bob.certDer, capabilities: ['aes256-GCM'] }]]) });
  const session = staticServices({ identities: [alice] });
  const both = combineServices(store, session);
  assert.equal(await both.signingIdentity('alice@example.org'), alice);
  assert.equal(await both.signingIdentity('nobody@example.org'), null);
  const r = await both.readiness('alice@example.org', ['bob@example.org', 'alice@example.org', 'erin@example.org']);
  assert.deepEqual(r.ready.map((x) => [x.address, x.capabilities]), [['bob@example.org', ['aes256-GCM']], ['alice@example.org', null]]);
  assert.deepEqual(r.missing.map((x) => x.address), ['erin@example.org']);
});
