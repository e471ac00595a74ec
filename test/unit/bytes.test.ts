import { test } from 'node:test';
import assert from 'node:assert/strict';
import { base64EncodeStream, fromBase64, fromBase64InPlace, indexOfByte, indexOfBytes, outsideScanner, PieceReader, setByteSearch, toBase64, utf8, fromHex, toHex } from '../../src/core/bytes.js';
import { SignetError } from '../../src/core/errors.js';

test('base64 round-trips every length and folds at 76 with CRLF', () => {
  for (let n = 0; n < 200; n++) {
    const b = new Uint8Array(n).map((_, i) => (i * 37 + n) & 0xff);
    assert.deepEqual(fromBase64(toBase64(b, 76)), b);
    assert.equal(toBase64(b), Buffer.from(b).toString('base64'));
  }
  const folded = toBase64(new Uint8Array(100), 76);
  assert.equal(folded.split('\r\n')[0]!.length, 76);
});

test('base64 rejects characters outside the alphabet with malformed-base64', () => {
  assert.throws(() => fromBase64('QUJD*'), (e: unknown) => e instanceof SignetError && e.code === 'malformed-base64');
  assert.throws(() => fromBase64('QUJD=QQ'), (e: unknown) => e instanceof SignetError && e.code === 'malformed-base64');
});

test('hex round trip', () => {
  assert.equal(toHex(fromHex('00ff10')), '00ff10');
  assert.deepEqual(utf8('é'), new Uint8Array([0xc3, 0xa9]));
});

test('the fast base64 path (large input, 76-column lines) matches Node for every tail length', () => {
  for (const n of [3072, 3073, 3074, 3075, 57 * 100, 57 * 100 + 1, 100_003]) {
    const b = new Uint8Array(n).map((_, i) => (i * 131 + 7) & 0xff);
    const expected = Buffer.from(b).toString('base64').replace(/.{76}(?!$)/g, '$&\r\n');
    assert.equal(toBase64(b, 76), expected, `length ${n}`);
  }
});

test('the unfolded fast base64 path matches Node for every tail length; toBase64 prefers the native method', () => {
  for (const n of [3071, 3072, 3073, 3074, 3075, 100_000, 100_001, 100_002]) {
    const b = new Uint8Array(n).map((_, i) => (i * 97 + 13) & 0xff);
    assert.equal(toBase64(b), Buffer.from(b).toString('base64'), `length ${n}`);
  }
  // Where the runtime has Uint8Array.prototype.toBase64 (TC39, Chromium), the unfolded form is its answer.
  const u = new Uint8Array([1, 2, 3]);
  Object.defineProperty(u, 'toBase64', { value: () => 'native' });
  assert.equal(toBase64(u), 'native');
  assert.equal(toBase64(u, 76), 'AQID', 'folded output is always the core encoder');
});

async function collect(it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const out: Uint8Array[] = [];
  for await (const c of it) out.push(Buffer.from(c)); // copied: with reuse the buffer changes underneath
  return Buffer.concat(out);
}

test('base64EncodeStream over pieces equals base64Encode of their concatenation, in whole-line chunks', async () => {
  const whole = new Uint8Array(2_000_003).map((_, i) => (i * 2654435761) >>> 24);
  // Pieces that straddle the 57-byte line groups and the ~768 KB blocks, including empty ones, a piece
  // holding more than a whole block, and an async source like the streamed ciphertext.
  const cuts = [0, 0, 1, 58, 786_431, 786_432, 1_500_000, 2_000_000, 2_000_003];
  const parts = cuts.slice(1).map((c, i) => whole.subarray(cuts[i]!, c));
  async function* slowly(): AsyncGenerator<Uint8Array> {
    for (const p of [whole.subarray(0, 10), whole.subarray(10)]) yield p;
  }
  for (const line of [76, 64, 0]) {
    const expected = toBase64(whole, line);
    for (const reuse of [false, true]) {
      assert.equal((await collect(base64EncodeStream(parts, line, reuse))).toString('latin1'), expected, `line length ${line}, reuse ${reuse}`);
      assert.equal((await collect(base64EncodeStream(slowly(), line, reuse))).toString('latin1'), expected);
    }
    let chunks = 0;
    for await (const c of base64EncodeStream([whole], line)) if (c.length > 2) chunks++;
    assert.ok(chunks > 2, 'produced in several chunks');
  }
  assert.equal((await collect(base64EncodeStream([], 76))).length, 0);
  assert.equal((await collect(base64EncodeStream([Uint8Array.of(1)], 76))).toString('latin1'), 'AQ==');
});

