// A certificate's e-mail identity: the one rule and the one normalisation that the sender binding
// (ARCHITECTURE.md rule 4), name constraints (RFC 5280 §4.2.1.10), the key store's harvest (rule 8) and compose
// readiness all use, so no two of them can see different names in the same certificate.
//
// Rule (RFC 8550 §3, RFC 5280 §4.2.1.6): the certificate's addresses are its subjectAltName rfc822Names
// when the SAN carries any rfc822Name at all; only a certificate with no SAN rfc822Name falls back to the
// subject's emailAddress attribute (PKCS #9, deprecated by RFC 5280 §4.1.2.6 but still issued). A SAN
// rfc822Name that is malformed still counts as "present": it blocks the fallback, so a certificate for
// `eve@…` (or for a broken name) can never be read as the subject's `E=alice@…`.
//
// Normalisation: a name is taken exactly as encoded and either accepted or rejected, never repaired.
// Accepted: an RFC 5321 §4.1.2 Mailbox in ASCII (rfc822Name is an IA5String, and RFC 8398 §3 asks for
// A-labels): a dot-atom local part of at most 64 octets, then "@", then a domain of LDH labels (each A-label
// valid Punycode, RFC 5891 §5.4) or an address literal. Rejected: whitespace or control characters anywhere
// (a trimmed " alice@x" would be one name to the binding and another to the constraint check), non-ASCII,
// no or several "@", empty parts, empty labels (a trailing dot), quoted local parts, invalid A-labels.
// The accepted form keeps the local part as written (its case may matter, RFC 5321 §2.4) and lowercases
// the domain; comparisons go through mime/address.ts addressKey (domains in A-label form).

import { isValidALabel } from '../idn.js';
import { addressKey } from '../mime/address.js';

/** Where a certificate carries an e-mail name. */
export type MailNameSource = 'san' | 'subject';

export interface MailName {
  source: MailNameSource;
  /** The name as encoded (for messages only; never compared). */
  raw: string;
  /** The accepted, normalised address; null when the name is malformed. */
  address: string | null;
}

export interface MailIdentity {
  /** Every e-mail name the certificate carries, SAN first: what name constraints must check. */
  names: MailName[];
  /** The certificate's identity addresses by the rule above, normalised and de-duplicated (addressKey). */
  addresses: string[];
}

const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]";
const DOT_ATOM_LOCAL = new RegExp(`^${ATEXT}+(?:\\.${ATEXT}+)*$`);
const LDH_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const IPV4_LITERAL = /^\[(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\]$/;
const IPV6_LITERAL = /^\[IPv6:[0-9A-Fa-f:.]{2,45}\]$/i;

/** One DNS label in A-label/LDH form (RFC 5890 §2.3.1, RFC 1035 §2.3.1); an "xn--" label must be valid Punycode. */
export function validDnsLabel(label: string): boolean {
  if (!LDH_LABEL.test(label)) return false;
  // RFC 5891 §5.4: the A-label must decode to a valid U-label and be its canonical encoding. LDH_LABEL
  // already refuses a trailing hyphen, i.e. Punycode of a plain-ASCII string ("xn--abc-").
  if (/^xn--/i.test(label) && !isValidALabel(label)) return false;
  return true;
}

/** A host name of LDH/A-labels, no empty label (so no trailing dot), at most 253 octets. */
export function validDomain(domain: string): boolean {
  if (domain.length === 0 || domain.length > 253) return false;
  return domain.split('.').every(validDnsLabel);
}

/**
 * The normalised form of an e-mail name from a certificate, or null when it is malformed (see the file
 * header for what is accepted). Never trims or repairs: a name with a stray space is simply not an address.
 */
export function certificateMailbox(raw: string): string | null {
  if (raw.length === 0 || raw.length > 254) return null;
  // Printable ASCII only: no space, tab, CR/LF, NUL, DEL, no non-ASCII (IA5String; RFC 8398 §3).
  if (!/^[\x21-\x7e]+$/.test(raw)) return null;
  const at = raw.indexOf('@');
  if (at < 0 || raw.indexOf('@', at + 1) >= 0) return null;
  const local = raw.slice(0, at);
  const domain = raw.slice(at + 1);
  if (local.length === 0 || local.length > 64 || !DOT_ATOM_LOCAL.test(local)) return null;
  if (domain.startsWith('[')) {
    if (!IPV4_LITERAL.test(domain) && !IPV6_LITERAL.test(domain)) return null;
  } else if (!validDomain(domain)) return null;
  return `${local}@${domain.toLowerCase()}`;
}

/**
 * The e-mail identity of a certificate from its raw names: `san` the SAN rfc822Names in order, `subject`
 * the subject's emailAddress values (null for a value that is not a string type).
 */
export function mailIdentity(san: readonly string[], subject: readonly (string | null)[]): MailIdentity {
  const names: MailName[] = [
    ...san.map((raw): MailName => ({ source: 'san', raw, address: certificateMailbox(raw) })),
    ...subject.map((raw): MailName => ({ source: 'subject', raw: raw ?? '', address: raw === null ? null : certificateMailbox(raw) })),
  ];
  // The identity rule: SAN rfc822Names when the SAN has any, else the subject emailAddress.
  const source: MailNameSource = san.length > 0 ? 'san' : 'subject';
  const addresses: string[] = [];
  const seen = new Set<string>();
  for (const n of names) {
    if (n.source !== source || n.address === null) continue;
    const key = addressKey(n.address);
    if (seen.has(key)) continue;
    seen.add(key);
    addresses.push(n.address);
  }
  return { names, addresses };
}
