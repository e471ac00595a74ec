// The pane's side of the key store (src/keys/store): opens it over this page's IndexedDB with the keyring's
// trust anchors and policy, keeps the keyring's identity list in step with it, and learns correspondents'
// certificates from the messages the read pane opens. Part of the lazily loaded engine chunk.
//
// Storage is per browser profile and origin partition: Outlook on the web, new Outlook and classic Outlook
// each keep their own (ARCHITECTURE.md "Keys"); the Settings view says so.

import type { SignetConfig } from '../core/config.js';
import { cryptoProvider } from '../core/crypto.js';
import { toSignetError } from '../core/errors.js';
import type { Identity } from '../core/keys.js';
import type { Verdict } from '../core/verdict.js';
import type { PolicyResult } from '../policy/policy.js';
import { KeyStore } from '../keys/store/key-store.js';
import { workerVault, type Pkcs1Vault } from '../keys/store/pkcs1-vault.js';

export interface PaneKeys {
  /** The persistent store, or null when this browser refuses storage (then `error` says why). */
  store: KeyStore | null;
  error: string | null;
}

/** Opens the key store; never throws (a pane without storage still reads mail and says why keys are missing). */
export async function openPaneKeys(anchors: Uint8Array[], config: SignetConfig, policy: PolicyResult): Promise<PaneKeys> {
  const factory = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (!factory) return { store: null, error: 'This browser offers no IndexedDB, so keys cannot be kept.' };
  const directory = policy.policy.directory;
  try {
    const store = await KeyStore.open({
      indexedDB: factory,
      trust: { anchors, config },
      organisation: directory ? { url: directory.url, fetch: globalThis.fetch.bind(globalThis) } : null,
      provider: cryptoProvider(),
      vault: paneVault(),
    });
    return { store, error: null };
  } catch (e) {
    return { store: null, error: toSignetError(e, 'storage').message };
  }
}

/**
 * Keys unlocked for RSAES-PKCS1-v1_5 mail live in a dedicated Web Worker (pkcs1-vault.ts), started on the
 * first unlock, so no script on this page can read them. webpack bundles the worker from this `new URL`.
 */
function paneVault(): Pkcs1Vault {
  // Never the in-page fallback: a browser without workers gets "could not start" at unlock, not a key in the page.
  return workerVault(() => new Worker(new URL('../keys/store/pkcs1-vault-worker.js', import.meta.url), { name: 'signet-key-vault' }));
}

/** The identities for decryption: the stored ones, then those held for this session only (workbench demo). */
export async function currentIdentities(store: KeyStore | null, session: readonly Identity[]): Promise<Identity[]> {
  const stored = store ? await store.identities.identities().catch(() => []) : [];
  return [...stored, ...session];
}

/**
 * After the read pane opened a message: a valid Verdict stores the sender's certificate for encryption
 * (rule 8 is enforced inside harvest()). Returns the addresses newly ready, for a line in the pane; a
 * storage failure only loses the harvest, never the verdict.
 */
export async function learnFromVerdict(store: KeyStore | null, verdict: Verdict): Promise<string[]> {
  if (!store || (verdict.status !== 'valid' && verdict.status !== 'revoked')) return [];
  try {
    const r = await store.certificates.harvest(verdict);
    return [...new Set(r.stored.flatMap((c) => c.addresses))];
  } catch {
    return [];
  }
}
