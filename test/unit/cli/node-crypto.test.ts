// The CLI's WebCrypto (src/cli/node-crypto.ts) does large digests and AES-CBC decryptions with node:crypto
// over the caller's bytes: the results must be WebCrypto's, byte for byte, and a bad padding must fail as
// WebCrypto fails (an OperationError), so decrypt.ts still reports one `decryption-failed` for all causes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { nodeCrypto } from '../../../src/cli/node-crypto.js';

const reference = webcrypto.subtle as unknown as SubtleCrypto;

test('large SHA-2 digests and AES-CBC decryptions equal WebCrypto; small ones are WebCrypto', async () => {
  const c = nodeCrypto();
  for (const n of [100, 65_536, 1_000_003, (1 << 19) * 3 + 5]) {
    const data = new Uint8Array(n).map((_, i) => (i * 2654435761) >>> 24);
    for (const h of ['SHA-256', 'SHA-384', 'SHA-512', 'SHA-1']) {
      assert.deepEqual(new Uint8Array(await c.subtle.digest(h, data.subarray(3))), new Uint8Array(await reference.digest(h, data.subarray(3))), `${h} of ${n}`);
    }
    for (const bits of [128, 256]) {
      const key = await c.subtle.importKey('raw', new Uint8Array(bits / 8).fill(9), 'AES-CBC', false, ['encrypt', 'decrypt']);
      const iv = new Uint8Array(16).fill(3);
      const ct = new Uint8Array(await reference.encrypt({ name: 'AES-CBC', iv }, key, data));
      const pt = new Uint8Array(await c.subtle.decrypt({ name: 'AES-CBC', iv }, key, ct));
      assert.equal(pt.length, n);
      assert.ok(Buffer.from(pt).equals(Buffer.from(data)), `AES-${bits}-CBC of ${n}`);
    }
  }
});

test('a large AES-CBC ciphertext with bad padding or under the wrong key fails with an OperationError', async () => {
  const c = nodeCrypto();
  const key = await c.subtle.importKey('raw', new Uint8Array(32).fill(1), 'AES-CBC', false, ['encrypt', 'decrypt']);
  const other = await c.subtle.importKey('raw', new Uint8Array(32).fill(2), 'AES-CBC', false, ['decrypt']);
  const iv = new Uint8Array(16);
  const ct = new Uint8Array(await reference.encrypt({ name: 'AES-CBC', iv }, key, new Uint8Array(200_000).fill(7)));
  const flipped = ct.slice();
  flipped[flipped.length - 17]! ^= 0x55; // changes the last plaintext block: its padding bytes
  for (const [k, data] of [[key, flipped], [other, ct]] as const) {
    await assert.rejects(c.subtle.decrypt({ name: 'AES-CBC', iv }, k, data), (e: unknown) => e instanceof DOMException && e.name === 'OperationError');
  }
});
