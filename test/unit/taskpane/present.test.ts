// The read pane's presentation of a Verdict (present.ts): one severity per state (severity.ts), no identity
// without proof (ARCHITECTURE.md rule 10), "could not be checked in this Outlook" only for a digest mismatch on a
// rebuilt copy whose signature and path are otherwise fine, outdated algorithms never in the words of
// tampering, enclosed signed parts, the info bar's type and Outlook's 150 characters in whole words, the
// chain's words and the one date format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CertificateReport, SignerReport, Verdict, VerdictStatus } from '../../../src/core/verdict.js';
import { INFO_BAR_MAX, announceable, fitInfoBar, formatDate, formatDateTime, formatFingerprint, linkProblem, linkRole, mayBeReserialized, present, type Presentation } from '../../../src/taskpane/present.js';

function cert(over: Partial<CertificateReport> = {}): CertificateReport {
  return {
    subject: 'CN=Alice Example',
    issuer: 'CN=Signet Demo Mail CA',
    serialNumber: '01',
    notBefore: '2026-01-01T00:00:00Z',
    notAfter: '2029-01-01T00:00:00Z',
    sha256: 'aa',
    sha1: 'bb',
    emails: ['alice@example.org'],
    keyAlgorithm: 'RSA 2048',
    keyUsage: [],
    extKeyUsage: [],
    isCA: false,
    isTrustAnchor: false,
    status: 'ok',
    der: '',
    ...over,
  };
}

const goodChain = (): CertificateReport[] => [
  cert(),
  cert({ subject: 'CN=Signet Demo Mail CA', issuer: 'CN=Signet Demo Root CA', isCA: true, sha256: 'cc' }),
  cert({ subject: 'CN=Signet Demo Root CA', issuer: 'CN=Signet Demo Root CA', isCA: true, isTrustAnchor: true, sha256: 'dd' }),
];

function signer(over: Partial<SignerReport> = {}): SignerReport {
  return {
    status: 'valid',
    code: 'ok',
    email: 'alice@example.org',
    emails: ['alice@example.org'],
    name: 'Alice Example',
    subject: 'CN=Alice Example',
    issuer: 'CN=Signet Demo Mail CA',
    serialNumber: '01',
    sha256: 'aa',
    notBefore: '2026-01-01T00:00:00Z',
    notAfter: '2029-01-01T00:00:00Z',
    signingTime: '2026-06-01T10:00:00Z',
    claimedSigningTime: null,
    digestAlgorithm: 'SHA-256',
    signatureAlgorithm: 'RSA-SHA256',
    chain: goodChain(),
    capabilities: [],
    reason: '',
    ...over,
  };
}

function verdict(over: Partial<Verdict> = {}): Verdict {
  const s = over.signer === undefined ? signer() : over.signer;
  return {
    status: 'valid',
    summary: 'core summary (the CLI sentence)',
    code: null,
    layers: [{ kind: 'signed', format: 'multipart-signed', digestAlgorithms: ['SHA-256'], signers: 1, status: 'valid' }],
    signer: s,
    signers: s ? [s] : [],
    from: 'alice@example.org',
    warnings: [],
    checkedAt: '2026-01-01T00:00:00Z',
    revocation: 'offline',
    error: null,
    enclosedSigned: [],
    ...over,
  };
}

const failing = (code: SignerReport['code'], status: SignerReport['status'] = 'invalid', chain = goodChain()): Partial<Verdict> => {
  const s = signer({ status, code, chain });
  return { status, code, signer: s, signers: [s] };
};

const TAMPER_WORDS = /changed|tamper|not valid|do not trust|does not match/i;

test('valid: good, the verified signer named, an informational info bar', () => {
  const p = present(verdict(), { byteExact: true });
  assert.equal(p.state, 'valid');
  assert.equal(p.severity, 'good');
  assert.deepEqual(p.identity, { kind: 'verified', email: 'alice@example.org', name: 'Alice Example' });
  assert.match(p.sentence, /^Signed by alice@example\.org\./);
  assert.equal(p.infoBarKind, 'informational');
  assert.match(p.infoBar, /^Signet: verified signature from alice@example\.org/);
});

