// The revocation relay (issue 15): the task pane cannot reach OCSP responders and CRL servers itself (plain
// http, no CORS), so the organisation host fetches them for it, on the pane's own origin:
//
//   POST /relay/ocsp?url=<responder URL>   body: one DER OCSPRequest (application/ocsp-request)
//        → the responder's OCSPResponse (application/ocsp-response)
//   GET  /relay/crl?url=<CRL URL>
//        → the DER CRL (application/pkix-crl)
//
// The relay is a transport, not a trust anchor: it verifies no signature (it has no issuer certificate),
// and the reader's pane checks every answer it gets exactly as if it had fetched it itself (OCSP: signer
// authorised, CertID, freshness; CRL: issuer, signature, scope — src/core/pki/revocation/). What the relay
// does guarantee is that it cannot be turned against the network it runs in, nor against the CA:
// - SSRF: only http(s) on standard ports to global unicast addresses, checked at resolution time and on
//   every redirect (upstream.ts, address.ts); no cookies or credentials forwarded;
// - only OCSP requests (one CertID, application/ocsp-request, ≤ maxOcspRequestBytes) go out, and only
//   bodies that parse as an OCSPResponse or a CertificateList with the right media type come back, under
//   size caps and one deadline per exchange;
// - a per-client rate limit (@fastify/rate-limit) and a global cap on concurrent upstream exchanges
//   (over it: 503 relay-busy at once, never a queue that grows);
// - identical concurrent requests share one upstream exchange, and answers are cached until their
//   nextUpdate (cache.ts), so the CA sees one request per certificate per period, not one per reader;
// - a failed upstream exchange is remembered per upstream URL for a short while (FailureCache, default
//   30 s) and repeated with the same refusal code, so a flood of readers cannot make the relay hammer a
//   responder that is down.
// Refusals are typed (refusal.ts) and logged by code, never with a body.

import rateLimit from '@fastify/rate-limit';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Asn1Limits } from '../../core/asn1.js';
import { toHex } from '../../core/bytes.js';
import { defaultConfig } from '../../core/config.js';
import { peekCrl, peekOcspRequest, peekOcspResponse } from '../../core/pki/revocation/peek.js';
import { FailureCache, RelayCache, type CachedAnswer } from './cache.js';
import { RelayError, type RelayRefusal } from './refusal.js';
import { checkTarget, fetchUpstream, systemResolver, type Resolver, type UpstreamOptions } from './upstream.js';

export interface RelayOptions {
  /**
   * TEST MODE ONLY: also allow loopback targets (127/8, ::1) on any port, so the test suite can use real
   * `openssl ocsp` responders on 127.0.0.1. Never the default; `signet serve` sets it only with
   * SIGNET_RELAY_TEST_LOOPBACK=1 and says so in its start-up log.
   */
  allowLoopbackForTests?: boolean;
  /** TEST MODE ONLY: ports allowed besides 80 (http) and 443 (https), e.g. the tests' ephemeral ports. */
  extraPortsForTests?: number[];
  /** Name resolution (tests inject names that resolve internally); default: the system resolver. */
  resolve?: Resolver;
  /** Deadline of one upstream exchange including redirects, ms. */
  timeoutMs?: number;
  maxRedirects?: number;
  maxOcspRequestBytes?: number;
  maxOcspResponseBytes?: number;
  maxCrlBytes?: number;
  /** Upstream exchanges in flight at once, over all clients. */
  maxConcurrent?: number;
  /** Per client address. */
  rateLimit?: { max: number; timeWindowMs: number };
  cache?: { maxEntries: number; maxBytes: number; maxTtlMs: number };
  /** Negative cache: how long a failed upstream URL is answered from memory (0 = off), and how many URLs. */
  failureCache?: { maxEntries: number; ttlMs: number };
  limits?: Asn1Limits;
  /** The clock (tests move it forward). */
  now?: () => number;
}

export const RELAY_DEFAULTS = {
  timeoutMs: 8000,
  maxRedirects: 3,
  maxOcspRequestBytes: 4 * 1024,
  maxOcspResponseBytes: 64 * 1024,
  maxCrlBytes: 16 * 1024 * 1024,
  maxConcurrent: 32,
  rateLimit: { max: 300, timeWindowMs: 60_000 },
  cache: { maxEntries: 10_000, maxBytes: 128 * 1024 * 1024, maxTtlMs: 24 * 3600_000 },
  failureCache: { maxEntries: 1000, ttlMs: 30_000 },
} as const;

/** Counters for the readiness endpoint, the logs and bench/relay-load.ts. */
export interface RelayStats {
  requests: number;
  upstreamRequests: number;
  cacheHits: number;
  /** Requests refused from the negative cache without asking the upstream server again. */
  failureCacheHits: number;
  /** Requests answered by joining an identical exchange already in flight. */
  shared: number;
  refusals: Partial<Record<RelayRefusal, number>>;
  inFlight: number;
  cacheEntries: number;
  cacheBytes: number;
}

