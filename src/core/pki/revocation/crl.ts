// CRL checking (RFC 5280 §5, §6.3) for one certificate against a complete, direct CRL fetched from one of
// its CRL distribution points (http or https, DER or PEM). A CRL is used only when:
//   - its issuer name is the certificate's issuer name, and the issuing CA may sign CRLs (keyUsage cRLSign
//     when keyUsage is present);
//   - its signature verifies with that CA's key (so a CRL signed by another key, even under the same name,
//     is unusable — never 'good');
//   - it is in scope (§6.3.3 b): not a delta CRL, not indirect, not partitioned by reasons, and an
//     issuingDistributionPoint, when present, names one of the certificate's distribution points and does
//     not restrict the CRL to CA (or end-entity, or attribute) certificates the certificate is not;
//   - it has no critical CRL or entry extension Signet does not process (§5.2, §5.3);
//   - it is fresh: thisUpdate not in the future and nextUpdate not passed (small clock skew allowed).
// Then the serial number is looked up; an entry's reasonCode and revocationDate are reported.
// The revoked-certificates list is walked with a minimal DER reader instead of a full ASN.1 tree: a CRL of
// a public CA has 10^5 entries, and an object per node would cost hundreds of MiB.

import { childrenOf, expectSequence, isContext, isUniversal, parseAsn1, primitiveContent, readAlgorithmIdentifier, readOid, readTime, type AlgorithmIdentifier, type Asn1Limits } from '../../asn1.js';
import { toHex } from '../../bytes.js';
import type { SignetConfig } from '../../config.js';
import type { CryptoProvider } from '../../crypto.js';
import type { RevocationProblem } from '../../verdict.js';
import { parseName, type Certificate } from '../certificate.js';
import {
  checkSignature,
  CRL_REASONS,
  derOrPem,
  distributionPointUris,
  fetchBytes,
  FetchProblem,
  freshnessProblem,
  fullNameUris,
  REVOCATION_OID,
  type RevocationAnswer,
} from './common.js';

/** A CRL whose signature, issuer and extensions were checked; scope and freshness are checked per use. */
export interface VerifiedCrl {
  url: string;
  issuerKey: string;
  thisUpdate: Date;
  nextUpdate: Date | null;
  scope: { onlyUser: boolean; onlyCA: boolean; uris: string[] | null };
  /** Normalised serial (hex, no leading zero octets) → the entry's location in `der`. */
  entries: Map<string, { start: number; end: number }>;
  der: Uint8Array;
}

// --------------------------------------------------------------------------------------------------------
// Minimal DER reader (definite lengths, single-octet tags: all a CRL uses).

export interface Tlv {
  tag: number;
  start: number;
  contentStart: number;
  end: number;
}

class DerError extends Error {}

export function readTlv(b: Uint8Array, off: number, limit: number): Tlv {
  if (off + 2 > limit) throw new DerError('truncated');
  const tag = b[off]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-octet tag');
  let len = b[off + 1]!;
  let p = off + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || p + n > limit) throw new DerError('bad length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[p + i]!;
    p += n;
  }
  if (p + len > limit) throw new DerError('truncated');
  return { tag, start: off, contentStart: p, end: p + len };
}

export function childTlvs(b: Uint8Array, parent: Tlv, max = Infinity): Tlv[] {
  const out: Tlv[] = [];
  for (let off = parent.contentStart; off < parent.end; ) {
    if (out.length >= max) throw new DerError('too many elements');
    const t = readTlv(b, off, parent.end);
    out.push(t);
    off = t.end;
  }
  return out;
}

const slice = (b: Uint8Array, t: Tlv): Uint8Array => b.subarray(t.start, t.end);

function serialKey(intContent: Uint8Array): string {
  let i = 0;
  while (i < intContent.length - 1 && intContent[i] === 0) i++;
  return toHex(intContent.subarray(i));
}

// Known extension OIDs as DER contents (2.5.29.x is 55 1D x).
const EXT = (last: number): string => `551d${last.toString(16).padStart(2, '0')}`;
const KNOWN_CRL_EXTENSIONS = new Set([EXT(20), EXT(28), EXT(35), EXT(46), EXT(27)]); // crlNumber, IDP, AKI, freshestCRL, delta (refused below)
const KNOWN_ENTRY_EXTENSIONS = new Set([EXT(21), EXT(24)]); // reasonCode, invalidityDate

interface RawExtension {
  oidHex: string;
  critical: boolean;
  value: Tlv; // the extnValue OCTET STRING
}

function readExtensions(b: Uint8Array, seq: Tlv): RawExtension[] {
  const out: RawExtension[] = [];
  for (const e of childTlvs(b, seq, 64)) {
    const f = childTlvs(b, e, 3);
    if (f.length < 2 || f[0]!.tag !== 0x06) throw new DerError('extension');
    const critical = f.length === 3 && f[1]!.tag === 0x01 && b[f[1]!.contentStart] !== 0;
    const value = f[f.length - 1]!;
    if (value.tag !== 0x04) throw new DerError('extension value');
    out.push({ oidHex: toHex(b.subarray(f[0]!.contentStart, f[0]!.end)), critical, value });
  }
  return out;
}

