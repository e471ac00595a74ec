// Byte-exact MIME parser (RFC 5322 §2.1, RFC 2045, RFC 2046 §5.1): one linear pass over the input with
// a stack of open multiparts, so every entity is a set of views on the input and the cost does not grow
// with nesting. Accepts CRLF and bare-LF input without changing a byte. Lenient where clients agree
// (missing close-delimiter, padding after a boundary, junk header lines), `malformed-mime` where the
// structure is undecidable, `limit-exceeded` for the resource limits of config.ts (ARCHITECTURE.md rule 9).

import { fromLatin1, indexOfByte, latin1 } from '../bytes.js';
import { resolveConfig, type Limits } from '../config.js';
import { SignetError } from '../errors.js';
import { MimeEntity, type MimeHeader } from './entity.js';
import {
  defaultContentType,
  getHeader,
  parseContentDisposition,
  parseContentType,
  parseParameterized,
  type ContentDisposition,
  type ContentType,
} from './headers.js';

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HT = 0x09;
const DASH = 0x2d;

/** RFC 2046 §5.1.1 caps boundaries at 70 characters; accept more, but not unbounded delimiter lines. */
const MAX_BOUNDARY = 200;

export interface HeaderBlock {
  readonly headers: MimeHeader[];
  /** End of the last header field (start of the blank line, if there is one). */
  readonly headerEnd: number;
  /** Start of the body (after the blank line); equal to headerEnd when there is no blank line. */
  readonly bodyStart: number;
  /** True when a multipart delimiter line ended the header block before any blank line. */
  readonly interrupted: boolean;
}

/**
 * Reads the header block that starts at `start`: field lines (a line starting with white space continues
 * the previous field) up to the first empty line. Lines without a valid `name:` are skipped (an mbox
 * `From ` line, an HTTP request line, garbage) but stay inside headerBytes. `isDelimiter` lets a multipart
 * parser stop at a delimiter line of an enclosing multipart.
 */
export function scanHeaderBlock(
  b: Uint8Array,
  start: number,
  maxHeaderBytes: number,
  isDelimiter: ((lineStart: number) => boolean) | null = null,
): HeaderBlock {
  const n = b.length;
  const spans: { s: number; e: number }[] = [];
  let p = start;
  let headerEnd = n;
  let bodyStart = n;
  let interrupted = false;
  while (p < n) {
    const c = b[p]!;
    if (c === LF) {
      headerEnd = p;
      bodyStart = p + 1;
      break;
    }
    if (c === CR && b[p + 1] === LF) {
      headerEnd = p;
      bodyStart = p + 2;
      break;
    }
    if (c === DASH && isDelimiter !== null && b[p + 1] === DASH && isDelimiter(p)) {
      headerEnd = bodyStart = p;
      interrupted = true;
      break;
    }
    // Never look further than the header limit for the end of a line.
    const window = b.subarray(p, Math.min(n, start + maxHeaderBytes + 1));
    const e = window.indexOf(LF);
    const lineEnd = e < 0 ? p + window.length : p + e + 1;
    if (lineEnd - start > maxHeaderBytes) {
      throw new SignetError('limit-exceeded', `A MIME header block is larger than ${maxHeaderBytes} bytes.`);
    }
    if (c === SP || c === HT) {
      const last = spans[spans.length - 1];
      if (last !== undefined && last.e === p) last.e = lineEnd;
    } else {
      spans.push({ s: p, e: lineEnd });
    }
    p = lineEnd;
  }
  const headers: MimeHeader[] = [];
  for (const { s, e } of spans) {
    const text = latin1(b.subarray(s, e));
    const colon = text.indexOf(':');
    if (colon <= 0) continue;
    // RFC 5322 §4.5.8 (obsolete syntax) allows white space before the colon.
    const name = text.slice(0, trimEnd(text, 0, colon, false));
    if (!isFieldName(name)) continue;
    headers.push({ name, value: fieldValue(text, colon + 1), raw: b.subarray(s, e) });
  }
  return { headers, headerEnd, bodyStart, interrupted };
}

// Hand-written scanners instead of regular expressions: header text is attacker-controlled and up to
// maxHeaderBytes long, and a pattern such as /[ \t]+$/ retried at every run of white space is quadratic
// (issue 13: 100k spaces took 4 s, 200k 18 s). Each of these looks at every character at most twice.

const isWsp = (c: number): boolean => c === SP || c === HT;

/** End of `s[from, to)` without trailing white space (SP, HT, and CR/LF when `lineBreaks`). */
function trimEnd(s: string, from: number, to: number, lineBreaks: boolean): number {
  let e = to;
  while (e > from) {
    const c = s.charCodeAt(e - 1);
    if (!(isWsp(c) || (lineBreaks && (c === CR || c === LF)))) break;
    e--;
  }
  return e;
}

