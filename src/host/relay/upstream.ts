// The relay's only way out to the network: one HTTP(S) exchange with an OCSP responder or a CRL server,
// under every rule of issue 15 item 2.
//
// - Targets: http: and https: only, on their standard ports (80, 443), no user:password@ (nothing that
//   could carry credentials), no fragment.
// - Addresses: an IP literal is checked before connecting; a DNS name is resolved by OUR lookup function,
//   handed to node:http as the socket's `lookup`, which refuses the whole name when any address it
//   resolves to is not global unicast (address.ts) and otherwise gives the socket exactly the addresses it
//   checked. Check and connect use one resolution, so DNS rebinding (a name answering public for the check
//   and 127.0.0.1 for the connect) cannot slip in between.
// - Redirects: followed by hand (at most `maxRedirects`), each Location re-checked from the start (scheme,
//   port, literal address, and the lookup again on connect).
// - Requests carry only Accept, Content-Type, Content-Length, User-Agent and Connection: close — never a
//   cookie, an Authorization or any header of the client's. Responses' cookies are dropped: only the body
//   and its media type leave this module.
// - One deadline covers resolving, connecting, redirects and reading the body (a slow-drip answer is cut
//   off); the body is capped while streaming (and by Content-Length before reading).

import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupAddress } from 'node:dns';
import { addressRefusal, ipLiteral } from './address.js';
import { RelayError } from './refusal.js';

export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** What may be connected to besides global unicast on ports 80/443: test mode only, never the default. */
export interface TargetPolicy {
  /** Also allow loopback addresses (127/8, ::1; see address.ts). */
  allowLoopbackForTests: boolean;
  /** Also allow these ports (the test suite's ephemeral responder ports). */
  extraPortsForTests: readonly number[];
}

export interface UpstreamOptions extends TargetPolicy {
  resolve: Resolver;
  /** For the whole exchange including redirects, milliseconds. */
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  userAgent: string;
}

export interface UpstreamRequest {
  method: 'GET' | 'POST';
  url: string;
  accept: string;
  body?: Uint8Array;
  contentType?: string;
}

export interface UpstreamResponse {
  body: Uint8Array;
  /** The media type without parameters, lowercased ('' when absent). */
  mediaType: string;
  /** The URL finally answered (after redirects). */
  url: string;
}

const STANDARD_PORT: Record<string, string> = { 'http:': '80', 'https:': '443' };

/** Checks a target URL before any connection; returns it parsed. Throws RelayError. */
export function checkTarget(raw: string, policy: TargetPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RelayError('relay-bad-request', 'The target is not a URL.');
  }
  if (!(url.protocol in STANDARD_PORT)) throw new RelayError('relay-scheme', `The relay fetches only http: and https: URLs, not ${url.protocol}.`);
  if (url.username || url.password) throw new RelayError('relay-bad-request', 'The target URL carries credentials.');
  if (url.hash) throw new RelayError('relay-bad-request', 'The target URL has a fragment.');
  // WHATWG URL drops the scheme's default port, so any port left is non-standard.
  if (url.port !== '' && url.port !== STANDARD_PORT[url.protocol] && !policy.extraPortsForTests.includes(Number(url.port))) {
    throw new RelayError('relay-port', `The relay connects only to port ${STANDARD_PORT[url.protocol]} for ${url.protocol}.`);
  }
  const literal = ipLiteral(url.hostname);
  if (literal !== null) {
    const why = addressRefusal(literal, policy.allowLoopbackForTests);
    if (why) throw new RelayError('relay-internal-address', `The target address is not public (${why}).`);
  }
  return url;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** The socket's lookup: resolves once, refuses the name when any answer is internal, pins what it checked. */
function pinnedLookup(resolve: Resolver, allowLoopback: boolean, onRefusal: (e: RelayError) => void) {
  return (hostname: string, options: { all?: boolean; family?: number }, callback: LookupCallback): void => {
    resolve(hostname).then(
      (addrs) => {
        const usable = addrs.filter((a) => !options.family || a.family === options.family);
        if (usable.length === 0) {
          const e = new RelayError('relay-dns', `The name ${hostname} does not resolve.`);
          onRefusal(e);
          callback(Object.assign(new Error(e.message), { code: 'ENOTFOUND' }), '', 0);
          return;
        }
        for (const a of addrs) {
          const why = addressRefusal(a.address, allowLoopback);
          if (why) {
            const e = new RelayError('relay-internal-address', `The name ${hostname} resolves to an address that is not public (${why}).`);
            onRefusal(e);
            callback(Object.assign(new Error(e.message), { code: 'EREFUSED' }), '', 0);
            return;
          }
        }
        if (options.all) callback(null, usable);
        else callback(null, usable[0]!.address, usable[0]!.family);
      },
      () => {
        const e = new RelayError('relay-dns', `The name ${hostname} does not resolve.`);
        onRefusal(e);
        callback(Object.assign(new Error(e.message), { code: 'ENOTFOUND' }), '', 0);
      },
    );
  };
}

