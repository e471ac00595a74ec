// RFC 5322 §3.4 address lists (with the obsolete route syntax of §4.4, RFC 2047 display names and the
// RFC 6532 UTF-8 that some clients send raw), and the single From address that a signer's certificate
// must match (ARCHITECTURE.md rule 4). Only an addr-spec ever becomes an address: a display name, however
// much it looks like one, stays a name.

import { SignetError } from '../errors.js';
import { domainKey } from '../idn.js';
import { decodeEncodedWords, getHeaders, type Header } from './headers.js';

export interface Address {
  /** Display name, RFC 2047-decoded; null when there is none. */
  readonly name: string | null;
  /** addr-spec `local@domain`; the local part as written (unquoted when quoting is unneeded), the domain as given. */
  readonly address: string;
}

type Token =
  | { kind: 'atom' | 'quoted' | 'comment' | 'domain-literal'; text: string; start: number; end: number }
  | { kind: 'special'; text: string; start: number; end: number };

const SPECIALS = '()<>[]:;@\\,."';

function malformed(detail: string): SignetError {
  return new SignetError('malformed-address', `Not an RFC 5322 address list: ${detail}.`);
}

function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++;
    } else if (c === '(') {
      const start = i;
      let depth = 0;
      let text = '';
      for (; i < s.length; i++) {
        const d = s[i]!;
        if (d === '\\' && i + 1 < s.length) {
          text += s[++i];
          continue;
        }
        if (d === '(' && depth++ === 0) continue;
        if (d === ')' && --depth === 0) break;
        text += d;
      }
      if (depth !== 0) throw malformed('unterminated comment');
      i++;
      out.push({ kind: 'comment', text, start, end: i });
    } else if (c === '"') {
      const start = i++;
      let text = '';
      let closed = false;
      for (; i < s.length; i++) {
        const d = s[i]!;
        if (d === '\\' && i + 1 < s.length) text += s[++i];
        else if (d === '"') {
          closed = true;
          i++;
          break;
        } else if (d !== '\r' && d !== '\n') text += d;
      }
      if (!closed) throw malformed('unterminated quoted string');
      out.push({ kind: 'quoted', text, start, end: i });
    } else if (c === '[') {
      const start = i;
      const close = s.indexOf(']', i);
      if (close < 0) throw malformed('unterminated domain literal');
      i = close + 1;
      out.push({ kind: 'domain-literal', text: s.slice(start, i).replace(/\s+/g, ''), start, end: i });
    } else if (SPECIALS.includes(c)) {
      out.push({ kind: 'special', text: c, start: i, end: ++i });
    } else {
      const start = i;
      while (i < s.length && !SPECIALS.includes(s[i]!) && !/[ \t\r\n]/.test(s[i]!)) i++;
      out.push({ kind: 'atom', text: s.slice(start, i), start, end: i });
    }
  }
  return out;
}

const isSpecial = (t: Token | undefined, c: string): boolean => t !== undefined && t.kind === 'special' && t.text === c;

interface Parsed {
  addresses: Address[];
  groups: number;
}

function parseList(value: string): Parsed {
  const t = tokenize(decodeRawUtf8(value));
  const n = t.length;
  const addresses: Address[] = [];
  let groups = 0;
  let i = 0;
  while (i < n) {
    if (isSpecial(t[i], ',') || isSpecial(t[i], ';') || t[i]!.kind === 'comment') {
      i++;
      continue;
    }
    let j = i;
    while (j < n && !['<', ':', ',', ';'].some((c) => isSpecial(t[j], c))) j++;
    if (isSpecial(t[j], ':')) {
      // group = display-name ":" [group-list] ";"   (e.g. `undisclosed-recipients:;`)
      groups++;
      i = j + 1;
      while (i < n && !isSpecial(t[i], ';')) {
        if (isSpecial(t[i], ',') || t[i]!.kind === 'comment') {
          i++;
          continue;
        }
        const [m, next] = parseMailbox(t, i, true);
        addresses.push(m);
        i = next;
      }
      i++;
    } else {
      const [m, next] = parseMailbox(t, i, false);
      addresses.push(m);
      i = next;
    }
  }
  return { addresses, groups };
}

