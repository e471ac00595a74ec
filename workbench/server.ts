// Local host for development, demos and browser tests: a dependency-free static server (node:http) for the
// webpack output in dist/, bound to 127.0.0.1, with the workbench page (an Outlook-like frame around the
// task pane) at `/`. It serves the add-in pages with the Content-Security-Policy they are built for, so
// CSP problems show up here first and not in Outlook. The same origin carries the simulated Exchange
// (transport.ts): Microsoft Graph sendMail, EWS CreateItem, and the mailbox that receives what they send.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { createReadStream } from 'node:fs';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { basename, extname, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { MailboxIndex } from './mailbox.js';
import { MailStore, type MailStoreOptions } from './mail-store.js';
import { ensureMailbox, workbenchPaths } from './samples.js';
import { Transport } from './transport.js';

export interface ServerOptions {
  /** TCP port; 0 picks a free one (tests). */
  port: number;
  /** Directory to serve, normally dist/. */
  root: string;
  /** Interface to bind. Only loopback by default: this server is for the developer's own machine. */
  host?: string;
  /**
   * Folders consulted, in order, for a path that `root` does not have: the generated workbench mailbox,
   * demo key and trust anchors (.workbench/public, see samples.ts), which never go into dist/.
   */
  extraRoots?: string[];
  /**
   * The simulated Exchange's delivered mail (Graph, EWS and Outlook's own send deliver into it). Absent:
   * no transport endpoints, only static files.
   */
  mail?: MailStoreOptions | MailStore;
  /**
   * Serve HTTPS with this key and certificate (PEM) instead of HTTP: real Outlook loads add-ins only over
   * HTTPS (outlook-dev.ts, with office-addin-dev-certs' localhost certificate).
   */
  tls?: { key: string | Buffer; cert: string | Buffer; ca?: string | Buffer };
  /**
   * Requests under /relay/ go to this handler: the organisation host's revocation relay
   * (src/host/relay/, e.g. a Fastify instance's `routing`), on the pane's origin as in production.
   */
  relay?: (req: IncomingMessage, res: ServerResponse) => void;
}

export interface RunningServer {
  /** Base URL with a trailing slash, e.g. http://127.0.0.1:3000/ */
  url: string;
  /** Stops accepting connections, ends idle keep-alive ones, and resolves when the server has closed. */
  close(): Promise<void>;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.eml': 'message/rfc822',
  '.p7m': 'application/pkcs7-mime',
  '.p7s': 'application/pkcs7-signature',
};

/**
 * CSP for the add-in pages (taskpane.html, commands.html). office.js comes from Microsoft's CDN and loads
 * its host scripts from there and ajax.aspnetcdn.com; it also sets inline styles (office-js issue #1687),
 * hence style-src 'unsafe-inline'. Scripts stay strict: no inline script, no eval (which is why webpack
 * never uses an eval devtool). No frame-ancestors: Outlook frames the pane from origins that differ per
 * client (web, new Outlook, classic, Mac). connect-src: Microsoft Graph, where the pane and the send
 * handler post the protected MIME (sendMail), and the Entra ID authority that MSAL's Nested App
 * Authentication asks for the Graph token; the workbench's own stand-ins for both are same-origin
 * ('self'). docs/ADMIN.md, "Host the files", lists the same header (plus the admin's directory origin).
 */
