import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asn1NodeBudget, childrenOf, parseAsn1, parseContentInfo, readOctetString, readTime, decodeOid } from '../../../src/core/asn1.js';
import { defaultLimits } from '../../../src/core/config.js';
import { oid, sequence, tlv, time, octetString } from '../../../src/core/der.js';
import { isSignetError } from '../../../src/core/errors.js';
import { OID } from '../../../src/core/oids.js';

const limits = defaultLimits;

function nested(depth: number): Uint8Array {
  let x: Uint8Array = Uint8Array.of(0x05, 0x00);
  for (let i = 0; i < depth; i++) x = sequence(x);
  return x;
}

test('parseAsn1 refuses nesting deeper than maxAsn1Depth with limit-exceeded', () => {
  assert.doesNotThrow(() => parseAsn1(nested(10), limits));
  assert.throws(() => parseAsn1(nested(200), limits), (e) => isSignetError(e, 'limit-exceeded'));
});

test('parseAsn1 refuses a node bomb beyond maxAsn1Nodes', () => {
  const many = tlv(0x30, ...Array.from({ length: 2000 }, () => Uint8Array.of(0x05, 0x00)));
  assert.doesNotThrow(() => parseAsn1(many, limits));
  assert.throws(() => parseAsn1(many, { ...limits, maxAsn1Nodes: 500 }), (e) => isSignetError(e, 'limit-exceeded'));
});

test('the node budget scales with the input: nodes <= bytes / asn1BytesPerNode + asn1NodeAllowance, under maxAsn1Nodes', () => {
  const small = { ...limits, asn1BytesPerNode: 4, asn1NodeAllowance: 10 };
  // 1 SEQUENCE + 20 NULLs = 21 nodes in 42 bytes: budget 42 / 4 + 10 = 20.
  const dense = tlv(0x30, ...Array.from({ length: 20 }, () => Uint8Array.of(0x05, 0x00)));
  assert.equal(asn1NodeBudget(dense.length, small), 20);
  assert.throws(() => parseAsn1(dense, small), (e) => isSignetError(e, 'limit-exceeded'));
  assert.doesNotThrow(() => parseAsn1(dense, { ...small, asn1NodeAllowance: 11 }));
  // A sparse structure of the same node count but more bytes passes.
  const sparse = tlv(0x30, ...Array.from({ length: 20 }, () => octetString(new Uint8Array(2))));
  assert.doesNotThrow(() => parseAsn1(sparse, small));
  assert.equal(asn1NodeBudget(10 ** 9, limits), limits.maxAsn1Nodes);
});

test('childrenOf walks only SEQUENCE, SET, chunked strings and tagged elements: a constructed string is malformed-asn1, not a TypeError', () => {
  for (const bytes of [Uint8Array.of(0x2c, 0x00), Uint8Array.of(0x33, 0x03, 0x13, 0x01, 0x41), Uint8Array.of(0x3e, 0x00), Uint8Array.of(0x22, 0x00)]) {
    let node;
    try {
      node = parseAsn1(bytes, limits);
    } catch (e) {
      assert.ok(isSignetError(e, 'malformed-asn1'));
      continue;
    }
    assert.throws(() => childrenOf(node), (e) => isSignetError(e, 'malformed-asn1'), Buffer.from(bytes).toString('hex'));
  }
  assert.equal(childrenOf(parseAsn1(Uint8Array.of(0x31, 0x02, 0x05, 0x00), limits)).length, 1);
  assert.equal(childrenOf(parseAsn1(Uint8Array.of(0xa0, 0x02, 0x05, 0x00), limits)).length, 1);
  assert.equal(childrenOf(parseAsn1(Uint8Array.of(0x24, 0x80, 0x04, 0x01, 0x41, 0x00, 0x00), limits)).length, 1);
});

test('parseAsn1 refuses input beyond maxAsn1Bytes and accepts > 16 MiB by default', () => {
  const big = octetString(new Uint8Array(17 * 1024 * 1024));
  assert.equal(readOctetString(parseAsn1(big, limits)).length, 17 * 1024 * 1024);
  assert.throws(() => parseAsn1(big, { ...limits, maxAsn1Bytes: 1024 * 1024 }), (e) => isSignetError(e, 'limit-exceeded'));
});

test('parseAsn1 maps truncated, empty and trailing-garbage input to malformed-asn1', () => {
  const good = sequence(oid(OID.data));
  for (const bad of [good.subarray(0, good.length - 1), new Uint8Array(0), Uint8Array.of(0x30, 0x84, 0xff, 0xff, 0xff, 0xff)]) {
    assert.throws(() => parseAsn1(bad, limits), (e) => isSignetError(e, 'malformed-asn1'));
  }
  const trailing = Uint8Array.from([...good, 0x00, 0x00]);
  assert.throws(() => parseAsn1(trailing, limits), (e) => isSignetError(e, 'malformed-asn1'));
  assert.doesNotThrow(() => parseAsn1(trailing, limits, { allowTrailingData: true }));
});

test('readOctetString reassembles indefinite-length, nested constructed chunks (NSS, OpenSSL -stream)', () => {
  // 24 80 | 04 02 'ab' | 24 80 04 01 'c' 04 00 00 00 | 04 01 'd' | 00 00
  const ber = Uint8Array.of(0x24, 0x80, 0x04, 0x02, 0x61, 0x62, 0x24, 0x80, 0x04, 0x01, 0x63, 0x04, 0x00, 0x00, 0x00, 0x04, 0x01, 0x64, 0x00, 0x00);
  assert.equal(new TextDecoder().decode(readOctetString(parseAsn1(ber, limits))), 'abcd');
  const bad = Uint8Array.of(0x24, 0x80, 0x02, 0x01, 0x01, 0x00, 0x00);
  assert.throws(() => readOctetString(parseAsn1(bad, limits)), (e) => isSignetError(e, 'malformed-asn1'));
});

test('parseContentInfo returns the content type and the [0] EXPLICIT content, tolerating trailing bytes', () => {
  const ci = sequence(oid(OID.signedData), tlv(0xa0, sequence(Uint8Array.of(0x02, 0x01, 0x01))));
  const r = parseContentInfo(Uint8Array.from([...ci, 0, 0, 0]), limits);
  assert.equal(r.contentType, OID.signedData);
  assert.equal(r.content.idBlock.tagNumber, 16);
  assert.throws(() => parseContentInfo(sequence(oid(OID.data)), limits), (e) => isSignetError(e, 'malformed-asn1'));
});

test('OIDs and times round-trip: UTCTime before 2050, GeneralizedTime from 2050 (RFC 5652 §11.3)', () => {
  for (const o of [OID.data, OID.secp521r1, OID.msOutlookEncryptionKeyPreference, '2.999.1']) {
    const enc = oid(o);
    assert.equal(decodeOid(enc.subarray(2)), o);
  }
  const d2049 = new Date('2049-12-31T23:59:59Z');
  const d2050 = new Date('2050-01-01T00:00:00Z');
  assert.equal(time(d2049)[0], 0x17);
  assert.equal(time(d2050)[0], 0x18);
  assert.equal(readTime(parseAsn1(time(d2049), limits)).toISOString(), d2049.toISOString());
  assert.equal(readTime(parseAsn1(time(d2050), limits)).toISOString(), d2050.toISOString());
  assert.equal(readTime(parseAsn1(time(new Date('1999-05-01T10:00:00Z')), limits)).getUTCFullYear(), 1999);
});
