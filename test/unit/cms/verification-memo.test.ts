// Verification answers remembered by their exact bytes (src/core/pki/public-key.ts verifyWithPublicKey):
// a second check of the same certificate signature asks WebCrypto nothing, a change of one byte in the
// signed data or the signature is verified afresh (and fails), and a WebCrypto object of its own (a
// test's, another runtime's) has a memo of its own. Certificate fingerprints likewise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCertificate } from '../../../src/core/pki/certificate.js';
import { fingerprint } from '../../../src/core/pki/certificate-info.js';
import { verifyWithPublicKey } from '../../../src/core/pki/public-key.js';
import { defaultLimits } from '../../../src/core/config.js';
import { countingProvider as counting } from '../../helpers/counting-provider.js';
import { testPki } from '../../helpers/pki.js';

const pki = testPki();
const leaf = parseCertificate(pki.users.alice.certDer, defaultLimits);
const issuer = parseCertificate(pki.intermediateDer, defaultLimits);
const alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;

test('a certificate signature checked twice is verified by WebCrypto once; one changed byte is verified afresh', async () => {
  const { provider, calls } = counting();
  assert.equal(await verifyWithPublicKey(issuer.publicKey, alg, leaf.tbs, leaf.signatureValue, provider), true);
  assert.equal(await verifyWithPublicKey(issuer.publicKey, alg, leaf.tbs, leaf.signatureValue, provider), true);
  assert.equal(calls.verify, 1);
  // The same signature over data with one bit flipped, and a signature with one bit flipped: not the same
  // question, so not the same answer.
  const tbs = leaf.tbs.slice();
  tbs[tbs.length - 1]! ^= 1;
  assert.equal(await verifyWithPublicKey(issuer.publicKey, alg, tbs, leaf.signatureValue, provider), false);
  const sig = leaf.signatureValue.slice();
  sig[10]! ^= 0x80;
  assert.equal(await verifyWithPublicKey(issuer.publicKey, alg, leaf.tbs, sig, provider), false);
  assert.equal(calls.verify, 3);
  // A false answer is remembered too, and under another hash the question is a new one.
  assert.equal(await verifyWithPublicKey(issuer.publicKey, alg, tbs, leaf.signatureValue, provider), false);
  assert.equal(await verifyWithPublicKey(issuer.publicKey, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-384' }, leaf.tbs, leaf.signatureValue, provider), false);
  assert.equal(calls.verify, 4);
  // Another WebCrypto object asks its own WebCrypto.
  const other = counting();
  assert.equal(await verifyWithPublicKey(issuer.publicKey, alg, leaf.tbs, leaf.signatureValue, other.provider), true);
  assert.equal(other.calls.verify, 1);
});

test('a certificate fingerprint is computed once per WebCrypto object, and equals openssl\'s', async () => {
  const { provider, calls } = counting();
  const a = await fingerprint(pki.users.alice.certDer, 'SHA-256', provider);
  const b = await fingerprint(pki.users.alice.certDer.slice(), 'SHA-256', provider);
  assert.equal(a, b);
  assert.equal(calls.digest, 1);
  assert.notEqual(await fingerprint(pki.users.alice.certDer, 'SHA-1', provider), a);
  assert.equal(calls.digest, 2);
  const { createHash } = await import('node:crypto');
  assert.equal(a, createHash('sha256').update(pki.users.alice.certDer).digest('hex'));
});
