// Missing issuers fetched from a certificate's Authority Information Access extension (RFC 5280
// §4.2.2.1, id-ad-caIssuers): over HTTP, a DER certificate ("application/pkix-cert") or a PKCS#7
// certs-only bundle ("application/pkcs7-mime", RFC 5280 §4.2.2.1 / RFC 2797). Used by path building only
// when the message and the local store cannot complete a path. What is fetched is untrusted like any
// certificate in a message: it can only help a path that still ends at a configured anchor.
//
// fetch is injected (ARCHITECTURE.md: src/core has no network of its own). The URL comes from a certificate the
// sender chose, so every request is bounded (see AIA_DEFAULTS) and only http/https are spoken. Fetching
// also tells the URL's owner that a message is being read (like a remote image); `--offline` / no fetch
// turns it off.

import { readBodyCapped } from './http-body.js';
import { childrenOf, expectSequence, isContext, isUniversal, parseAsn1, readOid, readString, Tag, contentInfoFromNode, type Asn1Limits } from '../asn1.js';
import { fromBase64 } from '../bytes.js';
import { unbudgetedFetch } from '../budget.js';
import { SignetError, isSignetError } from '../errors.js';
import { OID } from '../oids.js';
import { parseCertificate, type Certificate } from './certificate.js';
import { pemBase64, pemBlocks } from '../pem.js';

export const AUTHORITY_INFO_ACCESS_OID = '1.3.6.1.5.5.7.1.1';
export const CA_ISSUERS_OID = '1.3.6.1.5.5.7.48.2';

export interface AiaOptions {
  fetch: typeof fetch;
  /**
   * Network fetches per path validation (cache hits are free). Stops a certificate chain that sends the
   * verifier crawling. The message as a whole is bounded by its WorkBudget (config.ts maxNetworkFetches,
   * maxNetworkMs) when `fetch` is a budgeted one (WorkBudget.wrapFetch), as openMessage passes it.
   */
  maxFetches?: number;
  /** Per request, milliseconds. Stops a slow server from hanging the verification (slow-loris). */
  timeoutMs?: number;
  /** Largest response accepted, bytes. A CA certificate is ~2 KB and a bundle a few; stops memory exhaustion. */
  maxBytes?: number;
}

export const AIA_DEFAULTS = Object.freeze({ maxFetches: 4, timeoutMs: 5000, maxBytes: 256 * 1024 });
/** URLs taken from one certificate: real ones list one or two. */
const MAX_URLS_PER_CERTIFICATE = 3;
/** Certificates taken from one response (a certs-only bundle). */
const MAX_CERTIFICATES_PER_RESPONSE = 16;
/** A fetched issuer is kept this long; a failure is remembered briefly so a dead server is not retried per message. */
const CACHE_OK_MS = 60 * 60_000;
const CACHE_FAIL_MS = 5 * 60_000;
const CACHE_ENTRIES = 200;

interface CacheEntry {
  expires: number;
  ders: Promise<Uint8Array[]>;
}

// One cache per injected fetch function: each caller (the CLI process, a task pane, a test with its own
// fake fetch) gets its own, and it disappears with the fetch function.
const caches = new WeakMap<typeof fetch, Map<string, CacheEntry>>();

