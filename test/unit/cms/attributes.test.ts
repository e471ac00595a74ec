import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAsn1, readAlgorithmIdentifier, childrenOf } from '../../../src/core/asn1.js';
import {
  capabilityName,
  decodeSmimeCapabilities,
  DEFAULT_SMIME_CAPABILITIES,
  encodeEncryptionKeyPreference,
  encodeIssuerAndSerialNumber,
  encodeSmimeCapabilities,
  readEncryptionKeyPreference,
  readMsEncryptionKeyPreference,
} from '../../../src/core/cms/attributes.js';
import { signContent } from '../../../src/core/cms/sign.js';
import { verifySignedData } from '../../../src/core/cms/verify.js';
import { defaultLimits } from '../../../src/core/config.js';
import { OID } from '../../../src/core/oids.js';
import { parseCertificate } from '../../../src/core/pki/certificate.js';
import { testPki } from '../../helpers/pki.js';
import { config, identityOf, openssl, provider, tmpFile } from './helpers.js';

test('default SMIMECapabilities: AES-GCM before AES-CBC, 256 before 128, then RSA-OAEP and ECDH key management', () => {
  const caps = decodeSmimeCapabilities(encodeSmimeCapabilities(), defaultLimits);
  assert.deepEqual(caps.map(capabilityName), [
    'AES-256-GCM',
    'AES-128-GCM',
    'AES-256-CBC',
    'AES-128-CBC',
    'RSA-OAEP-SHA256',
    'ECDH-SHA256-KDF/AES-256-KW',
    'ECDH-SHA256-KDF/AES-128-KW',
  ]);
  // RFC 5753 §7.2: the ECDH capability's parameter is the key-wrap AlgorithmIdentifier.
  const ecdh = caps[5]!;
  assert.equal(ecdh.oid, OID.dhSinglePassStdDHsha256kdf);
  assert.equal(readAlgorithmIdentifier(parseAsn1(ecdh.parameters!, defaultLimits)).oid, OID.aes256Wrap);
  // RFC 4055: RSAES-OAEP-params hashFunc [0] sha256, maskGenFunc [1] mgf1(sha256).
  const oaep = parseAsn1(caps[4]!.parameters!, defaultLimits);
  const [h, m] = childrenOf(oaep);
  assert.equal(readAlgorithmIdentifier(childrenOf(h!)[0]).oid, OID.sha256);
  assert.equal(readAlgorithmIdentifier(childrenOf(m!)[0]).oid, OID.mgf1);
  assert.equal(DEFAULT_SMIME_CAPABILITIES.length, 7);
});

test('OpenSSL parses our SMIMECapabilities and signed attributes', async () => {
  const der = await signContent(new TextEncoder().encode('x'), { identity: identityOf('alice') }, provider);
  const out = openssl(['cms', '-cmsout', '-print', '-inform', 'DER', '-noout', '-in', tmpFile('caps.der', der)]).toString();
  assert.match(out, /aes-256-gcm|id-aes256-GCM/);
  assert.match(out, /rsaesOaep/);
  assert.match(out, /signingTime/);
});

test('SMIMEEncryptionKeyPreference: [0] IMPLICIT IssuerAndSerialNumber and Microsoft form round-trip', () => {
  const cert = parseCertificate(testPki().users.bob.certDer, defaultLimits);
  const std = encodeEncryptionKeyPreference(cert.issuer.der, cert.serialNumber);
  assert.equal(std[0], 0xa0);
  const p = readEncryptionKeyPreference(parseAsn1(std, defaultLimits));
  assert.equal(p.kind, 'issuerAndSerialNumber');
  assert.deepEqual(p.kind === 'issuerAndSerialNumber' && p.serialNumber, cert.serialNumber);
  const ms = readMsEncryptionKeyPreference(parseAsn1(encodeIssuerAndSerialNumber(cert.issuer.der, cert.serialNumber), defaultLimits));
  assert.deepEqual(ms, p);
  const ski = readEncryptionKeyPreference(parseAsn1(Uint8Array.of(0x82, 0x02, 0x01, 0x02), defaultLimits));
  assert.deepEqual(ski, { kind: 'subjectKeyIdentifier', subjectKeyIdentifier: Uint8Array.of(1, 2) });
});

test('signContent adds the encryption-key preference only when the encryption certificate differs', async () => {
  const pki = testPki();
  const content = new TextEncoder().encode('hello');
  const signerAttrs = (der: Uint8Array): string[] => {
    const out = openssl(['cms', '-cmsout', '-print', '-inform', 'DER', '-noout', '-in', tmpFile('pref.der', der)]).toString();
    return [...out.matchAll(/object: ([^\n]+)/g)].map((m) => m[1]!.trim());
  };
  const same = await signContent(content, { identity: identityOf('alice'), encryptionCertificate: pki.users.alice.certDer }, provider);
  assert.ok(!signerAttrs(same).some((a) => a.includes('1.2.840.113549.1.9.16.2.11') || /Encryption Key Pref/i.test(a)));
  const other = await signContent(
    content,
    { identity: identityOf('alice'), encryptionCertificate: pki.users.bob.certDer, extraCertificates: [pki.users.bob.certDer] },
    provider,
  );
  const r = await verifySignedData(other, { detachedContent: content, anchors: [pki.rootDer], config: config() }, provider);
  assert.equal(r.signers[0]!.status, 'valid');
  assert.deepEqual(r.signerDetails[0]!.encryptionCertificate, pki.users.bob.certDer);
  assert.deepEqual(r.signerDetails[0]!.certificate, pki.users.alice.certDer);
  // Both the RFC 8551 and the Microsoft attribute are present.
  const attrs = signerAttrs(other).join('\n');
  assert.match(attrs, /1\.3\.6\.1\.4\.1\.311\.16\.4|Microsoft/i);
});
