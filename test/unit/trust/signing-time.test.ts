// Signing-time rules (issue 13): every certificate of the path must be valid at the claimed signingTime
// (its own link says so), a signingTime beyond the configured future skew is refused, and the report never
// presents a rejected time as the signing time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signContent } from '../../../src/core/cms/sign.js';
import { verifySignedData } from '../../../src/core/cms/verify.js';
import { resolveConfig } from '../../../src/core/config.js';
import { isSignetError } from '../../../src/core/errors.js';
import { privateKeyFromPkcs8 } from '../../../src/core/private-key.js';
import { CA_EXT, content, issue, leafExt, linkStatuses, provider, signAndVerify } from './helpers.js';

const day = 86400_000;
const root = issue('st-root', { subject: '/CN=ST Root', ext: CA_EXT, from: -40, to: 3650 });
const inter = issue('st-inter', { subject: '/CN=ST Intermediate', ext: CA_EXT, issuer: root, from: -30, to: 10 });
const leaf = issue('st-leaf', { subject: '/CN=ST Leaf', ext: leafExt('st@example.org'), issuer: inter, from: -20, to: 200 });

test('signingTime after an intermediate expired (checked at a time inside): the intermediate link carries it', async () => {
  const signingTime = new Date(Date.now() + 20 * day); // after the intermediate's notAfter, leaf still valid
  const s = await signAndVerify(leaf, [inter], [root], { signingTime, at: new Date(Date.now() + 5 * day) });
  assert.equal(s.status, 'expired');
  assert.equal(s.code, 'signing-time-outside-validity');
  assert.deepEqual(linkStatuses(s), ['ok', 'signing-time-outside-validity', 'ok']);
  assert.equal(s.signingTime, null);
});

test('a signingTime within the validity of every link and not in the future is accepted and shown', async () => {
  const signingTime = new Date(Date.now() - 2 * day);
  const s = await signAndVerify(leaf, [inter], [root], { signingTime });
  assert.equal(s.status, 'valid', s.reason);
  assert.equal(s.signingTime, new Date(Math.floor(signingTime.getTime() / 1000) * 1000).toISOString());
  assert.equal(s.claimedSigningTime, null);
});

test('future skew is the config value: 10 minutes ahead is refused with 0 s, accepted with 1 hour', async () => {
  const identity = { certificate: leaf.der, chain: [], privateKey: privateKeyFromPkcs8(leaf.keyPkcs8, provider) };
  const der = await signContent(content, { identity, signingTime: new Date(Date.now() + 10 * 60_000), extraCertificates: [inter.der] }, provider);
  const verify = (skew: number) =>
    verifySignedData(der, { detachedContent: content, anchors: [root.der], config: resolveConfig({ signingTimeFutureSkewSeconds: skew }) }, provider);
  const strict = (await verify(0)).signers[0]!;
  assert.equal(strict.status, 'expired');
  assert.equal(strict.code, 'signing-time-future');
  assert.equal(strict.signingTime, null);
  assert.ok(strict.claimedSigningTime);
  const lenient = (await verify(3600)).signers[0]!;
  assert.equal(lenient.status, 'valid', lenient.reason);
  // The default is 5 minutes.
  assert.equal(resolveConfig().signingTimeFutureSkewSeconds, 300);
});

test('a signature that does not verify never presents its signingTime as fact', async () => {
  const identity = { certificate: leaf.der, chain: [], privateKey: privateKeyFromPkcs8(leaf.keyPkcs8, provider) };
  const der = Buffer.from(await signContent(content, { identity, extraCertificates: [inter.der] }, provider));
  der[der.length - 4]! ^= 0x01; // inside the ECDSA signature value
  const r = await verifySignedData(new Uint8Array(der), { detachedContent: content, anchors: [root.der], config: resolveConfig() }, provider);
  const s = r.signers[0]!;
  assert.equal(s.status, 'invalid');
  assert.equal(s.signingTime, null);
  assert.ok(s.claimedSigningTime);
});

test('config: the new settings are validated', () => {
  assert.throws(() => resolveConfig({ signingTimeFutureSkewSeconds: -1 }), (e) => isSignetError(e, 'usage'));
  assert.throws(() => resolveConfig({ signingTimeFutureSkewSeconds: 1.5 }), (e) => isSignetError(e, 'usage'));
  assert.throws(() => resolveConfig({ outdatedSignatureSeverity: 'loud' as 'danger' }), (e) => isSignetError(e, 'usage'));
  assert.equal(resolveConfig().outdatedSignatureSeverity, 'caution');
});
