// The workbench server: content types, 404s, refusal of path traversal in every spelling (raw, percent-
// encoded, through a symlink), security headers and a clean shutdown. Requests go through node:http with
// the raw path, because fetch() would normalise `/../` away before it reached the server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request, type IncomingHttpHeaders } from 'node:http';
import { mkdtemp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADDIN_CSP, WORKBENCH_CSP, startServer, type RunningServer } from '../../../workbench/server.js';

let base: string;
let server: RunningServer;

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function get(path: string, method = 'GET'): Promise<Reply> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

before(async () => {
  base = await mkdtemp(join(tmpdir(), 'signet-workbench-'));
  const root = join(base, 'dist');
  await mkdir(join(root, 'assets'), { recursive: true });
  await writeFile(join(root, 'index.html'), '<!doctype html><title>workbench</title>');
  await writeFile(join(root, 'taskpane.html'), '<!doctype html><title>pane</title>');
  await writeFile(join(root, 'taskpane.abc123.js'), 'console.log("pane");');
  await writeFile(join(root, 'assets', 'icon-16.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  await writeFile(join(root, '.env'), 'SECRET=1');
  await writeFile(join(base, 'secret.txt'), 'outside the root');
  await symlink(join(base, 'secret.txt'), join(root, 'escape.txt'));
  server = await startServer({ port: 0, root });
});

after(async () => {
  await server.close();
  await rm(base, { recursive: true, force: true });
});

test('listens on loopback and reports its URL', () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
});

test('serves a file with its content type and security headers', async () => {
  const r = await get('/taskpane.abc123.js');
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'text/javascript; charset=utf-8');
  assert.equal(r.body, 'console.log("pane");');
  assert.equal(r.headers['x-content-type-options'], 'nosniff');
  assert.ok(r.headers['content-security-policy']);
});

test('serves PNG assets as image/png', async () => {
  const r = await get('/assets/icon-16.png');
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'image/png');
});

test('`/` is the workbench page, under the workbench CSP', async () => {
  const r = await get('/');
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
  assert.match(r.body, /workbench/);
  assert.equal(r.headers['content-security-policy'], WORKBENCH_CSP);
  assert.match(WORKBENCH_CSP, /frame-ancestors 'none'/);
});

test('add-in pages get the add-in CSP: office.js allowed, no inline or eval script', async () => {
  const r = await get('/taskpane.html?_host_Info=Outlook');
  assert.equal(r.status, 200);
  const csp = r.headers['content-security-policy'];
  assert.equal(csp, ADDIN_CSP);
  const scriptSrc = ADDIN_CSP.split('; ').find((d) => d.startsWith('script-src ')) ?? '';
  assert.match(scriptSrc, /https:\/\/appsforoffice\.microsoft\.com/);
  assert.doesNotMatch(scriptSrc, /unsafe-inline|unsafe-eval/);
});

