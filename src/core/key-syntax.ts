// The key structures Signet reads from files and certificates, with the core's own DER readers:
// PrivateKeyInfo (PKCS #8, RFC 5958 §2), SubjectPublicKeyInfo (RFC 5280 §4.1.2.7), RSAPublicKey and
// RSAPrivateKey (RFC 8017 Appendix A.1.1/A.1.2). These were read through pkijs, which cost every
// `signet` command ~14 ms of start-up for 300 KB of code used only here (issue 17; ARCHITECTURE.md §6).

import { expectSequence, parseAsn1, readAlgorithmIdentifier, readBitString, readIntegerBytes, readOctetString, readSmallInteger, type AlgorithmIdentifier } from './asn1.js';
import { defaultLimits } from './config.js';

export interface PrivateKeyInfo {
  /** PKCS #8 version: 0 (v1), or 1 for RFC 5958's OneAsymmetricKey with a public key. */
  version: number;
  algorithm: AlgorithmIdentifier;
  /** The contents of the privateKey OCTET STRING (for RSA, an RSAPrivateKey). */
  privateKey: Uint8Array;
}

/** PrivateKeyInfo ::= SEQUENCE { version, privateKeyAlgorithm, privateKey OCTET STRING, [0] attributes, [1] publicKey }. */
export function readPrivateKeyInfo(der: Uint8Array): PrivateKeyInfo {
  const c = expectSequence(parseAsn1(der, defaultLimits, { what: 'The private key' }), 'a PrivateKeyInfo');
  const version = readSmallInteger(c[0], 'the PrivateKeyInfo version');
  return { version, algorithm: readAlgorithmIdentifier(c[1], 'the private key algorithm'), privateKey: readOctetString(c[2], 'the private key') };
}

/** SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }. */
export function readSubjectPublicKeyInfo(der: Uint8Array): { algorithm: AlgorithmIdentifier; publicKey: Uint8Array } {
  const c = expectSequence(parseAsn1(der, defaultLimits, { what: 'The public key' }), 'a SubjectPublicKeyInfo');
  return { algorithm: readAlgorithmIdentifier(c[0], 'the public key algorithm'), publicKey: readBitString(c[1], 'the public key').bytes };
}

export interface RsaPublicKey {
  /** INTEGER contents as encoded (two's complement, big-endian). */
  modulus: Uint8Array;
  publicExponent: Uint8Array;
}

/** RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }. */
export function readRsaPublicKey(der: Uint8Array): RsaPublicKey {
  const c = expectSequence(parseAsn1(der, defaultLimits, { what: 'The RSA public key' }), 'an RSAPublicKey');
  return { modulus: readIntegerBytes(c[0], 'the RSA modulus'), publicExponent: readIntegerBytes(c[1], 'the RSA public exponent') };
}

export interface RsaPrivateKey extends RsaPublicKey {
  privateExponent: Uint8Array;
  prime1: Uint8Array;
  prime2: Uint8Array;
  exponent1: Uint8Array;
  exponent2: Uint8Array;
  coefficient: Uint8Array;
}

/**
 * RSAPrivateKey ::= SEQUENCE { version, modulus, publicExponent, privateExponent, prime1, prime2,
 * exponent1, exponent2, coefficient, otherPrimeInfos OPTIONAL }. Version 1 (multi-prime) is read too;
 * its extra primes are ignored here and the CRT users check p·q = n.
 */
export function readRsaPrivateKey(der: Uint8Array): RsaPrivateKey {
  const c = expectSequence(parseAsn1(der, defaultLimits, { what: 'The RSA private key' }), 'an RSAPrivateKey');
  readSmallInteger(c[0], 'the RSAPrivateKey version');
  const int = (i: number, what: string): Uint8Array => readIntegerBytes(c[i], what);
  return {
    modulus: int(1, 'the RSA modulus'),
    publicExponent: int(2, 'the RSA public exponent'),
    privateExponent: int(3, 'the RSA private exponent'),
    prime1: int(4, 'the first RSA prime'),
    prime2: int(5, 'the second RSA prime'),
    exponent1: int(6, 'the first CRT exponent'),
    exponent2: int(7, 'the second CRT exponent'),
    coefficient: int(8, 'the CRT coefficient'),
  };
}
