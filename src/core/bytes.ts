// Byte helpers shared by every layer: UTF-8, Latin-1, hex, base64 and concatenation over Uint8Array,
// using only globals that browsers and Node share (no Buffer, no DOM).

import { SignetError } from './errors.js';

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8');

export function utf8(s: string): Uint8Array {
  return utf8Encoder.encode(s);
}

export function fromUtf8(b: Uint8Array): string {
  return utf8Decoder.decode(b);
}

/** Each byte to the code point of the same value (ISO-8859-1); lossless for any byte string. */
export function latin1(b: Uint8Array): string {
  let s = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < b.length; i += CHUNK) {
    s += String.fromCharCode.apply(null, b.subarray(i, i + CHUNK) as unknown as number[]);
  }
  return s;
}

/** Inverse of latin1(): code points above 0xFF are an internal error, not silently truncated. */
export function fromLatin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) throw new SignetError('internal', 'non-Latin-1 character in a byte string');
    out[i] = c;
  }
  return out;
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** A search for one byte value, with TypedArray.prototype.indexOf's contract. */
export type ByteSearch = (haystack: Uint8Array, value: number, from: number) => number;

let byteSearch: ByteSearch = (haystack, value, from) => haystack.indexOf(value, from);

/**
 * The first index of the byte `value` (0-255) in `haystack` at or after `from`, or -1: the scan that the
 * MIME parser's delimiter search and the boundary checks make over whole messages. V8's
 * TypedArray.indexOf is a plain loop (about 6 ms on 25 MB); a host with a memchr-backed search installs
 * it with setByteSearch (the CLI: Node's Buffer.prototype.indexOf, about 0.8 ms on 25 MB, issue 17).
 */
export function indexOfByte(haystack: Uint8Array, value: number, from = 0): number {
  return byteSearch(haystack, value, from);
}

/**
 * Installs a faster single-byte search. It must agree with TypedArray.prototype.indexOf for byte values
 * and from in [0, length] (test/unit/bytes: compared on random data); the core stays platform-free.
 */
export function setByteSearch(search: ByteSearch): void {
  byteSearch = search;
}

/**
 * Bytes that fill mail bodies: the base64 alphabet and "=", digits and letters, "-", ".", ",", white space
 * and line breaks. A needle is searched by its first byte outside this set where it has one.
 */
const COMMON_IN_MAIL = (() => {
  const t = new Uint8Array(256);
  for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-., \t\r\n') t[c.charCodeAt(0)] = 1;
  return t;
})();

/**
 * First index of `needle` in `haystack` at or after `from` (or -1). The native single-byte search runs
 * on the needle's least common byte, not blindly on its first: a MIME delimiter "--boundary" searched by its
 * leading "-" stopped at every dash of a CSV attachment (two dates per row: ~100,000 native calls per MB,
 * issue 17, compose latency), while Signet's boundaries carry a "_" that base64 and most text never hold.
 */
export function indexOfBytes(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  const m = needle.length;
  if (m === 0) return from;
  let k = 0;
  while (k < m && COMMON_IN_MAIL[needle[k]!] === 1) k++;
  if (k === m) k = 0;
  const key = needle[k]!;
  const last = haystack.length - m;
  for (let i = indexOfByte(haystack, key, Math.max(0, from) + k); i >= 0 && i - k <= last; i = indexOfByte(haystack, key, i + 1)) {
    const at = i - k;
    let j = 0;
    while (j < m && haystack[at + j] === needle[j]) j++;
    if (j === m) return at;
  }
  return -1;
}

/**
 * A scan of `b` for the bytes below `lo` or above 0x7F: the returned function gives the index of the first
 * such byte at or after `from`, or `b.length` when there is none. Bytes in [lo, 0x7F] are stepped over four
 * at a time (one 32-bit word, one test), so a scan of text or base64 for its control bytes, line breaks or
 * 8-bit bytes visits only those. The word view is made once per scan, not per call. `lo` is 1-128.
 */
