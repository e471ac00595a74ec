// The built-in trust anchors (Mozilla's e-mail roots from NSS, src/core/pki/roots): the committed snapshot
// parses, is what it says it is, and the CLI uses it by default, without trusting anything else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { builtinEmailRoots, builtinRootSnapshot } from '../../../src/core/pki/roots/index.js';
import { formatName, parseCertificate } from '../../../src/core/pki/certificate.js';
import { validateChain } from '../../../src/core/pki/chain.js';
import { parsePemBlocks } from '../../../src/keys/pem.js';
import { cryptoProvider } from '../../../src/core/crypto.js';
import { resolveConfig } from '../../../src/core/config.js';
import { testPki } from '../../helpers/pki.js';
import { signet, verifyJson } from '../../helpers/cli.js';

const limits = resolveConfig().limits;

test('the snapshot has its date, source and more than 50 roots; every sha256 matches its DER', () => {
  const snap = builtinRootSnapshot();
  assert.match(snap.generated, /^\d{4}-\d{2}-\d{2}$/);
  assert.match(snap.source, /libnss3 \S+/);
  assert.ok(snap.count > 50, `${snap.count} roots`);
  assert.equal(snap.count, snap.certificates.length);
  const ders = builtinEmailRoots();
  assert.equal(ders.length, snap.count);
  ders.forEach((der, i) => {
    const entry = snap.certificates[i]!;
    assert.equal(createHash('sha256').update(der).digest('hex'), entry.sha256, entry.name);
  });
  assert.equal(new Set(snap.certificates.map((c) => c.sha256)).size, snap.count, 'no duplicates');
});

test('every built-in root parses and is a self-issued CA certificate', () => {
  for (const der of builtinEmailRoots()) {
    const c = parseCertificate(der, limits);
    assert.ok(c.selfIssued, c.subject.key);
    assert.ok(c.version < 3 || c.basicConstraints?.cA, c.subject.key);
  }
});

test('builtinEmailRoots returns a fresh array each time (callers cannot drop roots for others)', () => {
  const a = builtinEmailRoots();
  a.length = 0;
  assert.ok(builtinEmailRoots().length > 50);
});

test('signet verify without --trust uses the built-in roots, which do not include the test root: untrusted', async () => {
  const pki = testPki();
  const signed = signet(['sign', '--identity', pki.users.alice.identityPemPath], 'From: alice@example.org\r\nTo: bob@example.org\r\nSubject: roots\r\n\r\nhi\r\n');
  assert.equal(signed.status, 0, signed.stderr);
  const { status, verdict } = verifyJson(signed.stdout, ['--offline']);
  assert.equal(status, 1);
  assert.equal(verdict.status, 'untrusted');
  assert.ok(verdict.code === 'no-path' || verdict.code === 'untrusted-root', String(verdict.code));

  // --trust adds to the built-in set; --no-builtin-roots leaves only --trust.
  assert.equal(verifyJson(signed.stdout, ['--offline', '--trust', pki.rootPath]).verdict.status, 'valid');
  assert.equal(verifyJson(signed.stdout, ['--offline', '--no-builtin-roots', '--trust', pki.rootPath]).verdict.status, 'valid');
  assert.equal(verifyJson(signed.stdout, ['--offline', '--no-builtin-roots']).verdict.status, 'untrusted');
});

test('scripts/update-roots.js regenerates a snapshot of the same shape from the installed NSS', () => {
  assert.ok(existsSync('/usr/bin/certutil'), 'NSS certutil is missing: apt-get install libnss3-tools (as .ci/run does)');
  const out = join(mkdtempSync(join(tmpdir(), 'signet-roots-')), 'roots.json');
  const r = spawnSync(process.execPath, ['scripts/update-roots.js', '--out', out], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const fresh = JSON.parse(readFileSync(out, 'utf8')) as ReturnType<typeof builtinRootSnapshot>;
  assert.ok(fresh.count > 50);
  for (const c of fresh.certificates) assert.equal(createHash('sha256').update(Buffer.from(c.der, 'base64')).digest('hex'), c.sha256);
});

test('a public S/MIME CA (GlobalSign GCC R3 PersonalSign 2 CA 2020, as published by GlobalSign) chains to the built-in roots', async () => {
  // No public CA signs messages for this test suite, so this checks the half that the snapshot decides: a
  // real issuing CA of a public S/MIME service is anchored by the built-in set, through a signature of the
  // root's key (not a name match), with nothing passed by the caller. The signing half is the same code
  // that every generated chain in chain-defects.test.ts exercises.
  const [block] = parsePemBlocks(readFileSync('test/unit/trust/fixtures/globalsign-gcc-r3-personalsign-2-ca-2020.pem', 'latin1'));
  assert.equal(block?.label, 'CERTIFICATE');
  const issuing = parseCertificate(block!.der, limits);
  const anchors = builtinEmailRoots().map((der) => parseCertificate(der, limits));
  const options = {
    anchors,
    intermediates: [],
    at: new Date('2026-06-01T00:00:00Z'),
    signingTime: null,
    config: resolveConfig(),
    purpose: 'none' as const,
    aia: null,
  };
  const result = await validateChain(issuing, options, cryptoProvider());
  assert.equal(result.status, 'valid', result.reason);
  assert.equal(result.anchored, true);
  assert.equal(result.chain.length, 2);
  const anchor = result.chain[1]!;
  assert.equal(anchor.isTrustAnchor, true);
  assert.match(formatName(anchor.certificate.subject), /GlobalSign Root CA - R3/);

  // The same CA after its notAfter (2028-09-16) is expired, and without the built-in roots it is untrusted.
  assert.equal((await validateChain(issuing, { ...options, at: new Date('2028-10-01T00:00:00Z') }, cryptoProvider())).status, 'expired');
  assert.equal((await validateChain(issuing, { ...options, anchors: [] }, cryptoProvider())).status, 'untrusted');
});
