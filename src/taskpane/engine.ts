// The pane's crypto side, loaded lazily (a dynamic import from taskpane.tsx) so that PKI.js, asn1js and the
// core stay out of the initial bundle: opens a message with the core (smime/open.ts), and turns the content
// the Verdict covers into a sanitised document and downloadable attachments. Trust anchors are, as in the
// CLI: the organisation policy's anchors (signet-policy.json served next to the pane, ARCHITECTURE.md
// "Deployment"), Mozilla's e-mail roots unless the policy turns them off (loaded here, in the lazy chunk,
// never in the initial bundle), and the roots the user chose to trust (user-roots.ts). The policy's
// algorithm and revocation settings become the core's config. Revocation goes through the organisation
// host's relay when the policy names one (revocation.ts); otherwise the pane verifies offline and the
// Verdict says revocation was not checked (`signet verify` on the .eml checks it).
// Private keys come from the key store (src/keys/store, IndexedDB, non-extractable; pane-keys.ts), plus, in a
// development host only, the demo key it injects (outlook/development-hooks.ts) for this session; a valid
// verdict teaches the store the sender's certificate.

import { SignetError, toSignetError } from '../core/errors.js';
import type { Verdict } from '../core/verdict.js';
import type { Identity } from '../core/keys.js';
import { cryptoProvider } from '../core/crypto.js';
import { loadCertificates, loadIdentities } from '../keys/identity-file.js';
import { isPkcs12 } from '../keys/pkcs12.js';
import type { SignetConfig } from '../core/config.js';
import { loadPolicy, policyStatusLine } from '../policy/load.js';
import { securityConfig, trustAnchors, type PolicyResult } from '../policy/policy.js';
import { userRootDer, type RootStorage } from './user-roots.js';
import { currentIdentities, learnFromVerdict, openPaneKeys } from './pane-keys.js';
import type { KeyStore } from '../keys/store/key-store.js';
import { selfTest, type SelfTestResult } from '../keys/store/self-test.js';
import { certificateAddresses, readCertificate } from '../keys/store/certificate-facts.js';
import { contentSafety, type AttachmentView, type ContentSafety } from './content.js';
import { announceable, type NoticeMemory } from './present.js';
import { htmlDocument, plainTextDocument, type SafeDocument } from './sanitize.js';
import { graphMimeSource, NO_GRAPH, type GraphMimeSource } from '../outlook/graph-read.js';
import { chooseTransport, currentEnvironment } from '../outlook/transport/index.js';
import { acquireGraphToken } from '../outlook/naa.js';
import { defaultLimits } from '../core/config.js';
import { parseTrustAnchors } from '../core/pki/certificate.js';
import { revocationOptions } from './revocation.js';
import { PaneOpener } from './open-client.js';
import { fromWire, type Extracted } from './open-protocol.js';
import { developmentHooks } from '../outlook/development-hooks.js';

export interface Keyring {
  anchors: Uint8Array[];
  /** The organisation policy in force (with its errors, shown to the user as an admin error). */
  policy: PolicyResult;
  /** One line about the policy for people ("Organisation policy … applied", or what is wrong with it). */
  policyStatus: string;
  /** The core's settings from the policy (algorithms, revocation mode). */
  config: SignetConfig;
  /** Every identity that may decrypt: the key store's, then the session's (refreshIdentities() after changes). */
  identities: Identity[];
  /** Identities held for this session only, never stored (the workbench's demo key). */
  sessionIdentities: Identity[];
  /** The persistent key store (IndexedDB), or null when the browser refuses storage (see storeError). */
  store: KeyStore | null;
  storeError: string | null;
  /** Where the keys came from, for the pane's "Keys" line ("workbench demo key for dana@example.org"). */
  notes: string[];
}

export interface Analysis {
  verdict: Verdict;
  document: SafeDocument | null;
  attachments: AttachmentView[];
  /** How the content may be shown: links inert, framed as failed (content.ts, ARCHITECTURE.md rule 11). */
  safety: ContentSafety;
  /** The content of each `verdict.enclosedSigned` part, rendered like the message's own (with its own verdict's safety). */
  enclosed: RenderedContent[];
}

/** localStorage, or null where the page may not use it (sandboxed, disabled storage). */
export function rootStorage(): RootStorage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

async function fetchBytes(url: string): Promise<Uint8Array | null> {
  try {
    const r = await fetch(url, { credentials: 'same-origin', cache: 'no-cache' });
    if (!r.ok) return null;
    return new Uint8Array(await r.arrayBuffer());
  } catch {
    return null;
  }
}

