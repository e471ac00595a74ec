// Per-recipient RSA key transport (EncryptOptions.recipientKeyTransport in core/smime/protect.ts and
// core/cms/envelope.ts): the sender's own RecipientInfo can be RSAES-OAEP while a correspondent whose
// client cannot read OAEP still gets RSAES-PKCS1-v1_5, in one message that OpenSSL opens for both.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encryptContent } from '../../../src/core/cms/envelope.js';
import { decryptContent } from '../../../src/core/cms/decrypt.js';
import { SignetError, isSignetError } from '../../../src/core/errors.js';
import type { Identity, KeyTransportScheme } from '../../../src/core/keys.js';
import { protectMessage } from '../../../src/core/smime/protect.js';
import { identityOf, opaqueBodyDer, openssl, provider, tmpFile } from './helpers.js';
import { testPki } from '../../helpers/pki.js';

const MESSAGE = new TextEncoder().encode('From: alice@example.org\r\nTo: bob@example.org\r\nSubject: keys\r\nContent-Type: text/plain\r\n\r\nHello\r\n');
const CONTENT = new TextEncoder().encode('Content-Type: text/plain\r\n\r\nHello\r\n');

/** An identity whose key, like a locked key in the add-in's store, refuses RSAES-PKCS1-v1_5. */
function oaepOnly(id: Identity): Identity {
  return {
    ...id,
    privateKey: {
      ...id.privateKey,
      sign: id.privateKey.sign.bind(id.privateKey),
      deriveEcdhSecret: id.privateKey.deriveEcdhSecret.bind(id.privateKey),
      decryptKeyTransport(scheme: KeyTransportScheme, encryptedKey: Uint8Array) {
        if (scheme.name === 'RSAES-PKCS1-v1_5') throw new SignetError('key-locked', 'locked');
        return id.privateKey.decryptKeyTransport(scheme, encryptedKey);
      },
    },
  };
}

test("the sender's RecipientInfo is OAEP, the correspondent's PKCS#1 v1.5, and OpenSSL opens both", async () => {
  const pki = testPki();
  const alice = identityOf('alice');
  const bob = identityOf('bob');
  const eml = await protectMessage(MESSAGE, {
    encrypt: { recipients: [alice.certificate, bob.certificate], capabilities: [null, null], recipientKeyTransport: ['oaep', null] },
    provider,
  });
  const der = opaqueBodyDer(eml);
  const forAlice = await decryptContent(der, [oaepOnly(alice)], provider);
  assert.deepEqual(forAlice.keyManagement, ['RSA-OAEP-SHA256', 'RSAES-PKCS1-v1_5']);
  assert.equal(forAlice.usedKeyManagement, 'RSA-OAEP-SHA256');
  // Bob's client is assumed unable to read OAEP (no capabilities known): PKCS#1 v1.5, which a locked key refuses.
  await assert.rejects(decryptContent(der, [oaepOnly(bob)], provider), (e: unknown) => isSignetError(e, 'key-locked'));
  assert.equal((await decryptContent(der, [bob], provider)).usedKeyManagement, 'RSAES-PKCS1-v1_5');
  const file = tmpFile('per-recipient.eml', eml);
  for (const name of ['alice', 'bob'] as const) {
    const u = pki.users[name];
    const out = openssl(['cms', '-decrypt', '-in', file, '-recip', u.certPath, '-inkey', u.keyPath]).toString('latin1');
    assert.match(out, /Hello/, `openssl opens ${name}'s RecipientInfo`);
  }
});

test('an explicit choice overrides the message default, and a repeated certificate keeps its first explicit choice', async () => {
  const alice = identityOf('alice');
  const der = await encryptContent(CONTENT, {
    recipients: [alice.certificate, alice.certificate],
    rsaKeyTransport: 'pkcs1',
    recipientKeyTransport: [null, 'oaep'],
  }, provider);
  const r = await decryptContent(der, [oaepOnly(alice)], provider);
  assert.equal(r.recipients, 1, 'one RecipientInfo per distinct certificate');
  assert.deepEqual(r.keyManagement, ['RSA-OAEP-SHA256']);
});

test('the message-wide OAEP rule looks only at the recipients left undecided', async () => {
  const alice = identityOf('alice');
  const bob = identityOf('bob');
  // Bob advertised OAEP; the sender (alice) is decided explicitly, so her unknown capabilities do not force PKCS#1.
  const eml = await protectMessage(MESSAGE, {
    encrypt: { recipients: [alice.certificate, bob.certificate], capabilities: [null, ['AES-256-CBC', 'RSA-OAEP']], recipientKeyTransport: ['oaep', null] },
    provider,
  });
  const r = await decryptContent(opaqueBodyDer(eml), [oaepOnly(bob)], provider);
  assert.deepEqual(r.keyManagement, ['RSA-OAEP-SHA256']);
});

test('an unknown per-recipient key transport is a usage error', async () => {
  const alice = identityOf('alice');
  await assert.rejects(
    encryptContent(CONTENT, { recipients: [alice.certificate], recipientKeyTransport: ['rsa-kem' as 'oaep'] }, provider),
    (e: unknown) => isSignetError(e, 'usage'),
  );
});
