// The key structures read without pkijs (src/core/key-syntax.ts): every component of real OpenSSL keys
// byte-exact against `openssl pkey -text`-style output (here: `openssl rsa -modulus` and asn1parse), and
// malformed encodings refused with the core's typed errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fromBase64, toHex } from '../../../src/core/bytes.js';
import { cryptoProvider } from '../../../src/core/crypto.js';
import { isSignetError } from '../../../src/core/errors.js';
import { readPrivateKeyInfo, readRsaPrivateKey, readRsaPublicKey, readSubjectPublicKeyInfo } from '../../../src/core/key-syntax.js';
import { OID } from '../../../src/core/oids.js';
import { privateKeyFromPkcs8 } from '../../../src/core/private-key.js';
import { rsaesPkcs1v15Encrypt } from '../../../src/core/cms/rsaes-pkcs1-v1_5.js';
import { testPki } from '../../helpers/pki.js';

const pki = testPki();
const der = (pem: string): Uint8Array => fromBase64(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''));
const pkcs8Of = (keyPath: string): Uint8Array => new Uint8Array(execFileSync('openssl', ['pkcs8', '-topk8', '-nocrypt', '-outform', 'DER', '-in', keyPath]));
const spkiOf = (certPath: string): Uint8Array => der(execFileSync('openssl', ['x509', '-in', certPath, '-noout', '-pubkey']).toString());
const unsigned = (b: Uint8Array): string => toHex(b).replace(/^(00)+/, '').toUpperCase();

test('an RSA PKCS #8 key: every RSAPrivateKey component as OpenSSL reads it', () => {
  const bob = pki.users.bob;
  const info = readPrivateKeyInfo(pkcs8Of(bob.keyPath));
  assert.equal(info.version, 0);
  assert.equal(info.algorithm.oid, OID.rsaEncryption);
  const key = readRsaPrivateKey(info.privateKey);
  const modulus = execFileSync('openssl', ['rsa', '-in', bob.keyPath, '-noout', '-modulus']).toString().trim().replace('Modulus=', '');
  assert.equal(unsigned(key.modulus), modulus);
  assert.equal(unsigned(key.publicExponent), '010001');
  // The primes multiply to the modulus, so p and q were not swapped with the CRT values.
  const big = (b: Uint8Array): bigint => BigInt('0x' + toHex(b));
  assert.equal(big(key.prime1) * big(key.prime2), big(key.modulus));
  assert.equal(big(key.coefficient) * big(key.prime2) % big(key.prime1), 1n);
});

test('an RSA certificate key: SubjectPublicKeyInfo and RSAPublicKey', () => {
  const alice = pki.users.alice;
  const spki = readSubjectPublicKeyInfo(spkiOf(alice.certPath));
  assert.equal(spki.algorithm.oid, OID.rsaEncryption);
  const pub = readRsaPublicKey(spki.publicKey);
  const modulus = execFileSync('openssl', ['x509', '-in', alice.certPath, '-noout', '-modulus']).toString().trim().replace('Modulus=', '');
  assert.equal(unsigned(pub.modulus), modulus);
});

test('EC PKCS #8 keys keep their named curve', () => {
  const p384 = Object.values(pki.users).find((u) => u.key === 'p384');
  assert.ok(p384, 'the test PKI has a P-384 user');
  const info = readPrivateKeyInfo(pkcs8Of(p384.keyPath));
  assert.equal(info.algorithm.oid, OID.ecPublicKey);
  const handle = privateKeyFromPkcs8(pkcs8Of(p384.keyPath), cryptoProvider());
  assert.equal(handle.type, 'ec');
  assert.equal(handle.namedCurve, 'P-384');
  assert.equal(handle.bits, 384);
});

test('RSA key sizes are reported from the modulus', () => {
  const bob = pki.users.bob;
  const handle = privateKeyFromPkcs8(pkcs8Of(bob.keyPath), cryptoProvider());
  assert.equal(handle.type, 'rsa');
  assert.equal(handle.bits, 3072);
});

test('malformed key structures are typed errors, never crashes', () => {
  const good = pkcs8Of(pki.users.alice.keyPath);
  const cases: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['truncated', good.subarray(0, good.length - 10)],
    ['not a SEQUENCE', Uint8Array.of(0x04, 0x01, 0x00)],
    ['SEQUENCE missing the key', Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00)],
  ];
  for (const [name, bytes] of cases) {
    assert.throws(() => readPrivateKeyInfo(bytes), (e: unknown) => isSignetError(e, 'malformed-asn1'), name);
    assert.throws(() => privateKeyFromPkcs8(bytes, cryptoProvider()), (e: unknown) => isSignetError(e, 'malformed-asn1'), name);
  }
  // An SPKI whose RSAPublicKey holds a negative modulus (sign bit set, no leading zero).
  const negative = Uint8Array.of(
    0x30, 0x1a, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
    0x03, 0x09, 0x00, 0x30, 0x06, 0x02, 0x01, 0x85, 0x02, 0x01, 0x03,
  );
  assert.throws(() => rsaesPkcs1v15Encrypt(negative, new Uint8Array(16), globalThis.crypto), (e: unknown) => isSignetError(e, 'malformed-asn1'));
  // An RSAPublicKey without its exponent.
  assert.throws(() => readRsaPublicKey(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x05)), (e: unknown) => isSignetError(e, 'malformed-asn1'));
});
