// Input generation for the fuzz harnesses (not a test file): structure-aware inputs from fast-check
// arbitraries (MIME trees, DER/BER trees with CMS skeletons, PEM, policy JSON), byte-level mutation of
// seeds, and stretching — repeating a run of bytes until the input is 512 KB to 1 MB, which is how
// quadratic parsing and memory blow-ups are found. Everything is driven by one numeric seed.

import fc from 'fast-check';
import { fromLatin1, latin1, toBase64, utf8 } from '../../src/core/bytes.js';

/** mulberry32: small, fast and good enough to drive mutations reproducibly. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

// ---------------------------------------------------------------------------------------------------
// Dictionaries: tokens that matter to each format, inserted and stretched by the mutator.

const t = (s: string): Uint8Array => fromLatin1(s);
export const MIME_TOKENS: readonly Uint8Array[] = [
  ' ', '\t', '\r\n', '\n', '\r', '\r\n ', ':', ';', '=', '"', '(', ')', '\\', '*', "'", '%', '%20', '?', '--', '----', '=?', '?=',
  '=?utf-8?q?', '=?utf-8?b?', '=?', '<', '>', '@', ',', '.', '[', ']', '=\r\n', '=3D', '= ', 'boundary=', 'boundary*=', 'boundary*0*=',
  'Content-Type: multipart/mixed; boundary=b\r\n\r\n', '\r\n--b\r\n', '\r\n--b--\r\n', 'Content-Transfer-Encoding: base64\r\n',
  'Content-Transfer-Encoding: quoted-printable\r\n', 'Content-Type: message/rfc822\r\n\r\n', 'From: ', 'From: a@b\r\n', '\xc3\xa9', '\xff', '\x00',
  'Content-Type: application/pkcs7-mime; smime-type=enveloped-data\r\n', 'protocol="application/pkcs7-signature"',
].map(t);
export const DER_TOKENS: readonly Uint8Array[] = [
  [0x30, 0x80], [0x00, 0x00], [0x24, 0x80], [0x04, 0x80], [0xa0, 0x80], [0x84, 0x7f, 0xff, 0xff, 0xff], [0x83, 0xff, 0xff, 0xff],
  [0x82, 0xff, 0xff], [0x81, 0x80], [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02], [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x03],
  [0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x01, 0x17], [0x02, 0x01, 0x00], [0x02, 0x01, 0x01], [0x02, 0x01, 0x03], [0x05, 0x00],
  [0x1f, 0xff, 0xff, 0xff, 0xff, 0x7f], [0x03, 0x01, 0x08], [0x17, 0x0d], [0x18, 0x0f], [0x0c, 0x03, 0xef, 0xbb, 0xbf], [0x31, 0x00], [0xff],
].map((a) => Uint8Array.from(a));
export const PEM_TOKENS: readonly Uint8Array[] = [
  '-----BEGIN CERTIFICATE-----\n', '-----END CERTIFICATE-----\n', '-----BEGIN PRIVATE KEY-----\n', '-----END PRIVATE KEY-----\n',
  '-----BEGIN ENCRYPTED PRIVATE KEY-----\n', '-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\n',
  '-----BEGIN PKCS7-----\n', '-----END PKCS7-----\n', '-----BEGIN TRUSTED CERTIFICATE-----\n', '-----', 'MII', '=', '\n', ' ', '\r\n',
].map(t);
export const JSON_TOKENS: readonly Uint8Array[] = [
  '{', '}', '[', ']', '"', ',', ':', 'null', 'true', '1e309', '-0', '"__proto__"', '"constructor"', '\\u0000', '\\ud800', '"xn--"', '"*."',
  '"-----BEGIN CERTIFICATE-----"', ' ', '\n', '"version"', '1', '"domains"', '"@"',
].map(t);

// ---------------------------------------------------------------------------------------------------
// Structure-aware arbitraries (fast-check).

const token = fc.stringMatching(/^[a-zA-Z0-9._+-]{1,12}$/);
const special = fc.constantFrom(' ', '\t', ';', '=', '"', '(', ')', '\\', '*', "'", '%', '%2', '%41', '?', '--', '\r\n', '\n', '\r\n ', ':', '@', '<', '>', ',', '=?', '?=', '\xfc', '\x00', '\xff', '=?utf-8?q?a?=', '=?x?b?QQ==?=');
const junk = fc.array(fc.oneof({ weight: 3, arbitrary: token }, { weight: 2, arbitrary: special }), { maxLength: 16 }).map((a) => a.join(''));
const leafType = fc.constantFrom('text/plain', 'text/html', 'message/rfc822', 'message/global', 'application/pkcs7-mime', 'application/x-pkcs7-mime', 'application/pkcs7-signature', 'application/octet-stream', 'image/png', 'text', 'junk/', '');
const paramName = fc.constantFrom('charset', 'boundary', 'name', 'filename', 'protocol', 'micalg', 'smime-type', 'boundary*', 'boundary*0', 'boundary*1*', 'name*', 'filename*0*', 'filename*1', 'filename*2*');
const param = fc.tuple(paramName, fc.oneof(token, junk, fc.constantFrom("utf-8''%E2%82%AC", "''b%20%09", 'enveloped-data', 'signed-data', 'application/pkcs7-signature')), fc.boolean(), fc.constantFrom('; ', ';', ';\r\n ', ' ; ')).map(
  ([k, v, q, sep]) => `${sep}${k}=${q ? `"${v}"` : v}`,
);
const cte = fc.constantFrom('7bit', '8bit', 'binary', 'base64', 'quoted-printable', 'BASE64', 'x-uuencode', '');
const headerName = fc.constantFrom('From', 'To', 'Cc', 'Subject', 'Sender', 'MIME-Version', 'X-Junk', 'Content-ID', 'Date', 'from', 'Content-Description');
const header = fc.tuple(headerName, fc.oneof(junk, fc.constantFrom('Alice <alice@example.com>', 'a@b, c@d', '"x" <y@[1.2.3.4]>', 'g: a@b;', '=?utf-8?q?=C3=A9?= <e@münchen.example>'))).map(([n, v]) => `${n}: ${v}\r\n`);
const body = fc.oneof(
  junk,
  fc.uint8Array({ maxLength: 200 }).map((u) => toBase64(u, 76)),
  fc.uint8Array({ maxLength: 200 }).map((u) => latin1(u)),
  fc.constantFrom('=41=\r\n=C3=A9 \r\n', 'From me\r\n.\r\n', '--\r\n--b\r\n'),
);

interface MimeNode {
  text: string;
}

const mimeTree = fc.letrec<{ entity: MimeNode; leaf: MimeNode; multipart: MimeNode }>((tie) => ({
  entity: fc.oneof({ depthSize: 'small', withCrossShrink: true }, tie('leaf'), tie('multipart')),
  leaf: fc.record({ type: leafType, params: fc.array(param, { maxLength: 3 }), cte, headers: fc.array(header, { maxLength: 3 }), body, lf: fc.boolean() }).map((r) => ({
    text: fixEol(`${r.headers.join('')}Content-Type: ${r.type}${r.params.join('')}\r\n${r.cte ? `Content-Transfer-Encoding: ${r.cte}\r\n` : ''}\r\n${r.body}`, r.lf),
  })),
  multipart: fc
    .record({
      sub: fc.constantFrom('mixed', 'signed', 'alternative', 'digest', 'related', 'encrypted'),
      boundary: fc.oneof(token, junk),
      quoted: fc.boolean(),
      params: fc.array(param, { maxLength: 2 }),
      parts: fc.array(tie('entity'), { maxLength: 4 }),
      pre: junk,
      epi: junk,
      close: fc.boolean(),
      pad: fc.constantFrom('', ' ', '\t \t'),
      lf: fc.boolean(),
    })
    .map((r) => {
      const bd = r.quoted ? `"${r.boundary}"` : r.boundary;
      const parts = r.parts.map((p) => `\r\n--${r.boundary}${r.pad}\r\n${p.text}`).join('');
      const close = r.close ? `\r\n--${r.boundary}--${r.pad}\r\n${r.epi}` : '';
      return { text: fixEol(`Content-Type: multipart/${r.sub}; boundary=${bd}${r.params.join('')}\r\n\r\n${r.pre}${parts}${close}`, r.lf) };
    }),
}));

function fixEol(s: string, lf: boolean): string {
  return lf ? s.replace(/\r\n/g, '\n') : s;
}

export const mimeArbitrary: fc.Arbitrary<Uint8Array> = fc
  .tuple(fc.array(header, { maxLength: 4 }), mimeTree.entity)
  .map(([hs, e]) => fromLatin1(`MIME-Version: 1.0\r\n${hs.join('')}${e.text}`));

// DER/BER: a tree of TLVs with definite (short and long form) or indefinite lengths, and CMS skeletons.

interface Tlv {
  bytes: Uint8Array;
}

function encodeLength(n: number, form: number): number[] {
  if (form === 0 && n < 128) return [n];
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  if (out.length === 0) out.push(0);
  return [0x80 | out.length, ...out];
}

function tlv(tag: number, content: Uint8Array, form: number): Uint8Array {
  if (form === 2 && (tag & 0x20) !== 0) return Uint8Array.from([tag, 0x80, ...content, 0, 0]);
  return Uint8Array.from([tag, ...encodeLength(content.length, form), ...content]);
}

const cat = (parts: readonly Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

const OIDS = [
  '2a864886f70d010701', '2a864886f70d010702', '2a864886f70d010703', '2a864886f70d0109100117', '2a864886f70d010101', '2a864886f70d01010b',
  '608648016503040201', '60864801650304012a', '60864801650304012e', '2a8648ce3d0201', '2a864886f70d010903', '2a864886f70d010904', '2a864886f70d010905',
  '2a864886f70d01090f', '2b0e03021a', '2a864886f70d010107', '2a864886f70d01010a', '2a864886f70d0109100313', '2b8104000b', '2a864886f70d010c0a0101',
].map((h) => Uint8Array.from(h.match(/../g)!.map((x) => parseInt(x, 16))));

const primitive = fc.oneof(
  fc.tuple(fc.constantFrom(0x02, 0x04, 0x03, 0x05, 0x0c, 0x13, 0x16, 0x17, 0x18, 0x1e, 0x80, 0x81, 0x82, 0x86, 0x01, 0x0a), fc.uint8Array({ maxLength: 24 })),
  fc.tuple(fc.constant(0x06), fc.constantFrom(...OIDS)),
  fc.tuple(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 8 })),
);

const derTree = fc.letrec<{ node: Tlv }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(primitive, fc.integer({ min: 0, max: 1 })).map(([[tag, c], form]) => ({ bytes: tlv(tag & ~0x20, c, form) })),
    fc
      .tuple(fc.constantFrom(0x30, 0x31, 0xa0, 0xa1, 0xa2, 0xa3, 0x24, 0x23, 0x2c, 0xa4), fc.array(tie('node'), { maxLength: 5 }), fc.integer({ min: 0, max: 2 }))
      .map(([tag, kids, form]) => ({ bytes: tlv(tag, cat(kids.map((k) => k.bytes)), form) })),
  ),
}));

/** ContentInfo { contentType OID, [0] EXPLICIT content } around a random tree (SignedData, EnvelopedData …). */
export const derArbitrary: fc.Arbitrary<Uint8Array> = fc.oneof(
  derTree.node.map((n) => n.bytes),
  fc.tuple(fc.constantFrom(...OIDS.slice(0, 4)), fc.array(derTree.node, { maxLength: 6 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 3 })).map(([oid, kids, form, version]) =>
    tlv(0x30, cat([tlv(0x06, oid, 0), tlv(0xa0, tlv(0x30, cat([tlv(0x02, Uint8Array.of(version), 0), ...kids.map((k) => k.bytes)]), form), form)]), form),
  ),
);

