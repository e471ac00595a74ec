// Signet's error vocabulary: one closed union of string codes shared by the core, the CLI and the UI.
// Errors cross module and process boundaries as `{ code, message }` (the Mailvelope habit); tests assert
// codes, never message text.

export const ERROR_CODES = [
  // Input shape
  'malformed-mime', //         MIME structure that cannot be parsed (RFC 2045/2046)
  'malformed-asn1', //         DER/BER that asn1js cannot decode, or a structure of the wrong shape
  'malformed-base64', //       transfer encoding that is not valid base64
  'malformed-pem', //          PEM armour missing or broken
  'malformed-address', //      From/To header that is not an RFC 5322 address list
  'limit-exceeded', //         a resource limit in config.ts was hit (size, depth, node count)
  'budget-exceeded', //        a per-message work budget in config.ts was spent (network fetches, signature checks, decryption tries)
  'not-smime', //              input is mail but carries no S/MIME layer where one was required
  'unsupported-algorithm', //  an algorithm we recognise but do not implement (DSA, RC2, 3DES …)
  'insecure-algorithm', //     an algorithm refused by policy (SHA-1, MD5, short keys) unless allowInsecure…
  // Keys and identities
  'bad-passphrase', //         PKCS#12 MAC or decryption failed
  'not-pkcs12', //             input is not a PKCS#12 PFX
  'damaged-file', //           a key file (PKCS#12) that is one but is damaged: broken structure, or contents that fail its integrity check (MAC) with the right passphrase
  'no-private-key', //         identity file has no private key
  'no-certificate', //         identity file has no certificate (or none matching the key)
  'key-mismatch', //           private key does not match the certificate
  'missing-certificate', //    a needed certificate (recipient, signer) is absent
  'certificate-unusable', //   a certificate that may not be used here: expired, not yet valid, no emailProtection, no usable keyUsage
  'key-locked', //             the operation needs the private key unlocked with its passphrase for this session (RSAES-PKCS1-v1_5)
  // Signing / verification
  'signature-invalid', //      the cryptographic signature does not verify
  'digest-mismatch', //        messageDigest attribute does not match the content
  'econtent-confusion', //     detached signature that also carries eContent (ARCHITECTURE.md rule 2)
  'no-signers', //             SignedData without SignerInfos (rule 3)
  'no-content', //             SignedData with neither eContent nor detached content to verify
  // Encryption / decryption
  'not-a-recipient', //        none of the RecipientInfos is for our identity
  'decryption-failed', //      key unwrap or content decryption failed (wrong key, corrupt data)
  'authentication-failed', //  AES-GCM tag did not verify: no plaintext is released (rule 7)
  'encrypted-subpart', //      an encrypted layer that is not the message root (reply oracle, rule 7)
  // Compose and send (src/compose, src/outlook/transport, src/events)
  'no-signing-key', //         no private key for the From address in this Outlook, so the message cannot be signed
  'unsupported-attachment', // an attachment Signet cannot put into the message (a cloud link instead of a file)
  'message-too-large', //      the protected message would exceed the transport's size limit
  'send-unauthorized', //      the mail server refused the sender's credentials or permission (HTTP 401/403)
  'send-throttled', //         the mail server asked to wait before sending again (HTTP 429, ErrorServerBusy)
  'send-failed', //            the mail server refused or failed the send for another reason (5xx, SOAP fault)
  'timeout', //                an operation did not finish within its time limit
  // Plumbing
  'usage', //                  bad command-line or API usage
  'io', //                     cannot read or write a file / stream
  'storage', //                the browser's key storage (IndexedDB) is unavailable or failed
  'network', //                fetch failed (revocation, AIA)
  'internal', //               a bug: an invariant did not hold
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The plain, serialisable form of an error that crosses a boundary (worker, iframe, CLI JSON). */
export interface ErrorInfo {
  code: ErrorCode;
  message: string;
}

export class SignetError extends Error {
  override readonly name = 'SignetError';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  toJSON(): ErrorInfo {
    return { code: this.code, message: this.message };
  }
}

export function isSignetError(e: unknown, code?: ErrorCode): e is SignetError {
  return e instanceof SignetError && (code === undefined || e.code === code);
}

/** Wraps any thrown value into a SignetError, keeping a SignetError's own code. */
export function toSignetError(e: unknown, fallback: ErrorCode, message?: string): SignetError {
  if (e instanceof SignetError) return e;
  const detail = e instanceof Error ? e.message : String(e);
  return new SignetError(fallback, message ?? detail, { cause: e });
}
