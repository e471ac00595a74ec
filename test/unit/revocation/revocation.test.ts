// Revocation checking against a real `openssl ocsp` responder and CRLs served by node:http, all on
// 127.0.0.1: good, revoked, unknown, responder down (soft and hard), stale, replayed, unauthorised
// responders, CRL fallback, CRL-only revocation, a CRL signed by the wrong key, CRL scope, timeouts, the
// cache, the revocation-time rule, and the `signet verify` command line end to end.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { webcrypto } from 'node:crypto';
import { cryptoProvider } from '../../../src/core/crypto.js';
import { defaultLimits, resolveConfig, type ConfigOverrides } from '../../../src/core/config.js';
import { isSignetError } from '../../../src/core/errors.js';
import { parseCertificate, type Certificate } from '../../../src/core/pki/certificate.js';
import { buildOcspRequest, validateOcspResponse } from '../../../src/core/pki/revocation/ocsp.js';
import { verifyCrl } from '../../../src/core/pki/revocation/crl.js';
import { checkRevocation, MemoryRevocationCache, revocationCounts, type RevocationOptions } from '../../../src/core/pki/revocation/index.js';
import { protectMessage } from '../../../src/core/smime/protect.js';
import { openMessage } from '../../../src/core/smime/open.js';
import { loadIdentities } from '../../../src/keys/identity-file.js';
import { SIGNET_BIN } from '../../helpers/cli.js';
import { testPki } from '../../helpers/pki.js';
import {
  freePort,
  issueResponder,
  issueUser,
  makeCrl,
  revoke,
  startHttpServer,
  startOcspResponder,
  type LocalServer,
  type RevocationUser,
} from '../../helpers/revocation.js';

const provider = cryptoProvider(webcrypto as unknown as Crypto);
const config = resolveConfig();
const parse = (der: Uint8Array): Certificate => parseCertificate(der, defaultLimits);

const responders: ChildProcess[] = [];
let http: LocalServer;
let inter: Certificate;
let root: Certificate;
const u = {} as Record<
  | 'good'
  | 'revoked'
  | 'unknown'
  | 'down'
  | 'fallback'
  | 'crlRevoked'
  | 'crlPem'
  | 'crlWrongKey'
  | 'crlCaOnly'
  | 'unauth'
  | 'noEku'
  | 'caSigned'
  | 'hang'
  | 'replay',
  RevocationUser
>;
const routes = new Map<string, Uint8Array | 'hang'>();
/** Requests the hanging route is holding open, ended in after(). */
const held: { end(): void }[] = [];

/** A fetch that counts calls and refuses anything but 127.0.0.1 (the tests never leave loopback). */
function loopbackFetch(counter?: { n: number }): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    if (url.hostname !== '127.0.0.1') throw new Error(`test refused a request to ${url.hostname}`);
    if (counter) counter.n++;
    return fetch(url, init);
  }) as typeof fetch;
}

function options(over: Partial<RevocationOptions> = {}): RevocationOptions {
  return { fetch: loopbackFetch(), at: new Date(), mode: 'soft', timeoutMs: 3000, config, ...over };
}

function pathOf(user: RevocationUser): Certificate[] {
  return [parse(user.certDer), inter, root];
}

async function signedMessage(user: RevocationUser): Promise<Uint8Array> {
  const [identity] = await loadIdentities(new Uint8Array(readFileSync(user.identityPemPath)), undefined, provider);
  const msg = `From: ${user.email}\r\nTo: reader@example.org\r\nSubject: revocation\r\nDate: ${new Date().toUTCString()}\r\n` +
    'Content-Type: text/plain\r\n\r\nHello.\r\n';
  return protectMessage(new TextEncoder().encode(msg), { sign: { identity: identity! }, provider });
}

async function open(user: RevocationUser, cfg: ConfigOverrides = {}, fetchImpl: typeof fetch | null = loopbackFetch()) {
  const msg = await signedMessage(user);
  return (await openMessage(msg, { anchors: [testPki().rootDer], fetch: fetchImpl ?? undefined, config: cfg, provider })).verdict;
}