export const pemArbitrary: fc.Arbitrary<Uint8Array> = fc
  .tuple(
    fc.array(fc.tuple(fc.constantFrom('CERTIFICATE', 'PRIVATE KEY', 'ENCRYPTED PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'PKCS7', 'TRUSTED CERTIFICATE', 'X509 CERTIFICATE', 'CMS', 'JUNK'), derArbitrary, fc.boolean(), fc.constantFrom('', 'Proc-Type: 4,ENCRYPTED\nDEK-Info: DES-EDE3-CBC,0011223344556677\n\n')), { minLength: 1, maxLength: 3 }),
    fc.constantFrom('\n', '\r\n'),
  )
  .map(([blocks, eol]) =>
    utf8(blocks.map(([label, der, closed, hdr]) => `-----BEGIN ${label}-----${eol}${hdr}${toBase64(der, 64).replace(/\r\n/g, eol)}${eol}${closed ? `-----END ${label}-----${eol}` : ''}`).join('')),
  );

const policyValue = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('always', 'never', 'domains', 'SoftBlock', 'Block', 'SHA-1', 'SHA-256', '*.example.com', 'xn--', 'münchen.example', '-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----'));
export const policyArbitrary: fc.Arbitrary<Uint8Array> = fc
  .record(
    {
      version: fc.oneof(fc.constant(1), policyValue),
      signing: fc.dictionary(fc.constantFrom('alwaysSign', 'digest', 'allowSha1'), policyValue),
      encryption: fc.dictionary(fc.constantFrom('required', 'domains', 'cipher'), fc.oneof(policyValue, fc.array(fc.oneof(token, junk), { maxLength: 5 }))),
      trust: fc.dictionary(fc.constantFrom('anchors', 'mozillaRoots', 'useMozillaRoots'), fc.oneof(policyValue, fc.array(policyValue, { maxLength: 3 }))),
      sendGuard: fc.dictionary(fc.constantFrom('mode'), policyValue),
      algorithms: fc.dictionary(fc.constantFrom('minRsaBits', 'allowInsecureSha1', 'digests'), policyValue),
      junk: fc.jsonValue({ maxDepth: 3 }),
    },
    { requiredKeys: [] },
  )
  .map((o) => utf8(JSON.stringify(o)));

// ---------------------------------------------------------------------------------------------------
// Mutation and stretching.

export const STRETCH_MIN = 512 * 1024;
export const STRETCH_MAX = 1024 * 1024;

/** One to eight stacked byte-level mutations (flip, set, insert, delete, duplicate, dictionary insert, splice). */
export function mutate(rng: Rng, input: Uint8Array, dict: readonly Uint8Array[], other: Uint8Array | null): Uint8Array {
  let b = input.length > 0 ? input : Uint8Array.of(0);
  const count = 1 + rng.int(8);
  for (let k = 0; k < count; k++) {
    const at = rng.int(b.length + 1);
    switch (rng.int(8)) {
      case 0: {
        if (b.length === 0) break;
        const c = b.slice();
        const i = Math.min(at, c.length - 1);
        c[i] = c[i]! ^ (1 << rng.int(8));
        b = c;
        break;
      }
      case 1: {
        if (b.length === 0) break;
        const c = b.slice();
        c[Math.min(at, c.length - 1)] = rng.pick([0, 0xff, 0x80, 0x7f, 0x0a, 0x0d, 0x20, 0x2d, 0x3d, 0x22, 0x28, 0x30, 0x00, rng.int(256)]);
        b = c;
        break;
      }
      case 2:
        b = cat([b.subarray(0, at), Uint8Array.from({ length: 1 + rng.int(8) }, () => rng.int(256)), b.subarray(at)]);
        break;
      case 3:
        b = cat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + rng.int(64)))]);
        break;
      case 4: {
        const len = 1 + rng.int(Math.min(256, Math.max(1, b.length - at)));
        const chunk = b.subarray(at, at + len);
        b = cat([b.subarray(0, at), chunk, chunk, b.subarray(at)]);
        break;
      }
      case 5:
      case 6:
        b = cat([b.subarray(0, at), rng.pick(dict), b.subarray(at)]);
        break;
      default:
        if (other !== null && other.length > 0) {
          const from = rng.int(other.length);
          b = cat([b.subarray(0, at), other.subarray(from, from + 1 + rng.int(4096))]);
        }
    }
  }
  return b;
}

