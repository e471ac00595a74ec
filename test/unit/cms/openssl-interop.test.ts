// What the real `openssl cms -sign` writes verifies here: RSA PKCS#1 (written as rsaEncryption), RSA-PSS
// with OpenSSL's maximum salt, ECDSA on every curve, SHA-1 under policy, two signers, streamed BER.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { verifySignedData } from '../../../src/core/cms/verify.js';
import { isSignetError } from '../../../src/core/errors.js';
import { testPki, type UserName } from '../../helpers/pki.js';
import { config, openssl, provider, tmpFile } from './helpers.js';

const content = new TextEncoder().encode('Content-Type: text/plain\r\n\r\nSigned by OpenSSL.\r\n');

function opensslSign(signers: UserName[], extra: string[] = [], data: Uint8Array = content): Uint8Array {
  const pki = testPki();
  const args = ['cms', '-sign', '-binary', '-outform', 'DER', '-in', tmpFile(`in-${signers.join('-')}.txt`, data), '-certfile', pki.intermediatePath];
  for (const s of signers) args.push('-signer', pki.users[s].certPath, '-inkey', pki.users[s].keyPath);
  return new Uint8Array(openssl([...args, ...extra]));
}

let k = 0;
for (const user of ['alice', 'bob', 'carol', 'dave', 'erin'] as UserName[]) {
  const isRsa = user === 'alice' || user === 'bob';
  for (const md of ['sha256', 'sha384', 'sha512']) {
    for (const opaque of [false, true]) {
      for (const pss of isRsa ? [false, true] : [false]) {
        const id = k++;
        test(`openssl cms -sign ${user} -md ${md}${opaque ? ' -nodetach' : ''}${pss ? ' rsa_padding_mode:pss' : ''} verifies`, async () => {
          const extra = ['-md', md, ...(opaque ? ['-nodetach'] : []), ...(pss ? ['-keyopt', 'rsa_padding_mode:pss'] : [])];
          const der = opensslSign([user], extra);
          const r = await verifySignedData(
            der,
            { detachedContent: opaque ? undefined : content, anchors: [testPki().rootDer], config: config() },
            provider,
          );
          const s = r.signers[0]!;
          assert.equal(s.status, 'valid', `${id}: ${s.reason}`);
          if (opaque) assert.deepEqual(r.eContent, content);
          if (pss) assert.match(s.signatureAlgorithm, /^RSA-PSS/);
        });
      }
    }
  }
}

test('openssl -stream (indefinite-length BER, chunked eContent) of 3 MB verifies and the content is reassembled', async () => {
  const big = new Uint8Array(3 * 1024 * 1024 + 17).map((_, i) => (i * 31) & 0xff);
  const der = opensslSign(['carol'], ['-nodetach', '-stream'], big);
  const r = await verifySignedData(der, { anchors: [testPki().rootDer], config: config() }, provider);
  assert.equal(r.signers[0]!.status, 'valid');
  assert.equal(r.eContent!.length, big.length);
  assert.ok(Buffer.from(r.eContent!).equals(Buffer.from(big)));
});

test('two signers (RSA and EC) give two reports, never merged', async () => {
  const der = opensslSign(['alice', 'carol']);
  const r = await verifySignedData(der, { detachedContent: content, anchors: [testPki().rootDer], config: config() }, provider);
  assert.equal(r.signers.length, 2);
  assert.deepEqual(r.signers.map((s) => s.status), ['valid', 'valid']);
  assert.deepEqual(r.signers.map((s) => s.email).sort(), ['alice@example.org', 'carol@example.org']);
});

test('two signers where one is untrusted: each report keeps its own status', async () => {
  const pki = testPki();
  // openssl keeps only the last -certfile, so carry both CA certificates in one file.
  const both = tmpFile('inter+other.pem', readFileSync(pki.intermediatePath, 'utf8') + readFileSync(pki.otherRootPath, 'utf8'));
  const der = opensslSign(['alice', 'mallory'], ['-certfile', both]);
  const r = await verifySignedData(der, { detachedContent: content, anchors: [pki.rootDer], config: config() }, provider);
  const byName = Object.fromEntries(r.signers.map((s) => [s.name, s.status]));
  assert.deepEqual(byName, { 'alice Tester': 'valid', 'mallory Tester': 'untrusted' });
});

test('SHA-1 (openssl -md sha1) is outdated-algorithm by default (intact, refused by policy) and valid with allowInsecureSha1', async () => {
  const der = opensslSign(['alice'], ['-md', 'sha1']);
  const opts = { detachedContent: content, anchors: [testPki().rootDer] };
  const refused = await verifySignedData(der, { ...opts, config: config() }, provider);
  assert.equal(refused.signers[0]!.status, 'outdated-algorithm');
  assert.equal(refused.signers[0]!.code, 'insecure-algorithm');
  const allowed = await verifySignedData(der, { ...opts, config: config({ allowInsecureSha1: true }) }, provider);
  assert.equal(allowed.signers[0]!.status, 'valid');
});

test('tampered detached content from openssl is digest-mismatch', async () => {
  const der = opensslSign(['dave']);
  const tampered = content.slice();
  tampered[tampered.length - 3]! ^= 1;
  const r = await verifySignedData(der, { detachedContent: tampered, anchors: [testPki().rootDer], config: config() }, provider);
  assert.equal(r.signers[0]!.status, 'invalid');
  assert.equal(r.signers[0]!.code, 'digest-mismatch');
});

test('no signed attributes (openssl -noattr): the signature over the content itself verifies', async () => {
  for (const u of ['alice', 'erin'] as UserName[]) {
    const der = opensslSign([u], ['-noattr']);
    const r = await verifySignedData(der, { detachedContent: content, anchors: [testPki().rootDer], config: config() }, provider);
    assert.equal(r.signers[0]!.status, 'valid', r.signers[0]!.reason);
    assert.equal(r.signers[0]!.signingTime, null);
    const bad = content.slice();
    bad[0]! ^= 1;
    const r2 = await verifySignedData(der, { detachedContent: bad, anchors: [testPki().rootDer], config: config() }, provider);
    assert.equal(r2.signers[0]!.code, 'bad-signature');
  }
});

test('a certs-only SignedData (openssl crl2pkcs7) has no signers: no-signers', async () => {
  const pki = testPki();
  const der = new Uint8Array(openssl(['crl2pkcs7', '-nocrl', '-certfile', pki.users.alice.certPath, '-outform', 'DER']));
  await assert.rejects(
    verifySignedData(der, { detachedContent: content, anchors: [pki.rootDer], config: config() }, provider),
    (e) => isSignetError(e, 'no-signers'),
  );
});