test('digest mismatch on a byte-exact source: danger, "changed or forged", the address only as an unverified claim', () => {
  const p = present(verdict(failing('digest-mismatch')), { byteExact: true });
  assert.equal(p.state, 'invalid');
  assert.equal(p.severity, 'danger');
  assert.equal(p.title, 'Changed or forged');
  assert.deepEqual(p.identity, { kind: 'claimed', email: 'alice@example.org' });
  assert.match(p.sentence, /claims to be from alice@example\.org; this is not verified/);
  assert.doesNotMatch(p.sentence, /^Signed by/);
  assert.equal(p.infoBarKind, 'error');
});

test('digest mismatch on a rebuilt copy with an intact path: neutral "could not be checked", naming nobody', () => {
  const v = verdict(failing('digest-mismatch'));
  const p = present(v, { byteExact: false });
  assert.equal(p.state, 'unverifiable');
  assert.equal(p.severity, 'neutral');
  assert.equal(p.identity, null);
  assert.doesNotMatch(p.sentence + p.infoBar, /alice@example\.org/);
  assert.match(p.howToCheck ?? '', /\.eml/);
  assert.match(p.howToCheck ?? '', /signet verify/);
  assert.equal(p.infoBarKind, 'informational');
});

test('a rebuilt copy never hides a bad signature, an untrusted root, a path failure, another signer or a stranger', () => {
  const untrustedRoot = [cert({ status: 'ok' }), cert({ subject: 'CN=Unknown Root CA', issuer: 'CN=Unknown Root CA', isCA: true, status: 'untrusted-root' })];
  const cases: [string, Verdict][] = [
    ['bad signature', verdict({ ...failing('bad-signature'), code: 'bad-signature' })],
    ['untrusted root', verdict({ ...failing('digest-mismatch', 'invalid', untrustedRoot) })],
    ['expired link', verdict({ ...failing('digest-mismatch', 'invalid', [cert({ status: 'expired' }), ...goodChain().slice(1)]) })],
    ['no anchor', verdict({ ...failing('digest-mismatch', 'invalid', goodChain().slice(0, 2)) })],
    ['certificate not for From', verdict({ ...failing('digest-mismatch'), from: 'ceo@example.org' })],
    ['econtent', verdict({ status: 'invalid', code: 'econtent-confusion' })],
    ['untrusted status', verdict({ status: 'untrusted', code: 'untrusted-root' })],
  ];
  const s1 = signer({ status: 'invalid', code: 'digest-mismatch' });
  const s2 = signer({ status: 'invalid', code: 'bad-signature', email: 'bob@example.org', emails: ['bob@example.org'] });
  cases.push(['a second signer with a bad signature', verdict({ status: 'invalid', code: 'digest-mismatch', signer: s1, signers: [s1, s2] })]);
  for (const [name, v] of cases) {
    assert.equal(mayBeReserialized(v, false), false, name);
    assert.equal(present(v, { byteExact: false }).severity, 'danger', name);
  }
  const opaque = verdict({ ...failing('digest-mismatch'), layers: [{ kind: 'signed', format: 'opaque', digestAlgorithms: [], signers: 1, status: 'invalid' }] });
  assert.equal(mayBeReserialized(opaque, false), false, 'opaque signed-data carries its content: Outlook cannot have rebuilt it');
});

test('untrusted (forged certificate in Alice\'s name): danger, never bold/verified, says anyone could have made it', () => {
  const chain = [cert(), cert({ subject: 'CN=Unknown Root CA', issuer: 'CN=Unknown Root CA', isCA: true, status: 'untrusted-root' })];
  const p = present(verdict(failing('untrusted-root', 'untrusted', chain)), { byteExact: true });
  assert.equal(p.severity, 'danger');
  assert.equal(p.identity?.kind, 'claimed');
  assert.match(p.sentence, /anyone could have made it/);
  assert.equal(p.infoBarKind, 'error');
});

test('"could not be checked" and "untrusted" never share severity, title or icon level', () => {
  const a = present(verdict(failing('digest-mismatch')), { byteExact: false });
  const b = present(verdict(failing('untrusted-root', 'untrusted')), { byteExact: true });
  assert.notEqual(a.severity, b.severity);
  assert.notEqual(a.title, b.title);
});

