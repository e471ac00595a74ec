// The revocation relay must be safe to expose (issue 15 item 2/6): every SSRF route is refused with its
// own code before any connection is made — literal internal addresses of every kind, DNS names that
// resolve internally, DNS rebinding between check and connect, redirects into the internal network,
// non-standard ports, schemes other than http(s), credentials in the URL — and no client cookie or
// credential is ever forwarded. Loopback is refused unless a relay is explicitly in test mode.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { crl, loopbackServer, ocspRequest, relayApp, tableResolver, type LoopbackServer } from '../helpers/relay.js';

const day = 24 * 3600_000;
const goodCrl = (): Buffer => Buffer.from(crl(new Date(Date.now() - 60_000), new Date(Date.now() + day)));

let server: LoopbackServer;
let hits = 0;
let lastHeaders: IncomingHttpHeaders = {};

before(async () => {
  server = await loopbackServer((req, res) => {
    hits++;
    lastHeaders = req.headers;
    const p = req.url ?? '';
    const redirect = (to: string): void => void res.writeHead(302, { location: to }).end();
    if (p === '/crl') res.writeHead(200, { 'content-type': 'application/pkix-crl', 'set-cookie': 'session=leak' }).end(goodCrl());
    else if (p === '/to-private') redirect('http://10.0.0.1/crl');
    else if (p === '/to-metadata') redirect('http://169.254.169.254/latest/meta-data/');
    else if (p === '/to-mapped') redirect('http://[::ffff:192.168.0.1]/crl');
    else if (p === '/to-internal-name') redirect('http://internal.test/crl');
    else if (p === '/to-file') redirect('file:///etc/passwd');
    else if (p === '/to-port') redirect(`http://127.0.0.1:6379/`);
    else if (p === '/loop') redirect('/loop');
    else if (p === '/hop1') redirect('/hop2');
    else if (p === '/hop2') redirect('/crl');
    else res.writeHead(404).end();
  });
});
after(() => server.close());

/** A relay in test mode that may reach our loopback server (and nothing else internal). */
const testRelay = (extra: Parameters<typeof relayApp>[0] = {}) => relayApp({ allowLoopbackForTests: true, extraPortsForTests: [server.port], timeoutMs: 2000, ...extra });

async function refusal(res: { statusCode: number; json(): unknown }): Promise<string> {
  return (res.json() as { error: string }).error;
}

describe('relay: literal targets', () => {
  const internal = [
    'http://127.0.0.1/', 'http://127.9.9.9/', 'http://[::1]/', 'http://localhost./'.replace('localhost.', '0.0.0.0'), 'http://[::]/',
    'http://10.0.0.1/', 'http://172.16.5.4/', 'http://192.168.1.1/', 'http://169.254.169.254/latest/meta-data/', 'http://[fe80::1]/',
    'http://100.64.0.1/', 'http://[fc00::1]/', 'http://[fd12:3456::1]/', 'http://224.0.0.1/', 'http://[ff02::1]/', 'http://255.255.255.255/',
    'http://192.0.2.1/', 'http://198.51.100.7/', 'http://203.0.113.9/', 'http://[2001:db8::1]/', 'http://198.18.0.1/',
    'http://[::ffff:127.0.0.1]/', 'http://[::ffff:10.0.0.1]/', 'http://[64:ff9b::a00:1]/', 'http://[2002:a00:1::]/',
    'http://2130706433/', 'http://0x7f.0.0.1/', 'http://017700000001/', 'https://10.1.2.3/',
  ];
  test('every internal address is refused as relay-internal-address, on both endpoints, without resolving anything', async () => {
    const r = tableResolver({});
    const { app, stats } = await relayApp({ resolve: r.resolve });
    for (const target of internal) {
      const crlRes = await app.inject({ method: 'GET', url: `/relay/crl?url=${encodeURIComponent(target)}` });
      assert.equal(crlRes.statusCode, 403, target);
      assert.equal(await refusal(crlRes), 'relay-internal-address', target);
      const ocspRes = await app.inject({ method: 'POST', url: `/relay/ocsp?url=${encodeURIComponent(target)}`, headers: { 'content-type': 'application/ocsp-request' }, payload: Buffer.from(ocspRequest()) });
      assert.equal(await refusal(ocspRes), 'relay-internal-address', target);
    }
    assert.equal(r.calls.size, 0);
    assert.equal(stats.upstreamRequests, 0);
    await app.close();
  });

  test('test mode opens loopback only: private, link-local and CGNAT stay refused', async () => {
    const { app } = await testRelay();
    for (const target of ['http://10.0.0.1/', 'http://169.254.169.254/', 'http://100.64.0.1/', 'http://[fc00::1]/', 'http://0.0.0.0/']) {
      const res = await app.inject({ method: 'GET', url: `/relay/crl?url=${encodeURIComponent(target)}` });
      assert.equal(await refusal(res), 'relay-internal-address', target);
    }
    await app.close();
  });

  test('without test mode, loopback is refused even on an allowed port, and nothing connects', async () => {
    const { app } = await relayApp({ extraPortsForTests: [server.port] });
    const before = hits;
    const res = await app.inject({ method: 'GET', url: `/relay/crl?url=${encodeURIComponent(server.url('/crl'))}` });
    assert.equal(res.statusCode, 403);
    assert.equal(await refusal(res), 'relay-internal-address');
    assert.equal(hits, before);
    await app.close();
  });
});

