// A first look at a message file for the task pane: its size, Subject and top-level media type, read from
// the RFC 5322 header block (§2.2 unfolding, RFC 2047 encoded-words). Deliberately small and forgiving;
// the byte-exact MIME parser in src/core/mime replaces the parsing here, behind the same describeMessage().

import { fromBase64, latin1 } from '../core/bytes.js';
import { defaultLimits } from '../core/config.js';
import { SignetError } from '../core/errors.js';

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
  const headers = parseHeaderBlock(bytes);
  const subjectRaw = headers.get('subject');
  const contentType = headers.get('content-type') ?? 'text/plain';
  const mediaType = (contentType.split(';')[0] ?? '').trim().toLowerCase() || 'text/plain';
  const params = contentType.toLowerCase();
  let smime: MessageSummary['smime'] = null;
  if (mediaType === 'multipart/signed' && /protocol\s*=\s*"?application\/(x-)?pkcs7-signature/.test(params)) {
    smime = 'signed';
  } else if (mediaType === 'application/pkcs7-mime' || mediaType === 'application/x-pkcs7-mime') {
    smime = 'enveloped-or-opaque';
  }
  return {
    size: bytes.length,
    subject: subjectRaw === undefined ? null : decodeEncodedWords(subjectRaw.trim()),
    mediaType,
    smime,
  };
}

/**
 * The header fields before the first empty line, unfolded, keyed by lower-cased name; the first occurrence
 * wins. Only maxHeaderBytes are scanned, so a message without a blank line cannot make us read it all as
 * headers.
 */
function parseHeaderBlock(bytes: Uint8Array): Map<string, string> {
  const text = latin1(bytes.subarray(0, Math.min(bytes.length, defaultLimits.maxHeaderBytes)));
  const end = text.search(/\r?\n\r?\n/);
  const block = end < 0 ? text : text.slice(0, end);
  const fields = new Map<string, string>();
  for (const field of block.split(/\r?\n(?![ \t])/)) {
    const colon = field.indexOf(':');
    if (colon <= 0) continue;
    const name = field.slice(0, colon).trim().toLowerCase();
    // RFC 5322 §2.2.3: unfolding removes the CRLF before the whitespace, nothing else.
    const value = field.slice(colon + 1).replace(/\r?\n(?=[ \t])/g, '');
    if (!fields.has(name)) fields.set(name, value);
  }
  return fields;
}

/**
 * Decodes RFC 2047 encoded-words (B and Q). Raw 8-bit bytes outside encoded-words are taken as UTF-8
 * (RFC 6532), falling back to Latin-1. Whitespace between adjacent encoded-words is dropped (§6.2).
 */
export function decodeEncodedWords(value: string): string {
  const raw = decodeRawText(value);
  return raw
    .replace(/(=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)\s+(?==\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)/g, '$1')
    .replace(/=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g, (word, charset: string, encoding: string, text: string) => {
      try {
        const label = charset.split('*')[0] ?? charset; // RFC 2231 §5 language suffix
        const data = encoding.toUpperCase() === 'B' ? fromBase64(text) : qBytes(text);
        return new TextDecoder(label, { fatal: false }).decode(data);
      } catch {
        return word; // unknown charset or bad base64: show the word as it is, do not guess
      }
    });
}

function decodeRawText(latin1Text: string): string {
  const bytes = Uint8Array.from(latin1Text, (c) => c.charCodeAt(0));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return latin1Text;
  }
}

function qBytes(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === '_') out.push(0x20);
    else if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(c.charCodeAt(0) & 0xff);
  }
  return Uint8Array.from(out);
}
