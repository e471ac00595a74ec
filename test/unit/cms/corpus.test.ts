// Messages made by other implementations (test/fixtures/corpus): NSS/Thunderbird and Bouncy Castle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifySignedData } from '../../../src/core/cms/verify.js';
import { isSignetError } from '../../../src/core/errors.js';
import { BC_SMIME, TB_SMIME, config, opaqueBodyDer, pemFileToDer, provider, splitMultipartSigned } from './fixtures.js';

// The NSS test end-entity certificates expire on 2031-01-26 (expiration.txt): validate before that.
const TB_AT = new Date('2030-06-01T00:00:00Z');
const tbAnchor = (): Uint8Array => pemFileToDer(join(TB_SMIME, 'TestCA.pem'));

for (const digest of ['SHA256', 'SHA384', 'SHA512']) {
  test(`Thunderbird opaque alice.sig.${digest}.opaque.eml (NSS indefinite-length BER) is valid`, async () => {
    const der = opaqueBodyDer(readFileSync(join(TB_SMIME, `alice.sig.${digest}.opaque.eml`)));
    const r = await verifySignedData(der, { anchors: [tbAnchor()], at: TB_AT, config: config() }, provider);
    assert.equal(r.signers.length, 1);
    assert.equal(r.signers[0]!.status, 'valid', r.signers[0]!.reason);
    assert.equal(r.signers[0]!.email, 'Alice@example.com'); // subject emailAddress only, no SAN
    assert.match(new TextDecoder().decode(r.eContent!), /This is a test message from Alice to Bob/);
  });

  test(`Thunderbird detached alice.dsig.${digest}.multipart.eml is valid; .bad is digest-mismatch; mismatch-econtent is econtent-confusion`, async () => {
    const ok = splitMultipartSigned(readFileSync(join(TB_SMIME, `alice.dsig.${digest}.multipart.eml`)));
    const r = await verifySignedData(ok.signature, { detachedContent: ok.content, anchors: [tbAnchor()], at: TB_AT, config: config() }, provider);
    assert.equal(r.signers[0]!.status, 'valid', r.signers[0]!.reason);
    const bad = splitMultipartSigned(readFileSync(join(TB_SMIME, `alice.dsig.${digest}.multipart.bad.eml`)));
    const rb = await verifySignedData(bad.signature, { detachedContent: bad.content, anchors: [tbAnchor()], at: TB_AT, config: config() }, provider);
    assert.equal(rb.signers[0]!.status, 'invalid');
    assert.equal(rb.signers[0]!.code, 'digest-mismatch');
    const mm = splitMultipartSigned(readFileSync(join(TB_SMIME, `alice.dsig.${digest}.multipart.mismatch-econtent.eml`)));
    await assert.rejects(
      verifySignedData(mm.signature, { detachedContent: mm.content, anchors: [tbAnchor()], at: TB_AT, config: config() }, provider),
      (e) => isSignetError(e, 'econtent-confusion'),
    );
  });
}

test('Thunderbird SHA-1 signatures are outdated-algorithm by default (intact but refused, issue 12) and valid when allowed', async () => {
  const der = opaqueBodyDer(readFileSync(join(TB_SMIME, 'alice.sig.SHA1.opaque.eml')));
  const r = await verifySignedData(der, { anchors: [tbAnchor()], at: TB_AT, config: config() }, provider);
  assert.equal(r.signers[0]!.status, 'outdated-algorithm');
  assert.equal(r.signers[0]!.code, 'insecure-algorithm');
  const r2 = await verifySignedData(der, { anchors: [tbAnchor()], at: TB_AT, config: config({ allowInsecureSha1: true }) }, provider);
  assert.equal(r2.signers[0]!.status, 'valid');
});

test('Thunderbird message after the certificates expired (2031-01-26) is expired', async () => {
  const der = opaqueBodyDer(readFileSync(join(TB_SMIME, 'alice.sig.SHA256.opaque.eml')));
  const r = await verifySignedData(der, { anchors: [tbAnchor()], at: new Date('2032-01-01T00:00:00Z'), config: config() }, provider);
  assert.equal(r.signers[0]!.status, 'expired');
});

test('Bouncy Castle: OpenSSL RSA-PSS signature with salt length 222 verifies (direct trust in its self-signed cert)', async () => {
  const { content, signature } = splitMultipartSigned(readFileSync(join(BC_SMIME, 'openssl-signed-sha256-non-default-salt-length.eml')));
  const first = await verifySignedData(signature, { detachedContent: content, anchors: [], at: new Date('2020-01-01T00:00:00Z'), config: config() }, provider);
  assert.equal(first.signers[0]!.status, 'untrusted'); // intact, but not anchored
  assert.equal(first.signers[0]!.signatureAlgorithm, 'RSA-PSS-SHA256');
  const r = await verifySignedData(
    signature,
    { detachedContent: content, anchors: first.certificates, at: new Date('2020-01-01T00:00:00Z'), config: config() },
    provider,
  );
  assert.equal(r.signers[0]!.status, 'valid', r.signers[0]!.reason);
  const tampered = content.slice();
  tampered[0]! ^= 1;
  const rt = await verifySignedData(signature, { detachedContent: tampered, anchors: first.certificates, at: new Date('2020-01-01T00:00:00Z'), config: config() }, provider);
  assert.equal(rt.signers[0]!.code, 'digest-mismatch');
});

test('Bouncy Castle circular.eml (Inter1 → Inter3 → Inter2 → Inter1) terminates promptly and is not valid', async () => {
  const { content, signature } = splitMultipartSigned(readFileSync(join(BC_SMIME, 'circular.eml')));
  for (const cfg of [config(), config({ allowInsecureSha1: true, allowInsecureShortKeys: true, allowInsecureMd5: true })]) {
    const t0 = Date.now();
    const r = await verifySignedData(signature, { detachedContent: content, anchors: [tbAnchor()], at: new Date('2008-01-01T00:00:00Z'), config: cfg }, provider);
    assert.ok(Date.now() - t0 < 5000);
    assert.notEqual(r.signers[0]!.status, 'valid');
  }
});

test('Bouncy Castle validator set (2006): dates and the MD5-signed certificates are judged, not trusted', async () => {
  const anchor = pemFileToDer(join(BC_SMIME, 'validator.root.crt'));
  const at = new Date('2006-09-05T12:00:00Z');
  const cfg = config({ allowInsecureSha1: true, allowInsecureShortKeys: true });
  const run = async (f: string) => {
    const { content, signature } = splitMultipartSigned(readFileSync(join(BC_SMIME, f)));
    return (await verifySignedData(signature, { detachedContent: content, anchors: [anchor], at, config: cfg }, provider)).signers[0]!;
  };
  assert.equal((await run('validator.expired.eml')).status, 'expired');
  assert.equal((await run('validator.notYetValid.eml')).code, 'not-yet-valid');
  // The end-entity certificates are signed with md5WithRSAEncryption: refused by policy (rule 5).
  const valid = await run('validator.validMail.eml');
  assert.equal(valid.status, 'untrusted');
  assert.equal(valid.code, 'insecure-algorithm');
  // With default policy the 1024-bit signer key alone makes it invalid.
  const { content, signature } = splitMultipartSigned(readFileSync(join(BC_SMIME, 'validator.shortKey.eml')));
  const r = await verifySignedData(signature, { detachedContent: content, anchors: [anchor], at, config: config({ allowInsecureSha1: true }) }, provider);
  assert.equal(r.signers[0]!.code, 'weak-key');
});
