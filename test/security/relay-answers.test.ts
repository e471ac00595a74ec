// The revocation relay against hostile answers and hostile clients (issue 15 item 6): oversized and slow
// answers, malformed OCSP/CRL bodies and media types, malformed or oversized OCSP requests, and floods —
// each with its own refusal code; identical concurrent lookups share one upstream exchange.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { certId, crl, loopbackServer, ocspRequest, ocspResponse, relayApp, type LoopbackServer } from '../helpers/relay.js';

const day = 24 * 3600_000;
let server: LoopbackServer;
const held: ServerResponse[] = [];
let crlHits = 0;

before(async () => {
  server = await loopbackServer((req, res) => {
    const p = req.url ?? '';
    const now = Date.now();
    if (p.startsWith('/crl')) {
      crlHits++;
      // A little latency so that concurrent identical requests overlap.
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(Buffer.from(crl(new Date(now - 60_000), new Date(now + day)))), 50);
    } else if (p === '/ocsp') res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(Buffer.from(ocspResponse(new Date(now - 60_000), new Date(now + day))));
    else if (p === '/big-declared') res.writeHead(200, { 'content-type': 'application/pkix-crl', 'content-length': String(10_000_000) }).end();
    else if (p === '/big-chunked') {
      res.writeHead(200, { 'content-type': 'application/pkix-crl' });
      const chunk = Buffer.alloc(16 * 1024, 0x30);
      let sent = 0;
      const pump = (): void => {
        while (sent < 200 && res.write(chunk)) sent++;
        if (sent < 200) res.once('drain', pump);
        else res.end();
      };
      res.on('error', () => undefined);
      pump();
    } else if (p.startsWith('/silent')) held.push(res);
    else if (p === '/drip') {
      res.writeHead(200, { 'content-type': 'application/pkix-crl' });
      res.write(Buffer.from([0x30]));
      held.push(res);
      const t = setInterval(() => (res.writableEnded || res.destroyed ? clearInterval(t) : res.write(Buffer.from([0x00]))), 100);
      res.on('close', () => clearInterval(t));
    } else if (p === '/html') res.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>');
    else if (p === '/garbage-crl') res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end('this is not DER');
    else if (p === '/garbage-ocsp') res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(Buffer.from([0x30, 0x03, 0x0a, 0x01]));
    else if (p === '/as-ocsp') res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(Buffer.from(crl(new Date(now), new Date(now + day))));
    else if (p === '/error') res.writeHead(500).end();
    else res.writeHead(404).end();
  });
});
after(async () => {
  for (const r of held) r.destroy();
  await server.close();
});

const relay = (extra: Parameters<typeof relayApp>[0] = {}) => relayApp({ allowLoopbackForTests: true, extraPortsForTests: [server.port], timeoutMs: 1000, maxCrlBytes: 64 * 1024, ...extra });
const crlUrl = (p: string): string => `/relay/crl?url=${encodeURIComponent(server.url(p))}`;
const ocspUrl = (p: string): string => `/relay/ocsp?url=${encodeURIComponent(server.url(p))}`;
const code = (res: { json(): unknown }): string => (res.json() as { error: string }).error;
const ocspPost = (p: string, payload: Uint8Array = ocspRequest(), type = 'application/ocsp-request') => ({ method: 'POST' as const, url: ocspUrl(p), headers: { 'content-type': type }, payload: Buffer.from(payload) });

