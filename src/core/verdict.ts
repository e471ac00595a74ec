// The Verdict: everything the core says about a received message, in one serialisable object that the
// badge, the CLI's `--json` and Outlook's info bar all render (ARCHITECTURE.md, "Layers"). Plain data only —
// no class instances, no CryptoKeys — so it can cross an iframe or worker boundary and be printed as JSON.

import type { ErrorCode } from './errors.js';
import type { HeaderProtectionReport } from './mime/header-protection.js';

export type { HeaderFieldName, HeaderMismatch, HeaderProtectionReport, HiddenField, ProtectedField } from './mime/header-protection.js';

/**
 * Overall status, most severe first when several apply:
 * - `malformed`: the input could not be parsed (see `error`).
 * - `decryption-failed`: an encrypted layer could not be opened (not a recipient, wrong key, GCM tag
 *   failure); no plaintext is released.
 * - `invalid`: a signature does not verify (tampered content, bad signature, eContent confusion, insecure
 *   algorithm refused by policy).
 * - `revoked`, `expired`, `untrusted`: the signature is intact but its certificate cannot be relied on
 *   (`expired` also covers a signing time outside the certificates' validity or in the future).
 * - `sender-mismatch`: intact and trusted, but the signer's address is not the single From address.
 * - `outdated-algorithm`: the signature and the digest are intact (the content matches what was signed)
 *   and everything else is in order, but the signature uses a hash refused by policy (SHA-1, MD5) that a
 *   determined attacker can forge (collisions). Less severe than every failure above, which win when they
 *   also apply; never `valid`. How loudly the pane shows it is SignetConfig.outdatedSignatureSeverity.
 * - `valid`: every signer verified, trusted, in time, and bound to From.
 * - `unsigned`: no signature on the message root (possibly decrypted successfully: see `layers`).
 */
export type VerdictStatus =
  | 'valid'
  | 'invalid'
  | 'untrusted'
  | 'expired'
  | 'revoked'
  | 'sender-mismatch'
  | 'outdated-algorithm'
  | 'unsigned'
  | 'malformed'
  | 'decryption-failed';

/** Why a certificate or signer failed, as a stable machine code the UI turns into a sentence. */
export type TrustCode =
  | 'ok'
  | 'bad-signature'
  | 'digest-mismatch'
  | 'econtent-confusion'
  | 'insecure-algorithm'
  | 'weak-key'
  | 'unsupported-algorithm'
  | 'no-certificate'
  | 'no-path'
  | 'untrusted-root'
  | 'not-ca'
  | 'path-length'
  | 'expired'
  | 'not-yet-valid'
  | 'key-usage'
  | 'ext-key-usage'
  | 'critical-extension' // a critical extension this implementation cannot process (RFC 5280 §4.2)
  | 'name-constraints' // a name outside what an issuing CA may certify (RFC 5280 §4.2.1.10)
  | 'revoked'
  | 'revocation-unknown'
  | 'no-email'
  | 'sender-mismatch'
  | 'date-mismatch' // the Date header is far from the signing time (a re-dated replay)
  | 'signing-time-outside-validity' // the signing time is outside a path certificate's validity (status 'expired')
  | 'signing-time-future'; // the signing time is after the validation time plus the allowed clock skew (status 'expired')

export type Warning =
  | { code: 'not-integrity-protected'; message: string }
  | { code: 'revocation-not-checked'; message: string }
  | { code: 'revocation-unknown'; message: string }
  | { code: 'insecure-algorithm-allowed'; message: string }
  | { code: 'legacy-cipher'; message: string }
  | { code: 'signing-time-missing'; message: string }
  | { code: 'date-missing'; message: string }
  | { code: 'enclosed-signed-part'; message: string }
  | { code: 'outer-signature-ignored'; message: string }
  | { code: 'unsigned-parts'; message: string }
  | { code: 'source-may-be-reserialized'; message: string }
  /** RFC 9788: an outer Subject/From/To/Cc/Date differs from the signed (protected) copy. */
  | { code: 'header-changed'; message: string }
  /** RFC 9788: the protected header section repeats a field that may occur once; it is not used. */
  | { code: 'protected-headers-refused'; message: string }
  /** RFC 9788 §4.5.3: the Legacy Display Element in the text disagrees with the protected fields. */
  | { code: 'legacy-display-mismatch'; message: string };

