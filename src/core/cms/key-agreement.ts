// KeyAgreeRecipientInfo (RFC 5652 §6.2.2) for EC recipients: ephemeral-static ECDH (RFC 5753 §3.1),
// the ANSI X9.63 KDF over ECC-CMS-SharedInfo (RFC 5753 §7.2) and AES key wrap (RFC 3394, WebCrypto AES-KW).
// Like OpenSSL, a sender uses the KDF hash that matches the curve (P-256 → SHA-256, P-384 → SHA-384,
// P-521 → SHA-512) and a wrap key as strong as the content key.

import {
  childrenOf,
  encodingOf,
  expectSequence,
  isContext,
  isUniversal,
  readAlgorithmIdentifier,
  readBitString,
  readOctetString,
  readOid,
  readSmallInteger,
  Tag,
  type AlgorithmIdentifier,
  type Asn1Node,
} from '../asn1.js';
import type { CryptoProvider } from '../crypto.js';
import { algorithmIdentifier, integer, octetString, oid, sequence, tlv } from '../der.js';
import { SignetError, toSignetError } from '../errors.js';
import type { HashName, NamedCurve, PrivateKeyHandle } from '../keys.js';
import { OID, oidName } from '../oids.js';
import {
  CURVE_OIDS,
  encodeRecipientId,
  readIssuerAndSerial,
  type CertificateFacts,
  type RecipientId,
  type RecipientIdStyle,
} from './envelope-recipient.js';
import { x963Kdf } from './kdf.js';
import { contentKeyUsages } from './cbc-in-place.js';

export interface RecipientEncryptedKey {
  rid: RecipientId;
  encryptedKey: Uint8Array;
}

export interface KeyAgreeRecipientInfo {
  type: 'kari';
  version: number;
  /** The originator's ephemeral public point (originatorKey), or null for the other originator forms. */
  originatorPoint: Uint8Array | null;
  /** Curve named in originatorKey's algorithm parameters, when present (OpenSSL leaves them absent). */
  originatorCurveOid: string | null;
  ukm: Uint8Array | null;
  keyEncryptionAlgorithm: AlgorithmIdentifier;
  recipientEncryptedKeys: RecipientEncryptedKey[];
}

const KDF_HASH: Record<string, HashName> = {
  [OID.dhSinglePassStdDHsha1kdf]: 'SHA-1',
  [OID.dhSinglePassStdDHsha256kdf]: 'SHA-256',
  [OID.dhSinglePassStdDHsha384kdf]: 'SHA-384',
  [OID.dhSinglePassStdDHsha512kdf]: 'SHA-512',
};

const SCHEME_FOR_CURVE: Record<NamedCurve, { scheme: string; hash: HashName }> = {
  'P-256': { scheme: OID.dhSinglePassStdDHsha256kdf, hash: 'SHA-256' },
  'P-384': { scheme: OID.dhSinglePassStdDHsha384kdf, hash: 'SHA-384' },
  'P-521': { scheme: OID.dhSinglePassStdDHsha512kdf, hash: 'SHA-512' },
};

const WRAP_KEY_BYTES: Record<string, number> = { [OID.aes128Wrap]: 16, [OID.aes192Wrap]: 24, [OID.aes256Wrap]: 32 };
const WRAP_FOR_KEY_BYTES: Record<number, string> = { 16: OID.aes128Wrap, 24: OID.aes192Wrap, 32: OID.aes256Wrap };
const FIELD_BYTES: Record<NamedCurve, number> = { 'P-256': 32, 'P-384': 48, 'P-521': 66 };

/**
 * ECC-CMS-SharedInfo ::= SEQUENCE { keyInfo AlgorithmIdentifier, entityUInfo [0] EXPLICIT OCTET STRING
 * OPTIONAL, suppPubInfo [2] EXPLICIT OCTET STRING } with suppPubInfo = the KEK length in bits, 32-bit
 * big-endian (RFC 5753 §7.2). `wrapAlgorithm` is the DER of keyInfo exactly as the message carries it.
 */
function sharedInfo(wrapAlgorithm: Uint8Array, ukm: Uint8Array | null, kekBytes: number): Uint8Array {
  const bits = new Uint8Array(4);
  new DataView(bits.buffer).setUint32(0, kekBytes * 8);
  return ukm
    ? sequence(wrapAlgorithm, tlv(0xa0, octetString(ukm)), tlv(0xa2, octetString(bits)))
    : sequence(wrapAlgorithm, tlv(0xa2, octetString(bits)));
}

