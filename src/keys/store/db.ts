// The key store's IndexedDB database (through the `idb` promise wrapper): the user's identities with their
// non-extractable WebCrypto keys, the correspondents' certificates, and the default identity per From
// address. The IDBFactory is injected (the pane passes `indexedDB`, Node tests pass fake-indexeddb), never
// taken from a global here. IndexedDB is per browser profile and per origin partition: Outlook on the web,
// new Outlook and classic Outlook each have their own (ARCHITECTURE.md "Keys").
//
// What is stored, and what never is: CryptoKey objects are structured-cloned by the browser with
// extractable = false, so no script (ours included) can read their key material back; the PKCS#8 bytes and
// the passphrase are never written. The one exception, for RSA identities, is `lockedKey`: the PKCS#8
// encrypted under the import passphrase (PBES2, encrypted-private-key.ts), needed for messages sent with
// RSAES-PKCS1-v1_5, which WebCrypto cannot decrypt with a non-extractable key.

import { wrap, type DBSchema, type IDBPDatabase } from 'idb';
import { SignetError } from '../../core/errors.js';
import type { NamedCurve } from '../../core/keys.js';

export const DB_NAME = 'signet-keys';
/** Bump with an upgrade step in openKeyDatabase() whenever a store or index changes. */
export const DB_VERSION = 1;

/** One WebCrypto key per use, named "<algorithm>/<hash>" ("RSA-OAEP/SHA-1", "ECDSA", "ECDH"). */
export type StoredKeys = Record<string, CryptoKey>;

export interface StoredIdentity {
  /** SHA-256 of the certificate DER, lowercase hex. */
  id: string;
  /** addressKey() form of every address the certificate names (SAN rfc822Name, subject emailAddress). */
  addresses: string[];
  certificate: Uint8Array;
  /** The other certificates that came with the key (intermediates, root), DER, in file order. */
  chain: Uint8Array[];
  keyType: 'rsa' | 'ec';
  bits: number;
  namedCurve: NamedCurve | null;
  keys: StoredKeys;
  /**
   * RSA only: EncryptedPrivateKeyInfo (RFC 5958 §3, PBES2 with PBKDF2-SHA-256 and AES-256-CBC) under the
   * import passphrase, for RSAES-PKCS1-v1_5 decryption after the user unlocks it. Null for EC keys and
   * for files imported without a passphrase (an empty passphrase would protect nothing).
   */
  lockedKey: Uint8Array | null;
  /** The PKCS#12 friendlyName, when the file had one. */
  label: string | null;
  importedAt: string;
}

export type CertificateSource = 'message' | 'file' | 'directory';

export interface StoredCertificate {
  /** SHA-256 of the certificate DER, lowercase hex. */
  id: string;
  addresses: string[];
  der: Uint8Array;
  /** Untrusted certificates that arrived with it, kept for path building (intermediates). */
  intermediates: Uint8Array[];
  sources: CertificateSource[];
  firstSeen: string;
  lastSeen: string;
  /**
   * The SMIMECapabilities (RFC 8551 §2.5.2) of the latest verified signed message that carried them,
   * as algorithm names ("AES-256-GCM", "RSA-OAEP-SHA256"); null when none was seen.
   */
  capabilities: string[] | null;
  /** The signing time of the message those capabilities came from (newer messages replace older ones). */
  capabilitiesAt: string | null;
  /**
   * When a verified message's SMIMEEncryptionKeyPreference (RFC 8551 §2.5.3) named this certificate:
   * the message's signing time; null otherwise.
   */
  preferredAt: string | null;
  /** Set when a verdict showed this certificate revoked: it is never used again. */
  revoked: { at: string; reason: string | null } | null;
}

/** The default identities the user chose for one From address (ids of StoredIdentity). */
export interface StoredDefaults {
  address: string;
  sign: string | null;
  encrypt: string | null;
}

export interface KeySchema extends DBSchema {
  identities: { key: string; value: StoredIdentity; indexes: { 'by-address': string } };
  certificates: { key: string; value: StoredCertificate; indexes: { 'by-address': string } };
  defaults: { key: string; value: StoredDefaults };
}

export type KeyDatabase = IDBPDatabase<KeySchema>;

/**
 * Opens (and creates or upgrades) the key database. Failure — storage disabled, a private window that
 * refuses IndexedDB, a quota problem — is `storage`, with a sentence the pane can show.
 */
export async function openKeyDatabase(factory: IDBFactory, name = DB_NAME): Promise<KeyDatabase> {
  let request: IDBOpenDBRequest;
  try {
    request = factory.open(name, DB_VERSION);
  } catch (e) {
    throw storageError(e);
  }
  request.addEventListener('upgradeneeded', (event) => {
    const db = request.result;
    if (event.oldVersion < 1) {
      const identities = db.createObjectStore('identities', { keyPath: 'id' });
      identities.createIndex('by-address', 'addresses', { multiEntry: true });
      const certificates = db.createObjectStore('certificates', { keyPath: 'id' });
      certificates.createIndex('by-address', 'addresses', { multiEntry: true });
      db.createObjectStore('defaults', { keyPath: 'address' });
    }
  });
  try {
    const db = (await wrap(request)) as unknown as KeyDatabase;
    // Another tab (a second pane) upgrading the schema: let it, and reopen on next use.
    db.addEventListener('versionchange', () => db.close());
    return db;
  } catch (e) {
    throw storageError(e);
  }
}

/** A storage failure as a SignetError the pane can show. */
export function storageError(e: unknown): SignetError {
  if (e instanceof SignetError) return e;
  const name = e instanceof DOMException || e instanceof Error ? e.name : '';
  const message =
    name === 'QuotaExceededError'
      ? 'This browser has no room left to store your keys (storage quota exceeded).'
      : 'This browser does not let Signet store keys (IndexedDB is unavailable — private window or storage turned off?).';
  return new SignetError('storage', message, { cause: e });
}