/**
 * Repeats a run of the input (or a dictionary token) until the input is 512 KB to 1 MB: long runs of
 * spaces, `=`, `(`, `--`, delimiter lines, nested DER headers … in place, the rest of the input kept.
 */
export function stretch(rng: Rng, input: Uint8Array, dict: readonly Uint8Array[]): Uint8Array {
  const targetLen = STRETCH_MIN + rng.int(STRETCH_MAX - STRETCH_MIN);
  const at = rng.int(input.length + 1);
  const unit = rng.chance(0.5) || input.length === 0 ? rng.pick(dict) : input.subarray(at, at + 1 + rng.int(Math.min(16, input.length - at || 1)));
  const u = unit.length > 0 ? unit : Uint8Array.of(0x20);
  const reps = Math.max(1, Math.floor((targetLen - input.length) / u.length));
  const run = new Uint8Array(reps * u.length);
  for (let i = 0; i < reps; i++) run.set(u, i * u.length);
  return cat([input.subarray(0, at), run, input.subarray(at)]).subarray(0, STRETCH_MAX);
}

/** A batch of structured samples from an arbitrary, reproducible from `seed`. */
export function sample(arb: fc.Arbitrary<Uint8Array>, seed: number, n: number): Uint8Array[] {
  return fc.sample(arb, { seed, numRuns: n });
}