before(async () => {
  const pki = testPki();
  inter = parse(pki.intermediateDer);
  root = parse(pki.rootDer);
  http = await startHttpServer((req, res) => {
    const body = routes.get(req.url ?? '');
    if (body === 'hang') {
      held.push(res); // never answers: the client's timeout must fire
      return;
    }
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.from(body));
  });
  const [pGood, pUnauth, pNoEku, pCa, pDown] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  const ocsp = (p: number): string => `http://127.0.0.1:${p}/`;
  u.good = issueUser('good', { email: 'good@example.org', ocsp: [ocsp(pGood)] });
  u.revoked = issueUser('revoked', { email: 'revoked@example.org', ocsp: [ocsp(pGood)], crl: [http.url('/inter.crl')] });
  u.unknown = issueUser('unknown', { email: 'unknown@example.org', ocsp: [ocsp(pGood)], notInIndex: true });
  u.down = issueUser('down', { email: 'down@example.org', ocsp: [ocsp(pDown)] });
  u.fallback = issueUser('fallback', { email: 'fallback@example.org', ocsp: [ocsp(pDown)], crl: [http.url('/inter.crl')] });
  u.crlRevoked = issueUser('crlrevoked', { email: 'crlrevoked@example.org', crl: [http.url('/inter.crl')] });
  u.crlPem = issueUser('crlpem', { email: 'crlpem@example.org', crl: [http.url('/inter-pem.crl')] });
  u.crlWrongKey = issueUser('crlwrong', { email: 'crlwrong@example.org', crl: [http.url('/wrongkey.crl')] });
  u.crlCaOnly = issueUser('crlcaonly', { email: 'crlcaonly@example.org', crl: [http.url('/caonly.crl')] });
  u.unauth = issueUser('unauth', { email: 'unauth@example.org', ocsp: [ocsp(pUnauth)] });
  u.noEku = issueUser('noeku', { email: 'noeku@example.org', ocsp: [ocsp(pNoEku)] });
  u.caSigned = issueUser('casigned', { email: 'casigned@example.org', ocsp: [ocsp(pCa)] });
  u.hang = issueUser('hang', { email: 'hang@example.org', ocsp: [http.url('/hang')] });
  u.replay = issueUser('replay', { email: 'replay@example.org', ocsp: [http.url('/replay')] });
  revoke(u.revoked.certPath, 'keyCompromise');
  revoke(u.crlRevoked.certPath, 'superseded');

  const crl = makeCrl('good', 'inter');
  routes.set('/inter.crl', crl);
  routes.set('/inter-pem.crl', new TextEncoder().encode(`-----BEGIN X509 CRL-----\n${Buffer.from(crl).toString('base64').replace(/.{64}/g, '$&\n')}\n-----END X509 CRL-----\n`));
  routes.set('/wrongkey.crl', makeCrl('wrongkey', 'impostor'));
  routes.set('/caonly.crl', makeCrl('caonly', 'inter', ['issuingDistributionPoint=critical,@idp', '[idp]', `fullname=URI:${http.url('/caonly.crl')}`, 'onlyCA=TRUE']));
  routes.set('/hang', 'hang');

  const delegated = issueResponder('delegated', 'inter', true);
  const foreign = issueResponder('foreign', 'other', true);
  const noEku = issueResponder('noeku', 'inter', false);
  const dir = testPki().dir;
  responders.push(await startOcspResponder({ port: pGood, rsigner: delegated.certPath, rkey: delegated.keyPath, nmin: 5 }));
  responders.push(await startOcspResponder({ port: pUnauth, rsigner: foreign.certPath, rkey: foreign.keyPath }));
  responders.push(await startOcspResponder({ port: pNoEku, rsigner: noEku.certPath, rkey: noEku.keyPath }));
  responders.push(await startOcspResponder({ port: pCa, rsigner: `${dir}/inter.pem`, rkey: `${dir}/inter.key`, byKey: true }));

  // A genuine, signed response for `replay` answering someone else's request (another nonce): served
  // later by a "responder" that replays it.
  const req = await buildOcspRequest(parse(u.replay.certDer), inter, provider, { limits: defaultLimits });
  const res = await fetch(ocsp(pGood), { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: req.der as Uint8Array<ArrayBuffer> });
  const saved = new Uint8Array(await res.arrayBuffer());
  // The saved response itself is valid for the request it answered.
  const direct = await validateOcspResponse(saved, { cert: parse(u.replay.certDer), issuer: inter, nonce: req.nonce, now: new Date(), config }, provider);
  assert.equal(direct.status, 'good');
  routes.set('/replay', saved);
});

