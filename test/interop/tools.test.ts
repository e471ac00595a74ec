// Proves the interop harness (test/helpers/tools.ts) tool-to-tool, with no Signet code involved: every
// direction the lead's Signet↔tool tests rely on works with genuine input AND reports failure for a
// tampered or untrusted variant. If one of these fails, fix the harness before reading any interop result.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testPki, type UserName } from '../helpers/pki.js';
import {
  cmsutilDecrypt, cmsutilEncrypt, cmsutilSign, cmsutilVerify, gpgsmDecrypt, gpgsmEncrypt, gpgsmHome, gpgsmSign,
  gpgsmVerify, nssDb, opensslCms,
} from '../helpers/tools.js';

const pki = testPki();
const gpg = gpgsmHome(pki);
const db = nssDb(pki);
after(() => {
  gpg.close();
  db.close();
});

const DATA = Buffer.from('Content-Type: text/plain; charset=utf-8\r\n\r\nInterop harness check \u00e9\r\n.\r\nFrom the end\r\n');

function file(name: string, data: Buffer): string {
  const p = join(pki.dir, `tools-test-${name}`);
  writeFileSync(p, data);
  return p;
}

function flip(b: Buffer, i: number): Buffer {
  const c = Buffer.from(b);
  c[i] = c[i]! ^ 0x01;
  return c;
}

/** Flips a byte inside the encapsulated content of an opaque SignedData: the digest no longer matches. */
function tamperContent(der: Buffer): Buffer {
  const i = der.indexOf(Buffer.from('Interop harness'));
  assert.ok(i > 0, 'content found inside the signature');
  return flip(der, i + 3);
}

/** Flips a byte inside the RSA-encrypted content-encryption key (OCTET STRING of the modulus length). */
function tamperEncryptedKey(der: Buffer, modulusBytes: number): Buffer {
  const i = der.indexOf(Buffer.from([0x04, 0x82, modulusBytes >> 8, modulusBytes & 0xff]));
  assert.ok(i > 0, 'encryptedKey found');
  return flip(der, i + 4 + 100);
}

const TAMPERED_DATA = Buffer.from(DATA.toString().replace('check', 'chuck'));

