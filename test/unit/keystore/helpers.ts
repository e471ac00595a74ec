// Fixtures for the key-store tests: a fresh fake-indexeddb factory per store (the IndexedDB stand-in the
// issue allows in Node; the same flows run against Chromium's real IndexedDB in test/e2e/keystore.test.ts),
// extra certificates issued by the test PKI's intermediate with the real OpenSSL CLI (separate signing and
// encryption certificates, expired ones, renewals), PKCS#12 files in the modern and legacy forms, and a raw
// dump of every stored record for the "no key material is stored" checks.

import 'fake-indexeddb/auto'; // the IDB* globals that idb's wrapper tests with instanceof
import { IDBFactory } from 'fake-indexeddb';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig } from '../../../src/core/config.js';
import { cryptoProvider } from '../../../src/core/crypto.js';
import { KeyStore, type KeyStoreOptions } from '../../../src/keys/store/key-store.js';
import { DB_NAME } from '../../../src/keys/store/db.js';
import { PASS, testPki } from '../../helpers/pki.js';

export const provider = cryptoProvider();

export function freshFactory(): IDBFactory {
  return new IDBFactory() as unknown as IDBFactory;
}

export interface OpenedStore {
  store: KeyStore;
  factory: IDBFactory;
}

/** A key store over a new (or the given) fake IndexedDB, trusting the test root. */
export async function openStore(o: Partial<Omit<KeyStoreOptions, 'indexedDB'>> & { factory?: IDBFactory } = {}): Promise<OpenedStore> {
  const factory = o.factory ?? freshFactory();
  const store = await KeyStore.open({
    indexedDB: factory,
    trust: o.trust ?? { anchors: [testPki().rootDer], config: resolveConfig({}) },
    provider,
    ...(o.organisation !== undefined ? { organisation: o.organisation } : {}),
    ...(o.now ? { now: o.now } : {}),
  });
  return { store, factory };
}

export function openssl(args: string[], cwd = testPki().dir): Buffer {
  return execFileSync('openssl', args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
}

export function pemToDer(pem: string): Uint8Array {
  const m = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(pem);
  if (!m) throw new Error('no PEM block');
  return new Uint8Array(Buffer.from(m[2]!.replace(/\s+/g, ''), 'base64'));
}

export interface Issued {
  certPath: string;
  keyPath: string;
  certDer: Uint8Array;
  keyPkcs8: Uint8Array;
  /** PKCS#12 (AES-256/PBKDF2, OpenSSL 3's default) with PASS. */
  p12: Uint8Array;
}

export interface IssueSpec {
  email: string;
  key?: 'rsa' | 'ec';
  ku?: string;
  eku?: string;
  /** ASN.1 times for `openssl ca -startdate/-enddate`; default: valid from now for `days`. */
  start?: string;
  end?: string;
  days?: number;
  /** Reuse an existing key (a renewal that kept the key, or a second certificate for one key). */
  keyPath?: string;
}

let serial = 0;

/** A certificate from the test intermediate (through `openssl ca`, so it is in the CA's index). */
export function issue(name: string, spec: IssueSpec): Issued {
  const pki = testPki();
  const dir = pki.dir;
  const id = `ks-${name}-${++serial}`;
  const isEc = spec.key === 'ec';
  const ku = spec.ku ?? (isEc ? 'critical,digitalSignature,nonRepudiation,keyAgreement' : 'critical,digitalSignature,nonRepudiation,keyEncipherment');
  const ext = join(dir, `${id}.ext`);
  writeFileSync(
    ext,
    `[e]\nbasicConstraints=CA:FALSE\nkeyUsage=${ku}\nextendedKeyUsage=${spec.eku ?? 'emailProtection'}\n` +
      `subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\nsubjectAltName=email:${spec.email}\n`,
  );
  const keyPath = spec.keyPath ?? join(dir, `${id}.key`);
  if (!spec.keyPath) {
    openssl(isEc ? ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', keyPath] : ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', keyPath]);
  }
  openssl(['req', '-new', '-key', keyPath, '-subj', `/CN=${name}/O=Signet Tests`, '-out', `${id}.csr`]);
  const validity = spec.start ? ['-startdate', spec.start, '-enddate', spec.end!] : ['-days', String(spec.days ?? 365)];
  openssl(['ca', '-batch', '-config', join(dir, 'ca-inter', 'ca.cnf'), '-cert', 'inter.pem', '-keyfile', 'inter.key', '-in', `${id}.csr`,
    '-out', `${id}.pem`, ...validity, '-extfile', ext, '-extensions', 'e', '-notext']);
  const certPath = join(dir, `${id}.pem`);
  openssl(['pkcs12', '-export', '-inkey', keyPath, '-in', certPath, '-certfile', 'inter.pem', '-passout', `pass:${PASS}`, '-name', name, '-out', `${id}.p12`]);
  return {
    certPath,
    keyPath,
    certDer: pemToDer(readFileSync(certPath, 'utf8')),
    keyPkcs8: pemToDer(readFileSync(keyPath, 'utf8')),
    p12: new Uint8Array(readFileSync(join(dir, `${id}.p12`))),
  };
}