export async function loadKeyring(): Promise<Keyring> {
  const provider = cryptoProvider();
  const notes: string[] = [];
  // Injected by a development entry point only (workbench/pane-entry.tsx); a production bundle has none.
  // Outlook never provides keys: in production the keyring holds only what the user imported.
  const hooks = developmentHooks();
  // The policy and the development host's files are independent fetches: started together (issue 17, the
  // cold first badge waits for this keyring).
  const policyLoad = loadPolicy({ fetch: globalThis.fetch.bind(globalThis), base: globalThis.location?.href });
  const demoRootLoad = typeof hooks.demoRootUrl === 'string' ? fetchBytes(hooks.demoRootUrl) : Promise.resolve(null);
  const demoIdentityLoad = typeof hooks.demoIdentityUrl === 'string' ? fetchBytes(hooks.demoIdentityUrl) : Promise.resolve(null);
  const policy = await policyLoad;
  const policyStatus = policyStatusLine(policy);
  notes.push(policyStatus);
  const anchors = trustAnchors(policy.policy);
  const own = policy.policy.trust.anchors.length;
  notes.push(policy.policy.trust.includeBuiltinRoots ? `${own} organisation ${own === 1 ? 'root' : 'roots'} and Mozilla's e-mail roots trusted` : `${own} organisation ${own === 1 ? 'root' : 'roots'} trusted (Mozilla's e-mail roots turned off by policy)`);
  const storage = rootStorage();
  const userRoots = storage ? userRootDer(storage) : [];
  anchors.push(...userRoots);
  const demoRootPem = await demoRootLoad;
  if (demoRootPem) {
    const demoRoots = loadCertificates(demoRootPem);
    anchors.push(...demoRoots);
    notes.push('Demo CA of the development host trusted');
  }
  if (userRoots.length > 0) notes.push(`${userRoots.length} ${userRoots.length === 1 ? 'root' : 'roots'} you trust`);
  const config = securityConfig(policy.policy);
  // The key store opens (IndexedDB) while this thread parses the trust anchors, once, for every message
  // the pane will verify (certificate.ts parseTrustAnchors caches them): ~50 ms the first message would
  // otherwise spend after its MIME arrived. An unreadable anchor fails that message's check as before.
  const keysOpening = openPaneKeys(anchors, config, policy);
  parseTrustAnchors(anchors, config.limits, 'skip');
  // The checking worker (large messages) loads and parses the same anchors once the pane is idle.
  if (typeof requestIdleCallback === 'function') requestIdleCallback(() => opener.warm({ anchors, config }), { timeout: 2000 });
  const sessionIdentities: Identity[] = [];
  const demoIdentityPem = await demoIdentityLoad;
  if (demoIdentityPem) {
    sessionIdentities.push(...(await loadIdentities(demoIdentityPem, undefined, provider)));
    notes.push('Demo key of the development host loaded for this session');
  }
  const keys = await keysOpening;
  if (keys.error) notes.push(`Keys cannot be kept in this browser: ${keys.error}`);
  const keyring: Keyring = { anchors, policy, policyStatus, config, identities: [], sessionIdentities, store: keys.store, storeError: keys.error, notes };
  await refreshIdentities(keyring);
  // Imports, deletions and unlocks in the Settings view reach the read pane at once.
  keys.store?.identities.onChange(() => void refreshIdentities(keyring));
  return keyring;
}

/** Re-reads the stored identities into the keyring (after an import, a deletion, an unlock). */
export async function refreshIdentities(keyring: Keyring): Promise<void> {
  keyring.identities = await currentIdentities(keyring.store, keyring.sessionIdentities);
}

/**
 * Imports a key file the user chose: PKCS#12 goes into the key store (non-extractable keys, kept in this
 * browser); a PEM key file, which carries no passphrase-protected form worth keeping, is held for this
 * session only. Returns how many identities were added.
 */
export async function importIdentity(keyring: Keyring, bytes: Uint8Array, passphrase: string | undefined): Promise<number> {
  if (keyring.store && isPkcs12(bytes)) {
    const added = await keyring.store.identities.importPkcs12(bytes, passphrase ?? '');
    await refreshIdentities(keyring);
    return added.length;
  }
  const found = await loadIdentities(bytes, passphrase, cryptoProvider());
  if (found.length === 0) throw new SignetError('usage', 'The file holds no private key with its certificate.');
  keyring.sessionIdentities.push(...found);
  await refreshIdentities(keyring);
  keyring.notes.push(`${found.length} ${found.length === 1 ? 'key' : 'keys'} imported for this session`);
  return found.length;
}

/**
 * After the badge is on screen: a valid Verdict teaches the key store the sender's certificate (rule 8 is
 * enforced inside harvest()). Returns the addresses to announce ("Saved the certificate of …"): only
 * certificates the pane has not announced before (remembered per SHA-256 fingerprint in `seen`, the pane's
 * local storage), and never the reader's own addresses (their Sent Items copy). Never throws.
 */
export async function learnFrom(keyring: Keyring, verdict: Verdict, seen: NoticeMemory | null = noticeMemory()): Promise<string[]> {
  if (!keyring.store || verdict.status !== 'valid') return learnFromVerdict(keyring.store, verdict).then(() => []);
  try {
    const r = await keyring.store.certificates.harvest(verdict);
    const own = ownAddresses(keyring.identities);
    return announceable(r.stored, own, seen);
  } catch {
    return [];
  }
}


const NOTICE_KEY = 'signet-announced-certificates';

