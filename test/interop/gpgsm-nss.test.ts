// Interop with GnuPG's gpgsm and NSS's cmsutil (Thunderbird's CMS), both directions, through the shipped
// `signet` command line. The harness (helpers/tools.ts) is proven tool-to-tool in tools.test.ts.
// Debian 12's tools limit the matrix: neither gpgsm 2.2 nor NSS 3.87 can read RSA-OAEP, ECDH recipients
// or AES-GCM (AuthEnvelopedData), and gpgsm cannot verify P-521; those directions are covered against
// OpenSSL (openssl.test.ts) and pinned as tool limits in tools.test.ts.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { testPki, PASS, type UserName } from '../helpers/pki.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SIGNET_BIN, signet, verifyJson } from '../helpers/cli.js';
import {
  cmsutilDecrypt, cmsutilEncrypt, cmsutilSign, cmsutilVerify, gpgsmDecrypt, gpgsmEncrypt, gpgsmHome, gpgsmSign, gpgsmVerify, nssDb, opensslCms,
} from '../helpers/tools.js';
import { parseMime } from '../../src/core/mime/parser.js';

const pki = testPki();
const gpg = gpgsmHome(pki);
const db = nssDb(pki);
after(() => {
  gpg.close();
  db.close();
});

const ENTITY = Buffer.from('Content-Type: text/plain; charset=utf-8\r\n\r\nHello Bob,\r\n\r\nthe interop numbers: 7.\r\n');

function message(from: string): string {
  return `From: <${from}>\r\nTo: bob@example.org\r\nSubject: interop\r\nDate: ${new Date().toUTCString()}\r\nMIME-Version: 1.0\r\n${ENTITY.toString('latin1')}`;
}

function headers(from: string): string {
  return `From: <${from}>\r\nTo: bob@example.org\r\nSubject: interop\r\nDate: ${new Date().toUTCString()}\r\nMIME-Version: 1.0\r\n`;
}

function b64(der: Buffer): string {
  return der.toString('base64').replace(/.{76}/g, '$&\r\n');
}

function wrapDetached(sig: Buffer, from: string): string {
  return (
    headers(from) +
    'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="xyz"\r\n\r\n' +
    `--xyz\r\n${ENTITY.toString('latin1')}\r\n--xyz\r\nContent-Type: application/pkcs7-signature; name=smime.p7s\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64(sig)}\r\n--xyz--\r\n`
  );
}

function wrapPkcs7(der: Buffer, smimeType: string, from: string): string {
  return headers(from) + `Content-Type: application/pkcs7-mime; smime-type=${smimeType}; name=smime.p7m\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64(der)}\r\n`;
}

/** Splits a Signet-made S/MIME message into what the tools take: DER and (for detached) the signed bytes. */
function unwrap(msg: Buffer): { der: Buffer; content?: Buffer } {
  const root = parseMime(new Uint8Array(msg));
  if (root.contentType.type === 'multipart/signed') {
    return { der: Buffer.from(root.children[1]!.decodeBody()), content: Buffer.from(root.children[0]!.raw) };
  }
  return { der: Buffer.from(root.decodeBody()) };
}


// ---- Signet → gpgsm / cmsutil ----

for (const who of ['alice', 'carol', 'dave', 'erin'] as UserName[]) {
  for (const opaque of [false, true]) {
    const u = pki.users[who];
    const digest = who === 'dave' ? 'sha384' : who === 'erin' ? 'sha512' : 'sha256';
    test(`signet sign (${who}, ${opaque ? 'opaque' : 'detached'}) → NSS cmsutil verifies`, () => {
      const s = signet(['sign', '--identity', u.p12Path, '--pass', PASS, '--digest', digest, ...(opaque ? ['--opaque'] : [])], message(u.email!));
      assert.equal(s.status, 0, s.stderr);
      const { der, content } = unwrap(s.stdout);
      const v = cmsutilVerify(db, der, content);
      assert.equal(v.ok, true, v.stderr);
      if (opaque) assert.match(v.content?.toString('latin1') ?? '', /interop numbers: 7/);
    });
    if (who !== 'erin') {
      // gpgsm 2.2 cannot verify P-521 ECDSA at all (pinned in tools.test.ts).
      test(`signet sign (${who}, ${opaque ? 'opaque' : 'detached'}) → gpgsm verifies`, () => {
        const s = signet(['sign', '--identity', u.p12Path, '--pass', PASS, '--digest', digest, ...(opaque ? ['--opaque'] : [])], message(u.email!));
        assert.equal(s.status, 0, s.stderr);
        const { der, content } = unwrap(s.stdout);
        const v = gpgsmVerify(gpg, der, content);
        assert.equal(v.ok, true, v.stderr);
      });
    }
  }
}