/** CRL media types accepted (RFC 5280 §4.2.1.13 says application/pkix-crl; many CAs still send the others). */
const CRL_MEDIA_TYPES = new Set(['application/pkix-crl', 'application/x-pkcs7-crl', 'application/octet-stream']);
const OCSP_REQUEST = 'application/ocsp-request';
const OCSP_RESPONSE = 'application/ocsp-response';
const MAX_URL_LENGTH = 2048;

type Source = 'cache' | 'shared' | 'upstream';

export async function registerRelay(app: FastifyInstance, options: RelayOptions = {}, prefix = '/relay'): Promise<RelayStats> {
  const o = {
    ...RELAY_DEFAULTS,
    ...options,
    rateLimit: options.rateLimit ?? RELAY_DEFAULTS.rateLimit,
    cache: options.cache ?? RELAY_DEFAULTS.cache,
    failureCache: options.failureCache ?? RELAY_DEFAULTS.failureCache,
  };
  const policy = { allowLoopbackForTests: options.allowLoopbackForTests === true, extraPortsForTests: options.extraPortsForTests ?? [] };
  const limits = options.limits ?? defaultConfig.limits;
  const now = options.now ?? Date.now;
  const cache = new RelayCache(o.cache.maxEntries, o.cache.maxBytes);
  const failures = new FailureCache<RelayRefusal>(o.failureCache.maxEntries, o.failureCache.ttlMs);
  const fromFailureCache = new WeakSet<RelayError>();
  const inflight = new Map<string, Promise<CachedAnswer>>();
  const stats: RelayStats = { requests: 0, upstreamRequests: 0, cacheHits: 0, failureCacheHits: 0, shared: 0, refusals: {}, inFlight: 0, cacheEntries: 0, cacheBytes: 0 };
  const upstream = (maxBytes: number): UpstreamOptions => ({
    ...policy,
    resolve: options.resolve ?? systemResolver,
    timeoutMs: o.timeoutMs,
    maxBytes,
    maxRedirects: o.maxRedirects,
    userAgent: 'Signet-revocation-relay',
  });

  /** Until nextUpdate, capped; 0 = do not cache. */
  const expiryOf = (nextUpdate: Date | null): number => {
    if (!nextUpdate) return 0;
    const t = Math.min(nextUpdate.getTime(), now() + o.cache.maxTtlMs);
    return t > now() ? t : 0;
  };

  /**
   * `key` names the answer (URL + CertID for OCSP), `upstreamKey` the upstream URL whose failures are
   * remembered. Order: a fresh cached answer first (still served while the responder is down), then an
   * identical exchange in flight, then a remembered failure, and only then the upstream server.
   */
  async function obtain(key: string, upstreamKey: string, produce: () => Promise<CachedAnswer>): Promise<{ answer: CachedAnswer; source: Source }> {
    const hit = cache.get(key, now());
    if (hit) {
      stats.cacheHits++;
      return { answer: hit, source: 'cache' };
    }
    const pending = inflight.get(key);
    if (pending) {
      stats.shared++;
      return { answer: await pending, source: 'shared' };
    }
    const failed = failures.get(upstreamKey, now());
    if (failed) {
      stats.failureCacheHits++;
      const e = new RelayError(failed.code, failed.message);
      fromFailureCache.add(e);
      throw e;
    }
    if (stats.inFlight >= o.maxConcurrent) throw new RelayError('relay-busy', 'The relay is at its limit of concurrent lookups; try again shortly.');
    stats.inFlight++;
    stats.upstreamRequests++;
    const p = produce().then(
      (answer) => {
        if (answer.expires > 0) cache.set(key, answer);
        return answer;
      },
      (e: unknown) => {
        // Every refusal raised while talking to the upstream server is about that server (unreachable,
        // timeout, HTTP error, wrong or oversized or malformed answer, name or address refused).
        if (e instanceof RelayError) failures.set(upstreamKey, e.code, e.message, now());
        else failures.set(upstreamKey, 'relay-upstream-unreachable', 'The upstream server could not be reached.', now());
        throw e;
      },
    );
    inflight.set(key, p);
    try {
      return { answer: await p, source: 'upstream' };
    } finally {
      inflight.delete(key);
      stats.inFlight--;
      stats.cacheEntries = cache.size;
      stats.cacheBytes = cache.byteSize;
    }
  }

  function targetOf(req: FastifyRequest): URL {
    const q = req.query as Record<string, unknown>;
    const url = q['url'];
    if (typeof url !== 'string' || url.length === 0 || url.length > MAX_URL_LENGTH) {
      throw new RelayError('relay-bad-request', 'The ?url= parameter is missing, repeated or too long.');
    }
    return checkTarget(url, policy);
  }

  function send(reply: FastifyReply, answer: CachedAnswer, source: Source): FastifyReply {
    return reply
      .header('content-type', answer.mediaType)
      .header('cache-control', 'no-store')
      .header('x-content-type-options', 'nosniff')
      .header('x-signet-relay', source)
      .send(Buffer.from(answer.body.buffer, answer.body.byteOffset, answer.body.byteLength));
  }

  await app.register(
    async (scope) => {
      await scope.register(rateLimit, {
        max: o.rateLimit.max,
        timeWindow: o.rateLimit.timeWindowMs,
        errorResponseBuilder: (_req, context) => ({
          statusCode: 429,
          code: 'relay-rate-limited',
          error: 'relay-rate-limited',
          message: `At most ${context.max} revocation lookups per ${Math.round(o.rateLimit.timeWindowMs / 1000)} s from one client.`,
        }),
      });
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser(OCSP_REQUEST, { parseAs: 'buffer', bodyLimit: o.maxOcspRequestBytes }, (_req, body, done) => done(null, body));

      scope.setErrorHandler((err: FastifyError | RelayError, req, reply) => {
        const code = refusalOf(err);
        stats.refusals[code] = (stats.refusals[code] ?? 0) + 1;
        req.log.info({ refusal: code }, 'relay refused');
        const status = err instanceof RelayError ? err.status : code === 'relay-rate-limited' ? 429 : new RelayError(code, '').status;
        if (err instanceof RelayError && fromFailureCache.has(err)) void reply.header('x-signet-relay', 'failure-cache');
        void reply.code(status).header('cache-control', 'no-store').send({ error: code, message: err.message });
      });

      scope.post('/ocsp', async (req, reply) => {
        stats.requests++;
        const target = targetOf(req);
        if (!Buffer.isBuffer(req.body)) throw new RelayError('relay-request-content-type', `An OCSP request must be sent as ${OCSP_REQUEST}.`);
        let peeked;
        try {
          peeked = peekOcspRequest(new Uint8Array(req.body), limits);
        } catch {
          throw new RelayError('relay-malformed-request', 'The body is not one OCSP request for one certificate.');
        }
        const key = `ocsp ${target.href} ${toHex(peeked.certId)}`;
        const { answer, source } = await obtain(key, `ocsp ${target.href}`, async () => {
          const r = await fetchUpstream({ method: 'POST', url: target.href, accept: OCSP_RESPONSE, contentType: OCSP_REQUEST, body: peeked.upstream }, upstream(o.maxOcspResponseBytes));
          if (r.mediaType !== OCSP_RESPONSE) throw new RelayError('relay-content-type', `The responder answered ${r.mediaType || 'without a media type'}, not ${OCSP_RESPONSE}.`);
          let parsed;
          try {
            parsed = peekOcspResponse(r.body, limits);
          } catch {
            throw new RelayError('relay-malformed-response', 'The responder answered something that is not an OCSP response.');
          }
          return { body: r.body, mediaType: OCSP_RESPONSE, expires: parsed.responseStatus === 0 ? expiryOf(parsed.nextUpdate) : 0 };
        });
        req.log.info({ relay: 'ocsp', host: target.host, source }, 'relay answered');
        return send(reply, answer, source);
      });

      scope.get('/crl', async (req, reply) => {
        stats.requests++;
        const target = targetOf(req);
        const key = `crl ${target.href}`;
        const { answer, source } = await obtain(key, key, async () => {
          const r = await fetchUpstream({ method: 'GET', url: target.href, accept: 'application/pkix-crl, application/x-pkcs7-crl' }, upstream(o.maxCrlBytes));
          if (!CRL_MEDIA_TYPES.has(r.mediaType)) throw new RelayError('relay-content-type', `The CRL server answered ${r.mediaType || 'without a media type'}, not application/pkix-crl.`);
          let parsed;
          try {
            parsed = peekCrl(r.body, limits);
          } catch {
            throw new RelayError('relay-malformed-response', 'The CRL server answered something that is not a DER CRL.');
          }
          return { body: r.body, mediaType: 'application/pkix-crl', expires: expiryOf(parsed.nextUpdate) };
        });
        req.log.info({ relay: 'crl', host: target.host, source }, 'relay answered');
        return send(reply, answer, source);
      });

      scope.setNotFoundHandler((_req, reply) => {
        void reply.code(404).send({ error: 'relay-not-found', message: 'No such relay endpoint.' });
      });
    },
    { prefix },
  );
  return stats;
}

function refusalOf(err: FastifyError | RelayError): RelayRefusal {
  if (err instanceof RelayError) return err.code;
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return 'relay-request-content-type';
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'relay-request-too-large';
    case 'relay-rate-limited':
      return 'relay-rate-limited';
    default:
      return err.statusCode === 429 ? 'relay-rate-limited' : 'relay-bad-request';
  }
}