/** Builds a KeyAgreeRecipientInfo, already tagged [1] as the RecipientInfo CHOICE requires. */
export async function buildKeyAgreeRecipientInfo(
  cert: CertificateFacts,
  cek: Uint8Array,
  ridStyle: RecipientIdStyle,
  provider: CryptoProvider,
): Promise<Uint8Array> {
  const curve = cert.namedCurve;
  if (!curve) throw new SignetError('unsupported-algorithm', "The recipient's elliptic curve is not supported (P-256, P-384 and P-521 are).");
  const subtle = provider.crypto.subtle;
  const { scheme, hash } = SCHEME_FOR_CURVE[curve];
  const wrapOid = WRAP_FOR_KEY_BYTES[cek.length];
  if (!wrapOid) throw new SignetError('internal', `No AES key wrap for a ${cek.length}-byte key.`);
  const wrapAlgorithm = algorithmIdentifier(wrapOid); // AES wrap parameters are absent (RFC 3565 §2.3.2)

  let recipientKey: CryptoKey;
  try {
    recipientKey = await subtle.importKey('spki', cert.spki as BufferSource, { name: 'ECDH', namedCurve: curve }, false, []);
  } catch (e) {
    throw new SignetError('unsupported-algorithm', "The recipient's EC key cannot be used for ECDH.", { cause: e });
  }
  const ephemeral = (await subtle.generateKey({ name: 'ECDH', namedCurve: curve }, false, ['deriveBits'])) as CryptoKeyPair;
  const z = new Uint8Array(await subtle.deriveBits({ name: 'ECDH', public: recipientKey }, ephemeral.privateKey, FIELD_BYTES[curve] * 8));
  const kekBytes = cek.length;
  const kek = await subtle.importKey('raw', (await x963Kdf(subtle, hash, z, kekBytes, sharedInfo(wrapAlgorithm, null, kekBytes))) as BufferSource,
    'AES-KW', false, ['wrapKey']);
  // wrapKey needs the key to wrap as an extractable CryptoKey; this one lives only for the call.
  const cekKey = await subtle.importKey('raw', cek as BufferSource, { name: 'AES-CBC' }, true, ['encrypt']);
  const wrapped = new Uint8Array(await subtle.wrapKey('raw', cekKey, kek, 'AES-KW'));
  const point = new Uint8Array(await subtle.exportKey('raw', ephemeral.publicKey));

  // originator [0] EXPLICIT OriginatorIdentifierOrKey → originatorKey [1] IMPLICIT OriginatorPublicKey
  // { algorithm id-ecPublicKey (parameters absent, as OpenSSL writes: the curve is the recipient's),
  //   publicKey BIT STRING (uncompressed point) }.
  const originatorKey = tlv(0xa1, algorithmIdentifier(OID.ecPublicKey), tlv(0x03, Uint8Array.of(0), point));
  const rek = sequence(encodeRecipientId(cert, ridStyle, 'kari'), octetString(wrapped));
  return tlv(
    0xa1, // [1] KeyAgreeRecipientInfo
    integer(3),
    tlv(0xa0, originatorKey),
    algorithmIdentifier(scheme, wrapAlgorithm),
    sequence(rek),
  );
}

/** Parses a KeyAgreeRecipientInfo from its [1]-tagged node. */
export function readKeyAgreeRecipientInfo(node: Asn1Node): KeyAgreeRecipientInfo {
  const c = childrenOf(node, 'a KeyAgreeRecipientInfo');
  let i = 0;
  const version = readSmallInteger(c[i++], 'the KeyAgreeRecipientInfo version');
  const origWrapper = c[i++];
  if (!isContext(origWrapper, 0)) throw new SignetError('malformed-asn1', 'The KeyAgreeRecipientInfo has no originator.');
  const orig = childrenOf(origWrapper, 'the originator')[0];
  let originatorPoint: Uint8Array | null = null;
  let originatorCurveOid: string | null = null;
  if (isContext(orig, 1)) {
    const parts = childrenOf(orig, 'an OriginatorPublicKey');
    const alg = readAlgorithmIdentifier(parts[0]);
    if (alg.oid !== OID.ecPublicKey) throw new SignetError('unsupported-algorithm', `Originator key type ${alg.oid} is not supported.`);
    if (alg.params && isUniversal(alg.params, Tag.oid)) originatorCurveOid = readOid(alg.params);
    const bits = readBitString(parts[1], 'the originator public key');
    if (bits.unusedBits !== 0) throw new SignetError('malformed-asn1', 'The originator public key is not a whole number of bytes.');
    originatorPoint = bits.bytes;
  }
  let ukm: Uint8Array | null = null;
  if (isContext(c[i], 1)) ukm = readOctetString(childrenOf(c[i++]!)[0], 'the ukm');
  const keyEncryptionAlgorithm = readAlgorithmIdentifier(c[i++], 'the keyEncryptionAlgorithm');
  const recipientEncryptedKeys = expectSequence(c[i++], 'RecipientEncryptedKeys').map((rekNode) => {
    const r = expectSequence(rekNode, 'a RecipientEncryptedKey');
    let rid: RecipientId;
    if (isContext(r[0], 0)) {
      // rKeyId [0] IMPLICIT RecipientKeyIdentifier { subjectKeyIdentifier, date OPTIONAL, other OPTIONAL }
      rid = { kind: 'subject-key-identifier', ski: readOctetString(childrenOf(r[0])[0], 'the subjectKeyIdentifier') };
    } else {
      rid = readIssuerAndSerial(r[0]);
    }
    return { rid, encryptedKey: readOctetString(r[1], 'the encryptedKey') };
  });
  return { type: 'kari', version, originatorPoint, originatorCurveOid, ukm, keyEncryptionAlgorithm, recipientEncryptedKeys };
}