after(async () => {
  for (const r of responders) r.kill();
  for (const h of held) h.end();
  await http?.close();
});

describe('OCSP against openssl ocsp', { timeout: 60_000 }, () => {
  test('good: delegated responder, evidence recorded; the anchor is not checked, the intermediate names no source', async () => {
    const r = await checkRevocation(pathOf(u.good), options(), provider);
    assert.equal(r.code, 'ok');
    const e = r.certificates[0]!.evidence;
    assert.equal(e.method, 'ocsp');
    assert.equal(e.status, 'good');
    assert.match(e.source!, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.ok(e.thisUpdate && e.nextUpdate && e.checkedAt);
    assert.ok(new Date(e.nextUpdate).getTime() > Date.now());
    assert.equal(r.certificates[1]!.evidence.status, 'not-checked');
    assert.equal(r.certificates[1]!.evidence.problem, 'no-source');
    assert.equal(r.certificates[2], null);
  });

  test('revoked: status, time and reason from the responder', async () => {
    const r = await checkRevocation(pathOf(u.revoked), options(), provider);
    assert.equal(r.code, 'revoked');
    assert.equal(r.index, 0);
    const e = r.certificates[0]!.evidence;
    assert.equal(e.method, 'ocsp');
    assert.equal(e.status, 'revoked');
    assert.equal(e.reason, 'keyCompromise');
    assert.ok(e.revokedAt && new Date(e.revokedAt).getTime() <= Date.now() + 60_000);
  });

  test('unknown: the responder does not know the certificate', async () => {
    const r = await checkRevocation(pathOf(u.unknown), options(), provider);
    assert.equal(r.code, 'revocation-unknown');
    assert.equal(r.certificates[0]!.evidence.status, 'unknown');
    assert.equal(r.certificates[0]!.evidence.problem, 'unknown-certificate');
  });

  test('the CA itself may sign (responder identified by key hash)', async () => {
    const r = await checkRevocation(pathOf(u.caSigned), options(), provider);
    assert.equal(r.certificates[0]!.evidence.status, 'good');
  });

  test('a responder certified by another CA is not authorised', async () => {
    const r = await checkRevocation(pathOf(u.unauth), options(), provider);
    assert.equal(r.certificates[0]!.evidence.status, 'unknown');
    assert.equal(r.certificates[0]!.evidence.problem, 'unauthorized-responder');
  });

  test('a responder certificate from the right CA but without id-kp-OCSPSigning is not authorised', async () => {
    const r = await checkRevocation(pathOf(u.noEku), options(), provider);
    assert.equal(r.certificates[0]!.evidence.problem, 'unauthorized-responder');
  });

  test('stale: past nextUpdate (-nmin 5, checked 30 minutes later) is unknown, never good', async () => {
    const r = await checkRevocation(pathOf(u.good), options({ now: new Date(Date.now() + 30 * 60_000) }), provider);
    assert.equal(r.certificates[0]!.evidence.status, 'unknown');
    assert.equal(r.certificates[0]!.evidence.problem, 'stale');
  });

  test('a response from the future (beyond the clock skew) is unknown', async () => {
    // (The CA-signed responder: the delegated responder's own certificate is not yet valid 30 minutes ago.)
    const r = await checkRevocation(pathOf(u.caSigned), options({ now: new Date(Date.now() - 30 * 60_000) }), provider);
    assert.equal(r.certificates[0]!.evidence.problem, 'not-yet-valid');
  });

  test('replayed response (another nonce) is refused', async () => {
    const r = await checkRevocation(pathOf(u.replay), options(), provider);
    assert.equal(r.certificates[0]!.evidence.status, 'unknown');
    assert.equal(r.certificates[0]!.evidence.problem, 'nonce-mismatch');
  });

  test('a response for another certificate does not answer for ours', async () => {
    const req = await buildOcspRequest(parse(u.good.certDer), inter, provider, { limits: defaultLimits });
    const res = await fetch(readUrl(u.good), { method: 'POST', body: req.der as Uint8Array<ArrayBuffer> });
    const der = new Uint8Array(await res.arrayBuffer());
    const a = await validateOcspResponse(der, { cert: parse(u.revoked.certDer), issuer: inter, nonce: req.nonce, now: new Date(), config }, provider);
    assert.equal(a.status, 'unknown');
    assert.equal(a.status === 'unknown' && a.problem, 'cert-id-mismatch');
  });

  test('a response signed with SHA-1 is refused by default (allowInsecureSha1 accepts it)', async () => {
    const dir = testPki().dir;
    const cert = parse(u.good.certDer);
    const req = await buildOcspRequest(cert, inter, provider, { limits: defaultLimits });
    writeFileSync(join(dir, 'sha1-req.der'), req.der);
    // openssl ocsp as an offline responder: request file in, response file out.
    execFileSync('openssl', ['ocsp', '-index', join(dir, 'ca-inter', 'index.txt'), '-CA', join(dir, 'inter.pem'), '-rsigner', join(dir, 'inter.pem'),
      '-rkey', join(dir, 'inter.key'), '-rmd', 'sha1', '-reqin', join(dir, 'sha1-req.der'), '-respout', join(dir, 'sha1-resp.der'), '-nmin', '5'], { stdio: 'ignore' });
    const der = new Uint8Array(readFileSync(join(dir, 'sha1-resp.der')));
    const ctx = { cert, issuer: inter, nonce: req.nonce, now: new Date() };
    const refused = await validateOcspResponse(der, { ...ctx, config }, provider);
    assert.equal(refused.status === 'unknown' && refused.problem, 'insecure-algorithm');
    const allowed = await validateOcspResponse(der, { ...ctx, config: resolveConfig({ allowInsecureSha1: true }) }, provider);
    assert.equal(allowed.status, 'good');
  });

  test('garbage and error responses are unknown, never good', async () => {
    const ctx = { cert: parse(u.good.certDer), issuer: inter, nonce: null, now: new Date(), config };
    for (const der of [new Uint8Array([1, 2, 3]), Uint8Array.of(0x30, 0x03, 0x0a, 0x01, 0x03), new Uint8Array(0)]) {
      const a = await validateOcspResponse(der, ctx, provider);
      assert.equal(a.status, 'unknown');
    }
    const tryLater = await validateOcspResponse(Uint8Array.of(0x30, 0x03, 0x0a, 0x01, 0x03), ctx, provider);
    assert.equal(tryLater.status === 'unknown' && tryLater.problem, 'responder-error');
  });

  test('responder down: network problem, soft by default', async () => {
    const r = await checkRevocation(pathOf(u.down), options(), provider);
    assert.equal(r.code, 'revocation-unknown');
    assert.equal(r.certificates[0]!.evidence.problem, 'network');
  });

  test('a responder that never answers times out within the budget', async () => {
    const t0 = Date.now();
    const r = await checkRevocation(pathOf(u.hang), options({ timeoutMs: 300 }), provider);
    assert.equal(r.certificates[0]!.evidence.problem, 'timeout');
    assert.ok(Date.now() - t0 < 5000);
  });

  test('OCSP down, CRL as fallback', async () => {
    const r = await checkRevocation(pathOf(u.fallback), options(), provider);
    assert.equal(r.code, 'ok');
    assert.equal(r.certificates[0]!.evidence.method, 'crl');
    assert.equal(r.certificates[0]!.evidence.status, 'good');
  });

  test('cache: a second check is answered from the cache until nextUpdate', async () => {
    const cache = new MemoryRevocationCache();
    const counter = { n: 0 };
    const first = await checkRevocation(pathOf(u.good), options({ cache, fetch: loopbackFetch(counter) }), provider);
    assert.equal(first.certificates[0]!.evidence.status, 'good');
    assert.equal(counter.n, 1);
    const second = await checkRevocation(pathOf(u.good), options({ cache, fetch: loopbackFetch(counter) }), provider);
    assert.equal(second.certificates[0]!.evidence.status, 'good');
    assert.equal(second.certificates[0]!.evidence.cached, true);
    assert.equal(counter.n, 1);
    // After nextUpdate (-nmin 5) the entry is gone and the responder is asked again.
    await checkRevocation(pathOf(u.good), options({ cache, fetch: loopbackFetch(counter), now: new Date(Date.now() + 30 * 60_000) }), provider);
    assert.equal(counter.n, 2);
  });

  test('failures are not cached', async () => {
    const cache = new MemoryRevocationCache();
    const counter = { n: 0 };
    await checkRevocation(pathOf(u.unauth), options({ cache, fetch: loopbackFetch(counter) }), provider);
    await checkRevocation(pathOf(u.unauth), options({ cache, fetch: loopbackFetch(counter) }), provider);
    assert.equal(counter.n, 2);
  });
});

/** The OCSP URL of a RevocationUser, read back from its certificate's AIA extension. */
function readUrl(user: RevocationUser): string {
  const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(Buffer.from(user.certDer).toString('latin1'));
  return m![0];
}

describe('CRLs over http', { timeout: 60_000 }, () => {
  test('CRL-only certificate revoked: caught through its own distribution point', async () => {
    const r = await checkRevocation(pathOf(u.crlRevoked), options(), provider);
    assert.equal(r.code, 'revoked');
    const e = r.certificates[0]!.evidence;
    assert.equal(e.method, 'crl');
    assert.equal(e.status, 'revoked');
    assert.equal(e.reason, 'superseded');
    assert.equal(e.source, http.url('/inter.crl'));
    assert.ok(e.revokedAt && e.thisUpdate && e.nextUpdate);
  });

  test('PEM CRL, certificate not listed: good', async () => {
    const r = await checkRevocation(pathOf(u.crlPem), options(), provider);
    assert.equal(r.certificates[0]!.evidence.method, 'crl');
    assert.equal(r.certificates[0]!.evidence.status, 'good');
  });

  test('CRL signed by the wrong key (same issuer name): unusable, not good', async () => {
    const r = await checkRevocation(pathOf(u.crlWrongKey), options(), provider);
    assert.equal(r.certificates[0]!.evidence.status, 'unknown');
    assert.equal(r.certificates[0]!.evidence.problem, 'bad-signature');
  });

  test('issuingDistributionPoint onlyContainsCACerts: out of scope for an end entity', async () => {
    const r = await checkRevocation(pathOf(u.crlCaOnly), options(), provider);
    assert.equal(r.certificates[0]!.evidence.status, 'unknown');
    assert.equal(r.certificates[0]!.evidence.problem, 'out-of-scope');
  });

  test('delta CRLs and CRLs with an unknown critical extension are not used', async () => {
    const delta = await verifyCrl(makeCrl('delta', 'inter', ['2.5.29.27=critical,ASN1:INTEGER:1']), 'http://127.0.0.1/delta.crl', inter, config, provider);
    assert.equal(delta, 'unsupported-crl');
    const critical = await verifyCrl(makeCrl('critical', 'inter', ['1.3.6.1.4.1.99999.1=critical,ASN1:NULL']), 'http://127.0.0.1/c.crl', inter, config, provider);
    assert.equal(critical, 'unsupported-crl');
    const garbage = await verifyCrl(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00]), 'http://127.0.0.1/g.crl', inter, config, provider);
    assert.equal(garbage, 'malformed');
  });

  test('a CRL past its nextUpdate is stale', async () => {
    const r = await checkRevocation(pathOf(u.crlPem), options({ now: new Date(Date.now() + 3 * 24 * 3600_000) }), provider);
    assert.equal(r.certificates[0]!.evidence.problem, 'stale');
  });

  test('a verified CRL is cached per URL and serves other certificates of the same CA', async () => {
    const cache = new MemoryRevocationCache();
    const counter = { n: 0 };
    await checkRevocation(pathOf(u.crlRevoked), options({ cache, fetch: loopbackFetch(counter) }), provider);
    const r = await checkRevocation(pathOf(u.fallback), options({ cache, fetch: loopbackFetch(counter) }), provider);
    assert.equal(r.certificates[0]!.evidence.method, 'crl');
    assert.equal(r.certificates[0]!.evidence.cached, true);
    assert.equal(counter.n, 1);
  });
});

