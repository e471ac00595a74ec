// The user's own S/MIME identities in the key store: PKCS#12 import (RFC 7292; PBES2/AES and the legacy
// 3DES/RC2 forms through ../pkcs12.ts) into non-extractable WebCrypto keys (stored-key.ts), listing with
// what each may do, defaults per From address, deletion, certificate export, and the session unlock that
// RSAES-PKCS1-v1_5 mail needs.
//
// Import is all or nothing: every check runs and every key is imported before one IndexedDB transaction
// writes the records, so a refused or failed import leaves the store as it was. The PKCS#8 buffers are
// overwritten as soon as the CryptoKeys exist; the passphrase is never stored (a JS string cannot be wiped,
// so it is only dropped).

import { defaultConfig, type SignetConfig } from '../../core/config.js';
import { cryptoProvider, type CryptoProvider } from '../../core/crypto.js';
import { SignetError } from '../../core/errors.js';
import type { Identity } from '../../core/keys.js';
import { addressKey } from '../../core/mime/address.js';
import type { Certificate } from '../../core/pki/certificate.js';
import { keyMeetsPolicy } from '../../core/pki/public-key.js';
import { pairIdentities } from '../identity-file.js';
import { parsePkcs12 } from '../pkcs12.js';
import { certificateAddresses, certificateUses, readCertificate, summarizeCertificate, type CertificateSummary } from './certificate-facts.js';
import { storageError, type KeyDatabase, type StoredDefaults, type StoredIdentity } from './db.js';
import { encryptPkcs8 } from './encrypted-private-key.js';
import { memoryVault, type Pkcs1Vault } from './pkcs1-vault.js';
import { importNonExtractableKeys, storedPrivateKey } from './stored-key.js';

export type Purpose = 'sign' | 'encrypt';

/**
 * How an identity stands with RSAES-PKCS1-v1_5 mail: 'unlocked' for this session, 'locked' (the
 * passphrase opens it), 'unavailable' (imported without a passphrase: nothing to unlock), or
 * 'not-applicable' (EC keys, and RSA certificates that cannot receive encrypted mail).
 */
export type Pkcs1State = 'unlocked' | 'locked' | 'unavailable' | 'not-applicable';

export interface IdentitySummary extends CertificateSummary {
  id: string;
  label: string | null;
  importedAt: string;
  /** 'ok', or why the certificate cannot be used now. */
  validity: 'ok' | 'expired' | 'not-yet-valid';
  pkcs1: Pkcs1State;
  /** The addresses for which this identity is the one Signet signs / encrypts with (chosen or automatic). */
  defaultFor: { sign: string[]; encrypt: string[] };
}

/** An identity the core can use, with the store's id. */
export interface StoreIdentity extends Identity {
  id: string;
}

export interface IdentityStoreOptions {
  db: KeyDatabase;
  provider?: CryptoProvider;
  /** Key-size policy for imported keys (the organisation policy's config); default Signet's defaults. */
  config?: () => SignetConfig;
  now?: () => Date;
  /**
   * Where unlocked RSA keys live for RSAES-PKCS1-v1_5 mail: the task pane passes a Web Worker vault
   * (workerVault), so no key is ever in the page's memory; default in-process (Node: CLI and tests).
   */
  vault?: Pkcs1Vault;
}

interface Snapshot {
  records: StoredIdentity[];
  defaults: StoredDefaults[];
}

interface Prepared {
  record: StoredIdentity;
  cert: Certificate;
}

export class IdentityStore {
  readonly #db: KeyDatabase;
  readonly #provider: CryptoProvider;
  readonly #config: () => SignetConfig;
  readonly #now: () => Date;
  /** Holds the keys unlocked for this session (in a worker, in the browser); this class never sees them. */
  readonly #vault: Pkcs1Vault;
  readonly #listeners = new Set<() => void>();
  /** The records-and-defaults read in flight, shared by concurrent readers (#snapshot). */
  #reading: Promise<Snapshot> | null = null;

  constructor(options: IdentityStoreOptions) {
    this.#db = options.db;
    this.#provider = options.provider ?? cryptoProvider();
    this.#config = options.config ?? (() => defaultConfig);
    this.#now = options.now ?? (() => new Date());
    this.#vault = options.vault ?? memoryVault(this.#provider);
  }

