// Canonical form for S/MIME (RFC 8551 §3.1.1 CRLF line ends, §3.1.3 7-bit transfer encodings for signed
// content) and the split between a message's outer headers and the entity that S/MIME protects: From,
// To, Subject … stay outside, the Content-* headers and the body go inside (RFC 8551 §3.1).

import { concat, fromLatin1, utf8 } from '../bytes.js';
import type { Limits } from '../config.js';
import { resolveConfig } from '../config.js';
import { SignetError } from '../errors.js';
import { encodeBase64Body, encodeQuotedPrintable } from './encoding.js';
import type { MimeEntity, MimeHeader } from './entity.js';
import { encodeHeaderValue, foldHeader } from './header-encoder.js';
import { parseMime, scanHeaderBlock } from './parser.js';

const CR = 0x0d;
const LF = 0x0a;
const CRLF = Uint8Array.of(CR, LF);

/** Bare LF becomes CRLF; existing CRLF and lone CR are left alone. Returns the input itself when nothing changes. */
export function toCanonical(bytes: Uint8Array): Uint8Array {
  let bare = 0;
  for (let i = bytes.indexOf(LF); i >= 0; i = bytes.indexOf(LF, i + 1)) if (i === 0 || bytes[i - 1] !== CR) bare++;
  if (bare === 0) return bytes;
  const out = new Uint8Array(bytes.length + bare);
  let o = 0;
  let from = 0;
  for (let i = bytes.indexOf(LF); i >= 0; i = bytes.indexOf(LF, i + 1)) {
    if (i === 0 || bytes[i - 1] !== CR) {
      out.set(bytes.subarray(from, i), o);
      o += i - from;
      out[o++] = CR;
      out[o++] = LF;
      from = i + 1;
    }
  }
  out.set(bytes.subarray(from), o);
  return out;
}

interface Shape {
  eightBit: boolean; // a byte >= 0x80 or NUL
  bareLineBreak: boolean; // LF without CR, or CR without LF
  longLine: boolean; // a line over 998 octets (RFC 5322 §2.1.1)
}

/**
 * The shape of `b` in ONE pass, four bytes at a time: a word whose bytes all lie in 0x0E-0x7F (printable
 * ASCII and the controls above CR) needs no further look; only words holding a byte below 0x0E (NUL, TAB,
 * LF, CR …) or above 0x7F go byte by byte. Base64 and text bodies are almost entirely such clean words.
 */
function shapeOf(b: Uint8Array): Shape {
  const s: ShapeState = { eightBit: false, bareLineBreak: false, longLine: false, lineStart: 0 };
  const n = b.length;
  const head = Math.min(n, (4 - (b.byteOffset & 3)) & 3);
  shapeBytes(b, 0, head, s);
  // A view shorter than its alignment gap has no whole words, and a word view at a misaligned offset is
  // refused even for length 0 (fuzz finding: an empty body at an odd offset crashed prepareForSigning).
  const words = head < n ? (n - head) >>> 2 : 0;
  if (words > 0) {
    const w32 = new Uint32Array(b.buffer, b.byteOffset + head, words);
    for (let k = 0; k < words; k++) {
      const w = w32[k]!;
      // No borrow crosses a byte unless some byte is below 0x0E; the OR catches bytes >= 0x80.
      if ((((w - 0x0e0e0e0e) | w) & 0x80808080) !== 0) {
        const at = head + k * 4;
        shapeBytes(b, at, at + 4, s);
      }
    }
  }
  shapeBytes(b, head + words * 4, n, s);
  if (n - s.lineStart > 998) s.longLine = true;
  return { eightBit: s.eightBit, bareLineBreak: s.bareLineBreak, longLine: s.longLine };
}

interface ShapeState extends Shape {
  /** Start of the current line (after the last LF). */
  lineStart: number;
}

function shapeBytes(b: Uint8Array, from: number, to: number, s: ShapeState): void {
  for (let i = from; i < to; i++) {
    const c = b[i]!;
    if (c >= 0x80 || c === 0) s.eightBit = true;
    else if (c === LF) {
      const crlf = i > 0 && b[i - 1] === CR;
      if (!crlf) s.bareLineBreak = true;
      if (i - s.lineStart - (crlf ? 1 : 0) > 998) s.longLine = true;
      s.lineStart = i + 1;
    } else if (c === CR && b[i + 1] !== LF) s.bareLineBreak = true;
  }
}

