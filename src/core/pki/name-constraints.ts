// Name constraints (RFC 5280 §4.2.1.10, processed as in §6.1.3 b-c and §6.1.4 g): a CA certificate may
// limit the names that certificates below it can carry. Signet processes rfc822Name (applied to the SAN
// e-mail addresses and to the subject emailAddress attribute, as §4.2.1.10 asks), dNSName and
// directoryName. For any other name form (URI, iPAddress, otherName …) a constraint is honoured by
// refusing: a certificate below it that carries a name of that form fails, never passes unchecked.
//
// E-mail names are the certificate's `mailNames` (mail-identity.ts): the same parsing and normalisation the
// sender binding and the key store use, so a name cannot look like one address to the binding and like
// another (or like nothing) here. A malformed e-mail name (stray whitespace, trailing dot …) is not an
// identity anywhere, and below a CA that constrains e-mail names it fails the check: it cannot be shown to
// lie inside a permitted subtree nor outside an excluded one. The same holds for a malformed dNSName.
//
// Comparison (§4.2.1.10 forms: "a@host" one mailbox, "host" every mailbox at that host, ".domain" every
// host below it): domains case-insensitively in A-label form. The local part of a mailbox constraint is
// compared exactly for a permitted subtree but case-insensitively for an excluded one, so that a case
// variant of an excluded mailbox cannot slip out of the exclusion (either reading errs on refusing).

import { childrenOf, expectSequence, isContext, parseAsn1, readString, type Asn1Limits, type Asn1Node } from '../asn1.js';
import { SignetError } from '../errors.js';
import { domainKey } from '../idn.js';
import { addressKey } from '../mime/address.js';
import { OID } from '../oids.js';
import { parseName, type Certificate, type DistinguishedName } from './certificate.js';
import { validDomain } from './mail-identity.js';

export const NAME_CONSTRAINTS_OID = '2.5.29.30';

/** GeneralName (RFC 5280 §4.2.1.6) as far as constraints need it; `tag` is the CHOICE tag. */
type GeneralName =
  | { tag: 1; value: string } // rfc822Name
  | { tag: 2; value: string } // dNSName
  | { tag: 4; value: DistinguishedName } // directoryName
  | { tag: 0 | 3 | 5 | 6 | 7 | 8; value: null }; // forms Signet does not match

export interface NameConstraints {
  permitted: GeneralName[];
  excluded: GeneralName[];
}

export type NameCheck = { ok: true } | { ok: false; reason: string };

function readGeneralName(node: Asn1Node): GeneralName {
  const tag = node.idBlock.tagNumber;
  if (!isContext(node, tag) || tag > 8) throw new SignetError('malformed-asn1', 'A GeneralName has an unknown form.');
  switch (tag) {
    case 1:
    case 2:
      return { tag, value: readString(node) };
    case 4:
      return { tag, value: parseName(childrenOf(node, 'directoryName')[0]) };
    default:
      return { tag: tag as 0 | 3 | 5 | 6 | 7 | 8, value: null };
  }
}

/** The certificate's nameConstraints, or null when it has none. Throws when the extension is unreadable. */
export function readNameConstraints(cert: Certificate, limits: Asn1Limits): NameConstraints | null {
  const ext = cert.extensions.find((e) => e.oid === NAME_CONSTRAINTS_OID);
  if (!ext) return null;
  const nc: NameConstraints = { permitted: [], excluded: [] };
  for (const part of expectSequence(parseAsn1(ext.value, limits, { what: 'nameConstraints' }), 'nameConstraints')) {
    const list = isContext(part, 0) ? nc.permitted : isContext(part, 1) ? nc.excluded : null;
    if (!list) throw new SignetError('malformed-asn1', 'The nameConstraints extension is malformed.');
    // GeneralSubtree ::= SEQUENCE { base, minimum [0] DEFAULT 0, maximum [1] OPTIONAL }; §4.2.1.10 fixes
    // minimum at 0 and maximum absent, so only `base` carries meaning.
    for (const subtree of childrenOf(part, 'GeneralSubtrees')) list.push(readGeneralName(expectSequence(subtree, 'GeneralSubtree')[0]!));
  }
  return nc;
}

/**
 * The names a certificate carries, by form: subject DN, SAN entries other than rfc822Name, and every e-mail
 * name (SAN rfc822Names and subject emailAddress) as mail-identity.ts read it; a malformed e-mail or DNS
 * name has value null.
 */
function namesOf(cert: Certificate, limits: Asn1Limits): CertName[] {
  const names: CertName[] = [];
  if (cert.subject.rdns.length > 0) names.push({ tag: 4, value: cert.subject });
  const san = cert.extensions.find((e) => e.oid === OID.subjectAltName);
  if (san) {
    for (const gn of expectSequence(parseAsn1(san.value, limits, { what: 'subjectAltName' }), 'subjectAltName')) {
      const n = readGeneralName(gn);
      if (n.tag === 1) continue; // taken from cert.mailNames below, with the shared normalisation
      if (n.tag === 2) names.push({ tag: 2, value: validDomain(n.value) ? n.value : null, raw: n.value });
      else names.push(n);
    }
  }
  for (const m of cert.mailNames) names.push({ tag: 1, value: m.address, raw: m.raw });
  return names;
}

