// Configuration of the organisation host (`signet serve`), from a JSON file, environment variables, or
// command-line flags (later wins: file < environment < flags). Every value is checked here; a bad one
// stops the start-up with a sentence naming it (a usage error), never a half-configured server.
// docs/ADMIN.md, "Organisation host and revocation relay", lists every key.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SignetError } from '../core/errors.js';
import { RELAY_DEFAULTS, type RelayOptions } from './relay/relay.js';

export interface HostConfig {
  /** The production build to serve (webpack's dist/). */
  root: string;
  address: string;
  port: number;
  /** Serve this file as /signet-policy.json instead of the build's copy. */
  policyFile: string | null;
  /** PEM files for HTTPS; without them the host speaks HTTP (behind a TLS-terminating proxy). */
  tlsCert: string | null;
  tlsKey: string | null;
  /** Behind a load balancer: trust X-Forwarded-For from these proxies (true = any; a CSV of addresses/CIDRs). */
  trustProxy: boolean | string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'silent';
  /** The revocation relay, or null when switched off. */
  relay: RelayOptions | null;
}

/** The keys of the JSON file and their environment variables. */
const KEYS = {
  root: 'SIGNET_ROOT',
  address: 'SIGNET_ADDRESS',
  port: 'SIGNET_PORT',
  policyFile: 'SIGNET_POLICY',
  tlsCert: 'SIGNET_TLS_CERT',
  tlsKey: 'SIGNET_TLS_KEY',
  trustProxy: 'SIGNET_TRUST_PROXY',
  logLevel: 'SIGNET_LOG_LEVEL',
  relay: 'SIGNET_RELAY',
  relayRatePerMinute: 'SIGNET_RELAY_RATE_PER_MINUTE',
  relayConcurrency: 'SIGNET_RELAY_CONCURRENCY',
  relayTimeoutMs: 'SIGNET_RELAY_TIMEOUT_MS',
  relayCacheMb: 'SIGNET_RELAY_CACHE_MB',
  relayMaxCrlMb: 'SIGNET_RELAY_MAX_CRL_MB',
  relayFailureCacheSeconds: 'SIGNET_RELAY_FAILURE_CACHE_SECONDS',
  relayTestLoopback: 'SIGNET_RELAY_TEST_LOOPBACK',
  relayTestPorts: 'SIGNET_RELAY_TEST_PORTS',
} as const;

type Key = keyof typeof KEYS;
type Raw = Partial<Record<Key, string | number | boolean>>;

function fail(key: string, what: string): never {
  throw new SignetError('usage', `Host configuration: ${key} ${what}.`);
}

function int(raw: Raw, key: Key, min: number, max: number, dflt: number): number {
  const v = raw[key];
  if (v === undefined || v === '') return dflt;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isSafeInteger(n) || n < min || n > max) fail(key, `must be a whole number from ${min} to ${max}`);
  return n;
}

function bool(raw: Raw, key: Key, dflt: boolean): boolean {
  const v = raw[key];
  if (v === undefined || v === '') return dflt;
  if (v === true || v === 'true' || v === '1' || v === 'on') return true;
  if (v === false || v === 'false' || v === '0' || v === 'off') return false;
  return fail(key, 'must be true or false');
}

function str(raw: Raw, key: Key): string | null {
  const v = raw[key];
  if (v === undefined || v === '') return null;
  if (typeof v !== 'string') fail(key, 'must be a string');
  return v;
}

/** Reads the configuration: `file` (JSON with the keys above), then `env`, then `flags`. */
export function loadHostConfig(options: { file?: string | null; env?: Record<string, string | undefined>; flags?: Raw } = {}): HostConfig {
  const raw: Raw = {};
  if (options.file) {
    let doc: unknown;
    try {
      doc = JSON.parse(readFileSync(options.file, 'utf8'));
    } catch (e) {
      throw new SignetError('usage', `Host configuration: cannot read ${options.file} as JSON (${e instanceof Error ? e.message : String(e)}).`);
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) fail(options.file, 'must hold one JSON object');
    for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
      if (!(k in KEYS)) fail(k, `is not a configuration key (known: ${Object.keys(KEYS).join(', ')})`);
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') fail(k, 'must be a string, number or boolean');
      raw[k as Key] = v;
    }
  }
  const env = options.env ?? {};
  for (const [k, name] of Object.entries(KEYS) as [Key, string][]) if (env[name] !== undefined) raw[k] = env[name];
  Object.assign(raw, options.flags ?? {});

  const logLevel = str(raw, 'logLevel') ?? 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'silent'].includes(logLevel)) fail('logLevel', 'must be fatal, error, warn, info, debug or silent');
  const tp = raw.trustProxy;
  const trustProxy = tp === undefined || tp === '' || tp === false || tp === 'false' ? false : tp === true || tp === 'true' ? true : String(tp);
  const testPorts = (str(raw, 'relayTestPorts') ?? '')
    .split(',')
    .filter((p) => p.trim() !== '')
    .map((p) => {
      const n = Number(p);
      if (!Number.isSafeInteger(n) || n < 1 || n > 65535) fail('relayTestPorts', 'must be a comma-separated list of ports');
      return n;
    });
  const relay: RelayOptions | null = bool(raw, 'relay', true)
    ? {
        allowLoopbackForTests: bool(raw, 'relayTestLoopback', false),
        extraPortsForTests: testPorts,
        rateLimit: { max: int(raw, 'relayRatePerMinute', 1, 1_000_000, RELAY_DEFAULTS.rateLimit.max), timeWindowMs: 60_000 },
        maxConcurrent: int(raw, 'relayConcurrency', 1, 10_000, RELAY_DEFAULTS.maxConcurrent),
        timeoutMs: int(raw, 'relayTimeoutMs', 500, 60_000, RELAY_DEFAULTS.timeoutMs),
        maxCrlBytes: int(raw, 'relayMaxCrlMb', 1, 256, RELAY_DEFAULTS.maxCrlBytes / 2 ** 20) * 2 ** 20,
        cache: { ...RELAY_DEFAULTS.cache, maxBytes: int(raw, 'relayCacheMb', 1, 16_384, RELAY_DEFAULTS.cache.maxBytes / 2 ** 20) * 2 ** 20 },
        failureCache: { ...RELAY_DEFAULTS.failureCache, ttlMs: int(raw, 'relayFailureCacheSeconds', 0, 3600, RELAY_DEFAULTS.failureCache.ttlMs / 1000) * 1000 },
      }
    : null;
  const tlsCert = str(raw, 'tlsCert');
  const tlsKey = str(raw, 'tlsKey');
  if ((tlsCert === null) !== (tlsKey === null)) fail('tlsCert/tlsKey', 'must be given together');
  const policyFile = str(raw, 'policyFile');
  return {
    root: resolve(str(raw, 'root') ?? 'dist'),
    address: str(raw, 'address') ?? '0.0.0.0',
    port: int(raw, 'port', 0, 65535, 8080),
    policyFile: policyFile ? resolve(policyFile) : null,
    tlsCert,
    tlsKey,
    trustProxy,
    logLevel: logLevel as HostConfig['logLevel'],
    relay,
  };
}
