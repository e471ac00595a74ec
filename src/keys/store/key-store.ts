// The add-in's key store in one object: the user's identities (identity-store.ts), correspondents'
// certificates (certificate-directory.ts) and the readiness API for compose (readiness.ts), over one
// IndexedDB database (db.ts). The task pane opens it with the page's `indexedDB`; tests pass fake-indexeddb.
// Trust anchors and the policy come from the caller (the pane's keyring) and can change at run time.

import type { SignetConfig } from '../../core/config.js';
import { cryptoProvider, type CryptoProvider } from '../../core/crypto.js';
import { CertificateDirectory } from './certificate-directory.js';
import { DB_NAME, openKeyDatabase, type KeyDatabase } from './db.js';
import { IdentityStore, type StoreIdentity } from './identity-store.js';
import type { Pkcs1Vault } from './pkcs1-vault.js';
import type { OrganisationDirectoryOptions } from './organisation-directory.js';
import { readiness } from './readiness.js';
import type { Readiness, ReadinessRequest, ReadinessService } from './readiness-types.js';
import { CertificateJudge, type TrustContext } from './recipient-certificate.js';

export interface KeyStoreOptions {
  /** The page's `indexedDB` (or fake-indexeddb's IDBFactory in Node). */
  indexedDB: IDBFactory;
  /** Trust anchors (DER) and the core config from the organisation policy. */
  trust: TrustContext;
  /** The organisation's certificate directory (policy `directory.url`) with the fetch to use, or null. */
  organisation?: OrganisationDirectoryOptions | null;
  provider?: CryptoProvider;
  dbName?: string;
  now?: () => Date;
  /** Where keys unlocked for RSAES-PKCS1-v1_5 live (the pane passes a Web Worker vault); default in-process. */
  vault?: Pkcs1Vault;
}

export class KeyStore implements ReadinessService {
  readonly identities: IdentityStore;
  readonly certificates: CertificateDirectory;
  readonly #db: KeyDatabase;
  readonly #judge: CertificateJudge;
  readonly #provider: CryptoProvider;
  readonly #now: () => Date;

  private constructor(db: KeyDatabase, options: KeyStoreOptions) {
    this.#db = db;
    this.#provider = options.provider ?? cryptoProvider();
    this.#now = options.now ?? (() => new Date());
    this.#judge = new CertificateJudge(options.trust, this.#provider);
    this.identities = new IdentityStore({
      db,
      provider: this.#provider,
      config: () => this.#judge.trust.config,
      now: this.#now,
      ...(options.vault ? { vault: options.vault } : {}),
    });
    this.certificates = new CertificateDirectory({
      db,
      judge: this.#judge,
      provider: this.#provider,
      organisation: options.organisation ?? null,
      knownIntermediates: () => this.identities.chainCertificates(),
      now: this.#now,
    });
  }

  /** Opens the store; `storage` when the browser refuses IndexedDB. */
  static async open(options: KeyStoreOptions): Promise<KeyStore> {
    const db = await openKeyDatabase(options.indexedDB, options.dbName ?? DB_NAME);
    return new KeyStore(db, options);
  }

  /** New trust anchors or policy: recipient certificates are judged again on their next use. */
  setTrust(trust: TrustContext): void {
    this.#judge.setTrust(trust);
  }

  get config(): SignetConfig {
    return this.#judge.trust.config;
  }

  readiness(request: ReadinessRequest): Promise<Readiness> {
    return readiness(request, { identities: this.identities, certificates: this.certificates, provider: this.#provider, now: this.#now });
  }

  /** The identity to sign with as `address`, or null (compose: services.signingIdentity). */
  signingIdentity(address: string): Promise<StoreIdentity | null> {
    return this.identities.defaultFor(address, 'sign');
  }

  /** The sender's own encryption certificate for `address` (DER), or null (compose: Sent Items copy). */
  async encryptionCertificate(address: string): Promise<Uint8Array | null> {
    return (await this.identities.defaultFor(address, 'encrypt'))?.certificate ?? null;
  }

  close(): void {
    void this.identities.lock().catch(() => undefined);
    this.#db.close();
  }
}