test('signet sign, then the signed part altered → cmsutil and gpgsm both reject (our harness sees failures)', () => {
  const s = signet(['sign', '--identity', pki.users.alice.p12Path, '--pass', PASS], message('alice@example.org'));
  const { der, content } = unwrap(s.stdout);
  const bad = Buffer.from(content!.toString('latin1').replace('numbers: 7', 'numbers: 8'), 'latin1');
  assert.equal(cmsutilVerify(db, der, bad).ok, false);
  assert.equal(gpgsmVerify(gpg, der, bad).ok, false);
});

for (const cipher of ['aes-128-cbc', 'aes-256-cbc']) {
  test(`signet encrypt (${cipher}) to bob → cmsutil and gpgsm decrypt`, () => {
    const e = signet(['encrypt', '--to', pki.users.bob.certPath, '--cipher', cipher], message('alice@example.org'));
    assert.equal(e.status, 0, e.stderr);
    const { der } = unwrap(e.stdout);
    const n = cmsutilDecrypt(db, der);
    assert.equal(n.ok, true, n.stderr);
    assert.match(n.content.toString('latin1'), /interop numbers: 7/);
    const g = gpgsmDecrypt(gpg, der);
    assert.equal(g.ok, true, g.stderr);
    assert.match(g.content.toString('latin1'), /interop numbers: 7/);
  });
}

