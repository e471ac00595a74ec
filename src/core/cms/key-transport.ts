// KeyTransRecipientInfo (RFC 5652 §6.2.1) for RSA recipients: RSAES-OAEP (RFC 8017 §7.1, parameters
// per RFC 4055 §4) through WebCrypto, and RSAES-PKCS1-v1_5 (RFC 8017 §7.2) through our own BigInt code
// because WebCrypto does not offer it.

import {
  childrenOf,
  expectSequence,
  isContext,
  isUniversal,
  readAlgorithmIdentifier,
  readOctetString,
  primitiveContent,
  readSmallInteger,
  Tag,
  type AlgorithmIdentifier,
  type Asn1Node,
} from '../asn1.js';
import type { CryptoProvider } from '../crypto.js';
import { algorithmIdentifier, integer, octetString, sequence, tlv } from '../der.js';
import { SignetError, toSignetError } from '../errors.js';
import type { HashName, KeyTransportScheme, PrivateKeyHandle } from '../keys.js';
import { OID } from '../oids.js';
import { encodeRecipientId, readIssuerAndSerial, type CertificateFacts, type RecipientId, type RecipientIdStyle } from './envelope-recipient.js';
import { rsaesPkcs1v15Encrypt } from './rsaes-pkcs1-v1_5.js';

export type RsaKeyTransport = 'oaep' | 'pkcs1';

export interface KeyTransRecipientInfo {
  type: 'ktri';
  version: number;
  rid: RecipientId;
  keyEncryptionAlgorithm: AlgorithmIdentifier;
  encryptedKey: Uint8Array;
}

const HASHES: Record<string, HashName> = {
  [OID.sha1]: 'SHA-1',
  [OID.sha256]: 'SHA-256',
  [OID.sha384]: 'SHA-384',
  [OID.sha512]: 'SHA-512',
};

/**
 * id-RSAES-OAEP with SHA-256 and MGF1-SHA-256 (RFC 4055 §4.1 rSAES-OAEP-SHA256-Identifier), the
 * parameters written out explicitly because the defaults are SHA-1. Hash parameters are absent, as
 * OpenSSL writes them and RFC 5754 §2 prefers; readers must accept NULL too (RFC 4055 §2.1).
 */
const OAEP_SHA256 = algorithmIdentifier(
  OID.rsaesOaep,
  sequence(
    tlv(0xa0, algorithmIdentifier(OID.sha256)),
    tlv(0xa1, algorithmIdentifier(OID.mgf1, algorithmIdentifier(OID.sha256))),
  ),
);

