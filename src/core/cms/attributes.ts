// CMS attributes (RFC 5652 §5.3 Attribute, §11) and the S/MIME ones Signet writes and reads:
// SMIMECapabilities (RFC 8551 §2.5.2) and SMIMEEncryptionKeyPreference (RFC 8551 §2.5.3), plus
// Microsoft's encryption-key preference 1.3.6.1.4.1.311.16.4 that Outlook writes alongside it.

import {
  childrenOf,
  encodingOf,
  expectSequence,
  expectSet,
  isContext,
  isUniversal,
  parseAsn1,
  primitiveContent,
  readAlgorithmIdentifier,
  readIntegerBytes,
  readOctetString,
  readOid,
  Tag,
  type Asn1Limits,
  type Asn1Node,
} from '../asn1.js';
import { algorithmIdentifier, oid, sequence, setOf, tlv } from '../der.js';
import { SignetError } from '../errors.js';
import { OID, oidName } from '../oids.js';

// ---------------------------------------------------------------------------------------------------------
// Attribute ::= SEQUENCE { attrType OBJECT IDENTIFIER, attrValues SET OF AttributeValue }

export interface Attribute {
  oid: string;
  values: Asn1Node[];
}

/** DER of one Attribute; the values are DER encodings, sorted as SET OF requires. */
export function encodeAttribute(type: string, ...values: Uint8Array[]): Uint8Array {
  return sequence(oid(type), setOf(...values));
}

/** Reads a SET OF Attribute (signedAttrs [0] / unsignedAttrs [1] IMPLICIT, or a plain SET). */
export function readAttributes(node: Asn1Node): Attribute[] {
  return childrenOf(node, 'attributes').map((a) => {
    const [t, vals] = expectSequence(a, 'an Attribute');
    return { oid: readOid(t, 'the attribute type'), values: expectSet(vals, 'the attribute values') };
  });
}

/**
 * The single value of an attribute that RFC 5652 §5.3 requires to appear once with one value
 * (contentType, messageDigest, signingTime): absent → null; repeated or multi-valued → malformed.
 */
export function singleAttributeValue(attrs: readonly Attribute[], type: string): Asn1Node | null {
  const found = attrs.filter((a) => a.oid === type);
  if (found.length === 0) return null;
  if (found.length > 1 || found[0]!.values.length !== 1) {
    throw new SignetError('malformed-asn1', `The signed attribute ${oidName(type)} must appear once with one value.`);
  }
  return found[0]!.values[0]!;
}

// ---------------------------------------------------------------------------------------------------------
// SMIMECapabilities ::= SEQUENCE OF SMIMECapability
// SMIMECapability ::= SEQUENCE { capabilityID OBJECT IDENTIFIER, parameters ANY DEFINED BY capabilityID OPTIONAL }

export interface SmimeCapability {
  oid: string;
  /** DER of the parameters, when present. */
  parameters?: Uint8Array;
}

/** RSAES-OAEP-params with SHA-256 and MGF1-SHA-256 (RFC 4055 §4.1; pSourceAlgorithm left at its default). */
const OAEP_SHA256_PARAMS = sequence(
  tlv(0xa0, algorithmIdentifier(OID.sha256, 'null')),
  tlv(0xa1, algorithmIdentifier(OID.mgf1, algorithmIdentifier(OID.sha256, 'null'))),
);

/**
 * What Signet can decrypt, strongest first (RFC 8551 §2.7.1 orders by preference): AES-GCM
 * (AuthEnvelopedData, RFC 5084) before AES-CBC, then the key-management algorithms a sender may pick:
 * RSAES-OAEP (RFC 8551 §2.7.1.2 / RFC 4055) and ECDH with the SHA-256 KDF and AES key wrap, whose
 * capability parameter is the wrap algorithm (RFC 5753 §7.2).
 */
export const DEFAULT_SMIME_CAPABILITIES: readonly SmimeCapability[] = Object.freeze([
  { oid: OID.aes256GCM },
  { oid: OID.aes128GCM },
  { oid: OID.aes256CBC },
  { oid: OID.aes128CBC },
  { oid: OID.rsaesOaep, parameters: OAEP_SHA256_PARAMS },
  { oid: OID.dhSinglePassStdDHsha256kdf, parameters: algorithmIdentifier(OID.aes256Wrap) },
  { oid: OID.dhSinglePassStdDHsha256kdf, parameters: algorithmIdentifier(OID.aes128Wrap) },
]);

/** DER of an SMIMECapabilities value (a SEQUENCE OF: the order is the preference, so it is kept). */
export function encodeSmimeCapabilities(caps: readonly SmimeCapability[] = DEFAULT_SMIME_CAPABILITIES): Uint8Array {
  return sequence(...caps.map((c) => (c.parameters ? sequence(oid(c.oid), c.parameters) : sequence(oid(c.oid)))));
}

export function readSmimeCapabilities(node: Asn1Node): SmimeCapability[] {
  return expectSequence(node, 'SMIMECapabilities').map((c) => {
    const [id, params] = expectSequence(c, 'an SMIMECapability');
    const cap: SmimeCapability = { oid: readOid(id, 'a capability') };
    if (params) cap.parameters = encodingOf(params);
    return cap;
  });
}

