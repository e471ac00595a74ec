// Header Protection for cryptographically protected e-mail, RFC 9788 (2025), and the older
// `protected-headers="v1"` form of draft-autocrypt-lamps-protected-headers (Thunderbird, K-9, Enigmail).
//
// Producing (RFC 9788 §4): the message's header fields are copied ("injected") into the header section of
// the Cryptographic Payload — the MIME entity that is signed and/or encrypted — whose Content-Type gets
// `hp="clear"` (signed only) or `hp="cipher"` (encrypted, §2.1.1). For an encrypted message the outer
// header fields then go through a Header Confidentiality Policy (§3.2); Signet uses hcp_baseline (§3.2.2:
// Subject becomes "[...]", Comments and Keywords are dropped, everything else stays), and records each
// field it left outside in an `HP-Outer` field inside the payload (§2.2), so the reader knows what the
// network saw. An optional Legacy Display Element (§2.1.2, §4.5.2) repeats obscured fields at the top of
// the text for clients that do not know header protection.
//
// Reading (RFC 9788 §4.4-§4.5.3, §4.10): when the payload root carries `hp`, its header fields replace the
// outer ones for display and an outer field never overrides a protected one. For `hp="clear"` (and for v1
// messages that were only signed) an outer Subject, From, To, Cc or Date that differs from the signed copy
// is reported as a mismatch. For `hp="cipher"` the fields whose real value the network did not see are
// listed as hidden in transit. A Legacy Display Element is compared with the protected fields.
//
// Everything here is text processing on bytes that the S/MIME layers already authenticated (or not: the
// caller says which, see `protection`); nothing here decides trust.

import { concat, fromLatin1 } from '../bytes.js';
import type { Limits } from '../config.js';
import { resolveConfig } from '../config.js';
import { SignetError } from '../errors.js';
import { addressKey, parseAddressList, type Address } from './address.js';
import { type OuterHeader, splitMessage, toCanonical } from './canonicalize.js';
import { decodeHeaderText, getHeaders, parseContentType, type Header } from './headers.js';
import { encodeHeaderValue, foldHeader } from './header-encoder.js';
import { parseMime, scanHeaderBlock } from './parser.js';
import type { MimeEntity } from './entity.js';

/** RFC 9788 §2.1.1: the value of the `hp` Content-Type parameter on the Cryptographic Payload's root. */
export type HpMode = 'clear' | 'cipher';

/**
 * RFC 9788 §3.2: which Header Confidentiality Policy hides outer fields of an encrypted message.
 * `baseline` is §3.2.2 hcp_baseline (the RFC's recommended default); `no-confidentiality` is §3.2.1
 * (fields are protected against change but stay readable outside).
 */
export type HeaderConfidentialityPolicy = 'baseline' | 'no-confidentiality';

export interface ProduceHeaderProtection {
  /** Applied only when the message is encrypted (hp="cipher"); default 'baseline'. */
  hcp?: HeaderConfidentialityPolicy;
  /** Add a Legacy Display Element (RFC 9788 §4.5.2) to the main text parts when a field was obscured. */
  legacyDisplay?: boolean;
}

/** RFC 9788 §3.2.2 hcp_baseline's obscured Subject. */
export const OBSCURED_SUBJECT = '[...]';

/**
 * Fields that describe the transport, not the message: never copied into the payload (RFC 9788 §2.1.1 asks
 * for the user-facing and structural fields the sender wrote; these are added or rewritten on the way).
 * Bcc is left out as well: every recipient would otherwise read the Bcc list inside (RFC 9788 §10.1.1).
 */
const NOT_PROTECTED = new Set([
  'bcc',
  'received',
  'return-path',
  'delivered-to',
  'x-original-to',
  'dkim-signature',
  'authentication-results',
  'arc-seal',
  'arc-message-signature',
  'arc-authentication-results',
  'hp-outer',
]);

/** RFC 9788 §3.2.2 hcp_baseline: Subject obscured, informational Comments/Keywords removed, the rest kept. */
function hcpBaseline(name: string, value: string): string | null {
  const n = name.toLowerCase();
  if (n === 'subject') return OBSCURED_SUBJECT;
  if (n === 'comments' || n === 'keywords') return null;
  return value;
}

