// A parsed, read-only X.509 certificate (RFC 5280 §4.1) with the extensions path validation and S/MIME
// need (§4.2: basicConstraints, keyUsage, extKeyUsage, key identifiers, subjectAltName). Builders live
// elsewhere; this file only reads. Names are kept as DER and as a normalised key for matching (§7.1).

import {
  childrenOf,
  encodingOf,
  expectSequence,
  isContext,
  isUniversal,
  parseAsn1,
  primitiveContent,
  readAlgorithmIdentifier,
  readBitString,
  readIntegerBytes,
  readOctetString,
  readOid,
  readSmallInteger,
  readString,
  readTime,
  Tag,
  TagClass,
  type AlgorithmIdentifier,
  type Asn1Limits,
  type Asn1Node,
} from '../asn1.js';
import { equalBytes, toHex } from '../bytes.js';
import { SignetError } from '../errors.js';
import { OID } from '../oids.js';
import { mailIdentity, type MailName } from './mail-identity.js';
import { parsePublicKeyInfo, type PublicKeyInfo } from './public-key.js';

export type KeyUsageName =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign'
  | 'encipherOnly'
  | 'decipherOnly';

const KEY_USAGE_BITS: readonly KeyUsageName[] = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
];

export interface AttributeTypeAndValue {
  type: string;
  /** The value as text for string types; `#hex` of the DER otherwise (RFC 4514 §2.4). */
  value: string;
  isString: boolean;
}

export interface DistinguishedName {
  der: Uint8Array;
  /** RDNs in encoded order (most significant first), each a set of attribute values. */
  rdns: AttributeTypeAndValue[][];
  /** Normalised form for name chaining: case-folded, whitespace-collapsed (RFC 5280 §7.1, RFC 4518 lite). */
  key: string;
}

export interface Extension {
  oid: string;
  critical: boolean;
  value: Uint8Array;
}

export interface Certificate {
  readonly der: Uint8Array;
  readonly tbs: Uint8Array;
  readonly version: number;
  /** Serial number INTEGER contents as encoded (may carry a leading 0x00). */
  readonly serialNumber: Uint8Array;
  readonly serialHex: string;
  readonly signatureAlgorithm: AlgorithmIdentifier;
  readonly signatureValue: Uint8Array;
  readonly issuer: DistinguishedName;
  readonly subject: DistinguishedName;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly publicKey: PublicKeyInfo;
  readonly extensions: readonly Extension[];
  readonly basicConstraints: { cA: boolean; pathLen: number | null } | null;
  /** null when the extension is absent (any use allowed). */
  readonly keyUsage: ReadonlySet<KeyUsageName> | null;
  /** EKU OIDs; null when the extension is absent. */
  readonly extKeyUsage: readonly string[] | null;
  readonly subjectKeyId: Uint8Array | null;
  readonly authorityKeyId: Uint8Array | null;
  /**
   * The certificate's e-mail identity (mail-identity.ts): its well-formed SAN rfc822Names when the SAN has
   * any rfc822Name, else its well-formed subject emailAddress values; domain lowercased, de-duplicated.
   */
  readonly emails: readonly string[];
  /** Every e-mail name it carries (SAN and subject), with malformed ones marked: for name constraints. */
  readonly mailNames: readonly MailName[];
  /** Issuer and subject names are the same (RFC 5280 §6.1: self-issued). */
  readonly selfIssued: boolean;
}

const HANDLED_CRITICAL = new Set<string>([
  OID.basicConstraints,
  OID.keyUsage,
  OID.extKeyUsage,
  OID.subjectAltName,
  OID.subjectKeyIdentifier,
  OID.authorityKeyIdentifier,
  // nameConstraints: processed by name-constraints.ts during path validation (RFC 5280 §4.2.1.10).
  '2.5.29.30',
  // certificatePolicies: Signet requires no particular policy (the any-policy case of RFC 5280 §6.1), so a
  // critical policies extension does not change the outcome.
  '2.5.29.32',
]);

