// Linear-time parsing (issue 13, ARCHITECTURE.md rule 9): every parser entry point that reads attacker-controlled
// bytes is fed an adversarial input of n and of 8n bytes, and the work must grow no faster than linearly.
// A quadratic regular expression (or loop) shows up as a ratio near 64; linear code stays near 8. The bound
// is 8 × 2.5 = 20, on medians of CPU time over interleaved repetitions, each batch long enough (calibrated)
// that timer resolution and a stray GC do not decide the outcome.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { fromBase64, fromLatin1 } from '../../../src/core/bytes.js';
import { isSignetError } from '../../../src/core/errors.js';
import { addressKey, parseAddressList, singleFromAddress } from '../../../src/core/mime/address.js';
import { prepareForSigning, splitMessage, toCanonical } from '../../../src/core/mime/canonicalize.js';
import { decodeQuotedPrintable, decodeTransferEncoding } from '../../../src/core/mime/encoding.js';
import {
  decodeEncodedWords,
  decodeHeaderText,
  parseContentDisposition,
  parseContentType,
  parseParameterized,
  unfold,
} from '../../../src/core/mime/headers.js';
import { parseMime, scanHeaderBlock } from '../../../src/core/mime/parser.js';
import { domainKey } from '../../../src/core/idn.js';

/** Growth factor between the small and the large input, and the allowed ratio of their times. */
const GROWTH = 8;
const MAX_RATIO = GROWTH * 2.5;
const REPS = 5;
/** A small batch must take at least this long (ms) to be measured; more iterations are added until it does. */
const MIN_BATCH_MS = 6;

function quietly(run: () => unknown): void {
  try {
    run();
  } catch (e) {
    // Refusing the input (with a typed SignetError) is a fine outcome; how long it took is what counts.
    if (!isSignetError(e)) throw e;
  }
}

// A full collection before each batch, so that garbage left by one batch is not charged to the next.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/**
 * CPU time (ms) of `iterations` runs. CPU time, not wall time: on a loaded machine a long batch is
 * preempted more often than a short one, which would skew the ratio.
 */