/** Every record of every object store, read with the raw IndexedDB API (not through the store's code). */
export async function dumpDatabase(factory: IDBFactory, name = DB_NAME): Promise<unknown[]> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const r = factory.open(name);
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  const out: unknown[] = [];
  for (const storeName of Array.from(db.objectStoreNames)) {
    const all = await new Promise<unknown[]>((resolve, reject) => {
      const r = db.transaction(storeName, 'readonly').objectStore(storeName).getAll();
      r.onsuccess = () => resolve(r.result as unknown[]);
      r.onerror = () => reject(r.error);
    });
    out.push(...all);
  }
  db.close();
  return out;
}

/** Walks a stored value: every byte array, every string, every CryptoKey in it. */
export function walk(value: unknown, found: { bytes: Uint8Array[]; strings: string[]; keys: CryptoKey[] } = { bytes: [], strings: [], keys: [] }) {
  if (value instanceof CryptoKey) found.keys.push(value);
  else if (value instanceof Uint8Array) found.bytes.push(value);
  else if (value instanceof ArrayBuffer) found.bytes.push(new Uint8Array(value));
  else if (ArrayBuffer.isView(value)) found.bytes.push(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
  else if (typeof value === 'string') found.strings.push(value);
  else if (Array.isArray(value)) for (const v of value) walk(v, found);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) walk(v, found);
  return found;
}

/** True when `needle` occurs in `hay`. */
export function containsBytes(hay: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(hay.buffer, hay.byteOffset, hay.byteLength).indexOf(Buffer.from(needle.buffer, needle.byteOffset, needle.byteLength)) >= 0;
}

/**
 * The secret numbers of a PKCS#8 key, via OpenSSL's own parse (not Signet's): RSA's private exponent and
 * primes, or the EC private scalar.
 */
export function secretComponents(keyPath: string): Uint8Array[] {
  const text = openssl(['pkey', '-in', keyPath, '-noout', '-text']).toString();
  const field = (label: string): Uint8Array | null => {
    const m = new RegExp(`^${label}:\\s*\\n((?:\\s+[0-9a-f:]+\\n)+)`, 'm').exec(text);
    if (!m) return null;
    let hex = m[1]!.replace(/[\s:]/g, '');
    hex = hex.replace(/^(00)+/, '');
    return new Uint8Array(Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex'));
  };
  const parts = ['privateExponent', 'prime1', 'prime2', 'priv'].map(field).filter((x): x is Uint8Array => x !== null && x.length >= 16);
  if (parts.length === 0) throw new Error(`no secret component found in ${keyPath}`);
  return parts;
}

export { PASS, testPki };