/** A certificate's name for checking: e-mail and DNS names carry null when malformed. */
type CertName =
  | { tag: 1 | 2; value: string | null; raw: string }
  | Exclude<GeneralName, { tag: 1 | 2 }>;

function rdnKeys(name: DistinguishedName): string[] {
  return name.rdns.map((rdn) =>
    rdn
      .map((a) => `${a.type}=${a.isString ? a.value.normalize('NFKC').toLowerCase().trim().replace(/\s+/g, ' ') : a.value}`)
      .sort()
      .join('+'),
  );
}

type Subtree = 'permitted' | 'excluded';

/**
 * §4.2.1.10 rfc822Name: "a@b" one mailbox, "host.example" all mailboxes at that host, ".example" any host
 * below it. `email` is already normalised (mail-identity.ts). For an excluded subtree the constraint is read
 * broadly (surrounding whitespace and a trailing dot ignored, mailbox local part case-insensitive), for a
 * permitted one strictly: a sloppy constraint then excludes more and permits less, never the reverse.
 */
function matchEmail(constraint: string, email: string, subtree: Subtree): boolean {
  const c = subtree === 'excluded' ? constraint.trim().replace(/\.$/, '') : constraint;
  if (c === '') return true;
  if (c.includes('@')) {
    return subtree === 'excluded' ? addressKey(c).toLowerCase() === addressKey(email).toLowerCase() : addressKey(c) === addressKey(email);
  }
  const at = email.lastIndexOf('@');
  const host = domainKey(email.slice(at + 1));
  if (c.startsWith('.')) return host.endsWith(domainKey(c));
  return host === domainKey(c);
}

/** §4.2.1.10 dNSName: the name itself and anything formed by adding labels on the left. */
function matchDns(constraint: string, name: string, subtree: Subtree): boolean {
  const raw = subtree === 'excluded' ? constraint.trim().replace(/\.$/, '') : constraint;
  const c = domainKey(raw.replace(/^\./, ''));
  if (c === '') return true;
  const n = domainKey(name);
  return n === c || n.endsWith('.' + c);
}

/** directoryName: the constraint's RDNs are the first RDNs of the name (§7.1 comparison, simplified as in chain.ts). */
function matchDn(constraint: DistinguishedName, name: DistinguishedName): boolean {
  const c = rdnKeys(constraint);
  const n = rdnKeys(name);
  return c.length <= n.length && c.every((k, i) => k === n[i]);
}

function matches(constraint: GeneralName, name: CertName, subtree: Subtree): boolean {
  if (constraint.tag === 1 && name.tag === 1 && name.value !== null) return matchEmail(constraint.value, name.value, subtree);
  if (constraint.tag === 2 && name.tag === 2 && name.value !== null) return matchDns(constraint.value, name.value, subtree);
  if (constraint.tag === 4 && name.tag === 4) return matchDn(constraint.value, name.value);
  return false;
}

const FORM: Record<number, string> = { 0: 'otherName', 1: 'e-mail address', 2: 'DNS name', 3: 'x400Address', 4: 'directory name', 5: 'ediPartyName', 6: 'URI', 7: 'IP address', 8: 'registeredID' };

function show(n: CertName): string {
  return n.tag === 1 || n.tag === 2 ? JSON.stringify(n.value ?? n.raw) : n.tag === 4 ? 'its subject name' : FORM[n.tag]!;
}

/** Checks one certificate's names against one CA's constraints. */
export function checkNameConstraints(nc: NameConstraints, cert: Certificate, limits: Asn1Limits): NameCheck {
  for (const name of namesOf(cert, limits)) {
    const supported = name.tag === 1 || name.tag === 2 || name.tag === 4;
    const sameForm = (c: GeneralName): boolean => c.tag === name.tag;
    if (!supported) {
      if (nc.permitted.some(sameForm) || nc.excluded.some(sameForm)) {
        return { ok: false, reason: `a ${FORM[name.tag]} is constrained by an issuer and Signet cannot check that form` };
      }
      continue;
    }
    if ((name.tag === 1 || name.tag === 2) && name.value === null) {
      // Malformed: it can be shown neither inside a permitted subtree nor outside an excluded one.
      if (nc.permitted.some(sameForm) || nc.excluded.some(sameForm)) {
        return { ok: false, reason: `the malformed ${FORM[name.tag]} ${JSON.stringify(name.raw)} cannot be checked against an issuer's constraints` };
      }
      continue;
    }
    if (nc.excluded.some((c) => matches(c, name, 'excluded'))) return { ok: false, reason: `${show(name)} is in a subtree an issuer excludes` };
    const permittedOfForm = nc.permitted.filter(sameForm);
    if (permittedOfForm.length > 0 && !permittedOfForm.some((c) => matches(c, name, 'permitted'))) {
      return { ok: false, reason: `${show(name)} is outside the names an issuer permits` };
    }
  }
  return { ok: true };
}
