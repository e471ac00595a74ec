// Interop with a running Bouncy Castle (Debian's bcprov/bcpkix/bcutil 1.72 through
// test/interop/java/SignetBc.java), in both directions, through the shipped `signet` command line:
// - Signet → BC: BC verifies Signet's detached and opaque signatures (RSA and EC), one with stapled OCSP
//   evidence (`signet sign --staple`, id-aa-ets-revocationValues, RFC 5126 §6.3.4) and one with RFC 9788
//   header protection (hp="clear"), and decrypts Signet's AES-CBC EnvelopedData and AES-GCM
//   AuthEnvelopedData (RFC 5083) for RSA (key transport) and EC (ECDH key agreement) recipients, to the
//   exact plaintext bytes; a body changed in transit is refused with BC's digest-mismatch exception.
// - BC → Signet: Signet verifies BC's signatures (valid) and decrypts BC's CBC and GCM messages; a changed
//   body is `digest-mismatch` and a changed GCM tag `authentication-failed` with no plaintext.
// BC works on DER only (no org.bouncycastle.mail.smime in Debian's jars), so the MIME cutting and wrapping
// happens here. All BC work of a direction runs in one JVM (test/helpers/bc.ts).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMime } from '../../src/core/mime/parser.js';
import { bcBatch, bcClasses, type BcAnswer } from '../helpers/bc.js';
import { signet, verifyJson } from '../helpers/cli.js';
import { PASS, testPki, type UserName } from '../helpers/pki.js';
import { freePort, issueResponder, issueUser, startOcspResponder } from '../helpers/revocation.js';

const pki = testPki();
const work = mkdtempSync(join(tmpdir(), 'signet-bc-'));
let seq = 0;
function file(name: string, data: Uint8Array | string): string {
  const p = join(work, `${++seq}-${name}`);
  writeFileSync(p, data);
  return p;
}

const BODY = 'Hello Bob,\r\n\r\nthe quarterly numbers: 42.\r\n';
/** The MIME entity Signet protects: what is inside the CMS layer, byte for byte. */
const ENTITY = `Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n${BODY}`;

function message(from: string): string {
  return (
    `From: <${from}>\r\nTo: Bob <bob@example.org>\r\nSubject: Quarterly numbers\r\nDate: ${new Date().toUTCString()}\r\n` +
    `MIME-Version: 1.0\r\n${ENTITY}`
  );
}

/** The CMS DER of an S/MIME message and, for multipart/signed, the signed entity (RFC 8551 §3.5). */
function cut(msg: Uint8Array): { der: Buffer; content?: Buffer } {
  const root = parseMime(new Uint8Array(msg));
  if (root.contentType.type === 'multipart/signed') return { der: Buffer.from(root.children[1]!.decodeBody()), content: Buffer.from(root.children[0]!.raw) };
  return { der: Buffer.from(root.decodeBody()) };
}

const b64lines = (der: Uint8Array) => Buffer.from(der).toString('base64').replace(/.{1,76}/g, '$&\r\n');
const head = (from: string, subject: string) => `From: <${from}>\r\nTo: <bob@example.org>\r\nSubject: ${subject}\r\nDate: ${new Date().toUTCString()}\r\nMIME-Version: 1.0\r\n`;

/** RFC 8551 §3.5.3 multipart/signed around BC's detached SignedData. */
function wrapDetached(from: string, entity: string, der: Uint8Array): string {
  const b = 'bc-boundary-0123456789';
  return (
    head(from, 'From Bouncy Castle') +
    `Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="${b}"\r\n\r\n` +
    `--${b}\r\n${entity}\r\n--${b}\r\nContent-Type: application/pkcs7-signature; name=smime.p7s\r\nContent-Transfer-Encoding: base64\r\n` +
    `Content-Disposition: attachment; filename=smime.p7s\r\n\r\n${b64lines(der)}--${b}--\r\n`
  );
}