/** id-on-SmtpUTF8Mailbox (RFC 8398 §3). */
const SMTP_UTF8_MAILBOX = '1.3.6.1.5.5.7.8.9';

export function parseCertificate(der: Uint8Array, limits: Asn1Limits): Certificate {
  try {
    return parseCertificateNode(parseAsn1(der, limits, { what: 'A certificate' }), limits);
  } catch (e) {
    if (e instanceof SignetError && e.code === 'limit-exceeded') throw e;
    throw new SignetError('malformed-asn1', 'A certificate is malformed.', { cause: e });
  }
}

/**
 * Trust anchors parsed once per DER buffer: the task pane verifies every message against the same ~110
 * built-in roots, and parsing them costs ~50 ms each time (bench/pane-latency.ts); the key store judges
 * recipients' certificates against the same buffers. A Certificate is never changed after parsing, and an
 * entry is dropped with its buffer (WeakMap); other limits parse afresh.
 */
const anchorCache = new WeakMap<Uint8Array, { limits: string; cert: Certificate }>();

/**
 * The anchors, parsed (cached, see above). `unreadable: 'throw'` fails on the first unreadable one as
 * parseCertificate() does; `'skip'` leaves it out (an unreadable anchor anchors nothing).
 */
export function parseTrustAnchors(ders: readonly Uint8Array[], limits: Asn1Limits, unreadable: 'throw' | 'skip' = 'throw'): Certificate[] {
  const key = JSON.stringify(limits);
  const out: Certificate[] = [];
  for (const der of ders) {
    const hit = anchorCache.get(der);
    if (hit && hit.limits === key) {
      out.push(hit.cert);
      continue;
    }
    let cert: Certificate;
    try {
      cert = parseCertificate(der, limits);
    } catch (e) {
      if (unreadable === 'throw') throw e;
      continue;
    }
    anchorCache.set(der, { limits: key, cert });
    out.push(cert);
  }
  return out;
}