/**
 * Why a revocation source gave no usable answer (RevocationEvidence.problem), as a stable code:
 * - `network`, `timeout`, `http-status`, `too-large`: the responder or CRL could not be fetched;
 * - `malformed`: the response or CRL is not valid DER of the expected structure;
 * - `responder-error`: the OCSP responder answered with an error status (tryLater, unauthorized …);
 * - `bad-signature`: the response or CRL signature does not verify with the key that must have made it
 *   (e.g. a CRL signed by another key than the issuing CA's);
 * - `insecure-algorithm`, `unsupported-algorithm`: signed with an algorithm refused by policy or unknown;
 * - `unauthorized-responder`: the OCSP response is signed by neither the issuing CA nor a responder
 *   certificate that CA issued with id-kp-OCSPSigning;
 * - `cert-id-mismatch`: the response is about another certificate or another issuer;
 * - `nonce-mismatch`: the response echoes a different nonce than the one sent (a replayed response);
 * - `stale`: nextUpdate has passed (or, without nextUpdate, the answer is too old);
 * - `not-yet-valid`: thisUpdate is in the future beyond the allowed clock skew;
 * - `unknown-certificate`: the OCSP responder does not know the certificate (status unknown);
 * - `wrong-issuer`, `out-of-scope`, `unsupported-crl`: the CRL is from another issuer, does not cover
 *   this certificate (issuingDistributionPoint), or is of a kind Signet does not process (delta,
 *   indirect, partitioned by reason, unknown critical extension);
 * - `no-source`: the certificate names no OCSP responder and no http(s) CRL distribution point.
 */
export type RevocationProblem =
  | 'network'
  | 'timeout'
  | 'http-status'
  | 'too-large'
  | 'malformed'
  | 'responder-error'
  | 'bad-signature'
  | 'insecure-algorithm'
  | 'unsupported-algorithm'
  | 'unauthorized-responder'
  | 'cert-id-mismatch'
  | 'nonce-mismatch'
  | 'stale'
  | 'not-yet-valid'
  | 'unknown-certificate'
  | 'wrong-issuer'
  | 'out-of-scope'
  | 'unsupported-crl'
  | 'no-source';

export interface RevocationEvidence {
  method: 'ocsp' | 'crl' | 'none';
  status: 'good' | 'revoked' | 'unknown' | 'not-checked';
  source?: string; // responder URL or CRL URL
  checkedAt?: string; // ISO-8601
  thisUpdate?: string;
  nextUpdate?: string;
  revokedAt?: string;
  /** RFC 5280 §5.3.1 CRLReason name (keyCompromise, superseded …), when the authority gave one. */
  reason?: string;
  /** Why no usable answer was obtained (status 'unknown' or 'not-checked'). */
  problem?: RevocationProblem;
  /** The answer came from the revocation cache (fetched earlier, still before its nextUpdate). */
  cached?: boolean;
  /** The answer was stapled in the message by its signer (RFC 5940) and passed every check of a fetched one. */
  stapled?: boolean;
}

export interface CertificateReport {
  subject: string;
  issuer: string;
  serialNumber: string; // hex
  notBefore: string; // ISO-8601
  notAfter: string;
  sha256: string; // hex fingerprint of the DER
  sha1: string;
  emails: string[];
  keyAlgorithm: string; // e.g. "RSA 2048", "EC P-256"
  keyUsage: string[];
  extKeyUsage: string[];
  isCA: boolean;
  isTrustAnchor: boolean;
  status: TrustCode;
  revocation?: RevocationEvidence;
  /** DER, base64: lets the UI offer "export" and the CLI print PEM without re-parsing the message. */
  der: string;
}

