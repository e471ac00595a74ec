// The organisation host (`signet serve`, src/host/server.ts) over a small production-like build: CSP per
// kind of file with the policy's origins, immutable caching of content-hashed files only, the .well-known
// allowed-origins file, the policy, health and readiness, the relay on the same origin, configuration by
// file and environment, and refusal of an invalid policy.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSignetError } from '../../../src/core/errors.js';
import { loadHostConfig } from '../../../src/host/config.js';
import { buildHost, type Host } from '../../../src/host/server.js';

let dir: string;
let host: Host;
const policy = {
  policyVersion: 1,
  revocation: { mode: 'hard', relay: '/relay' },
  directory: { url: 'https://certs.contoso.example/lookup' },
  graph: { clientId: '00000000-0000-0000-0000-000000000001', authority: 'https://login.microsoftonline.com/contoso.example' },
};

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'signet-host-'));
  mkdirSync(join(dir, '.well-known'));
  writeFileSync(join(dir, 'taskpane.html'), '<!doctype html><title>Signet</title>');
  writeFileSync(join(dir, 'taskpane.0123456789ab.js'), 'console.log(1)');
  writeFileSync(join(dir, 'launchevent.js'), 'console.log(2)');
  writeFileSync(join(dir, '.well-known', 'microsoft-officeaddins-allowed.json'), '{"allowed":["https://apps.contoso.example/taskpane.0123456789ab.js"]}');
  writeFileSync(join(dir, 'signet-policy.json'), JSON.stringify(policy));
  const config = loadHostConfig({ env: { SIGNET_ROOT: dir, SIGNET_LOG_LEVEL: 'silent', SIGNET_RELAY_RATE_PER_MINUTE: '50' } });
  host = await buildHost(config);
});
after(async () => {
  await host.app.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('organisation host', () => {
  test('pages get the add-in CSP with the policy origins; other files a deny-all CSP', async () => {
    const page = await host.app.inject({ method: 'GET', url: '/taskpane.html' });
    assert.equal(page.statusCode, 200);
    const csp = String(page.headers['content-security-policy']);
    assert.match(csp, /connect-src 'self' https:\/\/graph\.microsoft\.com https:\/\/login\.microsoftonline\.com https:\/\/certs\.contoso\.example;/);
    assert.match(csp, /script-src 'self' https:\/\/appsforoffice\.microsoft\.com https:\/\/ajax\.aspnetcdn\.com;/);
    assert.doesNotMatch(csp, /frame-ancestors|unsafe-eval/);
    assert.equal(page.headers['cache-control'], 'no-cache');
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    assert.equal(page.headers['referrer-policy'], 'no-referrer');
    const js = await host.app.inject({ method: 'GET', url: '/taskpane.0123456789ab.js' });
    assert.equal(js.headers['content-security-policy'], "default-src 'none'; frame-ancestors 'none'");
  });

  test('content-hashed files are immutable for a year; launchevent.js, the policy and .well-known revalidate', async () => {
    assert.equal((await host.app.inject({ method: 'GET', url: '/taskpane.0123456789ab.js' })).headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal((await host.app.inject({ method: 'GET', url: '/launchevent.js' })).headers['cache-control'], 'no-cache');
    const wk = await host.app.inject({ method: 'GET', url: '/.well-known/microsoft-officeaddins-allowed.json' });
    assert.equal(wk.statusCode, 200);
    assert.equal(wk.headers['cache-control'], 'no-cache');
    assert.deepEqual(wk.json(), { allowed: ['https://apps.contoso.example/taskpane.0123456789ab.js'] });
    const p = await host.app.inject({ method: 'GET', url: '/signet-policy.json' });
    assert.equal(p.headers['cache-control'], 'no-cache');
    assert.match(String(p.headers['content-type']), /^application\/json/);
    assert.deepEqual(p.json(), policy);
  });

  test('health and readiness', async () => {
    assert.deepEqual((await host.app.inject({ method: 'GET', url: '/healthz' })).json(), { status: 'ok' });
    const ready = await host.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 200);
    assert.equal((ready.json() as { status: string }).status, 'ready');
  });

  test('the relay is on the same origin, and refuses an internal target', async () => {
    const res = await host.app.inject({ method: 'GET', url: `/relay/crl?url=${encodeURIComponent('http://169.254.169.254/')}` });
    assert.equal(res.statusCode, 403);
    assert.equal((res.json() as { error: string }).error, 'relay-internal-address');
  });

  test('an invalid policy or a bad configuration value stops the start-up with a usage error', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'signet-host-bad-'));
    writeFileSync(join(bad, 'taskpane.html'), '');
    writeFileSync(join(bad, 'signet-policy.json'), '{"policyVersion":1,"revocation":{"mode":"sometimes"}}');
    await assert.rejects(buildHost(loadHostConfig({ env: { SIGNET_ROOT: bad, SIGNET_LOG_LEVEL: 'silent' } })), (e) => isSignetError(e, 'usage'));
    assert.throws(() => loadHostConfig({ env: { SIGNET_PORT: 'eighty' } }), (e) => isSignetError(e, 'usage'));
    assert.throws(() => loadHostConfig({ env: { SIGNET_RELAY_TEST_PORTS: '1,99999' } }), (e) => isSignetError(e, 'usage'));
    const file = join(bad, 'host.json');
    writeFileSync(file, JSON.stringify({ port: 9443, relayConcurrency: 4, relay: true }));
    const fromFile = loadHostConfig({ file, env: { SIGNET_PORT: '9000' } });
    assert.equal(fromFile.port, 9000); // environment over file
    assert.equal(fromFile.relay?.maxConcurrent, 4);
    assert.equal(fromFile.relay?.allowLoopbackForTests, false); // test mode never by default
    writeFileSync(file, JSON.stringify({ prot: 1 }));
    assert.throws(() => loadHostConfig({ file }), (e) => isSignetError(e, 'usage'));
    rmSync(bad, { recursive: true, force: true });
  });
});