/** "ECDH-SHA256-KDF/AES-256-KW" */
export function keyAgreementName(kari: KeyAgreeRecipientInfo): string {
  const wrap = kari.keyEncryptionAlgorithm.params;
  let wrapName = '?';
  try {
    if (wrap) wrapName = oidName(readAlgorithmIdentifier(wrap).oid);
  } catch {
    // a malformed wrap algorithm only spoils the display name here; opening reports it properly
  }
  return `${oidName(kari.keyEncryptionAlgorithm.oid)}/${wrapName}`;
}

/**
 * Derives the key-encryption key with our EC private key and unwraps the content-encryption key directly
 * into a non-extractable WebCrypto key for `contentAlgorithm`; the raw CEK never reaches JavaScript.
 */
export async function openKeyAgreeRecipientInfo(
  kari: KeyAgreeRecipientInfo,
  rek: RecipientEncryptedKey,
  key: PrivateKeyHandle,
  contentAlgorithm: { name: 'AES-CBC' | 'AES-GCM'; keyBytes: number },
  provider: CryptoProvider,
): Promise<CryptoKey> {
  if (key.type !== 'ec' || !key.namedCurve) throw new SignetError('key-mismatch', 'An EC key is needed for this recipient.');
  const hash = KDF_HASH[kari.keyEncryptionAlgorithm.oid];
  if (!hash) throw new SignetError('unsupported-algorithm', `Key agreement scheme ${kari.keyEncryptionAlgorithm.oid} is not supported (ephemeral-static ECDH is).`);
  if (!kari.originatorPoint) {
    throw new SignetError('unsupported-algorithm', 'Only ephemeral-static ECDH (originatorKey) is supported, not static-static.');
  }
  const curveOid = CURVE_OIDS[key.namedCurve];
  if (kari.originatorCurveOid && kari.originatorCurveOid !== curveOid) {
    throw new SignetError('decryption-failed', "The sender's ephemeral key is not on the recipient's curve.");
  }
  const wrapNode = kari.keyEncryptionAlgorithm.params;
  if (!wrapNode) throw new SignetError('malformed-asn1', 'The key agreement algorithm names no key wrap algorithm.');
  const wrap = readAlgorithmIdentifier(wrapNode, 'the KeyWrapAlgorithm');
  const kekBytes = WRAP_KEY_BYTES[wrap.oid];
  if (!kekBytes) throw new SignetError('unsupported-algorithm', `Key wrap algorithm ${oidName(wrap.oid)} is not supported (AES key wrap is).`);

  // The originator's point on our curve, as a SubjectPublicKeyInfo for WebCrypto.
  const spki = sequence(algorithmIdentifier(OID.ecPublicKey, oid(curveOid)), tlv(0x03, Uint8Array.of(0), kari.originatorPoint));
  const subtle = provider.crypto.subtle;
  try {
    const z = await key.deriveEcdhSecret(spki);
    const kekRaw = await x963Kdf(subtle, hash, z, kekBytes, sharedInfo(encodingOf(wrapNode), kari.ukm, kekBytes));
    const kek = await subtle.importKey('raw', kekRaw as BufferSource, 'AES-KW', false, ['unwrapKey']);
    const cek = await subtle.unwrapKey('raw', rek.encryptedKey as BufferSource, kek, 'AES-KW', { name: contentAlgorithm.name }, false, contentKeyUsages(contentAlgorithm.name));
    if ((cek.algorithm as AesKeyAlgorithm).length !== contentAlgorithm.keyBytes * 8) throw new Error('content key has the wrong length');
    return cek;
  } catch (e) {
    // An AES-KW integrity failure (RFC 3394 §2.2.3) means a wrong key or a corrupted message.
    throw toSignetError(e, 'decryption-failed', 'The message key could not be unwrapped with this private key.');
  }
}