/** One request/response over one fresh connection; no redirect handling. */
function exchangeOnce(url: URL, req: UpstreamRequest, opts: UpstreamOptions, signal: AbortSignal): Promise<{ res: IncomingMessage; refusal: () => RelayError | null }> {
  let refusal: RelayError | null = null;
  const headers: Record<string, string> = { accept: req.accept, 'user-agent': opts.userAgent, connection: 'close' };
  if (req.body) {
    headers['content-type'] = req.contentType ?? 'application/octet-stream';
    headers['content-length'] = String(req.body.length);
  }
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const r = send(
      url,
      {
        method: req.method,
        headers,
        agent: false, // a fresh connection: nothing pooled from another target or another check
        lookup: pinnedLookup(opts.resolve, opts.allowLoopbackForTests, (e) => (refusal = e)) as never,
        signal,
        maxHeaderSize: 16 * 1024,
      },
      (res) => resolve({ res, refusal: () => refusal }),
    );
    r.on('error', (e) => reject(refusal ?? e));
    r.end(req.body ? Buffer.from(req.body.buffer, req.body.byteOffset, req.body.byteLength) : undefined);
  });
}

function readCapped(res: IncomingMessage, maxBytes: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let total = 0;
    res.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > maxBytes) {
        res.destroy();
        reject(new RelayError('relay-too-large', `The answer is larger than ${maxBytes} bytes.`));
        return;
      }
      parts.push(chunk);
    });
    let ended = false;
    res.on('end', () => {
      ended = true;
      resolve(new Uint8Array(Buffer.concat(parts)));
    });
    res.on('error', reject);
    // Destroyed by the deadline (or the peer) before the end: never wait for an 'end' that cannot come.
    res.on('close', () => {
      if (!ended) reject(new Error('closed'));
    });
  });
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Fetches `req.url` under the rules in the header. Throws RelayError, never anything else. */
export async function fetchUpstream(req: UpstreamRequest, opts: UpstreamOptions): Promise<UpstreamResponse> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, opts.timeoutMs);
  try {
    let url = checkTarget(req.url, opts);
    let current = req;
    for (let hop = 0; ; hop++) {
      let res: IncomingMessage;
      try {
        ({ res } = await exchangeOnce(url, current, opts, controller.signal));
      } catch (e) {
        if (e instanceof RelayError) throw e;
        if (timedOut) throw new RelayError('relay-timeout', 'The upstream server did not answer in time.');
        throw new RelayError('relay-upstream-unreachable', 'The upstream server could not be reached.');
      }
      const status = res.statusCode ?? 0;
      if (REDIRECTS.has(status)) {
        res.resume();
        const location = res.headers.location;
        if (hop >= opts.maxRedirects || !location) throw new RelayError('relay-redirect-limit', `More than ${opts.maxRedirects} redirects, or a redirect without a Location.`);
        let next: string;
        try {
          next = new URL(location, url).href;
        } catch {
          throw new RelayError('relay-redirect-limit', 'A redirect to something that is not a URL.');
        }
        url = checkTarget(next, opts);
        // 307/308 repeat the request as it was; the others continue with GET and no body (RFC 9110 §15.4).
        if (status !== 307 && status !== 308) current = { method: 'GET', url: next, accept: req.accept };
        continue;
      }
      if (status < 200 || status > 299) {
        res.resume();
        throw new RelayError('relay-upstream-status', `The upstream server answered HTTP ${status}.`);
      }
      const declared = Number(res.headers['content-length'] ?? NaN);
      if (Number.isFinite(declared) && declared > opts.maxBytes) {
        res.destroy();
        throw new RelayError('relay-too-large', `The answer is larger than ${opts.maxBytes} bytes.`);
      }
      let body: Uint8Array;
      try {
        body = await readCapped(res, opts.maxBytes);
      } catch (e) {
        if (e instanceof RelayError) throw e;
        if (timedOut) throw new RelayError('relay-timeout', 'The upstream answer did not arrive in time.');
        throw new RelayError('relay-upstream-unreachable', 'The upstream connection broke.');
      }
      const mediaType = (res.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      return { body, mediaType, url: url.href };
    }
  } finally {
    clearTimeout(timer);
  }
}