type ParseOutcome = VerifiedCrl | RevocationProblem;

/**
 * Parses and verifies a CRL claimed to be issued by `issuer` (the CA certificate of the path). Scope and
 * freshness depend on the certificate and the time, so `crlAnswer` checks them at each use.
 */
export async function verifyCrl(
  bytes: Uint8Array,
  url: string,
  issuer: Certificate,
  config: SignetConfig,
  provider: CryptoProvider,
): Promise<ParseOutcome> {
  const der = derOrPem(bytes, 'X509 CRL');
  const limits: Asn1Limits = config.limits;
  let tbsTlv: Tlv;
  let sigAlg: AlgorithmIdentifier;
  let signature: Uint8Array;
  let issuerKey: string;
  let thisUpdate: Date;
  let nextUpdate: Date | null = null;
  let revokedTlv: Tlv | null = null;
  let extensions: RawExtension[] = [];
  try {
    const outer = readTlv(der, 0, der.length);
    if (outer.tag !== 0x30 || outer.end !== der.length) return 'malformed';
    const [tbs, alg, sig] = childTlvs(der, outer, 3);
    if (!tbs || !alg || !sig || tbs.tag !== 0x30 || sig.tag !== 0x03) return 'malformed';
    tbsTlv = tbs;
    sigAlg = readAlgorithmIdentifier(parseAsn1(slice(der, alg), limits, { what: 'The CRL signature algorithm' }));
    const sigContent = der.subarray(sig.contentStart, sig.end);
    if (sigContent.length < 1 || sigContent[0] !== 0) return 'malformed';
    signature = sigContent.subarray(1);
    const f = childTlvs(der, tbs, 7);
    let i = 0;
    if (f[i]?.tag === 0x02) i++; // version v2
    i++; // signature AlgorithmIdentifier (inner copy)
    const issuerTlv = f[i++];
    if (!issuerTlv || issuerTlv.tag !== 0x30) return 'malformed';
    issuerKey = parseName(parseAsn1(slice(der, issuerTlv), limits, { what: 'The CRL issuer' })).key;
    const isTime = (t: Tlv | undefined): boolean => !!t && (t.tag === 0x17 || t.tag === 0x18);
    if (!isTime(f[i])) return 'malformed';
    thisUpdate = readTime(parseAsn1(slice(der, f[i++]!), limits));
    if (isTime(f[i])) nextUpdate = readTime(parseAsn1(slice(der, f[i++]!), limits));
    if (f[i]?.tag === 0x30) revokedTlv = f[i++]!;
    if (f[i]?.tag === 0xa0) {
      const wrapper = f[i++]!;
      const [seq] = childTlvs(der, wrapper, 1);
      if (!seq || seq.tag !== 0x30) return 'malformed';
      extensions = readExtensions(der, seq);
    }
    if (i !== f.length) return 'malformed';
  } catch {
    return 'malformed';
  }

  if (issuerKey !== issuer.subject.key) return 'wrong-issuer';
  // RFC 5280 §6.3.3 f: the CRL issuer's key must be allowed to sign CRLs.
  if (issuer.keyUsage && !issuer.keyUsage.has('cRLSign')) return 'wrong-issuer';
  const sig = await checkSignature(issuer.publicKey, sigAlg, slice(der, tbsTlv), signature, config, provider);
  if (sig !== 'ok') return sig;

  // CRL extensions: delta CRLs are not merged (a delta alone lists only recent changes), critical unknowns refuse the CRL.
  const scope: VerifiedCrl['scope'] = { onlyUser: false, onlyCA: false, uris: null };
  try {
    for (const e of extensions) {
      if (e.oidHex === EXT(27)) return 'unsupported-crl';
      if (e.critical && !KNOWN_CRL_EXTENSIONS.has(e.oidHex)) return 'unsupported-crl';
      if (e.oidHex === EXT(28)) {
        const problem = readIdp(der.subarray(e.value.contentStart, e.value.end), limits, scope);
        if (problem) return problem;
      }
    }
  } catch {
    return 'malformed';
  }

  // Index the entries (serial → location); an unknown critical entry extension or an indirect-CRL entry
  // (certificateIssuer) makes the whole CRL unusable (§5.3).
  const entries = new Map<string, { start: number; end: number }>();
  if (revokedTlv) {
    try {
      for (let off = revokedTlv.contentStart; off < revokedTlv.end; ) {
        const entry = readTlv(der, off, revokedTlv.end);
        off = entry.end;
        const ef = childTlvs(der, entry, 3);
        if (ef.length < 2 || ef[0]!.tag !== 0x02 || entry.tag !== 0x30) return 'malformed';
        if (ef[2]) {
          if (ef[2].tag !== 0x30) return 'malformed';
          for (const x of readExtensions(der, ef[2])) {
            if (x.oidHex === EXT(29)) return 'unsupported-crl';
            if (x.critical && !KNOWN_ENTRY_EXTENSIONS.has(x.oidHex)) return 'unsupported-crl';
          }
        }
        entries.set(serialKey(der.subarray(ef[0]!.contentStart, ef[0]!.end)), { start: entry.start, end: entry.end });
      }
    } catch {
      return 'malformed';
    }
  }
  return { url, issuerKey, thisUpdate, nextUpdate, scope, entries, der };
}

