// Which RFC 9788 header protection an outgoing message gets: the organisation policy's default
// (src/policy, $.headerProtection: protect the headers of signed and encrypted mail, hide the Subject of
// encrypted mail only when the organisation opts in), overridden per message by the compose pane's switch,
// which it keeps in the item's session data under HIDE_SUBJECT_KEY so the send handler sees the same choice.

import type { ProduceHeaderProtection } from '../core/mime/header-protection.js';
import type { Protection } from './size.js';

/** Session-data key of the per-message "hide the subject" switch: "on" or "off"; absent = the policy's default. */
export const HIDE_SUBJECT_KEY = 'signet-hide-subject';

/** The policy's $.headerProtection, structurally (compose does not import the policy module). */
export interface HeaderProtectionDefaults {
  enabled: boolean;
  encryptSubject: boolean;
  legacyDisplay: boolean;
}

export interface HeaderChoice {
  /** Copy the header fields inside the signature/encryption (hp="clear"/"cipher"). */
  enabled: boolean;
  /** Encrypted mail travels with Subject "[...]" (hcp_baseline). */
  hideSubject: boolean;
  /** Repeat the hidden Subject at the top of the text (Legacy Display Element). */
  legacyDisplay: boolean;
}

/** The choice for one message: the policy's defaults, with the stored per-message switch when there is one. */
export function headerChoice(policy: HeaderProtectionDefaults | undefined, stored: string | null): HeaderChoice {
  // A policy object from before this setting existed (an embedded or cached one) gets the documented defaults.
  const defaults = policy ?? { enabled: true, encryptSubject: false, legacyDisplay: true };
  const hideSubject = stored === 'on' ? true : stored === 'off' ? false : defaults.encryptSubject;
  // Hiding the Subject needs it protected inside: the switch turns protection on for that message.
  return { enabled: defaults.enabled || hideSubject, hideSubject, legacyDisplay: defaults.legacyDisplay };
}

/** What core/smime/protect.ts is asked for: nothing, or hp with the right Header Confidentiality Policy. */
export function headerProtectionFor(choice: HeaderChoice | undefined, protection: Protection): ProduceHeaderProtection | undefined {
  if (!choice?.enabled) return undefined;
  if (protection.encrypt && choice.hideSubject) return { hcp: 'baseline', legacyDisplay: choice.legacyDisplay };
  return { hcp: 'no-confidentiality' };
}
