// Revocation through the relay end to end, against a real `openssl ocsp` responder and a CRL served over
// HTTP on 127.0.0.1: the core's checker with relayFetch() sees good, revoked (date and reason) and CRL
// answers exactly as when fetching directly; a second reader is answered from the relay's cache (the
// responder sees one request per certificate), the cache ends at nextUpdate, a responder that is down is
// 'revocation-unknown', and non-revocation requests are not relayed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { webcrypto } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { cryptoProvider } from '../../../src/core/crypto.js';
import { defaultLimits, resolveConfig } from '../../../src/core/config.js';
import { parseCertificate, type Certificate } from '../../../src/core/pki/certificate.js';
import { checkRevocation } from '../../../src/core/pki/revocation/index.js';
import { relayFetch } from '../../../src/core/pki/revocation/relay-client.js';
import { registerRelay, type RelayStats } from '../../../src/host/relay/relay.js';
import { testPki } from '../../helpers/pki.js';
import { staticServices } from '../../../src/compose/services.js';
import { defaultPolicy } from '../../../src/policy/policy.js';
import { withRecipientRevocation } from '../../../src/taskpane/recipient-revocation.js';
import { paneStapler } from '../../../src/taskpane/staple.js';
import { readFileSync } from 'node:fs';
import { loadIdentities } from '../../../src/keys/identity-file.js';
import { protectMessage } from '../../../src/core/smime/protect.js';
import { openMessage } from '../../../src/core/smime/open.js';
import { freePort, issueResponder, issueUser, makeCrl, revoke, startHttpServer, startOcspResponder, type LocalServer, type RevocationUser } from '../../helpers/revocation.js';

const provider = cryptoProvider(webcrypto as unknown as Crypto);
const config = resolveConfig();
const parse = (der: Uint8Array): Certificate => parseCertificate(der, defaultLimits);

let responder: ChildProcess;
let crlServer: LocalServer;
let app: FastifyInstance;
let stats: RelayStats;
let relayBase: string;
let clock = Date.now();
let inter: Certificate;
let root: Certificate;
let ocspHits = 0;
const u = {} as Record<'good' | 'revoked' | 'crlRevoked' | 'down', RevocationUser>;

