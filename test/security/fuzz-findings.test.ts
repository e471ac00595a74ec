// Findings of the fuzz campaigns (test/fuzz/, `npm run fuzz`) and of the issue 13 regular-expression review
// in modules outside the MIME parser: each test is the minimal reproduction and the outcome ARCHITECTURE.md rule 9
// requires (a typed SignetError, within a time bound), kept as a regression test now that each is fixed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { webcrypto } from 'node:crypto';
import { childrenOf, parseAsn1 } from '../../src/core/asn1.js';
import { toBase64 } from '../../src/core/bytes.js';
import { resolveConfig } from '../../src/core/config.js';
import { cryptoProvider } from '../../src/core/crypto.js';
import { isSignetError, type ErrorCode } from '../../src/core/errors.js';
import { certificatesFromResponse } from '../../src/core/pki/aia.js';
import { derOrPem } from '../../src/core/pki/revocation/common.js';
import { openMessage } from '../../src/core/smime/open.js';
import { loadCertificates, loadIdentities } from '../../src/keys/identity-file.js';
import { parseMsgIds } from '../../src/compose/build.js';
import { serverText } from '../../src/outlook/transport/transport.js';
import { testPki, PASS } from '../helpers/pki.js';

const limits = resolveConfig({}).limits;
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const code = (c: ErrorCode) => (e: unknown) => isSignetError(e, c);

function cpuMs(run: () => unknown): number {
  const t0 = process.cpuUsage();
  run();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000;
}

async function cpuMsAsync(run: () => Promise<unknown>): Promise<number> {
  const t0 = process.cpuUsage();
  await run();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000;
}

// F1 (src/core/asn1.ts childrenOf, reached from src/keys/pem.ts certificatesFromPkcs7): asn1js keeps the
// value of a constructed string type (UTF8String 0x2c, PrintableString 0x33, IA5String 0x36, BMPString
// 0x3e …) as a string, not an array, so `value.filter` throws a TypeError out of loadCertificates.
test('fuzz F1: childrenOf a constructed string element is malformed-asn1, not a TypeError', () => {
  for (const tag of [0x2c, 0x33, 0x36, 0x3e]) {
    const node = parseAsn1(Uint8Array.of(tag, 0x00), limits);
    assert.throws(() => childrenOf(node), code('malformed-asn1'), `tag 0x${tag.toString(16)}`);
  }
});

test('fuzz F1: a PKCS7 PEM block holding a constructed UTF8String is refused with malformed-asn1 by loadCertificates', () => {
  // The fuzzer's minimised input, and the same with a clean base64 body (DER 2c 00).
  for (const pem of ['-----BEGIN PKCS7-----e:,\nLIC-----END PKCS7-----', '-----BEGIN PKCS7-----\nLAA=\n-----END PKCS7-----\n']) {
    assert.throws(() => loadCertificates(enc(pem)), code('malformed-asn1'));
  }
});

test('fuzz F1: a PKCS#12 file whose MacData is a constructed UTF8String is refused as damaged-file (src/keys/pkcs12.ts macMatches)', async () => {
  // PFX { version 3, authSafe ContentInfo { id-data, [0] { OCTET STRING { SEQUENCE {} } } }, MacData 2c 00 }
  const idData = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01];
  const authSafe = [0x30, 0x11, ...idData, 0xa0, 0x04, 0x04, 0x02, 0x30, 0x00];
  const body = [0x02, 0x01, 0x03, ...authSafe, 0x2c, 0x00];
  const pfx = Uint8Array.from([0x30, body.length, ...body]);
  const provider = cryptoProvider(webcrypto as unknown as Crypto);
  await assert.rejects(loadIdentities(pfx, 'x', provider), code('damaged-file'));
});

// F2 (src/core/asn1.ts parseAsn1 over asn1js): linear, but asn1js spends 2-3 µs of CPU per input byte
// on small elements (~5-7 µs per element: empty OCTET STRINGs, NULLs, short INTEGERs, OIDs, RELATIVE-OIDs),
// and maxAsn1Nodes (400 000) lets an 800 KB ContentInfo of them run to its end: 1.7-2.3 s of CPU per parse
// (CPU time; 5-16 s wall time on the loaded 2-core machine), and the CMS paths parse the same bytes more
// than once. openMessage parses an encrypted message's DER whenever the user has an identity. The fuzz
// campaign saw it as hangs (cms harness > 20 s). A node limit proportional to the input (legitimate large
// content is a few chunks of 1-4 KiB per node) would bound it; the bound asserted is 1 s of CPU.
const BOMB_HEAD = [0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x03, 0xa0, 0x80, 0x30, 0x80];
function bomb(total: number, unit: readonly number[]): Uint8Array {
  const n = Math.floor((total - BOMB_HEAD.length) / unit.length);
  const der = new Uint8Array(BOMB_HEAD.length + n * unit.length);
  der.set(BOMB_HEAD);
  for (let i = 0; i < n; i++) der.set(unit, BOMB_HEAD.length + i * unit.length);
  return der;
}
const BOMBS: [string, number[]][] = [
  ['RELATIVE-OIDs of 23 sub-identifiers', [0x0d, 0x17, ...Array<number>(23).fill(0x0d)]],
  ['OIDs of 23 sub-identifiers', [0x06, 0x17, ...Array<number>(23).fill(0x01)]],
  ['empty OCTET STRINGs', [0x04, 0x00]],
  // Found by the final campaign's slowest cms input class: asn1js decodes these strings character by character.
  ['BMPStrings of one character', [0x1e, 0x02, 0x00, 0x41]],
  ['UniversalStrings of one character', [0x1c, 0x04, 0x00, 0x00, 0x00, 0x41]],
];