export function outsideScanner(b: Uint8Array, lo: number): (from: number) => number {
  const n = b.length;
  // Words cover [head, head + 4·words): a Uint32Array view needs a 4-byte aligned address.
  const head = Math.min(n, (4 - (b.byteOffset & 3)) & 3);
  const words = (n - head) >>> 2;
  const w32 = new Uint32Array(b.buffer, b.byteOffset + head, words);
  const wordsEnd = head + words * 4;
  const below = lo * 0x01010101;
  const outside = (c: number): boolean => c < lo || c > 0x7f;
  return (from: number): number => {
    let i = Math.max(0, from);
    for (const stop = Math.min(n, Math.max(i, head)); i < stop; i++) if (outside(b[i]!)) return i;
    if (i < wordsEnd) {
      // Finish the word that holds i byte by byte, then whole words.
      for (const stop = head + Math.ceil((i - head) / 4) * 4; i < stop; i++) if (outside(b[i]!)) return i;
      for (let k = (i - head) >>> 2; k < words; k++) {
        const w = w32[k]!;
        // (w - lo·0x01010101) & ~w has a byte's top bit set exactly when some byte is below lo (lo <= 128);
        // w itself has one set for a byte above 0x7F.
        if ((((w - below) & ~w) | w) & 0x80808080) {
          for (let j = head + k * 4; ; j++) if (outside(b[j]!)) return j;
        }
      }
      i = wordsEnd;
    }
    for (; i < n; i++) if (outside(b[i]!)) return i;
    return n;
  };
}

export function toHex(b: Uint8Array | ArrayBuffer): string {
  const u = b instanceof Uint8Array ? b : new Uint8Array(b);
  let s = '';
  for (const x of u) s += x.toString(16).padStart(2, '0');
  return s;
}