export function parseCertificateNode(node: Asn1Node, limits: Asn1Limits): Certificate {
  const [tbsNode, sigAlgNode, sigNode] = expectSequence(node, 'a Certificate');
  const tbs = expectSequence(tbsNode, 'a TBSCertificate');
  let i = 0;
  let version = 1;
  if (isContext(tbs[0], 0)) {
    version = readSmallInteger(childrenOf(tbs[0])[0], 'the certificate version') + 1;
    i++;
  }
  const serialNumber = readIntegerBytes(tbs[i++], 'the serial number');
  i++; // TBSCertificate.signature: must equal the outer signatureAlgorithm; the outer one is what we verify.
  const issuer = parseName(tbs[i++]);
  const [nb, na] = expectSequence(tbs[i++], 'the validity');
  const notBefore = readTime(nb, 'notBefore');
  const notAfter = readTime(na, 'notAfter');
  const subject = parseName(tbs[i++]);
  const publicKey = parsePublicKeyInfo(tbs[i++]!, limits);
  const extensions: Extension[] = [];
  for (; i < tbs.length; i++) {
    const f = tbs[i]!;
    if (!isContext(f, 3)) continue; // issuerUniqueID [1] / subjectUniqueID [2]
    for (const e of expectSequence(childrenOf(f)[0], 'the extensions')) {
      const ec = expectSequence(e, 'an extension');
      const oid = readOid(ec[0]);
      const critical = isUniversal(ec[1], Tag.boolean) ? primitiveContent(ec[1])[0] !== 0 : false;
      const value = readOctetString(ec[ec.length - 1], 'an extension value');
      extensions.push({ oid, critical, value });
    }
  }
  const ext = (oid: string): Asn1Node | null => {
    const found = extensions.filter((x) => x.oid === oid);
    if (found.length > 1) throw new SignetError('malformed-asn1', `The certificate repeats extension ${oid} (RFC 5280 §4.2).`);
    return found[0] ? parseAsn1(found[0].value, limits, { what: `Extension ${oid}` }) : null;
  };

  let basicConstraints: Certificate['basicConstraints'] = null;
  const bc = ext(OID.basicConstraints);
  if (bc) {
    const c = expectSequence(bc, 'basicConstraints');
    let k = 0;
    let cA = false;
    if (isUniversal(c[k], Tag.boolean)) cA = primitiveContent(c[k++]!)[0] !== 0;
    const pathLen = isUniversal(c[k], Tag.integer) ? readSmallInteger(c[k]) : null;
    basicConstraints = { cA, pathLen };
  }

  let keyUsage: Set<KeyUsageName> | null = null;
  const ku = ext(OID.keyUsage);
  if (ku) {
    const { bytes } = readBitString(ku, 'keyUsage');
    keyUsage = new Set();
    KEY_USAGE_BITS.forEach((name, bit) => {
      if (((bytes[bit >> 3] ?? 0) >> (7 - (bit & 7))) & 1) keyUsage!.add(name);
    });
  }

  let extKeyUsage: string[] | null = null;
  const eku = ext(OID.extKeyUsage);
  if (eku) extKeyUsage = expectSequence(eku, 'extKeyUsage').map((o) => readOid(o));

  const skiNode = ext(OID.subjectKeyIdentifier);
  const subjectKeyId = skiNode ? readOctetString(skiNode, 'subjectKeyIdentifier') : null;

  let authorityKeyId: Uint8Array | null = null;
  const aki = ext(OID.authorityKeyIdentifier);
  if (aki) {
    const kid = expectSequence(aki, 'authorityKeyIdentifier').find((c) => isContext(c, 0));
    if (kid) authorityKeyId = primitiveContent(kid, 'the authority key identifier');
  }

  // E-mail names (mail-identity.ts): SAN rfc822Names and subject emailAddress values, raw; the identity
  // rule and the normalisation are applied there, once, for every user of `emails` and `mailNames`.
  const sanMail: string[] = [];
  const san = ext(OID.subjectAltName);
  if (san) {
    for (const gn of expectSequence(san, 'subjectAltName')) {
      if (isContext(gn, 1) && !gn.idBlock.isConstructed) sanMail.push(readString(gn));
      else if (isContext(gn, 0) && gn.idBlock.isConstructed) {
        // otherName SmtpUTF8Mailbox (RFC 8398 §3) is a SAN e-mail name too: it blocks the subject fallback.
        // Signet does not support internationalised local parts, so mail-identity.ts rejects it as an address.
        const [typeId, value] = childrenOf(gn, 'otherName');
        if (typeId && readOid(typeId) === SMTP_UTF8_MAILBOX) {
          const inner = value && isContext(value, 0) ? childrenOf(value, 'otherName value')[0] : undefined;
          sanMail.push(inner && isUniversal(inner, Tag.utf8String) ? readString(inner) : '');
        }
      }
    }
  }
  const subjectMail: (string | null)[] = [];
  for (const rdn of subject.rdns) for (const ava of rdn) if (ava.type === OID.emailAddress) subjectMail.push(ava.isString ? ava.value : null);
  const identity = mailIdentity(sanMail, subjectMail);

  if (!sigNode) throw new SignetError('malformed-asn1', 'The certificate has no signature.');
  const sig = readBitString(sigNode, 'the certificate signature');
  return {
    der: encodingOf(node),
    tbs: encodingOf(tbsNode!),
    version,
    serialNumber,
    serialHex: toHex(serialNumber),
    signatureAlgorithm: readAlgorithmIdentifier(sigAlgNode, 'the certificate signature algorithm'),
    signatureValue: sig.bytes,
    issuer,
    subject,
    notBefore,
    notAfter,
    publicKey,
    extensions,
    basicConstraints,
    keyUsage,
    extKeyUsage,
    subjectKeyId,
    authorityKeyId,
    emails: identity.addresses,
    mailNames: identity.names,
    selfIssued: issuer.key === subject.key,
  };
}

/** Critical extensions this implementation does not process (RFC 5280 §4.2: such a certificate must be rejected). */
export function unhandledCriticalExtensions(cert: Certificate): string[] {
  return cert.extensions.filter((e) => e.critical && !HANDLED_CRITICAL.has(e.oid)).map((e) => e.oid);
}

