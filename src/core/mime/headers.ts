// Reading header fields: unfolding (RFC 5322 §2.2.3), parameterised values such as Content-Type and
// Content-Disposition (RFC 2045 §5.1, RFC 2183, RFC 2231 continuations and charsets) and encoded words
// (RFC 2047). Header values arrive as raw Latin-1 strings (one char per byte) so nothing is lost before
// the caller decides how to interpret them.

import { fromLatin1 } from '../bytes.js';

/** One header field as it appeared: `value` is unfolded, trimmed and still raw (no RFC 2047 decoding). */
export interface Header {
  readonly name: string;
  readonly value: string;
}

/** A parameterised header value: `value` lowercased ('text/plain', 'attachment'), params by lowercased name. */
export interface ParameterizedValue {
  readonly value: string;
  readonly params: Readonly<Record<string, string>>;
}

export interface ContentType {
  /** `type/subtype`, lowercased. */
  readonly type: string;
  /** Parameter values decoded (RFC 2231, RFC 2047 except for `boundary`), keyed by lowercased name. */
  readonly params: Readonly<Record<string, string>>;
}

export type ContentDisposition = ParameterizedValue;

/** Removes the line breaks of folding (CRLF or bare LF followed by white space), keeping the white space. */
export function unfold(value: string): string {
  return value.replace(/\r?\n(?=[ \t])/g, '').replace(/\r?\n$/, '');
}

/** First value of a header (case-insensitive name), or undefined. */
export function getHeader(headers: readonly Header[], name: string): string | undefined {
  const n = name.toLowerCase();
  for (const h of headers) if (h.name.toLowerCase() === n) return h.value;
  return undefined;
}

/** Every value of a header (case-insensitive name), in order. */
export function getHeaders(headers: readonly Header[], name: string): string[] {
  const n = name.toLowerCase();
  return headers.filter((h) => h.name.toLowerCase() === n).map((h) => h.value);
}

