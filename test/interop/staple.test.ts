// Stapled revocation evidence (issue 15 item 4): `signet sign --staple` puts a fresh OCSP response for the
// signer's certificate into the signature — by default in the unsigned attribute id-aa-ets-revocationValues
// (RFC 5126 §6.3.4), optionally in SignedData.crls as id-ri-ocsp-response (RFC 5940) — and
// - OpenSSL (`openssl cms -verify`), GnuPG gpgsm and NSS cmsutil still verify the default form (detached
//   and opaque); the RFC 5940 form is verified by OpenSSL but refused by gpgsm 2.2 ("Unsupported CMS
//   version") and NSS 3.87 (SEC_ERROR_BAD_DER) whatever the SignedData version — pinned here, and the
//   reason the default is the attribute;
// - `signet verify` uses the stapled answer with the responder down (valid, evidence "stapled");
// - stale, wrongly signed, or other-certificate stapled answers are ignored (the responder is asked; down:
//   revocation unknown), and a stapled CRL that lists the signer makes it revoked with no network at all.
// Bouncy Castle verifies the default form too: test/interop/bouncycastle.test.ts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { webcrypto } from 'node:crypto';
import { cryptoProvider } from '../../src/core/crypto.js';
import { resolveConfig } from '../../src/core/config.js';
import { childrenOf, contentInfoFromNode, expectSequence, isContext, parseAsn1, readSmallInteger } from '../../src/core/asn1.js';
import { parseMime } from '../../src/core/mime/parser.js';
import { parseCertificate } from '../../src/core/pki/certificate.js';
import { checkRevocation } from '../../src/core/pki/revocation/index.js';
import { ID_AA_ETS_REVOCATION_VALUES, readRevocationValues, readStapled, type Stapled } from '../../src/core/pki/revocation/staple.js';
import { readAttributes } from '../../src/core/cms/attributes.js';
import { protectMessage } from '../../src/core/smime/protect.js';
import { openMessage } from '../../src/core/smime/open.js';
import { loadIdentities } from '../../src/keys/identity-file.js';
import { signet } from '../helpers/cli.js';
import { testPki } from '../helpers/pki.js';
import { freePort, issueResponder, issueUser, makeCrl, revoke, startOcspResponder, type RevocationUser } from '../helpers/revocation.js';
import { cmsutilVerify, gpgsmHome, gpgsmVerify, nssDb, opensslCms } from '../helpers/tools.js';

const provider = cryptoProvider(webcrypto as unknown as Crypto);
const config = resolveConfig();
const pki = testPki();
let user: RevocationUser;
let other: RevocationUser;
let crlUser: RevocationUser;
let pOcsp: number;
let responder: ChildProcess | null = null;
const stapledMessages: { opaque: boolean; msg: Buffer }[] = [];
let goodResponse: Uint8Array;

function message(from: string): string {
  return `From: <${from}>\r\nTo: bob@example.org\r\nSubject: stapled\r\nDate: ${new Date().toUTCString()}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nStapled evidence inside.\r\n`;
}

function unwrap(msg: Buffer): { der: Buffer; content?: Buffer } {
  const root = parseMime(new Uint8Array(msg));
  if (root.contentType.type === 'multipart/signed') return { der: Buffer.from(root.children[1]!.decodeBody()), content: Buffer.from(root.children[0]!.raw) };
  return { der: Buffer.from(root.decodeBody()) };
}

/** SignedData's version, its crls [1] field, and the first signer's revocationValues, read back. */
function signedDataParts(der: Uint8Array): { version: number; crls: Stapled | null; stapled: Stapled } {
  const ci = contentInfoFromNode(parseAsn1(der, config.limits));
  const f = expectSequence(ci.content, 'SignedData');
  const crlsNode = f.find((n) => isContext(n, 1));
  const stapled: Stapled = { ocspResponses: [], crls: [] };
  const signerInfo = expectSequence(childrenOf(f[f.length - 1])[0], 'SignerInfo');
  const unsigned = signerInfo.find((n) => isContext(n, 1));
  if (unsigned) {
    for (const a of readAttributes(unsigned)) if (a.oid === ID_AA_ETS_REVOCATION_VALUES) readRevocationValues(a.values[0]!, stapled);
  }
  return { version: readSmallInteger(f[0]), crls: crlsNode ? readStapled(crlsNode) : null, stapled };
}