export const ADDIN_CSP = [
  "default-src 'self'",
  "script-src 'self' https://appsforoffice.microsoft.com https://ajax.aspnetcdn.com",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self' https://graph.microsoft.com https://login.microsoftonline.com",
  "frame-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** CSP for the workbench page itself: only same-origin resources, framing the task pane, never framed. */
export const WORKBENCH_CSP = [
  "default-src 'self'",
  "img-src 'self' data:",
  "frame-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Everything that is not a page (scripts, images, errors) gets no powers even if opened directly. */
const RESOURCE_CSP = "default-src 'none'; frame-ancestors 'none'";

const WORKBENCH_PAGE = '/index.html';

/**
 * Microsoft's office.js as the add-in pages load it: from Microsoft's CDN in a production build, the local
 * copy from @microsoft/office-js in a development build (webpack.config.js OFFICE_JS_CDN / OFFICE_JS_LOCAL).
 */
const OFFICE_JS_CDN = 'https://appsforoffice.microsoft.com/lib/1/hosted/office.js';
const OFFICE_JS_LOCAL = 'office-js/office.js';
// Production HTML is minified, which drops the attribute quotes.
const OFFICE_JS_TAG = new RegExp(`<script src="?(?:${OFFICE_JS_CDN.replace(/[.]/g, '\\.')}|${OFFICE_JS_LOCAL.replace(/[.]/g, '\\.')})"?></script>`);

/**
 * `workbench-taskpane.html` is the pane as the workbench hosts it (and `workbench-commands.html` the add-in's
 * event and function-command runtime): the same page template as the shipped taskpane.html/commands.html,
 * with the workbench's entry bundle (which injects its development hooks, pane-entry.tsx / runtime-entry.ts)
 * and Microsoft's office.js replaced by the workbench's simulated one (office-shim.ts), exactly one script
 * swapped. The shipped pages are hosted the same way with `?workbench=1` (the production pane, no hooks).
 */
function isWorkbenchPane(rawUrl: string, file: string): boolean {
  const name = basename(file);
  if (name === 'workbench-taskpane.html' || name === 'workbench-commands.html') return true;
  if (name !== 'taskpane.html' && name !== 'commands.html') return false;
  const query = rawUrl.split('?')[1] ?? '';
  return new URLSearchParams(query.split('#')[0]).get('workbench') === '1';
}

async function workbenchOfficeScript(root: string): Promise<string | null> {
  const names = await readdir(root);
  return names.find((n) => /^workbench-office(\.[0-9a-f]+)?\.js$/.test(n)) ?? null;
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    'Content-Security-Policy': RESOURCE_CSP,
    ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/**
 * Maps the raw request target to a path below root, or gives the HTTP status to refuse it with. The raw
 * target is used (not a WHATWG URL, which would silently collapse `/../`), so a traversal attempt is
 * refused outright instead of being served from a normalised path.
 */
function resolveTarget(root: string, rawUrl: string): { file: string } | { status: number } {
  const rawPath = rawUrl.split(/[?#]/, 1)[0] ?? '';
  if (!rawPath.startsWith('/')) return { status: 400 };
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return { status: 400 };
  }
  if (path.includes('\0') || path.includes('\\')) return { status: 400 };
  const segments = path.split('/');
  if (segments.some((s) => s === '..' || s === '.')) return { status: 403 };
  // Dot-files (.git, .env …) are never part of a build output.
  if (segments.some((s) => s.startsWith('.'))) return { status: 404 };
  if (path === '/') path = WORKBENCH_PAGE;
  const file = resolve(root, '.' + path);
  if (file !== root && !file.startsWith(root + sep)) return { status: 403 };
  return { file };
}

function securityHeaders(urlPath: string, contentType: string): Record<string, string> {
  let csp = RESOURCE_CSP;
  if (contentType.startsWith('text/html')) csp = urlPath === '/' || urlPath === WORKBENCH_PAGE ? WORKBENCH_CSP : ADDIN_CSP;
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    // No Cross-Origin-Resource-Policy: Outlook's own pages load the manifest icons cross-origin.
    // A development server: always revalidate, so a rebuilt bundle is picked up on reload.
    'Cache-Control': 'no-cache',
  };
}

async function locate(roots: readonly string[], target: string, root: string): Promise<{ file: string; base: string } | null> {
  for (const base of roots) {
    const candidate = base === root ? target : resolve(base, '.' + target.slice(root.length));
    try {
      // realpath: a symlink inside a root must not lead outside it.
      const file = await realpath(candidate);
      if (!file.startsWith(base + sep)) return null;
      const info = await stat(file);
      if (info.isFile()) return { file, base };
    } catch {
      // not in this root: try the next
    }
  }
  return null;
}

async function handle(root: string, extra: readonly string[], transport: Transport | null, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestPath = (req.url ?? '/').split(/[?#]/, 1)[0] ?? '/';
  if (transport !== null && Transport.owns(requestPath)) {
    await transport.handle(req, res, requestPath);
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, 405, 'Method Not Allowed\n', { Allow: 'GET, HEAD' });
    return;
  }
  const target = resolveTarget(root, req.url ?? '');
  if ('status' in target) {
    send(res, target.status, target.status === 403 ? 'Forbidden\n' : 'Bad Request\n');
    return;
  }
  let file: string;
  let size: number;
  try {
    // realpath: a symlink inside root must not lead outside it.
    file = await realpath(target.file);
    if (!file.startsWith(root + sep)) {
      send(res, 403, 'Forbidden\n');
      return;
    }
    const info = await stat(file);
    if (!info.isFile()) throw new Error('not a file');
    size = info.size;
  } catch {
    const found = extra.length > 0 ? await locate(extra, target.file, root) : null;
    if (found === null) {
      send(res, 404, 'Not Found\n');
      return;
    }
    file = found.file;
    size = (await stat(file)).size;
  }
  const contentType = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  const urlPath = (req.url ?? '/').split(/[?#]/, 1)[0] ?? '/';
  if (isWorkbenchPane(req.url ?? '', file)) {
    const shim = await workbenchOfficeScript(root);
    const html = (await readFile(file, 'utf8')).replace(OFFICE_JS_TAG, `<script src="${shim ?? 'workbench-office-missing.js'}"></script>`);
    res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': String(Buffer.byteLength(html)), ...securityHeaders(urlPath, contentType) });
    res.end(req.method === 'HEAD' ? undefined : html);
    return;
  }
  res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': String(size), ...securityHeaders(urlPath, contentType) });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

/** Starts the server; resolves once it is listening (port 0 → the port chosen is in `url`). */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const root = await realpath(resolve(options.root));
  const extra = [root, ...(await Promise.all((options.extraRoots ?? []).map((r) => realpath(resolve(r)))))];
  const mail = options.mail;
  const transport = mail === undefined ? null : new Transport({ store: mail instanceof MailStore ? mail : new MailStore(mail) });
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    if (options.relay && (req.url ?? '').startsWith('/relay/')) return options.relay(req, res);
    handle(root, extra.length > 1 ? extra.slice(1) : [], transport, req, res).catch(() => {
      if (!res.headersSent) send(res, 500, 'Internal Server Error\n');
      else res.destroy();
    });
  };
  const server: Server = options.tls ? createTlsServer(options.tls, listener) : createServer(listener);
  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(options.port, host, () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no TCP address');
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `${options.tls ? 'https' : 'http'}://${urlHost}:${address.port}/`,
    close: () =>
      new Promise<void>((resolveClose, rejectClose) => {
        server.close((err) => (err ? rejectClose(err) : resolveClose()));
        server.closeIdleConnections();
        // Busy keep-alive connections (a browser holding one open) must not keep the process alive.
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      }),
  };
}

function parsePort(value: string | undefined): number {
  if (value === undefined || value === '') return 3000;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be an integer from 0 to 65535, not ${JSON.stringify(value)}`);
  }
  return port;
}

async function main(): Promise<void> {
  // lib/workbench/server.js → the package root is two levels up.
  const root = fileURLToPath(new URL('../../dist/', import.meta.url));
  // Demo CA, identities and sample mailbox: generated on first start (openssl + Signet), never committed.
  const mailbox = await ensureMailbox(undefined, (line) => console.log(line));
  const index = JSON.parse(await readFile(workbenchPaths().index, 'utf8')) as MailboxIndex;
  // What the workbench sends is kept under .workbench/delivered/, so a reload (or a restart) still shows it.
  const mail: MailStoreOptions = { dir: workbenchPaths().delivered, owner: index.owner, sendAs: index.sendAs };
  const running = await startServer({ port: parsePort(process.env['PORT']), root, extraRoots: [mailbox], mail });
  console.log(`Signet workbench: ${running.url}  (serving ${root}; Ctrl+C to stop)`);
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the workbench server…`);
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    console.error(`Signet workbench: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
