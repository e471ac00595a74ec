// Stapled revocation evidence (issue 15): OCSP responses and CRLs carried in the signature — CRLs in
// SignedData.crls (RevocationInfoChoices, RFC 5652 §10.2.1); OCSP responses either in the signer's
// unsigned attribute id-aa-ets-revocationValues (RFC 5126 §6.3.4, what Signet writes by default: GnuPG
// and NSS cannot parse the alternative) or in SignedData.crls as id-ri-ocsp-response (RFC 5940 §3.1).
// Both are read.
//
// Signing: fetchStaple() gets a fresh OCSP response for the signer's own certificate (and the
// intermediate's CRL when it is small), checked exactly as for verification, and returns the DER to staple.
// Only 'good' answers are stapled.
//
// Verifying: stapledAnswer() is tried before the cache and the network. A stapled answer is used only when
// it would have been accepted had it just been fetched — signed by the CA or a responder it authorised,
// about this certificate, fresh NOW (thisUpdate/nextUpdate against the validation clock, as for a fetched
// answer) — AND its validity window covers the signing time the message claims. Anything else (stale,
// wrongly signed, about another certificate, unreadable) is ignored, and the responder is asked as usual.
// Why "fresh now" and not only "fresh at the signing time": the signing time is written by the key holder
// (index.ts, the revocation-time rule), so a thief could backdate a message into the window of a 'good'
// answer fetched before the revocation. Requiring freshness now bounds that replay to the answer's own
// validity period (minutes to days), the same bound a fetched-and-cached answer has. So a stapled message
// verifies with the responder down for as long as its stapled answer is fresh, never longer.

import { childrenOf, encodingOf, expectSequence, isContext, parseAsn1, readOctetString, readOid, type Asn1Limits, type Asn1Node } from '../../asn1.js';
import { octetString, oid, sequence, tlv } from '../../der.js';
import type { SignetConfig } from '../../config.js';
import type { CryptoProvider } from '../../crypto.js';
import { parseCertificate, type Certificate } from '../certificate.js';
import { crlUrls, derOrPem, fetchBytes, FetchProblem, MAX_AGE_WITHOUT_NEXT_UPDATE_MS, ocspUrls, REVOCATION_CLOCK_SKEW_MS, REVOCATION_OID, type RevocationAnswer } from './common.js';
import { crlAnswer, verifyCrl } from './crl.js';
import { buildOcspRequest, validateOcspResponse } from './ocsp.js';

/** RFC 5940 §3.1 id-ri-ocsp-response. */
export const ID_RI_OCSP_RESPONSE = '1.3.6.1.5.5.7.16.2';
/** RFC 5126 §6.3.4 (CAdES) id-aa-ets-revocationValues, an unsigned attribute. */
export const ID_AA_ETS_REVOCATION_VALUES = '1.2.840.113549.1.9.16.2.24';
/** Stapled items examined per kind: bounds the work a hostile message can ask for. */
export const MAX_STAPLED = 4;
/** Largest CRL Signet staples (a message carries it to every reader). */
export const MAX_STAPLED_CRL_BYTES = 64 * 1024;

export interface Stapled {
  ocspResponses: Uint8Array[];
  crls: Uint8Array[];
}

/** The BasicOCSPResponse inside a successful OCSPResponse (what RevocationValues.ocspVals carry). */
export function basicOcspResponse(ocspResponse: Uint8Array, limits: Asn1Limits): Uint8Array {
  const outer = expectSequence(parseAsn1(ocspResponse, limits, { what: 'The OCSP response' }), 'an OCSPResponse');
  const rb = expectSequence(childrenOf(outer[1], 'the responseBytes')[0], 'the ResponseBytes');
  if (readOid(rb[0]) !== REVOCATION_OID.ocspBasic) throw new Error('not a basic OCSP response');
  return readOctetString(rb[1], 'the BasicOCSPResponse');
}