test('outdated algorithm: caution by default, danger by policy, never the words of tampering, signer named only on a validated path', () => {
  const v = verdict(failing('insecure-algorithm', 'outdated-algorithm'));
  const p = present({ ...v, status: 'outdated-algorithm' as VerdictStatus }, { byteExact: true });
  assert.equal(p.severity, 'caution');
  assert.match(p.sentence, /content matches/);
  assert.match(p.sentence, /outdated/);
  assert.match(p.howToCheck ?? '', /update/);
  assert.doesNotMatch(p.title + p.sentence + p.infoBar, TAMPER_WORDS);
  assert.equal(p.identity?.kind, 'verified');
  assert.equal(present(v, { byteExact: true }, { outdatedSignatureSeverity: 'danger' }).severity, 'danger');
  const unanchored = verdict(failing('insecure-algorithm', 'outdated-algorithm', goodChain().slice(0, 2)));
  assert.equal(present(unanchored, { byteExact: true }).identity?.kind, 'claimed');
});

test('today\'s core refusing SHA-1 (invalid + insecure-algorithm) is danger but not described as tampering', () => {
  const p = present(verdict(failing('insecure-algorithm')), { byteExact: true });
  assert.equal(p.severity, 'danger');
  assert.doesNotMatch(p.title + p.sentence, /changed|tamper|does not match/i);
  assert.match(p.sentence, /SHA-1/);
});

test('every state: no signer named as such unless verified; danger states use ErrorMessage', () => {
  const states: Partial<Verdict>[] = [
    failing('expired', 'expired'),
    failing('revoked', 'revoked'),
    failing('untrusted-root', 'untrusted'),
    failing('digest-mismatch'),
    { status: 'malformed', code: 'malformed-mime', signer: null, layers: [] },
    { status: 'decryption-failed', code: 'not-a-recipient', signer: null, layers: [] },
    { status: 'unsigned', signer: null, layers: [] },
  ];
  for (const over of states) {
    const p = present(verdict(over), { byteExact: true });
    assert.notEqual(p.identity?.kind, 'verified', String(over.status));
    assert.doesNotMatch(p.sentence, /^Signed by/, String(over.status));
    assert.equal(p.infoBarKind, p.severity === 'danger' ? 'error' : 'informational', String(over.status));
  }
});

test('sender mismatch names the real signer as not the sender, in danger', () => {
  const s = signer({ status: 'sender-mismatch', code: 'sender-mismatch', email: 'bob@example.org', emails: ['bob@example.org'] });
  const p = present(verdict({ status: 'sender-mismatch', code: 'sender-mismatch', signer: s, signers: [s] }), { byteExact: true });
  assert.equal(p.severity, 'danger');
  assert.deepEqual(p.identity, { kind: 'not-sender', email: 'bob@example.org', from: 'alice@example.org' });
  assert.match(p.sentence, /alice@example\.org.*bob@example\.org/);
});

test('unsigned with a valid signed part inside: still "Not signed", and "A signed part from X is inside"', () => {
  const inner = verdict();
  const p = present(verdict({ status: 'unsigned', signer: null, layers: [], enclosedSigned: [{ path: [1], verdict: inner }] }), { byteExact: true });
  assert.equal(p.state, 'unsigned');
  assert.equal(p.title, 'Not signed');
  assert.equal(p.severity, 'neutral');
  assert.equal(p.enclosed.length, 1);
  assert.match(p.enclosed[0]!.sentence, /A signed part from alice@example\.org is inside/);
  assert.equal(p.enclosed[0]!.severity, 'good');
  assert.match(p.sentence, /A signed part from alice@example\.org is inside/);
});

test('an enclosed part that is not valid is not attributed to anyone', () => {
  const inner = verdict(failing('untrusted-root', 'untrusted'));
  const p = present(verdict({ status: 'unsigned', signer: null, layers: [], enclosedSigned: [{ path: [0], verdict: inner }] }), { byteExact: true });
  assert.doesNotMatch(p.enclosed[0]!.sentence, /alice@example\.org/);
  assert.equal(p.enclosed[0]!.severity, 'danger');
});

