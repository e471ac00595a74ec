// Building MIME entities and RFC 5322 messages (RFC 2045, RFC 2046 multiparts, RFC 2047 words, RFC 2231
// filenames, RFC 2392 Content-ID). Output is always CRLF and always 7-bit, so what Signet signs is what
// arrives. Boundaries come from an injected random source (default WebCrypto) and are checked against
// the content they enclose.

import { concat, fromLatin1, indexOfBytes, outsideScanner, toHex, utf8 } from '../bytes.js';
import { SignetError } from '../errors.js';
import { toCanonical } from './canonicalize.js';
import { encodeBase64Body, encodeQuotedPrintable } from './encoding.js';
import {
  encodeHeaderValue,
  encodeWords,
  foldHeader,
  formatParameter,
  formatParameterized,
} from './header-encoder.js';

export { encodeAddress, encodeAddressList } from './header-encoder.js';

export type TransferEncodingChoice = 'base64' | 'quoted-printable' | '7bit' | 'auto';

export interface EntitySpec {
  /** `type/subtype`, e.g. 'text/plain', 'multipart/mixed', 'image/png'. */
  readonly contentType: string;
  /** Content-Type parameters (charset, protocol, micalg …). A multipart's boundary is always generated. */
  readonly params?: Readonly<Record<string, string>>;
  /** Further header fields, values as Unicode text (encoded as needed); for buildMessage also From, To … */
  readonly headers?: readonly (readonly [string, string])[];
  /** Leaf content. A string is UTF-8 (and text/* gets charset=utf-8 unless params say otherwise). */
  readonly body?: Uint8Array | string;
  /** Default 'auto': 7bit when safe, else quoted-printable for mostly-ASCII text, else base64. */
  readonly transferEncoding?: TransferEncodingChoice;
  readonly disposition?: 'inline' | 'attachment';
  /** Unicode file name: RFC 2231 `filename*` on Content-Disposition, RFC 2047 `name` on Content-Type. */
  readonly filename?: string;
  /** RFC 2392 Content-ID, with or without angle brackets (for multipart/related inline images). */
  readonly contentId?: string;
  /** Body parts of a multipart/* entity. */
  readonly parts?: readonly EntitySpec[];
  /** A complete, already built entity inserted verbatim (e.g. the signed content of multipart/signed). */
  readonly raw?: Uint8Array;
}

export interface BuildOptions {
  /** Source of random bytes for boundaries; default globalThis.crypto.getRandomValues. */
  readonly random?: (n: number) => Uint8Array;
}

const TYPE = /^[!#$%&'*+\-.0-9A-Za-z^_`{|}~]+\/[!#$%&'*+\-.0-9A-Za-z^_`{|}~]+$/;
const CRLF = Uint8Array.of(0x0d, 0x0a);

function usage(message: string): SignetError {
  return new SignetError('usage', message);
}

function defaultRandom(n: number): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(n));
}

/**
 * A fresh boundary: "=_" cannot occur in base64 or quoted-printable output (RFC 2045 §7 trick), and
 * 144 random bits make it unguessable, so content cannot pre-plant a delimiter line.
 */
export function generateBoundary(random: (n: number) => Uint8Array = defaultRandom): string {
  const r = random(18);
  if (!(r instanceof Uint8Array) || r.length < 18) throw new SignetError('internal', 'The random source returned too few bytes.');
  return `=_signet_${toHex(r.subarray(0, 18))}`;
}