// RFC 2045 §5.1: token := 1*<any (US-ASCII) CHAR except SPACE, CTLs, or tspecials>
const TOKEN = /^[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+$/;

/**
 * Parses `main *(; name=value)` with CFWS, quoted strings and RFC 2231 parameters. Lenient like mail
 * clients: a parameter without `=` is skipped, an unterminated quoted string runs to the end.
 * `value` is the main token, lowercased, with internal white space and comments removed.
 */
export function parseParameterized(input: string): ParameterizedValue {
  const s = input;
  let i = 0;
  const skipCfws = (): void => {
    while (i < s.length) {
      const c = s[i];
      if (c === ' ' || c === '\t' || c === '\r' || c === '\n') i++;
      else if (c === '(') i = skipComment(s, i);
      else break;
    }
  };

  // Main value: everything up to the first ';' outside quotes, comments and white space removed
  // ("text / plain (comment)" is a legal RFC 822-style structured value).
  let main = '';
  skipCfws();
  while (i < s.length && s[i] !== ';') {
    const c = s[i]!;
    if (c === '(') i = skipComment(s, i);
    else if (c === ' ' || c === '\t' || c === '\r' || c === '\n') i++;
    else if (c === '"') {
      const q = readQuoted(s, i);
      main += q.text;
      i = q.end;
    } else {
      main += c;
      i++;
    }
  }

  const raw: { name: string; value: string; quoted: boolean }[] = [];
  while (i < s.length) {
    if (s[i] === ';') {
      i++;
      continue;
    }
    skipCfws();
    if (i >= s.length) break;
    if (s[i] === ';') continue;
    let name = '';
    while (i < s.length && !/[=;\s(]/.test(s[i]!)) name += s[i++];
    skipCfws();
    if (s[i] !== '=' || name === '') {
      // Not a parameter: skip to the next ';'.
      while (i < s.length && s[i] !== ';') i = s[i] === '"' ? readQuoted(s, i).end : i + 1;
      continue;
    }
    i++;
    skipCfws();
    if (s[i] === '"') {
      const q = readQuoted(s, i);
      i = q.end;
      raw.push({ name: name.toLowerCase(), value: q.text, quoted: true });
      // Anything after the closing quote up to ';' is junk (or a comment).
      while (i < s.length && s[i] !== ';') i++;
    } else {
      const from = i;
      while (i < s.length && s[i] !== ';') i++;
      // RFC 2045's own example: `charset=us-ascii (Plain text)`: a trailing comment is not part of the value.
      raw.push({ name: name.toLowerCase(), value: withoutTrailingComment(s.slice(from, i)).trim(), quoted: false });
    }
  }
  return { value: main.toLowerCase(), params: combineParams(raw) };
}

const isSpace = (c: string | undefined): boolean => c !== undefined && c.trim() === '' && c !== '';

/**
 * An unquoted parameter value without one trailing `(comment)` that white space separates from it (what
 * /\s+\([^()]*\)\s*$/ removed, written as a backward scan so that long runs of white space or
 * parentheses cost linear time, issue 13).
 */
function withoutTrailingComment(v: string): string {
  let e = v.length;
  while (e > 0 && isSpace(v[e - 1])) e--;
  if (e === 0 || v[e - 1] !== ')') return v;
  let open = e - 2;
  while (open >= 0 && v[open] !== '(' && v[open] !== ')') open--;
  if (open < 0 || v[open] !== '(') return v;
  let k = open;
  while (k > 0 && isSpace(v[k - 1])) k--;
  return k === open ? v : v.slice(0, k);
}

function skipComment(s: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < s.length) {
    const c = s[i];
    if (c === '\\') i += 2;
    else {
      if (c === '(') depth++;
      else if (c === ')' && --depth === 0) return i + 1;
      i++;
    }
  }
  return s.length;
}

function readQuoted(s: string, start: number): { text: string; end: number } {
  let text = '';
  let i = start + 1;
  while (i < s.length) {
    const c = s[i]!;
    if (c === '\\' && i + 1 < s.length) {
      text += s[i + 1];
      i += 2;
    } else if (c === '"') {
      return { text, end: i + 1 };
    } else {
      // Folding inside a quoted string is FWS: the line break goes, the white space stays.
      if (c !== '\r' && c !== '\n') text += c;
      i++;
    }
  }
  return { text, end: s.length };
}

/** RFC 2231 §3-4: merges `name*0*`, `name*1` … and `name*=charset'lang'value`; extended beats plain. */
function combineParams(raw: readonly { name: string; value: string; quoted: boolean }[]): Record<string, string> {
  const plain = new Map<string, string>();
  const ext = new Map<string, Map<number, { value: string; encoded: boolean }>>();
  for (const p of raw) {
    const m = /^([^*]+)\*(?:(\d{1,4})\*?|)$/.exec(p.name);
    if (m) {
      const base = m[1]!;
      const index = m[2] === undefined ? 0 : Number(m[2]);
      const encoded = p.name.endsWith('*');
      let segs = ext.get(base);
      if (!segs) ext.set(base, (segs = new Map()));
      if (!segs.has(index)) segs.set(index, { value: p.value, encoded });
    } else if (!plain.has(p.name)) {
      plain.set(p.name, p.value);
    }
  }
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of plain) {
    // The boundary is compared byte for byte with delimiter lines: never reinterpret it.
    out[name] = name === 'boundary' ? value : decodeHeaderText(value);
  }
  for (const [name, segs] of ext) {
    let charset: string | null = null;
    const bytes: number[] = [];
    // RFC 2231 §3: continuations are numbered from 0 without gaps; stop at the first gap.
    for (let n = 0; segs.has(n); n++) {
      const seg = segs.get(n)!;
      let v = seg.value;
      if (seg.encoded) {
        if (n === 0) {
          const m = /^([^']*)'[^']*'(.*)$/s.exec(v);
          if (m) {
            charset = m[1] || null;
            v = m[2]!;
          }
        }
        percentDecodeInto(v, bytes);
      } else {
        for (let k = 0; k < v.length; k++) bytes.push(v.charCodeAt(k) & 0xff);
      }
    }
    if (bytes.length === 0 && !segs.has(0)) continue;
    const u8 = Uint8Array.from(bytes);
    const decoded = charset ? decodeCharset(u8, charset) : null;
    out[name] = decoded ?? decodeHeaderText(latin1String(u8));
  }
  return out;
}

function percentDecodeInto(v: string, out: number[]): void {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 0x25 && /^[0-9A-Fa-f]{2}$/.test(v.slice(i + 1, i + 3))) {
      out.push(parseInt(v.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      out.push(c & 0xff);
    }
  }
}

function latin1String(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += String.fromCharCode(x);
  return s;
}

/**
 * Content-Type per RFC 2045 §5.1 (type and subtype lowercased). Returns null when the value is not a
 * syntactically valid `type/subtype`: RFC 2045 §5.2 then says to assume the default.
 */
export function parseContentType(value: string): ContentType | null {
  const p = parseParameterized(value);
  const slash = p.value.indexOf('/');
  if (slash <= 0) return null;
  const type = p.value.slice(0, slash);
  const sub = p.value.slice(slash + 1);
  if (!TOKEN.test(type) || !TOKEN.test(sub)) return null;
  return { type: `${type}/${sub}`, params: p.params };
}

/** Content-Disposition per RFC 2183 (`inline`, `attachment` …, lowercased); null when unparseable. */
export function parseContentDisposition(value: string): ContentDisposition | null {
  const p = parseParameterized(value);
  if (!TOKEN.test(p.value)) return null;
  return p;
}

/** The default Content-Type of RFC 2045 §5.2 (or message/rfc822 inside multipart/digest, RFC 2046 §5.1.5). */
export function defaultContentType(inDigest = false): ContentType {
  const params: Record<string, string> = Object.create(null) as Record<string, string>;
  if (inDigest) return { type: 'message/rfc822', params };
  params['charset'] = 'us-ascii';
  return { type: 'text/plain', params };
}

/**
 * Decodes bytes in a named charset with the WHATWG TextDecoder (UTF-8, ISO-8859-*, windows-125x …).
 * Returns null for a charset the platform does not know, so the caller can keep the text as it was.
 */
export function decodeCharset(bytes: Uint8Array, charset: string): string | null {
  let label = charset.trim().toLowerCase();
  // RFC 2231 §5: a charset in an encoded word may carry a language, `utf-8*en`.
  const star = label.indexOf('*');
  if (star >= 0) label = label.slice(0, star);
  if (label === 'utf8') label = 'utf-8';
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label);
  } catch {
    return null;
  }
  // WHATWG maps ISO-8859-1 and US-ASCII labels to windows-1252 too (as mail clients do); Node 20 decodes
  // that as plain Latin-1, so 0x80-0x9F are mapped here to be the same in every runtime.
  return decoder.encoding === 'windows-1252' ? decodeWindows1252(bytes) : decoder.decode(bytes);
}

const CP1252_80_9F = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

function decodeWindows1252(bytes: Uint8Array): string {
  let out = '';
  for (const x of bytes) out += String.fromCharCode(x >= 0x80 && x <= 0x9f ? CP1252_80_9F[x - 0x80]! : x);
  return out;
}

const utf8Fatal = new TextDecoder('utf-8', { fatal: true });

/**
 * Header text for display: raw 8-bit bytes that form valid UTF-8 (RFC 6532) are read as UTF-8, then
 * RFC 2047 encoded words are decoded.
 */
export function decodeHeaderText(raw: string): string {
  let s = raw;
  if (/[\x80-\xff]/.test(s) && !/[\u0100-\uffff]/.test(s)) {
    try {
      s = utf8Fatal.decode(fromLatin1(s));
    } catch {
      // Not UTF-8: keep the Latin-1 reading.
    }
  }
  return s.includes('=?') ? decodeEncodedWords(s) : s;
}

const ENCODED_WORD = /=\?([^?\s*]+)(?:\*[^?\s]*)?\?([bBqQ])\?([^?\s]*)\?=/g;

/**
 * RFC 2047 §6: decodes encoded words; white space between two adjacent encoded words is dropped, and
 * adjacent words in the same charset are joined as bytes first (encoders split multi-byte characters
 * across words). A word with an unknown charset or broken payload is left exactly as it was.
 */
export function decodeEncodedWords(text: string): string {
  let out = '';
  let last = 0;
  let pending: { charset: string; bytes: number[]; literal: string } | null = null;
  const flush = (): void => {
    if (!pending) return;
    out += decodeCharset(Uint8Array.from(pending.bytes), pending.charset) ?? pending.literal;
    pending = null;
  };
  ENCODED_WORD.lastIndex = 0;
  for (let m = ENCODED_WORD.exec(text); m; m = ENCODED_WORD.exec(text)) {
    const gap = text.slice(last, m.index);
    const bytes = decodeWordPayload(m[2]!, m[3]!);
    const charset = m[1]!.toLowerCase();
    const known = bytes !== null && decodeCharset(new Uint8Array(0), charset) !== null;
    if (!known) {
      flush();
      out += gap + m[0];
    } else if (pending !== null && /^[ \t\r\n]*$/.test(gap)) {
      const p: { charset: string; bytes: number[]; literal: string } = pending;
      if (p.charset === charset) {
        for (const b of bytes!) p.bytes.push(b);
        p.literal += gap + m[0];
      } else {
        flush();
        pending = { charset, bytes: [...bytes!], literal: m[0] };
      }
    } else {
      flush();
      out += gap;
      pending = { charset, bytes: [...bytes!], literal: m[0] };
    }
    last = m.index + m[0].length;
  }
  flush();
  return out + text.slice(last);
}

function decodeWordPayload(enc: string, payload: string): Uint8Array | null {
  if (enc === 'b' || enc === 'B') {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(payload)) return null;
    let cut = payload.length;
    while (cut > 0 && payload.charCodeAt(cut - 1) === 0x3d) cut--;
    const clean = payload.slice(0, cut);
    if (clean.length % 4 === 1) return null;
    const out: number[] = [];
    let acc = 0;
    let bits = 0;
    for (const ch of clean) {
      acc = ((acc << 6) | B64.indexOf(ch)) & 0xffffff;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out.push((acc >> bits) & 0xff);
      }
    }
    return Uint8Array.from(out);
  }
  const out: number[] = [];
  for (let i = 0; i < payload.length; i++) {
    const c = payload[i]!;
    if (c === '_') out.push(0x20);
    else if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(payload.slice(i + 1, i + 3))) {
      out.push(parseInt(payload.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(payload.charCodeAt(i) & 0xff);
  }
  return Uint8Array.from(out);
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