  /** Called after every change (import, delete, defaults, unlock, lock). Returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #changed(): void {
    for (const l of this.#listeners) l();
  }

  /**
   * Imports every identity of a PKCS#12 file. Errors (nothing is stored): `not-pkcs12`, `bad-passphrase`,
   * `no-private-key`, `no-certificate`, `key-mismatch`, `certificate-unusable` (expired, not yet valid,
   * not for e-mail, no address, neither signing nor encryption allowed), `insecure-algorithm` (a key
   * below the policy's minimum size), `unsupported-algorithm`, `storage`.
   */
  async importPkcs12(file: Uint8Array, passphrase: string): Promise<IdentitySummary[]> {
    const bytes = new Uint8Array(file);
    let keys: { pkcs8: Uint8Array; localKeyId?: Uint8Array; friendlyName?: string }[] = [];
    try {
      const p12 = await parsePkcs12(bytes, passphrase, this.#provider);
      keys = p12.keys;
      // pairIdentities returns one identity per key, in key order (and throws rather than skip one).
      const paired = await pairIdentities(keys, p12.certificates, this.#provider);
      const prepared: Prepared[] = [];
      for (let i = 0; i < paired.length; i++) {
        const key = keys[i]!;
        const identity = paired[i]!;
        prepared.push(await this.#prepare(key.pkcs8, identity.certificate, identity.chain, key.friendlyName ?? null, passphrase));
      }
      await this.#write(prepared);
      this.#changed();
      const summaries = await this.list();
      return summaries.filter((s) => prepared.some((p) => p.record.id === s.id));
    } finally {
      for (const k of keys) k.pkcs8.fill(0);
      bytes.fill(0);
    }
  }

  async #prepare(pkcs8: Uint8Array, certificate: Uint8Array, chain: Uint8Array[], label: string | null, passphrase: string): Promise<Prepared> {
    const cert = readCertificate(certificate, 'The certificate in the file');
    const now = this.#now();
    const day = (d: Date): string => d.toISOString().slice(0, 10);
    if (now.getTime() > cert.notAfter.getTime()) {
      throw new SignetError('certificate-unusable', `This certificate expired on ${day(cert.notAfter)}; import the renewed one from your certificate authority.`);
    }
    if (now.getTime() < cert.notBefore.getTime()) {
      throw new SignetError('certificate-unusable', `This certificate is not valid before ${day(cert.notBefore)}.`);
    }
    const uses = certificateUses(cert);
    if (!uses.emailProtection) {
      throw new SignetError('certificate-unusable', 'This certificate is not issued for e-mail (its extended key usage lacks emailProtection), so it cannot sign or decrypt mail.');
    }
    if (!uses.sign && !uses.encrypt) {
      throw new SignetError('certificate-unusable', 'This certificate allows neither signing nor encryption (key usage).');
    }
    if (cert.emails.length === 0) {
      throw new SignetError('certificate-unusable', 'This certificate names no e-mail address, so recipients could not match it to your From address.');
    }
    const keyType = cert.publicKey.type;
    if (keyType !== 'rsa' && keyType !== 'ec') {
      throw new SignetError('unsupported-algorithm', `Keys of type ${cert.publicKey.description} are not supported (RSA and EC are).`);
    }
    if (!keyMeetsPolicy(cert.publicKey, this.#config())) {
      throw new SignetError('insecure-algorithm', `The key (${cert.publicKey.description}) is shorter than your organisation's minimum; ask your certificate authority for a stronger one.`);
    }
    const id = (await summarizeCertificate(cert, this.#provider)).sha256;
    const keys = await importNonExtractableKeys(pkcs8, keyType, cert.publicKey.namedCurve, uses, this.#provider);
    // RSAES-PKCS1-v1_5 needs the raw key: keep it only encrypted under the passphrase (see db.ts).
    const lockedKey = keyType === 'rsa' && uses.encrypt && passphrase !== '' ? await encryptPkcs8(pkcs8, passphrase, this.#provider) : null;
    return {
      cert,
      record: {
        id,
        addresses: certificateAddresses(cert),
        certificate: cert.der.slice(),
        chain: chain.map((c) => c.slice()),
        keyType,
        bits: cert.publicKey.bits,
        namedCurve: cert.publicKey.namedCurve,
        keys,
        lockedKey,
        label,
        importedAt: now.toISOString(),
      },
    };
  }

  async #write(prepared: Prepared[]): Promise<void> {
    try {
      this.#reading = null;
      const tx = this.#db.transaction('identities', 'readwrite');
      // Every put is queued before the first await, so the transaction cannot commit half-way.
      const puts = prepared.map(({ record }) => tx.store.put(record));
      await Promise.all([...puts, tx.done]);
    } catch (e) {
      throw storageError(e);
    }
    for (const { record } of prepared) await this.#vault.lock(record.id); // a re-import replaces the protected copy
  }

  async #records(): Promise<StoredIdentity[]> {
    try {
      return await this.#db.getAll('identities');
    } catch (e) {
      throw storageError(e);
    }
  }


  /**
   * The identity records and the defaults, read in one transaction. Readers that ask while a read is in flight
   * share it: a send looks up the signing identity, the sender's own certificate and the sender's readiness
   * for both purposes at once — four reads of the same two stores, each answer waiting for the busy page to
   * take it (issue 17, compose latency). Nothing is kept once the read has answered, and a write in this store
   * ends the sharing before it starts, so a read asked for after a write has returned sees that write.
   * Callers must not change the records they get.
   */
  #snapshot(): Promise<Snapshot> {
    if (this.#reading) return this.#reading;
    const reading = (async (): Promise<Snapshot> => {
      try {
        const tx = this.#db.transaction(['identities', 'defaults'], 'readonly');
        const [records, defaults] = await Promise.all([tx.objectStore('identities').getAll(), tx.objectStore('defaults').getAll()]);
        return { records, defaults };
      } catch (e) {
        throw storageError(e);
      }
    })();
    this.#reading = reading;
    const done = (): void => {
      if (this.#reading === reading) this.#reading = null;
    };
    reading.then(done, done);
    return reading;
  }

  #handle(record: StoredIdentity): StoreIdentity {
    return {
      id: record.id,
      certificate: record.certificate,
      chain: record.chain,
      privateKey: storedPrivateKey({
        keyType: record.keyType,
        bits: record.bits,
        namedCurve: record.namedCurve,
        keys: record.keys,
        pkcs1: {
          isUnlocked: () => this.#vault.isUnlocked(record.id),
          decrypt: (encryptedKey, expectedLength) => this.#vault.decrypt(record.id, encryptedKey, expectedLength),
        },
        canUnlock: record.lockedKey !== null,
        provider: this.#provider,
      }),
    };
  }

  /** Every stored identity, ready for the core (decryption tries each). */
  async identities(): Promise<StoreIdentity[]> {
    return (await this.#records()).map((r) => this.#handle(r));
  }

  /** The certificates that came with the user's identities (their CAs), for building correspondents' paths. */
  async chainCertificates(): Promise<Uint8Array[]> {
    return (await this.#records()).flatMap((r) => r.chain);
  }

  async get(id: string): Promise<StoreIdentity | null> {
    const r = await this.#record(id);
    return r ? this.#handle(r) : null;
  }

  async #record(id: string): Promise<StoredIdentity | undefined> {
    try {
      return await this.#db.get('identities', id);
    } catch (e) {
      throw storageError(e);
    }
  }

  /** Summaries for the Settings view, newest import first. */
  async list(): Promise<IdentitySummary[]> {
    const { records, defaults } = await this.#snapshot();
    const now = this.#now();
    const parsed = records.map((r) => ({ r, cert: readCertificate(r.certificate) }));
    const out: IdentitySummary[] = [];
    for (const { r, cert } of parsed) {
      const summary = await summarizeCertificate(cert, this.#provider);
      const defaultFor: IdentitySummary['defaultFor'] = { sign: [], encrypt: [] };
      for (const purpose of ['sign', 'encrypt'] as const) {
        for (const address of cert.emails) {
          if (effectiveDefault(parsed, defaults, addressKey(address), purpose, now)?.r.id === r.id) defaultFor[purpose].push(address);
        }
      }
      out.push({
        ...summary,
        id: r.id,
        label: r.label,
        importedAt: r.importedAt,
        validity: validityAt(cert, now),
        pkcs1: r.keyType !== 'rsa' || !summary.uses.encrypt ? 'not-applicable' : this.#vault.isUnlocked(r.id) ? 'unlocked' : r.lockedKey ? 'locked' : 'unavailable',
        defaultFor,
      });
    }
    return out.sort((a, b) => b.importedAt.localeCompare(a.importedAt));
  }

  /**
   * The identity Signet uses to sign or encrypt as `address`: the one the user chose for that address if it
   * is still usable, else the newest usable identity naming the address, else null.
   */
  async defaultFor(address: string, purpose: Purpose): Promise<StoreIdentity | null> {
    const { records, defaults } = await this.#snapshot();
    const parsed = records.map((r) => ({ r, cert: readCertificate(r.certificate) }));
    const found = effectiveDefault(parsed, defaults, addressKey(address), purpose, this.#now());
    return found ? this.#handle(found.r) : null;
  }

  /**
   * Makes `id` the identity to sign or encrypt with as `address` (null: back to automatic). The identity
   * must name the address and allow the purpose: a default that could never be used is refused.
   */
  async setDefault(address: string, purpose: Purpose, id: string | null): Promise<void> {
    const key = addressKey(address);
    if (id !== null) {
      const r = await this.#record(id);
      if (!r) throw new SignetError('usage', 'That identity is no longer in the store.');
      if (!r.addresses.includes(key)) throw new SignetError('usage', `That certificate is not for ${address}.`);
      const uses = certificateUses(readCertificate(r.certificate));
      if (!uses[purpose]) throw new SignetError('usage', `That certificate does not allow ${purpose === 'sign' ? 'signing' : 'encryption'}.`);
    }
    try {
      this.#reading = null;
      const tx = this.#db.transaction('defaults', 'readwrite');
      const current = (await tx.store.get(key)) ?? { address: key, sign: null, encrypt: null };
      current[purpose] = id;
      if (current.sign === null && current.encrypt === null) await tx.store.delete(key);
      else await tx.store.put(current);
      await tx.done;
    } catch (e) {
      throw storageError(e);
    }
    this.#changed();
  }

  /** Deletes an identity, its keys, its protected copy and any default that named it. */
  async remove(id: string): Promise<void> {
    try {
      this.#reading = null;
      const tx = this.#db.transaction(['identities', 'defaults'], 'readwrite');
      await tx.objectStore('identities').delete(id);
      const defaults = tx.objectStore('defaults');
      for (const d of await defaults.getAll()) {
        if (d.sign !== id && d.encrypt !== id) continue;
        const next = { ...d, sign: d.sign === id ? null : d.sign, encrypt: d.encrypt === id ? null : d.encrypt };
        if (next.sign === null && next.encrypt === null) await defaults.delete(d.address);
        else await defaults.put(next);
      }
      await tx.done;
    } catch (e) {
      throw storageError(e);
    }
    await this.#vault.lock(id);
    this.#changed();
  }

  /** The identity's own certificate, DER (a `.cer` file to give correspondents). */
  async exportCertificate(id: string): Promise<Uint8Array> {
    const r = await this.#record(id);
    if (!r) throw new SignetError('usage', 'That identity is no longer in the store.');
    return r.certificate.slice();
  }

  /**
   * Unlocks an RSA identity for RSAES-PKCS1-v1_5 decryption until lock() or the end of this page: the
   * vault decrypts the protected copy with `passphrase` (`bad-passphrase` when wrong) and keeps the PKCS#8
   * where page script cannot read it (pkcs1-vault.ts).
   */
  async unlock(id: string, passphrase: string): Promise<void> {
    const r = await this.#record(id);
    if (!r) throw new SignetError('usage', 'That identity is no longer in the store.');
    if (!r.lockedKey) {
      throw new SignetError('usage', r.keyType === 'rsa' ? 'This key was imported without a passphrase: there is nothing to unlock. Import the .p12 again with a passphrase.' : 'EC keys need no unlocking.');
    }
    await this.#vault.unlock(id, r.lockedKey, r.certificate, passphrase);
    this.#changed();
  }

  /** Locks one identity again (or all of them): the vault wipes the key. */
  async lock(id?: string): Promise<void> {
    await this.#vault.lock(id);
    this.#changed();
  }

  isUnlocked(id: string): boolean {
    return this.#vault.isUnlocked(id);
  }
}

function validityAt(cert: Certificate, now: Date): IdentitySummary['validity'] {
  if (now.getTime() > cert.notAfter.getTime()) return 'expired';
  if (now.getTime() < cert.notBefore.getTime()) return 'not-yet-valid';
  return 'ok';
}

function effectiveDefault(
  parsed: { r: StoredIdentity; cert: Certificate }[],
  defaults: StoredDefaults[],
  key: string,
  purpose: Purpose,
  now: Date,
): { r: StoredIdentity; cert: Certificate } | null {
  const usable = parsed.filter(({ r, cert }) => r.addresses.includes(key) && certificateUses(cert)[purpose] && validityAt(cert, now) === 'ok');
  const chosen = defaults.find((d) => d.address === key)?.[purpose];
  const explicit = chosen ? usable.find((p) => p.r.id === chosen) : undefined;
  if (explicit) return explicit;
  // Automatic: the newest certificate (latest notBefore), as after a renewal.
  return usable.sort((a, b) => b.cert.notBefore.getTime() - a.cert.notBefore.getTime())[0] ?? null;
}