test('fuzz F2: 800 KB ASN.1 element bombs are parsed or refused within 1 s of CPU time', () => {
  for (const [what, unit] of BOMBS) {
    const der = bomb(800_000, unit);
    const ms = cpuMs(() => {
      try {
        parseAsn1(der, limits, { allowTrailingData: true });
      } catch (e) {
        if (!isSignetError(e)) throw e;
      }
    });
    assert.ok(ms < 1000, `${what}: parseAsn1 took ${ms.toFixed(0)} ms of CPU time`);
  }
});

test('fuzz F2: an encrypted message of 800 KB of empty elements gets its verdict within 1.5 s of CPU time', async () => {
  const pki = testPki();
  const provider = cryptoProvider(webcrypto as unknown as Crypto);
  const bob = await loadIdentities(new Uint8Array(readFileSync(pki.users.bob.p12Path)), PASS, provider);
  const der = bomb(800_000, BOMBS[2]![1]);
  const msg = enc(`From: a@b.example\r\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data\r\nContent-Transfer-Encoding: base64\r\n\r\n${toBase64(der, 76)}\r\n`);
  let status = '';
  const ms = await cpuMsAsync(async () => {
    status = (await openMessage(msg, { anchors: [], identities: bob, offline: true, provider })).verdict.status;
  });
  assert.equal(status, 'decryption-failed');
  assert.ok(ms < 1500, `openMessage took ${ms.toFixed(0)} ms of CPU time`);
});

// F3 (src/core/pki/aia.ts certificatesFromResponse, src/core/pki/revocation/common.ts derOrPem; found by the
// issue 13 regex review, not caught by eslint-plugin-regexp): /-----BEGIN …-----([\s\S]*?)-----END …-----/
// is retried at every BEGIN line and each try scans to the end of the text when no END follows, so the
// work is quadratic: 8 000 BEGIN lines (216 KB) took 5 s, 16 000 (432 KB) 28 s. A caIssuers response
// (up to AIA maxBytes, 256 KB) and a CRL (up to 64 MB read as text) come from URLs an attacker's
// certificate names. An indexOf scan from each BEGIN to its END is linear.
/** CPU time of `run(make(8n))` over `run(make(n))`, medians of three: linear work stays near 8. */
function growth(n: number, make: (n: number) => Uint8Array, run: (b: Uint8Array) => unknown): number {
  const once = (b: Uint8Array): number =>
    cpuMs(() => {
      try {
        run(b);
      } catch (e) {
        if (!isSignetError(e)) throw e;
      }
    });
  const small = make(n);
  const large = make(8 * n);
  const median = (b: Uint8Array): number => [once(b), once(b), once(b)].sort((x, y) => x - y)[1]!;
  return median(large) / Math.max(median(small), 0.5);
}

test('fuzz F3: a caIssuers response of PEM BEGIN lines without END costs linear time (8× the lines, < 20× the time)', () => {
  // 1 000 and 8 000 lines: 27 KB and 216 KB, within AIA maxBytes (256 KB).
  const ratio = growth(1000, (n) => enc('-----BEGIN CERTIFICATE-----'.repeat(n)), (b) => certificatesFromResponse(b, limits));
  assert.ok(ratio < 20, `certificatesFromResponse: 8× the input took ${ratio.toFixed(1)}× the CPU time`);
});

test('fuzz F3: a CRL download of PEM BEGIN lines without END costs linear time (8× the lines, < 20× the time)', () => {
  const ratio = growth(1000, (n) => enc('-----BEGIN X509 CRL-----'.repeat(n)), (b) => derOrPem(b, 'X509 CRL'));
  assert.ok(ratio < 20, `derOrPem: 8× the input took ${ratio.toFixed(1)}× the CPU time`);
});

// F4 (src/keys/pem.ts parsePemBlocks, found by the issue 13 regex review; eslint-plugin-regexp flags it):
// the RFC 1421 header pattern /^\s*([A-Za-z-]+):\s*(.*)\r?\n/ backtracks between `\s*` and `.*` on a line
// with no line break: a block line `a:` + 40 000 spaces + `x` took 5.9 s. PEM files come from outside
// (a correspondent's certificate to import, `--trust CA.pem`).
test('fuzz F4: a PEM block with a long header-like line costs linear time (8× the line, < 20× the time)', () => {
  const pem = (n: number): Uint8Array => enc(`-----BEGIN CERTIFICATE-----\na:${' '.repeat(n)}x-----END CERTIFICATE-----\n`);
  const ratio = growth(4000, pem, (b) => loadCertificates(b));
  assert.ok(ratio < 20, `loadCertificates: 8× the line took ${ratio.toFixed(1)}× the CPU time`);
});

// Found by the same review outside src/core: the msg-id pattern of replies (an "@" on both sides of the
// split: `<` + 40 000 "@" took 8 s) and the markup stripper for server error text (`<[^>]*>` retried at
// every "<" of a text with no ">"). Both are linear now.
test('regex review: In-Reply-To msg-ids and server error text cost linear time (8× the input, < 20× the time)', () => {
  const dec = new TextDecoder();
  const ids = growth(5000, (n) => enc(`<${'@'.repeat(n)}`), (b) => parseMsgIds(dec.decode(b)));
  assert.ok(ids < 20, `parseMsgIds: 8× the input took ${ids.toFixed(1)}× the CPU time`);
  assert.deepEqual(parseMsgIds('<a@b> junk <c@@d> <e.f@g.h>'), ['<a@b>', '<e.f@g.h>']);
  const text = growth(5000, (n) => enc('<'.repeat(n)), (b) => serverText(dec.decode(b)));
  assert.ok(text < 20, `serverText: 8× the input took ${text.toFixed(1)}× the CPU time`);
  assert.equal(serverText('<b>Quota</b> <i>exceeded</i>'), 'Quota exceeded');
});