/** RFC 5322 §3.6.8: field-name = 1*ftext, ftext = %d33-57 / %d59-126. */
function isFieldName(name: string): boolean {
  if (name.length === 0) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x21 || c > 0x7e || c === 0x3a) return false;
  }
  return true;
}

/**
 * The value after the colon: unfolded (RFC 5322 §2.2.3: a CRLF or bare LF followed by WSP is removed,
 * the WSP kept), leading WSP and trailing WSP/CR/LF removed.
 */
function fieldValue(text: string, from: number): string {
  let start = from;
  const end = trimEnd(text, from, text.length, true);
  // Leading WSP, also across folds ("Subject:\r\n  x" is "x").
  for (;;) {
    while (start < end && isWsp(text.charCodeAt(start))) start++;
    const c = text.charCodeAt(start);
    const brk = c === LF ? 1 : c === CR && text.charCodeAt(start + 1) === LF ? 2 : 0;
    if (brk > 0 && start + brk < end && isWsp(text.charCodeAt(start + brk))) start += brk;
    else break;
  }
  const firstLf = text.indexOf('\n', start);
  if (firstLf < 0 || firstLf >= end) return text.slice(start, end);
  let out = '';
  let run = start;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c !== LF || !isWsp(text.charCodeAt(i + 1))) continue;
    const cut = i > run && text.charCodeAt(i - 1) === CR ? i - 1 : i;
    out += text.slice(run, cut);
    run = i + 1;
  }
  return out + text.slice(run, end);
}

interface OpenEntity {
  start: number;
  headerEnd: number;
  bodyStart: number;
  depth: number;
  headers: MimeHeader[];
  contentType: ContentType;
  disposition: ContentDisposition | null;
  transferEncoding: string;
  boundary: string | null;
  phase: 'leaf' | 'preamble' | 'parts' | 'epilogue';
  preambleEnd: number;
  epilogueStart: number;
  children: MimeEntity[];
}

interface DelimiterHit {
  at: number;
  frame: number;
  close: boolean;
  lineEnd: number;
}

/** Shared across an outer parse and the lazy parses of its message/rfc822 parts. */
interface Budget {
  parts: number;
}

/**
 * Parses a MIME entity or a whole RFC 5322 message. Throws `limit-exceeded` (size, depth, part count,
 * header size) and `malformed-mime` (multipart without a usable boundary, or a nested multipart that
 * reuses an enclosing boundary, which makes the structure ambiguous).
 */
export function parseMime(bytes: Uint8Array, limits: Partial<Limits> = {}): MimeEntity {
  const resolved = resolveConfig({ limits }).limits;
  if (bytes.length > resolved.maxMessageBytes) {
    throw new SignetError('limit-exceeded', `The message is larger than ${resolved.maxMessageBytes} bytes.`);
  }
  return new Parser(bytes, resolved, 0, { parts: 0 }).run();
}

/** No line break and nothing outside Latin-1 (delimiter lines are compared byte for byte). */
function isBoundaryText(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === CR || c === LF || c > 0xff) return false;
  }
  return true;
}

const IDENTITY_ENCODINGS = new Set(['7bit', '8bit', 'binary']);

class Parser {
  private readonly n: number;
  private readonly chain: OpenEntity[] = [];
  /** Boundary -> the multipart (index in `chain`) that uses it, while its delimiters are expected. */
  private readonly active = new Map<string, { bytes: Uint8Array; frame: number }>();
  /** Active boundaries by length: most dash lines are rejected by their length alone, without allocation. */
  private readonly byLength: { bytes: Uint8Array; frame: number }[][] = [];
  private root: MimeEntity | null = null;
  private readonly isDelimiter = (p: number): boolean => this.match(p) !== null;

  constructor(
    private readonly b: Uint8Array,
    private readonly limits: Limits,
    private readonly baseDepth: number,
    private readonly budget: Budget,
  ) {
    this.n = b.length;
  }

  run(): MimeEntity {
    let pos = this.open(0, this.baseDepth, false);
    while (this.active.size > 0) {
      const hit = this.find(pos);
      if (hit === null) break;
      pos = this.onDelimiter(hit);
    }
    this.closeFrom(0, this.n);
    if (this.root === null) throw new SignetError('internal', 'MIME parser produced no root entity.');
    return this.root;
  }

