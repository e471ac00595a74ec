// Round trips of signContent → verifySignedData for every key type, digest, format and RSA padding, each
// also checked by the real `openssl cms -verify`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signContent, micalgFor, type SignDigest } from '../../../src/core/cms/sign.js';
import { verifySignedData } from '../../../src/core/cms/verify.js';
import { parseContentInfo, expectSequence, childrenOf, expectSet, readOid, readAlgorithmIdentifier } from '../../../src/core/asn1.js';
import { defaultLimits } from '../../../src/core/config.js';
import { isSignetError } from '../../../src/core/errors.js';
import { OID } from '../../../src/core/oids.js';
import { testPki, type UserName } from '../../helpers/pki.js';
import { config, identityOf, openssl, provider, tmpFile } from './helpers.js';

const USERS: UserName[] = ['alice', 'bob', 'carol', 'dave', 'erin'];
const DIGESTS: SignDigest[] = ['SHA-256', 'SHA-384', 'SHA-512'];
const content = new TextEncoder().encode('Content-Type: text/plain\r\n\r\nHello from Signet.\r\n');

function signerInfoAlgorithms(der: Uint8Array): { digest: string; signature: string } {
  const sd = expectSequence(parseContentInfo(der, defaultLimits).content, 'sd');
  const si = expectSequence(expectSet(sd[sd.length - 1], 'sis')[0], 'si');
  return { digest: readAlgorithmIdentifier(si[2]).oid, signature: readAlgorithmIdentifier(si[4]).oid };
}

let n = 0;
for (const user of USERS) {
  const isRsa = user === 'alice' || user === 'bob';
  for (const digest of DIGESTS) {
    for (const detached of [true, false]) {
      for (const rsaPadding of isRsa ? (['pkcs1', 'pss'] as const) : ([undefined] as const)) {
        const name = `${user} ${digest} ${detached ? 'detached' : 'opaque'}${rsaPadding ? ` ${rsaPadding}` : ''}`;
        const idx = n++;
        test(`round trip + openssl verify: ${name}`, async () => {
          const pki = testPki();
          const der = await signContent(content, { identity: identityOf(user), digest, detached, rsaPadding }, provider);
          const r = await verifySignedData(
            der,
            { detachedContent: detached ? content : undefined, anchors: [pki.rootDer], config: config() },
            provider,
          );
          assert.equal(r.signers.length, 1);
          const s = r.signers[0]!;
          assert.equal(s.status, 'valid', s.reason);
          assert.equal(s.code, 'ok');
          assert.equal(s.email, `${user}@example.org`);
          assert.equal(s.digestAlgorithm, digest);
          assert.equal(s.chain.length, 3);
          assert.equal(s.chain[2]!.isTrustAnchor, true);
          assert.equal(r.eContentType, OID.data);
          assert.deepEqual(r.eContent, detached ? null : content);
          // Algorithm identifiers as OpenSSL writes them (rsaEncryption aside, which we accept but do not write).
          const algs = signerInfoAlgorithms(der);
          assert.equal(algs.digest, { 'SHA-256': OID.sha256, 'SHA-384': OID.sha384, 'SHA-512': OID.sha512 }[digest]);
          const expectedSig = !isRsa
            ? { 'SHA-256': OID.ecdsaWithSHA256, 'SHA-384': OID.ecdsaWithSHA384, 'SHA-512': OID.ecdsaWithSHA512 }[digest]
            : rsaPadding === 'pss'
              ? OID.rsassaPss
              : { 'SHA-256': OID.sha256WithRSAEncryption, 'SHA-384': OID.sha384WithRSAEncryption, 'SHA-512': OID.sha512WithRSAEncryption }[digest];
          assert.equal(algs.signature, expectedSig);
          // The independent implementation agrees.
          const sig = tmpFile(`rt-${idx}.der`, der);
          const args = ['cms', '-verify', '-CAfile', pki.rootPath, '-inform', 'DER', '-binary', '-in', sig, '-out', tmpFile(`rt-${idx}.out`)];
          if (detached) args.push('-content', tmpFile(`rt-${idx}.txt`, content));
          openssl(args);
        });
      }
    }
  }
}

test('micalgFor gives the RFC 8551 §3.5.3.2 names', () => {
  assert.deepEqual((['SHA-256', 'SHA-384', 'SHA-512'] as const).map(micalgFor), ['sha-256', 'sha-384', 'sha-512']);
});

test('a detached signature carries no eContent; an opaque one carries the content as one definite-length OCTET STRING', async () => {
  const det = await signContent(content, { identity: identityOf('carol') }, provider);
  const eci = expectSequence(expectSequence(parseContentInfo(det, defaultLimits).content, 'sd')[2], 'eci');
  assert.equal(eci.length, 1);
  assert.equal(readOid(eci[0]), OID.data);
  const opq = await signContent(content, { identity: identityOf('carol'), detached: false }, provider);
  const eci2 = expectSequence(expectSequence(parseContentInfo(opq, defaultLimits).content, 'sd')[2], 'eci');
  const octets = childrenOf(eci2[1])[0]!;
  assert.equal(octets.idBlock.isConstructed, false);
  assert.equal(octets.lenBlock.isIndefiniteForm, false);
});

test('the message carries the signer certificate and its chain', async () => {
  const pki = testPki();
  const der = await signContent(content, { identity: identityOf('alice'), extraCertificates: [pki.rootDer] }, provider);
  const r = await verifySignedData(der, { detachedContent: content, anchors: [pki.rootDer], config: config() }, provider);
  assert.equal(r.certificates.length, 3);
  assert.ok(r.certificates.some((c) => Buffer.from(c).equals(Buffer.from(pki.users.alice.certDer))));
  assert.ok(r.certificates.some((c) => Buffer.from(c).equals(Buffer.from(pki.intermediateDer))));
});

test('signContent refuses an identity whose key does not match its certificate (key-mismatch)', async () => {
  const pki = testPki();
  const wrong = { ...identityOf('alice'), certificate: pki.users.bob.certDer };
  await assert.rejects(signContent(content, { identity: wrong }, provider), (e) => isSignetError(e, 'key-mismatch'));
  const crossed = { ...identityOf('alice'), certificate: pki.users.carol.certDer };
  await assert.rejects(signContent(content, { identity: crossed }, provider), (e) => isSignetError(e, 'key-mismatch'));
});

test('signing time is carried and reported', async () => {
  const pki = testPki();
  const t = new Date('2027-03-04T05:06:07Z');
  const der = await signContent(content, { identity: identityOf('dave'), signingTime: t }, provider);
  const r = await verifySignedData(der, { detachedContent: content, anchors: [pki.rootDer], config: config(), at: new Date('2027-03-05T00:00:00Z') }, provider);
  assert.equal(r.signers[0]!.signingTime, t.toISOString());
});