/** Builds a KeyTransRecipientInfo (a RecipientInfo CHOICE alternative, untagged) for an RSA certificate. */
export async function buildKeyTransRecipientInfo(
  cert: CertificateFacts,
  cek: Uint8Array,
  mode: RsaKeyTransport,
  ridStyle: RecipientIdStyle,
  provider: CryptoProvider,
): Promise<Uint8Array> {
  let keyEncryptionAlgorithm: Uint8Array;
  let encryptedKey: Uint8Array;
  if (mode === 'pkcs1') {
    keyEncryptionAlgorithm = algorithmIdentifier(OID.rsaEncryption, 'null');
    encryptedKey = rsaesPkcs1v15Encrypt(cert.spki, cek, provider.crypto);
  } else {
    const subtle = provider.crypto.subtle;
    let key: CryptoKey;
    try {
      key = await subtle.importKey('spki', cert.spki as BufferSource, { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['encrypt']);
    } catch (e) {
      throw new SignetError('unsupported-algorithm', "The recipient's RSA key cannot be used for RSA-OAEP.", { cause: e });
    }
    encryptedKey = new Uint8Array(await subtle.encrypt({ name: 'RSA-OAEP' }, key, cek as BufferSource));
    keyEncryptionAlgorithm = OAEP_SHA256;
  }
  // version is 0 for issuerAndSerialNumber, 2 for subjectKeyIdentifier (RFC 5652 §6.2.1).
  const version = ridStyle === 'subject-key-identifier' ? 2 : 0;
  return sequence(integer(version), encodeRecipientId(cert, ridStyle, 'ktri'), keyEncryptionAlgorithm, octetString(encryptedKey));
}

export function readKeyTransRecipientInfo(node: Asn1Node): KeyTransRecipientInfo {
  const c = expectSequence(node, 'a KeyTransRecipientInfo');
  const version = readSmallInteger(c[0], 'the KeyTransRecipientInfo version');
  let rid: RecipientId;
  const r = c[1];
  if (isContext(r, 0) && !r!.idBlock.isConstructed) {
    rid = { kind: 'subject-key-identifier', ski: primitiveContent(r) }; // [0] IMPLICIT OCTET STRING
  } else {
    rid = readIssuerAndSerial(r);
  }
  return {
    type: 'ktri',
    version,
    rid,
    keyEncryptionAlgorithm: readAlgorithmIdentifier(c[2], 'the keyEncryptionAlgorithm'),
    encryptedKey: readOctetString(c[3], 'the encryptedKey'),
  };
}

/** A short display name for the key-transport algorithm ("RSA-OAEP-SHA256", "RSAES-PKCS1-v1_5"). */
export function keyTransportName(ktri: KeyTransRecipientInfo): string {
  try {
    const s = keyTransportScheme(ktri.keyEncryptionAlgorithm, 16);
    return s.name === 'RSA-OAEP' ? `RSA-OAEP-${s.hash.replace('-', '')}${s.label ? '-label' : ''}` : 'RSAES-PKCS1-v1_5';
  } catch {
    return `KTRI ${ktri.keyEncryptionAlgorithm.oid}`;
  }
}

/** Maps the keyEncryptionAlgorithm to what a PrivateKeyHandle can do. */
export function keyTransportScheme(alg: AlgorithmIdentifier, expectedKeyLength: number): KeyTransportScheme {
  if (alg.oid === OID.rsaEncryption) return { name: 'RSAES-PKCS1-v1_5', expectedKeyLength };
  if (alg.oid !== OID.rsaesOaep) {
    throw new SignetError('unsupported-algorithm', `Key transport algorithm ${alg.oid} is not supported.`);
  }
  // RSAES-OAEP-params ::= SEQUENCE { hashFunc [0] DEFAULT sha1, maskGenFunc [1] DEFAULT mgf1SHA1,
  //   pSourceFunc [2] DEFAULT pSpecifiedEmpty } — absent or empty parameters mean all defaults.
  let hash: HashName = 'SHA-1';
  let mgfHash: HashName = 'SHA-1';
  let label: Uint8Array | undefined;
  const params = alg.params && !isUniversal(alg.params, Tag.null) ? expectSequence(alg.params, 'RSAES-OAEP-params') : [];
  for (const p of params) {
    const inner = childrenOf(p, 'an RSAES-OAEP parameter')[0];
    if (isContext(p, 0)) {
      hash = hashOf(readAlgorithmIdentifier(inner));
    } else if (isContext(p, 1)) {
      const mgf = readAlgorithmIdentifier(inner);
      if (mgf.oid !== OID.mgf1 || !mgf.params) throw new SignetError('unsupported-algorithm', `OAEP mask generation ${mgf.oid} is not supported.`);
      mgfHash = hashOf(readAlgorithmIdentifier(mgf.params));
    } else if (isContext(p, 2)) {
      const src = readAlgorithmIdentifier(inner);
      if (src.oid !== OID.pSpecified) throw new SignetError('unsupported-algorithm', `OAEP label source ${src.oid} is not supported.`);
      const l = src.params ? readOctetString(src.params, 'the OAEP label') : new Uint8Array(0);
      if (l.length > 0) label = l;
    } else {
      throw new SignetError('malformed-asn1', 'Unexpected element in RSAES-OAEP-params.');
    }
  }
  // WebCrypto ties the MGF1 hash to the OAEP hash; every implementation we know of does the same.
  if (mgfHash !== hash) {
    throw new SignetError('unsupported-algorithm', `RSA-OAEP with ${hash} and MGF1-${mgfHash} is not supported.`);
  }
  return label ? { name: 'RSA-OAEP', hash, label } : { name: 'RSA-OAEP', hash };
}

/**
 * Recovers the content-encryption key. A wrong length is reported exactly like a failed decryption, and
 * a PKCS#1 v1.5 padding failure already came back as random bytes (no padding oracle).
 */
export async function openKeyTransRecipientInfo(
  ktri: KeyTransRecipientInfo,
  key: PrivateKeyHandle,
  expectedKeyLength: number,
): Promise<Uint8Array> {
  if (key.type !== 'rsa') throw new SignetError('key-mismatch', 'An RSA key is needed for this recipient.');
  const scheme = keyTransportScheme(ktri.keyEncryptionAlgorithm, expectedKeyLength);
  let cek: Uint8Array;
  try {
    cek = await key.decryptKeyTransport(scheme, ktri.encryptedKey);
  } catch (e) {
    throw toSignetError(e, 'decryption-failed', 'The message key could not be decrypted with this private key.');
  }
  if (cek.length !== expectedKeyLength) {
    throw new SignetError('decryption-failed', 'The message key could not be decrypted with this private key.');
  }
  return cek;
}

function hashOf(a: AlgorithmIdentifier): HashName {
  const h = HASHES[a.oid];
  if (!h) throw new SignetError('unsupported-algorithm', `Hash ${a.oid} is not supported for RSA-OAEP.`);
  return h;
}


