// Gets the selected message's MIME from the most faithful source Outlook offers (ARCHITECTURE.md, "Reading the
// raw message"): the `smime.p7m` attachment Exchange keeps for S/MIME items (IPM.Note.SMIME and
// IPM.Note.SMIME.MultipartSigned hold the original blob), then `item.getAsFileAsync()` (Mailbox 1.14, a copy
// the client may have rebuilt from MAPI), then Microsoft Graph `GET /me/messages/{id}/$value` (graph-read.ts,
// when the organisation set up a Graph app registration). The snapshot says which source it came from, so a
// failing clear signature from a rebuilt copy is reported as "could not be checked here" and not as tampering.
//
// Which sources are byte-exact (decision, issue 12): only the smime.p7m attachment and a dropped .eml.
// Microsoft documents that "Outlook does not save messages in MIME format" and that `$value` returns the
// message "in MIME format" (learn.microsoft.com/graph/outlook-get-mime-message): Exchange converts from its
// store, so Graph's copy may be rebuilt just like getAsFileAsync's. Both copies are therefore tried for a clear
// signature: when the first copy (getAsFileAsync) fails only on the content digest, checkWithSecondCopy()
// fetches Graph's copy and checks it too; a signature that verifies on either copy is proof, and only when
// every copy fails that way does the pane say "could not be checked". A bad signature, an untrusted root or a
// path failure never gets this treatment (present.ts, mayBeReserialized).

import { concat, toBase64, utf8 } from '../core/bytes.js';
import { SignetError } from '../core/errors.js';
import { formatDate } from '../core/mime/builder.js';
import { encodeAddress, encodeAddressList, encodeUnstructured } from '../core/mime/header-encoder.js';
import { getAttachmentBytes, getAttachments, getItemAsEml, mailboxSupports, readItemEnvelope, restItemId, type ItemEnvelope } from './office.js';
import { NO_GRAPH, type GraphMimeSource } from './graph-read.js';
import { MAILBOX_API } from './requirements.js';

/**
 * - `smime-attachment`: the original S/MIME blob from the item's smime.p7m attachment (byte-exact);
 * - `outlook-export`: `getAsFileAsync`, possibly re-serialized by the client;
 * - `graph`: Graph's `$value` (MIME that Exchange converts from its store: not byte-exact, see above);
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
 * Reads the selected message from the best available source. Throws a SignetError `usage` listing what was
 * tried when no source works (e.g. Outlook on mobile without getAsFileAsync): the pane then offers the
 * .eml route.
 */
export interface ReadOptions {
  /** Microsoft Graph, when the organisation set it up (graph-read.ts); otherwise that source is skipped. */
  graph?: GraphMimeSource;
}

export async function readSelectedMessage(options: ReadOptions = {}): Promise<MessageSnapshot & { skipped: SkippedSource[] }> {
  const graph = options.graph ?? NO_GRAPH;
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
  if (mailboxSupports(MAILBOX_API.getAsFile)) {
    try {
      return { bytes: await getItemAsEml(), source: 'outlook-export', byteExact: false, label: "Outlook's copy of the message", skipped };
    } catch (e) {
      skipped.push({ source: 'outlook-export', reason: e instanceof Error ? e.message : String(e) });
    }
  } else {
    skipped.push({ source: 'outlook-export', reason: 'This Outlook does not support getAsFileAsync (Mailbox 1.14).' });
  }
  const restId = graph.available && env.itemId ? restItemId(env.itemId) : null;
  if (!graph.available) {
    skipped.push({ source: 'graph', reason: 'Microsoft Graph is not set up for Signet by your organisation.' });
  } else if (restId === null) {
    skipped.push({ source: 'graph', reason: 'Outlook gave no message id that Microsoft Graph understands.' });
  } else {
    try {
      return { bytes: await graph.fetchMime(restId), source: 'graph', byteExact: false, label: 'Microsoft Graph', skipped };
    } catch (e) {
      skipped.push({ source: 'graph', reason: e instanceof Error ? e.message : String(e) });
    }
  }
  throw new SignetError('usage', `Outlook did not hand over this message (${skipped.map((s) => s.reason).join(' ')})`);
}

/**
 * A second, independent copy of the selected message for a clear signature that failed on a copy that may
 * have been rebuilt: Graph's `$value` after getAsFileAsync. Null when there is none (the first copy was
 * already exact or from Graph, Graph is not set up, no REST id, or Graph failed: the reason goes to `skipped`).
 */
export async function readSecondCopy(first: MessageSnapshot, options: ReadOptions = {}, skipped: SkippedSource[] = []): Promise<MessageSnapshot | null> {
  const graph = options.graph ?? NO_GRAPH;
  if (first.byteExact || first.source !== 'outlook-export') return null;
  if (!graph.available) {
    skipped.push({ source: 'graph', reason: 'Microsoft Graph is not set up for Signet by your organisation.' });
    return null;
  }
  const env = readItemEnvelope();
  const restId = env?.itemId ? restItemId(env.itemId) : null;
  if (restId === null) {
    skipped.push({ source: 'graph', reason: 'Outlook gave no message id that Microsoft Graph understands.' });
    return null;
  }
  try {
    return { bytes: await graph.fetchMime(restId), source: 'graph', byteExact: false, label: 'Microsoft Graph (after Outlook\'s copy could not be checked)' };
  } catch (e) {
    skipped.push({ source: 'graph', reason: e instanceof Error ? e.message : String(e) });
    return null;
  }
}

/**
 * Checks `first`; when the result is inconclusive only because the copy may have been rebuilt, checks a
 * second copy and keeps whichever is conclusive (the second when both are inconclusive is no better, so the
 * first is kept). `check` is the engine's analysis; `inconclusive` is present.ts's mayBeReserialized.
 */
export async function checkWithSecondCopy<T>(
  first: MessageSnapshot,
  check: (snapshot: MessageSnapshot) => Promise<T>,
  inconclusive: (result: T, snapshot: MessageSnapshot) => boolean,
  second: () => Promise<MessageSnapshot | null>,
): Promise<{ snapshot: MessageSnapshot; result: T }> {
  const result = await check(first);
  if (!inconclusive(result, first)) return { snapshot: first, result };
  const other = await second();
  if (other === null) return { snapshot: first, result };
  const again = await check(other);
  return inconclusive(again, other) ? { snapshot: first, result } : { snapshot: other, result: again };
}