// `signet encrypt` reading a pipe encrypts as the message arrives, into BER with indefinite lengths
// (protect.ts writeProtectedMessageFrom); from a regular file it writes DER. A 1.3 MB body spans three
// AES-CBC chunks (cms/envelope.ts CBC_CHUNK_BYTES), so the constructed encryptedContent holds several
// OCTET STRINGs. Every reader must recover exactly the same bytes from both forms.
test('signet encrypt from a pipe (BER, indefinite lengths, chunked ciphertext) and from a file (DER) → cmsutil, gpgsm and OpenSSL decrypt both byte-exact', () => {
  const body = Array.from({ length: 20000 }, (_, i) => `line ${i} of the streamed interop body, numbers: ${(i * 7919) % 10007}\r\n`).join('');
  const entity = Buffer.from(`Content-Type: text/plain; charset=utf-8\r\n\r\n${body}`);
  const msg = Buffer.concat([Buffer.from(headers('alice@example.org')), entity]);
  assert.ok(entity.length > 2 * 524288, 'the body spans at least three AES-CBC chunks');
  const piped = signet(['encrypt', '--to', pki.users.bob.certPath, '--cipher', 'aes-256-cbc'], msg);
  assert.equal(piped.status, 0, piped.stderr);
  const path = join(mkdtempSync(join(tmpdir(), 'signet-stream-')), 'in.eml');
  writeFileSync(path, msg);
  const filed = spawnSync(process.execPath, [SIGNET_BIN, 'encrypt', '--to', pki.users.bob.certPath, '--cipher', 'aes-256-cbc'], {
    stdio: [openSync(path, 'r'), 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(filed.status, 0, filed.stderr.toString());
  const ber = unwrap(piped.stdout).der;
  const der = unwrap(filed.stdout).der;
  // ContentInfo, [0], EnvelopedData: indefinite (0x80) from the pipe; definite long-form lengths from the file.
  assert.deepEqual([...ber.subarray(0, 2)], [0x30, 0x80]);
  assert.deepEqual([...ber.subarray(ber.length - 10)], new Array(10).fill(0));
  assert.equal(der[0], 0x30);
  assert.notEqual(der[1], 0x80);
  for (const form of [ber, der]) {
    const n = cmsutilDecrypt(db, form);
    assert.equal(n.ok, true, n.stderr);
    assert.ok(n.content.equals(entity), 'cmsutil recovers the entity byte for byte');
    const g = gpgsmDecrypt(gpg, form);
    assert.equal(g.ok, true, g.stderr);
    assert.ok(g.content.equals(entity), 'gpgsm recovers the entity byte for byte');
    const o = opensslCms(['-decrypt', '-inform', 'DER', '-binary', '-recip', pki.users.bob.certPath, '-inkey', pki.users.bob.keyPath], form);
    assert.equal(o.status, 0, o.stderr);
    assert.ok(o.stdout.equals(entity), 'OpenSSL recovers the entity byte for byte');
  }
  // And Signet reads its own streamed output back to the whole message.
  const back = signet(['decrypt', '--identity', pki.users.bob.p12Path, '--pass', PASS], piped.stdout);
  assert.equal(back.status, 0, back.stderr);
  assert.ok(back.stdout.equals(msg), 'signet decrypt returns the message byte for byte');
});

test('signet sign | signet encrypt → cmsutil decrypts, then verifies the inner signature', () => {
  const s = signet(['sign', '--identity', pki.users.alice.p12Path, '--pass', PASS, '--opaque'], message('alice@example.org'));
  const e = signet(['encrypt', '--to', pki.users.bob.certPath], s.stdout);
  assert.equal(e.status, 0, e.stderr);
  const inner = cmsutilDecrypt(db, unwrap(e.stdout).der);
  assert.equal(inner.ok, true, inner.stderr);
  const { der } = unwrap(Buffer.concat([Buffer.from('MIME-Version: 1.0\r\n'), inner.content]));
  assert.equal(cmsutilVerify(db, der).ok, true);
});

// RFC 9788 header protection: Thunderbird's NSS and gpgsm still verify and decrypt, the body intact.
for (const opaque of [false, true]) {
  test(`signet sign --protect-headers (${opaque ? 'opaque' : 'detached'}) → cmsutil and gpgsm verify; hp="clear" and the Subject inside`, () => {
    const s = signet(['sign', '--identity', pki.users.alice.p12Path, '--pass', PASS, '--protect-headers', ...(opaque ? ['--opaque'] : [])], message('alice@example.org'));
    assert.equal(s.status, 0, s.stderr);
    const { der, content } = unwrap(s.stdout);
    const n = cmsutilVerify(db, der, content);
    assert.equal(n.ok, true, n.stderr);
    assert.equal(gpgsmVerify(gpg, der, content).ok, true);
    const inner = (content ?? n.content ?? Buffer.alloc(0)).toString('latin1');
    assert.match(inner, /hp="clear"/);
    assert.match(inner, /^Subject: interop\r$/m);
    assert.match(inner, /interop numbers: 7/);
  });
}

test('signet encrypt --hide-subject (aes-256-cbc) to bob → cmsutil and gpgsm decrypt: real Subject and body inside, "[...]" outside', () => {
  const e = signet(['encrypt', '--to', pki.users.bob.certPath, '--cipher', 'aes-256-cbc', '--hide-subject'], message('alice@example.org'));
  assert.equal(e.status, 0, e.stderr);
  assert.match(e.stdout.toString('latin1'), /^Subject: \[\.\.\.\]\r$/m);
  const { der } = unwrap(e.stdout);
  for (const out of [cmsutilDecrypt(db, der), gpgsmDecrypt(gpg, der)]) {
    assert.equal(out.ok, true, out.stderr);
    const inner = out.content.toString('latin1');
    assert.match(inner, /hp="cipher"/);
    assert.match(inner, /^Subject: interop\r$/m);
    assert.match(inner, /^HP-Outer: Subject: \[\.\.\.\]\r$/m);
    assert.match(inner, /\r\n\r\nHello Bob,\r\n\r\nthe interop numbers: 7\.\r\n$/);
  }
});

// ---- gpgsm / cmsutil → Signet ----

for (const who of ['alice', 'carol', 'dave', 'erin'] as UserName[]) {
  for (const detached of [true, false]) {
    const u = pki.users[who];
    test(`gpgsm sign (${who}, ${detached ? 'detached' : 'opaque'}) → signet verify: valid`, () => {
      const sig = gpgsmSign(gpg, who, ENTITY, { detached });
      const msg = detached ? wrapDetached(sig, u.email!) : wrapPkcs7(sig, 'signed-data', u.email!);
      const j = verifyJson(msg, ['--trust', pki.rootPath]);
      assert.equal(j.verdict.status, 'valid', JSON.stringify(j.verdict.signers.map((s) => s.code)));
      assert.equal(j.verdict.signer?.email, u.email);
    });
    test(`NSS cmsutil sign (${who}, ${detached ? 'detached' : 'opaque'}) → signet verify: valid`, () => {
      const sig = cmsutilSign(db, who, ENTITY, { detached, digest: who === 'dave' ? 'SHA384' : who === 'erin' ? 'SHA512' : 'SHA256' });
      const msg = detached ? wrapDetached(sig, u.email!) : wrapPkcs7(sig, 'signed-data', u.email!);
      const j = verifyJson(msg, ['--trust', pki.rootPath]);
      assert.equal(j.verdict.status, 'valid', JSON.stringify(j.verdict.signers.map((s) => s.code)));
      assert.equal(j.verdict.signer?.email, u.email);
    });
  }
}

test('gpgsm signature on a message From someone else → sender-mismatch; altered → invalid', () => {
  const sig = gpgsmSign(gpg, 'alice', ENTITY, { detached: true });
  assert.equal(verifyJson(wrapDetached(sig, 'eve@example.org'), ['--trust', pki.rootPath]).verdict.status, 'sender-mismatch');
  const tampered = wrapDetached(sig, 'alice@example.org').replace('numbers: 7', 'numbers: 9');
  const j = verifyJson(tampered, ['--trust', pki.rootPath]);
  assert.equal(j.verdict.status, 'invalid');
  assert.equal(j.verdict.code, 'digest-mismatch');
});

test('cmsutil signature verified without its root → untrusted', () => {
  const sig = cmsutilSign(db, 'alice', ENTITY, { detached: true });
  assert.equal(verifyJson(wrapDetached(sig, 'alice@example.org'), ['--trust', pki.otherRootPath]).verdict.status, 'untrusted');
});

test('gpgsm encrypt to bob → signet decrypt', () => {
  const der = gpgsmEncrypt(gpg, pki.users.bob.certPath, ENTITY);
  const d = signet(['decrypt', '--identity', pki.users.bob.p12LegacyPath, '--pass', PASS], wrapPkcs7(der, 'enveloped-data', 'alice@example.org'));
  assert.equal(d.status, 0, d.stderr);
  assert.match(d.stdout.toString(), /interop numbers: 7/);
  assert.match(d.stdout.toString(), /^Subject: interop/m);
});

test('NSS cmsutil encrypt to bob → signet decrypt; to alice only → not-a-recipient', () => {
  const der = cmsutilEncrypt(db, 'bob', ENTITY);
  const d = signet(['decrypt', '--identity', pki.users.bob.p12Path, '--pass', PASS], wrapPkcs7(der, 'enveloped-data', 'alice@example.org'));
  assert.equal(d.status, 0, d.stderr);
  assert.match(d.stdout.toString(), /interop numbers: 7/);
  const other = cmsutilEncrypt(db, 'alice', ENTITY);
  const d2 = signet(['decrypt', '--identity', pki.users.bob.p12Path, '--pass', PASS], wrapPkcs7(other, 'enveloped-data', 'alice@example.org'));
  assert.equal(d2.status, 1);
  assert.equal(d2.stdout.length, 0);
  assert.match(d2.stderr, /\[not-a-recipient\]/);
});

test('NSS cmsutil: sign then encrypt (triple-wrap style) → signet verify with bob\'s key: valid, both layers', () => {
  const signedDer = cmsutilSign(db, 'alice', ENTITY, { detached: false });
  const inner = Buffer.from(`Content-Type: application/pkcs7-mime; smime-type=signed-data; name=smime.p7m\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64(signedDer)}\r\n`);
  const env = cmsutilEncrypt(db, 'bob', inner);
  const j = verifyJson(wrapPkcs7(env, 'enveloped-data', 'alice@example.org'), ['--trust', pki.rootPath, '--identity', pki.users.bob.p12Path, '--pass', PASS]);
  assert.equal(j.verdict.status, 'valid');
  assert.deepEqual(j.verdict.layers.map((l) => l.kind), ['encrypted', 'signed']);
});

