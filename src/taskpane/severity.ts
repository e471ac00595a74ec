// One severity scale for every verdict the read pane can show (issue 12; ARCHITECTURE.md rule 10: "danger states
// can never look like harmless ones"). Every VerdictStatus, plus the pane's own 'unverifiable' state, maps to
// exactly one of four levels, and each level has its own colour, icon SHAPE and words (ui/verdict-view.tsx),
// so the levels stay distinguishable without colour. The switch below has no default: a new VerdictStatus
// does not compile until someone decides its level. Pure and DOM-free (unit-tested in Node).
//
//   danger   the message or its signature is not what it claims: tampered or bad signature, forged or
//            untrusted signer, signer is not the sender, revoked certificate, damaged message, eContent
//            tricks, an unsafe algorithm whose digest was never checked, an encrypted message altered in
//            transit (AES-GCM tag failure);
//   caution  intact, but something the reader should weigh: signed with an outdated algorithm (SHA-1/MD5;
//            'danger' when the policy's outdatedSignatureSeverity says so), the signer's certificate expired
//            or not yet valid, revocation unknown where the policy requires an answer, encrypted content that
//            is not integrity-protected (CBC without a signature inside, EFAIL);
//   neutral  nothing to check or nothing could be checked: not signed, could not be checked in this Outlook
//            (a rebuilt copy), encrypted for someone else or with a locked key;
//   good     valid: signature verified, path validated to a trust anchor, signer = From.
//
// Expired is caution, not danger: the signature is intact and the chain once was valid. Signet validates at
// the signing time and now (rule 5), so re-reading an old message after its certificate ran out is the
// ordinary case. The signer is still not presented as verified (present.ts).

import type { ErrorCode } from '../core/errors.js';
import type { TrustCode, VerdictStatus } from '../core/verdict.js';

export type Severity = 'danger' | 'caution' | 'neutral' | 'good';

/**
 * The Verdict's statuses plus `unverifiable`: a clear signature that failed with a digest mismatch on a copy
 * Outlook may have rebuilt, whose signature and certificate path are otherwise intact (present.ts decides).
 */
export type BadgeState = VerdictStatus | 'unverifiable';

export interface SeverityInput {
  state: BadgeState;
  /** The Verdict's machine reason (verdict.code). */
  code?: TrustCode | ErrorCode | null;
  /** Decrypted content without integrity protection (the 'not-integrity-protected' warning). */
  notIntegrityProtected?: boolean;
}

export interface SeverityPolicy {
  /** SignetConfig.outdatedSignatureSeverity; 'caution' when absent. */
  outdatedSignatureSeverity?: 'caution' | 'danger';
}

/** Most severe first: the order used to rank and to sort. */
export const SEVERITIES: readonly Severity[] = ['danger', 'caution', 'neutral', 'good'];

function unreachable(x: never): never {
  throw new Error(`No severity decided for ${String(x)}`);
}

export function severityOf(input: SeverityInput, policy: SeverityPolicy = {}): Severity {
  const { state, code = null } = input;
  switch (state) {
    case 'valid':
      return 'good';
    case 'outdated-algorithm':
      return policy.outdatedSignatureSeverity === 'danger' ? 'danger' : 'caution';
    case 'invalid':
    case 'revoked':
    case 'sender-mismatch':
    case 'malformed':
      return 'danger';
    case 'untrusted':
      // Revocation unknown under a 'hard' policy: nothing points at a forgery, but the check the
      // organisation requires could not be done. Every other path failure is danger.
      return code === 'revocation-unknown' ? 'caution' : 'danger';
    case 'expired':
      return 'caution';
    case 'unsigned':
      return input.notIntegrityProtected === true ? 'caution' : 'neutral';
    case 'decryption-failed':
      // A failed AES-GCM tag means the ciphertext was altered: danger. Not being a recipient is not.
      return code === 'authentication-failed' ? 'danger' : 'neutral';
    case 'unverifiable':
      return 'neutral';
    default:
      return unreachable(state);
  }
}

/** The level's own words, shown next to its icon so it reads without colour. */
export const SEVERITY_LABEL: Readonly<Record<Severity, string>> = {
  danger: 'Warning: do not trust',
  caution: 'Caution',
  neutral: 'Not verified',
  good: 'Verified',
};

/** Outlook's info bar type for a level: ErrorMessage only for danger (Office.MailboxEnums.ItemNotificationMessageType). */
export function infoBarKind(severity: Severity): 'error' | 'informational' {
  return severity === 'danger' ? 'error' : 'informational';
}
