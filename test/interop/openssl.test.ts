// Interop with OpenSSL's CMS implementation (`openssl cms`), in both directions, through the shipped
// `signet` command line: what Signet signs and encrypts, OpenSSL verifies and decrypts; what OpenSSL
// makes, Signet verifies and decrypts with the right Verdict. Keys are generated in the run (helpers/pki).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testPki, PASS, type UserName } from '../helpers/pki.js';
import { signet, verifyJson } from '../helpers/cli.js';

const pki = testPki();
const work = mkdtempSync(join(tmpdir(), 'signet-ossl-'));

function message(from = 'alice@example.org', body = 'Hello Bob,\r\n\r\nthe quarterly numbers: 42.\r\n'): string {
  return (
    `From: Alice Example <${from}>\r\nTo: Bob <bob@example.org>\r\nSubject: Quarterly numbers\r\n` +
    `Date: ${new Date().toUTCString()}\r\nMessage-ID: <${Math.random().toString(36).slice(2)}@example.org>\r\n` +
    `MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n${body}`
  );
}

function openssl(args: string[], input?: Uint8Array | string): { status: number; stdout: Buffer; stderr: string } {
  const r = spawnSync('openssl', args, { input: input === undefined ? undefined : Buffer.from(input), maxBuffer: 256 * 1024 * 1024 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr.toString() };
}

function file(name: string, data: Uint8Array | string): string {
  const p = join(work, name);
  writeFileSync(p, data);
  return p;
}

const SIGNERS: UserName[] = ['alice', 'bob', 'carol', 'dave', 'erin'];

for (const who of SIGNERS) {
  for (const opaque of [false, true]) {
    for (const digest of ['sha256', 'sha384', 'sha512']) {
      test(`signet sign (${who}, ${opaque ? 'opaque' : 'detached'}, ${digest}) → openssl cms -verify accepts it`, () => {
        const u = pki.users[who];
        const s = signet(['sign', '--identity', u.p12Path, '--pass', PASS, '--digest', digest, ...(opaque ? ['--opaque'] : [])], message(u.email!));
        assert.equal(s.status, 0, s.stderr);
        const v = openssl(['cms', '-verify', '-CAfile', pki.rootPath], s.stdout);
        assert.equal(v.status, 0, v.stderr);
        assert.match(v.stdout.toString(), /the quarterly numbers: 42\./);
        // and Signet itself agrees
        const j = verifyJson(s.stdout, ['--trust', pki.rootPath]);
        assert.equal(j.verdict.status, 'valid');
        assert.equal(j.verdict.signer?.email, u.email);
        assert.equal(j.status, 0);
      });
    }
  }
}

for (const cipher of ['aes-128-cbc', 'aes-256-cbc', 'aes-128-gcm', 'aes-256-gcm']) {
  for (const to of ['bob', 'carol', 'dave', 'erin'] as UserName[]) {
    test(`signet encrypt (--to ${to}, ${cipher}) → openssl cms -decrypt recovers the message`, () => {
      const u = pki.users[to];
      const e = signet(['encrypt', '--to', u.certPath, '--identity', pki.users.alice.p12Path, '--pass', PASS, '--cipher', cipher], message());
      assert.equal(e.status, 0, e.stderr);
      const d = openssl(['cms', '-decrypt', '-recip', u.certPath, '-inkey', u.keyPath], e.stdout);
      assert.equal(d.status, 0, d.stderr);
      assert.match(d.stdout.toString(), /the quarterly numbers: 42\./);
      // The sender can read their own copy (Sent Items).
      const own = signet(['decrypt', '--identity', pki.users.alice.identityPemPath], e.stdout);
      assert.equal(own.status, 0, own.stderr);
      assert.match(own.stdout.toString(), /the quarterly numbers: 42\./);
    });
  }
}

test('signet sign | signet encrypt → openssl decrypts then verifies (sign-then-encrypt)', () => {
  const s = signet(['sign', '--identity', pki.users.alice.identityPemPath], message());
  assert.equal(s.status, 0, s.stderr);
  const e = signet(['encrypt', '--to', pki.users.bob.certPath, '--cipher', 'aes-256-gcm'], s.stdout);
  assert.equal(e.status, 0, e.stderr);
  const d = openssl(['cms', '-decrypt', '-recip', pki.users.bob.certPath, '-inkey', pki.users.bob.keyPath], e.stdout);
  assert.equal(d.status, 0, d.stderr);
  const v = openssl(['cms', '-verify', '-CAfile', pki.rootPath], d.stdout);
  assert.equal(v.status, 0, v.stderr);
  const j = verifyJson(e.stdout, ['--trust', pki.rootPath, '--identity', pki.users.bob.p12Path, '--pass', PASS]);
  assert.equal(j.verdict.status, 'valid');
  assert.deepEqual(j.verdict.layers.map((l) => l.kind), ['encrypted', 'signed']);
  assert.equal(j.verdict.layers[0]!.cipher, 'AES-256-GCM');
});

// ---- RFC 9788 header protection: the protected fields ride inside, and OpenSSL still reads the body ----

interface HpJson {
  headerProtection: { hp: string | null; subject: string | null; hidden: { field: string; outer: string | null }[]; mismatches: unknown[] } | null;
}

test('signet sign --protect-headers (detached and opaque) → openssl cms -verify accepts, body intact, hp="clear" inside', () => {
  for (const opaque of [false, true]) {
    const s = signet(['sign', '--identity', pki.users.alice.p12Path, '--pass', PASS, '--protect-headers', ...(opaque ? ['--opaque'] : [])], message());
    assert.equal(s.status, 0, s.stderr);
    const v = openssl(['cms', '-verify', '-CAfile', pki.rootPath], s.stdout);
    assert.equal(v.status, 0, v.stderr);
    const inner = v.stdout.toString();
    assert.match(inner, /hp="clear"/);
    assert.match(inner, /^Subject: Quarterly numbers\r?$/m);
    assert.match(inner, /the quarterly numbers: 42\./);
    const j = verifyJson(s.stdout, ['--trust', pki.rootPath]);
    assert.equal(j.verdict.status, 'valid');
    const hp = (j.verdict as unknown as HpJson).headerProtection;
    assert.equal(hp?.hp, 'clear');
    assert.equal(hp?.subject, 'Quarterly numbers');
    assert.deepEqual(hp?.mismatches, []);
  }
});

for (const cipher of ['aes-256-cbc', 'aes-256-gcm']) {
  test(`signet encrypt --hide-subject --legacy-display (${cipher}) → "[...]" on the wire; openssl decrypts the real Subject and the body`, () => {
    const e = signet(['encrypt', '--to', pki.users.bob.certPath, '--cipher', cipher, '--hide-subject', '--legacy-display'], message());
    assert.equal(e.status, 0, e.stderr);
    const wire = e.stdout.toString();
    assert.match(wire, /^Subject: \[\.\.\.\]\r$/m);
    assert.doesNotMatch(wire, /Quarterly/);
    const d = openssl(['cms', '-decrypt', '-recip', pki.users.bob.certPath, '-inkey', pki.users.bob.keyPath], e.stdout);
    assert.equal(d.status, 0, d.stderr);
    const inner = d.stdout.toString();
    assert.match(inner, /hp="cipher"/);
    assert.match(inner, /^Subject: Quarterly numbers\r?$/m);
    assert.match(inner, /^HP-Outer: Subject: \[\.\.\.\]\r?$/m);
    // The Legacy Display Element and the body, base64 inside the payload, decode to the text with the Subject first.
    const body = Buffer.from(inner.split(/\r?\n\r?\n/)[1]!.replace(/\s+/g, ''), 'base64').toString('utf8');
    assert.match(body, /^Subject: Quarterly numbers\r\n\r\nHello Bob,\r\n\r\nthe quarterly numbers: 42\.\r\n$/);
    const j = verifyJson(e.stdout, ['--trust', pki.rootPath, '--identity', pki.users.bob.p12Path, '--pass', PASS]);
    const hp = (j.verdict as unknown as HpJson).headerProtection;
    assert.equal(hp?.subject, 'Quarterly numbers');
    assert.deepEqual(hp?.hidden, [{ field: 'subject', outer: '[...]' }]);
  });
}

test('signet sign --protect-headers | signet encrypt → openssl decrypts then verifies; the signed Subject is read back', () => {
  const s = signet(['sign', '--identity', pki.users.alice.identityPemPath, '--protect-headers'], message());
  const e = signet(['encrypt', '--to', pki.users.bob.certPath, '--cipher', 'aes-256-gcm'], s.stdout);
  assert.equal(e.status, 0, e.stderr);
  const d = openssl(['cms', '-decrypt', '-recip', pki.users.bob.certPath, '-inkey', pki.users.bob.keyPath], e.stdout);
  assert.equal(d.status, 0, d.stderr);
  const v = openssl(['cms', '-verify', '-CAfile', pki.rootPath], d.stdout);
  assert.equal(v.status, 0, v.stderr);
  assert.match(v.stdout.toString(), /the quarterly numbers: 42\./);
  const j = verifyJson(e.stdout, ['--trust', pki.rootPath, '--identity', pki.users.bob.p12Path, '--pass', PASS]);
  assert.equal(j.verdict.status, 'valid');
  assert.equal((j.verdict as unknown as HpJson).headerProtection?.subject, 'Quarterly numbers');
});

test('signet encrypt --hide-subject on an already signed message is a usage error (hp belongs on the innermost content)', () => {
  const s = signet(['sign', '--identity', pki.users.alice.identityPemPath], message());
  const e = signet(['encrypt', '--to', pki.users.bob.certPath, '--hide-subject'], s.stdout);
  assert.equal(e.status, 2);
  assert.match(e.stderr, /\[usage\]/);
  assert.equal(e.stdout.length, 0);
});

// ---- OpenSSL → Signet ----

function entity(body = 'Hello Bob,\r\n\r\nthe quarterly numbers: 42.\r\n'): string {
  return `Content-Type: text/plain; charset=utf-8\r\n\r\n${body}`;
}

function opensslSign(who: UserName, extra: string[] = [], from?: string): Buffer {
  const u = pki.users[who];
  const r = openssl(
    ['cms', '-sign', '-binary', '-signer', u.certPath, '-inkey', u.keyPath, '-certfile', pki.intermediatePath,
      '-from', from ?? u.email ?? 'nobody@example.org', '-to', 'bob@example.org', '-subject', 'From OpenSSL', ...extra],
    entity(),
  );
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

for (const who of ['alice', 'carol', 'dave', 'erin'] as UserName[]) {
  for (const [label, extra] of [
    ['detached', []],
    ['opaque', ['-nodetach']],
    ['sha512', ['-md', 'sha512']],
  ] as [string, string[]][]) {
    test(`openssl cms -sign (${who}, ${label}) → signet verify: valid`, () => {
      const j = verifyJson(opensslSign(who, extra), ['--trust', pki.rootPath]);
      assert.equal(j.verdict.status, 'valid', JSON.stringify(j.verdict.signers));
      assert.equal(j.verdict.signer?.email, pki.users[who].email);
      assert.equal(j.status, 0);
    });
  }
}

test('openssl RSA-PSS signature → signet verify: valid', () => {
  const j = verifyJson(opensslSign('alice', ['-keyopt', 'rsa_padding_mode:pss']), ['--trust', pki.rootPath]);
  assert.equal(j.verdict.status, 'valid');
});

test('openssl signature, body changed in transit → invalid, exit 1', () => {
  const signed = opensslSign('alice').toString().replace('numbers: 42', 'numbers: 43');
  const j = verifyJson(signed, ['--trust', pki.rootPath]);
  assert.equal(j.verdict.status, 'invalid');
  assert.equal(j.verdict.code, 'digest-mismatch');
  assert.equal(j.status, 1);
});

test('openssl signature by alice on a message From eve → sender-mismatch', () => {
  const j = verifyJson(opensslSign('alice', [], 'eve@example.org'), ['--trust', pki.rootPath]);
  assert.equal(j.verdict.status, 'sender-mismatch');
  assert.equal(j.verdict.signer?.email, 'alice@example.org');
  assert.equal(j.status, 1);
});

test('openssl signature without the root as anchor → untrusted', () => {
  const j = verifyJson(opensslSign('alice'), ['--trust', pki.otherRootPath]);
  assert.equal(j.verdict.status, 'untrusted');
});

test('openssl signature by an expired certificate → expired', () => {
  const j = verifyJson(opensslSign('expired'), ['--trust', pki.rootPath]);
  assert.equal(j.verdict.status, 'expired');
});

test('openssl signature with SHA-1 → outdated-algorithm (intact, insecure-algorithm) by default, exit 1', () => {
  const j = verifyJson(opensslSign('alice', ['-md', 'sha1']), ['--trust', pki.rootPath]);
  assert.equal(j.verdict.status, 'outdated-algorithm');
  assert.equal(j.verdict.code, 'insecure-algorithm');
  assert.equal(j.status, 1);
});

test('--at before the certificate existed → expired', () => {
  const j = verifyJson(opensslSign('alice'), ['--trust', pki.rootPath, '--at', '2001-01-01T00:00:00Z']);
  assert.equal(j.verdict.status, 'expired');
});

for (const [cipherFlag, name] of [
  ['-aes128', 'AES-128-CBC'],
  ['-aes256', 'AES-256-CBC'],
  ['-aes-128-gcm', 'AES-128-GCM'],
  ['-aes-256-gcm', 'AES-256-GCM'],
] as [string, string][]) {
  for (const to of ['bob', 'carol', 'erin'] as UserName[]) {
    for (const oaep of to === 'bob' ? [false, true] : [false]) {
      test(`openssl cms -encrypt ${cipherFlag} to ${to}${oaep ? ' (RSA-OAEP)' : ''} → signet decrypt`, () => {
        const u = pki.users[to];
        const keyopt = oaep ? ['-keyopt', 'rsa_padding_mode:oaep', '-keyopt', 'rsa_oaep_md:sha256'] : [];
        const e = openssl(['cms', '-encrypt', '-binary', cipherFlag, '-from', 'alice@example.org', '-to', u.email!, '-subject', 'Secret',
          '-recip', u.certPath, ...keyopt], entity());
        assert.equal(e.status, 0, e.stderr);
        const d = signet(['decrypt', '--identity', u.p12Path, '--pass', PASS], e.stdout);
        assert.equal(d.status, 0, d.stderr);
        assert.match(d.stdout.toString(), /the quarterly numbers: 42\./);
        assert.match(d.stdout.toString(), /^Subject: Secret/m);
        const j = verifyJson(e.stdout, ['--identity', u.p12Path, '--pass', PASS]);
        assert.equal(j.verdict.status, 'unsigned');
        assert.equal(j.verdict.layers[0]!.cipher, name);
        assert.equal(j.verdict.layers[0]!.integrityProtected, name.endsWith('GCM'));
      });
    }
  }
}

test('openssl encrypts to bob; alice cannot decrypt: exit 1, nothing on stdout', () => {
  const e = openssl(['cms', '-encrypt', '-binary', '-aes256', '-recip', pki.users.bob.certPath], entity());
  const d = signet(['decrypt', '--identity', pki.users.alice.p12Path, '--pass', PASS], e.stdout);
  assert.equal(d.status, 1);
  assert.equal(d.stdout.length, 0);
  assert.match(d.stderr, /\[not-a-recipient\]/);
});

test('openssl AES-GCM message with one ciphertext byte flipped → signet decrypt refuses, no plaintext', () => {
  const e = openssl(['cms', '-encrypt', '-binary', '-aes-256-gcm', '-outform', 'DER', '-recip', pki.users.bob.certPath], entity('x'.repeat(5000)));
  const der = Buffer.from(e.stdout);
  der[der.length - 100] = der[der.length - 100]! ^ 0x01; // inside the encrypted content, before the tag
  const msg = `From: a@example.org\r\nMIME-Version: 1.0\r\nContent-Type: application/pkcs7-mime; smime-type=authEnveloped-data; name=smime.p7m\r\nContent-Transfer-Encoding: base64\r\n\r\n${der.toString('base64')}\r\n`;
  const d = signet(['decrypt', '--identity', pki.users.bob.p12Path, '--pass', PASS], msg);
  assert.equal(d.status, 1);
  assert.equal(d.stdout.length, 0);
  assert.match(d.stderr, /\[authentication-failed\]/);
});

test('signet verify usage errors exit 2', () => {
  assert.equal(signet(['verify', '--bogus'], '').status, 2);
  assert.equal(signet(['frobnicate'], '').status, 2);
  assert.equal(signet(['sign'], message()).status, 2);
  assert.equal(signet(['sign', '--identity', join(work, 'missing.p12')], message()).status, 2);
  assert.equal(signet(['sign', '--identity', pki.users.alice.p12Path, '--pass', 'wrong'], message()).status, 2);
  void file;
});