/** An RFC 5322 §3.6.4 msg-id, `<random@domain>`. */
export function generateMessageId(domain: string, random: (n: number) => Uint8Array = defaultRandom): string {
  if (!/^[A-Za-z0-9.-]+$/.test(domain)) throw usage('Message-ID domain must be an ASCII host name.');
  return `<${toHex(random(16))}@${domain}>`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 5322 §3.3 date-time in UTC, e.g. `Tue, 23 Apr 2024 12:50:06 +0000`. */
export function formatDate(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** Builds one MIME entity (Content-* headers, blank line, body), without MIME-Version. */
export function buildEntity(spec: EntitySpec, options: BuildOptions = {}): Uint8Array {
  return concat(build(spec, options.random ?? defaultRandom, 0));
}

/**
 * Builds a whole message: the non-Content-* fields of `spec.headers` (From, To, Subject, Date …) first,
 * then `MIME-Version: 1.0`, then the entity. Address headers are re-encoded address by address.
 */
export function buildMessage(spec: EntitySpec, options: BuildOptions = {}): Uint8Array {
  const outer: string[] = [];
  const inner: (readonly [string, string])[] = [];
  for (const [name, value] of spec.headers ?? []) {
    const lower = name.toLowerCase();
    if (lower === 'mime-version') continue;
    if (lower.startsWith('content-')) inner.push([name, value]);
    else outer.push(foldHeader(name, encodeHeaderValue(name, value)));
  }
  outer.push('MIME-Version: 1.0\r\n');
  // One copy of the whole message: the entity's chunks joined with the header block, not joined first.
  return concat([fromLatin1(outer.join('')), ...build({ ...spec, headers: inner }, options.random ?? defaultRandom, 0)]);
}

const MAX_DEPTH = 64;

function build(spec: EntitySpec, random: (n: number) => Uint8Array, depth: number): Uint8Array[] {
  if (depth > MAX_DEPTH) throw usage('Entity specification is nested too deeply.');
  if (spec.raw !== undefined) return [spec.raw];
  const type = spec.contentType.trim().toLowerCase();
  if (!TYPE.test(type)) throw usage(`Invalid content type ${JSON.stringify(spec.contentType)}.`);
  const params: [string, string][] = Object.entries(spec.params ?? {}).filter(([k]) => k.toLowerCase() !== 'boundary');
  const extra = (spec.headers ?? []).map(([n, v]) => {
    if (/^(content-type|content-transfer-encoding|mime-version)$/i.test(n)) {
      throw usage(`${n} is written by the builder; use contentType, params and transferEncoding.`);
    }
    return foldHeader(n, encodeHeaderValue(n, v));
  });
  const lines: string[] = [];

  if (type.startsWith('multipart/')) {
    const parts = spec.parts ?? [];
    if (parts.length === 0) throw usage('A multipart needs at least one part (RFC 2046 §5.1.1).');
    // Each child stays a list of chunks until the message is joined once (a 3 MB attachment is not copied
    // per level of nesting).
    const children = parts.map((p) => build(p, random, depth + 1));
    const boundary = pickBoundary(children.flat(), random);
    lines.push(foldHeader('Content-Type', formatParameterized(type, [...params, ['boundary', boundary]])));
    lines.push(...dispositionLines(spec), ...extra);
    const out: Uint8Array[] = [fromLatin1(lines.join('')), CRLF];
    const open = fromLatin1(`--${boundary}\r\n`);
    for (const c of children) out.push(open, ...c, CRLF);
    out.push(fromLatin1(`--${boundary}--\r\n`));
    return out;
  }

  if (spec.parts !== undefined) throw usage(`${type} cannot have parts.`);
  const isText = type.startsWith('text/');
  let body: Uint8Array;
  if (typeof spec.body === 'string') {
    body = utf8(spec.body);
    if (isText && !params.some(([k]) => k.toLowerCase() === 'charset')) params.push(['charset', 'utf-8']);
  } else {
    body = spec.body ?? new Uint8Array(0);
  }
  // RFC 2045 §6.7 / RFC 8551 §3.1.1: text is sent in canonical form, every line ending in CRLF.
  if (isText || type === 'message/rfc822') body = toCanonical(body);
  const cte = chooseEncoding(body, isText, spec.transferEncoding ?? 'auto', type);
  const encoded =
    cte === 'base64' ? encodeBase64Body(body) : cte === 'quoted-printable' ? encodeQuotedPrintable(body, { binary: !isText }) : body;

  if (spec.filename !== undefined && !params.some(([k]) => k.toLowerCase() === 'name')) {
    params.push(['name', spec.filename]);
  }
  lines.push(foldHeader('Content-Type', contentTypeValue(type, params)));
  lines.push(`Content-Transfer-Encoding: ${cte}\r\n`);
  lines.push(...dispositionLines(spec), ...extra);
  return [fromLatin1(lines.join('')), CRLF, encoded];
}

/** Content-Type value; a non-ASCII `name` is an RFC 2047 word in quotes, which is what Outlook reads. */
function contentTypeValue(type: string, params: readonly [string, string][]): string {
  const parts = [type];
  for (const [k, v] of params) {
    if (k.toLowerCase() === 'name' && !/^[\x20-\x7e]*$/.test(v)) parts.push(`${k}="${encodeWords(v, 68).join(' ')}"`); // ' name="' + word fits in 78
    else parts.push(...formatParameter(k, v));
  }
  return parts.join('; ');
}

function dispositionLines(spec: EntitySpec): string[] {
  const out: string[] = [];
  if (spec.disposition !== undefined || spec.filename !== undefined) {
    const params: [string, string][] = spec.filename !== undefined ? [['filename', spec.filename]] : [];
    out.push(foldHeader('Content-Disposition', formatParameterized(spec.disposition ?? 'attachment', params)));
  }
  if (spec.contentId !== undefined) {
    const id = spec.contentId.replace(/^<|>$/g, '');
    if (!/^[\x21-\x7e]+$/.test(id) || /[<>]/.test(id)) throw usage('Content-ID must be printable ASCII.');
    out.push(foldHeader('Content-ID', `<${id}>`));
  }
  return out;
}

interface Scan {
  sevenBit: boolean; // no byte >= 0x80, no NUL
  crlfOnly: boolean; // no bare CR or LF
  shortLines: boolean; // no line over 998 octets
  hazards: boolean; // "From " or "." at a line start, white space before a line end
  unsafe: number; // bytes quoted-printable would have to escape
}

/** "." or "From " at `i`, a line start: lines that SMTP or mbox handling would alter. */
function lineHazard(b: Uint8Array, i: number): boolean {
  const c = b[i];
  return c === 0x2e || (c === 0x46 && b[i + 1] === 0x72 && b[i + 2] === 0x6f && b[i + 3] === 0x6d && b[i + 4] === 0x20);
}

/** One pass that visits only the bytes outside printable ASCII (bytes.ts outsideScanner): line breaks, controls, 8-bit. */
function scan(b: Uint8Array): Scan {
  const s: Scan = { sevenBit: true, crlfOnly: true, shortLines: true, hazards: b.length > 0 && lineHazard(b, 0), unsafe: 0 };
  const n = b.length;
  let lineStart = 0;
  const next = outsideScanner(b, 0x20);
  for (let i = next(0); i < n; i = next(i + 1)) {
    const c = b[i]!;
    if (c >= 0x80 || c === 0) {
      s.sevenBit = false;
      s.unsafe++;
    } else if (c === 0x0a) {
      if (i === 0 || b[i - 1] !== 0x0d) s.crlfOnly = false;
      if (i - lineStart > 999) s.shortLines = false;
      lineStart = i + 1;
      if (lineStart < n && lineHazard(b, lineStart)) s.hazards = true;
    } else if (c === 0x0d) {
      if (b[i + 1] !== 0x0a) s.crlfOnly = false;
      else if (i > 0 && (b[i - 1] === 0x20 || b[i - 1] === 0x09)) s.hazards = true;
    } else if (c !== 0x09) s.unsafe++;
  }
  if (n - lineStart > 998) s.shortLines = false;
  if (n > 0 && (b[n - 1] === 0x20 || b[n - 1] === 0x09)) s.hazards = true;
  return s;
}

function chooseEncoding(body: Uint8Array, isText: boolean, wanted: TransferEncodingChoice, type: string): '7bit' | 'quoted-printable' | 'base64' {
  // Binary content asked to be chosen for: a byte that is not 7-bit decides base64 at once (below, a
  // non-text body is 7bit or base64), without scanning the rest of a multi-megabyte attachment.
  if (wanted === 'auto' && !isText && type !== 'message/rfc822' && firstEightBitOrNul(body) >= 0) return 'base64';
  const s = scan(body);
  const sevenBitOk = s.sevenBit && s.crlfOnly && s.shortLines;
  if (type === 'message/rfc822') {
    // RFC 2046 §5.2.1: an embedded message is never base64 or quoted-printable encoded.
    if (!sevenBitOk) throw usage('An embedded message/rfc822 must itself be 7-bit; build it with buildMessage.');
    return '7bit';
  }
  if (wanted === '7bit') {
    if (!sevenBitOk) throw usage('The body is not 7-bit data with CRLF lines of at most 998 octets.');
    return '7bit';
  }
  if (wanted !== 'auto') return wanted;
  if (sevenBitOk && !s.hazards) return '7bit';
  if (isText && s.unsafe * 4 <= body.length) return 'quoted-printable';
  return 'base64';
}

/** The index of the first byte ≥ 0x80 or NUL (not 7-bit data, RFC 2045 §2.7), or -1. */
function firstEightBitOrNul(b: Uint8Array): number {
  const i = outsideScanner(b, 1)(0);
  return i < b.length ? i : -1;
}

/**
 * Picks a boundary whose delimiter occurs nowhere in the parts (RFC 2046 §5.1.1), searched chunk by chunk:
 * the delimiter holds no CR or LF, and every junction between two chunks of build()'s output has one on
 * a side (a header block and a delimiter line end in CRLF, a body is followed by the CRLF chunk), so no
 * occurrence can straddle two chunks.
 */
function pickBoundary(children: readonly Uint8Array[], random: (n: number) => Uint8Array): string {
  for (let attempt = 0; attempt < 8; attempt++) {
    const boundary = generateBoundary(random);
    const needle = fromLatin1(`--${boundary}`);
    if (!children.some((c) => contains(c, needle))) return boundary;
  }
  throw new SignetError('internal', 'Could not find a boundary that does not occur in the content.');
}

function contains(hay: Uint8Array, needle: Uint8Array): boolean {
  return indexOfBytes(hay, needle) >= 0;
}
