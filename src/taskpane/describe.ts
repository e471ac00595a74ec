// A first look at a message file for the task pane: its size, Subject and top-level media type, read with
// the core's RFC 5322 header scanner (only the header block: a dropped 150 MB file is not parsed whole
// just to show its subject) and RFC 2047/6532 header decoding.

import { defaultLimits } from '../core/config.js';
import { SignetError } from '../core/errors.js';
import { getHeader, parseContentType, decodeHeaderText } from '../core/mime/headers.js';
import { scanHeaderBlock } from '../core/mime/parser.js';

export interface MessageSummary {
  /** Size of the whole message in bytes. */
  size: number;
  /** The decoded Subject, or null when the message has none. */
  subject: string | null;
  /** Lower-cased media type of the message root (RFC 2045 §5.2 default: text/plain). */
  mediaType: string;
  /** What the media type says about S/MIME (RFC 8551 §3.4–3.5); a hint only, nothing has been verified. */
  smime: 'signed' | 'enveloped-or-opaque' | null;
}

export function describeMessage(bytes: Uint8Array): MessageSummary {
  if (bytes.length > defaultLimits.maxMessageBytes) {
    throw new SignetError('limit-exceeded', `The message is larger than ${defaultLimits.maxMessageBytes} bytes.`);
  }
  const { headers } = scanHeaderBlock(bytes, 0, defaultLimits.maxHeaderBytes);
  const subjectRaw = getHeader(headers, 'subject');
  const ct = parseContentType(getHeader(headers, 'content-type') ?? 'text/plain');
  const mediaType = ct?.type ?? 'text/plain';
  const protocol = (ct?.params['protocol'] ?? '').toLowerCase();
  let smime: MessageSummary['smime'] = null;
  if (mediaType === 'multipart/signed' && /^application\/(x-)?pkcs7-signature$/.test(protocol)) {
    smime = 'signed';
  } else if (mediaType === 'application/pkcs7-mime' || mediaType === 'application/x-pkcs7-mime') {
    smime = 'enveloped-or-opaque';
  }
  return {
    size: bytes.length,
    subject: subjectRaw === undefined ? null : decodeHeaderText(subjectRaw.trim()),
    mediaType,
    smime,
  };
}