function parseMailbox(t: Token[], i: number, inGroup: boolean): [Address, number] {
  const n = t.length;
  let j = i;
  while (j < n && !['<', ',', ';', ':'].some((c) => isSpecial(t[j], c))) j++;
  if (isSpecial(t[j], ':')) throw malformed(inGroup ? 'group inside a group' : 'misplaced colon');
  if (!isSpecial(t[j], '<')) {
    // A bare addr-spec; an RFC 822-style trailing comment, `a@b (Name)`, serves as the name.
    const comments = t.slice(i, j).filter((x) => x.kind === 'comment');
    const name = comments.length > 0 ? cleanName(comments.map((x) => x.text).join(' ')) : null;
    return [{ name, address: addrSpec(t, i, j) }, j];
  }
  // name-addr: everything before '<' is the display name. Lenient like mail clients: an unquoted '@'
  // or '.' there is kept as text, never taken as an address.
  const name = phrase(t, i, j);
  let k = j + 1;
  let gt = k;
  while (gt < n && !isSpecial(t[gt], '>')) {
    if (isSpecial(t[gt], '<')) throw malformed('nested angle brackets');
    gt++;
  }
  if (gt >= n) throw malformed('missing ">"');
  if (isSpecial(t[k], '@')) {
    // obs-route: "<@relay1,@relay2:user@domain>" (RFC 5322 §4.4): the route is ignored.
    while (k < gt && !isSpecial(t[k], ':')) k++;
    if (k >= gt) throw malformed('broken route');
    k++;
  }
  const address = addrSpec(t, k, gt);
  let after = gt + 1;
  while (after < n && t[after]!.kind === 'comment') after++;
  if (after < n && !isSpecial(t[after], ',') && !isSpecial(t[after], ';')) throw malformed('text after ">"');
  return [{ name, address }, after];
}

function phrase(t: Token[], from: number, to: number): string | null {
  let text = '';
  let prevEnd = -1;
  for (let k = from; k < to; k++) {
    const tok = t[k]!;
    if (tok.kind === 'comment') continue;
    if (prevEnd >= 0 && tok.start > prevEnd) text += ' ';
    text += tok.text;
    prevEnd = tok.end;
  }
  return cleanName(text);
}

function cleanName(text: string): string | null {
  const s = decodeEncodedWords(text).replace(/\s+/g, ' ').trim();
  return s === '' ? null : s;
}

const DOT_ATOM = /^[^\s()<>[\]:;@\\,."]+(?:\.[^\s()<>[\]:;@\\,."]+)*$/;

/** addr-spec = local-part "@" domain, with comments ignored. */
function addrSpec(t: Token[], from: number, to: number): string {
  const toks = t.slice(from, to).filter((x) => x.kind !== 'comment');
  const at = toks.findIndex((x) => isSpecial(x, '@'));
  if (at < 0) throw malformed('address without "@"');
  const localToks = toks.slice(0, at);
  const domainToks = toks.slice(at + 1);
  if (localToks.length === 0 || domainToks.length === 0) throw malformed('empty local part or domain');
  // local-part = dot-atom / quoted-string / obs-local-part (words separated by dots)
  let local = '';
  for (let k = 0; k < localToks.length; k++) {
    const x = localToks[k]!;
    const wantWord = k % 2 === 0;
    if (wantWord && (x.kind === 'atom' || x.kind === 'quoted')) local += x.kind === 'quoted' ? quoteLocal(x.text) : x.text;
    else if (!wantWord && isSpecial(x, '.')) local += '.';
    else throw malformed('invalid local part');
  }
  if (localToks.length % 2 === 0) throw malformed('local part ends with "."');
  let domain = '';
  if (domainToks.length === 1 && domainToks[0]!.kind === 'domain-literal') {
    domain = domainToks[0]!.text;
  } else {
    for (let k = 0; k < domainToks.length; k++) {
      const x = domainToks[k]!;
      if (k % 2 === 0 && x.kind === 'atom') domain += x.text;
      else if (k % 2 === 1 && isSpecial(x, '.')) domain += '.';
      else throw malformed('invalid domain');
    }
    if (domainToks.length % 2 === 0) throw malformed('domain ends with "."');
  }
  return `${local}@${domain}`;
}