describe('relay: upstream answers', () => {
  test('an answer declared larger than the cap is relay-too-large without reading it', async () => {
    const { app } = await relay();
    const res = await app.inject({ method: 'GET', url: crlUrl('/big-declared') });
    assert.equal(res.statusCode, 502);
    assert.equal(code(res), 'relay-too-large');
    await app.close();
  });

  test('a chunked answer growing past the cap is cut off as relay-too-large', async () => {
    const { app } = await relay();
    const res = await app.inject({ method: 'GET', url: crlUrl('/big-chunked') });
    assert.equal(code(res), 'relay-too-large');
    await app.close();
  });

  test('a server that never answers, and one that drips its body, are relay-timeout within the deadline', async () => {
    const { app } = await relay({ timeoutMs: 500 });
    for (const p of ['/silent', '/drip']) {
      const t0 = Date.now();
      const res = await app.inject({ method: 'GET', url: crlUrl(p) });
      assert.equal(res.statusCode, 504, p);
      assert.equal(code(res), 'relay-timeout', p);
      assert.ok(Date.now() - t0 < 3000, `${p} took ${Date.now() - t0} ms`);
    }
    await app.close();
  });

  test('wrong media types, bodies that are not OCSP/CRL DER, and HTTP errors are refused', async () => {
    const { app } = await relay();
    assert.equal(code(await app.inject({ method: 'GET', url: crlUrl('/html') })), 'relay-content-type');
    assert.equal(code(await app.inject(ocspPost('/html'))), 'relay-content-type');
    assert.equal(code(await app.inject(ocspPost('/crl'))), 'relay-content-type');
    assert.equal(code(await app.inject({ method: 'GET', url: crlUrl('/garbage-crl') })), 'relay-malformed-response');
    assert.equal(code(await app.inject({ method: 'GET', url: crlUrl('/ocsp') })), 'relay-content-type');
    assert.equal(code(await app.inject(ocspPost('/garbage-ocsp'))), 'relay-malformed-response');
    assert.equal(code(await app.inject(ocspPost('/as-ocsp'))), 'relay-malformed-response');
    assert.equal(code(await app.inject({ method: 'GET', url: crlUrl('/error') })), 'relay-upstream-status');
    const closed = await app.inject({ method: 'GET', url: `/relay/crl?url=${encodeURIComponent('http://127.0.0.1:1/x.crl')}` });
    assert.equal(code(closed), 'relay-port');
    await app.close();
    const withPort1 = await relayApp({ allowLoopbackForTests: true, extraPortsForTests: [1] });
    assert.equal(code(await withPort1.app.inject({ method: 'GET', url: `/relay/crl?url=${encodeURIComponent('http://127.0.0.1:1/x.crl')}` })), 'relay-upstream-unreachable');
    await withPort1.app.close();
  });

  test('a good OCSP answer is passed through as application/ocsp-response', async () => {
    const { app } = await relay();
    const res = await app.inject(ocspPost('/ocsp', ocspRequest([certId()], true)));
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/ocsp-response');
    assert.deepEqual(new Uint8Array(res.rawPayload).subarray(0, 2), new Uint8Array([0x30, res.rawPayload[1]!]));
    await app.close();
  });
});

describe('relay: client requests', () => {
  test('OCSP requests must be one unsigned request for one certificate, as application/ocsp-request, small', async () => {
    const { app, stats } = await relay();
    assert.equal(code(await app.inject(ocspPost('/ocsp', ocspRequest(), 'application/json'))), 'relay-request-content-type');
    assert.equal(code(await app.inject(ocspPost('/ocsp', ocspRequest(), 'text/plain'))), 'relay-request-content-type');
    assert.equal(code(await app.inject({ method: 'POST', url: ocspUrl('/ocsp') })), 'relay-request-content-type');
    assert.equal((await app.inject(ocspPost('/ocsp', new Uint8Array(5000).fill(0x30)))).statusCode, 413);
    assert.equal(code(await app.inject(ocspPost('/ocsp', new Uint8Array(5000).fill(0x30)))), 'relay-request-too-large');
    assert.equal(code(await app.inject(ocspPost('/ocsp', new TextEncoder().encode('GET / HTTP/1.1')))), 'relay-malformed-request');
    assert.equal(code(await app.inject(ocspPost('/ocsp', ocspRequest([certId(1), certId(2)])))), 'relay-malformed-request');
    assert.equal(code(await app.inject(ocspPost('/ocsp', ocspRequest([])))), 'relay-malformed-request');
    assert.equal(code(await app.inject({ method: 'GET', url: '/relay/anything' })), 'relay-not-found');
    assert.equal(stats.upstreamRequests, 0);
    await app.close();
  });
});

describe('relay: floods', () => {
  test('a client over its rate limit is relay-rate-limited', async () => {
    const { app } = await relay({ rateLimit: { max: 5, timeWindowMs: 60_000 } });
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) codes.push((await app.inject({ method: 'GET', url: crlUrl('/crl') })).statusCode);
    assert.deepEqual(codes, [200, 200, 200, 200, 200, 429, 429]);
    assert.equal(code(await app.inject({ method: 'GET', url: crlUrl('/crl') })), 'relay-rate-limited');
    await app.close();
  });

  test('over the global concurrency cap, new upstream lookups are relay-busy at once', async () => {
    const { app, stats } = await relay({ maxConcurrent: 2, timeoutMs: 800 });
    const slow = [app.inject({ method: 'GET', url: crlUrl('/silent') }), app.inject({ method: 'GET', url: crlUrl('/silent?2') })];
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    const third = await app.inject({ method: 'GET', url: crlUrl('/crl?3') });
    assert.equal(third.statusCode, 503);
    assert.equal(code(third), 'relay-busy');
    assert.ok(Date.now() - t0 < 300);
    assert.deepEqual((await Promise.all(slow)).map(code), ['relay-timeout', 'relay-timeout']);
    assert.equal(stats.inFlight, 0);
    await app.close();
  });

  test('many concurrent readers of the same CRL cause one upstream request', async () => {
    const { app, stats } = await relay();
    const before = crlHits;
    const all = await Promise.all(Array.from({ length: 40 }, () => app.inject({ method: 'GET', url: crlUrl('/crl?shared') })));
    assert.ok(all.every((r) => r.statusCode === 200));
    assert.equal(crlHits - before, 1);
    assert.equal(stats.upstreamRequests, 1);
    assert.equal(stats.shared + stats.cacheHits, 39);
    await app.close();
  });
});
