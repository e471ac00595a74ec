// Name constraints (RFC 5280 §4.2.1.10, processed as in §6.1.3 b-c and §6.1.4 g): a CA certificate may
// limit the names that certificates below it can carry. Signet processes rfc822Name (applied to the SAN
// e-mail addresses and to the subject emailAddress attribute, as §4.2.1.10 asks), dNSName and
// directoryName. For any other name form (URI, iPAddress, otherName …) a constraint is honoured by
// refusing: a certificate below it that carries a name of that form fails, never passes unchecked.

import { childrenOf, expectSequence, isContext, parseAsn1, readString, type Asn1Limits, type Asn1Node } from '../asn1.js';
import { SignetError } from '../errors.js';
import { domainKey } from '../idn.js';
import { addressKey } from '../mime/address.js';
import { OID } from '../oids.js';
import { parseName, type Certificate, type DistinguishedName } from './certificate.js';

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

/** The names a certificate carries, by form: subject DN, SAN entries, and subject emailAddress as rfc822Name. */
function namesOf(cert: Certificate, limits: Asn1Limits): GeneralName[] {
  const names: GeneralName[] = [];
  if (cert.subject.rdns.length > 0) names.push({ tag: 4, value: cert.subject });
  const san = cert.extensions.find((e) => e.oid === OID.subjectAltName);
  if (san) for (const gn of expectSequence(parseAsn1(san.value, limits, { what: 'subjectAltName' }), 'subjectAltName')) names.push(readGeneralName(gn));
  for (const rdn of cert.subject.rdns) {
    for (const ava of rdn) if (ava.type === OID.emailAddress && ava.isString) names.push({ tag: 1, value: ava.value });
  }
  return names;
}

function rdnKeys(name: DistinguishedName): string[] {
  return name.rdns.map((rdn) =>
    rdn
      .map((a) => `${a.type}=${a.isString ? a.value.normalize('NFKC').toLowerCase().trim().replace(/\s+/g, ' ') : a.value}`)
      .sort()
      .join('+'),
  );
}

/** §4.2.1.10 rfc822Name: "a@b" one mailbox, "host.example" all mailboxes at that host, ".example" any host below it. */
function matchEmail(constraint: string, email: string): boolean {
  if (constraint === '') return true;
  if (constraint.includes('@')) return addressKey(constraint) === addressKey(email);
  const at = email.lastIndexOf('@');
  const host = domainKey(email.slice(at + 1));
  if (constraint.startsWith('.')) return host.endsWith(domainKey(constraint));
  return host === domainKey(constraint);
}

/** §4.2.1.10 dNSName: the name itself and anything formed by adding labels on the left. */
function matchDns(constraint: string, name: string): boolean {
  const c = domainKey(constraint.replace(/^\./, ''));
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

function matches(constraint: GeneralName, name: GeneralName): boolean {
  if (constraint.tag === 1 && name.tag === 1) return matchEmail(constraint.value, name.value);
  if (constraint.tag === 2 && name.tag === 2) return matchDns(constraint.value, name.value);
  if (constraint.tag === 4 && name.tag === 4) return matchDn(constraint.value, name.value);
  return false;
}

const FORM: Record<number, string> = { 0: 'otherName', 1: 'e-mail address', 2: 'DNS name', 3: 'x400Address', 4: 'directory name', 5: 'ediPartyName', 6: 'URI', 7: 'IP address', 8: 'registeredID' };

function show(n: GeneralName): string {
  return n.tag === 1 || n.tag === 2 ? n.value : n.tag === 4 ? 'its subject name' : FORM[n.tag]!;
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
    if (nc.excluded.some((c) => matches(c, name))) return { ok: false, reason: `${show(name)} is in a subtree an issuer excludes` };
    const permittedOfForm = nc.permitted.filter(sameForm);
    if (permittedOfForm.length > 0 && !permittedOfForm.some((c) => matches(c, name))) {
      return { ok: false, reason: `${show(name)} is outside the names an issuer permits` };
    }
  }
  return { ok: true };
}
