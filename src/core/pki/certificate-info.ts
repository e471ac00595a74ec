// The plain-data CertificateReport (verdict.ts) for a parsed certificate: readable names (RFC 4514 style),
// fingerprints, addresses, key and usage, as the badge, the CLI's JSON and the chain view show them.

import { latin1, toBase64, toHex } from '../bytes.js';
import type { CryptoProvider } from '../crypto.js';
import { WebCryptoMemo } from '../memo.js';
import { oidName } from '../oids.js';
import type { CertificateReport, TrustCode } from '../verdict.js';
import { formatName, type Certificate } from './certificate.js';

export interface CertificateReportOptions {
  status?: TrustCode;
  isTrustAnchor?: boolean;
}

export async function describeCertificate(
  cert: Certificate,
  provider: CryptoProvider,
  options: CertificateReportOptions = {},
): Promise<CertificateReport> {
  const [sha256, sha1] = await Promise.all([fingerprint(cert.der, 'SHA-256', provider), fingerprint(cert.der, 'SHA-1', provider)]);
  return {
    subject: formatName(cert.subject),
    issuer: formatName(cert.issuer),
    serialNumber: serialToHex(cert.serialNumber),
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    sha256,
    sha1,
    emails: [...cert.emails],
    keyAlgorithm: cert.publicKey.description,
    keyUsage: cert.keyUsage ? [...cert.keyUsage] : [],
    extKeyUsage: cert.extKeyUsage ? cert.extKeyUsage.map(oidName) : [],
    isCA: cert.basicConstraints?.cA ?? false,
    isTrustAnchor: options.isTrustAnchor ?? false,
    status: options.status ?? 'ok',
    der: toBase64(cert.der),
  };
}

/** Hex of the serial as an unsigned integer (no sign octet), lowercase, as OpenSSL prints it without colons. */
export function serialToHex(serial: Uint8Array): string {
  let i = 0;
  while (i < serial.length - 1 && serial[i] === 0) i++;
  return toHex(serial.subarray(i));
}

/**
 * Fingerprints already computed, by hash and exact certificate bytes (core/memo.ts): a digest is a pure
 * function of its input, and the same certificates are fingerprinted again and again (the key store names
 * every certificate by its SHA-256; the compose pane summarises the recipients' when it shows who is ready
 * and again when the message is sent), each a WebCrypto round trip on a busy page (issue 17). At most 256
 * of them, of certificates up to 8 KB (at worst 2 MB of keys).
 */
const fingerprints = new WebCryptoMemo<string>(256);

// SHA-1 here is an identifier for the user to compare, not a security decision.
export async function fingerprint(der: Uint8Array, hash: 'SHA-256' | 'SHA-1', provider: CryptoProvider): Promise<string> {
  const subtle = provider.crypto.subtle;
  const key = der.length <= 8 * 1024 ? `${hash}/${latin1(der)}` : null;
  const known = key === null ? undefined : fingerprints.get(subtle, key);
  if (known !== undefined) return known;
  const hex = toHex(await subtle.digest(hash, der as Uint8Array<ArrayBuffer>));
  if (key !== null) fingerprints.set(subtle, key, hex);
  return hex;
}