/** A quoted local part is written unquoted when it needs no quotes (`"alice"` is `alice`). */
function quoteLocal(text: string): string {
  if (DOT_ATOM.test(text)) return text;
  return `"${text.replace(/(["\\])/g, '\\$1')}"`;
}

const utf8Fatal = new TextDecoder('utf-8', { fatal: true });

/** Header values are Latin-1 byte strings; RFC 6532 raw UTF-8 is read as UTF-8 when it is valid. */
function decodeRawUtf8(s: string): string {
  if (!/[\x80-\xff]/.test(s) || /[\u0100-\uffff]/.test(s)) return s;
  try {
    return utf8Fatal.decode(Uint8Array.from(s, (c) => c.charCodeAt(0)));
  } catch {
    return s;
  }
}

/**
 * Parses an address-list header value (To, Cc, From …). Groups contribute their members
 * (`undisclosed-recipients:;` contributes none). Throws `malformed-address` when the value is not an
 * address list: no guessing where an address might be.
 */
export function parseAddressList(value: string): Address[] {
  return parseList(value).addresses;
}

/** Lowercases the domain (RFC 5321 §2.4: domains are case-insensitive); the local part stays as it is. */
export function normalizeAddress(address: string): string {
  const a = address.trim();
  const at = a.lastIndexOf('@');
  if (at < 0) return a;
  return a.slice(0, at) + '@' + a.slice(at + 1).toLowerCase();
}

/**
 * The form in which two addresses are compared (ARCHITECTURE.md rule 4): the local part exactly as written
 * (RFC 5321 §2.4 leaves its case to the receiving host, so "Alice" and "alice" may be different
 * mailboxes; only Unicode NFC is applied, which changes no character), the domain case-insensitively and
 * with internationalised labels in A-label form, so a certificate's "xn--mnchen-3ya.example" matches a
 * From of "münchen.example" (RFC 8398 §3 asks certificates to carry the A-label form).
 */
export function addressKey(address: string): string {
  const a = address.trim();
  const at = a.lastIndexOf('@');
  if (at < 0) return a.normalize('NFC');
  return a.slice(0, at).normalize('NFC') + '@' + domainKey(a.slice(at + 1));
}

/** Whether two addr-specs name the same mailbox (see addressKey). */
export function sameAddress(a: string, b: string): boolean {
  return addressKey(a) === addressKey(b);
}

export type FromResult =
  | { readonly ok: true; readonly address: string; readonly name: string | null }
  | { readonly ok: false; readonly reason: 'missing' | 'empty' | 'several-headers' | 'several-addresses' | 'unparseable' };

/**
 * The one From address of a message (ARCHITECTURE.md rule 4, after "Johnny, You Are Fired!"): several From
 * headers, an empty From, several addresses, a group, or anything that does not parse yields no address,
 * so a signature can never be bound to an ambiguous sender. The address is normalized (domain lowercased).
 * Only From counts: a Sender header (RFC 5322 §3.6.2, the agent that transmitted the message) never
 * stands in for a missing, empty or ambiguous From, and a signer matching Sender but not From is a
 * mismatch, because From is the author the reader sees. (Thunderbird also accepts a match on Sender;
 * Signet deliberately does not.)
 */
export function singleFromAddress(source: { readonly headers: readonly Header[] } | readonly Header[]): FromResult {
  const headers: readonly Header[] = 'headers' in source ? source.headers : source;
  const values = getHeaders(headers, 'from');
  if (values.length === 0) return { ok: false, reason: 'missing' };
  if (values.length > 1) return { ok: false, reason: 'several-headers' };
  const value = values[0]!;
  if (value.trim() === '') return { ok: false, reason: 'empty' };
  let parsed: Parsed;
  try {
    parsed = parseList(value);
  } catch {
    return { ok: false, reason: 'unparseable' };
  }
  // RFC 5322 §3.6.2: From is a mailbox-list; a group there is not a sender.
  if (parsed.groups > 0) return { ok: false, reason: parsed.addresses.length > 1 ? 'several-addresses' : 'unparseable' };
  if (parsed.addresses.length === 0) return { ok: false, reason: 'empty' };
  if (parsed.addresses.length > 1) return { ok: false, reason: 'several-addresses' };
  const a = parsed.addresses[0]!;
  return { ok: true, address: normalizeAddress(a.address), name: a.name };
}

