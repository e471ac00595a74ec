// OCSP (RFC 6960) client: the request (one CertID hashed with SHA-1, as RFC 5019 responders and CDN
// caches expect, plus an RFC 8954 nonce), POSTed as application/ocsp-request to the certificate's AIA
// id-ad-ocsp URL, and a response accepted only when every RFC 6960 §3.2 check holds:
//   1. the response is a successful id-pkix-ocsp-basic response and decodes;
//   2. its signature verifies (algorithm and key-size policy of ARCHITECTURE.md rule 5);
//   3. the signer is authorised (§4.2.2.2): the issuing CA itself, or a responder certificate issued by that
//      CA (its signature verified with the CA's key) carrying id-kp-OCSPSigning and valid now;
//   4. a SingleResponse's CertID matches ours (issuer name hash, issuer key hash, serial), whatever hash
//      algorithm the responder chose for it;
//   5. thisUpdate is not in the future and nextUpdate has not passed (a few minutes of clock skew allowed);
//      a stale response is 'unknown', never 'good';
//   6. if the response carries a nonce it must be ours: another nonce means a replayed response. A
//      response without a nonce is accepted (RFC 8954 lets responders ignore it; pre-produced RFC 5019
//      responses never have one) because point 5 already bounds how long it can be replayed.
// Parsed with Signet's own limit-checked ASN.1 reader rather than pkijs's OCSPResponse classes: the
// signature must be checked over the tbsResponseData bytes exactly as received, embedded responder
// certificates are needed as their original DER (for our Certificate parser and its policy checks), and
// a response from an http URL is hostile input that must meet the resource limits of ARCHITECTURE.md rule 9.
// The responder certificate's own revocation is not checked (RFC 6960 §4.2.2.2.1 leaves that to the CA,
// usually through id-pkix-ocsp-nocheck and a short validity).

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
  readTime,
  type Asn1Node,
} from '../../asn1.js';
import { equalBytes } from '../../bytes.js';
import type { SignetConfig } from '../../config.js';
import { randomBytes, type CryptoProvider } from '../../crypto.js';
import { algorithmIdentifier, octetString, oid, sequence, tlv } from '../../der.js';
import { OID } from '../../oids.js';
import type { RevocationProblem } from '../../verdict.js';
import { parseCertificate, parseName, sameSerial, unhandledCriticalExtensions, type Certificate } from '../certificate.js';
import { digestFromOid } from '../signature-algorithm.js';
import {
  checkSignature,
  CRL_REASONS,
  digest,
  fetchBytes,
  FetchProblem,
  freshnessProblem,
  publicKeyBits,
  REVOCATION_CLOCK_SKEW_MS,
  REVOCATION_OID,
  type RevocationAnswer,
} from './common.js';

/** Nonce length: RFC 8954 §2.1 says 32 octets (responders must accept 1-32). */
const NONCE_LENGTH = 32;
/** SingleResponses examined in one response: bounds the hashing a hostile response can make us do. */
const MAX_SINGLE_RESPONSES = 32;
/** Embedded certificates examined as possible delegated responders. */
const MAX_RESPONSE_CERTS = 8;

export interface OcspRequest {
  /** DER of the OCSPRequest. */
  der: Uint8Array;
  /** The nonce extension's extnValue as sent (DER of the inner OCTET STRING), or null when none was sent. */
  nonce: Uint8Array | null;
}

export interface OcspContext {
  /** The time freshness is judged at (the real clock unless a test or caller says otherwise). */
  now: Date;
  config: SignetConfig;
}