describe('relay: schemes, ports, credentials, malformed targets', () => {
  test('schemes other than http and https are relay-scheme', async () => {
    const { app } = await relayApp();
    for (const target of ['file:///etc/passwd', 'ftp://ftp.example.com/ca.crl', 'gopher://example.com/', 'ldap://ldap.example.com/cn=CA?certificateRevocationList', 'data:application/pkix-crl;base64,MAA=', 'javascript:alert(1)', 'dict://example.com:11211/']) {
      const res = await app.inject({ method: 'GET', url: `/relay/crl?url=${encodeURIComponent(target)}` });
      assert.equal(res.statusCode, 400, target);
      assert.equal(await refusal(res), 'relay-scheme', target);
    }
    await app.close();
  });

  test('non-standard ports are relay-port (also in test mode, for a port not explicitly allowed)', async () => {
    const r = tableResolver({ 'ocsp.example.com': ['93.184.216.34'] });
    for (const { app } of [await relayApp({ resolve: r.resolve }), await testRelay({ resolve: r.resolve })]) {
      for (const target of ['http://ocsp.example.com:8080/', 'http://ocsp.example.com:22/', 'https://ocsp.example.com:80/', 'http://ocsp.example.com:443/', 'http://93.184.216.34:6379/', 'http://127.0.0.1:6379/']) {
        const res = await app.inject({ method: 'GET', url: `/relay/crl?url=${encodeURIComponent(target)}` });
        assert.equal(await refusal(res), 'relay-port', target);
      }
      await app.close();
    }
    assert.equal(r.calls.size, 0);
  });

  test('credentials, fragments, a missing or oversized url are relay-bad-request', async () => {
    const { app } = await relayApp();
    for (const q of [`url=${encodeURIComponent('http://user:pw@ocsp.example.com/')}`, `url=${encodeURIComponent('http://ocsp.example.com/#x')}`, '', 'url=', 'url=not%20a%20url', `url=${'http://a.example/' + 'x'.repeat(3000)}`]) {
      const res = await app.inject({ method: 'GET', url: `/relay/crl?${q}` });
      assert.equal(res.statusCode, 400, q);
      assert.equal(await refusal(res), 'relay-bad-request', q);
    }
    await app.close();
  });
});