function noticeMemory(): NoticeMemory | null {
  const storage = rootStorage();
  if (!storage) return null;
  const read = (): string[] => {
    try {
      const v = JSON.parse(storage.getItem(NOTICE_KEY) ?? '[]') as unknown;
      return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
    } catch {
      return [];
    }
  };
  return {
    has: (sha) => read().includes(sha),
    add: (sha) => {
      const all = read();
      if (!all.includes(sha)) storage.setItem(NOTICE_KEY, JSON.stringify([...all, sha].slice(-500)));
    },
  };
}

function ownAddresses(identities: readonly Identity[]): Set<string> {
  const own = new Set<string>();
  for (const id of identities) {
    try {
      for (const a of certificateAddresses(readCertificate(id.certificate))) own.add(a.toLowerCase());
    } catch {
      // an unreadable certificate names no address
    }
  }
  return own;
}


/** "Check this key" in the Settings view: signs and decrypts a test message with a stored identity. */
export async function checkIdentity(keyring: Keyring, id: string): Promise<SelfTestResult> {
  const identity = keyring.store ? await keyring.store.identities.get(id) : null;
  if (!identity) throw new SignetError('usage', 'That identity is no longer in the store.');
  return selfTest(identity, cryptoProvider());
}

/**
 * Microsoft Graph as the read pane's last message source (outlook/graph-read.ts), with the same Graph the
 * compose side sends through: a development host's simulated one, or the organisation's app registration via
 * Nested App Authentication (a sign-in popup may open: the pane has a UI). NO_GRAPH when neither exists.
 */
export function graphSource(keyring: Keyring): GraphMimeSource {
  const choice = chooseTransport(currentEnvironment(keyring.policy.policy));
  if (choice.kind !== 'graph') return NO_GRAPH;
  const maxBytes = keyring.config.limits.maxMessageBytes ?? defaultLimits.maxMessageBytes;
  if (choice.via === 'development') {
    const { baseUrl, accessToken } = choice.graph;
    return graphMimeSource({ baseUrl, getToken: () => Promise.resolve(accessToken), fetch: globalThis.fetch.bind(globalThis), maxBytes });
  }
  const config = choice.config;
  return graphMimeSource({ getToken: () => acquireGraphToken(config, { interactive: true }), fetch: globalThis.fetch.bind(globalThis), maxBytes });
}

export interface RenderedContent {
  document: SafeDocument | null;
  attachments: AttachmentView[];
  safety: ContentSafety;
}

/**
 * The one render path for content the pane shows: the message's, and each enclosed signed part's, each
 * under the safety its own verdict gives (links inert, framed as failed). Parsing and extraction already
 * ran where the message was opened (open-client.ts); sanitising needs the DOM, so it runs here.
 */
function renderContent(extracted: Extracted, verdict: Verdict, keyring: Keyring): RenderedContent {
  let document: SafeDocument | null = null;
  let attachments: AttachmentView[] = [];
  const safety = contentSafety(verdict, { outdatedSignatureSeverity: keyring.config.outdatedSignatureSeverity });
  if (extracted && 'error' in extracted) {
    // The verdict stands; only the preview failed.
    document = plainTextDocument(`The content could not be displayed: ${toSignetError(fromWire(extracted.error), 'malformed-mime').message}`, safety);
  } else if (extracted) {
    const view = extracted.view;
    attachments = view.attachments;
    try {
      if (view.body?.kind === 'html') document = htmlDocument(view.body.text, view.inline, safety);
      else if (view.body) document = plainTextDocument(view.body.text, safety);
    } catch (e) {
      document = plainTextDocument(`The content could not be displayed: ${toSignetError(e, 'malformed-mime').message}`, safety);
    }
  }
  return { document, attachments, safety };
}

/** Opens messages for the pane: large ones in a worker, off the main thread (open-client.ts). */
const opener = new PaneOpener(undefined, undefined, undefined, true);
// The checking worker loads its code and parses the trust anchors once the pane is idle (loadKeyring
// calls warm()), not when the first large message arrives (issue 17: that was most of a 1 MB message's time
// to badge). Where there is no Worker this does nothing.

/**
 * Opens and renders a message. `bytes` may be consumed (transferred to the checking worker): the caller
 * must not read them afterwards.
 */
export async function analyse(bytes: Uint8Array, keyring: Keyring): Promise<Analysis> {
  const network = revocationOptions(keyring.policy.policy, globalThis.location?.href);
  const { verdict, views } = await opener.open(bytes, { anchors: keyring.anchors, identities: keyring.identities, config: keyring.config, ...(network.offline || !network.fetch ? {} : { fetch: network.fetch, ...(network.revocationCache ? { revocationCache: network.revocationCache } : {}) }) });
  const { document, attachments, safety } = renderContent(views[0] ?? null, verdict, keyring);
  // Signed parts below an unsigned root (Verdict.enclosedSigned), in the same order, through the same path.
  const enclosed = verdict.enclosedSigned.map((part, i) => renderContent(views[i + 1] ?? null, part.verdict, keyring));
  return { verdict, document, attachments, safety, enclosed };
}