const isStructural = (name: string): boolean => {
  const n = name.toLowerCase();
  return n.startsWith('content-') || n === 'mime-version';
};

/** A field line for the payload: 7-bit (RFC 2047 encoded where needed, RFC 8551 §3.1.3), CRLF-ended. */
function fieldLine(h: { name: string; value: string; raw?: Uint8Array }): Uint8Array {
  if (h.raw !== undefined && !/[\x80-\uffff]/.test(h.value)) {
    const b = toCanonical(h.raw);
    return b.length >= 2 && b[b.length - 2] === 0x0d && b[b.length - 1] === 0x0a ? b : concat([b, fromLatin1('\r\n')]);
  }
  return fromLatin1(foldHeader(h.name, encodeHeaderValue(h.name, decodeHeaderText(h.value))));
}

export interface ProtectedPayload {
  /** The header fields that stay outside, after the Header Confidentiality Policy. */
  outerHeaders: OuterHeader[];
  /** The Cryptographic Payload: the entity to sign and/or encrypt, with the protected fields injected. */
  payload: Uint8Array;
}

/**
 * RFC 9788 §4.3 (composing): splits a whole RFC 5322 message into the outer fields and the Cryptographic
 * Payload with the message's header fields injected and `hp` set. `mode` is 'cipher' when the payload will
 * be encrypted, 'clear' when it will only be signed.
 */
export function injectHeaderProtection(
  message: Uint8Array,
  mode: HpMode,
  options: ProduceHeaderProtection = {},
  limits: Partial<Limits> = {},
): ProtectedPayload {
  const { outerHeaders, content } = splitMessage(message, limits);
  const l = resolveConfig({ limits }).limits;
  const hb = scanHeaderBlock(content, 0, l.maxHeaderBytes);
  const ctHeaders = hb.headers.filter((h) => h.name.toLowerCase() === 'content-type');
  const ct = ctHeaders.length > 0 ? parseContentType(ctHeaders[0]!.value) : null;
  if (ct && (ct.params['hp'] !== undefined || ct.params['protected-headers'] !== undefined)) {
    throw new SignetError('usage', 'The message already carries protected headers (an hp or protected-headers parameter).');
  }
  // RFC 9788 §2.1.1: `hp` belongs on the Cryptographic Payload, the innermost content. On an already signed
  // or encrypted message it would sit on a cryptographic layer that the reader unwraps and never sees.
  if (ct && (ct.type === 'multipart/signed' || ct.type === 'application/pkcs7-mime' || ct.type === 'application/x-pkcs7-mime')) {
    throw new SignetError('usage', 'The message is already signed or encrypted: header protection must be added when the content is first signed or encrypted.');
  }

  const protectedFields = outerHeaders.filter((h) => !NOT_PROTECTED.has(h.name.toLowerCase()));
  let outside: OuterHeader[] = outerHeaders.map((h) => ({ name: h.name, value: h.value, raw: h.raw }));
  const hcp = options.hcp ?? 'baseline';
  if (mode === 'cipher' && hcp === 'baseline') {
    outside = [];
    for (const h of outerHeaders) {
      const v = hcpBaseline(h.name, h.value);
      if (v === null) continue;
      outside.push(v === h.value ? { name: h.name, value: h.value, raw: h.raw } : { name: h.name, value: v });
    }
  }

  const lines: Uint8Array[] = [];
  // Content-Type first, with hp added (RFC 9788 §2.1.1); a payload without one is RFC 2045 §5.2 text/plain.
  let hasCt = false;
  for (const h of hb.headers) {
    if (h.name.toLowerCase() === 'content-type' && !hasCt) {
      hasCt = true;
      lines.push(withParameter(h.raw, `hp="${mode}"`));
    } else if (h.name.toLowerCase() !== 'content-type') {
      lines.push(fieldLine(h));
    }
  }
  if (!hasCt) lines.unshift(fromLatin1(`Content-Type: text/plain; charset=us-ascii; hp="${mode}"\r\n`));
  for (const h of protectedFields) lines.push(fieldLine(h));
  if (mode === 'cipher') {
    // RFC 9788 §2.2: one HP-Outer field for each field left outside, with the value as sent.
    for (const h of outside) {
      if (NOT_PROTECTED.has(h.name.toLowerCase())) continue;
      const value = encodeHeaderValue(h.name, decodeHeaderText(h.value));
      lines.push(fromLatin1(foldHeader('HP-Outer', `${h.name}: ${value}`)));
    }
  }
  const separator = hb.bodyStart > hb.headerEnd ? content.subarray(hb.headerEnd, hb.bodyStart) : fromLatin1('\r\n');
  let body = content.subarray(hb.bodyStart);
  let headerPart = concat([...lines, separator]);
  if (mode === 'cipher' && options.legacyDisplay === true) {
    const obscured = protectedFields.filter((h) => {
      const out = outside.find((o) => o.name.toLowerCase() === h.name.toLowerCase());
      return LEGACY_DISPLAY_FIELDS.has(h.name.toLowerCase()) && (out === undefined || out.value !== h.value);
    });
    if (obscured.length > 0) {
      const withLde = addLegacyDisplay(concat([headerPart, body]), obscured, l);
      headerPart = new Uint8Array(0);
      body = withLde;
    }
  }
  return { outerHeaders: outside, payload: concat([headerPart, body]) };
}

