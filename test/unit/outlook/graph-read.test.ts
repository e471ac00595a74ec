// Graph `GET /me/messages/{id}/$value` (outlook/graph-read.ts) against a local HTTP server that checks the
// request shape Microsoft documents: the path with the REST id, the bearer token, no cookies. Error bodies
// in Graph's `{"error":{"code","message"}}` shape become typed errors a person understands; an oversized
// body is abandoned, not buffered.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignetError } from '../../../src/core/errors.js';
import { graphMimeSource, NO_GRAPH } from '../../../src/outlook/graph-read.js';

let server: Server;
let base: string;
const seen: { url: string; auth: string | undefined; cookie: string | undefined }[] = [];

before(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', auth: req.headers.authorization, cookie: req.headers.cookie });
    const m = /^\/v1\.0\/me\/messages\/([^/]+)\/\$value$/.exec(req.url ?? '');
    const id = m ? decodeURIComponent(m[1]!) : '';
    const error = (status: number, code: string, message: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      res.end(JSON.stringify({ error: { code, message } }));
    };
    if (req.method !== 'GET' || !m) return error(400, 'BadRequest', 'unexpected request');
    if (req.headers.authorization !== 'Bearer t0ken') return error(401, 'InvalidAuthenticationToken', 'Access token is empty.');
    if (id === 'forbidden') return error(403, 'ErrorAccessDenied', 'Access is denied.');
    if (id === 'missing') return error(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
    if (id === 'busy') return error(429, 'ApplicationThrottled', 'Too many requests.', { 'Retry-After': '7' });
    if (id === 'huge') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      // No Content-Length: the cap must hold while streaming.
      for (let i = 0; i < 64; i++) res.write(Buffer.alloc(1024, 0x41));
      return res.end();
    }
    if (id === 'empty') {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': '0' });
      return res.end();
    }
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end(`From: alice@example.org\r\nMessage-Id: <${id}>\r\n\r\nhello`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1.0`;
});

after(() => new Promise<void>((r) => server.close(() => r())));

function source(token = 't0ken', maxBytes = 16 * 1024) {
  return graphMimeSource({ baseUrl: base + '/', getToken: () => Promise.resolve(token), fetch, maxBytes });
}

async function rejectsWith(p: Promise<unknown>, code: string, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof SignetError && e.code === code && pattern.test(e.message));
}

test('the MIME comes back byte for byte, the id is path-encoded and the token sent as a bearer', async () => {
  seen.length = 0;
  const bytes = await source().fetchMime('AAMk/a+b=');
  assert.equal(new TextDecoder().decode(bytes), 'From: alice@example.org\r\nMessage-Id: <AAMk/a+b=>\r\n\r\nhello');
  assert.deepEqual(seen, [{ url: '/v1.0/me/messages/AAMk%2Fa%2Bb%3D/$value', auth: 'Bearer t0ken', cookie: undefined }]);
});

test("Graph's errors become plain, typed messages", async () => {
  await rejectsWith(source('stale').fetchMime('x'), 'network', /did not accept Signet's sign-in \(InvalidAuthenticationToken/);
  await rejectsWith(source().fetchMime('forbidden'), 'network', /Mail\.Read permission/);
  await rejectsWith(source().fetchMime('missing'), 'network', /moved or deleted/);
  await rejectsWith(source().fetchMime('busy'), 'network', /throttling.*in 7 seconds/);
});

test('an oversized body is abandoned with limit-exceeded; an empty one is malformed', async () => {
  await rejectsWith(source('t0ken', 8 * 1024).fetchMime('huge'), 'limit-exceeded', /larger than Signet opens/);
  await rejectsWith(source().fetchMime('empty'), 'malformed-mime', /empty message/);
});

test('an unreachable Graph is a network error; no Graph set up is a usage error', async () => {
  const down = graphMimeSource({ baseUrl: 'http://127.0.0.1:1/v1.0', getToken: () => Promise.resolve('t0ken'), fetch, maxBytes: 1024 });
  await rejectsWith(down.fetchMime('x'), 'network', /could not be reached/);
  assert.equal(NO_GRAPH.available, false);
  await rejectsWith(NO_GRAPH.fetchMime('x'), 'usage', /not set up/);
});
