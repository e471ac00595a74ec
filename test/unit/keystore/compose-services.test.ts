// The key store as compose's services (src/keys/store/compose-services.ts → src/compose/services.ts): type-
// checked against ComposeServices, and a Draft protected through protectDraft() with it: the sender's copy
// opens with their locked store key (own RecipientInfo on RSA-OAEP), OpenSSL verifies and decrypts for the
// recipient, and a recipient without a certificate is refused by name with the store's advice.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { isSignetError } from '../../../src/core/errors.js';
import { openMessage } from '../../../src/core/smime/open.js';
import { protectDraft } from '../../../src/compose/protect-draft.js';
import type { ComposeServices } from '../../../src/compose/services.js';
import { GRAPH_MAX_MESSAGE_BYTES, type SizeLimit } from '../../../src/compose/size.js';
import { composeServicesFor } from '../../../src/keys/store/compose-services.js';
import { draft } from '../../helpers/drafts.js';
import { PASS, openStore, testPki } from './helpers.js';

const GRAPH: SizeLimit = { transport: 'graph', maxMessageBytes: GRAPH_MAX_MESSAGE_BYTES };

test('protectDraft with the key store: sender reads Sent Items with the locked key, OpenSSL reads it for Bob', async () => {
  const pki = testPki();
  const { store } = await openStore();
  await store.identities.importPkcs12(new Uint8Array(readFileSync(pki.users.alice.p12Path)), PASS);
  await store.certificates.importCertificates(new Uint8Array(readFileSync(pki.users.bob.chainPath)));
  const services: ComposeServices = composeServicesFor(store, { network: false });
  const out = await protectDraft({ draft: draft(), protection: { sign: true, encrypt: true }, services, limit: GRAPH });
  const own = await openMessage(out.message, { anchors: [pki.rootDer], identities: await store.identities.identities() });
  assert.equal(own.verdict.status, 'valid');
  const layer = own.verdict.layers.find((l) => l.kind === 'encrypted');
  assert.ok(layer && layer.kind === 'encrypted' && layer.keyManagement.includes('RSA-OAEP-SHA256'));
  const bob = pki.users.bob;
  const r = spawnSync('openssl', ['cms', '-decrypt', '-recip', bob.certPath, '-inkey', bob.keyPath], { input: Buffer.from(out.message) });
  assert.equal(r.status, 0, r.stderr.toString());
  const v = spawnSync('openssl', ['cms', '-verify', '-CAfile', pki.rootPath], { input: r.stdout });
  assert.equal(v.status, 0, v.stderr.toString());
});

test('a recipient without a certificate is refused by name, with the store advice', async () => {
  const pki = testPki();
  const { store } = await openStore();
  await store.identities.importPkcs12(new Uint8Array(readFileSync(pki.users.alice.p12Path)), PASS);
  const services: ComposeServices = composeServicesFor(store, { network: false });
  const split = await services.readiness('alice@example.org', ['zed@example.org']);
  assert.deepEqual(split.ready, []);
  assert.match(split.missing[0]!.reason, /no certificate for zed@example\.org/);
  await assert.rejects(
    protectDraft({ draft: draft({ to: [{ name: 'Zed', address: 'zed@example.org' }] }), protection: { sign: true, encrypt: true }, services, limit: GRAPH }),
    (e: unknown) => isSignetError(e, 'missing-certificate') && /zed@example\.org/.test(e.message),
  );
  assert.equal(await services.signingIdentity('nobody@example.org'), null);
  assert.equal(await services.encryptionCertificateOf('nobody@example.org'), null);
});