function opensslSign(user: UserName, detached: boolean, md = 'sha256'): Buffer {
  const u = pki.users[user];
  const r = opensslCms(['-sign', '-binary', '-md', md, '-signer', u.certPath, '-inkey', u.keyPath, '-certfile', pki.intermediatePath,
    '-outform', 'DER', ...(detached ? [] : ['-nodetach'])], DATA);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

function opensslVerify(sig: Buffer, content?: Buffer): { ok: boolean; content: Buffer; stderr: string } {
  const args = ['-verify', '-binary', '-inform', 'DER', '-in', file('ov.p7s', sig), '-CAfile', pki.rootPath];
  const r = opensslCms(content ? [...args, '-content', file('ov.dat', content)] : args);
  return { ok: r.status === 0, content: r.stdout, stderr: r.stderr };
}

function opensslEncrypt(user: UserName, cipher = '-aes-256-cbc'): Buffer {
  const r = opensslCms(['-encrypt', '-binary', cipher, '-outform', 'DER', pki.users[user].certPath], DATA);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

function opensslDecrypt(user: UserName, env: Buffer): { ok: boolean; content: Buffer } {
  const u = pki.users[user];
  const r = opensslCms(['-decrypt', '-binary', '-inform', 'DER', '-in', file('od.p7m', env), '-recip', u.certPath, '-inkey', u.keyPath]);
  return { ok: r.status === 0, content: r.stdout };
}

// ---- signatures --------------------------------------------------------------------------------------

test('openssl sign → gpgsm verify (RSA and EC, detached and opaque); tampered and untrusted fail', () => {
  for (const [user, md] of [['alice', 'sha256'], ['bob', 'sha512'], ['carol', 'sha256'], ['dave', 'sha384']] as const) {
    const det = opensslSign(user, true, md);
    const v = gpgsmVerify(gpg, det, DATA);
    assert.ok(v.ok, `${user}: ${v.stderr}`);
    assert.equal(v.signers.length, 1);
    assert.equal(gpgsmVerify(gpg, det, TAMPERED_DATA).ok, false, `${user} tampered`);
  }
  const opaque = opensslSign('alice', false);
  const v = gpgsmVerify(gpg, opaque);
  assert.ok(v.ok, v.stderr);
  assert.deepEqual(v.content, DATA);
  assert.equal(gpgsmVerify(gpg, tamperContent(opaque)).ok, false);
  // mallory chains to a root this home does not trust: a good signature is still not "ok".
  const m = pki.users.mallory;
  const r = opensslCms(['-sign', '-binary', '-signer', m.certPath, '-inkey', m.keyPath, '-outform', 'DER'], DATA);
  const mv = gpgsmVerify(gpg, r.stdout, DATA);
  assert.equal(mv.ok, false);
  assert.equal(mv.signers[0]?.status, 'GOODSIG');
});

test('gpgsm sign → openssl verify (RSA and EC, detached and opaque); tampered fails', () => {
  for (const user of ['alice', 'bob', 'carol', 'dave', 'erin'] as const) {
    const det = gpgsmSign(gpg, user, DATA, { detached: true });
    const v = opensslVerify(det, DATA);
    assert.ok(v.ok, `${user}: ${v.stderr}`);
    assert.equal(opensslVerify(det, TAMPERED_DATA).ok, false, `${user} tampered`);
  }
  for (const user of ['alice', 'carol'] as const) {
    const opaque = gpgsmSign(gpg, user, DATA, { detached: false });
    const v = opensslVerify(opaque);
    assert.ok(v.ok, v.stderr);
    assert.deepEqual(v.content, DATA);
    assert.equal(opensslVerify(tamperContent(opaque)).ok, false);
  }
});

test('cmsutil sign → openssl verify (RSA and EC, detached and opaque); tampered fails', () => {
  for (const [user, digest] of [['alice', 'SHA256'], ['bob', 'SHA384'], ['carol', 'SHA256'], ['dave', 'SHA384'], ['erin', 'SHA512']] as const) {
    const det = cmsutilSign(db, user, DATA, { detached: true, digest });
    const v = opensslVerify(det, DATA);
    assert.ok(v.ok, `${user}: ${v.stderr}`);
    assert.equal(opensslVerify(det, TAMPERED_DATA).ok, false, `${user} tampered`);
  }
  const opaque = cmsutilSign(db, 'carol', DATA, { detached: false });
  const v = opensslVerify(opaque);
  assert.ok(v.ok, v.stderr);
  assert.deepEqual(v.content, DATA);
  assert.equal(opensslVerify(tamperContent(opaque)).ok, false);
});

test('openssl sign → cmsutil verify (RSA and EC, detached and opaque); tampered and untrusted fail', () => {
  for (const user of ['alice', 'carol', 'erin'] as const) {
    const det = opensslSign(user, true);
    const v = cmsutilVerify(db, det, DATA);
    assert.ok(v.ok, `${user}: ${v.stderr}`);
    assert.deepEqual(v.signers.map((s) => s.status), ['GoodSignature']);
    const bad = cmsutilVerify(db, det, TAMPERED_DATA);
    assert.equal(bad.ok, false);
    assert.deepEqual(bad.signers.map((s) => s.status), ['DigestMismatch']);
  }
  const opaque = opensslSign('bob', false);
  const v = cmsutilVerify(db, opaque);
  assert.ok(v.ok, v.stderr);
  assert.deepEqual(v.content, DATA);
  assert.equal(cmsutilVerify(db, tamperContent(opaque)).ok, false);
  const m = pki.users.mallory;
  const r = opensslCms(['-sign', '-binary', '-signer', m.certPath, '-inkey', m.keyPath, '-outform', 'DER'], DATA);
  const mv = cmsutilVerify(db, r.stdout, DATA);
  assert.equal(mv.ok, false);
  assert.deepEqual(mv.signers.map((s) => s.status), ['SigningCertNotTrusted']);
});

test('gpgsm sign → cmsutil verify and cmsutil sign → gpgsm verify (RSA and EC)', () => {
  for (const user of ['alice', 'dave'] as const) {
    assert.ok(cmsutilVerify(db, gpgsmSign(gpg, user, DATA, { detached: true }), DATA).ok, user);
    const digest = user === 'dave' ? 'SHA384' : 'SHA256';
    assert.ok(gpgsmVerify(gpg, cmsutilSign(db, user, DATA, { detached: true, digest }), DATA).ok, user);
  }
});

// ---- encryption --------------------------------------------------------------------------------------

test('openssl encrypt (RSA, AES-CBC) → cmsutil decrypt and gpgsm decrypt; tampered key fails', () => {
  for (const [user, modBytes] of [['alice', 256], ['bob', 384]] as const) {
    for (const cipher of ['-aes-128-cbc', '-aes-256-cbc']) {
      const env = opensslEncrypt(user, cipher);
      const n = cmsutilDecrypt(db, env);
      assert.ok(n.ok, `cmsutil ${user} ${cipher}: ${n.stderr}`);
      assert.deepEqual(n.content, DATA);
      const g = gpgsmDecrypt(gpg, env);
      assert.ok(g.ok, `gpgsm ${user} ${cipher}: ${g.stderr}`);
      assert.deepEqual(g.content, DATA);
      const bad = tamperEncryptedKey(env, modBytes);
      assert.equal(cmsutilDecrypt(db, bad).ok, false, 'cmsutil tampered');
      assert.equal(gpgsmDecrypt(gpg, bad).ok, false, 'gpgsm tampered');
    }
  }
  // Addressed to someone else entirely: nobody here holds mallory's key.
  const other = opensslEncrypt('mallory');
  assert.equal(cmsutilDecrypt(db, other).ok, false);
  assert.equal(gpgsmDecrypt(gpg, other).ok, false);
});

test('gpgsm encrypt and cmsutil encrypt (RSA) → openssl decrypt; tampered key fails', () => {
  const g = gpgsmEncrypt(gpg, pki.users.bob.certPath, DATA);
  assert.deepEqual(opensslDecrypt('bob', g), { ok: true, content: DATA });
  assert.equal(opensslDecrypt('bob', tamperEncryptedKey(g, 384)).content.equals(DATA), false);
  const n = cmsutilEncrypt(db, 'alice@example.org', DATA);
  assert.deepEqual(opensslDecrypt('alice', n), { ok: true, content: DATA });
  assert.equal(opensslDecrypt('alice', tamperEncryptedKey(n, 256)).content.equals(DATA), false);
  // And round trips inside each tool, so a tool-side failure is never blamed on the other side.
  assert.deepEqual(gpgsmDecrypt(gpg, gpgsmEncrypt(gpg, pki.users.alice.certPath, DATA)).content, DATA);
  assert.deepEqual(cmsutilDecrypt(db, cmsutilEncrypt(db, 'bob', DATA)).content, DATA);
});

// Known limits of the Debian 12 tools, pinned so an upgrade that lifts them is noticed (then extend the
// lead's interop matrix): EC (ECDH key agreement) recipients and AES-GCM AuthEnvelopedData.
test('known gaps: gpgsm 2.2 cannot verify P-521 ECDSA (it can sign with it)', () => {
  const v = gpgsmVerify(gpg, opensslSign('erin', true, 'sha512'), DATA);
  assert.equal(v.ok, false);
  assert.match(v.stderr, /DSA requires the hash length to be a multiple of 8 bits/);
});

test('known gaps: gpgsm 2.2 and NSS 3.87 cannot decrypt ECDH or AuthEnvelopedData; openssl can', () => {
  const ecdh = opensslEncrypt('carol');
  assert.equal(opensslDecrypt('carol', ecdh).ok, true, 'openssl ECDH round trip');
  assert.equal(cmsutilDecrypt(db, ecdh).ok, false);
  assert.equal(gpgsmDecrypt(gpg, ecdh).ok, false);
  const gcm = opensslEncrypt('alice', '-aes-128-gcm');
  assert.equal(opensslDecrypt('alice', gcm).ok, true, 'openssl GCM round trip');
  assert.equal(cmsutilDecrypt(db, gcm).ok, false);
  assert.equal(gpgsmDecrypt(gpg, gcm).ok, false);
  assert.throws(() => cmsutilEncrypt(db, 'carol', DATA), /cmsutil -E failed/);
  assert.throws(() => gpgsmEncrypt(gpg, pki.users.carol.certPath, DATA), /gpgsm encrypt failed/);
});
