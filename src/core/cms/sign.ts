// CMS SignedData creation (RFC 5652 §5) for S/MIME (RFC 8551 §2.4.1, §3.5): one SignerInfo identified by
// issuerAndSerialNumber (v1), signed attributes contentType, signingTime, messageDigest, SMIMECapabilities
// and, when it differs from the signing certificate, the encryption-key preference; detached
// (multipart/signed) or opaque (eContent). The DER is written directly so a 150 MB content is hashed once
// and copied once into the output.

import { equalBytes } from '../bytes.js';
import { defaultLimits } from '../config.js';
import type { CryptoProvider } from '../crypto.js';
import {
  algorithmIdentifier,
  flatten,
  integer,
  octetString,
  oid,
  retag,
  sequence,
  setOf,
  time,
  tlv,
  tlvPieces,
  type DerPieces,
} from '../der.js';
import { SignetError } from '../errors.js';
import type { HashName, Identity, SignatureScheme } from '../keys.js';
import { OID } from '../oids.js';
import { parseCertificate } from '../pki/certificate.js';
import { verifyWithPublicKey, type VerifyAlgorithm } from '../pki/public-key.js';
import {
  DEFAULT_SMIME_CAPABILITIES,
  encodeAttribute,
  encodeEncryptionKeyPreference,
  encodeIssuerAndSerialNumber,
  encodeSmimeCapabilities,
  type SmimeCapability,
} from './attributes.js';
import { ecdsaRawToDer } from './ecdsa-signature.js';
import { basicOcspResponse, ID_AA_ETS_REVOCATION_VALUES, ID_RI_OCSP_RESPONSE } from '../pki/revocation/staple.js';

export type SignDigest = 'SHA-256' | 'SHA-384' | 'SHA-512';

export interface SignOptions {
  identity: Identity;
  /** Content digest and signature hash; SHA-256 unless asked otherwise. */
  digest?: SignDigest;
  /** true (default): no eContent, for multipart/signed. false: opaque signed-data carrying the content. */
  detached?: boolean;
  /** RSA keys only: PKCS#1 v1.5 (default, what every client verifies) or RSASSA-PSS (RFC 4056). */
  rsaPadding?: 'pkcs1' | 'pss';
  /** Defaults to now. */
  signingTime?: Date;
  /** Advertised capabilities (RFC 8551 §2.5.2); `false` omits the attribute. */
  capabilities?: readonly SmimeCapability[] | false;
  /** The certificate correspondents should encrypt to, when it is not the signing certificate. */
  encryptionCertificate?: Uint8Array;
  /** More certificates to carry (e.g. the encryption certificate and its chain). */
  extraCertificates?: Uint8Array[];
  /**
   * Revocation evidence to staple (pki/revocation/staple.ts; readers verify it like a fetched answer).
   * CRLs go into SignedData.crls as `crl` CertificateList (RFC 5652 §10.2.1). OCSP responses go, by
   * default ('revocation-values'), into the unsigned attribute id-aa-ets-revocationValues (RFC 5126
   * §6.3.4, CAdES) as BasicOCSPResponses, because GnuPG's libksba and NSS (Thunderbird) refuse to parse a
   * SignedData whose RevocationInfoChoices hold an `other` choice (test/interop/staple.test.ts); with
   * 'revocation-info-choices' they go into SignedData.crls as `other` [1] { id-ri-ocsp-response,
   * OCSPResponse } (RFC 5940 §3.1), which OpenSSL and Bouncy Castle read and the SignedData becomes v5.
   */
  revocationInfo?: StapleInput;
}

export interface StapleInput {
  ocspResponses?: readonly Uint8Array[];
  crls?: readonly Uint8Array[];
  ocspPlacement?: 'revocation-values' | 'revocation-info-choices';
}

const DIGEST_OID: Record<SignDigest, string> = { 'SHA-256': OID.sha256, 'SHA-384': OID.sha384, 'SHA-512': OID.sha512 };
const RSA_OID: Record<SignDigest, string> = {
  'SHA-256': OID.sha256WithRSAEncryption,
  'SHA-384': OID.sha384WithRSAEncryption,
  'SHA-512': OID.sha512WithRSAEncryption,
};
const ECDSA_OID: Record<SignDigest, string> = {
  'SHA-256': OID.ecdsaWithSHA256,
  'SHA-384': OID.ecdsaWithSHA384,
  'SHA-512': OID.ecdsaWithSHA512,
};
const HASH_BYTES: Record<SignDigest, number> = { 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 };