test('PieceReader gives views inside a piece and gathered copies across pieces', () => {
  const a = Uint8Array.of(1, 2, 3);
  const b = Uint8Array.of(4, 5);
  const r = new PieceReader([a, new Uint8Array(0), b]);
  const first = r.take(2);
  assert.equal(first.buffer, a.buffer, 'a view, not a copy');
  assert.deepEqual([...r.take(2)], [3, 4]);
  assert.deepEqual([...r.take(1)], [5]);
  assert.equal(r.remaining, 0);
});

test("the CLI's byte search (Node's Buffer.prototype.indexOf on plain Uint8Arrays) agrees with TypedArray.indexOf", async () => {
  // The CLI installs it at load (src/cli/main.ts); importing main installs it here too.
  await import('../../src/cli/main.js');
  const seen: number[] = [];
  setByteSearch((h, v, from) => {
    seen.push(v);
    return Buffer.prototype.indexOf.call(h, v, from);
  });
  try {
    let seed = 7;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 8;
    for (let round = 0; round < 200; round++) {
      const buf = new Uint8Array(64 + (rnd() % 64)).map(() => rnd() % 8);
      // A view at an odd offset into a larger buffer: the search must honour byteOffset and length.
      const view = buf.subarray(3 + (rnd() % 5), buf.length - (rnd() % 5));
      const value = rnd() % 9;
      for (const from of [0, 1, rnd() % view.length, view.length - 1, view.length, view.length + 3]) {
        assert.equal(indexOfByte(view, value, from), view.indexOf(value, from), `value ${value} from ${from}`);
      }
      const needle = view.subarray(rnd() % 10, 10 + (rnd() % 4));
      const plain = (() => {
        outer: for (let i = 0; i + needle.length <= view.length; i++) {
          for (let k = 0; k < needle.length; k++) if (view[i + k] !== needle[k]) continue outer;
          return i;
        }
        return -1;
      })();
      assert.equal(indexOfBytes(view, needle), plain);
    }
    assert.ok(seen.length > 1000, 'the installed search was the one used');
  } finally {
    setByteSearch((h, v, from) => h.indexOf(v, from));
  }
});

test('a multi-byte search finds the first match at or after `from`, whichever needle byte it scans for', () => {
  // Alphabets mixing bytes common in mail ("-", letters, CRLF) with rare ones ("_", ":"), so that the byte the
  // search scans for is sometimes the needle's first, sometimes a later one, sometimes none is rare.
  let seed = 11;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 8;
  const alphabets = ['-_a', '-a\r\n', '_:-', 'ab-=', '-'].map((a) => Uint8Array.from(a, (c) => c.charCodeAt(0)));
  const plain = (hay: Uint8Array, needle: Uint8Array, from: number): number => {
    outer: for (let i = Math.max(0, from); i + needle.length <= hay.length; i++) {
      for (let k = 0; k < needle.length; k++) if (hay[i + k] !== needle[k]) continue outer;
      return i;
    }
    return -1;
  };
  let found = 0;
  for (let round = 0; round < 3000; round++) {
    const abc = alphabets[round % alphabets.length]!;
    const buf = new Uint8Array(40 + (rnd() % 80)).map(() => abc[rnd() % abc.length]!);
    const view = buf.subarray(rnd() % 4, buf.length - (rnd() % 4));
    const needle = round % 3 === 0 ? view.slice(rnd() % 20, 21 + (rnd() % 6)) : new Uint8Array(1 + (rnd() % 5)).map(() => abc[rnd() % abc.length]!);
    for (const from of [0, rnd() % view.length, view.length - needle.length, view.length + 2]) {
      const want = plain(view, needle, from);
      if (want >= 0) found++;
      assert.equal(indexOfBytes(view, needle, from), want, `needle ${JSON.stringify(String.fromCharCode(...needle))} from ${from}`);
    }
  }
  assert.ok(found > 3000, `matches were found (${found}), not only misses`);
  assert.equal(indexOfBytes(utf8('2026-12-07,INV-1\r\n----=_signet_ab'), utf8('----=_signet_ab')), 18);
  assert.equal(indexOfBytes(utf8('----=_signet_a'), utf8('----=_signet_ab')), -1);
});