/** A successful OCSPResponse around a BasicOCSPResponse (RFC 6960 §4.2.1), for validateOcspResponse. */
export function wrapBasicOcspResponse(basic: Uint8Array): Uint8Array {
  return sequence(tlv(0x0a, new Uint8Array([0])), tlv(0xa0, sequence(oid(REVOCATION_OID.ocspBasic), octetString(basic))));
}

/**
 * Adds the OCSP responses of a SignerInfo's id-aa-ets-revocationValues unsigned attribute (RFC 5126
 * §6.3.4: ocspVals [1] SEQUENCE OF BasicOCSPResponse; crlVals [0] SEQUENCE OF CertificateList) to `into`.
 */
export function readRevocationValues(value: Asn1Node, into: Stapled): void {
  for (const part of expectSequence(value, 'RevocationValues')) {
    if (isContext(part, 0)) {
      for (const c of expectSequence(childrenOf(part)[0], 'crlVals')) if (into.crls.length < MAX_STAPLED) into.crls.push(encodingOf(c));
    } else if (isContext(part, 1)) {
      for (const b of expectSequence(childrenOf(part)[0], 'ocspVals')) if (into.ocspResponses.length < MAX_STAPLED) into.ocspResponses.push(wrapBasicOcspResponse(encodingOf(b)));
    }
  }
}

/** Reads SignedData.crls [1] IMPLICIT RevocationInfoChoices; unknown `other` formats are skipped. */
export function readStapled(node: Asn1Node, out: Stapled = { ocspResponses: [], crls: [] }): Stapled {
  for (const choice of childrenOf(node, 'the RevocationInfoChoices')) {
    if (isContext(choice, 1)) {
      const [format, info] = childrenOf(choice, 'an OtherRevocationInfoFormat');
      if (readOid(format) === ID_RI_OCSP_RESPONSE && info && out.ocspResponses.length < MAX_STAPLED) out.ocspResponses.push(encodingOf(info));
    } else if (out.crls.length < MAX_STAPLED) {
      expectSequence(choice, 'a CertificateList');
      out.crls.push(encodingOf(choice));
    }
  }
  return out;
}

function coversSigningTime(a: Extract<RevocationAnswer, { status: 'good' | 'revoked' }>, signingTime: Date | null): boolean {
  if (!signingTime) return true;
  const t = signingTime.getTime();
  const until = a.nextUpdate ?? new Date(a.thisUpdate.getTime() + MAX_AGE_WITHOUT_NEXT_UPDATE_MS);
  return a.thisUpdate.getTime() - REVOCATION_CLOCK_SKEW_MS <= t && t <= until.getTime() + REVOCATION_CLOCK_SKEW_MS;
}

/** The first stapled answer about `cert` that passes every check of the header, or null. */
export async function stapledAnswer(
  cert: Certificate,
  issuer: Certificate,
  stapled: Stapled,
  ctx: { now: Date; signingTime: Date | null; config: SignetConfig },
  provider: CryptoProvider,
): Promise<{ method: 'ocsp' | 'crl'; answer: Extract<RevocationAnswer, { status: 'good' | 'revoked' }> } | null> {
  for (const der of stapled.ocspResponses) {
    const a = await validateOcspResponse(der, { cert, issuer, nonce: null, now: ctx.now, config: ctx.config }, provider);
    if (a.status !== 'unknown' && coversSigningTime(a, ctx.signingTime)) return { method: 'ocsp', answer: a };
  }
  for (const der of stapled.crls) {
    const v = await verifyCrl(der, 'stapled', issuer, ctx.config, provider);
    if (typeof v === 'string') continue;
    const a = crlAnswer(v, cert, ctx.now, ctx.config.limits);
    if (a.status !== 'unknown' && coversSigningTime(a, ctx.signingTime)) return { method: 'crl', answer: a };
  }
  return null;
}

export interface StapleResult extends Stapled {
  /** One line per certificate for the user ("OCSP good from http://…", "no responder named", …). */
  notes: string[];
}

