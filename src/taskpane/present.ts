// Turns a Verdict (core/verdict.ts) and the source it was read from into what the read pane and the info bar
// show: a badge state, a short title, the core's one plain sentence and, where it helps, how to check
// further. Pure and DOM-free, so it is unit-tested in Node; type-only imports keep the crypto out of the
// pane's initial bundle.

import type { Verdict, VerdictStatus } from '../core/verdict.js';

/**
 * The Verdict's statuses plus `unverifiable`: a clear signature that failed on a copy Outlook may have
 * rebuilt (getAsFileAsync in classic Outlook), which proves nothing about tampering (DESIGN.md).
 */
export type BadgeState = VerdictStatus | 'unverifiable';

export type Tone = 'success' | 'danger' | 'warning' | 'informative';

export interface Presentation {
  state: BadgeState;
  tone: Tone;
  title: string;
  /** One plain sentence for non-experts. */
  sentence: string;
  /** What the reader can do to get a definite answer, when there is something. */
  howToCheck: string | null;
  /** The same verdict, short, for Outlook's info bar (at most 150 characters, Outlook's limit). */
  infoBar: string;
}

const TITLES: Record<BadgeState, [string, Tone]> = {
  valid: ['Signature valid', 'success'],
  invalid: ['Do not trust: signature broken', 'danger'],
  revoked: ['Do not trust: certificate revoked', 'danger'],
  expired: ['Signer certificate expired', 'warning'],
  untrusted: ['Signer not trusted', 'warning'],
  'sender-mismatch': ['Signer is not the sender', 'danger'],
  unsigned: ['Not signed', 'informative'],
  malformed: ['Damaged message', 'danger'],
  'decryption-failed': ['Cannot decrypt', 'warning'],
  unverifiable: ['Could not be checked in this Outlook', 'warning'],
  'outdated-algorithm': ['Signed with an outdated method', 'warning'],
};

export const INFO_BAR_MAX = 150;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/** True when a failed clear signature may be the client's re-serialization rather than tampering. */
export function mayBeReserialized(verdict: Verdict, byteExact: boolean): boolean {
  if (byteExact || verdict.status !== 'invalid' || verdict.code !== 'digest-mismatch') return false;
  const outer = verdict.layers[0];
  return outer?.kind === 'signed' && outer.format === 'multipart-signed';
}

export function present(verdict: Verdict, source: { byteExact: boolean }): Presentation {
  const encrypted = verdict.layers.some((l) => l.kind === 'encrypted' && l.status === 'decrypted');
  if (mayBeReserialized(verdict, source.byteExact)) {
    const who = verdict.signer?.email ?? 'the sender';
    return {
      state: 'unverifiable',
      tone: 'warning',
      title: TITLES.unverifiable[0],
      sentence:
        `This message is signed by ${who}, but this Outlook only gave Signet a rebuilt copy of it, so the signature ` +
        'could not be checked. This does not mean the message was changed.',
      howToCheck:
        'To check it, save the message as an .eml file (or drag it here from Outlook on the web), or run ' +
        '"signet verify --trust CA.pem < message.eml" on the saved file.',
      infoBar: clip(`Signet: signature by ${who} could not be checked in this Outlook. Open the Signet pane for how to check it.`, INFO_BAR_MAX),
    };
  }
  const state: BadgeState = verdict.status;
  const [title, tone] = TITLES[state];
  const unsignedTitle = state === 'unsigned' && encrypted ? 'Encrypted, not signed' : title;
  return {
    state,
    tone,
    title: unsignedTitle,
    sentence: verdict.summary,
    howToCheck: null,
    infoBar: clip(`Signet: ${verdict.summary}`, INFO_BAR_MAX),
  };
}

/** "2048-bit RSA" style text for people, from the core's key algorithm names; unchanged when unknown. */
export function formatFingerprint(hex: string): string {
  return hex.toUpperCase().replace(/(..)(?!$)/g, '$1:');
}

/** A date as people read it, in their locale, with the UTC instant as a fallback for a bad value. */
export function formatDateTime(iso: string | null, locale?: string): string {
  if (!iso) return 'unknown';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' });
}