test('outsideScanner finds the first byte below lo or above 0x7F from any offset, in views at any alignment', () => {
  let seed = 5;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 8;
  // Mostly printable text, with line breaks, controls, NUL, DEL and 8-bit bytes sprinkled at random rates.
  const pick = (rare: number): number => {
    const r = rnd() % 1000;
    if (r < rare) return [0x00, 0x09, 0x0a, 0x0d, 0x1f, 0x7f, 0x80, 0xc3, 0xff][rnd() % 9]!;
    return 0x20 + (rnd() % 0x5f);
  };
  let hits = 0;
  for (let round = 0; round < 400; round++) {
    const rare = [0, 2, 20, 200, 1000][round % 5]!;
    const buf = new Uint8Array(1 + (rnd() % 200)).map(() => pick(rare));
    const view = buf.subarray(rnd() % 4, buf.length - (rnd() % Math.min(4, buf.length)));
    for (const lo of [1, 0x0e, 0x20, 0x80]) {
      const next = outsideScanner(view, lo);
      for (let from = 0; from <= view.length + 1; from++) {
        let want = view.length;
        for (let i = from; i < view.length; i++) {
          if (view[i]! < lo || view[i]! > 0x7f) {
            want = i;
            break;
          }
        }
        if (want < view.length) hits++;
        assert.equal(next(from), want, `lo ${lo} from ${from} in ${JSON.stringify([...view])}`);
      }
    }
  }
  assert.ok(hits > 10_000, `found bytes were checked too (${hits})`);
});

test('base64 decoded in place equals the copying decoder, byte for byte, into the caller\'s own buffer', () => {
  const samples: string[] = ['', 'QQ==', 'QUI=', 'QUJD', 'Q Q\t= =', 'QUJD\r\nREVG\r\n', ' \r\n'];
  for (let n = 0; n < 300; n += 7) {
    const b = new Uint8Array(n).map((_, i) => (i * 131 + n) & 0xff);
    samples.push(toBase64(b, 76), toBase64(b, 76).replace(/\r\n/g, '\n'), toBase64(b).split('').join(' '), toBase64(b, 64) + '\r\n\r\n');
  }
  samples.push(toBase64(new Uint8Array(100_003).map((_, i) => (i * 2654435761) >>> 24), 76));
  for (const s of samples) {
    const input = utf8(s);
    const copy = input.slice();
    const out = fromBase64InPlace(input);
    assert.deepEqual(out, fromBase64(copy), JSON.stringify(s.slice(0, 40)));
    assert.equal(out.buffer, input.buffer);
    assert.equal(out.byteOffset, input.byteOffset);
    // Past the result, the input's bytes are left as they were.
    assert.deepEqual(input.subarray(out.length), copy.subarray(out.length));
  }
  // A view in the middle of a larger buffer: nothing before or after the view is written.
  const whole = utf8('XXXX' + toBase64(utf8('hello, world'), 76) + 'YYYY');
  const out = fromBase64InPlace(whole.subarray(4, whole.length - 4));
  assert.equal(new TextDecoder().decode(out), 'hello, world');
  assert.equal(new TextDecoder().decode(whole.subarray(0, 4)) + new TextDecoder().decode(whole.subarray(whole.length - 4)), 'XXXXYYYY');
});

test('malformed base64 decoded in place fails with the copying decoder\'s malformed-base64', () => {
  for (const bad of ['QUJD*', 'QUJD=QQ', 'QUJDR', 'QQ===', 'QUJD\u00e9', 'QUJDREVG-A==']) {
    const codeOf = (f: () => unknown): string => {
      try {
        f();
        return 'none';
      } catch (e) {
        return e instanceof SignetError ? e.code : 'other';
      }
    };
    const expected = codeOf(() => fromBase64(utf8(bad)));
    assert.equal(expected, 'malformed-base64', bad);
    assert.equal(codeOf(() => fromBase64InPlace(utf8(bad))), expected, bad);
  }
});