describe('policy in the Verdict', { timeout: 60_000 }, () => {
  test('revoked (OCSP): status revoked, evidence on the signer chain, Verdict.revocation checked', async () => {
    const v = await open(u.revoked);
    assert.equal(v.status, 'revoked');
    assert.equal(v.code, 'revoked');
    assert.equal(v.revocation, 'checked');
    assert.equal(v.signer!.status, 'revoked');
    assert.equal(v.signer!.chain[0]!.status, 'revoked');
    assert.equal(v.signer!.chain[0]!.revocation!.status, 'revoked');
    assert.equal(v.signer!.chain[0]!.revocation!.method, 'ocsp');
    assert.equal(v.signer!.chain[0]!.revocation!.reason, 'keyCompromise');
  });

  test('revoked (CRL only): status revoked', async () => {
    const v = await open(u.crlRevoked);
    assert.equal(v.status, 'revoked');
    assert.equal(v.signer!.chain[0]!.revocation!.method, 'crl');
  });

  test('good: valid, with the evidence', async () => {
    const v = await open(u.good);
    assert.equal(v.status, 'valid');
    assert.equal(v.signer!.chain[0]!.revocation!.status, 'good');
    assert.ok(!v.warnings.some((w) => w.code === 'revocation-unknown'));
  });

  test('responder down, soft (default): status unchanged, warning revocation-unknown', async () => {
    const v = await open(u.down);
    assert.equal(v.status, 'valid');
    assert.ok(v.warnings.some((w) => w.code === 'revocation-unknown'));
    assert.equal(v.signer!.chain[0]!.status, 'ok');
    assert.equal(v.signer!.chain[0]!.revocation!.status, 'unknown');
  });

  test('responder down, hard: untrusted with code revocation-unknown on the failing link', async () => {
    const v = await open(u.down, { revocationMode: 'hard' });
    assert.equal(v.status, 'untrusted');
    assert.equal(v.code, 'revocation-unknown');
    assert.equal(v.signer!.chain[0]!.status, 'revocation-unknown');
  });

  test('CRL signed by the wrong key, hard: untrusted (soft: valid with a warning)', async () => {
    assert.equal((await open(u.crlWrongKey, { revocationMode: 'hard' })).status, 'untrusted');
    const soft = await open(u.crlWrongKey);
    assert.equal(soft.status, 'valid');
    assert.ok(soft.warnings.some((w) => w.code === 'revocation-unknown'));
  });

  test('unauthorised responder, hard: untrusted', async () => {
    const v = await open(u.unauth, { revocationMode: 'hard' });
    assert.equal(v.status, 'untrusted');
    assert.equal(v.code, 'revocation-unknown');
  });

  test('no fetch: nothing checked, Verdict.revocation not-configured', async () => {
    const v = await open(u.revoked, {}, null);
    assert.equal(v.revocation, 'not-configured');
    assert.equal(v.status, 'valid');
    assert.equal(v.signer!.chain[0]!.revocation, undefined);
  });

  test('a chain that reaches no trust anchor makes no network request', async () => {
    const counter = { n: 0 };
    const msg = await signedMessage(u.revoked);
    const { verdict } = await openMessage(msg, { anchors: [otherRootDer()], fetch: loopbackFetch(counter), provider });
    assert.equal(verdict.status, 'untrusted');
    assert.equal(counter.n, 0);
  });

  test('the revocation-time rule', () => {
    const at = new Date('2026-06-01T00:00:00Z');
    const before = new Date('2026-05-01T00:00:00Z');
    const later = new Date('2026-07-01T00:00:00Z');
    // Key compromise, unspecified or no reason: revoked at any validation time.
    assert.equal(revocationCounts(later, 'keyCompromise', at), true);
    assert.equal(revocationCounts(later, 'unspecified', at), true);
    assert.equal(revocationCounts(later, undefined, at), true);
    // Administrative reasons: only revocations not after the validation time count.
    assert.equal(revocationCounts(later, 'superseded', at), false);
    assert.equal(revocationCounts(before, 'superseded', at), true);
    assert.equal(revocationCounts(later, 'affiliationChanged', at), false);
  });

  test('config: revocation settings are validated', () => {
    assert.equal(resolveConfig().revocationMode, 'soft');
    assert.throws(() => resolveConfig({ revocationMode: 'sometimes' as 'soft' }), (e) => isSignetError(e, 'usage'));
    assert.throws(() => resolveConfig({ revocationTimeoutMs: 0 }), (e) => isSignetError(e, 'usage'));
    assert.throws(() => resolveConfig({ limits: { maxRevocationResponseBytes: -1 } }), (e) => isSignetError(e, 'usage'));
  });
});

