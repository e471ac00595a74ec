// What a certificate allows its holder to do in S/MIME, and the plain summary the Settings view shows for
// it: RFC 8550 §4.4.2 (keyUsage: digitalSignature or nonRepudiation to sign; keyEncipherment for RSA key
// transport, keyAgreement for ECDH) and §4.4.4 (extKeyUsage, when present, must allow emailProtection or
// anyExtendedKeyUsage).

import { defaultLimits } from '../../core/config.js';
import type { CryptoProvider } from '../../core/crypto.js';
import { SignetError } from '../../core/errors.js';
import { addressKey } from '../../core/mime/address.js';
import { OID } from '../../core/oids.js';
import { commonName, formatName, parseCertificate, type Certificate } from '../../core/pki/certificate.js';
import { fingerprint } from '../../core/pki/certificate-info.js';

export interface CertificateUses {
  /** May make S/MIME signatures. */
  sign: boolean;
  /** May receive encrypted mail (RSA key transport or ECDH key agreement). */
  encrypt: boolean;
  /** extKeyUsage is absent or allows emailProtection / anyExtendedKeyUsage. */
  emailProtection: boolean;
}

export function certificateUses(cert: Certificate): CertificateUses {
  const eku = cert.extKeyUsage;
  const emailProtection = !eku || eku.includes(OID.emailProtection) || eku.includes(OID.anyExtendedKeyUsage);
  const ku = cert.keyUsage;
  const keyType = cert.publicKey.type;
  const supportedKey = keyType === 'rsa' || (keyType === 'ec' && cert.publicKey.namedCurve !== null);
  const sign = emailProtection && supportedKey && (!ku || ku.has('digitalSignature') || ku.has('nonRepudiation'));
  const encrypt =
    emailProtection && supportedKey && (!ku || (keyType === 'rsa' ? ku.has('keyEncipherment') : ku.has('keyAgreement')));
  return { sign, encrypt, emailProtection };
}

/** Parses a certificate; damage is `malformed-asn1` with a sentence that says which thing is damaged. */
export function readCertificate(der: Uint8Array, what = 'The certificate'): Certificate {
  try {
    return parseCertificate(der, defaultLimits);
  } catch (e) {
    throw new SignetError('malformed-asn1', `${what} is damaged or not an X.509 certificate.`, { cause: e });
  }
}

/** The addressKey() form of every address a certificate names, for the store's address index. */
export function certificateAddresses(cert: Certificate): string[] {
  return [...new Set(cert.emails.map(addressKey))];
}

/** A certificate as the Settings view lists it. Plain data. */
export interface CertificateSummary {
  /** SHA-256 of the DER, lowercase hex: the store's id, and the fingerprint people compare. */
  sha256: string;
  addresses: string[];
  name: string | null;
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  keyAlgorithm: string;
  uses: CertificateUses;
}

export async function summarizeCertificate(cert: Certificate, provider: CryptoProvider): Promise<CertificateSummary> {
  return {
    sha256: await fingerprint(cert.der, 'SHA-256', provider),
    addresses: [...cert.emails],
    name: commonName(cert.subject),
    subject: formatName(cert.subject),
    issuer: formatName(cert.issuer),
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    keyAlgorithm: cert.publicKey.description,
    uses: certificateUses(cert),
  };
}
