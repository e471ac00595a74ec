// The real-Outlook development loop: the HTTPS development manifest every development build emits, and
// the HTTPS server that serves dist/ to Outlook (workbench/outlook-dev.ts). office-addin-dev-certs and
// office-addin-debugging act on the developer's Windows or Mac machine (certificate store, Outlook's
// sideloading) and are not run here; the server is exercised with an OpenSSL-made localhost certificate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEV_HTTPS_MANIFEST, DEV_HTTPS_ORIGIN, devHttpsManifest } from '../../../src/build/deploy.js';
import { validateWithXsd } from '../../../src/build/manifest-xsd.js';
import { startOutlookDevServer } from '../../../workbench/outlook-dev.js';
import { validateManifest } from '../manifest/schema.js';

const repo = new URL('../../../../', import.meta.url);
const source = readFileSync(new URL('manifest.xml', repo), 'utf8');

test('the development manifest for real Outlook: every URL on https://localhost:3000, schema-valid, marked as development', () => {
  const dev = devHttpsManifest(source);
  assert.doesNotMatch(dev, /http:\/\/(localhost|127\.)/);
  assert.match(dev, /Development manifest for real Outlook/);
  const urls = [...dev.matchAll(/(?:DefaultValue="|<AppDomain>)(https?:\/\/[^"<]+)/g)].map((m) => m[1]!);
  assert.ok(urls.length >= 10, 'icons, pages, runtimes and the AppDomain');
  for (const u of urls) assert.ok(u.startsWith(DEV_HTTPS_ORIGIN), u);
  assert.match(dev, /<DisplayName DefaultValue="Signet \(development\)"\/>/);
  assert.deepEqual(validateWithXsd(dev), []);
  assert.deepEqual(validateManifest(dev), []);
});

test('npm run sideload / stop / validate / dev-certs drive Microsoft\'s tools on the HTTPS manifest', () => {
  const pkg = JSON.parse(readFileSync(new URL('package.json', repo), 'utf8')) as { scripts: Record<string, string>; config: Record<string, unknown>; devDependencies: Record<string, string> };
  assert.match(pkg.scripts['sideload']!, new RegExp(`office-addin-debugging@7 start dist/${DEV_HTTPS_MANIFEST.replace('.', '\\.')}`));
  assert.match(pkg.scripts['stop']!, new RegExp(`office-addin-debugging@7 stop dist/${DEV_HTTPS_MANIFEST.replace('.', '\\.')}`));
  assert.equal(pkg.scripts['validate'], 'office-addin-manifest validate manifest.xml');
  assert.equal(pkg.scripts['dev-certs'], 'office-addin-dev-certs install');
  assert.equal(pkg.scripts['dev-server'], 'node lib/workbench/outlook-dev.js');
  // office-addin-debugging finds the dev server through these (as in Microsoft's templates).
  assert.deepEqual(pkg.config, { app_to_debug: 'outlook', app_type_to_debug: 'desktop', dev_server_port: 3000 });
  assert.ok(pkg.devDependencies['office-addin-dev-certs'] && pkg.devDependencies['office-addin-manifest']);
});

test('the development server answers over HTTPS with the add-in pages and their CSP', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-devhttps-'));
  try {
    const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const dist = join(dir, 'dist');
    spawnSync('mkdir', [dist]);
    writeFileSync(join(dist, 'taskpane.html'), '<!doctype html><title>Signet</title>');
    const cert = readFileSync(join(dir, 'cert.pem'));
    const server = await startOutlookDevServer(dist, { key: readFileSync(join(dir, 'key.pem')), cert }, 0);
    try {
      assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+\/$/);
      const res = await new Promise<{ status: number; csp: string | undefined; body: string }>((resolve, reject) => {
        const req = request(new URL('taskpane.html', server.url), { ca: cert, servername: 'localhost' }, (r2) => {
          let body = '';
          r2.setEncoding('utf8');
          r2.on('data', (c: string) => (body += c));
          r2.on('end', () => resolve({ status: r2.statusCode ?? 0, csp: r2.headers['content-security-policy'] as string | undefined, body }));
        });
        req.on('error', reject);
        req.end();
      });
      assert.equal(res.status, 200);
      assert.match(res.body, /<title>Signet<\/title>/);
      assert.match(res.csp ?? '', /script-src 'self' https:\/\/appsforoffice\.microsoft\.com/);
    } finally {
      await server.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
