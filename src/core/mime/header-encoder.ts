// Writing header fields: RFC 2047 encoded words (UTF-8, B or Q, at most 75 characters each), RFC 2231
// parameter values with continuations, quoting per RFC 2045 §5.1, and folding at 78 characters with CRLF
// (RFC 5322 §2.1.1, §2.2.3). Everything produced here is 7-bit, so it passes any transport unchanged.

import { utf8 } from '../bytes.js';
import { SignetError } from '../errors.js';
import { parseAddressList } from './address.js';

const MAX_LINE = 78;
const MAX_WORD = 75; // RFC 2047 §2
const TOKEN = /^[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+$/;
const PRINTABLE = /^[\x20-\x7e]*$/;
const HEX = '0123456789ABCDEF';

function usage(message: string): SignetError {
  return new SignetError('usage', message);
}

/** Q encoding of RFC 2047 §4.2 restricted to the characters §5(3) allows inside a phrase, so one form fits all. */
function qChar(b: number): string {
  if ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || '!*+-/'.includes(String.fromCharCode(b))) {
    return String.fromCharCode(b);
  }
  if (b === 0x20) return '_';
  return '=' + HEX[b >> 4] + HEX[b & 15];
}

function b64(bytes: readonly number[]): string {
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let s = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const rem = bytes.length - i;
    const v = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    s += A[(v >> 18) & 63]! + A[(v >> 12) & 63]! + (rem > 1 ? A[(v >> 6) & 63]! : '=') + (rem > 2 ? A[v & 63]! : '=');
  }
  return s;
}

/**
 * Encodes text as a sequence of UTF-8 encoded words, never splitting a character between words
 * (RFC 2047 §5(3)). Picks Q or B, whichever is shorter. Join the result with single spaces: white space
 * between encoded words is not displayed. `maxWord` lets a caller leave room on the first line (RFC 2047 §2).
 */
export function encodeWords(text: string, maxWord = MAX_WORD): string[] {
  const chars = Array.from(text, (ch) => Array.from(utf8(ch)));
  const qLen = chars.reduce((n, c) => n + c.reduce((m, b) => m + qChar(b).length, 0), 0);
  const byteLen = chars.reduce((n, c) => n + c.length, 0);
  const useQ = qLen <= Math.ceil(byteLen / 3) * 4;
  const prefix = useQ ? '=?UTF-8?Q?' : '=?UTF-8?B?';
  const room = Math.max(maxWord, 20) - prefix.length - 2;
  const words: string[] = [];
  let cur: number[] = [];
  let curLen = 0;
  const flush = (): void => {
    if (cur.length === 0) return;
    words.push(prefix + (useQ ? cur.map(qChar).join('') : b64(cur)) + '?=');
    cur = [];
    curLen = 0;
  };
  for (const c of chars) {
    const add = useQ ? c.reduce((m, b) => m + qChar(b).length, 0) : 0;
    const fits = useQ ? curLen + add <= room : Math.ceil((cur.length + c.length) / 3) * 4 <= room;
    if (!fits) flush();
    cur.push(...c);
    curLen += add;
  }
  flush();
  return words;
}

const needsWord = (w: string): boolean => !PRINTABLE.test(w) || w.includes('=?');

/**
 * An unstructured value (Subject, Content-Description …) with RFC 2047 words for the runs of words that
 * are not printable ASCII, or that would be mistaken for encoded words. ASCII words stay readable.
 */
export function encodeUnstructured(value: string, maxWord = MAX_WORD): string {
  assertNoLineBreak(value);
  if (!needsWord(value)) return value;
  const words = value.split(' ');
  const out: string[] = [];
  for (let i = 0; i < words.length; ) {
    if (!needsWord(words[i]!)) {
      out.push(words[i++]!);
      continue;
    }
    let j = i;
    while (j < words.length && needsWord(words[j]!)) j++;
    out.push(...encodeWords(words.slice(i, j).join(' '), maxWord));
    i = j;
  }
  return out.join(' ');
}

