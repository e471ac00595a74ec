// Turns a Verdict (core/verdict.ts) and the source it was read from into what the read pane and Outlook's
// info bar show: a badge state and its severity (severity.ts), a title, one plain sentence, who signed it
// (only when that is proven), what to do next, and the info-bar text. Pure and DOM-free, so it is
// unit-tested in Node; type-only imports keep the crypto out of the pane's initial bundle.
//
// ARCHITECTURE.md rule 10, "no identity without proof": an address is presented as the signer only when the
// signature verified AND the certificate path validated (status 'valid', or 'outdated-algorithm' on a
// validated path). Every other state says at most "claims to be from …, not verified", in danger or neutral
// styling. The sentences here are the pane's own (not the core's summary, which the CLI prints), so that no
// failed signature is ever described with the words of a good one.

import type { CertificateReport, SignerReport, Verdict } from '../core/verdict.js';
import { infoBarKind, severityOf, type BadgeState, type Severity, type SeverityPolicy } from './severity.js';

export type { BadgeState, Severity } from './severity.js';

/** Who the badge may name, and how (rule 10). */
export type Identity =
  /** Signature verified and path validated: the signer, shown as such. */
  | { kind: 'verified'; email: string; name: string | null }
  /** Signature and path good, but the signer is not the From address (rule 4: show the real signer). */
  | { kind: 'not-sender'; email: string | null; from: string | null }
  /** Anything else: what the certificate claims, never presented as the signer. */
  | { kind: 'claimed'; email: string }
  | null;

export interface EnclosedPresentation {
  path: number[];
  state: BadgeState;
  severity: Severity;
  title: string;
  /** "A signed part from alice@example.org is inside." — the address only when that part is valid. */
  sentence: string;
}

export interface Presentation {
  state: BadgeState;
  severity: Severity;
  title: string;
  /** One plain sentence for non-experts. */
  sentence: string;
  identity: Identity;
  /** What the reader can do next, when there is something. */
  howToCheck: string | null;
  /** The same verdict, short, for Outlook's info bar (at most 150 characters, Outlook's limit, whole words). */
  infoBar: string;
  /** ErrorMessage for danger, InformationalMessage otherwise. */
  infoBarKind: 'error' | 'informational';
  /** Whether the message was decrypted (shown in the plain facts). */
  encrypted: boolean;
  /** Signed parts found inside an unsigned message (rule 1: they do not make the message signed). */
  enclosed: EnclosedPresentation[];
}

export const INFO_BAR_MAX = 150;

/** The first candidate that fits; candidates are written short on purpose, never clipped mid-word. */
export function fitInfoBar(candidates: string[]): string {
  for (const c of candidates) if (c.length <= INFO_BAR_MAX) return c;
  // The last candidate is always a fixed sentence under the limit; this is a guard, not a path.
  throw new Error('present: no info-bar text fits');
}

/** Every link of the signer's chain is fine and the chain ends at a trust anchor. */
export function pathValidated(signer: SignerReport | null): boolean {
  if (!signer || signer.chain.length === 0) return false;
  return signer.chain.every((c) => c.status === 'ok') && signer.chain[signer.chain.length - 1]!.isTrustAnchor;
}

function sameAddress(a: string | null, b: string | null): boolean {
  return a !== null && b !== null && a.toLowerCase() === b.toLowerCase();
}

/**
 * True when a failed clear signature may be the client's re-serialization rather than tampering: read from a
 * copy that is not byte-exact, the outer layer is multipart/signed, and EVERY signer failed only on the
 * content digest — the signature over the signed attributes verified, the certificate path validated to a
 * trust anchor, and the certificate names the From address. A bad signature, an untrusted root, a path
 * failure or another signer never hides behind "could not be checked": those stay danger.
 */
export function mayBeReserialized(verdict: Verdict, byteExact: boolean): boolean {
  if (byteExact || verdict.status !== 'invalid' || verdict.code !== 'digest-mismatch') return false;
  const outer = verdict.layers[0];
  if (outer?.kind !== 'signed' || outer.format !== 'multipart-signed') return false;
  if (verdict.signers.length === 0 || verdict.error !== null) return false;
  return verdict.signers.every((s) => s.code === 'digest-mismatch' && pathValidated(s) && s.emails.some((e) => sameAddress(e, verdict.from)));
}

