// AIA caIssuers (RFC 5280 §4.2.2.1): a signer whose message omits the intermediate is completed from the
// URL in its certificate, served here by a node:http server on 127.0.0.1. The fetch is injected, cached,
// bounded (fetch count, timeout, size) and speaks http(s) only.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFileSync } from 'node:child_process';
import { openMessage } from '../../../src/core/smime/open.js';
import { protectMessage } from '../../../src/core/smime/protect.js';
import { IssuerFetcher, caIssuersUrls, certificatesFromResponse } from '../../../src/core/pki/aia.js';
import { parseCertificate } from '../../../src/core/pki/certificate.js';
import { validateChain } from '../../../src/core/pki/chain.js';
import { privateKeyFromPkcs8 } from '../../../src/core/private-key.js';
import { CA_EXT, config, issue, leafExt, linkStatuses, provider, signAndVerify, type TestCert } from './helpers.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const routes = new Map<string, Handler>();
const hits: string[] = [];
const server = createServer((req, res) => {
  hits.push(req.url ?? '');
  const h = routes.get(req.url ?? '');
  if (h) h(req, res);
  else res.writeHead(404).end();
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
after(() => {
  server.closeAllConnections();
  server.close();
});

const root = issue('aia-root', { subject: '/CN=AIA Root', ext: CA_EXT, from: -10, to: 3650 });
const inter = issue('aia-inter', { subject: '/CN=AIA Intermediate', ext: CA_EXT, issuer: root });
const interP7 = new Uint8Array(execFileSync('openssl', ['crl2pkcs7', '-nocrl', '-certfile', inter.certPath, '-outform', 'DER']));

function leafWithAia(name: string, path: string, issuer: TestCert = inter): TestCert {
  return issue(name, { subject: `/CN=${name}`, ext: leafExt(`${name}@example.org`, `authorityInfoAccess=caIssuers;URI:${base}${path}\n`), issuer });
}
const serve = (path: string, body: Uint8Array, type = 'application/pkix-cert'): void => {
  routes.set(path, (_req, res) => res.writeHead(200, { 'content-type': type }).end(body));
};
const count = (path: string): number => hits.filter((h) => h === path).length;
/** A fresh fetch function per test: the cache is per fetch function. */
const freshFetch = (): typeof fetch => ((input, init) => fetch(input, init)) as typeof fetch;

test('the intermediate the message omits is fetched from caIssuers (DER), once: the second verification uses the cache', async () => {
  serve('/inter.cer', inter.der);
  const leaf = leafWithAia('der-leaf', '/inter.cer');
  const offline = await signAndVerify(leaf, [], [root]);
  assert.equal(offline.status, 'untrusted');
  assert.equal(offline.code, 'no-path');
  assert.equal(count('/inter.cer'), 0, 'nothing is fetched without an injected fetch');

  const f = freshFetch();
  const s = await signAndVerify(leaf, [], [root], { fetch: f });
  assert.equal(s.status, 'valid', s.reason);
  assert.deepEqual(s.chain.map((c) => c.subject), ['CN=der-leaf', 'CN=AIA Intermediate', 'CN=AIA Root']);
  assert.deepEqual(linkStatuses(s), ['ok', 'ok', 'ok']);
  assert.equal(count('/inter.cer'), 1);

  const again = await signAndVerify(leaf, [], [root], { fetch: f });
  assert.equal(again.status, 'valid');
  assert.equal(count('/inter.cer'), 1, 'served from the cache');
});

test('a PKCS#7 certs-only response (.p7c) works too', async () => {
  serve('/inter.p7c', interP7, 'application/pkcs7-mime');
  const leaf = leafWithAia('p7-leaf', '/inter.p7c');
  const s = await signAndVerify(leaf, [], [root], { fetch: freshFetch() });
  assert.equal(s.status, 'valid', s.reason);
  assert.equal(s.chain.length, 3);
  assert.equal(certificatesFromResponse(interP7, config.limits).length, 1);
});

test('when the message already completes the path nothing is fetched', async () => {
  serve('/unused.cer', inter.der);
  const leaf = leafWithAia('complete-leaf', '/unused.cer');
  const s = await signAndVerify(leaf, [inter], [root], { fetch: freshFetch() });
  assert.equal(s.status, 'valid');
  assert.equal(count('/unused.cer'), 0);
});

test('a fetched certificate that does not lead to a trusted root helps nothing: untrusted', async () => {
  const otherRoot = issue('aia-other-root', { subject: '/CN=AIA Other Root', ext: CA_EXT });
  const otherInter = issue('aia-other-inter', { subject: '/CN=AIA Other Intermediate', ext: CA_EXT, issuer: otherRoot });
  serve('/other.cer', otherInter.der);
  const leaf = leafWithAia('other-leaf', '/other.cer', otherInter);
  const s = await signAndVerify(leaf, [], [root], { fetch: freshFetch() });
  assert.equal(s.status, 'untrusted');
  assert.equal(s.code, 'no-path');
  assert.equal(s.chain[1]!.subject, 'CN=AIA Other Intermediate');
});

test('HTTP errors, oversized and garbage responses are soft failures: untrusted / no-path, no crash', async () => {
  routes.set('/500', (_q, res) => res.writeHead(500).end());
  routes.set('/huge', (_q, res) => {
    res.writeHead(200); // no content-length: the cap applies while reading
    res.end(new Uint8Array(600 * 1024));
  });
  serve('/garbage', new TextEncoder().encode('not a certificate'));
  for (const path of ['/500', '/huge', '/garbage', '/missing']) {
    const leaf = leafWithAia(`bad${path.slice(1)}-leaf`, path);
    const s = await signAndVerify(leaf, [], [root], { fetch: freshFetch() });
    assert.equal(s.status, 'untrusted', path);
    assert.equal(s.code, 'no-path', path);
  }
});

test('a server that never answers is cut off by the timeout', async () => {
  routes.set('/slow', () => {
    /* never responds */
  });
  const leaf = leafWithAia('slow-leaf', '/slow');
  const t0 = Date.now();
  const r = await validateChain(
    parseCertificate(leaf.der, config.limits),
    {
      anchors: [parseCertificate(root.der, config.limits)],
      intermediates: [],
      at: new Date(),
      signingTime: null,
      config,
      purpose: 'email-signing',
      aia: { fetch: freshFetch(), timeoutMs: 300 },
    },
    provider,
  );
  assert.ok(Date.now() - t0 < 3000, 'bounded by timeoutMs');
  assert.equal(r.status, 'untrusted');
  assert.equal(r.code, 'no-path');
});

test('only http and https URLs are used, at most maxFetches requests per validation', async () => {
  const mixed = issue('mixed-leaf', {
    subject: '/CN=mixed-leaf',
    ext: leafExt('m@example.org', `authorityInfoAccess=caIssuers;URI:ldap://127.0.0.1/cn=x,caIssuers;URI:file:///etc/passwd,caIssuers;URI:${base}/m1,caIssuers;URI:${base}/m2\n`),
    issuer: inter,
  });
  const cert = parseCertificate(mixed.der, config.limits);
  assert.deepEqual(caIssuersUrls(cert, config.limits), [`${base}/m1`, `${base}/m2`]);
  const fetcher = new IssuerFetcher({ fetch: freshFetch(), maxFetches: 1 }, config.limits);
  await fetcher.issuersOf(cert);
  assert.equal(fetcher.fetches, 1);
  assert.equal(count('/m1'), 1);
  assert.equal(count('/m2'), 0);
});

test('openMessage passes its fetch to path building, and --offline (offline: true) fetches nothing', async () => {
  serve('/msg-inter.cer', inter.der);
  const leaf = leafWithAia('msg-leaf', '/msg-inter.cer');
  const identity = { certificate: leaf.der, chain: [], privateKey: privateKeyFromPkcs8(leaf.keyPkcs8, provider) };
  const msg = await protectMessage(new TextEncoder().encode('From: msg-leaf@example.org\r\nTo: b@example.org\r\nSubject: aia\r\n\r\nhello\r\n'), {
    sign: { identity },
    provider,
  });
  const off = await openMessage(msg, { anchors: [root.der], fetch: freshFetch(), offline: true, provider });
  assert.equal(off.verdict.status, 'untrusted');
  assert.equal(count('/msg-inter.cer'), 0);
  const on = await openMessage(msg, { anchors: [root.der], fetch: freshFetch(), provider });
  assert.equal(on.verdict.status, 'valid', on.verdict.summary);
  assert.equal(on.verdict.signer!.chain.length, 3);
  assert.equal(count('/msg-inter.cer'), 1);
});
