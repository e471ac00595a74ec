import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromBase64, toBase64, utf8, fromHex, toHex } from '../../src/core/bytes.js';
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