  /** Starts an entity at `start`; returns where scanning for delimiters continues. */
  private open(start: number, depth: number, inDigest: boolean): number {
    const { maxMimeDepth, maxMimeParts, maxHeaderBytes } = this.limits;
    if (depth > maxMimeDepth) {
      throw new SignetError('limit-exceeded', `MIME nesting is deeper than ${maxMimeDepth} levels.`);
    }
    if (++this.budget.parts > maxMimeParts) {
      throw new SignetError('limit-exceeded', `The message has more than ${maxMimeParts} MIME parts.`);
    }
    const hb = scanHeaderBlock(this.b, start, maxHeaderBytes, this.active.size > 0 ? this.isDelimiter : null);
    const ctValue = getHeader(hb.headers, 'content-type');
    const contentType = (ctValue !== undefined ? parseContentType(ctValue) : null) ?? defaultContentType(inDigest);
    const cdValue = getHeader(hb.headers, 'content-disposition');
    const cteValue = getHeader(hb.headers, 'content-transfer-encoding');
    const transferEncoding = (cteValue !== undefined ? parseParameterized(cteValue).value : '') || '7bit';
    let boundary: string | null = null;
    if (contentType.type.startsWith('multipart/')) {
      const raw = contentType.params['boundary'] ?? '';
      // Trailing white space is transport padding (RFC 2046 §5.1.1); the length check comes before any
      // further look at the value.
      boundary = raw.slice(0, trimEnd(raw, 0, raw.length, false));
      if (boundary === '' || boundary.length > MAX_BOUNDARY || !isBoundaryText(boundary)) {
        throw new SignetError('malformed-mime', `A ${contentType.type} entity has no usable boundary parameter.`);
      }
      if (this.active.has(boundary)) {
        throw new SignetError('malformed-mime', 'A nested multipart reuses the boundary of an enclosing one.');
      }
      this.activate(boundary, this.chain.length);
    }
    this.chain.push({
      start,
      headerEnd: hb.headerEnd,
      bodyStart: hb.bodyStart,
      depth,
      headers: hb.headers,
      contentType,
      disposition: cdValue !== undefined ? parseContentDisposition(cdValue) : null,
      transferEncoding,
      boundary,
      phase: boundary === null ? 'leaf' : 'preamble',
      preambleEnd: hb.bodyStart,
      epilogueStart: this.n,
      children: [],
    });
    return hb.interrupted ? hb.headerEnd : hb.bodyStart;
  }

  /**
   * Is the line at `p` a delimiter of an open multipart? RFC 2046 §5.1.1: `--boundary` or
   * `--boundary--`, then only transport padding (white space) up to the line end. Compares bytes
   * against the open boundaries of the right length, so lines of dashes cost no allocation.
   */
  private match(p: number): Omit<DelimiterHit, 'at'> | null {
    const b = this.b;
    if (b[p] !== DASH || b[p + 1] !== DASH) return null;
    const n = this.n;
    const limit = p + 2 + MAX_BOUNDARY + 2;
    let j = p + 2;
    let last = p + 1;
    for (; j < n; j++) {
      const c = b[j]!;
      if (c === LF) break;
      if (c !== SP && c !== HT && c !== CR) {
        if (j >= limit) return null;
        last = j;
      }
    }
    const len = last + 1 - (p + 2);
    if (len <= 0) return null;
    const lineEnd = j < n ? j + 1 : n;
    const open = this.compare(p + 2, len);
    if (open >= 0) return { frame: open, close: false, lineEnd };
    if (len > 2 && b[last] === DASH && b[last - 1] === DASH) {
      const close = this.compare(p + 2, len - 2);
      if (close >= 0) return { frame: close, close: true, lineEnd };
    }
    return null;
  }

  /** Index in `chain` of the open multipart whose boundary is b[at, at+len), or -1. */
  private compare(at: number, len: number): number {
    if (len > MAX_BOUNDARY) return -1;
    const candidates = this.byLength[len];
    if (candidates === undefined || candidates.length === 0) return -1;
    const b = this.b;
    if (candidates.length > 8) {
      // Only absurd nesting gets here: a hash lookup keeps it linear in the number of lines.
      return this.active.get(latin1(b.subarray(at, at + len)))?.frame ?? -1;
    }
    for (const a of candidates) {
      const bytes = a.bytes;
      let k = 0;
      while (k < len && b[at + k] === bytes[k]) k++;
      if (k === len) return a.frame;
    }
    return -1;
  }

