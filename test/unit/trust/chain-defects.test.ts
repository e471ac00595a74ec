// Generated chains with one defect each (issue 3, "Tests"): every case asserts the exact status, code,
// and which link of the chain (leaf first) carries the failure, as the read pane shows it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCertificate } from '../../../src/core/pki/certificate.js';
import { validateChain } from '../../../src/core/pki/chain.js';
import { CA_EXT, config, issue, leafExt, linkStatuses, provider, signAndVerify } from './helpers.js';

const root = issue('root', { subject: '/CN=Trust Root/O=Trust Tests', ext: CA_EXT, from: -10, to: 3650 });
const inter = issue('inter', { subject: '/CN=Trust Intermediate/O=Trust Tests', ext: CA_EXT + 'authorityKeyIdentifier=keyid\n', issuer: root, from: -5, to: 1000 });
const okLeaf = issue('ok-leaf', { subject: '/CN=Good Leaf', ext: leafExt('good@example.org'), issuer: inter });

test('baseline: root → intermediate → leaf is valid, every link ok', async () => {
  const s = await signAndVerify(okLeaf, [inter], [root]);
  assert.equal(s.status, 'valid', s.reason);
  assert.deepEqual(linkStatuses(s), ['ok', 'ok', 'ok']);
  assert.equal(s.chain[2]!.isTrustAnchor, true);
});

test('intermediate expired: status expired / expired, reported on the intermediate (link 1), not the signer', async () => {
  const oldInter = issue('old-inter', { subject: '/CN=Expired Intermediate', ext: CA_EXT, issuer: root, from: -9, to: -2 });
  const leaf = issue('old-inter-leaf', { subject: '/CN=Leaf Under Expired', ext: leafExt('a@example.org'), issuer: oldInter, from: -8, to: 30 });
  const s = await signAndVerify(leaf, [oldInter], [root]);
  assert.equal(s.status, 'expired');
  assert.equal(s.code, 'expired');
  assert.deepEqual(linkStatuses(s), ['ok', 'expired', 'ok']);
});