before(async () => {
  pOcsp = await freePort();
  const pDead = await freePort();
  user = issueUser('staple', { email: 'stapler@example.org', ocsp: [`http://127.0.0.1:${pOcsp}/`] });
  other = issueUser('staple-other', { email: 'other.stapler@example.org', ocsp: [`http://127.0.0.1:${pOcsp}/`] });
  crlUser = issueUser('staple-crl', { email: 'crl.stapler@example.org', crl: [`http://127.0.0.1:${pDead}/inter.crl`] });
  revoke(crlUser.certPath, 'keyCompromise');
  const delegated = issueResponder('staple-delegated', 'inter', true);
  responder = await startOcspResponder({ port: pOcsp, rsigner: delegated.certPath, rkey: delegated.keyPath, nmin: 5 });
  for (const opaque of [false, true]) {
    const s = signet(['sign', '--identity', user.identityPemPath, '--staple', ...(opaque ? ['--opaque'] : [])], message(user.email));
    assert.equal(s.status, 0, s.stderr);
    assert.match(s.stderr, /OCSP response stapled: good from http:\/\/127\.0\.0\.1:\d+\//);
    stapledMessages.push({ opaque, msg: s.stdout });
  }
  goodResponse = signedDataParts(unwrap(stapledMessages[0]!.msg).der).stapled.ocspResponses[0]!;
  // From here on the responder is down.
  responder.kill();
  responder = null;
});
after(() => responder?.kill());

describe('signet sign --staple', () => {
  test('the SignerInfo carries one OCSP response in id-aa-ets-revocationValues; the SignedData stays version 1', () => {
    for (const { msg } of stapledMessages) {
      const { version, crls, stapled } = signedDataParts(unwrap(msg).der);
      assert.equal(version, 1);
      assert.equal(crls, null);
      assert.equal(stapled.ocspResponses.length, 1);
      assert.equal(stapled.crls.length, 0);
    }
  });

  test('the RFC 5940 form: OpenSSL and signet verify it (responder down); gpgsm and NSS cannot parse it', async () => {
    const [identity] = await loadIdentities(new Uint8Array(readFileSync(user.identityPemPath)), undefined, provider);
    const msg = Buffer.from(await protectMessage(new TextEncoder().encode(message(user.email)), { sign: { identity: identity!, revocationInfo: { ocspResponses: [goodResponse], ocspPlacement: 'revocation-info-choices' } }, provider }));
    const { der, content } = unwrap(msg);
    const parts = signedDataParts(der);
    assert.equal(parts.version, 5);
    assert.equal(parts.crls!.ocspResponses.length, 1);
    const o = opensslCms(['-verify', '-inform', 'DER', '-CAfile', pki.rootPath, '-purpose', 'any', '-in', writeTmp(der, 'sig.der'), '-out', '/dev/null', '-binary', '-content', writeTmp(content!, 'content')]);
    assert.equal(o.status, 0, o.stderr);
    const { verdict } = await openMessage(msg, { anchors: [pki.rootDer], fetch, provider });
    assert.equal(verdict.status, 'valid');
    assert.equal(verdict.signer!.chain[0]!.revocation!.stapled, true);
    const gpg = gpgsmHome(pki);
    const db = nssDb(pki);
    try {
      assert.match(gpgsmVerify(gpg, der, content).stderr, /Unsupported CMS version/);
      assert.match(cmsutilVerify(db, der, content).stderr, /SEC_ERROR_BAD_DER/);
    } finally {
      gpg.close();
      db.close();
    }
  });

  test('OpenSSL, gpgsm and NSS cmsutil verify stapled messages, detached and opaque', () => {
    const gpg = gpgsmHome(pki);
    const db = nssDb(pki);
    try {
      for (const { opaque, msg } of stapledMessages) {
        const { der, content } = unwrap(msg);
        const args = ['-verify', '-inform', 'DER', '-CAfile', pki.rootPath, '-purpose', 'any', '-in', writeTmp(der, 'sig.der'), '-out', '/dev/null'];
        const o = opensslCms(content ? [...args, '-binary', '-content', writeTmp(content, 'content')] : args);
        assert.equal(o.status, 0, `openssl (${opaque ? 'opaque' : 'detached'}): ${o.stderr}`);
        assert.match(o.stderr, /Verification successful/);
        const g = gpgsmVerify(gpg, der, content);
        assert.equal(g.ok, true, `gpgsm (${opaque ? 'opaque' : 'detached'}): ${g.stderr}`);
        const n = cmsutilVerify(db, der, content);
        assert.equal(n.ok, true, `cmsutil (${opaque ? 'opaque' : 'detached'}): ${n.stderr}`);
      }
    } finally {
      gpg.close();
      db.close();
    }
  });

  test('signet verify uses the stapled answer with the responder down', () => {
    for (const { msg } of stapledMessages) {
      const r = signet(['verify', '--json', '--trust', pki.rootPath, '--no-builtin-roots'], msg);
      const v = JSON.parse(r.stdout.toString()) as { status: string; revocation: string; signer: { chain: { revocation?: { status: string; stapled?: boolean; method: string } }[] } };
      assert.equal(v.status, 'valid', r.stdout.toString());
      assert.equal(v.revocation, 'checked');
      assert.deepEqual(v.signer.chain[0]!.revocation && { status: v.signer.chain[0]!.revocation.status, stapled: v.signer.chain[0]!.revocation.stapled, method: v.signer.chain[0]!.revocation.method }, { status: 'good', stapled: true, method: 'ocsp' });
      assert.equal(r.status, 0);
    }
  });
});

describe('stapled evidence that must be ignored', () => {
  const path = (u: RevocationUser) => [parseCertificate(u.certDer, config.limits), parseCertificate(pki.intermediateDer, config.limits), parseCertificate(pki.rootDer, config.limits)];
  let fetches = 0;
  const countingFetch = (async (input: string | URL | Request, init?: RequestInit) => {
    fetches++;
    return fetch(input, init);
  }) as typeof fetch;
  const check = (u: RevocationUser, ocspResponses: Uint8Array[], crls: Uint8Array[] = [], now = new Date()) =>
    checkRevocation(path(u), { fetch: countingFetch, at: now, now, mode: 'soft', timeoutMs: 2000, config, stapled: { ocspResponses, crls }, signingTime: new Date() }, provider);

  test('a fresh, authorised stapled answer is used without any fetch', async () => {
    const before = fetches;
    const r = await check(user, [goodResponse]);
    assert.equal(r.code, 'ok');
    assert.equal(r.certificates[0]!.evidence.stapled, true);
    assert.equal(fetches, before);
  });

  test('stale (after its nextUpdate): ignored, the responder is asked (down → unknown)', async () => {
    const r = await check(user, [goodResponse], [], new Date(Date.now() + 3600_000));
    assert.equal(r.code, 'revocation-unknown');
    assert.notEqual(r.certificates[0]!.evidence.stapled, true);
    assert.equal(r.certificates[0]!.evidence.problem, 'network');
  });

  test('wrongly signed (one bit of the signature flipped): ignored', async () => {
    const bad = goodResponse.slice();
    bad[bad.length - 1]! ^= 1;
    const r = await check(user, [bad]);
    assert.equal(r.code, 'revocation-unknown');
    assert.notEqual(r.certificates[0]!.evidence.stapled, true);
  });

  test("another certificate's answer: ignored", async () => {
    const r = await check(other, [goodResponse]);
    assert.equal(r.code, 'revocation-unknown');
    assert.notEqual(r.certificates[0]!.evidence.stapled, true);
  });

  test('a stapled CRL listing the signer makes it revoked with the CRL server down', async () => {
    const [identity] = await loadIdentities(new Uint8Array(readFileSync(crlUser.identityPemPath)), undefined, provider);
    const msg = await protectMessage(new TextEncoder().encode(message(crlUser.email)), { sign: { identity: identity!, revocationInfo: { crls: [makeCrl('staple', 'inter')] } }, provider });
    const { verdict } = await openMessage(msg, { anchors: [pki.rootDer], fetch: countingFetch, provider });
    assert.equal(verdict.status, 'revoked');
    assert.equal(verdict.signer!.chain[0]!.revocation!.stapled, true);
    assert.equal(verdict.signer!.chain[0]!.revocation!.reason, 'keyCompromise');
  });
});

function writeTmp(b: Buffer, name: string): string {
  const p = join(mkdtempSync(join(tmpdir(), 'signet-staple-')), name);
  writeFileSync(p, b);
  return p;
}
