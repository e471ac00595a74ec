// Attack regressions (ARCHITECTURE.md security rules; "Johnny, You Are Fired!" USENIX 2019 and EFAIL USENIX
// 2018). Each case names the attack and asserts the exact status and code Signet must give.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { webcrypto } from 'node:crypto';
import { cryptoProvider } from '../../src/core/crypto.js';
import { openMessage } from '../../src/core/smime/open.js';
import { protectMessage } from '../../src/core/smime/protect.js';
import { loadIdentities, loadCertificates } from '../../src/keys/identity-file.js';
import type { Identity } from '../../src/core/keys.js';
import { testPki, PASS, type UserName } from '../helpers/pki.js';

const provider = cryptoProvider(webcrypto as unknown as Crypto);
const pki = testPki();
const anchors = loadCertificates(new Uint8Array(readFileSync(pki.rootPath)));
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

const cache = new Map<UserName, Identity>();
async function id(u: UserName): Promise<Identity> {
  let i = cache.get(u);
  if (!i) {
    i = (await loadIdentities(new Uint8Array(readFileSync(pki.users[u].p12Path)), PASS, provider))[0]!;
    cache.set(u, i);
  }
  return i;
}

function headers(from: string | string[], extra = ''): string {
  const froms = (Array.isArray(from) ? from : [from]).map((f) => `From: ${f}\r\n`).join('');
  return `${froms}To: bob@example.org\r\nSubject: Payment\r\nDate: ${new Date().toUTCString()}\r\n${extra}MIME-Version: 1.0\r\n`;
}
const BODY = 'Content-Type: text/plain; charset=utf-8\r\n\r\nPlease pay invoice 1001 to account 12345.\r\n';

async function signed(from: string | string[], signer: UserName = 'alice', opaque = false): Promise<string> {
  const out = await protectMessage(enc(headers(from) + BODY), { sign: { identity: await id(signer), opaque }, provider });
  return dec(out);
}

async function open(msg: string | Uint8Array, identities: Identity[] = []) {
  return (await openMessage(typeof msg === 'string' ? enc(msg) : msg, { anchors, identities, provider })).verdict;
}

function opensslDer(args: string[], input: string): Buffer {
  const r = spawnSync('openssl', args, { input: Buffer.from(input) });
  assert.equal(r.status, 0, r.stderr.toString());
  return r.stdout;
}

function b64(der: Uint8Array): string {
  return Buffer.from(der).toString('base64').replace(/.{76}/g, '$&\r\n');
}

test('baseline: a message signed by alice from alice is valid', async () => {
  const v = await open(await signed('Alice <alice@example.org>'));
  assert.equal(v.status, 'valid');
  assert.equal(v.signer?.email, 'alice@example.org');
});

test('rule 2 — eContent confusion: multipart/signed whose signature carries other eContent → invalid/econtent-confusion', async () => {
  const genuine = opensslDer(
    ['cms', '-sign', '-binary', '-nodetach', '-outform', 'DER', '-signer', pki.users.alice.certPath, '-inkey', pki.users.alice.keyPath, '-certfile', pki.intermediatePath],
    BODY,
  );
  const fake = 'Content-Type: text/plain\r\n\r\nPlease pay invoice 1001 to account 66666 (attacker).\r\n';
  const msg =
    headers('alice@example.org') +
    'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="b"\r\n\r\n' +
    `--b\r\n${fake}\r\n--b\r\nContent-Type: application/pkcs7-signature\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64(genuine)}\r\n--b--\r\n`;
  const v = await open(msg);
  assert.equal(v.status, 'invalid');
  assert.equal(v.code, 'econtent-confusion');
});

test('rule 2 — opaque signed-data whose eContentType is not id-data is not a signed mail', async () => {
  const der = opensslDer(
    ['cms', '-sign', '-binary', '-nodetach', '-outform', 'DER', '-econtent_type', '1.2.840.113549.1.9.16.1.4', '-signer', pki.users.alice.certPath, '-inkey', pki.users.alice.keyPath],
    BODY,
  );
  const msg = headers('alice@example.org') + `Content-Type: application/pkcs7-mime; smime-type=signed-data\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64(der)}\r\n`;
  const v = await open(msg);
  assert.equal(v.status, 'invalid');
  assert.equal(v.code, 'econtent-confusion');
});

test('rule 3 — zero signers (certs-only SignedData) → invalid/no-signers', async () => {
  const der = opensslDer(['crl2pkcs7', '-nocrl', '-certfile', pki.users.alice.certPath, '-outform', 'DER'], '');
  const msg = headers('alice@example.org') + `Content-Type: application/pkcs7-mime; smime-type=signed-data\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64(der)}\r\n`;
  const v = await open(msg);
  assert.equal(v.status, 'invalid');
  assert.equal(v.code, 'no-signers');
});

