// The production build for an admin's host (docs/ADMIN.md): host checking, the manifest rewrite (URLs, the
// send guard's SendMode and the permission from the policy), and a real `webpack --mode production --env
// host=…` into a temporary directory, whose manifest must conform to the [MS-OWEMXML] content models
// (test/unit/manifest/schema.ts), name no localhost, and point only at files the build emitted — among
// them launchevent.js, unhashed and ES2016 for classic Outlook's JavaScript-only runtime.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseJs } from 'acorn';
import { allowedFileJson, parseHost, permissionFor, rewriteManifest, ALLOWED_FILE } from '../../../src/build/deploy.js';
import { parsePolicy } from '../../../src/policy/index.js';
import { validateManifest } from '../manifest/schema.js';
import { findAll, parseXml } from '../manifest/xml.js';

const repo = new URL('../../../../', import.meta.url);
const root = fileURLToPath(repo);
const devManifest = readFileSync(new URL('manifest.xml', repo), 'utf8');
const HOST = 'https://signet.contoso.example';

test('parseHost accepts an https origin (or a path below one) and rejects everything else clearly', () => {
  assert.deepEqual(parseHost(HOST), { origin: HOST, base: `${HOST}/` });
  assert.deepEqual(parseHost('https://Apps.Contoso.example:8443/signet'), { origin: 'https://apps.contoso.example:8443', base: 'https://apps.contoso.example:8443/signet/' });
  const bad: [unknown, RegExp][] = [
    [undefined, /needs a value/],
    [true, /needs a value/],
    ['', /needs a value/],
    ['signet.contoso.example', /not a URL/],
    ['http://signet.contoso.example', /https/],
    ['ftp://signet.contoso.example', /https/],
    ['https://user:pw@signet.contoso.example', /user name or password/],
    ['https://signet.contoso.example/?tenant=1', /query or #fragment/],
    ['https://signet.contoso.example/#x', /query or #fragment/],
    ['https://localhost:3000', /loopback/],
    ['https://127.0.0.1', /loopback/],
    ['https://[::1]:3000', /loopback/],
    ['https://intranet', /fully qualified/],
  ];
  for (const [input, message] of bad) assert.throws(() => parseHost(input), message, String(input));
});

test('the rewritten manifest conforms, names no localhost, and its AppDomain is the host origin', () => {
  const out = rewriteManifest(devManifest, parseHost(HOST));
  assert.deepEqual(validateManifest(out), []);
  assert.doesNotMatch(out, /localhost|127\.0\.0\.1/);
  const doc = parseXml(out);
  assert.deepEqual(findAll(doc, (e) => e.local === 'AppDomain').map((e) => e.text), [HOST]);
  const urls = findAll(doc, (e) => e.attrs.has('DefaultValue') && /^https?:/.test(e.attrs.get('DefaultValue')!)).map((e) => e.attrs.get('DefaultValue')!);
  assert.ok(urls.length >= 10);
  for (const url of urls) assert.ok(url.startsWith(`${HOST}/`), url);
  // Under a path: pages move below it, AppDomain stays the origin.
  const below = rewriteManifest(devManifest, parseHost(`${HOST}/addins/signet`));
  assert.match(below, /DefaultValue="https:\/\/signet\.contoso\.example\/addins\/signet\/taskpane\.html"/);
  assert.match(below, /<AppDomain>https:\/\/signet\.contoso\.example<\/AppDomain>/);
});

test('the policy send-guard mode is written into an OnMessageSend LaunchEvent', () => {
  const withEvent = '<x><AppDomain>http://localhost:3000</AppDomain><LaunchEvent Type="OnMessageSend" FunctionName="onSend" SendMode="SoftBlock"/><LaunchEvent Type="OnNewMessageCompose" FunctionName="onNew"/></x>';
  const out = rewriteManifest(withEvent, parseHost(HOST), { sendMode: 'Block' });
  assert.match(out, /Type="OnMessageSend" FunctionName="onSend" SendMode="Block"/);
  assert.match(out, /Type="OnNewMessageCompose" FunctionName="onNew"\/>/);
});

test('the real manifest: SendMode and permission follow the policy, the event runtime URLs move to the host', () => {
  const graphPolicy = parsePolicy(readFileSync(new URL('docs/policies/always-sign.json', repo), 'utf8')).policy;
  const onPremises = parsePolicy(readFileSync(new URL('docs/policies/on-premises.json', repo), 'utf8')).policy;
  assert.equal(permissionFor(graphPolicy), 'ReadWriteItem', 'Graph configured: no EWS, so no ReadWriteMailbox');
  assert.equal(permissionFor(onPremises), 'ReadWriteMailbox', 'Exchange on-premises sends through makeEwsRequestAsync');
  const out = rewriteManifest(devManifest, parseHost(HOST), { sendMode: 'Block', permissions: permissionFor(graphPolicy) });
  assert.deepEqual(validateManifest(out), []);
  const doc = parseXml(out);
  assert.deepEqual(findAll(doc, (e) => e.local === 'LaunchEvent' && e.attrs.get('Type') === 'OnMessageSend').map((e) => e.attrs.get('SendMode')), ['Block']);
  assert.deepEqual(findAll(doc, (e) => e.local === 'Permissions').map((e) => e.text), ['ReadWriteItem']);
  const urls = new Map(findAll(doc, (e) => e.local === 'Url' && e.attrs.has('id')).map((e) => [e.attrs.get('id'), e.attrs.get('DefaultValue')]));
  assert.equal(urls.get('Runtime.Url'), `${HOST}/commands.html`);
  assert.equal(urls.get('JSRuntime.Url'), `${HOST}/launchevent.js`);
});

test('a loopback URL the rewrite cannot place is an error, not a silent leftover', () => {
  assert.throws(() => rewriteManifest('<a>see localhost docs</a>', parseHost(HOST)), /still mentions localhost/);
});

test('the allowed-origins file lists the add-in scripts as absolute URLs on the host', () => {
  const json = JSON.parse(allowedFileJson(parseHost(HOST), ['taskpane.abc.js', 'commands.def.js', 'taskpane.abc.js'])) as { allowed: string[] };
  assert.deepEqual(json, { allowed: [`${HOST}/commands.def.js`, `${HOST}/taskpane.abc.js`] });
});

function webpack(args: string[]) {
  return spawnSync(process.execPath, [join(root, 'node_modules/webpack-cli/bin/cli.js'), '--mode', 'production', ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
  });
}

test('npm run build -- --env host=…: a deployable dist/ for that host', { timeout: 180_000 }, () => {
  const out = mkdtempSync(join(tmpdir(), 'signet-dist-'));
  try {
    const r = webpack(['--env', `host=${HOST}`, '--env', 'policy=docs/policies/always-sign.json', '--output-path', out]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const manifest = readFileSync(join(out, 'manifest.xml'), 'utf8');
    assert.deepEqual(validateManifest(manifest), []);
    assert.doesNotMatch(manifest, /localhost/);
    // Every URL in the manifest is a file of this build.
    for (const m of manifest.matchAll(/"(https:\/\/signet\.contoso\.example\/[^"]*)"/g)) {
      const path = new URL(m[1]!).pathname.slice(1) || 'taskpane.html';
      if (m[1] === `${HOST}/`) continue; // SupportUrl: the site itself
      assert.ok(existsSync(join(out, path)), `${m[1]} is not in the build`);
    }
    // Content-hashed scripts (and launchevent.js, whose name the manifest fixes), each listed in the
    // allowed-origins file that classic Outlook checks before it gives the event runtime an SSO token.
    const allowed = JSON.parse(readFileSync(join(out, ALLOWED_FILE), 'utf8')) as { allowed: string[] };
    assert.ok(allowed.allowed.length >= 3);
    assert.ok(allowed.allowed.includes(`${HOST}/launchevent.js`), 'launchevent.js is allowed');
    for (const url of allowed.allowed) {
      if (url === `${HOST}/launchevent.js`) continue;
      assert.match(url, /^https:\/\/signet\.contoso\.example\/[\w.-]+\.[0-9a-f]{12}(\.chunk)?\.js$/);
      assert.ok(existsSync(join(out, new URL(url).pathname)), url);
    }
    // classic Outlook's JavaScript-only runtime: one self-contained ES2016 script (no import, no later syntax).
    const launchEvent = readFileSync(join(out, 'launchevent.js'), 'utf8');
    assert.doesNotThrow(() => parseJs(launchEvent, { ecmaVersion: 2016, sourceType: 'script' }), 'launchevent.js parses as ES2016');
    assert.doesNotMatch(launchEvent, /\bimport\s*\(|\bimportScripts\b/, 'no chunk loading');
    // The key vault worker runs under the scripts' CSP (default-src 'none'): one file, no chunk loading.
    const vault = readdirSync(out).filter((f) => /^signet-key-vault\.[0-9a-f]{12}\.chunk\.js$/.test(f));
    assert.equal(vault.length, 1, 'one key vault worker script');
    const vaultJs = readFileSync(join(out, vault[0]!), 'utf8');
    assert.match(vaultJs, /Unknown vault request/);
    assert.doesNotMatch(vaultJs, /\bimportScripts\b/, 'the vault worker loads no other chunk');
    // It carries the build's policy document and fetches nothing at send time (fetches from that runtime
    // fail intermittently, and a failure would block every send).
    const built = readFileSync('docs/policies/always-sign.json', 'utf8');
    assert.ok(launchEvent.includes(JSON.stringify(built)), 'launchevent.js carries the policy it was built with');
    assert.doesNotMatch(launchEvent, /\bfetch\s*\(|XMLHttpRequest/, 'launchevent.js makes no request');
    assert.doesNotMatch(launchEvent, /localhost:3000/);
    // Production pages load office.js from Microsoft's CDN; the local development copy is not shipped.
    assert.match(readFileSync(join(out, 'taskpane.html'), 'utf8'), /<script src="?https:\/\/appsforoffice\.microsoft\.com\/lib\/1\/hosted\/office\.js"?><\/script>/);
    assert.ok(!existsSync(join(out, 'office-js')), 'no local office.js in a production build');
    assert.match(manifest, /Type="OnMessageSend" FunctionName="onMessageSendHandler" SendMode="SoftBlock"/, "always-sign.json's sendGuard.mode");
    assert.match(manifest, /<Permissions>ReadWriteItem<\/Permissions>/, 'always-sign.json configures Graph');
    const policy = parsePolicy(readFileSync(join(out, 'signet-policy.json'), 'utf8'));
    assert.deepEqual(policy.errors, []);
    assert.equal(policy.policy.signing.alwaysSign, true);
    assert.ok(!existsSync(join(out, 'index.html')), 'the workbench page is not part of a production build');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('a production build refuses a bad host and an invalid policy', { timeout: 180_000 }, () => {
  const out = mkdtempSync(join(tmpdir(), 'signet-dist-'));
  try {
    const badHost = webpack(['--env', 'host=http://signet.contoso.example', '--output-path', out]);
    assert.notEqual(badHost.status, 0);
    assert.match(badHost.stderr + badHost.stdout, /must use https:\/\//);
    const policyFile = join(out, 'bad-policy.json');
    writeFileSync(policyFile, JSON.stringify({ policyVersion: 1, signing: { alwaysSign: 'yes' } }));
    const badPolicy = webpack(['--env', `host=${HOST}`, '--env', `policy=${policyFile}`, '--output-path', join(out, 'dist')]);
    assert.notEqual(badPolicy.status, 0);
    assert.match(badPolicy.stderr + badPolicy.stdout, /\$\.signing\.alwaysSign/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
