// Gets the selected message's MIME from the most faithful source Outlook offers (DESIGN.md, "Reading the
// raw message"): the `smime.p7m` attachment Exchange keeps for S/MIME items (IPM.Note.SMIME and
// IPM.Note.SMIME.MultipartSigned hold the original blob), then `item.getAsFileAsync()` (Mailbox 1.14, a copy
// the client may have rebuilt from MAPI), then Microsoft Graph `GET /me/messages/{id}/$value` (not wired
// yet). The snapshot says which source it came from, so a failing clear signature from a rebuilt copy is
// reported as "could not be checked here" and not as tampering.

import { concat, toBase64, utf8 } from '../core/bytes.js';
import { SignetError } from '../core/errors.js';
import { formatDate } from '../core/mime/builder.js';
import { encodeAddress, encodeAddressList, encodeUnstructured } from '../core/mime/header-encoder.js';
import { getAttachmentBytes, getAttachments, getItemAsEml, mailboxSupports, readItemEnvelope, type ItemEnvelope } from './office.js';

/**
 * - `smime-attachment`: the original S/MIME blob from the item's smime.p7m attachment (byte-exact);
 * - `outlook-export`: `getAsFileAsync`, possibly re-serialized by the client;
 * - `graph`: Graph's `$value` (the MIME Exchange stored; not wired yet);
 * - `file`: an .eml the user dropped or chose (byte-exact as far as Signet can tell).
 */
export type SourceKind = 'smime-attachment' | 'outlook-export' | 'graph' | 'file';

export interface MessageSnapshot {
  bytes: Uint8Array;
  source: SourceKind;
  /** False when the bytes may have been rebuilt by the client, so a clear signature may fail innocently. */
  byteExact: boolean;
  /** For people: where the message came from ("the smime.p7m attachment", "prices.eml" …). */
  label: string;
}

/** A source that was tried and could not be used, kept to explain the final choice. */
export interface SkippedSource {
  source: SourceKind;
  reason: string;
}

const SMIME_TYPES = new Set(['application/pkcs7-mime', 'application/x-pkcs7-mime', 'multipart/signed']);

/** The item's smime.p7m attachment, if it has one (how Exchange hands S/MIME items to add-ins). */
export function findSmimeAttachment(attachments: readonly Office.AttachmentDetails[]): Office.AttachmentDetails | null {
  return (
    attachments.find((a) => {
      const type = String(a.attachmentType ?? 'file').toLowerCase();
      if (type !== 'file') return false;
      const name = (a.name ?? '').toLowerCase();
      return name === 'smime.p7m' || SMIME_TYPES.has((a.contentType ?? '').toLowerCase().split(';')[0]!.trim());
    }) ?? null
  );
}

function startsWithHeader(bytes: Uint8Array, name: string): boolean {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 64 * 1024));
  const end = head.search(/\r?\n\r?\n/);
  return new RegExp(`(^|\\n)${name}:`, 'i').test(end >= 0 ? head.slice(0, end) : head);
}

function outerHeaderLines(env: ItemEnvelope): string[] {
  const lines: string[] = [];
  if (env.from?.email) lines.push(`From: ${encodeAddress({ name: env.from.name || null, address: env.from.email })}`);
  const to = env.to.filter((t) => t.email);
  if (to.length > 0) lines.push(`To: ${encodeAddressList(to.map((t) => ({ name: t.name || null, address: t.email })))}`);
  if (env.subject) lines.push(`Subject: ${encodeUnstructured(env.subject)}`);
  if (env.date && !Number.isNaN(env.date.getTime())) lines.push(`Date: ${formatDate(env.date)}`);
  return lines;
}

/**
 * Turns the smime.p7m attachment into a whole message. For multipart/signed Exchange stores the complete
 * MIME (used as is when it has its From); for application/pkcs7-mime the attachment is the CMS object alone
 * (DER, or base64 text), and the outer headers come from the item's properties, which is also what the
 * sender binding (rule 4) compares with.
 */
