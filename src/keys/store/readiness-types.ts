// The readiness API's input and output, for the compose side (src/compose, src/outlook/compose-*): which
// recipients Signet can encrypt to, which it cannot and why, and whether the sender has keys to sign and to
// keep a readable copy. Types only — importing this module pulls in no storage or crypto code.

/** One question, asked on every recipients change. */
export interface ReadinessRequest {
  /** The From address (addr-spec) the message goes out as; also the Sent Items recipient. */
  sender: string;
  /** Every To, Cc and Bcc addr-spec. Duplicates and the sender's own address are fine. */
  recipients: readonly string[];
  /**
   * Ask the organisation's certificate directory (policy `directory.url`) about addresses the local store
   * cannot serve. Default true; false answers from the store alone (no network, a few milliseconds).
   */
  network?: boolean;
}

/**
 * Why a recipient cannot be encrypted to:
 * - `no-certificate`: Signet knows no certificate for the address;
 * - `expired`, `not-yet-valid`: every known certificate is outside its validity period;
 * - `revoked`: the only certificates known were revoked by their issuer;
 * - `untrusted`: known certificates do not chain to an authority the user or organisation trusts;
 * - `no-encryption-usage`: known certificates may only sign (key usage / extended key usage);
 * - `weak-key`, `unsupported-key`: the key is too short for the policy, or of a type Signet cannot use;
 * - `invalid-address`: the recipient is not an e-mail address.
 * When several certificates fail for different reasons, the reason of the newest one is given.
 */
export type MissingReason =
  | 'no-certificate'
  | 'expired'
  | 'not-yet-valid'
  | 'revoked'
  | 'untrusted'
  | 'no-encryption-usage'
  | 'weak-key'
  | 'unsupported-key'
  | 'invalid-address';

export interface ReadyRecipient {
  address: string;
  /** The certificate to encrypt to, DER. */
  certificate: Uint8Array;
  /** SHA-256 of the certificate, lowercase hex. */
  sha256: string;
  /**
   * Algorithms the recipient advertised in SMIMECapabilities (names such as "AES-256-GCM",
   * "RSA-OAEP-SHA256"), or null when unknown: pass them as EncryptOptions.capabilities.
   */
  capabilities: string[] | null;
  notAfter: string;
  /** Where Signet got the certificate; 'own' for the sender's own encryption certificate. */
  source: 'message' | 'file' | 'directory' | 'own';
}

/** One certificate Signet knows for a missing recipient and will not use. */
export interface RejectedCertificate {
  sha256: string;
  subject: string;
  notAfter: string;
  problem: string;
  reason: string;
}

export interface MissingRecipient {
  address: string;
  reason: MissingReason;
  /** One sentence telling the user what to do. */
  advice: string;
  rejected: RejectedCertificate[];
}

/**
 * The sender's own key for one purpose. `reason` is null when ready; otherwise 'no-identity' (nothing
 * imported for this address), 'expired' / 'not-yet-valid', or 'no-usage' (the certificates for the
 * address do not allow this purpose).
 */
export interface SenderKeyStatus {
  ready: boolean;
  identityId: string | null;
  /** The certificate, DER (the encryption one is added to every encrypted message). */
  certificate: Uint8Array | null;
  notAfter: string | null;
  reason: 'no-identity' | 'expired' | 'not-yet-valid' | 'no-usage' | null;
  advice: string | null;
}

export interface Readiness {
  sender: string;
  /** Recipients Signet can encrypt to, in request order, de-duplicated. */
  ready: ReadyRecipient[];
  /** Recipients it cannot encrypt to, with the reason and advice. */
  missing: MissingRecipient[];
  senderSigning: SenderKeyStatus;
  senderEncryption: SenderKeyStatus;
  /** True when the message can be signed (the sender has a usable signing identity). */
  canSign: boolean;
  /** True when every recipient is ready and the sender has an encryption certificate for Sent Items. */
  canEncrypt: boolean;
  /** Set when the organisation directory was asked and failed: the answer comes from the store alone. */
  directoryError: string | null;
  checkedAt: string;
}

/** What the compose side calls; KeyStore implements it. */
export interface ReadinessService {
  readiness(request: ReadinessRequest): Promise<Readiness>;
}