/** The http(s) caIssuers URLs of a certificate's AIA extension, in order; other schemes (ldap:) are skipped. */
export function caIssuersUrls(cert: Certificate, limits: Asn1Limits): string[] {
  const ext = cert.extensions.find((e) => e.oid === AUTHORITY_INFO_ACCESS_OID);
  if (!ext) return [];
  const urls: string[] = [];
  try {
    for (const ad of expectSequence(parseAsn1(ext.value, limits, { what: 'authorityInfoAccess' }), 'authorityInfoAccess')) {
      const [method, location] = expectSequence(ad, 'an AccessDescription');
      // accessLocation uniformResourceIdentifier [6] IA5String
      if (readOid(method) !== CA_ISSUERS_OID || !isContext(location, 6) || location!.idBlock.isConstructed) continue;
      const url = readString(location!);
      if (isHttpUrl(url) && !urls.includes(url)) urls.push(url);
      if (urls.length >= MAX_URLS_PER_CERTIFICATE) break;
    }
  } catch {
    return urls; // a malformed AIA only loses the hint
  }
  return urls;
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Fetches issuers for one path validation, within its budget. */
export class IssuerFetcher {
  private readonly options: Required<AiaOptions>;
  private readonly cache: Map<string, CacheEntry>;
  /** Network requests made so far by this fetcher. */
  fetches = 0;
  /** URLs this fetcher asked for (cache hits included), in order: evidence for tests and diagnostics. */
  readonly urls: string[] = [];

  constructor(
    options: AiaOptions,
    private readonly limits: Asn1Limits,
  ) {
    this.options = { ...AIA_DEFAULTS, ...options };
    for (const k of ['maxFetches', 'timeoutMs', 'maxBytes'] as const) {
      const v = this.options[k];
      if (!Number.isSafeInteger(v) || v < 0) throw new SignetError('usage', `AIA option ${k} must be a whole number.`);
    }
    // Keyed by the caller's own fetch, not the per-message budgeted wrapper, so the cache outlives a message.
    const key = unbudgetedFetch(options.fetch);
    let c = caches.get(key);
    if (!c) caches.set(key, (c = new Map()));
    this.cache = c;
  }

  /** Candidate issuers of `cert` from its caIssuers URLs (parsed, unverified); [] when none could be had. */
  async issuersOf(cert: Certificate): Promise<Certificate[]> {
    const out: Certificate[] = [];
    for (const url of caIssuersUrls(cert, this.limits)) {
      const ders = await this.get(url);
      for (const der of ders) {
        try {
          out.push(parseCertificate(der, this.limits));
        } catch {
          // not a certificate: ignored like an unreadable certificate in a message
        }
      }
    }
    return out;
  }

  private async get(url: string): Promise<Uint8Array[]> {
    const now = Date.now();
    const hit = this.cache.get(url);
    if (hit && hit.expires > now) {
      this.urls.push(url);
      return hit.ders;
    }
    if (this.fetches >= this.options.maxFetches) return [];
    this.fetches++;
    this.urls.push(url);
    const entry: CacheEntry = { expires: now + CACHE_OK_MS, ders: Promise.resolve([]) };
    entry.ders = this.download(url).catch((e: unknown) => {
      // A refusal by the message's budget says nothing about the server: forget it rather than cache a failure.
      if (isSignetError(e, 'budget-exceeded')) {
        if (this.cache.get(url) === entry) this.cache.delete(url);
      } else {
        entry.expires = Date.now() + CACHE_FAIL_MS;
      }
      return [];
    });
    this.cache.delete(url);
    this.cache.set(url, entry);
    while (this.cache.size > CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    return entry.ders;
  }

  private async download(url: string): Promise<Uint8Array[]> {
    const { fetch: f, timeoutMs, maxBytes } = this.options;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const res = await f(url, { signal: controller.signal, redirect: 'follow', credentials: 'omit' });
      if (!res.ok) throw new SignetError('network', `caIssuers ${url}: HTTP ${res.status}.`);
      const declared = Number(res.headers.get('content-length') ?? '0');
      if (declared > maxBytes) throw new SignetError('limit-exceeded', `caIssuers ${url}: response larger than ${maxBytes} bytes.`);
      const body = await readCapped(res, maxBytes);
      return certificatesFromResponse(body, this.limits);
    } finally {
      clearTimeout(timer);
    }
  }
}

async function readCapped(res: Response, maxBytes: number): Promise<Uint8Array> {
  const body = await readBodyCapped(res, maxBytes);
  if (!body) throw new SignetError('limit-exceeded', 'caIssuers response too large.');
  return body;
}

/** A DER certificate, a PKCS#7/CMS certs-only SignedData, or (seen in the wild) PEM text of either. */
export function certificatesFromResponse(body: Uint8Array, limits: Asn1Limits): Uint8Array[] {
  const head = new TextDecoder('latin1').decode(body.subarray(0, 64));
  if (head.includes('-----BEGIN')) {
    const text = new TextDecoder('latin1').decode(body);
    return pemBlocks(text, ['CERTIFICATE', 'PKCS7'])
      .flatMap((b) => certificatesFromResponse(fromBase64(pemBase64(b.body)), limits))
      .slice(0, MAX_CERTIFICATES_PER_RESPONSE);
  }
  const root = parseAsn1(body, limits, { allowTrailingData: true, what: 'A caIssuers response' });
  const first = expectSequence(root, 'a caIssuers response')[0];
  if (!isUniversal(first, Tag.oid)) return [new Uint8Array(root.valueBeforeDecodeView)];
  const ci = contentInfoFromNode(root);
  if (ci.contentType !== OID.signedData) return [];
  const certs = expectSequence(ci.content, 'SignedData').find((n) => isContext(n, 0));
  if (!certs) return [];
  return childrenOf(certs, 'certificates')
    .filter((c) => isUniversal(c, Tag.sequence))
    .slice(0, MAX_CERTIFICATES_PER_RESPONSE)
    .map((c) => new Uint8Array(c.valueBeforeDecodeView));
}
