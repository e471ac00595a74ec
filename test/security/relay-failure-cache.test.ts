// The relay's negative cache (src/host/relay/cache.ts FailureCache): a responder or CRL server that is
// down must not be asked once per reader. N lookups while it fails → one upstream request, every reader
// refused with the code of the original failure; after the failure period it is asked again; the cache is
// bounded; a period of 0 switches it off.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { certId, crl, loopbackServer, ocspRequest, relayApp, type LoopbackServer } from '../helpers/relay.js';

const day = 24 * 3600_000;
let server: LoopbackServer;
const hits = new Map<string, number>();
let up = false;

before(async () => {
  server = await loopbackServer((req, res) => {
    const p = req.url ?? '';
    hits.set(p, (hits.get(p) ?? 0) + 1);
    const now = Date.now();
    // A little latency so that a concurrent flood overlaps the first exchange.
    setTimeout(() => {
      if (up) res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(Buffer.from(crl(new Date(now - 60_000), new Date(now + day))));
      else if (p.startsWith('/html')) res.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>');
      else res.writeHead(503).end();
    }, 20);
  });
});
after(async () => {
  await server.close();
});

const code = (res: { json(): unknown }): string => (res.json() as { error: string }).error;
const crlUrl = (p: string): string => `/relay/crl?url=${encodeURIComponent(server.url(p))}`;
const relay = (extra: Parameters<typeof relayApp>[0] = {}) => relayApp({ allowLoopbackForTests: true, extraPortsForTests: [server.port, 1], timeoutMs: 1000, ...extra });

describe('relay: negative cache', () => {
  test('20 lookups of a CRL server that answers HTTP 503 → 1 upstream request, 20 × relay-upstream-status', async () => {
    up = false;
    const { app, stats } = await relay();
    const results = [];
    for (let i = 0; i < 20; i++) results.push(await app.inject({ method: 'GET', url: crlUrl('/down.crl') }));
    assert.equal(hits.get('/down.crl'), 1);
    assert.equal(stats.upstreamRequests, 1);
    assert.deepEqual([...new Set(results.map(code))], ['relay-upstream-status']);
    assert.deepEqual([...new Set(results.map((r) => r.statusCode))], [502]);
    assert.equal(results.filter((r) => r.headers['x-signet-relay'] === 'failure-cache').length, 19);
    assert.equal(stats.failureCacheHits, 19);
    assert.equal(stats.refusals['relay-upstream-status'], 20);
    await app.close();
  });

  test('a concurrent flood of 40 readers of a failing server → 1 upstream request, the original code for all', async () => {
    up = false;
    const { app, stats } = await relay();
    const first = await Promise.all(Array.from({ length: 40 }, () => app.inject({ method: 'GET', url: crlUrl('/html-flood.crl') })));
    const later = await Promise.all(Array.from({ length: 40 }, () => app.inject({ method: 'GET', url: crlUrl('/html-flood.crl') })));
    assert.equal(hits.get('/html-flood.crl'), 1);
    assert.equal(stats.upstreamRequests, 1);
    assert.deepEqual([...new Set([...first, ...later].map(code))], ['relay-content-type']);
    assert.equal(stats.failureCacheHits, 40);
    await app.close();
  });

  test('an unreachable OCSP responder is asked once for many different certificates', async () => {
    const { app, stats } = await relay();
    const url = `/relay/ocsp?url=${encodeURIComponent('http://127.0.0.1:1/ocsp')}`;
    const codes: string[] = [];
    for (let serial = 1; serial <= 12; serial++) {
      const res = await app.inject({ method: 'POST', url, headers: { 'content-type': 'application/ocsp-request' }, payload: Buffer.from(ocspRequest([certId(serial)])) });
      codes.push(code(res));
    }
    assert.deepEqual([...new Set(codes)], ['relay-upstream-unreachable']);
    assert.equal(stats.upstreamRequests, 1);
    assert.equal(stats.failureCacheHits, 11);
    await app.close();
  });

  test('after the failure period the server is asked again, and a recovered server answers', async () => {
    up = false;
    let clock = Date.now();
    const { app, stats } = await relay({ now: () => clock, failureCache: { maxEntries: 10, ttlMs: 30_000 } });
    assert.equal(code(await app.inject({ method: 'GET', url: crlUrl('/recovers.crl') })), 'relay-upstream-status');
    up = true;
    clock += 29_000;
    assert.equal(code(await app.inject({ method: 'GET', url: crlUrl('/recovers.crl') })), 'relay-upstream-status');
    assert.equal(hits.get('/recovers.crl'), 1);
    clock += 2_000;
    const res = await app.inject({ method: 'GET', url: crlUrl('/recovers.crl') });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['x-signet-relay'], 'upstream');
    assert.equal(hits.get('/recovers.crl'), 2);
    assert.equal(stats.upstreamRequests, 2);
    up = false;
    await app.close();
  });

  test('the negative cache is bounded: the oldest failure is forgotten first', async () => {
    up = false;
    const { app } = await relay({ failureCache: { maxEntries: 2, ttlMs: 60_000 } });
    for (const p of ['/b1.crl', '/b2.crl', '/b3.crl', '/b2.crl', '/b3.crl']) await app.inject({ method: 'GET', url: crlUrl(p) });
    assert.deepEqual(['/b1.crl', '/b2.crl', '/b3.crl'].map((p) => hits.get(p)), [1, 1, 1]);
    await app.inject({ method: 'GET', url: crlUrl('/b1.crl') });
    assert.equal(hits.get('/b1.crl'), 2);
    await app.close();
  });

  test('a failure period of 0 switches it off; refusals made before any upstream exchange are never remembered', async () => {
    up = false;
    const off = await relay({ failureCache: { maxEntries: 10, ttlMs: 0 } });
    for (let i = 0; i < 3; i++) assert.equal(code(await off.app.inject({ method: 'GET', url: crlUrl('/off.crl') })), 'relay-upstream-status');
    assert.equal(hits.get('/off.crl'), 3);
    await off.app.close();
    // relay-busy is the relay's own state, not the server's: the next lookup once a slot is free goes out.
    const { app, stats } = await relay({ maxConcurrent: 1 });
    const slow = app.inject({ method: 'GET', url: crlUrl('/busy-a.crl') });
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(code(await app.inject({ method: 'GET', url: crlUrl('/busy-b.crl') })), 'relay-busy');
    await slow;
    assert.equal(code(await app.inject({ method: 'GET', url: crlUrl('/busy-b.crl') })), 'relay-upstream-status');
    assert.equal(hits.get('/busy-b.crl'), 1);
    assert.equal(stats.failureCacheHits, 0);
    await app.close();
  });
});