/** issuingDistributionPoint (RFC 5280 §5.2.5): records the scope, or refuses kinds Signet does not handle. */
function readIdp(value: Uint8Array, limits: Asn1Limits, scope: VerifiedCrl['scope']): RevocationProblem | null {
  const fields = expectSequence(parseAsn1(value, limits, { what: 'The issuingDistributionPoint' }), 'issuingDistributionPoint');
  const flag = (n: typeof fields[number]): boolean => {
    const c = primitiveContent(n);
    return c.length === 1 && c[0] !== 0;
  };
  for (const f of fields) {
    if (isContext(f, 0)) {
      scope.uris = fullNameUris(childrenOf(f, 'the distributionPoint')[0]);
      // nameRelativeToCRLIssuer: cannot be compared with a URL we fetched; treat as naming no URI we know.
    } else if (isContext(f, 1) && flag(f)) scope.onlyUser = true;
    else if (isContext(f, 2) && flag(f)) scope.onlyCA = true;
    else if (isContext(f, 3)) return 'unsupported-crl'; // onlySomeReasons: a partial CRL
    else if (isContext(f, 4) && flag(f)) return 'unsupported-crl'; // indirectCRL
    else if (isContext(f, 5) && flag(f)) return 'out-of-scope'; // onlyContainsAttributeCerts
  }
  return null;
}

/** What a verified CRL says about `cert` at `now` (scope, freshness, then the serial lookup). */
export function crlAnswer(crl: VerifiedCrl, cert: Certificate, now: Date, limits: Asn1Limits): RevocationAnswer {
  if (crl.issuerKey !== cert.issuer.key) return { status: 'unknown', problem: 'wrong-issuer' };
  const isCA = cert.basicConstraints?.cA === true;
  if ((crl.scope.onlyUser && isCA) || (crl.scope.onlyCA && !isCA)) return { status: 'unknown', problem: 'out-of-scope' };
  if (crl.scope.uris !== null) {
    const mine = distributionPointUris(cert, limits);
    if (!crl.scope.uris.some((u) => mine.includes(u))) return { status: 'unknown', problem: 'out-of-scope' };
  }
  const fresh = freshnessProblem(crl.thisUpdate, crl.nextUpdate, now);
  if (fresh) return { status: 'unknown', problem: fresh, thisUpdate: crl.thisUpdate, nextUpdate: crl.nextUpdate };
  const loc = crl.entries.get(serialKey(cert.serialNumber));
  if (loc) {
    try {
      const entry = expectSequence(parseAsn1(crl.der.subarray(loc.start, loc.end), limits, { what: 'A CRL entry' }), 'a CRL entry');
      const revokedAt = readTime(entry[1], 'revocationDate');
      let reason: string | undefined;
      if (entry[2]) {
        for (const ext of expectSequence(entry[2], 'the entry extensions')) {
          const e = expectSequence(ext, 'an extension');
          if (readOid(e[0]) !== REVOCATION_OID.reasonCode) continue;
          const v = parseAsn1(primitiveContent(e[e.length - 1]), limits);
          if (isUniversal(v, 10)) {
            const c = primitiveContent(v);
            reason = c.length === 1 ? (CRL_REASONS[c[0]!] ?? `reason-${c[0]}`) : 'unspecified';
          }
        }
      }
      // removeFromCRL belongs in delta CRLs only (§5.3.1); in a complete CRL it means "not revoked".
      if (reason !== 'removeFromCRL') {
        return { status: 'revoked', thisUpdate: crl.thisUpdate, nextUpdate: crl.nextUpdate, revokedAt, ...(reason ? { reason } : {}) };
      }
    } catch {
      return { status: 'unknown', problem: 'malformed' };
    }
  }
  return { status: 'good', thisUpdate: crl.thisUpdate, nextUpdate: crl.nextUpdate };
}

/** Fetches and verifies the CRL at `url`. Never throws for network or CRL problems. */
export async function fetchCrl(
  url: string,
  issuer: Certificate,
  ctx: { fetch: typeof fetch; timeoutMs: number; config: SignetConfig },
  provider: CryptoProvider,
): Promise<ParseOutcome> {
  let body: Uint8Array;
  try {
    body = await fetchBytes(
      url,
      { method: 'GET', headers: { accept: 'application/pkix-crl, application/x-pkcs7-crl, */*' } },
      { fetch: ctx.fetch, timeoutMs: ctx.timeoutMs, maxBytes: ctx.config.limits.maxRevocationResponseBytes },
    );
  } catch (e) {
    if (e instanceof FetchProblem) return e.problem;
    throw e;
  }
  return verifyCrl(body, url, issuer, ctx.config, provider);
}