export function decodeSmimeCapabilities(der: Uint8Array, limits: Asn1Limits): SmimeCapability[] {
  return readSmimeCapabilities(parseAsn1(der, limits, { what: 'The S/MIME capabilities' }));
}

/** A display name: "AES-256-GCM", "RSA-OAEP-SHA256", "ECDH-SHA256-KDF/AES-256-KW", "RC2-CBC-40". */
export function capabilityName(cap: SmimeCapability): string {
  const base = oidName(cap.oid);
  if (!cap.parameters) return base;
  try {
    const p = parseAsn1(cap.parameters, { maxAsn1Depth: 8, maxAsn1Nodes: 64, maxAsn1Bytes: 1024 });
    if (cap.oid === OID.rsaesOaep) {
      const hash = childrenOf(p).find((f) => isContext(f, 0));
      return `${base}-${hash ? oidName(readAlgorithmIdentifier(childrenOf(hash)[0]).oid).replace('-', '') : 'SHA1'}`;
    }
    if (isUniversal(p, Tag.sequence)) return `${base}/${oidName(readAlgorithmIdentifier(p).oid)}`;
    if (isUniversal(p, Tag.integer)) {
      // RC2 capabilities carry the key length in bits (RFC 8551 §2.5.2).
      const b = readIntegerBytes(p);
      let v = 0;
      for (const x of b) v = v * 256 + x;
      return `${base}-${v}`;
    }
  } catch {
    // A capability we cannot describe is shown by its OID name alone.
  }
  return base;
}

// ---------------------------------------------------------------------------------------------------------
// SMIMEEncryptionKeyPreference ::= CHOICE {
//   issuerAndSerialNumber [0] IssuerAndSerialNumber, receipentKeyId [1] RecipientKeyIdentifier,
//   subjectAltKeyIdentifier [2] SubjectKeyIdentifier }             -- IMPLICIT tags (RFC 8551 Appendix A)
// Microsoft's 1.3.6.1.4.1.311.16.4 value is a bare IssuerAndSerialNumber.

export type EncryptionKeyPreference =
  | { kind: 'issuerAndSerialNumber'; issuer: Uint8Array; serialNumber: Uint8Array }
  | { kind: 'recipientKeyId'; subjectKeyIdentifier: Uint8Array }
  | { kind: 'subjectKeyIdentifier'; subjectKeyIdentifier: Uint8Array };

/** IssuerAndSerialNumber ::= SEQUENCE { issuer Name, serialNumber CertificateSerialNumber } (RFC 5652 §10.2.4). */
export function encodeIssuerAndSerialNumber(issuerNameDer: Uint8Array, serialNumber: Uint8Array): Uint8Array {
  return sequence(issuerNameDer, tlv(0x02, serialNumber));
}

/** The RFC 8551 attribute value: [0] IMPLICIT IssuerAndSerialNumber. */
export function encodeEncryptionKeyPreference(issuerNameDer: Uint8Array, serialNumber: Uint8Array): Uint8Array {
  const ias = encodeIssuerAndSerialNumber(issuerNameDer, serialNumber);
  const out = ias.slice();
  out[0] = 0xa0;
  return out;
}

export function readEncryptionKeyPreference(node: Asn1Node): EncryptionKeyPreference {
  if (isContext(node, 0) && node.idBlock.isConstructed) return readIssuerAndSerial(childrenOf(node));
  if (isContext(node, 1) && node.idBlock.isConstructed) {
    const first = childrenOf(node)[0];
    return { kind: 'recipientKeyId', subjectKeyIdentifier: readOctetString(first, 'a subject key identifier') };
  }
  if (isContext(node, 2) && !node.idBlock.isConstructed) {
    return { kind: 'subjectKeyIdentifier', subjectKeyIdentifier: primitiveContent(node) };
  }
  throw new SignetError('malformed-asn1', 'The SMIMEEncryptionKeyPreference attribute is malformed.');
}

/** Microsoft's attribute: a plain IssuerAndSerialNumber SEQUENCE. */
export function readMsEncryptionKeyPreference(node: Asn1Node): EncryptionKeyPreference {
  return readIssuerAndSerial(expectSequence(node, 'an IssuerAndSerialNumber'));
}

function readIssuerAndSerial(fields: Asn1Node[]): EncryptionKeyPreference {
  const [issuer, serial] = fields;
  if (!isUniversal(issuer, Tag.sequence)) throw new SignetError('malformed-asn1', 'IssuerAndSerialNumber has no issuer Name.');
  return { kind: 'issuerAndSerialNumber', issuer: encodingOf(issuer!), serialNumber: readIntegerBytes(serial, 'the serial number') };
}

/** Looks up the encryption-key preference in signed attributes: the RFC 8551 one first, Microsoft's next. */
export function findEncryptionKeyPreference(attrs: readonly Attribute[]): EncryptionKeyPreference | null {
  for (const [type, read] of [
    [OID.smimeEncryptionKeyPreference, readEncryptionKeyPreference],
    [OID.msOutlookEncryptionKeyPreference, readMsEncryptionKeyPreference],
  ] as const) {
    const a = attrs.find((x) => x.oid === type);
    if (a?.values[0]) {
      try {
        return read(a.values[0]);
      } catch {
        // A malformed preference only loses the hint; the signature itself is judged elsewhere.
      }
    }
  }
  return null;
}