/** The multipart/signed `micalg` parameter for a digest (RFC 8551 §3.5.3.2). */
export function micalgFor(digest: SignDigest | HashName): string {
  switch (digest) {
    case 'SHA-1':
      return 'sha-1';
    case 'SHA-256':
      return 'sha-256';
    case 'SHA-384':
      return 'sha-384';
    case 'SHA-512':
      return 'sha-512';
  }
}

/**
 * The checks signContent() makes before it signs — digest, certificate, key type, encryption certificate,
 * stapled responses — made alone, so that a writer that sends the signed content on before its signature
 * exists (protect.ts, the CLI's `sign`) fails before its first byte, not after the content. What is left
 * to fail afterwards is the private-key operation itself, whose key the identity file already matched to
 * the certificate.
 */
export function checkSigner(opts: SignOptions): void {
  const digest = opts.digest ?? 'SHA-256';
  if (!(digest in DIGEST_OID)) throw new SignetError('usage', `Unsupported digest ${String(digest)} (SHA-256, SHA-384 or SHA-512).`);
  const cert = parseCertificate(opts.identity.certificate, defaultLimits);
  const key = opts.identity.privateKey;
  if ((key.type === 'rsa' && cert.publicKey.type !== 'rsa') || (key.type === 'ec' && cert.publicKey.type !== 'ec')) {
    throw new SignetError('key-mismatch', 'The private key does not belong to the signing certificate.');
  }
  if (opts.encryptionCertificate) parseCertificate(opts.encryptionCertificate, defaultLimits);
  for (const r of opts.revocationInfo?.ocspResponses ?? []) basicOcspResponse(r, defaultLimits);
}

