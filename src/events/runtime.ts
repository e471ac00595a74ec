// The real dependencies of the browser-runtime handlers (handlers.ts HandlerDeps), wired for commands.html.
// Everything heavy — the policy validator (PKI.js for anchors), the MIME builder, CMS, the transports,
// MSAL — is loaded with dynamic imports only when a handler needs it, so launching a compose form costs
// one small bundle.

import { domainKey } from '../core/idn.js';
import type { ComposeServices } from '../compose/services.js';
import { DEFAULT_SEND_TIMEOUT_MS, type HandlerDeps, type PolicyState } from './handlers.js';
import type { RuntimeKind } from './guard.js';
import { requirementSupported } from '../outlook/office.js';

/** A browser runtime can sign and encrypt only with WebCrypto; without it the guard behaves as in classic Outlook's JS runtime. */
export function runtimeKind(): RuntimeKind {
  const subtle = (globalThis as { crypto?: { subtle?: { sign?: unknown } } }).crypto?.subtle;
  return typeof subtle?.sign === 'function' ? 'browser' : 'javascript-only';
}

/** How long a loaded policy is reused by the same runtime (the admin's change applies at the next load). */
const POLICY_TTL_MS = 5 * 60_000;
let cachedPolicy: { at: number; value: Promise<PolicyState> } | null = null;

/** Loads /signet-policy.json next to the page (policy/load.ts); only an unreadable policy is "unavailable". */
export function loadPolicyState(): Promise<PolicyState> {
  const now = Date.now();
  if (cachedPolicy !== null && now - cachedPolicy.at < POLICY_TTL_MS) return cachedPolicy.value;
  const value = import('../policy/load.js').then(async ({ loadPolicy }): Promise<PolicyState> => {
    const base = (globalThis as { location?: { href?: string } }).location?.href;
    const fetchFn = globalThis.fetch?.bind(globalThis);
    if (typeof fetchFn !== 'function' || base === undefined) return { status: 'unavailable', reason: 'This Outlook gives Signet no way to fetch its policy.' };
    const result = await loadPolicy({ fetch: fetchFn, base });
    const unreadable = result.errors.find((e) => e.code === 'unreadable');
    if (result.source === 'defaults' && unreadable !== undefined) return { status: 'unavailable', reason: unreadable.message };
    return { status: 'loaded', policy: result.policy };
  });
  cachedPolicy = { at: now, value };
  // A failed load is not reused: the next event tries again.
  value.then((v) => {
    if (v.status !== 'loaded' && cachedPolicy?.value === value) cachedPolicy = null;
  }, () => {
    if (cachedPolicy?.value === value) cachedPolicy = null;
  });
  return value;
}

let servicesProvider: (() => Promise<ComposeServices>) | null = null;

/** Replaces the key services (tests, or a host that brings its own keys). */
export function setComposeServicesProvider(provider: (() => Promise<ComposeServices>) | null): void {
  servicesProvider = provider;
}

/**
 * The key services: the key store (src/keys/store, IndexedDB of this origin — the same database the task
 * pane imports keys into and learns correspondents' certificates into), opened by the pane's keyring with
 * the same trust anchors and policy, then the keys held for this session only (a development host's demo key,
 * injected by its entry point, outlook/development-hooks.ts). Outlook itself never provides keys.
 */
export async function composeServices(): Promise<ComposeServices> {
  if (servicesProvider !== null) return servicesProvider();
  const [{ loadKeyring }, { composeServicesFor }, { staticServices, combineServices }] = await Promise.all([
    import('../taskpane/engine.js'),
    import('../keys/store/compose-services.js'),
    import('../compose/services.js'),
  ]);
  const keyring = await loadKeyring();
  const session = staticServices({ identities: keyring.sessionIdentities });
  return keyring.store ? combineServices(composeServicesFor(keyring.store), session) : session;
}

/** The dependencies of the browser-runtime handlers. */
export function browserDeps(): HandlerDeps {
  return {
    runtime: runtimeKind(),
    loadPolicy: loadPolicyState,
    services: composeServices,
    mailboxSupports: (version) => requirementSupported('Mailbox', version),
    sendTimeoutMs: DEFAULT_SEND_TIMEOUT_MS,
    toAscii: domainKey,
    now: () => new Date(),
  };
}
