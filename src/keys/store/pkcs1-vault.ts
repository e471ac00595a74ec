// The session vault for RSAES-PKCS1-v1_5 decryption (RFC 8017 §7.2.2): WebCrypto decrypts only RSA-OAEP
// with a non-extractable key, yet most S/MIME mail to an RSA certificate (Outlook's and Thunderbird's
// default) wraps its content key with PKCS#1 v1.5. For that one operation the key store keeps a
// passphrase-protected copy of the PKCS#8 (encrypted-private-key.ts) that the user unlocks per session.
//
// The unlocked key must still be out of reach of script on the page. So, in the browser, the vault is a
// dedicated Web Worker (pkcs1-vault-worker.ts): the page posts the protected copy and the passphrase once,
// the worker decrypts it into its own memory (which no page script can read — workers share nothing but
// messages), and afterwards answers only "decrypt this wrapped content key" with the content key. That
// is the same power a non-extractable CryptoKey gives the page through subtle.decrypt, and no more: no
// message of the protocol carries key bytes back. In Node (the CLI, unit tests) there is no page to
// protect from, and the same VaultCore runs in-process (memoryVault).

import { rsaesPkcs1v15Decrypt } from '../../core/cms/rsaes-pkcs1-v1_5.js';
import type { CryptoProvider } from '../../core/crypto.js';
import { ERROR_CODES, SignetError, isSignetError, toSignetError, type ErrorCode, type ErrorInfo } from '../../core/errors.js';
import { pairIdentities } from '../identity-file.js';
import { decryptLockedKey } from './encrypted-private-key.js';

/** What the key store needs from the vault. Every method may throw a SignetError. */
export interface Pkcs1Vault {
  /**
   * Decrypts `lockedKey` (EncryptedPrivateKeyInfo) with `passphrase` and keeps the key for `id` until
   * lock(): `bad-passphrase` when wrong, `key-mismatch` when it is not `certificate`'s key.
   */
  unlock(id: string, lockedKey: Uint8Array, certificate: Uint8Array, passphrase: string): Promise<void>;
  /** RSAES-PKCS1-v1_5 decryption of a wrapped content key; `key-locked` when `id` is not unlocked. */
  decrypt(id: string, encryptedKey: Uint8Array, expectedLength: number | undefined): Promise<Uint8Array>;
  /** Forgets (and wipes) one unlocked key, or all of them. */
  lock(id?: string): Promise<void>;
  /** Whether `id` is unlocked now. */
  isUnlocked(id: string): boolean;
}

/** Requests the page may send the worker: none of them asks for a key, and no reply carries one. */
export type VaultCall =
  | { op: 'unlock'; id: string; lockedKey: Uint8Array; certificate: Uint8Array; passphrase: string }
  | { op: 'decrypt'; id: string; encryptedKey: Uint8Array; expectedLength: number | undefined }
  | { op: 'lock'; id: string | undefined };
export type VaultRequest = VaultCall & { seq: number };

/** Replies: `result` only for 'decrypt' (the content key), nothing else leaves the worker. */
export type VaultReply = { seq: number; ok: true; result: Uint8Array | null } | { seq: number; ok: false; error: ErrorInfo };

const LOCKED_MESSAGE = 'This message uses the older RSA PKCS#1 v1.5 method, which needs your key unlocked with its passphrase for this session.';

/** The vault itself: unlocked PKCS#8 by identity id, wiped on lock. Runs in the worker (or in Node). */
export class VaultCore {
  readonly #provider: CryptoProvider;
  readonly #keys = new Map<string, Uint8Array>();

  constructor(provider: CryptoProvider) {
    this.#provider = provider;
  }