const short = (email: string): string => (email.length > 60 ? `${email.slice(0, 57)}…` : email);

interface Words {
  title: string;
  sentence: string;
  howToCheck: string | null;
  infoBar: string[];
}

const UNSIGNED_HINT = 'Signet cannot confirm who sent it.';

function invalidWords(code: Verdict['code'], claim: string): Words {
  switch (code) {
    case 'digest-mismatch':
    case 'bad-signature':
    case 'signature-invalid':
      return {
        title: 'Changed or forged',
        sentence: `The signature does not match this message: it was changed after signing, or the signature is forged.${claim}`,
        howToCheck: 'Do not act on it (no payments, links or attachments). Ask the sender through another channel, such as a phone call.',
        infoBar: ['Signet: do not trust this message. Its signature does not match, so it was changed or forged. Check with the sender by phone.', 'Signet: do not trust this message (changed or forged).'],
      };
    case 'econtent-confusion':
      return {
        title: 'Known forgery trick',
        sentence: `The signature hides a second copy of the content, a known forgery trick, so what you see is not what was signed.${claim}`,
        howToCheck: 'Do not act on it. Ask the sender through another channel, such as a phone call.',
        infoBar: ['Signet: do not trust this message. Its signature uses a known forgery trick. Check with the sender by phone.'],
      };
    case 'insecure-algorithm':
      return {
        title: 'Unsafe signature method',
        sentence: `The signature uses a method that is no longer safe (such as SHA-1), so Signet cannot tell whether the message is genuine.${claim}`,
        howToCheck: 'Confirm anything important with the sender another way, and ask them to update their mail program or certificate.',
        infoBar: ['Signet: do not rely on this signature. It uses an unsafe method (such as SHA-1). Confirm with the sender another way.'],
      };
    case 'weak-key':
      return {
        title: 'Signing key too weak',
        sentence: `The signer's key is too short to be safe, so anyone could have made this signature.${claim}`,
        howToCheck: 'Confirm anything important with the sender another way, and ask them for a new certificate.',
        infoBar: ['Signet: do not trust this signature. The key is too weak, so anyone could have made it. Confirm with the sender another way.'],
      };
    case 'date-mismatch':
      return {
        title: 'Re-dated message',
        sentence: `The message date differs from the time it was signed: an old signed message may have been sent again as new.${claim}`,
        howToCheck: 'Do not act on it. Ask the sender through another channel whether they sent it now.',
        infoBar: ['Signet: do not trust this message. Its date was changed after signing (an old message re-sent). Check with the sender.'],
      };
    default:
      return {
        title: 'Signature not valid',
        sentence: `The signature could not be verified, so Signet cannot confirm who sent this message or that it is unchanged.${claim}`,
        howToCheck: 'Do not act on it. Ask the sender through another channel, such as a phone call.',
        infoBar: ['Signet: do not trust this message. Its signature could not be verified. Check with the sender another way.'],
      };
  }
}

function claimOf(verdict: Verdict): string | null {
  return verdict.signer?.email ?? null;
}

function claimSentence(claim: string | null): string {
  return claim ? ` It claims to be from ${claim}; this is not verified.` : '';
}