/**
 * Fetches what to staple for the signer's path (`path[0]` the signer, `path[1]` its issuer, `path[2]` the
 * issuer's issuer when known): a 'good' OCSP response for the signer, and the intermediate's CRL when it
 * is at most MAX_STAPLED_CRL_BYTES and says 'good'. Never throws for network or response problems.
 */
export async function fetchStaple(
  path: readonly Certificate[],
  opts: { fetch: typeof fetch; now: Date; timeoutMs: number; config: SignetConfig },
  provider: CryptoProvider,
): Promise<StapleResult> {
  const out: StapleResult = { ocspResponses: [], crls: [], notes: [] };
  const [signer, issuer, issuerOfIssuer] = path;
  if (!signer || !issuer) {
    out.notes.push('nothing stapled: the issuer of the signing certificate is not in the identity file');
    return out;
  }
  const limits = opts.config.limits;
  const urls = ocspUrls(signer, limits);
  if (urls.length === 0) out.notes.push('no OCSP response stapled: the signing certificate names no responder');
  for (const url of urls) {
    const request = await buildOcspRequest(signer, issuer, provider, { limits });
    let body: Uint8Array;
    try {
      body = await fetchBytes(
        url,
        { method: 'POST', headers: { 'content-type': 'application/ocsp-request', accept: 'application/ocsp-response' }, body: request.der as Uint8Array<ArrayBuffer> },
        { fetch: opts.fetch, timeoutMs: opts.timeoutMs, maxBytes: limits.maxRevocationResponseBytes },
      );
    } catch (e) {
      if (!(e instanceof FetchProblem)) throw e;
      out.notes.push(`no OCSP response stapled: ${url} (${e.problem})`);
      continue;
    }
    const a = await validateOcspResponse(body, { cert: signer, issuer, nonce: request.nonce, now: opts.now, config: opts.config }, provider);
    if (a.status === 'good') {
      out.ocspResponses.push(body);
      out.notes.push(`OCSP response stapled: good from ${url}`);
      break;
    }
    out.notes.push(`no OCSP response stapled: ${url} answered ${a.status}${a.status === 'unknown' ? ` (${a.problem})` : ''}`);
  }
  if (issuerOfIssuer) {
    for (const url of crlUrls(issuer, limits)) {
      let body: Uint8Array;
      try {
        body = derOrPem(await fetchBytes(url, { method: 'GET', headers: { accept: 'application/pkix-crl' } }, { fetch: opts.fetch, timeoutMs: opts.timeoutMs, maxBytes: MAX_STAPLED_CRL_BYTES }), 'X509 CRL');
      } catch (e) {
        if (!(e instanceof FetchProblem)) throw e;
        out.notes.push(`intermediate's CRL not stapled: ${url} (${e.problem === 'too-large' ? `larger than ${MAX_STAPLED_CRL_BYTES} bytes` : e.problem})`);
        continue;
      }
      const v = await verifyCrl(body, url, issuerOfIssuer, opts.config, provider);
      if (typeof v !== 'string' && crlAnswer(v, issuer, opts.now, limits).status === 'good') {
        out.crls.push(v.der);
        out.notes.push(`intermediate's CRL stapled from ${url}`);
        break;
      }
      out.notes.push(`intermediate's CRL not stapled: ${url} (${typeof v === 'string' ? v : 'not good'})`);
    }
  }
  return out;
}

/** The signer, its issuer and the issuer's issuer, as far as the identity's own chain has them. */
export function signerPathOf(identity: { certificate: Uint8Array; chain: readonly Uint8Array[] }, limits: Asn1Limits): Certificate[] {
  const leaf = parseCertificate(identity.certificate, limits);
  const pool = identity.chain.flatMap((d) => {
    try {
      return [parseCertificate(d, limits)];
    } catch {
      return [];
    }
  });
  const path = [leaf];
  for (let i = 0; i < 2; i++) {
    const last = path[path.length - 1]!;
    if (last.issuer.key === last.subject.key) break; // self-issued: the root
    const next = pool.find((c) => c.subject.key === last.issuer.key && !path.includes(c));
    if (!next) break;
    path.push(next);
  }
  return path;
}