/** Builds an OCSPRequest (RFC 6960 §4.1.1) for `cert`, whose issuer is `issuer`. */
export async function buildOcspRequest(
  cert: Certificate,
  issuer: Certificate,
  provider: CryptoProvider,
  options: { nonce?: boolean; limits: SignetConfig['limits'] },
): Promise<OcspRequest> {
  const nameHash = await digest('SHA-1', cert.issuer.der, provider);
  const keyHash = await digest('SHA-1', publicKeyBits(issuer.publicKey, options.limits), provider);
  const certId = sequence(algorithmIdentifier(OID.sha1, 'null'), octetString(nameHash), octetString(keyHash), tlv(0x02, cert.serialNumber));
  const requestList = sequence(sequence(certId));
  let nonce: Uint8Array | null = null;
  const tbsParts = [requestList];
  if (options.nonce !== false) {
    nonce = octetString(randomBytes(provider, NONCE_LENGTH));
    // requestExtensions [2] EXPLICIT Extensions; Extension ::= SEQUENCE { extnID, extnValue OCTET STRING }
    tbsParts.push(tlv(0xa2, sequence(sequence(oid(REVOCATION_OID.ocspNonce), octetString(nonce)))));
  }
  return { der: sequence(sequence(...tbsParts)), nonce };
}

/** POSTs the request to `url` and validates the answer. Never throws for network or response problems. */
export async function queryOcsp(
  cert: Certificate,
  issuer: Certificate,
  url: string,
  ctx: OcspContext & { fetch: typeof fetch; timeoutMs: number },
  provider: CryptoProvider,
): Promise<RevocationAnswer> {
  const request = await buildOcspRequest(cert, issuer, provider, { limits: ctx.config.limits });
  let body: Uint8Array;
  try {
    body = await fetchBytes(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/ocsp-request', accept: 'application/ocsp-response' },
        body: request.der as Uint8Array<ArrayBuffer>,
      },
      { fetch: ctx.fetch, timeoutMs: ctx.timeoutMs, maxBytes: ctx.config.limits.maxRevocationResponseBytes },
    );
  } catch (e) {
    if (e instanceof FetchProblem) return { status: 'unknown', problem: e.problem };
    throw e;
  }
  return validateOcspResponse(body, { cert, issuer, nonce: request.nonce, ...ctx }, provider);
}

interface SingleResponse {
  certId: { hashOid: string; nameHash: Uint8Array; keyHash: Uint8Array; serial: Uint8Array };
  status: 'good' | 'revoked' | 'unknown';
  revokedAt?: Date;
  reason?: string;
  thisUpdate: Date;
  nextUpdate: Date | null;
}

interface BasicResponse {
  tbs: Uint8Array;
  responderId: { byName: Asn1Node } | { byKey: Uint8Array };
  responses: SingleResponse[];
  /** extnValue of the nonce extension, when present. */
  nonce: Uint8Array | null;
  signatureAlgorithm: ReturnType<typeof readAlgorithmIdentifier>;
  signature: Uint8Array;
  certs: Asn1Node[];
}

/**
 * Validates a DER OCSPResponse for `cert` (issued by `issuer`). `nonce` is the extnValue we sent, or null.
 * Returns 'good'/'revoked' only when every check of the header comment holds; otherwise 'unknown' with
 * the reason.
 */
