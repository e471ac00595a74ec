// Regression: compose's "same recipient" rule (compose/draft.ts addressKey) lowercased the local part while
// the key store looks recipients up with the core's rule (core/mime/address.ts: local part exact, domain
// case-insensitive, IDN A-label). The two must agree, or readiness and the send would disagree about who
// has a certificate.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressKey as composeKey, allRecipients } from '../../../src/compose/draft.js';
import { addressKey as coreKey } from '../../../src/core/mime/address.js';
import { staticServices } from '../../../src/compose/services.js';

test('compose and the key store compare addresses by the same rule (local part exact, domain folded, A-label)', () => {
  for (const a of ['Alice@Example.ORG', ' bob@example.org ', 'jörg@münchen.example', 'x@XN--MNCHEN-3YA.example']) {
    assert.equal(composeKey(a), coreKey(a), a);
  }
  assert.equal(composeKey('Alice@EXAMPLE.org'), 'Alice@example.org');
  assert.notEqual(composeKey('Alice@example.org'), composeKey('alice@example.org'));
  assert.equal(composeKey('jörg@münchen.example'), 'jörg@xn--mnchen-3ya.example');
});

test('allRecipients keeps two local parts that differ only in case, and merges domains that differ in case', () => {
  const list = allRecipients({
    to: [{ name: '', address: 'dana@example.org' }, { name: '', address: 'Dana@example.org' }],
    cc: [{ name: '', address: 'dana@EXAMPLE.ORG' }],
    bcc: [],
  });
  assert.deepEqual(list.map((a) => a.address), ['dana@example.org', 'Dana@example.org']);
});

test('staticServices readiness finds a certificate by the core rule: domain case and IDN form do not matter, local-part case does', async () => {
  const cert = new Uint8Array([1, 2, 3]);
  const services = staticServices({ certificates: new Map([['dana@EXAMPLE.org', { certificate: cert }], ['jörg@münchen.example', { certificate: cert }]]) });
  const r = await services.readiness('owner@example.org', ['dana@example.ORG', 'Dana@example.org', 'jörg@xn--mnchen-3ya.example']);
  assert.deepEqual(r.ready.map((x) => x.address), ['dana@example.ORG', 'jörg@xn--mnchen-3ya.example']);
  assert.deepEqual(r.missing.map((x) => x.address), ['Dana@example.org']);
});