export function messageFromSmimeAttachment(blob: Uint8Array, env: ItemEnvelope): Uint8Array {
  if (blob.length === 0) throw new SignetError('malformed-mime', 'The smime.p7m attachment is empty.');
  const isDer = blob[0] === 0x30;
  if (!isDer && startsWithHeader(blob, 'content-type')) {
    if (startsWithHeader(blob, 'from')) return blob;
    const head = outerHeaderLines(env);
    return concat([utf8(head.join('\r\n') + (head.length ? '\r\n' : '')), blob]);
  }
  const der = isDer ? blob : null;
  const body = der ? toBase64(der, 76).replace(/\n/g, '\r\n') : new TextDecoder('latin1').decode(blob).trim();
  const head = [
    ...outerHeaderLines(env),
    'MIME-Version: 1.0',
    'Content-Type: application/pkcs7-mime; name="smime.p7m"',
    'Content-Transfer-Encoding: base64',
    'Content-Disposition: attachment; filename="smime.p7m"',
  ];
  return utf8(head.join('\r\n') + '\r\n\r\n' + body + '\r\n');
}

/**
 * Microsoft Graph `GET /me/messages/{id}/$value` — NOT WIRED YET. It needs a token from Nested App
 * Authentication (MSAL `createNestablePublicClientApplication`, `isSetSupported("NestedAppAuth", "1.1")`)
 * and an app registration the admin chooses (DESIGN.md, "Platform facts"); the item id must first be
 * converted with `Office.context.mailbox.convertToRestId`. Until then this always throws, and the chain of
 * sources ends at getAsFileAsync.
 */
export interface GraphMimeSource {
  readonly available: false;
  fetchMime(itemId: string): Promise<Uint8Array>;
}

export const graphMimeSource: GraphMimeSource = {
  available: false,
  fetchMime: () => Promise.reject(new SignetError('usage', 'Reading the message through Microsoft Graph is not wired yet.')),
};

/**
 * Reads the selected message from the best available source. Throws a SignetError `usage` listing what was
 * tried when no source works (e.g. Outlook on mobile without getAsFileAsync): the pane then offers the
 * .eml route.
 */
export async function readSelectedMessage(): Promise<MessageSnapshot & { skipped: SkippedSource[] }> {
  const env = readItemEnvelope();
  if (env === null) throw new SignetError('usage', 'No message is selected.');
  const skipped: SkippedSource[] = [];
  const p7m = findSmimeAttachment(getAttachments());
  if (p7m) {
    try {
      const blob = await getAttachmentBytes(p7m.id);
      return { bytes: messageFromSmimeAttachment(blob, env), source: 'smime-attachment', byteExact: true, label: `the ${p7m.name || 'smime.p7m'} attachment`, skipped };
    } catch (e) {
      skipped.push({ source: 'smime-attachment', reason: e instanceof Error ? e.message : String(e) });
    }
  }
  if (mailboxSupports('1.14')) {
    try {
      return { bytes: await getItemAsEml(), source: 'outlook-export', byteExact: false, label: "Outlook's copy of the message", skipped };
    } catch (e) {
      skipped.push({ source: 'outlook-export', reason: e instanceof Error ? e.message : String(e) });
    }
  } else {
    skipped.push({ source: 'outlook-export', reason: 'This Outlook does not support getAsFileAsync (Mailbox 1.14).' });
  }
  if (graphMimeSource.available && env.itemId) {
    return { bytes: await graphMimeSource.fetchMime(env.itemId), source: 'graph', byteExact: true, label: 'Microsoft Graph', skipped };
  }
  skipped.push({ source: 'graph', reason: 'Reading through Microsoft Graph is not wired yet.' });
  throw new SignetError('usage', `Outlook did not hand over this message (${skipped.map((s) => s.reason).join(' ')})`);
}