/** RFC 8551 §3.2 application/pkcs7-mime around BC's opaque SignedData, EnvelopedData or AuthEnvelopedData. */
function wrapOpaque(from: string, smimeType: string, der: Uint8Array): string {
  return (
    head(from, 'From Bouncy Castle') +
    `Content-Type: application/pkcs7-mime; smime-type=${smimeType}; name=smime.p7m\r\nContent-Transfer-Encoding: base64\r\n` +
    `Content-Disposition: attachment; filename=smime.p7m\r\n\r\n${b64lines(der)}`
  );
}

/**
 * The first byte of AuthEnvelopedData.mac (RFC 5083 §2.1, 16 bytes for AES-GCM): the last OCTET STRING,
 * followed only by the end-of-contents octets of BC's indefinite-length (BER) encoding, or by nothing in DER.
 */
function macOffset(der: Uint8Array): number {
  for (let i = der.length - 18; i >= 0; i--) {
    if (der[i] === 0x04 && der[i + 1] === 0x10 && der.subarray(i + 18).every((b) => b === 0)) return i + 2;
  }
  throw new Error('no 16-byte mac at the end of the AuthEnvelopedData');
}

const ID_AA_ETS_REVOCATION_VALUES = '1.2.840.113549.1.9.16.2.24';
const AES256_CBC = '2.16.840.1.101.3.4.1.42';
const AES256_GCM = '2.16.840.1.101.3.4.1.46';

before(() => {
  // Fails (never skips) with the Debian package names when Java or the jars are missing.
  bcClasses();
});