function otherRootDer(): Uint8Array {
  const pem = readFileSync(testPki().otherRootPath, 'utf8');
  return new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64'));
}

/** `signet` as a child process without blocking this process's event loop (the CRL server lives here). */
function runSignet(args: string[], input: Uint8Array): Promise<{ status: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SIGNET_BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.resume();
    const timer = setTimeout(() => child.kill(), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ status: code ?? -1, stdout });
    });
    child.stdin.end(Buffer.from(input));
  });
}

describe('signet verify (CLI), revocation found through the certificate alone', { timeout: 60_000 }, () => {
  test('revoked signer: status revoked, evidence in signer.chain[0].revocation', async () => {
    const msg = await signedMessage(u.revoked);
    const r = await runSignet(['verify', '--json', '--trust', testPki().rootPath], msg);
    const v = JSON.parse(r.stdout);
    assert.equal(r.status, 1);
    assert.equal(v.status, 'revoked');
    assert.equal(v.revocation, 'checked');
    assert.equal(v.signer.chain[0].revocation.status, 'revoked');
    assert.equal(v.signer.chain[0].revocation.method, 'ocsp');
    assert.equal(v.signer.chain[0].revocation.reason, 'keyCompromise');
  });

  test('CRL-only revoked signer: status revoked', async () => {
    const r = await runSignet(['verify', '--json', '--trust', testPki().rootPath], await signedMessage(u.crlRevoked));
    const v = JSON.parse(r.stdout);
    assert.equal(v.status, 'revoked');
    assert.equal(v.signer.chain[0].revocation.method, 'crl');
  });

  test('--offline: not checked, says so', async () => {
    const r = await runSignet(['verify', '--json', '--offline', '--trust', testPki().rootPath], await signedMessage(u.revoked));
    const v = JSON.parse(r.stdout);
    assert.equal(v.status, 'valid');
    assert.equal(r.status, 0);
    assert.equal(v.revocation, 'offline');
    assert.ok(v.warnings.some((w: { code: string }) => w.code === 'revocation-not-checked'));
    assert.equal(v.signer.chain[0].revocation, undefined);
  });
});