/** Returns the DER ContentInfo(SignedData). */
export async function signContent(content: Uint8Array, opts: SignOptions, provider: CryptoProvider): Promise<Uint8Array> {
  const digest = opts.digest ?? 'SHA-256';
  if (!(digest in DIGEST_OID)) throw new SignetError('usage', `Unsupported digest ${String(digest)} (SHA-256, SHA-384 or SHA-512).`);
  const detached = opts.detached ?? true;
  const { identity } = opts;
  const cert = parseCertificate(identity.certificate, defaultLimits);
  const key = identity.privateKey;
  if ((key.type === 'rsa' && cert.publicKey.type !== 'rsa') || (key.type === 'ec' && cert.publicKey.type !== 'ec')) {
    throw new SignetError('key-mismatch', 'The private key does not belong to the signing certificate.');
  }

  // Signature scheme and its AlgorithmIdentifier, written as OpenSSL writes them.
  let scheme: SignatureScheme;
  let verifyAlg: VerifyAlgorithm;
  let signatureAlgorithm: Uint8Array;
  if (key.type === 'ec') {
    scheme = { name: 'ECDSA', hash: digest };
    verifyAlg = scheme;
    signatureAlgorithm = algorithmIdentifier(ECDSA_OID[digest]);
  } else if ((opts.rsaPadding ?? 'pkcs1') === 'pss') {
    // RFC 4056 §3 / RFC 4055 §3.1: the salt is the hash length and MGF1 uses the same hash.
    const saltLength = HASH_BYTES[digest];
    scheme = { name: 'RSA-PSS', hash: digest, saltLength };
    verifyAlg = scheme;
    const hashAlg = algorithmIdentifier(DIGEST_OID[digest], 'null');
    signatureAlgorithm = algorithmIdentifier(
      OID.rsassaPss,
      sequence(tlv(0xa0, hashAlg), tlv(0xa1, algorithmIdentifier(OID.mgf1, hashAlg)), tlv(0xa2, integer(saltLength))),
    );
  } else {
    scheme = { name: 'RSASSA-PKCS1-v1_5', hash: digest };
    verifyAlg = scheme;
    signatureAlgorithm = algorithmIdentifier(RSA_OID[digest], 'null');
  }
  // RFC 5754 §2: SHA-2 AlgorithmIdentifiers omit the parameters.
  const digestAlgorithm = algorithmIdentifier(DIGEST_OID[digest]);

  // One digest call over the content as given (a view: no copy).
  const messageDigest = new Uint8Array(await provider.crypto.subtle.digest(digest, content as Uint8Array<ArrayBuffer>));

  const attrs: Uint8Array[] = [
    encodeAttribute(OID.contentType, oid(OID.data)),
    encodeAttribute(OID.signingTime, time(opts.signingTime ?? new Date())),
    encodeAttribute(OID.messageDigest, octetString(messageDigest)),
  ];
  if (opts.capabilities !== false) {
    attrs.push(encodeAttribute(OID.smimeCapabilities, encodeSmimeCapabilities(opts.capabilities ?? DEFAULT_SMIME_CAPABILITIES)));
  }
  if (opts.encryptionCertificate && !equalBytes(opts.encryptionCertificate, identity.certificate)) {
    const enc = parseCertificate(opts.encryptionCertificate, defaultLimits);
    attrs.push(encodeAttribute(OID.smimeEncryptionKeyPreference, encodeEncryptionKeyPreference(enc.issuer.der, enc.serialNumber)));
    // Outlook looks for its own attribute first; carrying both costs a few bytes.
    attrs.push(encodeAttribute(OID.msOutlookEncryptionKeyPreference, encodeIssuerAndSerialNumber(enc.issuer.der, enc.serialNumber)));
  }
  // RFC 5652 §5.4: the signature covers the DER of the SET OF attributes (tag 0x31); the SignerInfo
  // carries the same bytes under [0] IMPLICIT.
  const signedAttrsSet = setOf(...attrs);

  let signature = await key.sign(scheme, signedAttrsSet);
  if (key.type === 'ec') signature = ecdsaRawToDer(signature);
  // Sign-then-verify: an identity whose key and certificate disagree must fail here, not at the recipient.
  if (!(await verifyWithPublicKey(cert.publicKey, verifyAlg, signedAttrsSet, signature, provider))) {
    throw new SignetError('key-mismatch', 'The private key does not match the signing certificate.');
  }

  const ocsp = opts.revocationInfo?.ocspResponses ?? [];
  const inChoices = opts.revocationInfo?.ocspPlacement === 'revocation-info-choices';
  // RFC 5126 §6.3.4: RevocationValues ::= SEQUENCE { crlVals [0] OPTIONAL, ocspVals [1] SEQUENCE OF BasicOCSPResponse OPTIONAL, … }
  const unsignedAttrs =
    ocsp.length > 0 && !inChoices
      ? [retag(setOf(encodeAttribute(ID_AA_ETS_REVOCATION_VALUES, sequence(tlv(0xa1, sequence(...ocsp.map((r) => basicOcspResponse(r, defaultLimits))))))), 0xa1)]
      : [];
  const signerInfo = sequence(
    integer(1),
    encodeIssuerAndSerialNumber(cert.issuer.der, cert.serialNumber),
    digestAlgorithm,
    retag(signedAttrsSet, 0xa0),
    signatureAlgorithm,
    octetString(signature),
    ...unsignedAttrs, // [1] IMPLICIT SET OF Attribute
  );

  const certs: Uint8Array[] = [];
  for (const c of [identity.certificate, ...identity.chain, ...(opts.extraCertificates ?? [])]) {
    if (!certs.some((x) => equalBytes(x, c))) certs.push(c);
  }

  const dataOid = oid(OID.data);
  const encapContentInfo: DerPieces = detached
    ? tlvPieces(0x30, [dataOid])
    : tlvPieces(0x30, [dataOid, tlvPieces(0xa0, [tlvPieces(0x04, [content])])]);
  // RevocationInfoChoices (RFC 5652 §10.2.1): CRLs as they are, OCSP responses (when asked) as OtherRevocationInfoFormat.
  const otherChoices = inChoices ? ocsp.map((r) => tlv(0xa1, oid(ID_RI_OCSP_RESPONSE), r)) : []; // [1] IMPLICIT OtherRevocationInfoFormat
  const revocationInfo = [...(opts.revocationInfo?.crls ?? []), ...otherChoices];
  // RFC 5652 §5.1: version 1 (issuerAndSerialNumber signers, id-data, X.509 certificates only), or 5 when
  // a RevocationInfoChoice of type `other` (a stapled OCSP response) is present.
  const signedData = tlvPieces(0x30, [
    integer(otherChoices.length > 0 ? 5 : 1),
    setOf(digestAlgorithm),
    encapContentInfo,
    retag(setOf(...certs), 0xa0), // [0] IMPLICIT SET OF CertificateChoices, DER-sorted
    ...(revocationInfo.length > 0 ? [retag(setOf(...revocationInfo), 0xa1)] : []), // [1] IMPLICIT RevocationInfoChoices
    setOf(signerInfo),
  ]);
  return flatten(tlvPieces(0x30, [oid(OID.signedData), tlvPieces(0xa0, [signedData])]));
}