test('rule 3 — two signers, one untrusted: both reported, never merged into valid', async () => {
  const sig = opensslDer(
    ['cms', '-sign', '-binary', '-outform', 'DER', '-signer', pki.users.alice.certPath, '-inkey', pki.users.alice.keyPath,
      '-signer', pki.users.mallory.certPath, '-inkey', pki.users.mallory.keyPath, '-certfile', pki.intermediatePath],
    BODY,
  );
  const msg =
    headers('alice@example.org') +
    'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="b"\r\n\r\n' +
    `--b\r\n${BODY}\r\n--b\r\nContent-Type: application/pkcs7-signature\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64(sig)}\r\n--b--\r\n`;
  const v = await open(msg);
  assert.equal(v.signers.length, 2);
  assert.equal(v.status, 'untrusted');
  assert.deepEqual(v.signers.map((s) => s.status).sort(), ['untrusted', 'valid']);
});

test('rule 1 — MIME wrapping: a valid signed part below an unsigned multipart/mixed is not a signed message', async () => {
  const inner = await signed('alice@example.org');
  const innerEntity = inner.slice(inner.indexOf('Content-Type: multipart/signed'));
  const msg =
    headers('alice@example.org') +
    'Content-Type: multipart/mixed; boundary="outer"\r\n\r\n' +
    '--outer\r\nContent-Type: text/plain\r\n\r\nATTACKER TEXT: the signed part below confirms this.\r\n' +
    `--outer\r\n${innerEntity}\r\n--outer--\r\n`;
  const v = await open(msg);
  assert.equal(v.status, 'unsigned');
  assert.equal(v.signer, null);
});

test('rule 4 — signed by alice but From is eve → sender-mismatch, badge shows alice', async () => {
  const v = await open(await signed('Eve <eve@example.org>'));
  assert.equal(v.status, 'sender-mismatch');
  assert.equal(v.signer?.email, 'alice@example.org');
});

test('rule 4 — two From headers never pass', async () => {
  const v = await open(await signed(['alice@example.org', 'eve@example.org']));
  assert.equal(v.status, 'sender-mismatch');
  assert.equal(v.from, null);
});

test('rule 4 — a display name that looks like the signer address does not pass', async () => {
  const v = await open(await signed('"alice@example.org" <eve@evil.example>'));
  assert.equal(v.status, 'sender-mismatch');
});

test('rule 4 — two addresses in one From never pass', async () => {
  const v = await open(await signed('alice@example.org, eve@example.org'));
  assert.equal(v.status, 'sender-mismatch');
  assert.equal(v.from, null);
});

test('rule 4 — domain case does not matter', async () => {
  const v = await open(await signed('Alice <alice@EXAMPLE.org>'));
  assert.equal(v.status, 'valid');
});

test('rule 4 — certificate without any email address never binds', async () => {
  const v = await open(await signed('noemail@example.org', 'noemail'));
  assert.equal(v.status, 'sender-mismatch');
  assert.equal(v.code, 'no-email');
});

test('tampered body of a detached signature → invalid/digest-mismatch', async () => {
  const v = await open((await signed('alice@example.org')).replace('12345', '66666'));
  assert.equal(v.status, 'invalid');
  assert.equal(v.code, 'digest-mismatch');
});

test('tampered opaque signature content → invalid', async () => {
  const m = await signed('alice@example.org', 'alice', true);
  const start = m.indexOf('\r\n\r\n', m.indexOf('smime-type=signed-data')) + 4;
  const der = Buffer.from(m.slice(start).replace(/\s+/g, ''), 'base64');
  const at = der.indexOf(Buffer.from('12345'));
  assert.ok(at > 0);
  der[at] = 0x39;
  const v = await open(m.slice(0, start) + b64(der) + '\r\n');
  assert.equal(v.status, 'invalid');
  assert.equal(v.code, 'digest-mismatch');
});

test('a certificate from another root claiming alice → untrusted', async () => {
  const v = await open(await signed('alice@example.org', 'mallory'));
  assert.equal(v.status, 'untrusted');
});

test('rule 7 — GCM tag failure → decryption-failed/authentication-failed, no content', async () => {
  const bob = await id('bob');
  const m = dec(await protectMessage(enc(headers('alice@example.org') + BODY), { encrypt: { recipients: [bob.certificate], cipher: 'aes-256-gcm' }, provider }));
  const start = m.indexOf('\r\n\r\n', m.indexOf('smime-type=authEnveloped-data')) + 4;
  const der = Buffer.from(m.slice(start).replace(/\s+/g, ''), 'base64');
  der[der.length - 30] = der[der.length - 30]! ^ 1;
  const r = await openMessage(enc(m.slice(0, start) + b64(der) + '\r\n'), { anchors, identities: [bob], provider });
  assert.equal(r.verdict.status, 'decryption-failed');
  assert.equal(r.verdict.code, 'authentication-failed');
  assert.equal(r.content, null);
});