  async unlock(id: string, lockedKey: Uint8Array, certificate: Uint8Array, passphrase: string): Promise<void> {
    const pkcs8 = await decryptLockedKey(lockedKey, passphrase, this.#provider);
    try {
      // The protected copy must be this certificate's key (a swapped record would otherwise decrypt as someone else).
      await pairIdentities([{ pkcs8 }], [{ der: certificate }], this.#provider);
    } catch (e) {
      pkcs8.fill(0);
      throw isSignetError(e) ? e : new SignetError('key-mismatch', 'The stored key does not match its certificate.', { cause: e });
    }
    this.#forget(id);
    this.#keys.set(id, pkcs8);
  }

  async decrypt(id: string, encryptedKey: Uint8Array, expectedLength: number | undefined): Promise<Uint8Array> {
    const pkcs8 = this.#keys.get(id);
    if (!pkcs8) throw new SignetError('key-locked', LOCKED_MESSAGE);
    return rsaesPkcs1v15Decrypt(pkcs8, encryptedKey, { expectedLength, crypto: this.#provider.crypto });
  }

  lock(id?: string): void {
    if (id === undefined) for (const k of [...this.#keys.keys()]) this.#forget(k);
    else this.#forget(id);
  }

  isUnlocked(id: string): boolean {
    return this.#keys.has(id);
  }

  #forget(id: string): void {
    this.#keys.get(id)?.fill(0);
    this.#keys.delete(id);
  }

  /** One request of the worker protocol; never throws (errors become `{ ok: false }`). */
  async handle(request: VaultRequest): Promise<VaultReply> {
    try {
      switch (request.op) {
        case 'unlock':
          await this.unlock(request.id, request.lockedKey, request.certificate, request.passphrase);
          return { seq: request.seq, ok: true, result: null };
        case 'decrypt':
          return { seq: request.seq, ok: true, result: await this.decrypt(request.id, request.encryptedKey, request.expectedLength) };
        case 'lock':
          this.lock(request.id);
          return { seq: request.seq, ok: true, result: null };
        default:
          throw new SignetError('internal', 'Unknown vault request.');
      }
    } catch (e) {
      const error = toSignetError(e, 'internal');
      return { seq: (request as { seq?: number }).seq ?? -1, ok: false, error: { code: error.code, message: error.message } };
    }
  }
}

/** The in-process vault (Node: the CLI and tests). */
export function memoryVault(provider: CryptoProvider): Pkcs1Vault {
  const core = new VaultCore(provider);
  return {
    unlock: (id, lockedKey, certificate, passphrase) => core.unlock(id, lockedKey, certificate, passphrase),
    decrypt: (id, encryptedKey, expectedLength) => core.decrypt(id, encryptedKey, expectedLength),
    lock: async (id) => core.lock(id),
    isUnlocked: (id) => core.isUnlocked(id),
  };
}

/** The part of a Worker (or MessagePort) the client uses. */
export interface VaultPort {
  postMessage(message: VaultRequest): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'error', listener: (event: unknown) => void): void;
  /** Stops the worker (Worker.terminate), wiping whatever it held. */
  terminate?(): void;
}

/**
 * The page's side: a vault in a worker, started on first use (`start` makes the Worker). The page keeps
 * only which ids are unlocked; a worker that fails to start or dies fails every pending request with
 * `internal` and counts as locked.
 */
export function workerVault(start: () => VaultPort): Pkcs1Vault {
  let port: VaultPort | null = null;
  let seq = 0;
  const pending = new Map<number, { resolve: (r: Uint8Array | null) => void; reject: (e: SignetError) => void }>();
  const unlocked = new Set<string>();

  const failAll = (message: string): void => {
    unlocked.clear();
    for (const p of pending.values()) p.reject(new SignetError('internal', message));
    pending.clear();
    // An 'error' event may leave the worker running with keys the page now counts as locked: stop it.
    port?.terminate?.();
    port = null;
  };
  const portNow = (): VaultPort => {
    if (port) return port;
    let p: VaultPort;
    try {
      p = start();
    } catch (e) {
      throw new SignetError('internal', 'The key vault could not start in this browser.', { cause: e });
    }
    p.addEventListener('message', (event: { data: unknown }) => {
      const reply = event.data as VaultReply;
      const waiter = pending.get(reply.seq);
      if (!waiter) return;
      pending.delete(reply.seq);
      if (reply.ok) waiter.resolve(reply.result);
      else waiter.reject(new SignetError(knownCode(reply.error.code), reply.error.message));
    });
    p.addEventListener('error', () => failAll('The key vault stopped; unlock your key again.'));
    port = p;
    return p;
  };
  const call = (request: VaultCall): Promise<Uint8Array | null> => {
    const target = portNow();
    const n = ++seq;
    return new Promise((resolve, reject) => {
      pending.set(n, { resolve, reject });
      target.postMessage({ ...request, seq: n });
    });
  };

  return {
    async unlock(id, lockedKey, certificate, passphrase) {
      await call({ op: 'unlock', id, lockedKey, certificate, passphrase });
      unlocked.add(id);
    },
    async decrypt(id, encryptedKey, expectedLength) {
      // Without an unlock in this page there is nothing in the worker either: say so without starting it.
      if (!unlocked.has(id)) throw new SignetError('key-locked', LOCKED_MESSAGE);
      const r = await call({ op: 'decrypt', id, encryptedKey, expectedLength });
      if (!r) throw new SignetError('internal', 'The key vault returned no key.');
      return r;
    },
    async lock(id) {
      if (id === undefined) unlocked.clear();
      else unlocked.delete(id);
      if (port) await call({ op: 'lock', id });
    },
    isUnlocked: (id) => unlocked.has(id),
  };
}

function knownCode(code: string): ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(code) ? (code as ErrorCode) : 'internal';
}
