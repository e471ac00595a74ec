// What the simulated Exchange does with a message handed to it for sending (RFC 5322 in, mailbox items
// out): who the envelope recipients are, which copy each folder keeps, and in what form an add-in later
// reads it. Exchange stores S/MIME mail as IPM.Note.SMIME / IPM.Note.SMIME.MultipartSigned with the
// original blob as the item's smime.p7m attachment (ARCHITECTURE.md, "Reading the raw message"); everything
// else is an ordinary IPM.Note.

import { concat } from '../src/core/bytes.js';
import { parseAddressList, sameAddress, singleFromAddress, type Address } from '../src/core/mime/address.js';
import { decodeHeaderText, getHeader, getHeaders } from '../src/core/mime/headers.js';
import { parseMime, scanHeaderBlock } from '../src/core/mime/parser.js';
import type { MimeEntity } from '../src/core/mime/entity.js';
import type { Delivery, MailboxPerson } from './mailbox.js';

/** Why the simulated Exchange refuses a message; graph.ts and ews.ts map each to their protocol's error. */
export type RefusalReason = 'malformed-mime' | 'malformed-address' | 'no-recipients' | 'send-as-denied';

export class DeliveryRefusal extends Error {
  override readonly name = 'DeliveryRefusal';
  constructor(
    readonly reason: RefusalReason,
    message: string,
  ) {
    super(message);
  }
}

/** The RFC 5322 envelope of a submitted message, as the transport reads it from the header fields. */
export interface Envelope {
  from: MailboxPerson;
  to: MailboxPerson[];
  cc: MailboxPerson[];
  bcc: MailboxPerson[];
  subject: string;
  date: Date | null;
  root: MimeEntity;
}

const person = (a: Address): MailboxPerson => ({ name: a.name ?? '', email: a.address });

function addressField(root: MimeEntity, name: string): MailboxPerson[] {
  const out: MailboxPerson[] = [];
  for (const value of getHeaders(root.headers, name)) {
    try {
      out.push(...parseAddressList(value).map(person));
    } catch {
      throw new DeliveryRefusal('malformed-address', `The ${name} header is not an RFC 5322 address list.`);
    }
  }
  return out;
}

/**
 * Reads sender and recipients from the header fields. Microsoft Graph's MIME send (and EWS CreateItem with
 * MimeContent) take the recipients from the MIME itself: To, Cc and Bcc (RFC 5322 §3.6.3).
 */
export function readEnvelope(eml: Uint8Array): Envelope {
  let root: MimeEntity;
  try {
    root = parseMime(eml);
  } catch (e) {
    throw new DeliveryRefusal('malformed-mime', `The MIME content cannot be read: ${e instanceof Error ? e.message : String(e)}`);
  }
  const from = singleFromAddress(root);
  if (!from.ok) throw new DeliveryRefusal('malformed-mime', `The message needs exactly one From address (${from.reason}).`);
  const date = getHeader(root.headers, 'date');
  const parsedDate = date === undefined ? null : new Date(date);
  return {
    from: { name: from.name ?? '', email: from.address },
    to: addressField(root, 'to'),
    cc: addressField(root, 'cc'),
    bcc: addressField(root, 'bcc'),
    subject: decodeHeaderText(getHeader(root.headers, 'subject') ?? '').trim(),
    date: parsedDate && !Number.isNaN(parsedDate.getTime()) ? parsedDate : null,
    root,
  };
}

/** Exchange's storage form, by the root Content-Type (RFC 8551 §3.2 / §3.5 and their x- variants). */
export function deliveryForm(root: MimeEntity): Delivery {
  const type = root.type;
  return type === 'application/pkcs7-mime' || type === 'application/x-pkcs7-mime' || type === 'multipart/signed' ? 'smime-attachment' : 'plain';
}

/** The smime.p7m attachment Exchange keeps: the whole MIME for multipart/signed, else the CMS DER. */
export function smimeAttachment(eml: Uint8Array): Uint8Array {
  const root = parseMime(eml);
  if (root.type === 'multipart/signed') return eml;
  return root.decodeBody();
}

/**
 * The copy recipients receive: the message without its Bcc fields (RFC 5322 §3.6.3, first method, which
 * Exchange applies). Only the outer header block changes, so a signature inside stays valid.
 */
export function withoutBcc(eml: Uint8Array): Uint8Array {
  const block = scanHeaderBlock(eml, 0, eml.length);
  if (!block.headers.some((h) => h.name.toLowerCase() === 'bcc')) return eml;
  return concat([...block.headers.filter((h) => h.name.toLowerCase() !== 'bcc').map((h) => h.raw), eml.subarray(block.headerEnd)]);
}

/** Whether `who` is among the addresses (domain case-insensitive, as mail routing compares them). */
export function includes(people: readonly MailboxPerson[], who: MailboxPerson): boolean {
  return people.some((p) => sameAddress(p.email, who.email));
}
