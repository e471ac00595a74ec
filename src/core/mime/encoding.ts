// Content-Transfer-Encodings of RFC 2045 §6: quoted-printable (§6.7) and base64 (§6.8) bodies, decoded
// leniently like mail clients and encoded conservatively so that signed content survives SMTP, mbox
// "From " quoting and dot-stuffing byte for byte.

import { base64Encode, fromBase64, fromBase64InPlace } from '../bytes.js';

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HT = 0x09;
const EQ = 0x3d;

function hexValue(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57; // lowercase hex is illegal but common
  return -1;
}

/**
 * Lenient quoted-printable decoding (RFC 2045 §6.7): `=XX` (either case) is a byte, `=` before the end
 * of a line (after optional white space) is a soft line break, any other `=` is kept literally, and white
 * space at the end of a line is dropped (rule 3: transport may have added it). Hard line breaks are kept
 * as they are (CRLF or LF).
 */
export function decodeQuotedPrintable(src: Uint8Array): Uint8Array {
  const n = src.length;
  const out = new Uint8Array(n);
  let o = 0;
  let i = 0;
  while (i < n) {
    const c = src[i]!;
    if (c === EQ) {
      const h = hexValue(src[i + 1]);
      const l = hexValue(src[i + 2]);
      if (h >= 0 && l >= 0) {
        out[o++] = (h << 4) | l;
        i += 3;
        continue;
      }
      let j = i + 1;
      while (j < n && (src[j] === SP || src[j] === HT)) j++;
      if (j >= n) {
        i = n;
        continue;
      }
      if (src[j] === LF) {
        i = j + 1;
        continue;
      }
      if (src[j] === CR && (j + 1 >= n || src[j + 1] === LF)) {
        i = j + 2;
        continue;
      }
      out[o++] = EQ;
      i++;
    } else if (c === SP || c === HT) {
      let j = i;
      while (j < n && (src[j] === SP || src[j] === HT)) j++;
      const atEol = j >= n || src[j] === LF || (src[j] === CR && src[j + 1] === LF);
      if (!atEol) {
        for (; i < j; i++) out[o++] = src[i]!;
      }
      i = j;
    } else {
      out[o++] = c;
      i++;
    }
  }
  return out.subarray(0, o);
}

class ByteWriter {
  buf: Uint8Array;
  len = 0;
  constructor(initial: number) {
    this.buf = new Uint8Array(Math.max(64, initial));
  }
  private grow(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + extra));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
  byte(b: number): void {
    this.grow(1);
    this.buf[this.len++] = b;
  }
  hex(b: number): void {
    this.grow(3);
    this.buf[this.len++] = EQ;
    this.buf[this.len++] = HEX[b >> 4]!;
    this.buf[this.len++] = HEX[b & 15]!;
  }
  crlf(): void {
    this.grow(2);
    this.buf[this.len++] = CR;
    this.buf[this.len++] = LF;
  }
  result(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

const HEX = Uint8Array.from('0123456789ABCDEF', (c) => c.charCodeAt(0));
const FROM_SP = [0x46, 0x72, 0x6f, 0x6d, 0x20]; // "From "

export interface QuotedPrintableOptions {
  /**
   * Binary mode: CR and LF are data and get encoded (=0D, =0A). Text mode (default) turns every line
   * break (CRLF or bare LF) into a CRLF hard break: the canonical form of text (RFC 2045 §6.7 rule 4).
   */
  binary?: boolean;
}

/**
 * Quoted-printable encoding per RFC 2045 §6.7, at most 76 characters per line with `=` soft breaks.
 * Beyond the minimum it encodes what transports are known to damage: white space before a line end,
 * `From ` at the start of a line (mbox quoting, RFC 4155) and `.` at the start of a line (a lone dot ends
 * SMTP DATA on broken relays), so the encoded text is immune to them (RFC 8551 §3.1.3).
 */
export function encodeQuotedPrintable(data: Uint8Array, options: QuotedPrintableOptions = {}): Uint8Array {
  const binary = options.binary === true;
  const n = data.length;
  const out = new ByteWriter(n + (n >> 3) + 16);
  const isBreakAt = (k: number): boolean => !binary && (data[k] === LF || (data[k] === CR && data[k + 1] === LF));
  let lineLen = 0;
  let i = 0;
  while (i < n) {
    const c = data[i]!;
    if (!binary) {
      if (c === CR && data[i + 1] === LF) {
        out.crlf();
        lineLen = 0;
        i += 2;
        continue;
      }
      if (c === LF) {
        out.crlf();
        lineLen = 0;
        i++;
        continue;
      }
    }
    const last = i + 1 >= n || isBreakAt(i + 1);
    let encode = c === EQ || c > 0x7e || (c < SP && c !== HT);
    if ((c === SP || c === HT) && last) encode = true;
    if (lineLen === 0) {
      if (c === 0x2e) encode = true;
      else if (c === 0x46 && FROM_SP.every((b, k) => data[i + k] === b)) encode = true;
    }
    const width = encode ? 3 : 1;
    if (lineLen + width > (last ? 76 : 75)) {
      out.byte(EQ);
      out.crlf();
      lineLen = 0;
      continue; // re-evaluate this byte at the start of a line
    }
    if (encode) out.hex(c);
    else out.byte(c);
    lineLen += width;
    i++;
  }
  return out.result();
}


/**
 * Base64 body per RFC 2045 §6.8: lines of 76 characters, each ending in CRLF (including the last one,
 * so the body is a sequence of complete lines). Written straight into bytes: bodies can be 150 MB.
 */
export function encodeBase64Body(data: Uint8Array): Uint8Array {
  // bytes.ts base64Encode: two characters per table lookup, 16 bits per store (issue 17: the byte-at-a-time
  // loop here was most of building a 3 MB draft), the last line's CRLF written in place.
  return base64Encode(data, 76, true);
}

/** The transfer encodings this module can undo; anything else is returned as it is. */
export type TransferEncoding = '7bit' | '8bit' | 'binary' | 'base64' | 'quoted-printable';

/**
 * Undoes a Content-Transfer-Encoding. Identity encodings (and unknown ones, which clients show as they
 * are) return the input view itself; broken base64 is `malformed-base64` (ARCHITECTURE.md rule 9).
 */
export function decodeTransferEncoding(body: Uint8Array, encoding: string): Uint8Array {
  switch (encoding.toLowerCase()) {
    case 'base64':
      return fromBase64(body);
    case 'quoted-printable':
      return decodeQuotedPrintable(body);
    default:
      return body;
  }
}

/**
 * decodeTransferEncoding() that may decode INTO `body` (base64: fromBase64InPlace, the same bytes and
 * errors); the other encodings are decoded as by decodeTransferEncoding(). Ownership: the caller hands
 * `body` over — it may be overwritten, even when this throws — and uses only the result.
 */
export function decodeTransferEncodingInPlace(body: Uint8Array, encoding: string): Uint8Array {
  return encoding.toLowerCase() === 'base64' ? fromBase64InPlace(body) : decodeTransferEncoding(body, encoding);
}