// ---------------------------------------------------------------------------------------------------
describe('Signet → Bouncy Castle', () => {
  interface Case {
    name: string;
    command: string[];
    check: (a: BcAnswer) => void;
  }
  const cases: Case[] = [];
  const answers = new Map<string, BcAnswer>();
  let responder: ChildProcess | null = null;

  function signedCase(name: string, msg: Buffer, check: (a: BcAnswer, content: Buffer) => void): void {
    const { der, content } = cut(msg);
    const args = ['verify', file('sig.der', der), pki.rootPath];
    cases.push({ name, command: content ? [...args, file('content', content)] : args, check: (a) => check(a, content ?? Buffer.from(a.content ?? '', 'base64')) });
  }

  before(async () => {
    for (const [who, opaque] of [['alice', false], ['alice', true], ['carol', false], ['dave', true]] as [UserName, boolean][]) {
      const u = pki.users[who];
      const s = signet(['sign', '--identity', u.identityPemPath, ...(opaque ? ['--opaque'] : [])], message(u.email!));
      assert.equal(s.status, 0, s.stderr);
      signedCase(`sign ${who} ${opaque ? 'opaque' : 'detached'}`, s.stdout, (a, content) => {
        assert.equal(a.ok, true, a.message);
        assert.equal(a.signers!.length, 1);
        assert.match(a.signers![0]!, new RegExp(`CN=${who}`, 'i'));
        assert.equal(content.toString('latin1'), ENTITY);
      });
    }

    // Stapled revocation evidence, as test/interop/staple.test.ts sets it up: a delegated OCSP responder.
    const port = await freePort();
    const stapler = issueUser('bc-staple', { email: 'bc.stapler@example.org', ocsp: [`http://127.0.0.1:${port}/`] });
    const delegated = issueResponder('bc-staple-delegated', 'inter', true);
    responder = await startOcspResponder({ port, rsigner: delegated.certPath, rkey: delegated.keyPath, nmin: 5 });
    for (const opaque of [false, true]) {
      const s = signet(['sign', '--identity', stapler.identityPemPath, '--staple', ...(opaque ? ['--opaque'] : [])], message(stapler.email));
      assert.equal(s.status, 0, s.stderr);
      assert.match(s.stderr, /OCSP response stapled: good/);
      signedCase(`staple ${opaque ? 'opaque' : 'detached'}`, s.stdout, (a, content) => {
        assert.equal(a.ok, true, a.message);
        assert.deepEqual(a.unsignedAttributes, [ID_AA_ETS_REVOCATION_VALUES]);
        assert.equal(a.version, 1);
        assert.equal(content.toString('latin1'), ENTITY);
      });
    }
    responder.kill();
    responder = null;

    const hp = signet(['sign', '--identity', pki.users.alice.identityPemPath, '--protect-headers', '--opaque'], message('alice@example.org'));
    assert.equal(hp.status, 0, hp.stderr);
    signedCase('protect-headers opaque', hp.stdout, (a, content) => {
      assert.equal(a.ok, true, a.message);
      const inner = content.toString('latin1');
      assert.match(inner, /^Content-Type: text\/plain; charset=utf-8;(\r\n)? hp="clear"\r$/m);
      assert.match(inner, /^Subject: Quarterly numbers\r$/m);
      assert.ok(inner.endsWith(`\r\n\r\n${BODY}`), inner);
    });

    // Tamper: one character of the signed body changed after signing.
    const t = signet(['sign', '--identity', pki.users.alice.identityPemPath], message('alice@example.org'));
    assert.equal(t.status, 0, t.stderr);
    signedCase('tampered detached', Buffer.from(t.stdout.toString('latin1').replace('numbers: 42', 'numbers: 43'), 'latin1'), (a) => {
      assert.equal(a.ok, false);
      assert.equal(a.error, 'CMSSignerDigestMismatchException');
    });

    for (const cipher of ['aes-256-cbc', 'aes-256-gcm']) {
      for (const to of ['bob', 'carol', 'erin'] as UserName[]) {
        const u = pki.users[to];
        const e = signet(['encrypt', '--to', u.certPath, '--cipher', cipher], message('alice@example.org'));
        assert.equal(e.status, 0, e.stderr);
        const gcm = cipher.endsWith('gcm');
        cases.push({
          name: `encrypt ${cipher} to ${to}`,
          command: ['decrypt', file('env.der', cut(e.stdout).der), u.certPath, u.keyPath],
          check: (a) => {
            assert.equal(a.ok, true, a.message);
            assert.equal(a.kind, gcm ? 'authEnveloped' : 'enveloped');
            assert.equal(a.contentEncryptionAlgorithm, gcm ? AES256_GCM : AES256_CBC);
            assert.equal(a.recipientInfo, u.key.startsWith('rsa') ? 'ktri' : 'kari');
            assert.equal(Buffer.from(a.content!, 'base64').toString('latin1'), ENTITY);
          },
        });
        if (gcm && to === 'bob') {
          const der = cut(e.stdout).der;
          der[macOffset(der)]! ^= 1;
          cases.push({
            name: 'tampered gcm tag',
            command: ['decrypt', file('env-bad.der', der), u.certPath, u.keyPath],
            check: (a) => {
              assert.equal(a.ok, false);
              assert.equal(a.content, undefined);
              assert.equal(a.cause, 'AEADBadTagException');
            },
          });
        }
      }
    }

    const started = Date.now();
    const out = bcBatch(cases.map((c) => c.command));
    console.log(`# Bouncy Castle: ${cases.length} operations in one JVM, ${Date.now() - started} ms`);
    cases.forEach((c, i) => answers.set(c.name, out[i]!));
  });
  after(() => responder?.kill());

  const expectNames = [
    'sign alice detached', 'sign alice opaque', 'sign carol detached', 'sign dave opaque',
    'staple detached', 'staple opaque', 'protect-headers opaque', 'tampered detached',
    ...['aes-256-cbc', 'aes-256-gcm'].flatMap((c) => ['bob', 'carol', 'erin'].map((t) => `encrypt ${c} to ${t}`)),
    'tampered gcm tag',
  ];
  for (const name of expectNames) {
    test(`BC reads signet's ${name}`, () => {
      const c = cases.find((x) => x.name === name);
      assert.ok(c, `no case ${name}`);
      c.check(answers.get(name)!);
    });
  }
});