function words(state: BadgeState, verdict: Verdict, policy: SeverityPolicy, encrypted: boolean): Words {
  const claim = claimOf(verdict);
  const claimText = claimSentence(claim);
  const signer = verdict.signer;
  switch (state) {
    case 'valid': {
      const who = signer?.email ?? 'the sender';
      return {
        title: 'Verified signature',
        sentence: `Signed by ${who}. The message has not been changed since it was signed.${encrypted ? ' It was sent encrypted.' : ''}`,
        howToCheck: null,
        infoBar: [`Signet: verified signature from ${who}. The message is unchanged since it was signed.`, `Signet: verified signature from ${short(who)}.`, 'Signet: verified signature. The message is unchanged since it was signed.'],
      };
    }
    case 'outdated-algorithm': {
      const who = signer?.email ?? 'the sender';
      const danger = policy.outdatedSignatureSeverity === 'danger';
      return {
        title: 'Outdated signature method',
        sentence: `The content matches the signature of ${who}, but the method used (such as SHA-1) is outdated and a determined attacker can forge it.`,
        howToCheck: `Ask ${who} to update their mail program or certificate.${danger ? ' Your organisation treats such signatures as untrustworthy: confirm anything important another way.' : ''}`,
        infoBar: [
          `Signet: signed by ${who} with an outdated method that can be forged. Ask the sender to update.`,
          'Signet: signed with an outdated method that can be forged. Ask the sender to update their mail program.',
        ],
      };
    }
    case 'invalid':
      return invalidWords(verdict.code, claimText);
    case 'untrusted':
      if (verdict.code === 'revocation-unknown') {
        return {
          title: 'Revocation could not be checked',
          sentence: `Your organisation requires a revocation check, and the signer's authority gave no usable answer, so Signet cannot confirm the signer.${claimText}`,
          howToCheck: 'Try again later, or save the message as .eml and run "signet verify" on it.',
          infoBar: ['Signet: the signer could not be confirmed (no revocation answer). Try again later or ask your helpdesk.'],
        };
      }
      return {
        title: 'Untrusted certificate',
        sentence: `The certificate was not issued by an authority you trust, so anyone could have made it.${claimText}`,
        howToCheck: 'Do not act on it. If you expected mail from this sender, ask them through another channel.',
        infoBar: ['Signet: do not trust this message. The signer is not confirmed by any authority you trust; anyone could have made it.'],
      };
    case 'revoked':
      return {
        title: 'Certificate revoked',
        sentence: `The signer's certificate was withdrawn by its authority (for example because the key was stolen).${claimText}`,
        howToCheck: 'Do not act on it. Ask the sender through another channel.',
        infoBar: ["Signet: do not trust this message. The signer's certificate was revoked. Check with the sender another way."],
      };
    case 'expired':
      return {
        title: "Signer's certificate expired",
        sentence:
          verdict.code === 'not-yet-valid'
            ? `The signer's certificate was not yet valid when the message was signed, so Signet cannot confirm who sent it.${claimText}`
            : signer && new Date(signer.notAfter).getTime() < new Date(verdict.checkedAt).getTime()
              ? `The signer's certificate expired on ${formatDate(signer.notAfter)}, so Signet cannot confirm who sent it.${claimText}`
              : `The signer's certificate was not valid when the message was signed, so Signet cannot confirm who sent it.${claimText}`,
        howToCheck: 'For an old message this can be expected. For a new one, ask the sender to renew their certificate.',
        infoBar: ["Signet: the signer's certificate has expired, so the sender is not confirmed. Ask them to renew it."],
      };
    case 'sender-mismatch': {
      const from = verdict.from;
      return {
        title: 'Signer is not the sender',
        sentence: from
          ? `The message says it is from ${from}, but it was signed by ${signer?.email ?? 'someone else'}. Someone may be impersonating the sender.`
          : 'The message does not have exactly one sender address, so the signature cannot be tied to the sender.',
        howToCheck: 'Do not act on it. Ask the sender through another channel.',
        infoBar: [
          from ? `Signet: do not trust. It says it is from ${from} but was signed by someone else. Check with the sender.` : '',
          'Signet: do not trust this message. It was signed by someone other than the sender. Check with the sender another way.',
        ].filter((t) => t !== ''),
      };
    }
    case 'unsigned': {
      const enclosed = verdict.enclosedSigned.length > 0;
      const unprotected = verdict.warnings.some((w) => w.code === 'not-integrity-protected');
      if (encrypted && unprotected) {
        return {
          title: 'Encrypted, not protected against changes',
          sentence: `This message was encrypted, but not signed, and the encryption used does not detect changes. ${UNSIGNED_HINT}`,
          howToCheck: 'Links and forms are switched off. Ask the sender to sign their messages.',
          infoBar: ['Signet: encrypted but not signed, and not protected against changes. Confirm anything important with the sender.'],
        };
      }
      return {
        title: encrypted ? 'Encrypted, not signed' : 'Not signed',
        sentence: encrypted ? `This message was sent encrypted but is not signed. ${UNSIGNED_HINT}` : `This message is not signed. ${UNSIGNED_HINT}`,
        howToCheck: enclosed ? 'Open the signed part below to read it on its own; what was added around it is not covered by any signature.' : null,
        infoBar: [encrypted ? 'Signet: encrypted, not signed. The sender is not confirmed.' : enclosed ? 'Signet: not signed, but a signed part is inside. Open the Signet pane to see it.' : 'Signet: not signed. The sender is not confirmed.'],
      };
    }
    case 'decryption-failed':
      if (verdict.code === 'authentication-failed') {
        return {
          title: 'Altered in transit',
          sentence: 'This encrypted message was altered on its way to you, so its content is not shown.',
          howToCheck: 'Ask the sender to send it again.',
          infoBar: ['Signet: this encrypted message was altered in transit and is not shown. Ask the sender to send it again.'],
        };
      }
      return {
        title: 'Cannot decrypt',
        sentence:
          verdict.code === 'not-a-recipient' || verdict.code === 'no-private-key'
            ? 'This message is encrypted for someone else: none of your keys can open it.'
            : verdict.code === 'key-locked'
              ? 'This message is encrypted to you with the older RSA PKCS#1 v1.5 method: unlock your key with its passphrase under "Keys & certificates" to read it.'
              : verdict.code === 'unsupported-algorithm'
                ? 'This message is encrypted with an old method that Signet does not support.'
                : 'This encrypted message could not be opened.',
        howToCheck: verdict.code === 'not-a-recipient' || verdict.code === 'no-private-key' ? 'If it was meant for you, import your key under "Keys & certificates", or ask the sender to encrypt it to your current certificate.' : null,
        infoBar: ['Signet: this encrypted message cannot be opened with your keys. Open the Signet pane for what to do.'],
      };
    case 'malformed':
      return {
        title: 'Damaged message',
        sentence: 'This message is damaged or not a valid S/MIME message, so nothing about it can be confirmed.',
        howToCheck: 'Ask the sender to send it again.',
        infoBar: ['Signet: this message is damaged, so nothing about it can be confirmed. Ask the sender to send it again.'],
      };
    case 'unverifiable':
      return {
        title: 'Could not be checked in this Outlook',
        sentence: 'This Outlook gave Signet only a rebuilt copy of this signed message, so the signature could not be checked. This neither means it was changed nor that it is genuine.',
        howToCheck:
          'To check it, save the message as an .eml file (or drag it here from Outlook on the web), or run ' +
          '"signet verify --trust CA.pem < message.eml" on the saved file.',
        infoBar: ['Signet: the signature could not be checked in this Outlook. Save the message as .eml and drop it on the Signet pane.'],
      };
    default: {
      const never: never = state;
      throw new Error(`present: no words for ${String(never)}`);
    }
  }
}