function batch(run: () => unknown, iterations: number, collect = true): number {
  if (collect) gc();
  const t0 = process.cpuUsage();
  for (let i = 0; i < iterations; i++) quietly(run);
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Median times of small and large batches, interleaved so that load on the machine hits both alike. */
function measure<T>(small: T, large: T, run: (input: T) => unknown, iterations: number): { ts: number; tl: number } {
  const ts: number[] = [];
  const tl: number[] = [];
  for (let r = 0; r < REPS; r++) {
    ts.push(batch(() => run(small), iterations));
    tl.push(batch(() => run(large), iterations));
  }
  return { ts: median(ts), tl: median(tl) };
}

/**
 * Asserts that `run(make(GROWTH * n))` costs less than MAX_RATIO times `run(make(n))`. Iterations per batch
 * are calibrated on the small input (median batch at least MIN_BATCH_MS of CPU time); the same count runs on the large
 * one. A ratio over the bound is measured up to twice more before it fails: allocation-heavy inputs can
 * hit a promotion or a stall once, but quadratic work (a ratio near 64) fails every time.
 */
function assertLinear<T>(what: string, n: number, make: (n: number) => T, run: (input: T) => unknown, maxRatio = MAX_RATIO): void {
  const small = make(n);
  const large = make(GROWTH * n);
  quietly(() => run(small)); // warm-up (JIT)
  quietly(() => run(large));
  let iterations = 1;
  for (;;) {
    // The least of three runs: one batch slowed by a collection or a compilation must not end the
    // calibration early, leaving batches so short that timer noise decides the ratio (a CI run once
    // measured 1 iteration per batch at 1.5 ms, because the first calibration batch hit a GC).
    const t = Math.min(batch(() => run(small), iterations, false), batch(() => run(small), iterations, false), batch(() => run(small), iterations, false));
    if (t >= MIN_BATCH_MS || iterations >= 1 << 16) break;
    iterations = Math.min(1 << 16, iterations * Math.max(2, Math.ceil((1.5 * MIN_BATCH_MS) / Math.max(t, 0.01))));
  }
  let m = measure(small, large, run, iterations);
  for (let retry = 0; retry < 2 && m.tl / m.ts >= maxRatio; retry++) m = measure(small, large, run, iterations);
  const ratio = m.tl / Math.max(m.ts, 0.001);
  assert.ok(
    ratio < maxRatio,
    `${what}: ${GROWTH}× the input took ${ratio.toFixed(1)}× the time (median ${m.ts.toFixed(1)} ms → ${m.tl.toFixed(1)} ms, ${iterations} iteration(s) per batch); linear work stays below ${maxRatio}×`,
  );
}

const rep = (s: string, n: number): string => s.repeat(Math.max(1, Math.ceil(n / s.length))).slice(0, n);
const bytes = (s: string): Uint8Array => fromLatin1(s);
const N = 8000;

// ---------------------------------------------------------------------------------------------------
// parseMime and the header block (RFC 5322 §2.2, §4.5.8)

test('linear: header value with a long run of spaces or tabs inside (value trimming)', () => {
  for (const ws of [' ', '\t', ' \t', '\r\n ']) {
    assertLinear(`header value ${JSON.stringify(ws)}`, N, (n) => bytes(`Subject: a${rep(ws, n)}b\r\n\r\nbody`), (m) => parseMime(m));
  }
  assertLinear('header value of only white space', N, (n) => bytes(`Subject:${rep(' ', n)}\r\n\r\n`), (m) => parseMime(m));
});

test('linear: header name with white space before a non-space (obsolete WSP before the colon)', () => {
  for (const ws of [' ', '\t']) {
    assertLinear(`header name ${JSON.stringify(ws)}`, N, (n) => bytes(`X${rep(ws, n)}y: v\r\n\r\n`), (m) => parseMime(m));
    assertLinear(`name-like line without colon ${JSON.stringify(ws)}`, N, (n) => bytes(`X${rep(ws, n)}y\r\n\r\n`), (m) => parseMime(m));
  }
});

test('linear: header blocks of many short or CRLF-less lines, folds, colons', () => {
  assertLinear('many header lines', N, (n) => bytes(rep('a: b\r\n', n) + '\r\nbody'), (m) => parseMime(m));
  assertLinear('many folds', N, (n) => bytes('a: b' + rep('\r\n \t', n) + '\r\n\r\n'), (m) => parseMime(m));
  assertLinear('one CRLF-less line', N, (n) => bytes(rep('a', n)), (m) => parseMime(m));
  assertLinear('colons', N, (n) => bytes(rep(':', n) + '\r\n\r\n'), (m) => parseMime(m));
  assertLinear('bare CRs', N, (n) => bytes('a: ' + rep('\r', n) + '\n\n'), (m) => parseMime(m));
  assertLinear('scanHeaderBlock spaces', N, (n) => bytes(`a${rep(' ', n)}b: x${rep(' ', n)}y\n\n`), (m) => scanHeaderBlock(m, 0, 1 << 20));
});

// ---------------------------------------------------------------------------------------------------
// Parameters (RFC 2045 §5.1, RFC 2231)

test('linear: parameter values with white space, comments, quotes, semicolons', () => {
  const cases: [string, (n: number) => string][] = [
    ['spaces then no comment', (n) => `text/plain; charset=a${rep(' ', n)}b`],
    ['spaces before an unclosed comment', (n) => `text/plain; charset=a${rep(' ', n)}(x`],
    ['space-paren runs', (n) => `text/plain; charset=a${rep(' (', n)}`],
    ['space-close-paren runs', (n) => `text/plain; charset=a${rep(' ()', n)}x`],
    ['open parens', (n) => `text/plain${rep('(', n)}`],
    ['unclosed quotes', (n) => `text/plain; a="${rep('\\"', n)}`],
    ['semicolons', (n) => `text/plain${rep(';', n)}`],
    ['equals', (n) => `text/plain; a${rep('=', n)}`],
    ['names without value', (n) => `text/plain; ${rep('a', n)}`],
    ['many parameters', (n) => `text/plain${rep('; a=b', n)}`],
    ['stars', (n) => `text/plain; a${rep('*', n)}=x`],
  ];
  for (const [what, make] of cases) {
    assertLinear(`Content-Type ${what}`, N, make, (v) => parseContentType(v));
  }
  for (const [what, make] of cases.slice(0, 4)) {
    assertLinear(`Content-Disposition ${what}`, N, (n) => make(n).replace('text/plain', 'attachment'), (v) => parseContentDisposition(v));
  }
  assertLinear('parseParameterized CFWS', N, (n) => `x${rep(' (a) ', n)}`, (v) => parseParameterized(v));
});

test('linear: RFC 2231 continuations and extended values', () => {
  assertLinear('many continuations', N, (n) => `text/plain${Array.from({ length: Math.floor(n / 12) }, (_, i) => `; t*${i % 9999}*=%41`).join('')}`, (v) => parseContentType(v));
  assertLinear('percent runs', N, (n) => `text/plain; t*=utf-8''${rep('%', n)}`, (v) => parseContentType(v));
  assertLinear('quote runs', N, (n) => `text/plain; t*=${rep("'", n)}`, (v) => parseContentType(v));
  assertLinear('extended with spaces', N, (n) => `text/plain; t*=utf-8''a${rep('%20', n)}b${rep(' ', n)}c`, (v) => parseContentType(v));
});

// ---------------------------------------------------------------------------------------------------
// The multipart boundary (RFC 2046 §5.1.1) and the delimiter search

test('linear: boundary parameter with inner white space (plain, quoted and RFC 2231) is refused quickly', () => {
  const msg = (param: string): Uint8Array => bytes(`Content-Type: multipart/mixed; ${param}\r\n\r\n--b\r\n\r\nx\r\n--b--\r\n`);
  assertLinear('boundary spaces', N, (n) => msg(`boundary="b${rep(' ', n)}x"`), (m) => parseMime(m));
  assertLinear('boundary tabs', N, (n) => msg(`boundary="b${rep('\t', n)}x"`), (m) => parseMime(m));
  assertLinear('boundary trailing spaces', N, (n) => msg(`boundary="b${rep(' ', n)}"`), (m) => parseMime(m));
  assertLinear('boundary*= spaces', N, (n) => msg(`boundary*=''b${rep('%20', n)}x`), (m) => parseMime(m));
  assertLinear('boundary*0*= continuation spaces', N, (n) => msg(`boundary*0*=''b${rep('%09', n)}; boundary*1=x`), (m) => parseMime(m));
});

test('linear: delimiter search over dash lines, near-boundaries, many parts, nesting', () => {
  const head = 'Content-Type: multipart/mixed; boundary=bnd\r\n\r\n';
  assertLinear('dash-only lines', N, (n) => bytes(head + rep('--\r\n', n)), (m) => parseMime(m));
  assertLinear('near-boundary lines', N, (n) => bytes(head + rep('--bn\r\n--bndx\r\n', n)), (m) => parseMime(m));
  assertLinear('delimiter padded by spaces', N, (n) => bytes(head + '--bnd' + rep(' ', n) + 'x\r\n--bnd--\r\n'), (m) => parseMime(m));
  assertLinear('one long dash line', N, (n) => bytes(head + rep('-', n)), (m) => parseMime(m));
  assertLinear('CRLF-less body', N, (n) => bytes(head + rep('--bnd ', n)), (m) => parseMime(m));
  assertLinear('many empty parts', N, (n) => bytes(head + rep('--bnd\r\n', n) + '--bnd--\r\n'), (m) => parseMime(m, { maxMimeParts: 1 << 20 }));
  assertLinear('nested multiparts', 400, (n) => {
    let s = '';
    for (let i = 0; i < n / 40; i++) s += `--b${i}\r\nContent-Type: multipart/mixed; boundary=b${i + 1}\r\n\r\n`;
    return bytes(`Content-Type: multipart/mixed; boundary=b0\r\n\r\n${s}${rep('--b0\r\n', n)}`);
  }, (m) => parseMime(m, { maxMimeDepth: 1 << 20, maxMimeParts: 1 << 20 }));
});

// ---------------------------------------------------------------------------------------------------
// Addresses (RFC 5322 §3.4) and internationalised domains (RFC 3492)

test('linear: address lists', () => {
  const cases: [string, (n: number) => string][] = [
    ['spaces', (n) => `a${rep(' ', n)}b <a@b>`],
    ['commas', (n) => rep(',', n)],
    ['unclosed comment', (n) => `a@b (${rep('(', n)}`],
    ['comments', (n) => `a@b ${rep('(c)', n)}`],
    ['unclosed quote', (n) => `"${rep('\\"', n)}`],
    ['angle brackets', (n) => `a ${rep('<', n)}`],
    ['many mailboxes', (n) => rep('a@b.c, ', n)],
    ['many dots', (n) => `a${rep('.a', n)}@b${rep('.b', n)}`],
    ['at signs', (n) => rep('@', n)],
    ['group', (n) => `g: ${rep('a@b, ', n)};`],
    ['domain literals', (n) => `a@[${rep(' ', n)}`],
    ['encoded words in the name', (n) => `${rep('=?utf-8?q?a?= ', n)}<a@b>`],
  ];
  // The tokenizer allocates an object per token: once the live tokens outgrow V8's young generation they
  // are promoted, and the cost per byte of the 8n input can be up to 4× that of the n input (measured:
  // 30-140 ns per comma between 8k and 1M commas). Linear still, so these get 8 × 4 = 32; quadratic
  // work would be near 64 and fail all three measurements.
  const ALLOC = GROWTH * 4;
  for (const [what, make] of cases) assertLinear(`parseAddressList ${what}`, N, make, (v) => parseAddressList(v), ALLOC);
  for (const [what, make] of cases.slice(0, 4)) {
    assertLinear(`singleFromAddress ${what}`, N, make, (v) => singleFromAddress([{ name: 'From', value: v }]), ALLOC);
  }
});

test('linear: domain keys of long internationalised labels (Punycode)', () => {
  // Many distinct non-ASCII code points in one label: RFC 3492's encoder is O(label × distinct code points).
  const label = (n: number): string => Array.from({ length: n }, (_, i) => String.fromCodePoint(0x4e00 + i)).join('');
  assertLinear('domainKey distinct code points', 2000, (n) => `${label(n)}.example`, (d) => domainKey(d));
  assertLinear('addressKey distinct code points', 2000, (n) => `a@${label(n)}.example`, (a) => addressKey(a));
  assertLinear('domainKey many labels', N, (n) => rep('ü.', n), (d) => domainKey(d));
  assertLinear('domainKey xn-- labels', N, (n) => rep('xn--a.', n), (d) => domainKey(d));
});

// ---------------------------------------------------------------------------------------------------
// Encoded words (RFC 2047) and header text

test('linear: encoded words', () => {
  const cases: [string, (n: number) => string][] = [
    ['=? runs', (n) => rep('=?', n)],
    ['unclosed word', (n) => `=?utf-8?q?${rep('a', n)}`],
    ['equals in q', (n) => `=?utf-8?q?${rep('=', n)}?=`],
    ['equals in b', (n) => `=?utf-8?b?${rep('=', n)}?=`],
    ['b payload then equals', (n) => `=?utf-8?b?${rep('QUFB', n)}${rep('=', n)}?=`],
    ['adjacent words', (n) => rep('=?utf-8?q?=C3=A9?= ', n)],
    ['words in alternating charsets', (n) => rep('=?utf-8?q?a?= =?iso-8859-1?q?b?= ', n)],
    ['unknown charsets', (n) => rep('=?x-nope?q?a?= ', n)],
    ['question marks', (n) => `=?${rep('?', n)}`],
    ['stars', (n) => `=?utf-8${rep('*', n)}?q?a?=`],
    ['white space gaps', (n) => `=?utf-8?q?a?=${rep(' ', n)}x=?utf-8?q?b?=`],
  ];
  for (const [what, make] of cases) assertLinear(`decodeEncodedWords ${what}`, N, make, (v) => decodeEncodedWords(v));
  for (const [what, make] of cases.slice(0, 4)) {
    assertLinear(`decodeHeaderText ${what}`, N, (n) => make(n) + '\xc3\xa9', (v) => decodeHeaderText(v));
  }
  assertLinear('unfold', N, (n) => rep('a\r\n \r\n', n), (v) => unfold(v));
});

// ---------------------------------------------------------------------------------------------------
// Canonical form (RFC 8551 §3.1) and transfer encodings (RFC 2045 §6.7-6.8)

test('linear: canonicalisation', () => {
  assertLinear('toCanonical bare LFs', N * 8, (n) => bytes(rep('\n', n)), (m) => toCanonical(m));
  assertLinear('toCanonical CRs', N * 8, (n) => bytes(rep('\r', n)), (m) => toCanonical(m));
  assertLinear('splitMessage spaces', N, (n) => bytes(`From: a${rep(' ', n)}b\nContent-Type: text/plain\n\nx`), (m) => splitMessage(m));
  assertLinear('prepareForSigning spaces', N, (n) => bytes(`Content-Type: text/plain; a=b${rep(' ', n)}c\n\n${rep('From \n', n)}`), (m) => prepareForSigning(m));
  assertLinear('prepareForSigning 8bit multipart', N, (n) => bytes(`Content-Type: multipart/mixed; boundary=b\n\n${rep('--b\nContent-Transfer-Encoding: 8bit\n\n\xe9 \n', n)}--b--\n`), (m) => prepareForSigning(m, { maxMimeParts: 1 << 20 }));
  assertLinear('prepareForSigning long lines', N, (n) => bytes(`Content-Type: text/plain\n\n${rep(' ', n)}x`), (m) => prepareForSigning(m));
});

test('linear: quoted-printable and base64 decoding', () => {
  const qp: [string, (n: number) => string][] = [
    ['equals', (n) => rep('=', n)],
    ['equals-space', (n) => rep('= ', n)],
    ['equals then spaces', (n) => '=' + rep(' ', n) + 'x'],
    ['spaces then text', (n) => rep(' ', n) + 'x'],
    ['spaces then CRs', (n) => rep(' \t', n) + rep('\r', n)],
    ['soft breaks', (n) => rep('=\r\n', n)],
    ['bad hex', (n) => rep('=G', n)],
  ];
  for (const [what, make] of qp) {
    assertLinear(`decodeQuotedPrintable ${what}`, N * 8, (n) => bytes(make(n)), (m) => decodeQuotedPrintable(m));
  }
  assertLinear('base64 with white space', N * 8, (n) => bytes(rep('QUJD \r\n\t', n)), (m) => decodeTransferEncoding(m, 'base64'));
  assertLinear('base64 padding runs', N * 8, (n) => bytes('QQ' + rep('=', n)), (m) => decodeTransferEncoding(m, 'base64'));
  assertLinear('fromBase64 string', N * 8, (n) => rep('QUJD', n), (v) => fromBase64(v));
});
