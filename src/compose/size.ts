// Size limits of the transports, checked before any crypto so that no work is wasted on a message the
// server will refuse. Microsoft Graph refuses requests over 4 MB, and sendMail's MIME travels as base64
// (4/3 larger), so about 3 MB of message fits ("Send Outlook messages in MIME format",
// https://learn.microsoft.com/graph/outlook-send-mime-message; request limit:
// https://learn.microsoft.com/graph/api/resources/attachment). Exchange Server's limit is the organisation's
// own (Set-TransportConfig MaxSendSize, 10 MB by default); EWS adds no lower one.

import { SignetError } from '../core/errors.js';

export type TransportKind = 'graph' | 'ews';

export interface SizeLimit {
  transport: TransportKind;
  /** Largest protected RFC 5322 message, in bytes, the transport accepts. */
  maxMessageBytes: number;
}

/** Graph's request limit: 4 MB (taken as MiB, the reading that matches what Graph enforces). */
export const GRAPH_MAX_REQUEST_BYTES = 4 * 1024 * 1024;
/** The largest message whose base64 fits into one Graph request. */
export const GRAPH_MAX_MESSAGE_BYTES = Math.floor((GRAPH_MAX_REQUEST_BYTES * 3) / 4);
/** Exchange Server's default organisation-wide MaxSendSize (an administrator may have set another). */
export const EWS_DEFAULT_MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

/** base64 with a CRLF every 76 characters (RFC 2045 §6.8): 4/3 × 78/76. */
const BASE64_LINES = (4 / 3) * (78 / 76);
/** Room for a detached signature: the SignedData with a certificate chain, base64, plus the multipart/signed frame. */
const SIGNATURE_OVERHEAD = 16 * 1024;
/** Per encryption recipient: a RecipientInfo (issuer, serial, wrapped key) of up to ~1 KB (RSA 4096). */
const RECIPIENT_OVERHEAD = 1024;

export interface Protection {
  sign: boolean;
  encrypt: boolean;
}

/**
 * A generous estimate of the protected message's size from the unprotected message's: signing adds a
 * signature part; encryption wraps everything (the signature included) in base64 once more.
 */
export function estimateProtectedBytes(messageBytes: number, protection: Protection, recipients: number): number {
  let size = messageBytes;
  if (protection.sign) size += SIGNATURE_OVERHEAD;
  if (protection.encrypt) size = Math.ceil((size + 512 + RECIPIENT_OVERHEAD * Math.max(1, recipients + 1)) * BASE64_LINES) + 512;
  return size;
}

/** What the unprotected MIME of a draft will weigh, from the sizes of its parts (before their content is read). */
export function estimateMessageBytes(parts: { textBytes: number; htmlBytes: number; attachmentBytes: readonly number[] }): number {
  // Headers and boundaries ~4 KB; text may grow by quoted-printable (at most 3x, typically ~1.1x), and
  // attachments by base64.
  const bodies = Math.ceil((parts.textBytes + parts.htmlBytes) * 1.1);
  return 4096 + bodies + parts.attachmentBytes.reduce((sum, n) => sum + Math.ceil(n * BASE64_LINES) + 512, 0);
}

function mb(n: number): string {
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

/**
 * Refuses, with what to do, a message whose protected size would exceed the transport's limit. `estimate`
 * is the expected size of the protected message.
 */
export function checkSize(estimate: number, limit: SizeLimit): void {
  if (estimate <= limit.maxMessageBytes) return;
  const where =
    limit.transport === 'graph'
      ? `Microsoft Graph, which Signet sends through, accepts about ${mb(limit.maxMessageBytes)}`
      : `your Exchange server accepts ${mb(limit.maxMessageBytes)} (a limit your administrator sets)`;
  throw new SignetError(
    'message-too-large',
    `This message would be about ${mb(estimate)} once protected, but ${where}. ` +
      'Remove large attachments, or share them as links (OneDrive, SharePoint) and attach smaller files, then send again.',
  );
}