const STRING_TAGS = new Set<number>([
  Tag.utf8String,
  Tag.printableString,
  Tag.teletexString,
  Tag.ia5String,
  Tag.bmpString,
  Tag.universalString,
  26, // VisibleString
  18, // NumericString
]);

export function parseName(node: Asn1Node | undefined): DistinguishedName {
  const rdns: AttributeTypeAndValue[][] = [];
  for (const rdn of expectSequence(node, 'a Name')) {
    if (!isUniversal(rdn, Tag.set)) throw new SignetError('malformed-asn1', 'A Name RDN must be a SET.');
    const avas: AttributeTypeAndValue[] = [];
    for (const ava of childrenOf(rdn)) {
      const [t, v] = expectSequence(ava, 'an AttributeTypeAndValue');
      if (!v) throw new SignetError('malformed-asn1', 'An AttributeTypeAndValue has no value.');
      const isString = v.idBlock.tagClass === TagClass.universal && STRING_TAGS.has(v.idBlock.tagNumber) && !v.idBlock.isConstructed;
      avas.push({ type: readOid(t), value: isString ? readString(v) : `#${toHex(encodingOf(v))}`, isString });
    }
    rdns.push(avas);
  }
  const key = rdns
    .map((rdn) =>
      rdn
        .map((a) => `${a.type}=${a.isString ? a.value.normalize('NFKC').toLowerCase().trim().replace(/\s+/g, ' ') : a.value}`)
        .sort()
        .join('+'),
    )
    .join(',');
  return { der: encodingOf(node!), rdns, key };
}

const SHORT_NAMES: Record<string, string> = {
  [OID.commonName]: 'CN',
  [OID.surname]: 'SN',
  [OID.serialNumber]: 'serialNumber',
  [OID.countryName]: 'C',
  [OID.localityName]: 'L',
  [OID.stateOrProvinceName]: 'ST',
  [OID.streetAddress]: 'STREET',
  [OID.organizationName]: 'O',
  [OID.organizationalUnitName]: 'OU',
  [OID.title]: 'title',
  [OID.givenName]: 'GN',
  [OID.pseudonym]: 'pseudonym',
  [OID.domainComponent]: 'DC',
  [OID.userId]: 'UID',
  [OID.emailAddress]: 'E',
};

/** RFC 4514-style string, most specific RDN first ("CN=Alice, O=Example, C=US"), special characters escaped. */
export function formatName(name: DistinguishedName): string {
  return [...name.rdns]
    .reverse()
    .map((rdn) => rdn.map((a) => `${SHORT_NAMES[a.type] ?? a.type}=${a.isString ? escapeDnValue(a.value) : a.value}`).join('+'))
    .join(', ');
}

function escapeDnValue(v: string): string {
  let s = v.replace(/[\\,+"<>;=]/g, (c) => `\\${c}`);
  // Control characters would let a certificate forge line breaks in the UI.
  s = Array.from(s, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x20 || code === 0x7f ? `\\${code.toString(16).padStart(2, '0')}` : c;
  }).join('');
  if (s.startsWith('#') || s.startsWith(' ')) s = `\\${s}`;
  if (s.endsWith(' ')) s = `${s.slice(0, -1)}\\ `;
  return s;
}

/** The first commonName of the subject, or null. */
export function commonName(name: DistinguishedName): string | null {
  for (let i = name.rdns.length - 1; i >= 0; i--) {
    for (const a of name.rdns[i]!) if (a.type === OID.commonName && a.isString) return a.value;
  }
  return null;
}

/** Same certificate (byte-identical DER). */
export function sameCertificate(a: Certificate, b: Certificate): boolean {
  return equalBytes(a.der, b.der);
}

/** Serial numbers are compared as integers: a leading 0x00 sign octet does not make them differ. */
export function sameSerial(a: Uint8Array, b: Uint8Array): boolean {
  const strip = (x: Uint8Array): Uint8Array => {
    let i = 0;
    while (i < x.length - 1 && x[i] === 0) i++;
    return x.subarray(i);
  };
  return equalBytes(strip(a), strip(b));
}