function identityOf(state: BadgeState, verdict: Verdict): Identity {
  const signer = verdict.signer;
  if (state === 'unverifiable') return null; // names nobody
  if (state === 'valid' && signer?.email) return { kind: 'verified', email: signer.email, name: signer.name };
  if (state === 'outdated-algorithm' && signer?.email && pathValidated(signer)) return { kind: 'verified', email: signer.email, name: signer.name };
  if (state === 'sender-mismatch') return { kind: 'not-sender', email: signer?.email ?? null, from: verdict.from };
  return signer?.email ? { kind: 'claimed', email: signer.email } : null;
}

function enclosedOf(verdict: Verdict, policy: SeverityPolicy): EnclosedPresentation[] {
  return verdict.enclosedSigned.map((part) => {
    const v = part.verdict;
    const state: BadgeState = v.status;
    const severity = severityOf({ state, code: v.code }, policy);
    const title = words(state, v, policy, false).title;
    const sentence =
      state === 'valid' && v.signer?.email
        ? `A signed part from ${v.signer.email} is inside. Only that part is covered by the signature.`
        : `A signed part is inside, but its signature is not good (${title.toLowerCase()}).`;
    return { path: part.path, state, severity, title, sentence };
  });
}

export function present(verdict: Verdict, source: { byteExact: boolean }, policy: SeverityPolicy = {}): Presentation {
  const encrypted = verdict.layers.some((l) => l.kind === 'encrypted' && l.status === 'decrypted');
  const state: BadgeState = mayBeReserialized(verdict, source.byteExact) ? 'unverifiable' : verdict.status;
  const notIntegrityProtected = state === 'unsigned' && encrypted && verdict.warnings.some((w) => w.code === 'not-integrity-protected');
  let severity = severityOf({ state, code: verdict.code, notIntegrityProtected }, policy);
  let w = words(state, verdict, policy, encrypted);
  // RFC 9788: a verified message whose outer Subject/To/Cc/Date was changed in transit is not shown as
  // plainly good: what Outlook displays above it is not what was signed (ARCHITECTURE.md rule 10).
  const changed = state === 'valid' ? (presentHeaders(verdict)?.changes ?? []) : [];
  if (changed.length > 0) {
    const names = [...new Set(changed.map((c) => FIELD_WORD[c.field] ?? c.field))];
    const list = names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]!}`;
    const who = verdict.signer?.email ?? 'the sender';
    severity = 'caution';
    w = {
      title: names.length === 1 ? `Signed, but the ${list} was changed` : 'Signed, but headers were changed',
      sentence: `Signed by ${who}, and the content is unchanged, but the ${list} shown by Outlook ${names.length === 1 ? 'was' : 'were'} changed in transit. The values the sender wrote are shown below.`,
      howToCheck: null,
      infoBar: [`Signet: signed by ${who}, but the ${list} was changed in transit. The Signet pane shows what was signed.`, `Signet: signed, but the ${list} was changed in transit. See the Signet pane.`, 'Signet: signed, but a header was changed in transit. See the Signet pane.'],
    };
  }
  const enclosed = enclosedOf(verdict, policy);
  let sentence = w.sentence;
  if (state === 'unsigned' && enclosed.length > 0) sentence += ` ${enclosed[0]!.sentence}`;
  return {
    state,
    severity,
    title: w.title,
    sentence,
    identity: identityOf(state, verdict),
    howToCheck: w.howToCheck,
    infoBar: fitInfoBar(w.infoBar),
    infoBarKind: infoBarKind(severity),
    encrypted,
    enclosed,
  };
}

/** "AB:CD:…" for a hex fingerprint. */
export function formatFingerprint(hex: string): string {
  return hex.toUpperCase().replace(/(..)(?!$)/g, '$1:');
}

/**
 * The pane's one date formatter: day, month name and year (e.g. "1 Jan 2021"), with the time when asked
 * ("1 Jan 2021, 14:05"), in the reader's time zone. Fixed day-month-year order so every date in the pane
 * looks the same; a value that is not a date is returned as given.
 */
export function formatDateTime(iso: string | null, options: { time?: boolean } = { time: true }): string {
  if (!iso) return 'unknown';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const date = `${d.getDate()} ${MONTHS[d.getMonth()]!} ${d.getFullYear()}`;
  if (options.time === false) return date;
  return `${date}, ${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

export function formatDate(iso: string | null): string {
  return formatDateTime(iso, { time: false });
}

/** The role of a chain link in words: the signer, an intermediate authority, or the root. */
export function linkRole(chain: readonly CertificateReport[], i: number): 'signer' | 'intermediate' | 'root' | 'unknown issuer' {
  const c = chain[i]!;
  if (i === 0) return 'signer';
  if (c.isTrustAnchor || c.subject === c.issuer) return 'root';
  return c.isCA ? 'intermediate' : 'unknown issuer';
}

/**
 * What is wrong with one link, in words (null when the link itself is fine). `at` is now, for "Expired on".
 */
export function linkProblem(c: CertificateReport, at: Date = new Date()): string | null {
  switch (c.status) {
    case 'ok':
      return null;
    case 'untrusted-root':
      return 'Not a trusted authority';
    case 'no-path':
      return 'Its issuer is unknown: the chain does not reach an authority you trust';
    case 'expired':
      return new Date(c.notAfter).getTime() < at.getTime() ? `Expired on ${formatDate(c.notAfter)}` : `Not valid when the message was signed (valid until ${formatDate(c.notAfter)})`;
    case 'not-yet-valid':
      return `Not valid before ${formatDate(c.notBefore)}`;
    case 'revoked':
      return c.revocation?.revokedAt ? `Revoked on ${formatDate(c.revocation.revokedAt)}` : 'Revoked by its authority';
    case 'revocation-unknown':
      return 'Revocation status unknown';
    case 'not-ca':
      return 'Not allowed to issue certificates';
    case 'path-length':
      return 'The chain is longer than this authority allows';
    case 'key-usage':
      return 'Not allowed to sign';
    case 'ext-key-usage':
      return 'Not issued for e-mail';
    case 'critical-extension':
      return 'Has a restriction Signet cannot check';
    case 'name-constraints':
      return 'Names an address its authority may not certify';
    case 'bad-signature':
      return 'Its issuer did not sign it (forged or damaged)';
    case 'insecure-algorithm':
      return 'Signed with an unsafe method (such as SHA-1)';
    case 'weak-key':
      return 'Its key is too short to be safe';
    case 'unsupported-algorithm':
      return 'Uses a method Signet does not support';
    case 'no-email':
      return 'Names no e-mail address';
    case 'sender-mismatch':
      return 'Is not the sender shown in From';
    case 'digest-mismatch':
    case 'econtent-confusion':
    case 'no-certificate':
    case 'date-mismatch':
      return 'Problem with the signature';
    default:
      // A code added to the core later: still a problem, in words, never the raw code.
      return 'Not accepted by Signet';
  }
}

/** Where the pane remembers which certificates it already announced (engine.ts keeps it in local storage). */
export interface NoticeMemory {
  has(sha256: string): boolean;
  add(sha256: string): void;
}

/**
 * The addresses worth a "Saved the certificate of …" line after the key store harvested certificates from a
 * valid message: each certificate once (by SHA-256 fingerprint), and never the reader's own addresses (their
 * Sent Items copy of their own signed mail). `own` holds lower-cased addresses.
 */
export function announceable(stored: readonly { sha256: string; addresses: string[] }[], own: ReadonlySet<string>, seen: NoticeMemory | null): string[] {
  const out = new Set<string>();
  for (const c of stored) {
    const theirs = c.addresses.filter((a) => !own.has(a.toLowerCase()));
    if (theirs.length === 0) continue;
    if (seen?.has(c.sha256)) continue;
    seen?.add(c.sha256);
    for (const a of theirs) out.add(a);
  }
  return [...out];
}

/** RFC 9788 header protection as the read pane shows it (ui/protected-headers.tsx). */
export interface HeaderPresentation {
  /** The protected fields to show instead of Outlook's (decoded; null when absent). */
  subject: string | null;
  from: string | null;
  to: string | null;
  cc: string | null;
  date: string | null;
  /** What mail servers saw instead of the Subject (e.g. "[...]"), when it was hidden in transit. */
  hiddenSubjectAs: string | null;
  /** One sentence per header changed in transit, naming it and showing the signed value. */
  changes: { field: string; text: string }[];
  /** Why these fields are or are not to be relied on, in words. */
  basis: string;
  /** Something is wrong with the header fields (a change, a refused section, a disagreeing legacy copy). */
  warning: boolean;
}

const FIELD_WORD: Record<string, string> = { subject: 'Subject', from: 'From', to: 'To', cc: 'Cc', date: 'Date', 'reply-to': 'Reply-To' };
const quote = (s: string): string => `\u201c${s.length > 120 ? `${s.slice(0, 117)}…` : s}\u201d`;

export function presentHeaders(verdict: Verdict): HeaderPresentation | null {
  const hp = verdict.headerProtection;
  if (!hp) return null;
  const hidden = hp.hidden.find((h) => h.field === 'subject');
  const changes = hp.mismatches.map((m) => {
    const name = FIELD_WORD[m.field] ?? m.field;
    const signedText = m.signed === null ? 'the sender did not write one' : `the sender wrote ${quote(m.signed)}`;
    const text =
      m.change === 'removed'
        ? `${name} was removed in transit; ${signedText}.`
        : m.change === 'added'
          ? `${name} ${m.outer === null ? '' : `${quote(m.outer)} `}was added in transit; the sender did not write it.`
          : `${name} was changed in transit to ${m.outer === null ? 'something else' : quote(m.outer)}; ${signedText}.`;
    return { field: m.field, text };
  });
  const basis =
    hp.protection === 'signed' || hp.protection === 'signed-and-encrypted'
      ? 'Protected by the signature.'
      : hp.protection === 'encrypted'
        ? 'Protected by the encryption (not signed).'
        : 'Not protected against changes: the signature is not valid or the encryption does not detect changes.';
  return {
    subject: hp.subject,
    from: hp.from,
    to: hp.to,
    cc: hp.cc,
    date: hp.date,
    hiddenSubjectAs: hidden && hp.subject !== null ? (hidden.outer ?? '') : null,
    changes: hp.protection === 'none' ? [] : changes,
    basis,
    warning: (hp.protection !== 'none' && changes.length > 0) || hp.problems.includes('duplicate-field') || hp.problems.includes('legacy-display-mismatch'),
  };
}