/** Appends `; param` to a header field's raw bytes, before its line end, folded onto a new line. */
function withParameter(raw: Uint8Array, param: string): Uint8Array {
  let end = raw.length;
  while (end > 0 && (raw[end - 1] === 0x0a || raw[end - 1] === 0x0d)) end--;
  let stop = end;
  while (stop > 0 && (raw[stop - 1] === 0x20 || raw[stop - 1] === 0x09)) stop--;
  const trailingSemicolon = stop > 0 && raw[stop - 1] === 0x3b;
  return concat([toCanonical(raw.subarray(0, stop)), fromLatin1(`${trailingSemicolon ? '' : ';'}\r\n ${param}\r\n`)]);
}

// ---------------------------------------------------------------------------------------------------------
// Legacy Display Element (RFC 9788 §2.1.2, §4.5.2 producing, §4.5.3 reading).

/** RFC 9788 §4.5.2: the user-facing fields a Legacy Display Element may repeat. */
const LEGACY_DISPLAY_FIELDS = new Set(['subject', 'from', 'to', 'cc', 'date']);
const LEGACY_DISPLAY_PARAM = 'hp-legacy-display';
const LEGACY_DISPLAY_CLASS = 'header-protection-legacy-display';

/** The Main Body Parts (RFC 9788 §4.5.1): text/plain and text/html reached through the first alternatives. */
function mainBodyParts(root: MimeEntity): MimeEntity[] {
  const out: MimeEntity[] = [];
  const walk = (e: MimeEntity, depth: number): void => {
    if (depth > 4) return;
    if (e.type === 'text/plain' || e.type === 'text/html') {
      if (e.disposition?.value !== 'attachment') out.push(e);
      return;
    }
    if (e.type === 'multipart/alternative') for (const c of e.children) walk(c, depth + 1);
    else if (e.type === 'multipart/mixed' || e.type === 'multipart/related') {
      if (e.children[0]) walk(e.children[0], depth + 1);
    }
  };
  walk(root, 0);
  return out;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * RFC 9788 §4.5.2: puts the obscured fields at the top of each main text part — plain lines and a blank line
 * for text/plain, a `<div class="header-protection-legacy-display">` for text/html — and marks the part with
 * `hp-legacy-display="1"`. Parts in a charset other than UTF-8/US-ASCII are left as they are.
 */
function addLegacyDisplay(payload: Uint8Array, fields: readonly OuterHeader[], limits: Limits): Uint8Array {
  const root = parseMime(payload, limits);
  const targets = mainBodyParts(root).filter((p) => {
    const cs = (p.contentType.params['charset'] ?? 'us-ascii').toLowerCase();
    return cs === 'utf-8' || cs === 'us-ascii' || cs === 'utf8';
  });
  if (targets.length === 0) return payload;
  const lines = fields.map((f) => `${f.name}: ${decodeHeaderText(f.value)}`);
  const out: Uint8Array[] = [];
  let at = 0;
  const base = payload.byteOffset;
  for (const part of targets) {
    const start = part.raw.byteOffset - base;
    out.push(payload.subarray(at, start));
    const text = new TextDecoder().decode(part.decodeBody());
    const isHtml = part.type === 'text/html';
    const element = isHtml
      ? `<div class="${LEGACY_DISPLAY_CLASS}"><pre>${lines.map(escapeHtml).join('<br>\n')}</pre></div>\n`
      : `${lines.join('\r\n')}\r\n\r\n`;
    let newText: string;
    if (isHtml) {
      const bodyTag = /<body[^>]*>/i.exec(text);
      newText = bodyTag ? text.slice(0, bodyTag.index + bodyTag[0].length) + element + text.slice(bodyTag.index + bodyTag[0].length) : element + text;
    } else {
      newText = element + text;
    }
    const headers = part.headers
      .filter((h) => !['content-type', 'content-transfer-encoding'].includes(h.name.toLowerCase()))
      .map((h) => fieldLine(h));
    const ct = part.headers.find((h) => h.name.toLowerCase() === 'content-type');
    const ctLine = ct ? withParameter(ct.raw, `${LEGACY_DISPLAY_PARAM}="1"`) : fromLatin1(`Content-Type: text/plain; ${LEGACY_DISPLAY_PARAM}="1"\r\n`);
    const charsetFix = /charset=/i.test(ct?.value ?? '') ? ctLine : withParameter(ctLine, 'charset="utf-8"');
    const bodyBytes = new TextEncoder().encode(newText);
    out.push(charsetFix, ...headers, fromLatin1('Content-Transfer-Encoding: base64\r\n\r\n'), base64Lines(bodyBytes));
    at = start + part.raw.length;
  }
  out.push(payload.subarray(at));
  return concat(out);
}

function base64Lines(b: Uint8Array): Uint8Array {
  let bin = '';
  for (const x of b) bin += String.fromCharCode(x);
  const s = btoa(bin).replace(/.{76}/g, '$&\r\n');
  return fromLatin1(s.endsWith('\r\n') ? s.slice(0, -2) : s);
}

// ---------------------------------------------------------------------------------------------------------
// Reading.

/** The user-facing fields compared between the outer header section and the protected one. */
export type HeaderFieldName = 'subject' | 'from' | 'to' | 'cc' | 'date' | 'reply-to';
const COMPARED: readonly HeaderFieldName[] = ['subject', 'from', 'to', 'cc', 'date', 'reply-to'];
/** RFC 5322 §3.6: fields that may occur at most once; a protected section with two of one is refused. */
const SINGULAR = ['from', 'sender', 'reply-to', 'to', 'cc', 'bcc', 'subject', 'date', 'message-id', 'in-reply-to', 'references'];

export interface ProtectedField {
  name: string;
  /** Decoded for display (RFC 2047), control characters replaced by U+FFFD. */
  value: string;
}

export interface HeaderMismatch {
  field: HeaderFieldName;
  /** `changed`: both present, different; `removed`: only the signed copy has it; `added`: only the outer one. */
  change: 'changed' | 'removed' | 'added';
  /** The value the sender signed (decoded), or null when the signed copy has no such field. */
  signed: string | null;
  /** The value that arrived outside (decoded), or null when absent. */
  outer: string | null;
}

export interface HiddenField {
  field: HeaderFieldName;
  /** What the network saw instead (e.g. "[...]"), or null when the field was not sent outside at all. */
  outer: string | null;
}

export type HeaderProtectionProblem =
  /** A field that may occur once occurs twice inside: the protected section is not used (ARCHITECTURE.md rule 4 spirit). */
  | 'duplicate-field'
  /** A decoded value held control characters (CR, LF, NUL …): shown replaced, never as new lines. */
  | 'control-characters'
  /** hp="cipher" on a message that was not encrypted (RFC 9788 §4.10.1): treated as "clear". */
  | 'cipher-without-encryption'
  /** A Legacy Display Element says something else than the protected fields (RFC 9788 §4.5.3). */
  | 'legacy-display-mismatch';

export interface HeaderProtectionReport {
  /** 'rfc9788' (`hp` parameter) or 'v1' (`protected-headers="v1"`). */
  scheme: 'rfc9788' | 'v1';
  /** The `hp` value as sent (null for v1). */
  hp: HpMode | null;
  /** What vouches for the protected fields: a signature over them, encryption, both, or nothing usable. */
  protection: 'signed' | 'encrypted' | 'signed-and-encrypted' | 'none';
  /** Every protected field in order (Content-*, MIME-Version and HP-Outer excluded). Empty when refused. */
  fields: ProtectedField[];
  /** The user-facing fields as protected, decoded; null when absent. Shown instead of the outer ones. */
  subject: string | null;
  from: string | null;
  to: string | null;
  cc: string | null;
  date: string | null;
  /** Encrypted messages: fields whose real value the network did not see (RFC 9788 §2.2 HP-Outer). */
  hidden: HiddenField[];
  /** Signed copy vs outer header: each difference, named. */
  mismatches: HeaderMismatch[];
  /** Whether a Legacy Display Element was found, and whether it agrees with the protected fields. */
  legacyDisplay: 'none' | 'agrees' | 'disagrees';
  problems: HeaderProtectionProblem[];
}

/** Control characters that must never reach a display (C0 except TAB, DEL, C1, bidi overrides). */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

function display(raw: string, problems: Set<HeaderProtectionProblem>): string {
  const decoded = decodeHeaderText(raw);
  CONTROL.lastIndex = 0;
  if (CONTROL.test(decoded)) problems.add('control-characters');
  return decoded.replace(CONTROL, '\uFFFD').replace(/[ \t]+/g, ' ').trim();
}

function addressesOf(value: string): Address[] | null {
  try {
    return parseAddressList(value);
  } catch {
    return null;
  }
}

/** Whether two values of one field say the same thing (decoded, white space folded; addresses by addr-spec and name; dates by instant). */
function sameValue(field: HeaderFieldName, a: string, b: string): boolean {
  const norm = (s: string): string => decodeHeaderText(s).replace(/\s+/g, ' ').trim();
  if (field === 'date') {
    const ta = new Date(norm(a)).getTime();
    const tb = new Date(norm(b)).getTime();
    if (!Number.isNaN(ta) && !Number.isNaN(tb)) return ta === tb;
    return norm(a) === norm(b);
  }
  if (field === 'subject') return norm(a) === norm(b);
  const la = addressesOf(a);
  const lb = addressesOf(b);
  if (la === null || lb === null) return norm(a) === norm(b);
  if (la.length !== lb.length) return false;
  return la.every((x, i) => addressKey(x.address) === addressKey(lb[i]!.address) && (x.name ?? '').trim() === (lb[i]!.name ?? '').trim());
}

/**
 * The protected header fields of a Cryptographic Payload as received (raw values, not decoded), when it
 * carries header protection (`hp` or `protected-headers="v1"`); null otherwise. For the sender binding,
 * which reads From with the same rules as for the outer header (ARCHITECTURE.md rule 4).
 */
export function protectedHeaderFields(payload: Uint8Array, limits: Partial<Limits> = {}): Header[] | null {
  const l = resolveConfig({ limits }).limits;
  const inner = scanHeaderBlock(payload, 0, l.maxHeaderBytes);
  const ct = parseContentType(getHeaders(inner.headers, 'content-type')[0] ?? '');
  if (!ct) return null;
  const hp = (ct.params['hp'] ?? '').trim().toLowerCase();
  if (hp !== 'clear' && hp !== 'cipher' && (ct.params['protected-headers'] ?? '').trim().toLowerCase() !== 'v1') return null;
  return inner.headers.filter((h) => !isStructural(h.name) && h.name.toLowerCase() !== 'hp-outer').map((h) => ({ name: h.name, value: h.value }));
}

export interface ReadHeaderProtectionInput {
  /** The whole message as received (its header section is the outer one). */
  message: Uint8Array;
  /** The Cryptographic Payload: the innermost entity after every S/MIME layer was removed. */
  payload: Uint8Array;
  /** An encryption layer was opened to reach `payload`. */
  encrypted: boolean;
  /** That encryption detects changes (AuthEnvelopedData); CBC alone does not. */
  encryptionIntegrity: boolean;
  /** A signature over `payload` is intact (the content matches what was signed). */
  signed: boolean;
  limits?: Partial<Limits>;
}

/** The protection scheme a payload's Content-Type announces (RFC 9788 `hp`, or v1), or null for none. */
function schemeOf(ct: { params: Record<string, string> }): { scheme: HeaderProtectionReport['scheme']; hp: HpMode | null } | null {
  const hpParam = (ct.params['hp'] ?? '').trim().toLowerCase();
  if (hpParam === 'clear' || hpParam === 'cipher') return { scheme: 'rfc9788', hp: hpParam };
  if ((ct.params['protected-headers'] ?? '').trim().toLowerCase() === 'v1') return { scheme: 'v1', hp: null };
  return null;
}

function protectionOf(input: ReadHeaderProtectionInput): HeaderProtectionReport['protection'] {
  if (input.signed) return input.encrypted ? 'signed-and-encrypted' : 'signed';
  return input.encrypted && input.encryptionIntegrity ? 'encrypted' : 'none';
}

/** The HP-Outer records of an hp="cipher" payload (RFC 9788 §2.2): what the sender left outside, with the value sent. */
function hpOuterRecords(innerHeaders: Header[]): Header[] {
  const records: Header[] = [];
  for (const v of getHeaders(innerHeaders, 'hp-outer')) {
    const colon = v.indexOf(':');
    if (colon > 0) records.push({ name: v.slice(0, colon).trim(), value: v.slice(colon + 1).trim() });
  }
  return records;
}

/** How one user-facing field is compared: the shared facts of readHeaderProtection. */
interface Comparison {
  report: HeaderProtectionReport;
  protectedHeaders: Header[];
  outer: Header[];
  records: Header[];
  useRecords: boolean;
  confidential: boolean;
  shown(v: string | null): string | null;
}

/** With HP-Outer records: what was hidden, and whether the outer field is exactly what the records say was sent. */
function compareWithRecords(f: HeaderFieldName, p: string | null, o: string | null, c: Comparison): void {
  const { report, shown } = c;
  const recorded = getHeaders(c.records, f)[0] ?? null;
  if (p !== null && (recorded === null || !sameValue(f, p, recorded))) report.hidden.push({ field: f, outer: shown(recorded) });
  if (recorded === null && o !== null && !(p !== null && sameValue(f, p, o))) {
    report.mismatches.push({ field: f, change: 'added', signed: shown(p), outer: shown(o) });
  } else if (recorded !== null && o === null) {
    report.mismatches.push({ field: f, change: 'removed', signed: shown(p ?? recorded), outer: null });
  } else if (recorded !== null && o !== null && !sameValue(f, recorded, o)) {
    report.mismatches.push({ field: f, change: 'changed', signed: shown(p ?? recorded), outer: shown(o) });
  }
}

/**
 * Signed only (hp="clear", signed v1), or encrypted without HP-Outer: the outer field should equal the
 * signed one (RFC 9788 §4.10.2). v1 protected only the fields its sender chose; RFC 9788 protects them all,
 * so an outer extra was added.
 */
function compareDirectly(f: HeaderFieldName, p: string | null, o: string | null, c: Comparison): void {
  const { report, shown } = c;
  if (p === null) {
    if (o !== null && report.scheme === 'rfc9788') report.mismatches.push({ field: f, change: 'added', signed: null, outer: shown(o) });
  } else if (o === null) {
    report.mismatches.push({ field: f, change: 'removed', signed: shown(p), outer: null });
  } else if (!sameValue(f, p, o)) {
    report.mismatches.push({ field: f, change: 'changed', signed: shown(p), outer: shown(o) });
  }
}

function compareField(f: HeaderFieldName, duplicate: boolean, c: Comparison): void {
  const { report, shown } = c;
  const pv = getHeaders(c.protectedHeaders, f);
  const ov = getHeaders(c.outer, f);
  if (duplicate) {
    // The signed value is ambiguous: flagged, none of the copies is shown as the signed one.
    if (pv.length > 1) report.mismatches.push({ field: f, change: 'changed', signed: null, outer: shown(ov.join(' | ') || null) });
    return;
  }
  const p = pv[0] ?? null;
  if (ov.length > 1) {
    // Two outer Subjects (or Froms …): whichever a client shows, it was not what the sender wrote.
    report.mismatches.push({ field: f, change: 'changed', signed: shown(p), outer: shown(ov.join(' | ')) });
    return;
  }
  const o = ov[0] ?? null;
  if (c.useRecords) return compareWithRecords(f, p, o, c);
  if (c.confidential && f === 'subject') {
    if (p !== null && (o === null || !sameValue(f, p, o))) report.hidden.push({ field: f, outer: shown(o) });
    return;
  }
  compareDirectly(f, p, o, c);
}

/** The protected values shown as what the sender wrote; none when a singular field is repeated (ambiguous). */
function readProtectedValues(report: HeaderProtectionReport, protectedHeaders: Header[], problems: Set<HeaderProtectionProblem>): boolean {
  const duplicate = SINGULAR.some((n) => getHeaders(protectedHeaders, n).length > 1);
  if (duplicate) {
    // Which Subject or From would be "the" signed one is ambiguous: none is shown as such, and the
    // comparison reports every user-facing field as differing from the (single) outer one.
    problems.add('duplicate-field');
    return true;
  }
  report.fields = protectedHeaders.map((h) => ({ name: h.name, value: display(h.value, problems) }));
  const first = (n: string): string | null => {
    const v = getHeaders(protectedHeaders, n)[0];
    return v === undefined ? null : display(v, problems);
  };
  report.subject = first('subject');
  report.from = first('from');
  report.to = first('to');
  report.cc = first('cc');
  report.date = first('date');
  return false;
}

/** Whether a Legacy Display Element (if any) agrees with the protected fields (RFC 9788 §4.5.3). */
function legacyDisplayAgreement(payload: Uint8Array, l: Limits, rfc9788: boolean, protectedHeaders: Header[], duplicate: boolean): HeaderProtectionReport['legacyDisplay'] {
  const lde = legacyDisplayOf(payload, l, rfc9788);
  if (lde === null) return 'none';
  const agrees = lde.every((line) => {
    const p = getHeaders(protectedHeaders, line.name)[0];
    return p !== undefined && !duplicate && (LEGACY_DISPLAY_FIELDS.has(line.name.toLowerCase()) ? sameValue(line.name.toLowerCase() as HeaderFieldName, p, line.value) : true);
  });
  return agrees ? 'agrees' : 'disagrees';
}

/**
 * Reads the protected header fields of a Cryptographic Payload (RFC 9788 §4.4-§4.5; v1 for Thunderbird's
 * form) and compares them with the outer ones. Null when the payload carries no header protection.
 */
export function readHeaderProtection(input: ReadHeaderProtectionInput): HeaderProtectionReport | null {
  const l = resolveConfig({ limits: input.limits ?? {} }).limits;
  const inner = scanHeaderBlock(input.payload, 0, l.maxHeaderBytes);
  const ctValues = getHeaders(inner.headers, 'content-type');
  const ct = ctValues.length > 0 ? parseContentType(ctValues[0]!) : null;
  const announced = ct ? schemeOf(ct) : null;
  if (!announced) return null;
  const { scheme, hp } = announced;
  const problems = new Set<HeaderProtectionProblem>();
  // RFC 9788 §4.10.1: hp="cipher" claims confidentiality; a payload that was not encrypted has none.
  if (hp === 'cipher' && !input.encrypted) problems.add('cipher-without-encryption');

  const protectedHeaders = inner.headers.filter((h) => !isStructural(h.name) && h.name.toLowerCase() !== 'hp-outer');
  const outer = scanHeaderBlock(input.message, 0, l.maxHeaderBytes).headers.filter((h) => !isStructural(h.name));
  const report: HeaderProtectionReport = {
    scheme,
    hp,
    protection: protectionOf(input),
    fields: [],
    subject: null,
    from: null,
    to: null,
    cc: null,
    date: null,
    hidden: [],
    mismatches: [],
    legacyDisplay: 'none',
    problems: [],
  };
  const duplicate = readProtectedValues(report, protectedHeaders, problems);

  // What the network saw instead of each protected field. RFC 9788 §2.2: with hp="cipher", HP-Outer records
  // every field the sender left outside (with the value sent); a protected field without one was removed,
  // one whose HP-Outer value differs was obscured. v1 has no HP-Outer: only its Subject is ever obscured.
  const confidential = input.encrypted && (hp === 'cipher' || scheme === 'v1');
  const records = hp === 'cipher' ? hpOuterRecords(inner.headers) : [];
  const comparison: Comparison = {
    report,
    protectedHeaders,
    outer,
    records,
    useRecords: confidential && records.length > 0,
    confidential,
    shown: (v) => (v === null ? null : display(v, problems)),
  };
  for (const f of COMPARED) compareField(f, duplicate, comparison);

  report.legacyDisplay = legacyDisplayAgreement(input.payload, l, scheme === 'rfc9788', protectedHeaders, duplicate);
  if (report.legacyDisplay === 'disagrees') problems.add('legacy-display-mismatch');
  report.problems = [...problems];
  return report;
}

/**
 * The fields a Legacy Display Element shows (RFC 9788 §4.5.3), from the first main text/plain part marked
 * `hp-legacy-display="1"`: the leading "Name: value" lines up to the first blank line. Null when none.
 */
function legacyDisplayOf(payload: Uint8Array, limits: Limits, rfc9788: boolean): { name: string; value: string }[] | null {
  if (!rfc9788) return null;
  let root: MimeEntity;
  try {
    root = parseMime(payload, limits);
  } catch {
    return null;
  }
  for (const part of mainBodyParts(root)) {
    if (part.contentType.params[LEGACY_DISPLAY_PARAM] !== '1') continue;
    let text: string;
    try {
      text = new TextDecoder().decode(part.decodeBody());
    } catch {
      return null;
    }
    if (part.type === 'text/html') {
      const div = legacyDisplayDiv(text);
      if (div === null) continue;
      text = div.inner.replace(/<br\s*\/?>/gi, '\n').replace(/<[^<>]{0,200}>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&') + '\n\n';
    }
    const lines: { name: string; value: string }[] = [];
    for (const line of text.slice(0, 8192).split(/\r?\n/).slice(0, 50)) {
      if (line.trim() === '') break;
      const colon = line.indexOf(':');
      if (colon <= 0) break;
      lines.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() });
    }
    if (lines.length > 0) return lines;
  }
  return null;
}