export function fromHex(h: string): Uint8Array {
  if (h.length % 2 !== 0 || /[^0-9a-fA-F]/.test(h)) throw new SignetError('usage', 'invalid hex string');
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

/** A copy as a fresh ArrayBuffer (what WebCrypto and pkijs want), never a view on a larger buffer. */
export function toArrayBuffer(b: Uint8Array): ArrayBuffer {
  if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer) {
    return b.buffer;
  }
  // Not b.slice(): on a Node Buffer, slice() is a view on the shared pool, not a copy.
  return new Uint8Array(b).buffer as ArrayBuffer;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_BYTES = Uint8Array.from(B64, (c) => c.charCodeAt(0));
const B64_INDEX = (() => {
  const t = new Int16Array(256).fill(-1);
  for (let i = 0; i < B64.length; i++) t[B64.charCodeAt(i)] = i;
  return t;
})();

/**
 * RFC 4648 base64 as ASCII bytes; `lineLength` > 0 folds with CRLF as RFC 2045 §6.8 requires (76 for
 * MIME). `finalLineBreak`: a non-empty result ends with CRLF too (a MIME body of complete lines), written
 * in place rather than by copying the result. Works on bytes, not strings, because messages of 25-150 MB
 * go through here.
 */
export function base64Encode(b: Uint8Array, lineLength = 0, finalLineBreak = false): Uint8Array {
  const perLine = lineLength > 0 ? Math.max(4, lineLength - (lineLength % 4)) : 0;
  if (LITTLE_ENDIAN && perLine > 0 && perLine % 4 === 0 && b.length >= 3 * 1024) return base64EncodeFast(b, perLine, undefined, finalLineBreak);
  if (LITTLE_ENDIAN && perLine === 0 && !finalLineBreak && b.length >= 3 * 1024) return base64EncodeUnfolded(b);
  const groups = Math.ceil(b.length / 3);
  const chars = groups * 4;
  const lines = perLine > 0 ? Math.ceil(chars / perLine) : 1;
  const out = new Uint8Array(chars + (perLine > 0 ? Math.max(0, lines - 1) * 2 : 0) + (finalLineBreak && chars > 0 ? 2 : 0));
  const A = B64_BYTES;
  let o = 0;
  let col = 0;
  const full = b.length - (b.length % 3);
  for (let i = 0; i < full; i += 3) {
    const n = (b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!;
    if (perLine > 0 && col === perLine) {
      out[o++] = 13;
      out[o++] = 10;
      col = 0;
    }
    out[o++] = A[n >>> 18]!;
    out[o++] = A[(n >>> 12) & 63]!;
    out[o++] = A[(n >>> 6) & 63]!;
    out[o++] = A[n & 63]!;
    col += 4;
  }
  const rem = b.length - full;
  if (rem > 0) {
    const n = (b[full]! << 16) | ((rem > 1 ? b[full + 1]! : 0) << 8);
    if (perLine > 0 && col === perLine) {
      out[o++] = 13;
      out[o++] = 10;
    }
    out[o++] = A[n >>> 18]!;
    out[o++] = A[(n >>> 12) & 63]!;
    out[o++] = rem > 1 ? A[(n >>> 6) & 63]! : 61;
    out[o++] = 61;
  }
  if (finalLineBreak && o > 0) {
    out[o++] = 13;
    out[o++] = 10;
  }
  return out.subarray(0, o);
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
// Two base64 characters per 12 bits, as one little-endian 16-bit store: halves the stores of the hot loop.
const B64_PAIRS = (() => {
  const t = new Uint16Array(4096);
  for (let i = 0; i < 4096; i++) t[i] = B64_BYTES[i >> 6]! | (B64_BYTES[i & 63]! << 8);
  return t;
})();

/**
 * Whole lines of `perLine` characters (a multiple of 4) with CRLF, written 16 bits at a time, into
 * `into` when it is given and large enough (base64EncodeChunks reuses one buffer), else a new one. The
 * buffer always has room for a final CRLF (`finalLineBreak`).
 */
function base64EncodeFast(b: Uint8Array, perLine: number, into?: ArrayBuffer, finalLineBreak = false): Uint8Array {
  const groupsPerLine = perLine / 4;
  const bytesPerLine = groupsPerLine * 3;
  const fullLines = Math.floor(b.length / bytesPerLine);
  const restBytes = b.length - fullLines * bytesPerLine;
  const restChars = Math.ceil(restBytes / 3) * 4;
  const size = fullLines * (perLine + 2) + restChars - (restChars === 0 && fullLines > 0 ? 2 : 0);
  const need = size + (size & 1) + 2;
  const buf = into !== undefined && into.byteLength >= need ? into : new ArrayBuffer(need);
  const out16 = new Uint16Array(buf, 0, need >> 1);
  const P = B64_PAIRS;
  const CRLF16 = 13 | (10 << 8);
  let o = 0;
  let i = 0;
  for (let line = 0; line < fullLines; line++) {
    for (let g = 0; g < groupsPerLine; g++, i += 3) {
      const n = (b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!;
      out16[o++] = P[n >>> 12]!;
      out16[o++] = P[n & 0xfff]!;
    }
    out16[o++] = CRLF16;
  }
  const out = new Uint8Array(buf, 0, size + (finalLineBreak && size > 0 ? 2 : 0));
  if (restBytes > 0) {
    const tail = base64Encode(b.subarray(i), 0);
    out.set(tail, o * 2);
  }
  // After whole lines only, the last line's CRLF is already there (written by the loop, beyond `size`).
  if (finalLineBreak && size > 0) {
    out[size] = 13;
    out[size + 1] = 10;
  }
  return out;
}

/** base64Encode(b, 0) for large inputs: two characters per table lookup, 16 bits per store, no lines. */
function base64EncodeUnfolded(b: Uint8Array): Uint8Array {
  const full = b.length - (b.length % 3);
  const chars = Math.ceil(b.length / 3) * 4;
  const buf = new ArrayBuffer(chars + (chars & 1));
  const out16 = new Uint16Array(buf, 0, (full / 3) * 2);
  const P = B64_PAIRS;
  for (let i = 0, o = 0; i < full; i += 3) {
    const n = (b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!;
    out16[o++] = P[n >>> 12]!;
    out16[o++] = P[n & 0xfff]!;
  }
  const out = new Uint8Array(buf, 0, chars);
  if (full < b.length) out.set(base64Encode(b.subarray(full), 0), (full / 3) * 4);
  return out;
}

/**
 * Reads a list of byte pieces (whose concatenation is one logical buffer) in slices of a chosen size:
 * a slice that one piece holds is a view (no copy); only slices that straddle pieces are gathered.
 */
export class PieceReader {
  private index = 0;
  private offset = 0;
  readonly total: number;
  private consumed = 0;

  constructor(private readonly parts: readonly Uint8Array[]) {
    let n = 0;
    for (const p of parts) n += p.length;
    this.total = n;
  }

  get remaining(): number {
    return this.total - this.consumed;
  }

  /** The next `n` bytes (n <= remaining). */
  take(n: number): Uint8Array {
    this.consumed += n;
    const parts = this.parts;
    while (this.index < parts.length && this.offset === parts[this.index]!.length) {
      this.index++;
      this.offset = 0;
    }
    const cur = parts[this.index];
    if (cur !== undefined && cur.length - this.offset >= n) {
      const view = cur.subarray(this.offset, this.offset + n);
      this.offset += n;
      return view;
    }
    const out = new Uint8Array(n);
    for (let filled = 0; filled < n; ) {
      const p = parts[this.index]!;
      const k = Math.min(n - filled, p.length - this.offset);
      out.set(p.subarray(this.offset, this.offset + k), filled);
      filled += k;
      this.offset += k;
      if (this.offset === p.length) {
        this.index++;
        this.offset = 0;
      }
    }
    return out;
  }
}

const CRLF_BYTES = Uint8Array.of(13, 10);

/**
 * base64Encode() of the concatenation of the pieces `source` yields (synchronously or not), produced in
 * chunks of about 1 MB of output that are whole lines: a writer that sends each chunk on before asking
 * for the next never holds the whole encoding (a 150 MB ciphertext is 200 MB of base64), and a source
 * that is still being encrypted is encoded as it arrives. The chunks joined equal
 * base64Encode(concat(pieces), lineLength).
 *
 * `reuse`: every full chunk is written into the same buffer, so a chunk is valid only until the next one
 * is asked for. For writers that consume each chunk at once (the CLI's stdout): garbage chunks would
 * otherwise pile up as external memory until the next collection, tens of MB at 25 MB.
 */
export async function* base64EncodeStream(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  lineLength = 0,
  reuse = false,
): AsyncGenerator<Uint8Array, void, undefined> {
  const perLine = lineLength > 0 ? Math.max(4, lineLength - (lineLength % 4)) : 0;
  const lineBytes = perLine > 0 ? (perLine / 4) * 3 : 3;
  const block = lineBytes * Math.max(1, Math.floor(786432 / lineBytes));
  const fast = reuse && LITTLE_ENDIAN && perLine > 0;
  let stage: Uint8Array | undefined;
  let filled = 0;
  let scratch: ArrayBuffer | undefined;
  let emitted = false;
  // A full block's lines; the CRLF that separates it from what follows is written once something does.
  const encodeBlock = (b: Uint8Array): Uint8Array => {
    if (!fast) return base64Encode(b, lineLength);
    scratch ??= new ArrayBuffer((block / lineBytes) * (perLine + 2) + 4);
    return base64EncodeFast(b, perLine, scratch);
  };
  // Whole lines are encoded straight from each piece, up to a block at a time; only a piece's last partial
  // line (under lineBytes bytes) is staged, then topped up from the next piece into one whole line. So a
  // source cut anywhere (the encrypted content's 512 KB chunks, each behind a 5-byte OCTET STRING header)
  // is never copied whole into a staging buffer first.
  for await (const piece of source) {
    let off = 0;
    while (off < piece.length) {
      let full: Uint8Array | null = null;
      const rest = piece.length - off;
      if (filled === 0 && rest >= lineBytes) {
        const n = Math.min(block, rest - (rest % lineBytes));
        full = piece.subarray(off, off + n); // straight from the piece, no staging copy
        off += n;
      } else {
        stage ??= new Uint8Array(lineBytes);
        const n = Math.min(lineBytes - filled, rest);
        stage.set(piece.subarray(off, off + n), filled);
        filled += n;
        off += n;
        if (filled === lineBytes) {
          full = stage;
          filled = 0;
        }
      }
      if (full !== null) {
        if (emitted && perLine > 0) yield CRLF_BYTES;
        yield encodeBlock(full);
        emitted = true;
      }
    }
  }
  if (filled > 0) {
    if (emitted && perLine > 0) yield CRLF_BYTES;
    yield base64Encode(stage!.subarray(0, filled), lineLength);
  }
}

// Base64 output is pure ASCII, where the WHATWG "latin1" (windows-1252) decoder is exact and native.
const asciiDecoder = new TextDecoder('latin1');

/** The TC39 Uint8Array base64 method (Chromium 140+, not Node 20): native, and exactly RFC 4648 §4. */
type NativeToBase64 = { toBase64?: (this: Uint8Array) => string };

/**
 * base64Encode() as a string. Unfolded, through the runtime's native Uint8Array.prototype.toBase64 where
 * there is one (RFC 4648 §4 with padding, the same characters): the compose pane hands a 5 MB message to
 * Exchange this way, and the JavaScript encoder was ~11 ms of protecting it (issue 17, bench/compose.ts).
 */
export function toBase64(b: Uint8Array, lineLength = 0): string {
  const native = (b as NativeToBase64).toBase64;
  if (lineLength <= 0 && typeof native === 'function') return native.call(b);
  return asciiDecoder.decode(base64Encode(b, lineLength));
}

/**
 * Lenient-on-whitespace, strict-on-content base64 decoder (RFC 2045 §6.8): CR, LF, space and tab are
 * skipped; any other character outside the alphabet, or data after padding, is `malformed-base64`.
 */
export function fromBase64(input: string | Uint8Array): Uint8Array {
  const src = typeof input === 'string' ? fromLatin1OrThrow(input) : input;
  return decodeBase64Into(src, new Uint8Array(Math.floor((src.length * 3) / 4) + 3));
}

/**
 * fromBase64() of `bytes`, decoded INTO `bytes` itself: the result is a view on the start of the same
 * memory, and no second buffer is allocated (a 150 MB message's base64 body becomes its 110 MB DER in the
 * space it already occupies). Decoding only shrinks — every 4 characters read give at most 3 bytes, and a
 * byte is written only after the characters it comes from were read — so the write position never passes
 * the read position and the result equals the copying decoder's, byte for byte, with the same
 * `malformed-base64` errors.
 *
 * Ownership: the caller hands `bytes` over. Whether it succeeds or throws, their content is overwritten
 * (and past the result, left as it was): call it only on bytes nobody reads afterwards, such as a message
 * buffer the caller read itself or received by transfer, and use only the returned view.
 */
export function fromBase64InPlace(bytes: Uint8Array): Uint8Array {
  return decodeBase64Into(bytes, bytes);
}

/** The decoder both entry points share; `out` has room for the result, or is `src` itself (in place). */
function decodeBase64Into(src: Uint8Array, out: Uint8Array): Uint8Array {
  let acc = 0;
  let bits = 0;
  let o = 0;
  let pad = 0;
  const n = src.length;
  const IDX = B64_INDEX;
  let i = 0;
  while (i < n) {
    // Fast path: four alphabet characters while aligned on a 24-bit group (the common case inside a line).
    if (bits === 0 && pad === 0 && i + 4 <= n) {
      const a = IDX[src[i]!]!;
      const b = IDX[src[i + 1]!]!;
      const c = IDX[src[i + 2]!]!;
      const d = IDX[src[i + 3]!]!;
      if ((a | b | c | d) >= 0) {
        const v = (a << 18) | (b << 12) | (c << 6) | d;
        out[o++] = v >>> 16;
        out[o++] = (v >>> 8) & 0xff;
        out[o++] = v & 0xff;
        i += 4;
        continue;
      }
    }
    const ch = src[i++]!;
    if (ch === 0x0d || ch === 0x0a || ch === 0x20 || ch === 0x09) continue;
    if (ch === 0x3d) {
      pad++;
      continue;
    }
    const v = IDX[ch]!;
    if (v < 0 || pad > 0) throw new SignetError('malformed-base64', 'The data is not valid base64.');
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  if (pad > 2 || bits >= 6) throw new SignetError('malformed-base64', 'The base64 data is truncated.');
  return out.subarray(0, o);
}

function fromLatin1OrThrow(s: string): Uint8Array {
  try {
    return fromLatin1(s);
  } catch (e) {
    throw new SignetError('malformed-base64', 'The data is not valid base64.', { cause: e });
  }
}