  /**
   * The next delimiter line at or after the line start `pos`. Linear, and native where it matters: a
   * delimiter starts with "--" after a line break, so the native byte search (bytes.ts indexOfByte) jumps
   * from dash to dash — base64 bodies have none at all. Where dashes are dense (rules of "-----" in text) a plain
   * loop over the next 4 KB takes over, because a native call per byte would cost seconds on 100 MB.
   */
  private find(pos: number): DelimiterHit | null {
    const b = this.b;
    const n = this.n;
    if (pos < n) {
      const m = this.match(pos);
      if (m !== null) return { at: pos, ...m };
    }
    let p = pos + 1;
    while (p < n) {
      const d = indexOfByte(b, DASH, p);
      if (d < 0) return null;
      if (d - p < 16) {
        const stop = Math.min(n - 1, d + 4096);
        let i = d;
        for (; i < stop; i++) {
          // A line of just "--" (or "--" and CR) holds no boundary: match() would return null for it.
          if (b[i] === DASH && b[i + 1] === DASH && b[i - 1] === LF && b[i + 2] !== LF && b[i + 2] !== CR) {
            const m = this.match(i);
            if (m !== null) return { at: i, ...m };
          }
        }
        p = Math.max(i, d + 1);
        continue;
      }
      if (b[d - 1] === LF && b[d + 1] === DASH) {
        const m = this.match(d);
        if (m !== null) return { at: d, ...m };
      }
      p = d + 1;
    }
    return null;
  }

  private activate(boundary: string, frame: number): void {
    const entry = { bytes: fromLatin1(boundary), frame };
    this.active.set(boundary, entry);
    (this.byLength[boundary.length] ??= []).push(entry);
  }

  private deactivate(boundary: string): void {
    const entry = this.active.get(boundary);
    if (entry === undefined) return;
    this.active.delete(boundary);
    const list = this.byLength[boundary.length]!;
    list.splice(list.lastIndexOf(entry), 1);
  }

  private onDelimiter(hit: DelimiterHit): number {
    const frame = this.chain[hit.frame]!;
    // The line break before a delimiter belongs to the delimiter (RFC 2046 §5.1.1), except that the
    // first delimiter may start the body directly, and an empty part gives up nothing.
    const floor = frame.phase === 'preamble' ? frame.bodyStart : (this.chain[hit.frame + 1]?.start ?? frame.bodyStart);
    let end = hit.at;
    if (end > floor && this.b[end - 1] === LF) {
      end--;
      if (end > floor && this.b[end - 1] === CR) end--;
    }
    this.closeFrom(hit.frame + 1, end);
    if (frame.phase === 'preamble') frame.preambleEnd = end;
    if (hit.close) {
      frame.phase = 'epilogue';
      frame.epilogueStart = hit.lineEnd;
      this.deactivate(frame.boundary!);
      return hit.lineEnd;
    }
    frame.phase = 'parts';
    return this.open(hit.lineEnd, frame.depth + 1, frame.contentType.type === 'multipart/digest');
  }

  /** Ends every open entity at index >= `from` at byte `end`, innermost first. */
  private closeFrom(from: number, end: number): void {
    while (this.chain.length > from) {
      const o = this.chain.pop()!;
      const stop = Math.max(end, o.start);
      const headerEnd = Math.min(o.headerEnd, stop);
      const bodyStart = Math.min(o.bodyStart, stop);
      let preamble: Uint8Array | null = null;
      let epilogue: Uint8Array | null = null;
      if (o.boundary !== null) {
        if (this.active.get(o.boundary)?.frame === this.chain.length) this.deactivate(o.boundary);
        const preambleEnd = o.phase === 'preamble' ? stop : Math.min(o.preambleEnd, stop);
        preamble = this.b.subarray(bodyStart, Math.max(bodyStart, preambleEnd));
        const epilogueStart = o.phase === 'epilogue' ? Math.min(o.epilogueStart, stop) : stop;
        epilogue = this.b.subarray(epilogueStart, stop);
      }
      const embedded = o.boundary === null && (o.contentType.type === 'message/rfc822' || o.contentType.type === 'message/global');
      const entity = new MimeEntity({
        raw: this.b.subarray(o.start, stop),
        headerBytes: this.b.subarray(o.start, headerEnd),
        bodyBytes: this.b.subarray(bodyStart, stop),
        offset: o.start,
        depth: o.depth,
        headers: o.headers,
        contentType: o.contentType,
        disposition: o.disposition,
        transferEncoding: o.transferEncoding,
        boundary: o.boundary,
        children: o.children,
        preamble,
        epilogue,
        parseEmbedded: embedded ? (e) => this.parseEmbedded(e) : null,
      });
      const parent = this.chain[this.chain.length - 1];
      if (parent !== undefined) parent.children.push(entity);
      else this.root = entity;
    }
  }

  private parseEmbedded(e: MimeEntity): MimeEntity {
    // RFC 2046 §5.2.1 allows only identity encodings here, but base64-wrapped messages exist in the wild.
    const body = IDENTITY_ENCODINGS.has(e.transferEncoding) ? e.bodyBytes : e.decodeBody();
    return new Parser(body, this.limits, e.depth + 1, this.budget).run();
  }
}
