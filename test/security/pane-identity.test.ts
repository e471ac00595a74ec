// ARCHITECTURE.md rule 10 (no identity without proof; danger never looks harmless) as a property of the read
// pane's presentation (src/taskpane/present.ts, severity.ts), over generated Verdicts: whatever the status,
// code, chain, source and signer, the pane presents an address as the verified signer only for a valid
// signature on a validated path (or outdated-algorithm on one), never writes "Signed by X" otherwise, and
// never turns a failure other than a pure digest mismatch of an otherwise intact, trusted, From-bound
// signature on a rebuilt copy into the neutral "could not be checked".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { CertificateReport, SignerReport, TrustCode, Verdict, VerdictStatus } from '../../src/core/verdict.js';
import { mayBeReserialized, present } from '../../src/taskpane/present.js';

const STATUSES: VerdictStatus[] = ['valid', 'invalid', 'untrusted', 'expired', 'revoked', 'sender-mismatch', 'outdated-algorithm', 'unsigned', 'malformed', 'decryption-failed'];
const CODES: TrustCode[] = ['ok', 'bad-signature', 'digest-mismatch', 'econtent-confusion', 'insecure-algorithm', 'weak-key', 'no-path', 'untrusted-root', 'expired', 'revoked', 'sender-mismatch', 'key-usage'];

const certArb = (i: number): fc.Arbitrary<CertificateReport> =>
  fc.record({ status: fc.constantFrom<TrustCode>(...CODES), isTrustAnchor: fc.boolean() }).map(({ status, isTrustAnchor }) => ({
    subject: `CN=c${i}`,
    issuer: `CN=c${i + 1}`,
    serialNumber: '01',
    notBefore: '2026-01-01T00:00:00Z',
    notAfter: '2029-01-01T00:00:00Z',
    sha256: `s${i}`,
    sha1: '',
    emails: [],
    keyAlgorithm: 'RSA 2048',
    keyUsage: [],
    extKeyUsage: [],
    isCA: i > 0,
    isTrustAnchor,
    status,
    der: '',
  }));

const signerArb: fc.Arbitrary<SignerReport> = fc
  .record({
    status: fc.constantFrom<SignerReport['status']>('valid', 'invalid', 'untrusted', 'expired', 'revoked', 'sender-mismatch', 'outdated-algorithm'),
    code: fc.constantFrom<TrustCode>(...CODES),
    email: fc.constantFrom('alice@example.org', 'ALICE@example.org', 'mallory@evil.example'),
    chain: fc.integer({ min: 0, max: 3 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => certArb(i)))),
  })
  .map(({ status, code, email, chain }) => ({
    status,
    code,
    email,
    emails: [email],
    name: 'Alice Example',
    subject: 'CN=Alice',
    issuer: 'CN=CA',
    serialNumber: '01',
    sha256: 'aa',
    notBefore: '2026-01-01T00:00:00Z',
    notAfter: '2029-01-01T00:00:00Z',
    signingTime: '2026-06-01T00:00:00Z',
    claimedSigningTime: null,
    digestAlgorithm: 'SHA-256',
    signatureAlgorithm: 'RSA-SHA256',
    chain: chain as CertificateReport[],
    capabilities: [],
    reason: '',
  }));

const verdictArb: fc.Arbitrary<Verdict> = fc
  .record({
    status: fc.constantFrom(...STATUSES),
    code: fc.option(fc.constantFrom<TrustCode>(...CODES), { nil: null }),
    signers: fc.array(signerArb, { maxLength: 2 }),
    format: fc.constantFrom<'multipart-signed' | 'opaque'>('multipart-signed', 'opaque'),
    from: fc.constantFrom('alice@example.org', 'bob@example.org', null),
  })
  .map(({ status, code, signers, format, from }) => ({
    status,
    summary: 'Signed by alice@example.org. (the core sentence; the pane must not rely on it)',
    code,
    layers: [{ kind: 'signed', format, digestAlgorithms: ['SHA-256'], signers: signers.length, status }],
    signer: signers[0] ?? null,
    signers,
    from,
    warnings: [],
    checkedAt: '2026-07-01T00:00:00Z',
    revocation: 'offline',
    error: null,
    enclosedSigned: [],
  }));

const validated = (s: SignerReport): boolean => s.chain.length > 0 && s.chain.every((c) => c.status === 'ok') && s.chain[s.chain.length - 1]!.isTrustAnchor;

test('rule 10: an address is the verified signer only for a valid (or outdated, validated) signature', () => {
  fc.assert(
    fc.property(verdictArb, fc.boolean(), (v, byteExact) => {
      const p = present(v, { byteExact });
      if (p.identity?.kind === 'verified') {
        assert.ok(v.status === 'valid' || (v.status === 'outdated-algorithm' && v.signer !== null && validated(v.signer)), `${v.status}`);
      }
      if (v.status !== 'valid' && v.status !== 'outdated-algorithm') {
        assert.doesNotMatch(p.sentence, /^Signed by/, v.status);
        assert.doesNotMatch(p.infoBar, /verified signature/i, v.status);
      }
      if (p.state === 'unverifiable') assert.equal(p.identity, null);
    }),
    { numRuns: 2000 },
  );
});

test('"could not be checked" only for a pure digest mismatch of an intact, trusted, From-bound clear signature on a rebuilt copy', () => {
  fc.assert(
    fc.property(verdictArb, fc.boolean(), (v, byteExact) => {
      if (!mayBeReserialized(v, byteExact)) return;
      assert.equal(byteExact, false);
      assert.equal(v.status, 'invalid');
      assert.equal(v.code, 'digest-mismatch');
      assert.equal(v.layers[0]!.kind === 'signed' && v.layers[0]!.format, 'multipart-signed');
      assert.ok(v.signers.length > 0);
      for (const s of v.signers) {
        assert.equal(s.code, 'digest-mismatch');
        assert.ok(validated(s));
        assert.ok(s.emails.some((e) => e.toLowerCase() === v.from?.toLowerCase()));
      }
    }),
    { numRuns: 5000 },
  );
});

test('danger never looks harmless: the failures of rule 10 are danger on any source, and danger uses ErrorMessage', () => {
  fc.assert(
    fc.property(verdictArb, fc.boolean(), (v, byteExact) => {
      const p = present(v, { byteExact });
      if (['revoked', 'sender-mismatch', 'malformed'].includes(v.status)) assert.equal(p.severity, 'danger');
      if (v.status === 'untrusted' && v.code !== 'revocation-unknown') assert.equal(p.severity, 'danger');
      if (v.status === 'invalid' && p.state !== 'unverifiable') assert.equal(p.severity, 'danger');
      assert.equal(p.infoBarKind, p.severity === 'danger' ? 'error' : 'informational');
      assert.ok(p.infoBar.length <= 150);
    }),
    { numRuns: 2000 },
  );
});