export async function validateOcspResponse(
  der: Uint8Array,
  ctx: OcspContext & { cert: Certificate; issuer: Certificate; nonce: Uint8Array | null },
  provider: CryptoProvider,
): Promise<RevocationAnswer> {
  const { cert, issuer, config } = ctx;
  const limits = config.limits;
  let basic: BasicResponse;
  try {
    const outer = expectSequence(parseAsn1(der, limits, { what: 'The OCSP response' }), 'an OCSPResponse');
    const statusNode = outer[0];
    if (!isUniversal(statusNode, 10)) return { status: 'unknown', problem: 'malformed' };
    const status = primitiveContent(statusNode);
    if (status.length !== 1 || status[0] !== 0) return { status: 'unknown', problem: 'responder-error' };
    if (!isContext(outer[1], 0)) return { status: 'unknown', problem: 'malformed' };
    const rb = expectSequence(childrenOf(outer[1])[0], 'the ResponseBytes');
    if (readOid(rb[0]) !== REVOCATION_OID.ocspBasic) return { status: 'unknown', problem: 'malformed' };
    basic = parseBasicResponse(parseAsn1(readOctetString(rb[1], 'the BasicOCSPResponse'), limits, { what: 'The BasicOCSPResponse' }));
  } catch {
    return { status: 'unknown', problem: 'malformed' };
  }

  // 2-3. Who signed, and may they answer for this CA?
  const signer = await authorisedSigner(basic, ctx, provider);
  if (typeof signer === 'string') return { status: 'unknown', problem: signer };
  const sig = await checkSignature(signer.publicKey, basic.signatureAlgorithm, basic.tbs, basic.signature, config, provider);
  if (sig !== 'ok') return { status: 'unknown', problem: sig };

  // 6. Nonce (checked once the response is known to be authentic, so the problem reported is accurate).
  if (ctx.nonce && basic.nonce && !equalBytes(ctx.nonce, basic.nonce)) return { status: 'unknown', problem: 'nonce-mismatch' };

  // 4. The SingleResponse for our certificate.
  const keyBits = publicKeyBits(issuer.publicKey, limits);
  let single: SingleResponse | null = null;
  for (const r of basic.responses) {
    const hash = digestFromOid(r.certId.hashOid);
    if (!hash || hash === 'MD5') continue;
    if (!sameSerial(r.certId.serial, cert.serialNumber)) continue;
    if (!equalBytes(r.certId.nameHash, await digest(hash, cert.issuer.der, provider))) continue;
    if (!equalBytes(r.certId.keyHash, await digest(hash, keyBits, provider))) continue;
    single = r;
    break;
  }
  if (!single) return { status: 'unknown', problem: 'cert-id-mismatch' };

  // 5. Freshness.
  const fresh = freshnessProblem(single.thisUpdate, single.nextUpdate, ctx.now);
  if (fresh) return { status: 'unknown', problem: fresh, thisUpdate: single.thisUpdate, nextUpdate: single.nextUpdate };

  if (single.status === 'unknown') {
    return { status: 'unknown', problem: 'unknown-certificate', thisUpdate: single.thisUpdate, nextUpdate: single.nextUpdate };
  }
  if (single.status === 'revoked') {
    return {
      status: 'revoked',
      thisUpdate: single.thisUpdate,
      nextUpdate: single.nextUpdate,
      revokedAt: single.revokedAt!,
      ...(single.reason ? { reason: single.reason } : {}),
    };
  }
  return { status: 'good', thisUpdate: single.thisUpdate, nextUpdate: single.nextUpdate };
}

function parseBasicResponse(node: Asn1Node): BasicResponse {
  const [tbsNode, sigAlgNode, sigNode, certsNode] = expectSequence(node, 'a BasicOCSPResponse');
  const tbs = expectSequence(tbsNode, 'the ResponseData');
  let i = 0;
  if (isContext(tbs[0], 0)) i++; // version [0] EXPLICIT, v1 only in practice
  const rid = tbs[i++];
  let responderId: BasicResponse['responderId'];
  if (isContext(rid, 1)) responderId = { byName: childrenOf(rid)[0]! };
  else if (isContext(rid, 2)) responderId = { byKey: readOctetString(childrenOf(rid)[0], 'the responder key hash') };
  else throw new Error('ResponderID');
  readTime(tbs[i++], 'producedAt');
  const responseNodes = expectSequence(tbs[i++], 'the responses');
  if (responseNodes.length > MAX_SINGLE_RESPONSES) throw new Error('too many SingleResponses');
  const responses = responseNodes.map(parseSingleResponse);
  let nonce: Uint8Array | null = null;
  if (isContext(tbs[i], 1)) {
    for (const ext of expectSequence(childrenOf(tbs[i])[0], 'the response extensions')) {
      const e = expectSequence(ext, 'an extension');
      if (readOid(e[0]) === REVOCATION_OID.ocspNonce) nonce = readOctetString(e[e.length - 1], 'the nonce');
    }
  }
  const certs: Asn1Node[] = [];
  if (certsNode && isContext(certsNode, 0)) {
    certs.push(...expectSequence(childrenOf(certsNode)[0], 'the response certificates').slice(0, MAX_RESPONSE_CERTS));
  }
  return {
    tbs: encodingOf(tbsNode!),
    responderId,
    responses,
    nonce,
    signatureAlgorithm: readAlgorithmIdentifier(sigAlgNode, 'the response signature algorithm'),
    signature: readBitString(sigNode, 'the response signature').bytes,
    certs,
  };
}

