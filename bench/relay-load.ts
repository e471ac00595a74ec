// `npm run bench:relay`: load on the revocation relay (src/host/relay/) over loopback — many concurrent
// readers asking about the same and different certificates, against a real `openssl ocsp` responder and a
// CRL served over HTTP. Bounded in count and time (REQUESTS requests, at most DEADLINE_MS). Reports
// requests per second, p50/p95/p99 latency, upstream requests saved by the shared cache and in-flight
// sharing, and the process's memory. A benchmark, not a test: it asserts nothing.
//
// Every reader here comes from 127.0.0.1, so the per-client rate limit is raised for the run (in production
// each reader has its own address); the global concurrency cap stays at its default.
import { webcrypto } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import Fastify from 'fastify';
import { cryptoProvider } from '../src/core/crypto.js';
import { defaultLimits } from '../src/core/config.js';
import { parseCertificate } from '../src/core/pki/certificate.js';
import { buildOcspRequest } from '../src/core/pki/revocation/ocsp.js';
import { registerRelay, RELAY_DEFAULTS } from '../src/host/relay/relay.js';
import { testPki } from '../test/helpers/pki.js';
import { freePort, issueResponder, issueUser, makeCrl, revoke, startHttpServer, startOcspResponder } from '../test/helpers/revocation.js';

const CERTIFICATES = 24;
const READERS = 64;
const REQUESTS = Number(process.env['RELAY_BENCH_REQUESTS'] ?? 6000);
const DEADLINE_MS = 60_000;

const provider = cryptoProvider(webcrypto as unknown as Crypto);
const pki = testPki();
const inter = parseCertificate(pki.intermediateDer, defaultLimits);

async function main(): Promise<void> {
  const pOcsp = await freePort();
  let crlHits = 0;
  let ocspRequests = 0;
  const crl = makeCrl('bench', 'inter');
  const crlServer = await startHttpServer((_req, res) => {
    crlHits++;
    res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(Buffer.from(crl));
  });
  process.stdout.write(`issuing ${CERTIFICATES} certificates…\n`);
  const users = Array.from({ length: CERTIFICATES }, (_, i) => issueUser(`bench${i}`, { email: `bench${i}@example.org`, ocsp: [`http://127.0.0.1:${pOcsp}/`] }));
  for (let i = 0; i < CERTIFICATES; i += 6) revoke(users[i]!.certPath, 'keyCompromise');
  const delegated = issueResponder('bench-delegated', 'inter', true);
  const responder: ChildProcess = await startOcspResponder({ port: pOcsp, rsigner: delegated.certPath, rkey: delegated.keyPath, nmin: 10 });
  // Readers send what the pane sends: one CertID and a fresh nonce each time (the relay strips the nonce).
  const requests = await Promise.all(users.map(async (u) => (await buildOcspRequest(parseCertificate(u.certDer, defaultLimits), inter, provider, { limits: defaultLimits })).der));

  const app = Fastify({ logger: false });
  app.addHook('onRequest', async (req) => {
    if (req.url.startsWith('/relay/ocsp')) ocspRequests++;
  });
  const stats = await registerRelay(app, {
    allowLoopbackForTests: true,
    extraPortsForTests: [pOcsp, crlServer.port],
    rateLimit: { max: 1_000_000, timeWindowMs: 60_000 },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/relay`;
  const ocspUrl = `${base}/ocsp?url=${encodeURIComponent(`http://127.0.0.1:${pOcsp}/`)}`;
  const crlUrl = `${base}/crl?url=${encodeURIComponent(crlServer.url('/inter.crl'))}`;

  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let peakRss = process.memoryUsage().rss;
  const rssAtStart = peakRss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  let issued = 0;
  const t0 = performance.now();
  // Popular certificates are asked about more often (a few senders write to many readers): index ~ u^2.
  const pick = (): number => Math.floor(Math.random() ** 2 * CERTIFICATES);
  async function reader(): Promise<void> {
    while (issued < REQUESTS && performance.now() - t0 < DEADLINE_MS) {
      issued++;
      const crlAsk = Math.random() < 0.25;
      const s = performance.now();
      const res = crlAsk
        ? await fetch(crlUrl)
        : await fetch(ocspUrl, { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: requests[pick()]! as Uint8Array<ArrayBuffer> });
      await res.arrayBuffer();
      latencies.push(performance.now() - s);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    }
  }
  await Promise.all(Array.from({ length: READERS }, reader));
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  latencies.sort((a, b) => a - b);
  const q = (p: number): string => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!.toFixed(1);
  const mb = (b: number): string => (b / 2 ** 20).toFixed(0);
  const answered = latencies.length;
  process.stdout.write(
    [
      `relay load: ${answered} requests from ${READERS} concurrent readers about ${CERTIFICATES} certificates (${CERTIFICATES - Math.ceil(CERTIFICATES / 6)} good, ${Math.ceil(CERTIFICATES / 6)} revoked) + 1 CRL, in ${seconds.toFixed(1)} s`,
      `  throughput      ${(answered / seconds).toFixed(0)} requests/s`,
      `  latency         p50 ${q(0.5)} ms, p95 ${q(0.95)} ms, p99 ${q(0.99)} ms, max ${latencies[latencies.length - 1]!.toFixed(1)} ms`,
      `  HTTP statuses   ${[...statuses].map(([k, v]) => `${k}: ${v}`).join(', ')}`,
      `  upstream        ${stats.upstreamRequests} exchanges (OCSP responder + CRL server; the CRL server saw ${crlHits}) for ${answered} requests (${ocspRequests} OCSP): ${answered - stats.upstreamRequests} saved (${(((answered - stats.upstreamRequests) / answered) * 100).toFixed(1)} %) — ${stats.cacheHits} from the cache, ${stats.shared} by sharing an exchange in flight`,
      `  memory          RSS ${mb(rssAtStart)} MiB at start, peak ${mb(peakRss)} MiB (relay, responder client and load generator in one process); cache ${stats.cacheEntries} entries, ${(stats.cacheBytes / 1024).toFixed(0)} KiB; cap ${RELAY_DEFAULTS.maxConcurrent} concurrent upstream exchanges`,
    ].join('\n') + '\n',
  );
  await app.close();
  await crlServer.close();
  responder.kill();
}

await main();
