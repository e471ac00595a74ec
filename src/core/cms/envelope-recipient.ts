// Who a CMS RecipientInfo is for (RFC 5652 §6.2): the certificate facts a sender needs (issuer, serial,
// subjectKeyIdentifier, public key) and the RecipientIdentifier a receiver matches against its own
// certificates. Names and serials are compared as received bytes, as OpenSSL and NSS do in practice.

import {
  childrenOf,
  encodingOf,
  expectSequence,
  isContext,
  isUniversal,
  parseAsn1,
  primitiveContent,
  readOctetString,
  readOid,
  Tag,
  type Asn1Node,
} from '../asn1.js';
import { equalBytes } from '../bytes.js';
import { defaultLimits } from '../config.js';
import { octetString, sequence, tlv } from '../der.js';
import { SignetError } from '../errors.js';
import type { NamedCurve } from '../keys.js';
import { OID } from '../oids.js';

/** RecipientIdentifier / KeyAgreeRecipientIdentifier, reduced to what identifies a certificate. */
export type RecipientId =
  | { kind: 'issuer-and-serial'; issuer: Uint8Array; serial: Uint8Array }
  | { kind: 'subject-key-identifier'; ski: Uint8Array };

/** How a sender names each recipient: issuerAndSerialNumber (v0, universal) or subjectKeyIdentifier. */
export type RecipientIdStyle = 'issuer-and-serial' | 'subject-key-identifier';

export interface CertificateFacts {
  /** DER of the issuer Name, as in the certificate. */
  issuer: Uint8Array;
  /** Contents octets of the serialNumber INTEGER. */
  serial: Uint8Array;
  /** keyIdentifier of the subjectKeyIdentifier extension, if present. */
  ski: Uint8Array | null;
  /** DER of SubjectPublicKeyInfo. */
  spki: Uint8Array;
  keyType: 'rsa' | 'ec' | 'other';
  keyAlgorithm: string;
  namedCurve: NamedCurve | null;
}

const CURVES: Record<string, NamedCurve> = {
  [OID.secp256r1]: 'P-256',
  [OID.secp384r1]: 'P-384',
  [OID.secp521r1]: 'P-521',
};

export const CURVE_OIDS: Record<NamedCurve, string> = {
  'P-256': OID.secp256r1,
  'P-384': OID.secp384r1,
  'P-521': OID.secp521r1,
};

/** Reads the facts of an X.509 certificate (RFC 5280 §4.1) that CMS recipient handling needs. */
export function certificateFacts(der: Uint8Array): CertificateFacts {
  const root = parseAsn1(der, defaultLimits, { what: 'The certificate' });
  const tbs = expectSequence(expectSequence(root, 'a certificate')[0], 'a TBSCertificate');
  let i = isContext(tbs[0], 0) ? 1 : 0; // [0] EXPLICIT version
  const serialNode = tbs[i++];
  if (!isUniversal(serialNode, Tag.integer)) throw new SignetError('malformed-asn1', 'The certificate has no serial number.');
  i++; // signature
  const issuerNode = tbs[i++];
  if (!isUniversal(issuerNode, Tag.sequence)) throw new SignetError('malformed-asn1', 'The certificate has no issuer.');
  i += 2; // validity, subject
  const spkiNode = tbs[i++];
  const spkiAlg = expectSequence(expectSequence(spkiNode, 'a SubjectPublicKeyInfo')[0], 'an AlgorithmIdentifier');
  const keyAlgorithm = readOid(spkiAlg[0]);
  let ski: Uint8Array | null = null;
  for (; i < tbs.length; i++) {
    const n = tbs[i]!;
    if (!isContext(n, 3)) continue;
    for (const ext of expectSequence(childrenOf(n)[0], 'Extensions')) {
      const parts = expectSequence(ext, 'an Extension');
      if (readOid(parts[0]) !== OID.subjectKeyIdentifier) continue;
      const value = readOctetString(parts[parts.length - 1], 'the extension value');
      ski = readOctetString(parseAsn1(value, defaultLimits, { what: 'The subjectKeyIdentifier' }));
    }
  }
  const curveOid = spkiAlg[1] && isUniversal(spkiAlg[1], Tag.oid) ? readOid(spkiAlg[1]) : '';
  return {
    issuer: encodingOf(issuerNode!),
    serial: primitiveContent(serialNode),
    ski,
    spki: encodingOf(spkiNode!),
    keyType: keyAlgorithm === OID.rsaEncryption ? 'rsa' : keyAlgorithm === OID.ecPublicKey ? 'ec' : 'other',
    keyAlgorithm,
    namedCurve: CURVES[curveOid] ?? null,
  };
}

/**
 * Encodes the identifier of `cert` in the chosen style. For a KTRI the SKI is subjectKeyIdentifier
 * [0] IMPLICIT SubjectKeyIdentifier (RFC 5652 §6.2.1); for a KARI it is rKeyId [0] IMPLICIT
 * RecipientKeyIdentifier, a SEQUENCE whose first field is the SKI (§6.2.2).
 */
export function encodeRecipientId(cert: CertificateFacts, style: RecipientIdStyle, within: 'ktri' | 'kari'): Uint8Array {
  if (style === 'subject-key-identifier') {
    if (!cert.ski) throw new SignetError('usage', 'The recipient certificate has no subjectKeyIdentifier.');
    return within === 'ktri' ? tlv(0x80, cert.ski) : tlv(0xa0, octetString(cert.ski));
  }
  return sequence(cert.issuer, tlv(0x02, cert.serial));
}

/** Parses an IssuerAndSerialNumber SEQUENCE. */
export function readIssuerAndSerial(node: Asn1Node | undefined): RecipientId {
  const c = expectSequence(node, 'an IssuerAndSerialNumber');
  if (!isUniversal(c[0], Tag.sequence) || !isUniversal(c[1], Tag.integer)) {
    throw new SignetError('malformed-asn1', 'Expected an IssuerAndSerialNumber.');
  }
  return { kind: 'issuer-and-serial', issuer: encodingOf(c[0]!), serial: primitiveContent(c[1]) };
}

export function matchesCertificate(rid: RecipientId, cert: CertificateFacts): boolean {
  if (rid.kind === 'subject-key-identifier') return cert.ski !== null && equalBytes(rid.ski, cert.ski);
  return equalBytes(stripZeros(rid.serial), stripZeros(cert.serial)) && equalBytes(rid.issuer, cert.issuer);
}

// A serial encoded with a superfluous leading zero by a lax encoder still names the same certificate.
function stripZeros(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0 && (b[i + 1]! & 0x80) === 0) i++;
  return b.subarray(i);
}
