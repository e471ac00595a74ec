// The organisation host (issue 15; docs/ADMIN.md, "Organisation host and revocation relay"): one Fastify
// server that admins run instead of a plain static server. It serves the production build (webpack's
// dist/) with the headers of docs/ADMIN.md §2 — CSP per kind of file, a year of immutable caching for
// content-hashed bundles and revalidation for everything else, the `.well-known` allowed-origins file —
// serves the organisation policy as /signet-policy.json, answers /healthz (alive) and /readyz (build and
// policy loaded), and carries the revocation relay (relay/relay.ts) under /relay on the pane's own origin,
// so the pane's CSP needs nothing beyond connect-src 'self' for revocation.
//
// Stateless: the only state is the relay's cache and counters, per process. Run as many instances as
// needed behind any load balancer. Logs are JSON lines (pino, Fastify's logger) with method, path, status
// and time — never a query string's secrets, a request body, a message or a certificate.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { parsePolicy, policyWarnings, type Policy } from '../policy/policy.js';
import { SignetError } from '../core/errors.js';
import type { HostConfig } from './config.js';
import { registerRelay, type RelayStats } from './relay/relay.js';

/** webpack's production names: `name.<12 hex>.js` (webpack.config.js, `hashed`). */
const HASHED = /\.[0-9a-f]{12}\.(?:js|css|mjs)$/;
const POLICY_PATH = '/signet-policy.json';
export const ALLOWED_ORIGINS_PATH = '/.well-known/microsoft-officeaddins-allowed.json';

/** CSP for the add-in pages (docs/ADMIN.md §2), with the policy's own origins in connect-src. */
export function addinCsp(policy: Policy): string {
  const connect = new Set(["'self'"]);
  if (policy.graph) {
    connect.add('https://graph.microsoft.com');
    connect.add(new URL(policy.graph.authority).origin);
  }
  if (policy.directory) connect.add(new URL(policy.directory.url).origin);
  const relay = policy.revocation.relay;
  if (relay && /^https:/i.test(relay)) connect.add(new URL(relay).origin);
  return [
    "default-src 'self'",
    "script-src 'self' https://appsforoffice.microsoft.com https://ajax.aspnetcdn.com",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    `connect-src ${[...connect].join(' ')}`,
    "frame-src 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}
const RESOURCE_CSP = "default-src 'none'; frame-ancestors 'none'";

export interface Host {
  app: FastifyInstance;
  stats: RelayStats | null;
  policy: Policy;
}

/** Reads the policy the host serves; an invalid one stops the start-up (as it fails the production build). */
function loadServedPolicy(config: HostConfig): { text: string; policy: Policy } {
  const file = config.policyFile ?? join(config.root, 'signet-policy.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new SignetError('usage', `Host: cannot read the policy ${file}.`);
  }
  const r = parsePolicy(text);
  if (r.errors.length) throw new SignetError('usage', `Host: the policy ${file} is invalid: ${r.errors.map((e) => `${e.path}: ${e.message}`).join(' ')}`);
  return { text, policy: r.policy };
}

export async function buildHost(config: HostConfig, extra: { relayResolve?: NonNullable<HostConfig['relay']>['resolve'] } = {}): Promise<Host> {
  if (!existsSync(join(config.root, 'taskpane.html'))) throw new SignetError('usage', `Host: ${config.root} is not a production build (no taskpane.html); run npm run build -- --env host=… first.`);
  const { text: policyText, policy } = loadServedPolicy(config);
  const pageCsp = addinCsp(policy);
  const https = config.tlsCert && config.tlsKey ? { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) } : null;
  const app = Fastify({
    ...(https ? { https } : {}),
    trustProxy: config.trustProxy,
    logger: config.logLevel === 'silent' ? false : {
      level: config.logLevel,
      // Method, path (no query string: a relay target URL is the one query the host takes, logged by the relay
      // as its host only), client address; never headers, cookies or bodies.
      serializers: {
        req: (req: { method: string; url: string; ip?: string }) => ({ method: req.method, path: req.url.split('?')[0], ip: req.ip }),
        res: (res: { statusCode: number }) => ({ status: res.statusCode }),
      },
    },
  });

  app.addHook('onSend', async (_req, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    if (https) reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
    if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', RESOURCE_CSP);
  });

  for (const w of policyWarnings(policy)) app.log.warn({ path: w.path, code: w.code }, w.message);
  if (policy.revocation.relay && !config.relay) app.log.warn('the policy names a revocation relay but this host runs none (SIGNET_RELAY=false)');
  const stats = config.relay ? await registerRelay(app, { ...config.relay, ...(extra.relayResolve ? { resolve: extra.relayResolve } : {}) }) : null;
  if (config.relay?.allowLoopbackForTests) app.log.warn('revocation relay in TEST MODE: loopback targets allowed (never use in production)');

  app.get('/healthz', async (_req, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const ready = existsSync(join(config.root, 'taskpane.html'));
    return reply
      .code(ready ? 200 : 503)
      .header('cache-control', 'no-store')
      .send({ status: ready ? 'ready' : 'not-ready', relay: stats ? { inFlight: stats.inFlight, cacheEntries: stats.cacheEntries } : null });
  });
  app.get(POLICY_PATH, async (_req, reply) => reply.header('content-type', 'application/json; charset=utf-8').header('cache-control', 'no-cache').send(policyText));

  await app.register(fastifyStatic, {
    root: config.root,
    dotfiles: 'allow', // .well-known/ must be served
    index: false,
    cacheControl: false,
    etag: true,
    lastModified: true,
    setHeaders: (res, path) => {
      const name = path.replaceAll('\\', '/');
      res.header('cache-control', HASHED.test(name) ? 'public, max-age=31536000, immutable' : 'no-cache');
      res.header('content-security-policy', name.endsWith('.html') ? pageCsp : RESOURCE_CSP);
    },
  });
  app.get('/', async (_req, reply) => reply.redirect('/taskpane.html'));
  return { app, stats, policy };
}