function parseSingleResponse(node: Asn1Node): SingleResponse {
  const f = expectSequence(node, 'a SingleResponse');
  const cid = expectSequence(f[0], 'a CertID');
  const certId = {
    hashOid: readAlgorithmIdentifier(cid[0], 'the CertID hash').oid,
    nameHash: readOctetString(cid[1], 'issuerNameHash'),
    keyHash: readOctetString(cid[2], 'issuerKeyHash'),
    serial: readIntegerBytes(cid[3], 'the CertID serial'),
  };
  const cs = f[1];
  let status: SingleResponse['status'];
  let revokedAt: Date | undefined;
  let reason: string | undefined;
  if (isContext(cs, 0)) status = 'good';
  else if (isContext(cs, 2)) status = 'unknown';
  else if (isContext(cs, 1) && cs!.idBlock.isConstructed) {
    status = 'revoked';
    const ri = childrenOf(cs);
    revokedAt = readTime(ri[0], 'revocationTime');
    if (isContext(ri[1], 0)) {
      const r = childrenOf(ri[1])[0];
      if (isUniversal(r, 10)) {
        const v = primitiveContent(r);
        reason = v.length === 1 ? (CRL_REASONS[v[0]!] ?? `reason-${v[0]}`) : 'unspecified';
      }
    }
  } else throw new Error('CertStatus');
  const thisUpdate = readTime(f[2], 'thisUpdate');
  let nextUpdate: Date | null = null;
  if (isContext(f[3], 0)) nextUpdate = readTime(childrenOf(f[3])[0], 'nextUpdate');
  return { certId, status, revokedAt, reason, thisUpdate, nextUpdate };
}

/**
 * The certificate whose key must have signed the response, when it is authorised to answer for `issuer`;
 * otherwise the problem. RFC 6960 §4.2.2.2: the CA itself, or a certificate the CA issued with
 * id-kp-OCSPSigning (no other trust path is accepted: a responder certified by another CA, even a
 * trusted one, could lie about this CA's certificates).
 */
async function authorisedSigner(
  basic: BasicResponse,
  ctx: OcspContext & { issuer: Certificate },
  provider: CryptoProvider,
): Promise<Certificate | RevocationProblem> {
  const { issuer, config } = ctx;
  const limits = config.limits;
  const matches = async (c: Certificate): Promise<boolean> => {
    if ('byName' in basic.responderId) {
      try {
        return parseName(basic.responderId.byName).key === c.subject.key;
      } catch {
        return false;
      }
    }
    return equalBytes(basic.responderId.byKey, await digest('SHA-1', publicKeyBits(c.publicKey, limits), provider));
  };
  if (await matches(issuer)) return issuer;
  for (const node of basic.certs) {
    let c: Certificate;
    try {
      c = parseCertificate(encodingOf(node), limits);
    } catch {
      continue;
    }
    if (!(await matches(c))) continue;
    // A delegated responder: issued by this CA, for OCSP signing, valid now.
    if (c.issuer.key !== issuer.subject.key) continue;
    if ((await checkSignature(issuer.publicKey, c.signatureAlgorithm, c.tbs, c.signatureValue, config, provider)) !== 'ok') continue;
    if (!c.extKeyUsage?.includes(REVOCATION_OID.ocspSigning)) continue;
    if (c.keyUsage && !c.keyUsage.has('digitalSignature') && !c.keyUsage.has('nonRepudiation')) continue;
    const t = ctx.now.getTime();
    if (t + REVOCATION_CLOCK_SKEW_MS < c.notBefore.getTime() || t - REVOCATION_CLOCK_SKEW_MS > c.notAfter.getTime()) continue;
    if (unhandledCriticalExtensions(c).some((o) => o !== REVOCATION_OID.ocspNoCheck)) continue;
    return c;
  }
  return 'unauthorized-responder';
}
