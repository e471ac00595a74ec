// One plain sentence per Verdict, for people who are not S/MIME experts. The badge, the CLI and
// Outlook's info bar all show this same sentence, so it must not depend on any renderer.

import type { TrustCode, VerdictStatus } from '../verdict.js';
import type { ErrorCode } from '../errors.js';

const REASONS: Partial<Record<TrustCode | ErrorCode, string>> = {
  'bad-signature': 'the signature does not match the message',
  'digest-mismatch': 'the message was changed after it was signed',
  'econtent-confusion': 'the signature carries a second, hidden copy of the content (a known forgery trick)',
  'insecure-algorithm': 'it uses an algorithm that is no longer safe (such as SHA-1)',
  'weak-key': "the signer's key is too short to be safe",
  'unsupported-algorithm': 'it uses an algorithm Signet does not support',
  'no-certificate': "the signer's certificate is not in the message",
  'no-path': "the signer's certificate does not lead to an authority you trust",
  'untrusted-root': "the signer's certificate was issued by an authority you do not trust",
  'not-ca': 'a certificate in the chain is not allowed to issue certificates',
  'path-length': 'the certificate chain is longer than its issuer allows',
  'name-constraints': "the signer's certificate names an address its issuing authority is not allowed to certify",
  expired: "the signer's certificate was not valid at the time that matters",
  'not-yet-valid': "the signer's certificate was not yet valid",
  'key-usage': "the signer's certificate is not allowed to sign",
  'ext-key-usage': "the signer's certificate is not meant for email",
  revoked: "the signer's certificate has been revoked by its issuer",
  'revocation-unknown': "whether the signer's certificate has been revoked could not be checked, and your organisation requires it",
  'no-email': "the signer's certificate names no email address",
  'sender-mismatch': 'the signer is not the sender shown in From',
  'no-signers': 'the signature block contains no signature',
  'date-mismatch': 'the date of the message was changed after it was signed',
  'signing-time-outside-validity': "the time it claims to have been signed is outside the validity of the signer's certificate (or of an authority above it)",
  'signing-time-future': 'the time it claims to have been signed is in the future',
};

export function reasonText(code: TrustCode | ErrorCode | null): string {
  return (code && REASONS[code]) ?? 'the signature could not be checked';
}

export function summarize(
  status: VerdictStatus,
  code: TrustCode | ErrorCode | null,
  signerEmail: string | null,
  from: string | null,
  encrypted: boolean,
  /** The digest algorithm of the decisive signature (for 'outdated-algorithm'), e.g. "SHA-1". */
  algorithm: string | null = null,
): string {
  const who = signerEmail ?? 'an unknown signer';
  switch (status) {
    case 'valid':
      return `Signed by ${who}. The message has not been changed since it was signed.` + (encrypted ? ' It was sent encrypted.' : '');
    case 'invalid':
      return `Do not trust this message: the signature is not valid because ${reasonText(code)}.`;
    case 'untrusted':
      return `Signed by ${who}, but ${reasonText(code ?? 'no-path')}, so Signet cannot confirm who sent it.`;
    case 'expired':
      return `Signed by ${who}, but ${reasonText(code ?? 'expired')}.`;
    case 'revoked':
      return `Do not trust this message: ${reasonText('revoked')}.`;
    case 'sender-mismatch':
      return from
        ? `Signed by ${who}, which is not the sender ${from} shown in From. Someone may be impersonating the sender.`
        : `Signed by ${who}, but the message does not have exactly one sender address to compare it with.`;
    case 'outdated-algorithm':
      return (
        `The content matches what was signed, but it was signed with an outdated method (${algorithm ?? 'SHA-1'}) that a determined attacker can forge. ` +
        'Ask the sender to update their mail program.'
      );
    case 'unsigned':
      return encrypted ? 'This message was sent encrypted but is not signed: Signet cannot confirm who sent it.' : 'This message is not signed.';
    case 'decryption-failed':
      return code === 'not-a-recipient' || code === 'no-private-key'
        ? 'This message is encrypted for someone else: none of your keys can open it.'
        : code === 'authentication-failed'
          ? 'This encrypted message was altered in transit, so its content is not shown.'
          : code === 'unsupported-algorithm'
            ? 'This message is encrypted with an old algorithm that Signet does not support.'
            : code === 'key-locked'
              ? 'This message is encrypted to you with the older RSA PKCS#1 v1.5 method: unlock your key with its passphrase under "Keys & certificates" to read it.'
              : code === 'budget-exceeded'
                ? 'Signet stopped trying to open this message: it would take more decryption attempts than any real message needs.'
                : 'This encrypted message could not be opened.';
    case 'malformed':
      return code === 'budget-exceeded'
        ? 'Signet stopped checking this message: it asks for far more work than any real message needs (too many signatures, certificates or network look-ups). Treat it as suspicious.'
        : 'This message is damaged or not a valid S/MIME message, so it cannot be checked.';
  }
}