const clean = (s: Shape): boolean => !s.eightBit && !s.bareLineBreak && !s.longLine;

/**
 * Prepares an entity for signing (RFC 8551 §3.1.3): a multipart/signed signature only survives transport
 * if every part is 7-bit with CRLF lines of at most 998 octets. When the input already is, it is returned
 * unchanged (same bytes, same view). Otherwise the offending parts are rebuilt: 8bit/binary or unsafe text
 * as quoted-printable, other content as base64, all line ends CRLF; clean parts keep their bytes.
 */
export function prepareForSigning(entityBytes: Uint8Array, limits: Partial<Limits> = {}): Uint8Array {
  const root = parseMime(entityBytes, limits);
  if (clean(shapeOf(entityBytes)) && !hasEightBitLabel(root)) return entityBytes;
  return concat(rewrite(root, resolveConfig({ limits }).limits));
}

function hasEightBitLabel(e: MimeEntity): boolean {
  if (e.transferEncoding === '8bit' || e.transferEncoding === 'binary') return true;
  return e.children.some(hasEightBitLabel);
}

function rewrite(e: MimeEntity, limits: Limits): Uint8Array[] {
  if (e.isMultipart) {
    const out: Uint8Array[] = [headerBlock(e.headers, null), CRLF];
    const delimiter = fromLatin1(`--${e.boundary!}\r\n`);
    if (e.preamble !== null && e.preamble.length > 0) out.push(toCanonical(e.preamble), CRLF);
    for (const child of e.children) out.push(delimiter, ...rewrite(child, limits), CRLF);
    out.push(fromLatin1(`--${e.boundary!}--\r\n`));
    if (e.epilogue !== null && e.epilogue.length > 0) out.push(toCanonical(e.epilogue));
    return out;
  }
  const s = shapeOf(e.raw);
  const label = e.transferEncoding;
  if (clean(s) && label !== '8bit' && label !== 'binary') return [e.raw];
  const hasSeparator = e.bodyBytes.length > 0 || e.bodyBytes.byteOffset > e.headerBytes.byteOffset + e.headerBytes.length;
  const body = shapeOf(e.bodyBytes);
  const embedded = e.embeddedMessage();
  if (embedded !== null) {
    // RFC 2046 §5.2.1: message/rfc822 may only be 7bit/8bit/binary, so its content is made 7-bit instead.
    const inner = concat(rewrite(embedded, limits));
    const cte = clean(shapeOf(inner)) ? '7bit' : label;
    return [headerBlock(e.headers, cte), CRLF, inner];
  }
  // Only the header block was at fault (bare LF): the body keeps its bytes.
  if (clean(body) && label !== '8bit' && label !== 'binary') {
    return [headerBlock(e.headers, null), hasSeparator ? CRLF : new Uint8Array(0), e.bodyBytes];
  }
  if (label === 'base64' || label === 'quoted-printable') {
    // Line breaks in an encoded body carry no data (base64) or are hard breaks of text (QP): CRLF them.
    const canon = toCanonical(e.bodyBytes);
    if (clean(shapeOf(canon))) return [headerBlock(e.headers, null), CRLF, canon];
  }
  const decoded = e.decodeBody();
  const isText = e.type.startsWith('text/');
  if (isText && label !== 'base64') {
    const canon = toCanonical(decoded);
    if (clean(shapeOf(canon)) && !hasTransportHazard(canon)) return [headerBlock(e.headers, '7bit'), CRLF, canon];
    return [headerBlock(e.headers, 'quoted-printable'), CRLF, encodeQuotedPrintable(canon)];
  }
  return [headerBlock(e.headers, 'base64'), CRLF, encodeBase64Body(decoded)];
}

/** Lines that SMTP or mbox handling would alter: `From ` at a line start, trailing white space. */
function hasTransportHazard(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if ((i === 0 || b[i - 1] === LF) && c === 0x46 && b[i + 1] === 0x72 && b[i + 2] === 0x6f && b[i + 3] === 0x6d && b[i + 4] === 0x20) return true;
    if ((c === 0x20 || c === 0x09) && (b[i + 1] === CR || i + 1 === b.length)) return true;
  }
  return false;
}

