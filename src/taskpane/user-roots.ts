// Roots the user explicitly trusts (issue 3, trust anchors (c)), beside the organisation policy's anchors and
// Mozilla's e-mail roots. Only public certificates are kept, so localStorage (per client and per origin
// partition, like every add-in store) is an adequate home; the list is shown in the pane with each root's
// name and SHA-256 fingerprint, and can be removed again.
//
// A root is accepted only if it is a self-signed CA certificate (basicConstraints cA, the signature checks
// with its own key) that is currently valid: trusting an end-entity or intermediate by accident would make
// the trust decision unexplainable. Verification does not read this module's storage directly: the pane
// passes `userRootDer()` into openMessage as anchors.

import { fromBase64, toBase64 } from '../core/bytes.js';
import { defaultConfig, defaultLimits } from '../core/config.js';
import type { CryptoProvider } from '../core/crypto.js';
import { SignetError } from '../core/errors.js';
import { formatName, parseCertificate, type Certificate } from '../core/pki/certificate.js';
import { fingerprint } from '../core/pki/certificate-info.js';
import { verifyCertificateSignature } from '../core/pki/chain.js';
import { loadCertificates } from '../keys/identity-file.js';

export const USER_ROOTS_KEY = 'signet-user-roots/v1';

/** The slice of the Web Storage API used here (localStorage in the pane; a Map-backed stand-in in tests). */
export type RootStorage = Pick<Storage, 'getItem' | 'setItem'>;

export interface UserRoot {
  subject: string;
  sha256: string;
  notAfter: string;
  /** When the user chose to trust it (ISO-8601). */
  addedAt: string;
  /** DER, base64. */
  der: string;
}

function read(storage: RootStorage): UserRoot[] {
  const raw = storage.getItem(USER_ROOTS_KEY);
  if (raw === null) return [];
  try {
    const parsed = JSON.parse(raw) as unknown;
    if (!Array.isArray(parsed)) return [];
    return parsed.filter(
      (r): r is UserRoot =>
        typeof r === 'object' && r !== null && typeof (r as UserRoot).der === 'string' && typeof (r as UserRoot).sha256 === 'string' && typeof (r as UserRoot).subject === 'string',
    );
  } catch {
    // A damaged entry trusts nothing; the user sees an empty list and can add the root again.
    return [];
  }
}

function write(storage: RootStorage, roots: UserRoot[]): void {
  try {
    storage.setItem(USER_ROOTS_KEY, JSON.stringify(roots));
  } catch (e) {
    throw new SignetError('io', 'The trusted root could not be saved in this browser (storage full or disabled).', { cause: e });
  }
}

export function listUserRoots(storage: RootStorage): UserRoot[] {
  return read(storage);
}

/** DER of every user-trusted root, for openMessage({ anchors }). */
export function userRootDer(storage: RootStorage): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const r of read(storage)) {
    try {
      out.push(fromBase64(r.der));
    } catch {
      // skip a damaged entry
    }
  }
  return out;
}

async function checkRoot(cert: Certificate, now: Date, provider: CryptoProvider): Promise<void> {
  const name = formatName(cert.subject);
  if (!cert.basicConstraints?.cA) {
    throw new SignetError('usage', `${name} is not a certificate authority. Only a CA's root certificate can be trusted; a person's certificate becomes usable by chaining to one.`);
  }
  if (formatName(cert.issuer) !== name) {
    throw new SignetError('usage', `${name} is issued by ${formatName(cert.issuer)}: it is an intermediate, not a root. Trust the root it chains to.`);
  }
  const outcome = await verifyCertificateSignature(cert, cert, defaultConfig, provider);
  if (outcome === 'bad-signature') {
    throw new SignetError('signature-invalid', `${name} is not self-signed: its signature does not check with its own key.`);
  }
  if (outcome !== 'ok') {
    throw new SignetError('insecure-algorithm', `${name} is signed with an algorithm Signet refuses (${outcome}).`);
  }
  if (now < cert.notBefore || now > cert.notAfter) {
    throw new SignetError('usage', `${name} is not valid now (valid ${cert.notBefore.toISOString().slice(0, 10)} to ${cert.notAfter.toISOString().slice(0, 10)}).`);
  }
}

/**
 * Adds every root certificate in a .cer/.crt/.pem/.p7c file to the user's trusted roots. All-or-nothing: if
 * one certificate in the file is not an acceptable root, nothing is added and the error says which.
 */
export async function trustUserRoots(storage: RootStorage, file: Uint8Array, provider: CryptoProvider, now = new Date()): Promise<UserRoot[]> {
  const ders = loadCertificates(file);
  if (ders.length === 0) throw new SignetError('missing-certificate', 'The file holds no certificate.');
  const existing = read(storage);
  const added: UserRoot[] = [];
  for (const der of ders) {
    const cert = parseCertificate(der, defaultLimits);
    await checkRoot(cert, now, provider);
    const sha256 = await fingerprint(der, 'SHA-256', provider);
    if (existing.some((r) => r.sha256 === sha256) || added.some((r) => r.sha256 === sha256)) continue;
    added.push({ subject: formatName(cert.subject), sha256, notAfter: cert.notAfter.toISOString(), addedAt: now.toISOString(), der: toBase64(der) });
  }
  write(storage, [...existing, ...added]);
  return added;
}

/** Stops trusting a root (by SHA-256, hex); true when one was removed. */
export function distrustUserRoot(storage: RootStorage, sha256: string): boolean {
  const roots = read(storage);
  const kept = roots.filter((r) => r.sha256 !== sha256.toLowerCase());
  if (kept.length === roots.length) return false;
  write(storage, kept);
  return true;
}
