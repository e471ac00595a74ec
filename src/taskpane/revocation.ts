// How the pane checks revocation (issue 15). OCSP responders and CRL servers speak plain http and send no
// CORS headers, so a browser page cannot read them; the organisation host's relay can
// (src/host/relay/, docs/ADMIN.md "Organisation host and revocation relay"). When the policy names it
// (`revocation.relay`), the pane checks revocation through it — every answer still verified here by the
// core — and keeps verified answers for the session; without it the pane verifies offline and the
// Verdict says revocation was not checked.

import { MemoryRevocationCache } from '../core/pki/revocation/index.js';
import { relayFetch } from '../core/pki/revocation/relay-client.js';
import type { OpenOptions } from '../core/smime/open.js';
import type { Policy } from '../policy/policy.js';

/** Verified OCSP answers and CRLs of this pane session, until their nextUpdate. */
const sessionCache = new MemoryRevocationCache(256);

/** openMessage() options for revocation under `policy`, relative to the page at `base`. */
export function revocationOptions(policy: Policy, base: string | undefined): Pick<OpenOptions, 'offline' | 'fetch' | 'revocationCache'> {
  const relay = policy.revocation.relay;
  if (!relay) return { offline: true };
  let url: string;
  try {
    url = new URL(relay, base).href;
  } catch {
    return { offline: true };
  }
  return { fetch: relayFetch(url, globalThis.fetch.bind(globalThis)), revocationCache: sessionCache };
}