/** The header fields with CRLF line ends; `cte` replaces any Content-Transfer-Encoding (null keeps it). */
function headerBlock(headers: readonly MimeHeader[], cte: string | null): Uint8Array {
  const out: Uint8Array[] = [];
  for (const h of headers) {
    if (cte !== null && h.name.toLowerCase() === 'content-transfer-encoding') continue;
    out.push(withCrlfEnd(toCanonical(h.raw)));
  }
  if (cte !== null) out.push(fromLatin1(`Content-Transfer-Encoding: ${cte}\r\n`));
  return concat(out);
}

function withCrlfEnd(b: Uint8Array): Uint8Array {
  return b.length >= 2 && b[b.length - 2] === CR && b[b.length - 1] === LF ? b : concat([b, CRLF]);
}

/** An outer (RFC 5322) header of a message: kept out of the protected entity. */
export interface OuterHeader {
  readonly name: string;
  readonly value: string;
  /** The exact field bytes (with its line end) when it came from splitMessage. */
  readonly raw?: Uint8Array;
}

const isContentHeader = (name: string): boolean => name.toLowerCase().startsWith('content-');
const isMimeVersion = (name: string): boolean => name.toLowerCase() === 'mime-version';

/**
 * Splits a message into its outer headers (every field that is neither Content-* nor MIME-Version, in
 * order) and the entity S/MIME protects (the Content-* fields, the blank line and the body). When the
 * Content-* fields already close the header block, `content` is a view on the input, not a copy.
 */
export function splitMessage(
  messageBytes: Uint8Array,
  limits: Partial<Limits> = {},
): { outerHeaders: { name: string; value: string; raw: Uint8Array }[]; content: Uint8Array } {
  const l = resolveConfig({ limits }).limits;
  if (messageBytes.length > l.maxMessageBytes) {
    throw new SignetError('limit-exceeded', `The message is larger than ${l.maxMessageBytes} bytes.`);
  }
  const hb = scanHeaderBlock(messageBytes, 0, l.maxHeaderBytes);
  const outerHeaders = hb.headers
    .filter((h) => !isContentHeader(h.name) && !isMimeVersion(h.name))
    .map((h) => ({ name: h.name, value: h.value, raw: h.raw }));
  const content = hb.headers.filter((h) => isContentHeader(h.name));
  const separator = hb.bodyStart > hb.headerEnd ? messageBytes.subarray(hb.headerEnd, hb.bodyStart) : CRLF;
  const body = messageBytes.subarray(hb.bodyStart);
  const offsetOf = (b: Uint8Array): number => b.byteOffset - messageBytes.byteOffset;
  let contiguous = hb.bodyStart > hb.headerEnd;
  let at = content.length > 0 ? offsetOf(content[0]!.raw) : hb.headerEnd;
  for (const h of content) {
    if (offsetOf(h.raw) !== at) contiguous = false;
    at += h.raw.length;
  }
  if (contiguous && at === hb.headerEnd) {
    const start = content.length > 0 ? offsetOf(content[0]!.raw) : hb.headerEnd;
    return { outerHeaders, content: messageBytes.subarray(start) };
  }
  return { outerHeaders, content: concat([...content.map((h) => h.raw), separator, body]) };
}

/**
 * Puts outer headers and a (signed or encrypted) entity back together as one message, with
 * `MIME-Version: 1.0`. The entity bytes are copied unchanged; header line ends become CRLF.
 */
export function joinMessage(outerHeaders: readonly OuterHeader[], entityBytes: Uint8Array): Uint8Array {
  const out: Uint8Array[] = [];
  for (const h of outerHeaders) {
    if (isMimeVersion(h.name)) continue;
    if (isContentHeader(h.name)) {
      throw new SignetError('usage', `${h.name} belongs to the protected entity, not to the outer headers.`);
    }
    out.push(h.raw !== undefined ? withCrlfEnd(toCanonical(h.raw)) : utf8(foldHeader(h.name, encodeHeaderValue(h.name, h.value))));
  }
  out.push(fromLatin1('MIME-Version: 1.0\r\n'), entityBytes);
  return concat(out);
}