describe('relay: DNS', () => {
  test('names that resolve to an internal address are refused at resolution time', async () => {
    const r = tableResolver({
      'internal.test': ['10.0.0.5'],
      'meta.test': ['169.254.169.254'],
      'mapped.test': ['::ffff:192.168.0.1'],
      'ula.test': ['fd00::5'],
      'localhost': ['127.0.0.1', '::1'],
      // One public and one internal answer: the whole name is refused (the socket might pick either).
      'mixed.test': ['93.184.216.34', '10.0.0.1'],
    });
    const { app } = await relayApp({ resolve: r.resolve, timeoutMs: 2000 });
    for (const host of ['internal.test', 'meta.test', 'mapped.test', 'ula.test', 'localhost', 'mixed.test']) {
      const res = await app.inject({ method: 'GET', url: `/relay/crl?url=${encodeURIComponent(`http://${host}/ca.crl`)}` });
      assert.equal(res.statusCode, 403, host);
      assert.equal(await refusal(res), 'relay-internal-address', host);
    }
    await app.close();
  });

  test('a name that does not resolve is relay-dns', async () => {
    const { app } = await relayApp({ resolve: tableResolver({}).resolve });
    const res = await app.inject({ method: 'GET', url: `/relay/crl?url=${encodeURIComponent('http://nowhere.test/ca.crl')}` });
    assert.equal(await refusal(res), 'relay-dns');
    await app.close();
  });

  test('DNS rebinding: the address checked is the address connected to (one resolution per connection)', async () => {
    // First answer internal, later answers loopback (allowed in test mode): refused, and nothing connected.
    const flipToAllowed = tableResolver({ 'rebind.test': (n) => (n === 1 ? ['10.0.0.1'] : ['127.0.0.1']) });
    let relay = await testRelay({ resolve: flipToAllowed.resolve });
    const before = hits;
    let res = await relay.app.inject({ method: 'GET', url: `/relay/crl?url=${encodeURIComponent(`http://rebind.test:${server.port}/crl`)}` });
    assert.equal(await refusal(res), 'relay-internal-address');
    assert.equal(hits, before);
    assert.equal(flipToAllowed.calls.get('rebind.test'), 1);
    await relay.app.close();
    // First answer allowed, later answers internal: the connection goes to the checked address.
    const flipToInternal = tableResolver({ 'rebind.test': (n) => (n === 1 ? ['127.0.0.1'] : ['10.0.0.1']) });
    relay = await testRelay({ resolve: flipToInternal.resolve });
    res = await relay.app.inject({ method: 'GET', url: `/relay/crl?url=${encodeURIComponent(`http://rebind.test:${server.port}/crl`)}` });
    assert.equal(res.statusCode, 200);
    assert.equal(hits, before + 1);
    assert.equal(flipToInternal.calls.get('rebind.test'), 1);
    await relay.app.close();
  });
});

describe('relay: redirects', () => {
  const cases: [string, string][] = [
    ['/to-private', 'relay-internal-address'],
    ['/to-metadata', 'relay-internal-address'],
    ['/to-mapped', 'relay-internal-address'],
    ['/to-internal-name', 'relay-internal-address'],
    ['/to-file', 'relay-scheme'],
    ['/to-port', 'relay-port'],
    ['/loop', 'relay-redirect-limit'],
  ];
  for (const [path, code] of cases) {
    test(`a redirect ${path} is refused as ${code}`, async () => {
      const { app } = await testRelay({ resolve: tableResolver({ 'internal.test': ['192.168.1.1'] }).resolve });
      const res = await app.inject({ method: 'GET', url: `/relay/crl?url=${encodeURIComponent(server.url(path))}` });
      assert.equal(await refusal(res), code);
      await app.close();
    });
  }

  test('redirects within the limit are followed, each hop re-checked', async () => {
    const { app } = await testRelay({ maxRedirects: 2 });
    const res = await app.inject({ method: 'GET', url: `/relay/crl?url=${encodeURIComponent(server.url('/hop1'))}` });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/pkix-crl');
    await app.close();
    const strict = await testRelay({ maxRedirects: 1 });
    const res2 = await strict.app.inject({ method: 'GET', url: `/relay/crl?url=${encodeURIComponent(server.url('/hop1'))}` });
    assert.equal(await refusal(res2), 'relay-redirect-limit');
    await strict.app.close();
  });
});

describe('relay: nothing of the client is forwarded', () => {
  test('cookies, authorization and other client headers never reach the upstream; upstream cookies never reach the client', async () => {
    const { app } = await testRelay();
    const res = await app.inject({
      method: 'GET',
      url: `/relay/crl?url=${encodeURIComponent(server.url('/crl'))}`,
      headers: { cookie: 'session=secret', authorization: 'Bearer secret', 'x-forwarded-for': '10.0.0.1', 'x-custom': 'secret', referer: 'https://pane.example/' },
    });
    assert.equal(res.statusCode, 200);
    const sent = Object.keys(lastHeaders).sort();
    assert.deepEqual(sent, ['accept', 'connection', 'host', 'user-agent']);
    assert.equal(res.headers['set-cookie'], undefined);
    assert.equal(res.headers['cache-control'], 'no-store');
    await app.close();
  });
});
