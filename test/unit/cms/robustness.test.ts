// Hostile bytes (ARCHITECTURE.md rule 9): mutated and truncated SignedData never crash, hang or verify; every
// failure is a coded SignetError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signContent } from '../../../src/core/cms/sign.js';
import { verifySignedData } from '../../../src/core/cms/verify.js';
import { sequence, setOf, tlv, oid, integer } from '../../../src/core/der.js';
import { isSignetError, SignetError } from '../../../src/core/errors.js';
import { OID } from '../../../src/core/oids.js';
import { testPki } from '../../helpers/pki.js';
import { config, identityOf, provider } from './helpers.js';

const content = new TextEncoder().encode('robustness\r\n');

test('500 random byte mutations of a signature: each gives per-signer reports or a SignetError, never a crash', async () => {
  const pki = testPki();
  const der = await signContent(content, { identity: identityOf('carol') }, provider);
  let seed = 12345;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  let reports = 0;
  let errors = 0;
  for (let i = 0; i < 500; i++) {
    const m = der.slice();
    const flips = 1 + rnd(3);
    for (let k = 0; k < flips; k++) m[rnd(m.length)] = rnd(256);
    try {
      const r = await verifySignedData(m, { detachedContent: content, anchors: [pki.rootDer], config: config() }, provider);
      reports++;
      // A mutation may hit bytes no signature covers (e.g. an unused certificate): those can stay valid.
      for (const s of r.signers) if (s.status === 'valid') assert.ok(s.chain.length === 3);
    } catch (e) {
      assert.ok(e instanceof SignetError, String(e));
      errors++;
    }
  }
  assert.equal(reports + errors, 500);
});

test('every truncation of a signature fails with a SignetError', async () => {
  const der = await signContent(content, { identity: identityOf('dave') }, provider);
  for (let n = 0; n < der.length; n += 7) {
    await assert.rejects(
      verifySignedData(der.subarray(0, n), { detachedContent: content, anchors: [], config: config() }, provider),
      (e) => e instanceof SignetError,
    );
  }
});

test('more signers than the certificate limit is limit-exceeded', async () => {
  const si = sequence(integer(1)); // shape does not matter: the count is checked first
  const sd = sequence(integer(1), setOf(), sequence(oid(OID.data)), tlv(0x31, ...Array.from({ length: 100 }, () => si)));
  await assert.rejects(
    verifySignedData(sequence(oid(OID.signedData), tlv(0xa0, sd)), { detachedContent: content, anchors: [], config: config() }, provider),
    (e) => isSignetError(e, 'limit-exceeded'),
  );
});

test('a huge OID arc is malformed-asn1 quickly (no quadratic BigInt work)', async () => {
  const arc = new Uint8Array(100_000).fill(0xff);
  arc[arc.length - 1] = 0x01;
  const der = sequence(tlv(0x06, arc), tlv(0xa0, sequence()));
  const t0 = Date.now();
  await assert.rejects(verifySignedData(der, { anchors: [], config: config() }, provider), (e) => isSignetError(e, 'malformed-asn1'));
  assert.ok(Date.now() - t0 < 1000);
});
