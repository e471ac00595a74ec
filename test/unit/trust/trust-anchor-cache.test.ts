// parseTrustAnchors (src/core/pki/certificate.ts): the read pane parses its ~110 trust anchors once and the
// key store reuses the same parsed certificates (issue 17, the cold first badge). Same buffer and limits →
// the same Certificate object; other limits → parsed afresh; an unreadable anchor is skipped or fails as
// asked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultLimits } from '../../../src/core/config.js';
import { isSignetError } from '../../../src/core/errors.js';
import { parseCertificate, parseTrustAnchors } from '../../../src/core/pki/certificate.js';
import { builtinEmailRoots } from '../../../src/core/pki/roots/index.js';

test('the same anchor buffers give the same parsed certificates, equal to parseCertificate()', () => {
  const ders = builtinEmailRoots().slice(0, 5);
  const first = parseTrustAnchors(ders, defaultLimits);
  const second = parseTrustAnchors(ders, defaultLimits, 'skip');
  assert.equal(first.length, 5);
  for (let i = 0; i < 5; i++) {
    assert.equal(second[i], first[i], `anchor ${i} parsed once`);
    assert.equal(first[i]!.subject.key, parseCertificate(ders[i]!, defaultLimits).subject.key);
  }
  // Equal bytes in another buffer are another cache entry (the cache is by buffer), with the same content.
  const copy = parseTrustAnchors([ders[0]!.slice()], defaultLimits)[0]!;
  assert.notEqual(copy, first[0]);
  assert.equal(copy.subject.key, first[0]!.subject.key);
  // Other limits parse afresh.
  const other = parseTrustAnchors([ders[0]!], { ...defaultLimits, maxAsn1Nodes: defaultLimits.maxAsn1Nodes + 1 })[0]!;
  assert.notEqual(other, first[0]);
});

test('an unreadable anchor: skipped with "skip", malformed-asn1 with "throw" (the default)', () => {
  const [good] = builtinEmailRoots();
  const bad = Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00);
  const skipped = parseTrustAnchors([bad, good!], defaultLimits, 'skip');
  assert.equal(skipped.length, 1);
  assert.equal(skipped[0]!.der.length, good!.length);
  assert.throws(
    () => parseTrustAnchors([good!, bad], defaultLimits),
    (e: unknown) => isSignetError(e) && e.code === 'malformed-asn1',
  );
});