/**
 * RFC 9788 §4.5.3: the text of a main body part without its Legacy Display Element, for a reader that shows
 * the protected fields itself. Only for a part marked `hp-legacy-display="1"` in a payload that carries
 * `hp` (the caller checks both). text/plain: the leading "Name: value" lines and the blank line after
 * them; text/html: the first `<div class="header-protection-legacy-display">…</div>`. Anything that does
 * not have that shape is returned unchanged.
 */
export function withoutLegacyDisplay(text: string, html: boolean): string {
  if (html) {
    const div = legacyDisplayDiv(text);
    if (div === null) return text;
    let end = div.end;
    if (text[end] === '\r') end++;
    if (text[end] === '\n') end++;
    return text.slice(0, div.start) + text.slice(end);
  }
  const lines = text.slice(0, 8192).split('\n');
  let i = 0;
  while (i < lines.length && i < 50 && /^[\x21-\x39\x3b-\x7e]+:/.test(lines[i]!)) i++;
  if (i === 0 || i >= lines.length || lines[i]!.replace(/\r$/, '') !== '') return text;
  return text.slice(lines.slice(0, i + 1).reduce((n, l) => n + l.length + 1, 0));
}

/**
 * The first `<div … class="header-protection-legacy-display" …>…</div>` of an HTML text, found with plain
 * index scans (linear in the text, whatever it holds: ARCHITECTURE.md rule 9). The element holds no nested
 * div (RFC 9788 §4.5.2 writes a <pre> inside). Null when there is none.
 */
function legacyDisplayDiv(text: string): { start: number; end: number; inner: string } | null {
  const lower = text.toLowerCase();
  const at = lower.indexOf(LEGACY_DISPLAY_CLASS);
  if (at < 0) return null;
  const start = lower.lastIndexOf('<div', at);
  if (start < 0 || at - start > 200 || lower.slice(start, at).includes('>')) return null;
  const open = lower.indexOf('>', at);
  const close = open < 0 ? -1 : lower.indexOf('</div>', open);
  if (close < 0) return null;
  return { start, end: close + 6, inner: text.slice(open + 1, close) };
}
