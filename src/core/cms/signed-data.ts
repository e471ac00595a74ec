// SignedData (RFC 5652 §5) read from the limit-checked ASN.1 tree of src/core/asn1.ts: the one reader of
// signed CMS, shared by verification (cms/verify.ts) and `signet inspect` (smime/inspect.ts). Nodes stay
// views on the input, so signed attributes and certificates keep the bytes as received (ARCHITECTURE.md
// §6, "One reader for CMS").

import {
  childrenOf,
  encodingOf,
  expectSequence,
  expectSet,
  isContext,
  isUniversal,
  primitiveContent,
  readAlgorithmIdentifier,
  readOctetString,
  readOid,
  readSmallInteger,
  Tag,
  type Asn1Node,
} from '../asn1.js';
import type { Limits } from '../config.js';
import { SignetError } from '../errors.js';
import { oidName } from '../oids.js';
import { parseCertificateNode, type Certificate } from '../pki/certificate.js';
import { parseSignatureAlgorithm, type SignatureAlgorithmInfo } from '../pki/signature-algorithm.js';

export interface SignedDataFields {
  /** Names of SignedData.digestAlgorithms ("SHA-256" …). */
  digestAlgorithms: string[];
  eContentType: string;
  /** The encapsulated content (opaque signed-data), or null (detached). */
  eContent: Uint8Array | null;
  certsNode: Asn1Node | null;
  /** RevocationInfoChoices [1] (RFC 5652 §10.2.1): stapled CRLs and OCSP responses, read by verify.ts. */
  revocationInfo: Asn1Node | null;
  signerInfoNodes: Asn1Node[];
}

export interface ParsedSignerInfo {
  sid: { kind: 'issuerAndSerialNumber'; issuer: Asn1Node; serial: Uint8Array } | { kind: 'subjectKeyIdentifier'; keyId: Uint8Array };
  digestAlgorithmOid: string;
  signedAttrs: Asn1Node | null;
  signatureAlgorithmOid: string;
  signatureAlgorithm: SignatureAlgorithmInfo;
  signature: Uint8Array;
  /** unsignedAttrs [1] IMPLICIT, when present (read only for stapled revocation values). */
  unsignedAttrs: Asn1Node | null;
}

/** The fields of SignedData (RFC 5652 §5.1) that verification and `signet inspect` read. */
export function readSignedData(node: Asn1Node): SignedDataFields {
  const fields = expectSequence(node, 'SignedData');
  let i = 0;
  readSmallInteger(fields[i++], 'the SignedData version');
  const digestAlgorithms = expectSet(fields[i++], 'the SignedData digestAlgorithms').map((a) => oidName(readAlgorithmIdentifier(a).oid));
  const eci = expectSequence(fields[i++], 'the EncapsulatedContentInfo');
  const eContentType = readOid(eci[0], 'the eContentType');
  let eContent: Uint8Array | null = null;
  if (eci[1]) {
    if (!isContext(eci[1], 0)) throw new SignetError('malformed-asn1', 'The eContent must be [0] EXPLICIT.');
    eContent = readOctetString(childrenOf(eci[1])[0], 'the eContent');
  }
  let certsNode: Asn1Node | null = null;
  if (isContext(fields[i], 0)) certsNode = fields[i++]!;
  let revocationInfo: Asn1Node | null = null;
  if (isContext(fields[i], 1)) revocationInfo = fields[i++]!;
  const signerInfoNodes = expectSet(fields[i], 'the SignerInfos');
  return { digestAlgorithms, eContentType, eContent, certsNode, revocationInfo, signerInfoNodes };
}

/** Certificates: X.509 ones only (CertificateChoices [0]-[3] are obsolete or unused in mail). */
export function readCertificates(certsNode: Asn1Node | null, limits: Limits): { certificates: Uint8Array[]; messageCerts: Certificate[] } {
  const certificates: Uint8Array[] = [];
  const messageCerts: Certificate[] = [];
  const choices = certsNode ? childrenOf(certsNode, 'certificates') : [];
  if (choices.length > limits.maxCertificates) {
    throw new SignetError('limit-exceeded', `The message carries ${choices.length} certificates (limit ${limits.maxCertificates}).`);
  }
  for (const c of choices) {
    if (!isUniversal(c, Tag.sequence)) continue;
    certificates.push(encodingOf(c));
    try {
      messageCerts.push(parseCertificateNode(c, limits));
    } catch {
      // An unreadable certificate in the bag is ignored; if it was the signer's, the signer has none.
    }
  }
  return { certificates, messageCerts };
}

/** SignerInfo (RFC 5652 §5.3), signed attributes kept as the node received (verified over those bytes). */
export function readSignerInfo(node: Asn1Node): ParsedSignerInfo {
  const f = expectSequence(node, 'a SignerInfo');
  let i = 0;
  const version = readSmallInteger(f[i++], 'the SignerInfo version');
  const sidNode = f[i++];
  let sid: ParsedSignerInfo['sid'];
  if (isUniversal(sidNode, Tag.sequence)) {
    const [issuer, serial] = childrenOf(sidNode);
    if (!isUniversal(issuer, Tag.sequence) || !isUniversal(serial, Tag.integer)) {
      throw new SignetError('malformed-asn1', 'The SignerInfo issuerAndSerialNumber is malformed.');
    }
    sid = { kind: 'issuerAndSerialNumber', issuer: issuer!, serial: primitiveContent(serial) };
  } else if (sidNode && isContext(sidNode, 0) && !sidNode.idBlock.isConstructed) {
    sid = { kind: 'subjectKeyIdentifier', keyId: primitiveContent(sidNode) };
  } else {
    throw new SignetError('malformed-asn1', 'The SignerInfo has no valid signer identifier.');
  }
  if (version !== 1 && version !== 3) throw new SignetError('malformed-asn1', `SignerInfo version ${version} is not defined.`);
  const digestAlgorithmOid = readAlgorithmIdentifier(f[i++], 'the SignerInfo digestAlgorithm').oid;
  let signedAttrs: Asn1Node | null = null;
  if (isContext(f[i], 0)) signedAttrs = f[i++]!;
  const signatureAlgorithmId = readAlgorithmIdentifier(f[i++], 'the SignerInfo signatureAlgorithm');
  const signatureAlgorithm = parseSignatureAlgorithm(signatureAlgorithmId);
  const signature = readOctetString(f[i++], 'the signature value');
  const unsignedAttrs = isContext(f[i], 1) ? f[i]! : null;
  return { sid, digestAlgorithmOid, signedAttrs, signatureAlgorithmOid: signatureAlgorithmId.oid, signatureAlgorithm, signature, unsignedAttrs };
}
