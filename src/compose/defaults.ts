// Defaults that protect (issue 18): what the compose pane switches on by itself, and what it does about a
// message that would be encrypted but not signed. Plain data in, plain data out, so the pane, the tests and
// a future send handler decide alike.
//
// - Sign starts on (policy compose.signByDefault, default true) when the sender has a signing key here.
// - Encrypt switches itself on when every recipient is ready (policy compose.encryptWhenReady, default off),
//   or when the sender just fixed the last missing recipient in place (adding a certificate in a recipient's
//   row is done only to encrypt to them).
// - A switch the sender set by hand (pane or ribbon) is never changed by a default afterwards.
// - Encrypted but not signed: CMS EnvelopedData with AES-CBC gives the reader no integrity protection and no
//   proof of origin (RFC 8551 §3.6 recommends signing, then encrypting), so the pane signs it too unless
//   the sender switched Sign off on purpose; then it asks once before sending.

/** Who decided a switch: a default ('auto') or the sender ('user'). */
export type Decider = 'auto' | 'user';

export interface ProtectionChoice {
  sign: Decider;
  encrypt: Decider;
}

/** The sessionData key holding who decided each switch, JSON `{"sign":"auto"|"user","encrypt":…,"v":1}`. */
export const CHOICE_KEY = 'signet-choice';

export interface ComposeDefaultsPolicy {
  signByDefault: boolean;
  encryptWhenReady: boolean;
}

export interface ReadinessFacts {
  /** A signing key for the From address exists here. */
  canSign: boolean;
  /** The sender's own certificate (for the Sent Items copy) exists. */
  ownCertificate: boolean;
  /** Number of recipients (To, Cc, Bcc). */
  recipients: number;
  /** Number of recipients without a usable certificate. */
  missing: number;
}

export interface Switches {
  sign: boolean;
  encrypt: boolean;
}

/** True when every recipient can be encrypted to (and there is at least one, and the sender's own copy stays readable). */
export function everyoneReady(facts: ReadinessFacts): boolean {
  return facts.recipients > 0 && facts.missing === 0 && facts.ownCertificate;
}

/**
 * The switches after applying the defaults to those still decided by a default. `fixedInPlace` is true
 * right after the sender added a missing recipient's certificate from the recipient's row.
 */
export function applyDefaults(current: Switches, choice: ProtectionChoice, policy: ComposeDefaultsPolicy, facts: ReadinessFacts, fixedInPlace = false): Switches {
  const sign = choice.sign === 'user' ? current.sign : policy.signByDefault && facts.canSign;
  let encrypt = current.encrypt;
  if (choice.encrypt === 'auto') {
    if (policy.encryptWhenReady) encrypt = everyoneReady(facts);
    else if (fixedInPlace && everyoneReady(facts)) encrypt = true;
  }
  return { sign, encrypt };
}

export type UnsignedEncryption =
  /** Not the case (signed, or not encrypted). */
  | { action: 'send' }
  /** Sign was off only by default and a key exists: sign it too. */
  | { action: 'sign-too' }
  /** The sender switched Sign off on purpose, or has no signing key: ask once before sending. */
  | { action: 'ask'; reason: 'sender-chose' | 'no-signing-key' };

/** What to do with a message about to be sent encrypted but not signed. */
export function unsignedEncryption(want: Switches, choice: ProtectionChoice, canSign: boolean): UnsignedEncryption {
  if (!want.encrypt || want.sign) return { action: 'send' };
  if (!canSign) return { action: 'ask', reason: 'no-signing-key' };
  if (choice.sign === 'user') return { action: 'ask', reason: 'sender-chose' };
  return { action: 'sign-too' };
}

export function parseChoice(raw: string | null): ProtectionChoice | null {
  if (raw === null || raw === '') return null;
  try {
    const o = JSON.parse(raw) as { sign?: unknown; encrypt?: unknown; v?: unknown } | null;
    const ok = (x: unknown): x is Decider => x === 'auto' || x === 'user';
    if (o === null || typeof o !== 'object' || o.v !== 1 || !ok(o.sign) || !ok(o.encrypt)) return null;
    return { sign: o.sign, encrypt: o.encrypt };
  } catch {
    return null;
  }
}

export function serializeChoice(choice: ProtectionChoice): string {
  return JSON.stringify({ sign: choice.sign, encrypt: choice.encrypt, v: 1 });
}

/** "1 person", "2 people". */
export function people(n: number): string {
  return n === 1 ? '1 person' : `${n} people`;
}

/** The confirmation after a protected send: "Sent signed and encrypted to 2 people; the protected copy is in Sent Items." */
export function sentSentence(what: string, recipients: number): string {
  return `Sent ${what} to ${people(recipients)}; the protected copy is in Sent Items.`;
}