const ATEXT_PHRASE = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+(?: [A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+)*$/;

/** A display name (RFC 5322 §3.2.5 phrase): atoms, a quoted string, or encoded words when not ASCII. */
export function encodePhrase(name: string, maxWord = MAX_WORD): string {
  assertNoLineBreak(name);
  const s = name.trim();
  if (needsWord(s)) return encodeWords(s, maxWord).join(' ');
  if (ATEXT_PHRASE.test(s)) return s;
  return `"${s.replace(/(["\\])/g, '\\$1')}"`;
}

/** A parameter value per RFC 2045 §5.1: a token, or a quoted string. ASCII only. */
export function quoteIfNeeded(value: string): string {
  return TOKEN.test(value) ? value : `"${value.replace(/(["\\])/g, '\\$1')}"`;
}

// RFC 2231 §7: attribute-char := <any (US-ASCII) CHAR except SPACE, CTLs, "*", "'", "%", or tspecials>
const ATTR_CHAR = /[!#$&+\-.0-9A-Z^_`a-z{|}~]/;

/**
 * One parameter as `name=value` strings: plain or quoted when printable ASCII, otherwise RFC 2231
 * `name*=utf-8''…`, split into `name*0*`, `name*1*` … continuations when long.
 */
export function formatParameter(name: string, value: string): string[] {
  assertNoLineBreak(value);
  if (!TOKEN.test(name)) throw usage(`Invalid parameter name ${JSON.stringify(name)}.`);
  if (PRINTABLE.test(value)) return [`${name}=${quoteIfNeeded(value)}`];
  // One piece per character, so a continuation never splits a UTF-8 sequence (some readers decode
  // each segment on its own).
  const pieces = Array.from(value, (ch) =>
    ATTR_CHAR.test(ch) ? ch : Array.from(utf8(ch), (b) => '%' + HEX[b >> 4] + HEX[b & 15]).join(''),
  );
  const all = `utf-8''${pieces.join('')}`;
  if (name.length + 2 + all.length <= MAX_LINE - 2) return [`${name}*=${all}`];
  const out: string[] = [];
  let cur = "utf-8''";
  for (const p of pieces) {
    if (cur.length + p.length > 60) {
      out.push(`${name}*${out.length}*=${cur}`);
      cur = '';
    }
    cur += p;
  }
  out.push(`${name}*${out.length}*=${cur}`);
  return out;
}

/** `main; a=b; c="d e"` from a main value and parameters. */
export function formatParameterized(main: string, params: readonly (readonly [string, string])[]): string {
  return [main, ...params.flatMap(([k, v]) => formatParameter(k, v))].join('; ');
}

function assertNoLineBreak(value: string): void {
  // A CR or LF inside a value would start a new header field: header injection.
  if (/[\r\n]/.test(value)) throw usage('Header values must not contain line breaks.');
}

/**
 * `Name: value` CRLF, folded at white space so lines stay within 78 characters where the value allows
 * (RFC 5322 §2.2.3). The value must already be 7-bit (use encodeUnstructured, encodePhrase …).
 */
export function foldHeader(name: string, value: string): string {
  if (!/^[\x21-\x39\x3b-\x7e]+$/.test(name)) throw usage(`Invalid header name ${JSON.stringify(name)}.`);
  assertNoLineBreak(value);
  if (!/^[\x20-\x7e\t]*$/.test(value)) throw usage(`Header ${name} is not 7-bit; encode it first.`);
  const line = `${name}: ${value}`;
  if (line.length <= MAX_LINE) return line + '\r\n';
  const tokens = value.split(' ');
  const lines: string[] = [];
  let cur = `${name}:`;
  let fresh = true; // nothing of the value on this line yet
  for (const tok of tokens) {
    if (!fresh && tok !== '' && cur.length + 1 + tok.length > MAX_LINE) {
      lines.push(cur);
      cur = ' ' + tok;
    } else {
      cur += ' ' + tok;
    }
    if (tok !== '') fresh = false;
  }
  lines.push(cur);
  return lines.join('\r\n') + '\r\n';
}

const DOT_ATOM = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+(?:\.[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+)*$/;

/**
 * `Name <local@domain>` (or the bare addr-spec when there is no name) for From/To/Cc. The display name is
 * quoted or RFC 2047-encoded as needed; an internationalised domain is written as its A-label (RFC 5890)
 * so the header stays 7-bit. A non-ASCII local part needs SMTPUTF8 and is refused (`usage`).
 */
export function encodeAddress(a: { readonly name?: string | null; readonly address: string }, maxWord = MAX_WORD): string {
  assertNoLineBreak(a.address);
  const at = a.address.lastIndexOf('@');
  if (at <= 0 || at === a.address.length - 1) throw usage(`Not an e-mail address: ${JSON.stringify(a.address)}.`);
  let local = a.address.slice(0, at);
  let domain = a.address.slice(at + 1);
  if (!PRINTABLE.test(local)) throw usage('A non-ASCII local part needs SMTPUTF8, which Signet does not send.');
  if (!(local.startsWith('"') && local.endsWith('"') && local.length > 1) && !DOT_ATOM.test(local)) {
    local = `"${local.replace(/(["\\])/g, '\\$1')}"`;
  }
  if (!PRINTABLE.test(domain)) {
    try {
      domain = new URL(`http://${domain}/`).hostname;
    } catch (e) {
      throw new SignetError('usage', `Not a valid domain: ${JSON.stringify(domain)}.`, { cause: e });
    }
  }
  if (!/^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[^[\]\\]+\])$/.test(domain)) {
    throw usage(`Not a valid domain: ${JSON.stringify(domain)}.`);
  }
  const addr = `${local}@${domain}`;
  const name = a.name?.trim();
  return name ? `${encodePhrase(name, maxWord)} <${addr}>` : addr;
}

export function encodeAddressList(
  list: readonly { readonly name?: string | null; readonly address: string }[],
  maxWord = MAX_WORD,
): string {
  return list.map((a) => encodeAddress(a, maxWord)).join(', ');
}

const ADDRESS_HEADERS = new Set(['from', 'to', 'cc', 'bcc', 'reply-to', 'sender', 'resent-from', 'resent-to', 'resent-cc', 'resent-bcc', 'resent-sender']);

/**
 * A header value made 7-bit: address headers are parsed and re-encoded address by address (so an
 * encoded word never swallows an address), other fields are treated as unstructured text.
 */
export function encodeHeaderValue(name: string, value: string): string {
  assertNoLineBreak(value);
  if (PRINTABLE.test(value)) return value;
  // Words short enough to share the first line with "Name: ", so every line stays within 78.
  const maxWord = Math.min(MAX_WORD, MAX_LINE - name.length - 2);
  if (ADDRESS_HEADERS.has(name.toLowerCase())) return encodeAddressList(parseAddressList(value), maxWord);
  return encodeUnstructured(value, maxWord);
}
