// Shape checks and freshness of OCSP and CRL bodies without any key: what a relay that cannot verify
// signatures (it has no issuer certificate; the reader's pane verifies everything, ARCHITECTURE.md rule 5)
// needs to refuse bodies that are not what they claim and to cache an answer until its nextUpdate.
// Nothing here is a trust decision: the caller still runs ocsp.ts / crl.ts on whatever it receives.

import { childrenOf, encodingOf, expectSequence, isContext, isUniversal, parseAsn1, primitiveContent, readOctetString, readOid, readTime, type Asn1Limits } from '../../asn1.js';
import { sequence } from '../../der.js';
import { childTlvs, readTlv } from './crl.js';
import { REVOCATION_OID } from './common.js';

/** Requests a relay forwards: exactly one CertID (RFC 6960 §4.1.1), unsigned. */
export interface PeekedOcspRequest {
  /** DER of the single CertID. */
  certId: Uint8Array;
  /**
   * The request to send upstream: the same CertID and no nonce (RFC 5019 §2.1.1 style), so that one
   * answer can serve every reader until its nextUpdate. The reader's pane accepts nonce-less answers and
   * bounds their replay by freshness (ocsp.ts, point 6).
   */
  upstream: Uint8Array;
}

/** Parses an OCSPRequest; throws on anything but one unsigned request for one certificate. */
export function peekOcspRequest(der: Uint8Array, limits: Asn1Limits): PeekedOcspRequest {
  const outer = expectSequence(parseAsn1(der, limits, { what: 'The OCSP request' }), 'an OCSPRequest');
  if (outer.length !== 1) throw new Error('signed or extended OCSP requests are not relayed');
  const tbs = expectSequence(outer[0], 'a TBSRequest');
  let i = 0;
  if (isContext(tbs[i], 0)) i++; // version
  if (isContext(tbs[i], 1)) i++; // requestorName
  const list = expectSequence(tbs[i++], 'the requestList');
  if (isContext(tbs[i], 2)) i++; // requestExtensions (the nonce): dropped
  if (i !== tbs.length) throw new Error('unexpected TBSRequest fields');
  if (list.length !== 1) throw new Error('exactly one certificate per request');
  const request = expectSequence(list[0], 'a Request');
  const certIdNode = request[0];
  const cid = expectSequence(certIdNode, 'a CertID');
  if (cid.length !== 4) throw new Error('CertID');
  expectSequence(cid[0], 'the hash algorithm');
  readOctetString(cid[1], 'issuerNameHash');
  readOctetString(cid[2], 'issuerKeyHash');
  if (!isUniversal(cid[3], 2)) throw new Error('serialNumber');
  const certId = encodingOf(certIdNode!);
  return { certId, upstream: sequence(sequence(sequence(sequence(certId)))) };
}

/** What a relay needs from an OCSPResponse: its status and when it expires. */
export interface PeekedOcspResponse {
  /** OCSPResponseStatus (0 successful, 1 malformedRequest, 2 internalError, 3 tryLater, 5 sigRequired, 6 unauthorized). */
  responseStatus: number;
  /** The earliest nextUpdate of its SingleResponses; null when one has none (then it must not be cached). */
  nextUpdate: Date | null;
  thisUpdate: Date | null;
}

/** Parses the structure of a DER OCSPResponse (RFC 6960 §4.2.1); throws when it is not one. */
export function peekOcspResponse(der: Uint8Array, limits: Asn1Limits): PeekedOcspResponse {
  const outer = expectSequence(parseAsn1(der, limits, { what: 'The OCSP response' }), 'an OCSPResponse');
  const statusNode = outer[0];
  if (!isUniversal(statusNode, 10)) throw new Error('OCSPResponseStatus');
  const status = primitiveContent(statusNode);
  if (status.length !== 1) throw new Error('OCSPResponseStatus');
  const responseStatus = status[0]!;
  if (responseStatus !== 0) {
    if (outer.length !== 1) throw new Error('responseBytes with an error status');
    return { responseStatus, nextUpdate: null, thisUpdate: null };
  }
  if (!isContext(outer[1], 0)) throw new Error('responseBytes');
  const rb = expectSequence(childrenOf(outer[1])[0], 'the ResponseBytes');
  if (readOid(rb[0]) !== REVOCATION_OID.ocspBasic) throw new Error('not a basic response');
  const basic = expectSequence(parseAsn1(readOctetString(rb[1], 'the BasicOCSPResponse'), limits), 'a BasicOCSPResponse');
  const tbs = expectSequence(basic[0], 'the ResponseData');
  let i = 0;
  if (isContext(tbs[0], 0)) i++;
  i++; // responderID
  readTime(tbs[i++], 'producedAt');
  const responses = expectSequence(tbs[i], 'the responses');
  if (responses.length === 0) throw new Error('no SingleResponse');
  let nextUpdate: Date | null = null;
  let thisUpdate: Date | null = null;
  let everyHasNext = true;
  for (const r of responses) {
    const f = expectSequence(r, 'a SingleResponse');
    const t = readTime(f[2], 'thisUpdate');
    if (!thisUpdate || t < thisUpdate) thisUpdate = t;
    if (isContext(f[3], 0)) {
      const n = readTime(childrenOf(f[3])[0], 'nextUpdate');
      if (!nextUpdate || n < nextUpdate) nextUpdate = n;
    } else everyHasNext = false;
  }
  return { responseStatus, nextUpdate: everyHasNext ? nextUpdate : null, thisUpdate };
}

/** The validity window of a DER CertificateList (RFC 5280 §5.1); throws when the body is not one. */
export function peekCrl(der: Uint8Array, limits: Asn1Limits): { thisUpdate: Date; nextUpdate: Date | null } {
  const outer = readTlv(der, 0, der.length);
  if (outer.tag !== 0x30 || outer.end !== der.length) throw new Error('not one DER SEQUENCE');
  const [tbs, alg, sig, extra] = childTlvs(der, outer, 4);
  if (!tbs || !alg || !sig || extra || tbs.tag !== 0x30 || alg.tag !== 0x30 || sig.tag !== 0x03) throw new Error('CertificateList');
  // Only the first fields of tbsCertList are read: the entry list of a large CRL is left alone.
  const f: ReturnType<typeof readTlv>[] = [];
  for (let off = tbs.contentStart; off < tbs.end && f.length < 5; ) {
    const t = readTlv(der, off, tbs.end);
    f.push(t);
    off = t.end;
  }
  let i = 0;
  if (f[i]?.tag === 0x02) i++;
  if (f[i++]?.tag !== 0x30 || f[i++]?.tag !== 0x30) throw new Error('TBSCertList');
  const isTime = (t: ReturnType<typeof readTlv> | undefined): t is ReturnType<typeof readTlv> => !!t && (t.tag === 0x17 || t.tag === 0x18);
  const at = f[i++];
  if (!isTime(at)) throw new Error('thisUpdate');
  const thisUpdate = readTime(parseAsn1(der.subarray(at.start, at.end), limits));
  const nt = f[i];
  const nextUpdate = isTime(nt) ? readTime(parseAsn1(der.subarray(nt.start, nt.end), limits)) : null;
  return { thisUpdate, nextUpdate };
}