before(async () => {
  const pki = testPki();
  inter = parse(pki.intermediateDer);
  root = parse(pki.rootDer);
  const [pOcsp, pDown] = await Promise.all([freePort(), freePort()]);
  let crlBytes: Uint8Array = new Uint8Array();
  crlServer = await startHttpServer((req, res) => {
    if (req.url === '/inter.crl') res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(Buffer.from(crlBytes));
    else res.writeHead(404).end();
  });
  u.good = issueUser('relay-good', { email: 'relay-good@example.org', ocsp: [`http://127.0.0.1:${pOcsp}/`] });
  u.revoked = issueUser('relay-revoked', { email: 'relay-revoked@example.org', ocsp: [`http://127.0.0.1:${pOcsp}/`] });
  u.crlRevoked = issueUser('relay-crl', { email: 'relay-crl@example.org', crl: [crlServer.url('/inter.crl')] });
  u.down = issueUser('relay-down', { email: 'relay-down@example.org', ocsp: [`http://127.0.0.1:${pDown}/`] });
  revoke(u.revoked.certPath, 'keyCompromise');
  revoke(u.crlRevoked.certPath, 'affiliationChanged');
  crlBytes = makeCrl('relay', 'inter');
  const delegated = issueResponder('relay-delegated', 'inter', true);
  responder = await startOcspResponder({ port: pOcsp, rsigner: delegated.certPath, rkey: delegated.keyPath, nmin: 5 });

  app = Fastify({ logger: false });
  app.addHook('onRequest', async (req) => {
    if (req.url.startsWith('/relay/ocsp')) ocspHits++;
  });
  stats = await registerRelay(app, { allowLoopbackForTests: true, extraPortsForTests: [pOcsp, pDown, crlServer.port], timeoutMs: 3000, now: () => clock });
  await app.listen({ port: 0, host: '127.0.0.1' });
  relayBase = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/relay`;
});

after(async () => {
  responder?.kill();
  await app?.close();
  await crlServer?.close();
});

const check = (user: RevocationUser) =>
  checkRevocation([parse(user.certDer), inter, root], { fetch: relayFetch(relayBase, fetch), at: new Date(), mode: 'soft', timeoutMs: 3000, config }, provider);

describe('revocation through the relay', () => {
  test('good, revoked (with date and reason) over OCSP, and revoked over a CRL', async () => {
    const good = await check(u.good);
    assert.equal(good.code, 'ok');
    assert.equal(good.certificates[0]!.evidence.status, 'good');
    assert.equal(good.certificates[0]!.evidence.method, 'ocsp');
    assert.match(good.certificates[0]!.evidence.source!, /^http:\/\/127\.0\.0\.1:\d+\/$/);

    const revoked = await check(u.revoked);
    assert.equal(revoked.code, 'revoked');
    assert.equal(revoked.certificates[0]!.evidence.reason, 'keyCompromise');
    assert.ok(revoked.certificates[0]!.evidence.revokedAt);

    const viaCrl = await check(u.crlRevoked);
    assert.equal(viaCrl.code, 'revoked');
    assert.equal(viaCrl.certificates[0]!.evidence.method, 'crl');
    assert.equal(viaCrl.certificates[0]!.evidence.reason, 'affiliationChanged');
  });

  test('a second reader is answered from the relay cache; the cache ends at nextUpdate', async () => {
    await check(u.good);
    const upstream = stats.upstreamRequests;
    const hits = stats.cacheHits;
    const again = await check(u.good); // a new reader: the core's own cache is empty
    assert.equal(again.code, 'ok');
    assert.equal(stats.upstreamRequests, upstream);
    assert.equal(stats.cacheHits, hits + 1);
    // openssl ocsp -nmin 5: nextUpdate is 5 minutes after thisUpdate.
    clock = Date.now() + 6 * 60_000;
    await check(u.good);
    assert.equal(stats.upstreamRequests, upstream + 1);
    clock = Date.now();
  });

  test('a responder that is down gives revocation-unknown, never good', async () => {
    const down = await check(u.down);
    assert.equal(down.code, 'revocation-unknown');
    assert.equal(down.certificates[0]!.evidence.status, 'unknown');
    assert.equal(down.certificates[0]!.evidence.problem, 'http-status');
    assert.ok((stats.refusals['relay-upstream-unreachable'] ?? 0) >= 1);
  });

  test('requests other than OCSP and CRL are not relayed', async () => {
    const f = relayFetch(relayBase, fetch);
    const before = ocspHits;
    await assert.rejects(f('http://ca.example.com/inter.cer', { method: 'GET', headers: { accept: 'application/pkix-cert' } }), TypeError);
    await assert.rejects(f('http://ocsp.example.com/', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }), TypeError);
    assert.equal(ocspHits, before);
  });
});

describe('recipients re-checked before encrypting', () => {
  const certificates = () =>
    new Map([u.good, u.revoked, u.down].map((x) => [x.email, { certificate: x.certDer }] as const));
  const services = (mode: 'soft' | 'hard', relay: string | null) => {
    const policy = defaultPolicy();
    policy.revocation = { mode, relay };
    const notes = new Map<string, string>();
    const s = withRecipientRevocation(
      staticServices({ certificates: certificates() }),
      { policy, config: resolveConfig({ revocationMode: mode }), anchors: [testPki().rootDer], intermediates: [testPki().intermediateDer], base: undefined },
      notes,
    );
    return { s, notes };
  };

  test('soft mode: the revoked recipient is missing with date and reason; good and unknown stay ready with notes', async () => {
    const { s, notes } = services('soft', relayBase);
    const r = await s.readiness('me@example.org', [u.good.email, u.revoked.email, u.down.email]);
    assert.deepEqual(r.ready.map((x) => x.address).sort(), [u.down.email, u.good.email].sort());
    assert.equal(r.missing.length, 1);
    assert.equal(r.missing[0]!.address, u.revoked.email);
    assert.match(r.missing[0]!.reason, /^Its certificate was revoked on .+ \(keyCompromise\) via OCSP http:\/\/127\.0\.0\.1:\d+\/\./);
    assert.match(notes.get(u.good.email)!, /^not revoked via OCSP/);
    assert.match(notes.get(u.down.email)!, /^revocation unknown via OCSP/);
  });

  test('hard mode: the unknown recipient is missing too', async () => {
    const { s } = services('hard', relayBase);
    const r = await s.readiness('me@example.org', [u.good.email, u.revoked.email, u.down.email]);
    assert.deepEqual(r.ready.map((x) => x.address), [u.good.email]);
    assert.deepEqual(r.missing.map((x) => x.address).sort(), [u.down.email, u.revoked.email].sort());
  });

  test('without a relay nothing is checked and nothing is fetched', async () => {
    const before = stats.requests;
    const { s, notes } = services('hard', null);
    const r = await s.readiness('me@example.org', [u.good.email, u.revoked.email]);
    assert.equal(r.ready.length, 2);
    assert.equal(notes.size, 0);
    assert.equal(stats.requests, before);
  });
});

describe('stapling in the add-in, through the relay', () => {
  test('the pane staples a good OCSP answer fetched through the relay; the message then verifies with no network', async () => {
    const policy = defaultPolicy();
    policy.revocation = { mode: 'hard', relay: relayBase };
    const stapler = paneStapler(policy, config, undefined)!;
    const [identity] = await loadIdentities(new Uint8Array(readFileSync(u.good.identityPemPath)), undefined, provider);
    const staple = await stapler(identity!);
    assert.equal(staple?.ocspResponses?.length, 1);
    const msg = await protectMessage(new TextEncoder().encode(`From: ${u.good.email}\r\nSubject: s\r\nContent-Type: text/plain\r\n\r\nhi\r\n`), { sign: { identity: identity!, revocationInfo: staple }, provider });
    const offline = (async () => {
      throw new TypeError('no network');
    }) as unknown as typeof fetch;
    const { verdict } = await openMessage(msg, { anchors: [testPki().rootDer], fetch: offline, config: { revocationMode: 'hard' }, provider });
    assert.equal(verdict.status, 'valid');
    assert.equal(verdict.signer!.chain[0]!.revocation!.stapled, true);
  });

  test('without a relay the pane staples nothing', () => {
    assert.equal(paneStapler(defaultPolicy(), config, undefined), undefined);
  });
});