test('rule 7 — not a recipient → decryption-failed/not-a-recipient', async () => {
  const bob = await id('bob');
  const m = await protectMessage(enc(headers('alice@example.org') + BODY), { encrypt: { recipients: [bob.certificate] }, provider });
  const r = await openMessage(m, { anchors, identities: [await id('carol')], provider });
  assert.equal(r.verdict.status, 'decryption-failed');
  assert.equal(r.verdict.code, 'not-a-recipient');
  assert.equal(r.content, null);
});

test('rule 7 — CBC without an inner signature is flagged not integrity-protected', async () => {
  const bob = await id('bob');
  const m = await protectMessage(enc(headers('alice@example.org') + BODY), { encrypt: { recipients: [bob.certificate], cipher: 'aes-256-cbc' }, provider });
  const v = await open(m, [bob]);
  assert.equal(v.status, 'unsigned');
  assert.ok(v.warnings.some((w) => w.code === 'not-integrity-protected'));
});

test('rule 7 — an encrypted sub-part (reply oracle bait) is never decrypted', async () => {
  const bob = await id('bob');
  const enc1 = dec(await protectMessage(enc(headers('alice@example.org') + 'Content-Type: text/plain\r\n\r\nSECRET-TEXT\r\n'), { encrypt: { recipients: [bob.certificate] }, provider }));
  const part = enc1.slice(enc1.indexOf('Content-Type: application/pkcs7-mime'));
  const msg = headers('eve@example.org') + 'Content-Type: multipart/mixed; boundary="x"\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nHi, please reply.\r\n--x\r\n' + part + '\r\n--x--\r\n';
  const r = await openMessage(enc(msg), { anchors, identities: [bob], provider });
  assert.equal(r.verdict.status, 'unsigned');
  assert.equal(r.verdict.layers.length, 0);
  assert.ok(!dec(r.content!).includes('SECRET-TEXT'));
});

test('rule 9 — malformed ASN.1 in a signature → malformed-asn1 verdict, no crash', async () => {
  const msg = headers('alice@example.org') + 'Content-Type: application/pkcs7-mime; smime-type=signed-data\r\nContent-Transfer-Encoding: base64\r\n\r\nMIAGCSqGSIb3DQEHAqCAMIACAQEx\r\n';
  const v = await open(msg);
  assert.equal(v.status, 'malformed');
  assert.equal(v.code, 'malformed-asn1');
});

test('rule 9 — broken base64 → malformed-base64', async () => {
  const msg = headers('alice@example.org') + 'Content-Type: application/pkcs7-mime; smime-type=signed-data\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not*base64!!!\r\n';
  const v = await open(msg);
  assert.equal(v.status, 'malformed');
  assert.equal(v.code, 'malformed-base64');
});

test('rule 9 — absurd MIME nesting (5000 levels) → limit-exceeded, quickly', async () => {
  let body = 'Content-Type: text/plain\r\n\r\nx\r\n';
  for (let i = 0; i < 5000; i++) body = `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n${body}\r\n--b${i}--\r\n`;
  const t = Date.now();
  const v = await open(headers('alice@example.org') + body);
  assert.equal(v.status, 'malformed');
  assert.equal(v.code, 'limit-exceeded');
  assert.ok(Date.now() - t < 5000);
});

test('rule 9 — S/MIME layers nested beyond the limit → limit-exceeded', async () => {
  const alice = await id('alice');
  let m: Uint8Array = enc(headers('alice@example.org') + BODY);
  for (let i = 0; i < 8; i++) m = await protectMessage(m, { sign: { identity: alice }, provider });
  const v = await open(m);
  assert.equal(v.status, 'malformed');
  assert.equal(v.code, 'limit-exceeded');
});

test('rule 5 — a signature made with SHA-1 is refused by default (intact: outdated-algorithm, never valid)', async () => {
  const sig = opensslDer(['cms', '-sign', '-binary', '-md', 'sha1', '-outform', 'DER', '-signer', pki.users.alice.certPath, '-inkey', pki.users.alice.keyPath, '-certfile', pki.intermediatePath], BODY);
  const msg =
    headers('alice@example.org') +
    'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha1; boundary="b"\r\n\r\n' +
    `--b\r\n${BODY}\r\n--b\r\nContent-Type: application/pkcs7-signature\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64(sig)}\r\n--b--\r\n`;
  const v = await open(msg);
  assert.equal(v.status, 'outdated-algorithm');
  assert.equal(v.code, 'insecure-algorithm');
  const allowed = (await openMessage(enc(msg), { anchors, provider, config: { allowInsecureSha1: true } })).verdict;
  assert.equal(allowed.status, 'valid');
});

test('rule 6 — the verdict never modifies content: the returned content is the signed entity byte for byte', async () => {
  const m = await signed('alice@example.org');
  const r = await openMessage(enc(m), { anchors, provider });
  assert.equal(dec(r.content!), BODY);
});