test("the add-in CSP lets the pane reach Microsoft Graph and the NAA authority, as docs/ADMIN.md documents", async () => {
  const connect = ADDIN_CSP.split('; ').find((d) => d.startsWith('connect-src ')) ?? '';
  assert.equal(connect, "connect-src 'self' https://graph.microsoft.com https://login.microsoftonline.com");
  // The admin guide's header is the same policy plus the admin's own certificate directory origin.
  const admin = await readFile(new URL('../../../../docs/ADMIN.md', import.meta.url), 'utf8');
  const row = /\| `Content-Security-Policy` \(HTML pages\) \| `([^`]+)`/.exec(admin);
  assert.ok(row, 'docs/ADMIN.md has the CSP row');
  assert.equal(row[1]!.replace(' <directory origin>', ''), ADDIN_CSP);
});

test('taskpane.html?workbench=1 swaps exactly the office.js script for the workbench host', async () => {
  await writeFile(join(base, 'dist', 'workbench-office.0123456789ab.js'), '/* shim */');
  await writeFile(
    join(base, 'dist', 'taskpane.html'),
    '<!doctype html><script src="https://appsforoffice.microsoft.com/lib/1/hosted/office.js"></script><title>pane</title>',
  );
  const hosted = await get('/taskpane.html?workbench=1');
  assert.equal(hosted.status, 200);
  assert.match(hosted.body, /<script src="workbench-office\.0123456789ab\.js"><\/script><title>pane<\/title>/);
  assert.equal(hosted.headers['content-security-policy'], ADDIN_CSP);
  const plain = await get('/taskpane.html');
  assert.match(plain.body, /appsforoffice\.microsoft\.com/);
  // The add-in's event runtime (commands.html) is hosted the same way.
  await writeFile(
    join(base, 'dist', 'commands.html'),
    '<!doctype html><script src="https://appsforoffice.microsoft.com/lib/1/hosted/office.js"></script><title>commands</title>',
  );
  const runtime = await get('/commands.html?workbench=1');
  assert.match(runtime.body, /<script src="workbench-office\.0123456789ab\.js"><\/script><title>commands<\/title>/);
  assert.equal(runtime.headers['content-security-policy'], ADDIN_CSP);
});

test('workbench-taskpane.html / workbench-commands.html (the workbench entries that inject its hooks) are always hosted with the shim; the shipped pages only on ?workbench=1', async () => {
  await writeFile(join(base, 'dist', 'workbench-office.0123456789ab.js'), '/* shim */');
  for (const page of ['workbench-taskpane.html', 'workbench-commands.html']) {
    await writeFile(join(base, 'dist', page), '<!doctype html><script src=https://appsforoffice.microsoft.com/lib/1/hosted/office.js></script><title>wb</title>');
    const r = await get(`/${page}`);
    assert.match(r.body, /<script src="workbench-office\.0123456789ab\.js"><\/script><title>wb<\/title>/);
    assert.equal(r.headers['content-security-policy'], ADDIN_CSP);
  }
  // Another page whose name merely ends the same way is not an add-in page.
  await writeFile(join(base, 'dist', 'not-taskpane.html'), '<!doctype html><script src=https://appsforoffice.microsoft.com/lib/1/hosted/office.js></script><title>x</title>');
  assert.match((await get('/not-taskpane.html?workbench=1')).body, /appsforoffice/);
  // webpack: the workbench pages exist in development builds and `--env workbench` only, never in a
  // production build or a build for real Outlook (`--env outlook`).
  const config = (await import(new URL('../../../../webpack.config.js', import.meta.url).href)) as {
    default: (env: object, argv: object) => { entry: Record<string, string>; plugins?: { userOptions?: { filename?: string } }[] }[];
  };
  const built = (env: object, mode: string) => {
    const c = config.default(env, { mode })[0]!;
    return [...Object.keys(c.entry), ...c.plugins!.map((p) => p.userOptions?.filename).filter((f): f is string => typeof f === 'string')];
  };
  assert.deepEqual(built({}, 'production').filter((n) => n.includes('workbench')), []);
  assert.deepEqual(built({ outlook: true }, 'development').filter((n) => n.includes('workbench')), []);
  assert.deepEqual(built({ workbench: true }, 'production').filter((n) => n.includes('workbench')).sort(), [
    'workbench',
    'workbench-commands',
    'workbench-commands.html',
    'workbench-office',
    'workbench-taskpane',
    'workbench-taskpane.html',
  ]);
});

test('a development build loads the local @microsoft/office-js copy, which the workbench swaps the same way', async () => {
  await writeFile(join(base, 'dist', 'workbench-office.0123456789ab.js'), '/* shim */');
  await writeFile(join(base, 'dist', 'taskpane.html'), '<!doctype html><script src="office-js/office.js"></script><title>dev pane</title>');
  const hosted = await get('/taskpane.html?workbench=1');
  // A production build's minified HTML has no attribute quotes: swapped all the same.
  await writeFile(join(base, 'dist', 'commands.html'), '<!doctype html><script src=https://appsforoffice.microsoft.com/lib/1/hosted/office.js></script><title>min</title>');
  assert.match((await get('/commands.html?workbench=1')).body, /<script src="workbench-office\.0123456789ab\.js"><\/script><title>min<\/title>/);
  assert.match(hosted.body, /<script src="workbench-office\.0123456789ab\.js"><\/script><title>dev pane<\/title>/);
  assert.doesNotMatch(hosted.body, /office-js\/office\.js/);
  // webpack.config.js: CDN in production (Microsoft's rule), the local copy in development.
  const config = (await import(new URL('../../../../webpack.config.js', import.meta.url).href)) as {
    default: (env: object, argv: object) => { plugins?: { userOptions?: { filename?: string; officeJs?: string } }[] }[];
    OFFICE_JS_CDN: string;
    OFFICE_JS_LOCAL: string;
  };
  const pages = (mode: string) =>
    config
      .default({}, { mode })[0]!
      .plugins!.map((p) => p.userOptions)
      .filter((o) => o?.filename === 'taskpane.html' || o?.filename === 'commands.html')
      .map((o) => o!.officeJs);
  assert.deepEqual(pages('production'), [config.OFFICE_JS_CDN, config.OFFICE_JS_CDN]);
  assert.deepEqual(pages('development'), [config.OFFICE_JS_LOCAL, config.OFFICE_JS_LOCAL]);
});

test('without a mail store the transport endpoints do not exist', async () => {
  assert.equal((await get('/workbench/api/sent')).status, 404);
  assert.equal((await get('/graph/v1.0/me/sendMail', 'POST')).status, 405);
});

test('a missing file is 404', async () => {
  const r = await get('/nope.js');
  assert.equal(r.status, 404);
  assert.ok(r.headers['content-security-policy']);
});

test('a directory is not listed', async () => {
  assert.equal((await get('/assets/')).status, 404);
  assert.equal((await get('/assets')).status, 404);
});

test('path traversal is refused in every spelling', async () => {
  for (const path of [
    '/../package.json',
    '/../secret.txt',
    '/assets/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E%2Fsecret.txt',
    '/..%5csecret.txt',
    '/.%2e/secret.txt',
  ]) {
    const r = await get(path);
    assert.ok([400, 403, 404].includes(r.status), `${path} gave ${r.status}`);
    assert.doesNotMatch(r.body, /outside the root|"name"/, `${path} leaked a file`);
  }
  assert.equal((await get('/../secret.txt')).status, 403);
});

test('a symlink out of the root is refused', async () => {
  const r = await get('/escape.txt');
  assert.equal(r.status, 403);
  assert.doesNotMatch(r.body, /outside the root/);
});

test('dot-files and malformed escapes are not served', async () => {
  assert.equal((await get('/.env')).status, 404);
  assert.equal((await get('/%E0%A4%A')).status, 400);
  assert.equal((await get('/a%00b')).status, 400);
});

test('only GET and HEAD', async () => {
  const post = await get('/taskpane.html', 'POST');
  assert.equal(post.status, 405);
  assert.equal(post.headers['allow'], 'GET, HEAD');
  const head = await get('/taskpane.abc123.js', 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.headers['content-length'], String('console.log("pane");'.length));
  assert.equal(head.body, '');
});

test('close() stops the server', async () => {
  const extra = await startServer({ port: 0, root: join(base, 'dist') });
  await extra.close();
  const url = new URL(extra.url);
  await assert.rejects(
    new Promise((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path: '/', agent: false }, resolve);
      req.on('error', reject);
      req.end();
    }),
    /ECONNREFUSED/,
  );
});