// ---------------------------------------------------------------------------------------------------
describe('Bouncy Castle → Signet', () => {
  const made = new Map<string, Buffer>();
  const jobs: [string, string[]][] = [];

  before(() => {
    const entity = file('entity', ENTITY);
    for (const [who, opaque] of [['alice', false], ['carol', true], ['dave', false]] as [UserName, boolean][]) {
      const u = pki.users[who];
      jobs.push([`sign ${who} ${opaque ? 'opaque' : 'detached'}`, ['sign', entity, u.certPath, u.keyPath, pki.intermediatePath, join(work, `bc-${who}-${opaque}.der`), opaque ? 'opaque' : 'detached']]);
    }
    for (const cipher of ['aes256-cbc', 'aes256-gcm']) {
      for (const to of ['bob', 'carol'] as UserName[]) {
        jobs.push([`encrypt ${cipher} to ${to}`, ['encrypt', entity, pki.users[to].certPath, join(work, `bc-${cipher}-${to}.der`), cipher]]);
      }
    }
    const started = Date.now();
    const out = bcBatch(jobs.map((j) => j[1]));
    console.log(`# Bouncy Castle: ${jobs.length} operations in one JVM, ${Date.now() - started} ms`);
    out.forEach((a, i) => {
      assert.equal(a.ok, true, `${jobs[i]![0]}: ${a.error} ${a.message}`);
      const cmd = jobs[i]![1];
      made.set(jobs[i]![0], Buffer.from(readFileSync(cmd[0] === 'sign' ? cmd[5]! : cmd[3]!)));
    });
  });

  for (const [who, opaque] of [['alice', false], ['carol', true], ['dave', false]] as [UserName, boolean][]) {
    test(`BC signs (${who}, ${opaque ? 'opaque' : 'detached'}) → signet verify: valid`, () => {
      const u = pki.users[who];
      const der = made.get(`sign ${who} ${opaque ? 'opaque' : 'detached'}`)!;
      const msg = opaque ? wrapOpaque(u.email!, 'signed-data', der) : wrapDetached(u.email!, ENTITY, der);
      const j = verifyJson(msg, ['--trust', pki.rootPath]);
      assert.equal(j.verdict.status, 'valid', JSON.stringify(j.verdict));
      assert.equal(j.verdict.signer?.email, u.email);
      assert.equal(j.status, 0);
    });
  }

  test('BC signature, body changed in transit → signet verify: invalid, digest-mismatch, exit 1', () => {
    const msg = wrapDetached('alice@example.org', ENTITY.replace('numbers: 42', 'numbers: 43'), made.get('sign alice detached')!);
    const j = verifyJson(msg, ['--trust', pki.rootPath]);
    assert.equal(j.verdict.status, 'invalid');
    assert.equal(j.verdict.code, 'digest-mismatch');
    assert.equal(j.status, 1);
  });

  for (const cipher of ['aes256-cbc', 'aes256-gcm']) {
    for (const to of ['bob', 'carol'] as UserName[]) {
      test(`BC encrypts (${cipher}) to ${to} → signet decrypt recovers the entity; verify names the cipher`, () => {
        const u = pki.users[to];
        const gcm = cipher.endsWith('gcm');
        const msg = wrapOpaque('alice@example.org', gcm ? 'authEnveloped-data' : 'enveloped-data', made.get(`encrypt ${cipher} to ${to}`)!);
        const d = signet(['decrypt', '--identity', u.p12Path, '--pass', PASS], msg);
        assert.equal(d.status, 0, d.stderr);
        const out = d.stdout.toString('latin1');
        assert.ok(out.endsWith(`\r\n\r\n${BODY}`), out);
        assert.match(out, /^Content-Type: text\/plain; charset=utf-8\r$/m);
        assert.match(out, /^Subject: From Bouncy Castle\r$/m);
        const j = verifyJson(msg, ['--trust', pki.rootPath, '--identity', u.p12Path, '--pass', PASS]);
        assert.equal(j.verdict.layers[0]!.kind, 'encrypted');
        assert.equal(j.verdict.layers[0]!.cipher, gcm ? 'AES-256-GCM' : 'AES-256-CBC');
      });
    }
  }

  test('BC AuthEnvelopedData with its GCM tag changed → signet decrypt: authentication-failed, no plaintext', () => {
    const der = Buffer.from(made.get('encrypt aes256-gcm to bob')!);
    der[macOffset(der)]! ^= 1;
    const d = signet(['decrypt', '--identity', pki.users.bob.p12Path, '--pass', PASS], wrapOpaque('alice@example.org', 'authEnveloped-data', der));
    assert.notEqual(d.status, 0);
    assert.match(d.stderr, /\[authentication-failed\]/);
    assert.equal(d.stdout.length, 0);
  });
});