export interface SignerReport {
  status: Exclude<VerdictStatus, 'unsigned' | 'malformed' | 'decryption-failed'>;
  code: TrustCode;
  /** The address the badge shows: the certificate's, never the message's From. */
  email: string | null;
  emails: string[];
  name: string | null;
  subject: string;
  issuer: string;
  serialNumber: string;
  sha256: string;
  notBefore: string;
  notAfter: string;
  /**
   * When the signature says it was made (signed attribute signingTime, RFC 5652 §11.3), ISO-8601, only when
   * Signet accepts it as a fact: the signature verified, the time is not in the future beyond the allowed
   * clock skew, and every certificate of the path was valid then. Otherwise null, and the value is in
   * `claimedSigningTime`.
   */
  signingTime: string | null;
  /** The signingTime the signature claims when it was rejected (see `signingTime`); else null. */
  claimedSigningTime: string | null;
  digestAlgorithm: string;
  signatureAlgorithm: string;
  /** End entity first, then issuers up to (and including) the trust anchor when one was found. */
  chain: CertificateReport[];
  /** S/MIME capabilities the signer advertised (RFC 8551 §2.5.2), as algorithm names. */
  capabilities: string[];
  /**
   * DER (base64) of the certificate the signer asks to be encrypted to, when its signed
   * SMIMEEncryptionKeyPreference (RFC 8551 §2.5.3, or Microsoft's equivalent) names a certificate other
   * than the signing one and the message carries it. A hint only: whoever stores it must validate it.
   */
  encryptionCertificate?: string;
  reason: string;
}

export type Layer =
  | {
      kind: 'signed';
      format: 'multipart-signed' | 'opaque';
      digestAlgorithms: string[];
      signers: number;
      status: VerdictStatus;
    }
  | {
      kind: 'encrypted';
      contentType: 'enveloped-data' | 'auth-enveloped-data';
      cipher: string; // e.g. "AES-256-GCM", "AES-128-CBC"
      integrityProtected: boolean;
      recipients: number;
      keyManagement: string[]; // e.g. ["RSA-OAEP-SHA256"], ["ECDH-ES-SHA256-KDF/AES-256-KW"]
      status: 'decrypted' | 'decryption-failed';
    };

/**
 * A signed part found below an unsigned message root (e.g. a mailing list wrapped multipart/mixed around
 * the original multipart/signed and added a footer). The message is still not signed (ARCHITECTURE.md rule 1);
 * this says what the part inside is.
 */
export interface EnclosedSignedPart {
  /** Child indexes from the (decrypted) message root down to the part, e.g. [0] for the first child. */
  path: number[];
  /** The part opened as if it were the message root, bound to the outer message's From. */
  verdict: Verdict;
}

export interface Verdict {
  status: VerdictStatus;
  /** One plain sentence a non-expert understands. */
  summary: string;
  /** The machine reason for a non-valid status, when there is one. */
  code: TrustCode | ErrorCode | null;
  /** Outermost first. */
  layers: Layer[];
  /** The signer shown on the badge: the decisive signature's first signer (all are in `signers`). */
  signer: SignerReport | null;
  signers: SignerReport[];
  /** The From address the signer was compared with (null when From was missing or ambiguous). */
  from: string | null;
  warnings: Warning[];
  /** The time the trust decision was made for. */
  checkedAt: string;
  revocation: 'checked' | 'offline' | 'not-configured';
  error: { code: ErrorCode; message: string } | null;
  /**
   * Signed parts inside an unsigned root (at most 4, at most 4 levels down, never inside an encrypted
   * part). Always present; empty when the root is signed (or encrypted and signed) or none is found. The
   * inner verdicts' own `enclosedSigned` are empty.
   */
  enclosedSigned: EnclosedSignedPart[];
  /**
   * Header protection (RFC 9788, or the older protected-headers="v1"): the protected Subject, From, To …,
   * the fields hidden in transit, and every difference between the signed copy and the outer header. Null
   * (or absent, from producers older than header protection) when the message has none.
   */
  headerProtection?: HeaderProtectionReport | null;
}

/** Severity order used to combine several signers' statuses into one (most severe wins). */
export const STATUS_SEVERITY: readonly VerdictStatus[] = [
  'malformed',
  'decryption-failed',
  'invalid',
  'revoked',
  'expired',
  'untrusted',
  'sender-mismatch',
  'outdated-algorithm',
  'unsigned',
  'valid',
];

export function worstStatus(a: VerdictStatus, b: VerdictStatus): VerdictStatus {
  return STATUS_SEVERITY.indexOf(a) <= STATUS_SEVERITY.indexOf(b) ? a : b;
}