test('intermediate without the CA flag: untrusted / not-ca on link 1 (CA:FALSE and no basicConstraints at all)', async () => {
  const notCa = issue('not-ca', { subject: '/CN=Not A CA', ext: 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,keyCertSign,digitalSignature\n', issuer: root });
  const leaf = issue('not-ca-leaf', { subject: '/CN=Leaf Under Non-CA', ext: leafExt('a@example.org'), issuer: notCa });
  const s = await signAndVerify(leaf, [notCa], [root]);
  assert.equal(s.status, 'untrusted');
  assert.equal(s.code, 'not-ca');
  assert.deepEqual(linkStatuses(s), ['ok', 'not-ca', 'ok']);

  const noBc = issue('no-bc', { subject: '/CN=No Basic Constraints', ext: 'keyUsage=critical,keyCertSign\n', issuer: root });
  const leaf2 = issue('no-bc-leaf', { subject: '/CN=Leaf Under No-BC', ext: leafExt('a@example.org'), issuer: noBc });
  const s2 = await signAndVerify(leaf2, [noBc], [root]);
  assert.equal(s2.status, 'untrusted');
  assert.equal(s2.code, 'not-ca');
  assert.deepEqual(linkStatuses(s2), ['ok', 'not-ca', 'ok']);
});

test('wrong EKU (serverAuth only): untrusted / ext-key-usage on the signer (link 0)', async () => {
  const leaf = issue('eku-leaf', {
    subject: '/CN=Server Leaf',
    ext: 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=email:a@example.org\n',
    issuer: inter,
  });
  const s = await signAndVerify(leaf, [inter], [root]);
  assert.equal(s.status, 'untrusted');
  assert.equal(s.code, 'ext-key-usage');
  assert.deepEqual(linkStatuses(s), ['ext-key-usage', 'ok', 'ok']);
});

test('certificate not yet valid: expired / not-yet-valid, on the leaf or on the intermediate', async () => {
  const future = issue('future-leaf', { subject: '/CN=Future Leaf', ext: leafExt('a@example.org'), issuer: inter, from: 2, to: 30 });
  const s = await signAndVerify(future, [inter], [root]);
  assert.equal(s.status, 'expired');
  assert.equal(s.code, 'not-yet-valid');
  assert.deepEqual(linkStatuses(s), ['not-yet-valid', 'ok', 'ok']);

  const futureInter = issue('future-inter', { subject: '/CN=Future Intermediate', ext: CA_EXT, issuer: root, from: 3, to: 300 });
  const leaf = issue('future-inter-leaf', { subject: '/CN=Leaf Under Future', ext: leafExt('a@example.org'), issuer: futureInter });
  const s2 = await signAndVerify(leaf, [futureInter], [root]);
  assert.equal(s2.status, 'expired');
  assert.equal(s2.code, 'not-yet-valid');
  assert.deepEqual(linkStatuses(s2), ['ok', 'not-yet-valid', 'ok']);
});

test('cross-signed root: the path is found through either root, whichever one is trusted', async () => {
  const oldRoot = issue('x-old-root', { subject: '/CN=Old Root', ext: CA_EXT, from: -10, to: 3650 });
  const newRoot = issue('x-new-root', { subject: '/CN=New Root', ext: CA_EXT, from: -10, to: 3650 });
  // The new root's name and key, certified by the old root: the bridge clients with only the old root need.
  const newByOld = issue('x-new-by-old', { subject: '/CN=New Root', ext: CA_EXT, issuer: oldRoot, keyPath: newRoot.keyPath, from: -10, to: 1000 });
  const xInter = issue('x-inter', { subject: '/CN=Cross Intermediate', ext: CA_EXT, issuer: newRoot });
  const leaf = issue('x-leaf', { subject: '/CN=Cross Leaf', ext: leafExt('a@example.org'), issuer: xInter });

  const viaOld = await signAndVerify(leaf, [xInter, newByOld], [oldRoot]);
  assert.equal(viaOld.status, 'valid', viaOld.reason);
  assert.deepEqual(viaOld.chain.map((c) => c.subject), ['CN=Cross Leaf', 'CN=Cross Intermediate', 'CN=New Root', 'CN=Old Root']);
  assert.deepEqual(linkStatuses(viaOld), ['ok', 'ok', 'ok', 'ok']);

  const viaNew = await signAndVerify(leaf, [xInter, newByOld], [newRoot]);
  assert.equal(viaNew.status, 'valid', viaNew.reason);
  assert.deepEqual(viaNew.chain.map((c) => c.subject), ['CN=Cross Leaf', 'CN=Cross Intermediate', 'CN=New Root']);
  assert.equal(viaNew.chain[2]!.isTrustAnchor, true);

  // Neither root trusted: untrusted, and the search still ends.
  const neither = await signAndVerify(leaf, [xInter, newByOld], [root]);
  assert.equal(neither.status, 'untrusted');
});

test('signed while valid, checked after expiry: expired (validity is required now, not only at the claimed signingTime)', async () => {
  // Rule (chain.ts header): signingTime is written by the signer's software, so "valid when signed" alone
  // would let a stolen, expired key sign forever with a back-dated time. Validity at `at` is required.
  const shortLived = issue('short-leaf', { subject: '/CN=Short Lived', ext: leafExt('a@example.org'), issuer: inter, from: -4, to: -2 });
  const signingTime = new Date(Date.now() - 3 * 86400_000); // inside the validity window of the whole chain
  const s = await signAndVerify(shortLived, [inter], [root], { signingTime });
  assert.equal(s.status, 'expired');
  assert.equal(s.code, 'expired');
  assert.deepEqual(linkStatuses(s), ['expired', 'ok', 'ok']);

  // Archive validation on the reader's own word (`at`, CLI --at): valid at a time the reader chooses.
  const archived = await signAndVerify(shortLived, [inter], [root], { signingTime, at: new Date(Date.now() - 2.5 * 86400_000) });
  assert.equal(archived.status, 'valid', archived.reason);

  // The same rule straight on validateChain: expired now although valid at the claimed signing time.
  const r = await validateChain(
    parseCertificate(shortLived.der, config.limits),
    {
      anchors: [parseCertificate(root.der, config.limits)],
      intermediates: [parseCertificate(inter.der, config.limits)],
      at: new Date(),
      signingTime,
      config,
      purpose: 'email-signing',
    },
    provider,
  );
  assert.equal(r.status, 'expired');
  assert.equal(r.chain[0]!.status, 'expired');
});

// Name constraints (RFC 5280 §4.2.1.10) on an intermediate; the leaf is link 0.
const ncInter = issue('nc-inter', {
  subject: '/CN=Constrained Intermediate/O=Trust Tests',
  ext: CA_EXT + 'nameConstraints=critical,permitted;email:example.org,permitted;email:.example.org,excluded;email:ceo@example.org,permitted;dirName:nc_dn\n[nc_dn]\nO=Trust Tests\n',
  issuer: root,
});

test('name constraints: permitted e-mail domain and subdomain pass', async () => {
  for (const [n, email] of [['nc-ok', 'alice@example.org'], ['nc-sub', 'bob@mail.example.org']] as const) {
    const leaf = issue(n, { subject: `/O=Trust Tests/CN=${n}`, ext: leafExt(email), issuer: ncInter });
    const s = await signAndVerify(leaf, [ncInter], [root]);
    assert.equal(s.status, 'valid', `${email}: ${s.reason}`);
  }
});

test('name constraints: SAN outside the permitted subtree → untrusted / name-constraints on the leaf', async () => {
  const leaf = issue('nc-out', { subject: '/O=Trust Tests/CN=Outsider', ext: leafExt('mallory@evil.test'), issuer: ncInter });
  const s = await signAndVerify(leaf, [ncInter], [root]);
  assert.equal(s.status, 'untrusted');
  assert.equal(s.code, 'name-constraints');
  assert.deepEqual(linkStatuses(s), ['name-constraints', 'ok', 'ok']);
  assert.match(s.reason, /mallory@evil\.test/);
});

test('name constraints: a look-alike domain ending in the permitted one is outside it', async () => {
  const leaf = issue('nc-lookalike', { subject: '/O=Trust Tests/CN=Lookalike', ext: leafExt('a@evilexample.org'), issuer: ncInter });
  const s = await signAndVerify(leaf, [ncInter], [root]);
  assert.equal(s.code, 'name-constraints');
});

test('name constraints: an excluded mailbox inside a permitted domain → name-constraints', async () => {
  const leaf = issue('nc-excl', { subject: '/O=Trust Tests/CN=Not The CEO', ext: leafExt('ceo@example.org'), issuer: ncInter });
  const s = await signAndVerify(leaf, [ncInter], [root]);
  assert.equal(s.status, 'untrusted');
  assert.equal(s.code, 'name-constraints');
  assert.deepEqual(linkStatuses(s), ['name-constraints', 'ok', 'ok']);
});

test('name constraints: the subject emailAddress attribute is constrained too (no SAN)', async () => {
  const leaf = issue('nc-dn-email', { subject: '/O=Trust Tests/CN=Old Style/emailAddress=old@evil.test', ext: leafExt(null), issuer: ncInter });
  const s = await signAndVerify(leaf, [ncInter], [root]);
  assert.equal(s.status, 'untrusted');
  assert.equal(s.code, 'name-constraints');
  assert.deepEqual(linkStatuses(s), ['name-constraints', 'ok', 'ok']);
});

test('name constraints: directoryName outside the permitted subtree → name-constraints', async () => {
  const leaf = issue('nc-dn', { subject: '/O=Other Org/CN=Wrong Org', ext: leafExt('carol@example.org'), issuer: ncInter });
  const s = await signAndVerify(leaf, [ncInter], [root]);
  assert.equal(s.status, 'untrusted');
  assert.equal(s.code, 'name-constraints');
  assert.deepEqual(linkStatuses(s), ['name-constraints', 'ok', 'ok']);
});

test('name constraints on a form Signet does not match (URI) refuse a leaf carrying that form', async () => {
  const uriInter = issue('nc-uri-inter', { subject: '/CN=URI Constrained', ext: CA_EXT + 'nameConstraints=critical,permitted;URI:.example.org\n', issuer: root });
  const withUri = issue('nc-uri-leaf', { subject: '/CN=URI Leaf', ext: leafExt('a@example.org', ''), issuer: uriInter });
  const ok = await signAndVerify(withUri, [uriInter], [root]);
  assert.equal(ok.status, 'valid', ok.reason); // no URI in the leaf: nothing to check
  const uriLeaf = issue('nc-uri-leaf2', {
    subject: '/CN=URI Leaf 2',
    ext: 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=emailProtection\nsubjectAltName=email:a@example.org,URI:https://example.org/a\n',
    issuer: uriInter,
  });
  const s = await signAndVerify(uriLeaf, [uriInter], [root]);
  assert.equal(s.code, 'name-constraints');
  assert.deepEqual(linkStatuses(s), ['name-constraints', 'ok', 'ok']);
});

test("name constraints on the trust anchor apply to the whole path; the violation is on the certificate that breaks them", async () => {
  const ncRoot = issue('nc-root', { subject: '/CN=Constrained Root', ext: CA_EXT + 'nameConstraints=critical,permitted;email:.example.org,permitted;email:example.org\n', from: -10, to: 3650 });
  const i2 = issue('nc-root-inter', { subject: '/CN=Inter Under Constrained Root', ext: CA_EXT, issuer: ncRoot });
  const good = issue('nc-root-good', { subject: '/CN=In', ext: leafExt('x@example.org'), issuer: i2 });
  const bad = issue('nc-root-bad', { subject: '/CN=Out', ext: leafExt('x@example.com'), issuer: i2 });
  assert.equal((await signAndVerify(good, [i2], [ncRoot])).status, 'valid');
  const s = await signAndVerify(bad, [i2], [ncRoot]);
  assert.equal(s.code, 'name-constraints');
  assert.deepEqual(linkStatuses(s), ['name-constraints', 'ok', 'ok']);
});