test('encrypted without integrity protection and without signature: caution', () => {
  const p = present(
    verdict({
      status: 'unsigned',
      signer: null,
      layers: [{ kind: 'encrypted', contentType: 'enveloped-data', cipher: 'AES-256-CBC', integrityProtected: false, recipients: 1, keyManagement: [], status: 'decrypted' }],
      warnings: [{ code: 'not-integrity-protected', message: '…' }],
    }),
    { byteExact: true },
  );
  assert.equal(p.severity, 'caution');
  assert.equal(p.encrypted, true);
});

test('info-bar text fits 150 characters for every state, ends on a whole word, and a long address falls back to a shorter text', () => {
  const long = `${'a'.repeat(120)}@example.org`;
  const s = signer({ email: long, emails: [long] });
  const all: Presentation[] = [
    present(verdict({ signer: s, signers: [s], from: long }), { byteExact: true }),
    present(verdict({ ...failing('digest-mismatch') }), { byteExact: true }),
    present(verdict({ status: 'sender-mismatch', code: 'sender-mismatch', from: long }), { byteExact: true }),
    present(verdict({ status: 'outdated-algorithm', signer: s, signers: [s] }), { byteExact: true }),
  ];
  for (const p of all) {
    assert.ok(p.infoBar.length <= INFO_BAR_MAX, p.infoBar);
    assert.doesNotMatch(p.infoBar, /…$/);
    assert.match(p.infoBar, /[.!]$/);
  }
  assert.throws(() => fitInfoBar(['x'.repeat(151)]));
});

test('chain roles and problems in words; one date format', () => {
  const chain = [cert(), cert({ subject: 'CN=Unknown Root CA', issuer: 'CN=Unknown Root CA', isCA: true, status: 'untrusted-root' })];
  assert.equal(linkRole(chain, 0), 'signer');
  assert.equal(linkRole(chain, 1), 'root');
  assert.equal(linkRole(goodChain(), 1), 'intermediate');
  assert.equal(linkProblem(chain[1]!), 'Not a trusted authority');
  assert.equal(linkProblem(cert({ status: 'expired', notAfter: '2021-01-01T12:00:00Z' }), new Date('2026-01-01T00:00:00Z')), 'Expired on 1 Jan 2021');
  assert.equal(linkProblem(cert()), null);
  assert.equal(formatDate('2021-01-01T12:00:00Z'), '1 Jan 2021');
  assert.match(formatDateTime('2021-01-01T12:00:00Z'), /^1 Jan 2021, \d\d:\d\d$/);
  assert.equal(formatDateTime('not a date'), 'not a date');
});

test('fingerprints are shown as colon-separated upper-case pairs', () => {
  assert.equal(formatFingerprint('0a1bff'), '0A:1B:FF');
});

test('"certificate saved" is announced once per certificate and never for the reader\'s own address', () => {
  const seen = new Set<string>();
  const memory = { has: (x: string) => seen.has(x), add: (x: string) => void seen.add(x) };
  const own = new Set(['dana@example.org']);
  const alice = { sha256: 'aa', addresses: ['alice@example.org'] };
  assert.deepEqual(announceable([alice], own, memory), ['alice@example.org']);
  assert.deepEqual(announceable([alice], own, memory), [], 'reopening the message');
  assert.deepEqual(announceable([{ sha256: 'dd', addresses: ['Dana@Example.org'] }], own, memory), [], 'own Sent Items copy');
  assert.deepEqual(announceable([{ sha256: 'a2', addresses: ['alice@example.org'] }], own, memory), ['alice@example.org'], 'a new certificate of Alice');
});

test('expired says when, in the pane\'s one date format', () => {
  const s = signer({ status: 'expired', code: 'expired', notAfter: '2021-01-01T12:00:00Z' });
  const p = present(verdict({ status: 'expired', code: 'expired', signer: s, signers: [s], checkedAt: '2026-01-01T00:00:00Z' }), { byteExact: true });
  assert.equal(p.severity, 'caution');
  assert.match(p.sentence, /expired on 1 Jan 2021/);
  assert.equal(p.identity?.kind, 'claimed');
});
