import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ecdsaDerToRaw, ecdsaRawToDer, ecCoordinateLength } from '../../../src/core/cms/ecdsa-signature.js';
import { isSignetError } from '../../../src/core/errors.js';
import { provider } from './helpers.js';

test('coordinate lengths: P-256 32, P-384 48, P-521 66', () => {
  assert.deepEqual([256, 384, 521].map(ecCoordinateLength), [32, 48, 66]);
});

test('raw → DER strips leading zeros and adds a sign octet when the top bit is set', () => {
  const raw = new Uint8Array(64);
  raw[31] = 0x01; // r = 1
  raw[32] = 0x80; // s has its top bit set
  const der = ecdsaRawToDer(raw);
  assert.deepEqual([...der.subarray(0, 7)], [0x30, 0x26, 0x02, 0x01, 0x01, 0x02, 0x21]);
  assert.equal(der[7], 0x00);
  assert.deepEqual(ecdsaDerToRaw(der, 32), raw);
});

test('P-521: 66-byte halves survive DER round trips, including a short r', () => {
  const raw = new Uint8Array(132);
  raw[0] = 0x01; // the top 7 bits of a P-521 coordinate are zero: first byte at most 0x01
  raw.fill(0xab, 1, 66);
  raw.fill(0, 66, 70); // s with leading zeros
  raw.fill(0x7f, 70);
  assert.deepEqual(ecdsaDerToRaw(ecdsaRawToDer(raw), 66), raw);
});

test('DER parsing is strict: trailing data, negative or oversized INTEGERs are signature-invalid', () => {
  const good = ecdsaRawToDer(new Uint8Array(64).fill(0x11));
  const bad = [
    Uint8Array.from([...good, 0x00]),
    Uint8Array.of(0x30, 0x06, 0x02, 0x01, 0x81, 0x02, 0x01, 0x01),
    Uint8Array.of(0x30, 0x07, 0x02, 0x02, 0x00, 0x01, 0x02, 0x01, 0x01),
    ecdsaRawToDer(new Uint8Array(66).fill(0x22)),
  ];
  for (const b of bad) assert.throws(() => ecdsaDerToRaw(b, 32), (e) => isSignetError(e, 'signature-invalid'));
});

for (const [curve, len] of [['P-256', 32], ['P-384', 48], ['P-521', 66]] as const) {
  test(`WebCrypto ${curve} signatures survive raw → DER → raw (50 signatures, some with short r or s)`, async () => {
    const subtle = provider.crypto.subtle;
    const kp = (await subtle.generateKey({ name: 'ECDSA', namedCurve: curve }, false, ['sign', 'verify'])) as CryptoKeyPair;
    const data = new TextEncoder().encode('data');
    for (let i = 0; i < 50; i++) {
      const raw = new Uint8Array(await subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, kp.privateKey, data));
      assert.equal(raw.length, 2 * len);
      const back = ecdsaDerToRaw(ecdsaRawToDer(raw), len);
      assert.deepEqual(back, raw);
      assert.ok(await subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, kp.publicKey, back, data));
    }
  });
}
