// Issue 12 regressions. (1) An intact SHA-1/MD5 signature is 'outdated-algorithm' — checked, not refused
// unread — while the same signature over changed content stays 'invalid', and a worse finding (untrusted,
// sender mismatch) always wins. (2) A mailing list's wrapper around a signed message: the message is still
// not signed (ARCHITECTURE.md rule 1) but the Verdict reports the intact (or tampered) signed part inside.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cryptoProvider } from '../../src/core/crypto.js';
import { openMessage } from '../../src/core/smime/open.js';
import { protectMessage } from '../../src/core/smime/protect.js';
import { loadCertificates, loadIdentities } from '../../src/keys/identity-file.js';
import { formatVerdict } from '../../src/cli/format.js';
import { testPki, PASS, type UserName } from '../helpers/pki.js';
import { signet } from '../helpers/cli.js';

const provider = cryptoProvider();
const pki = testPki();
const anchors = loadCertificates(new Uint8Array(readFileSync(pki.rootPath)));
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

const BODY = 'Content-Type: text/plain; charset=utf-8\r\n\r\nPlease pay invoice 1001 to account 12345.\r\n';
const headers = (from: string, date = true) =>
  `From: ${from}\r\nTo: bob@example.org\r\nSubject: Payment\r\n${date ? `Date: ${new Date().toUTCString()}\r\n` : ''}MIME-Version: 1.0\r\n`;

function opensslSign(user: UserName, md: string, content: string, opaque = false): Buffer {
  const u = pki.users[user];
  const args = ['cms', '-sign', '-binary', '-md', md, '-outform', 'DER', '-signer', u.certPath, '-inkey', u.keyPath, '-certfile', pki.intermediatePath];
  if (opaque) args.push('-nodetach');
  const r = spawnSync('openssl', args, { input: Buffer.from(content) });
  assert.equal(r.status, 0, r.stderr.toString());
  return r.stdout;
}
const b64 = (der: Uint8Array) => Buffer.from(der).toString('base64').replace(/.{76}/g, '$&\r\n');

function clearSigned(from: string, sig: Buffer, signedBody = BODY, micalg = 'sha1'): string {
  return (
    headers(from) +
    `Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=${micalg}; boundary="b"\r\n\r\n` +
    `--b\r\n${signedBody}\r\n--b\r\nContent-Type: application/pkcs7-signature\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64(sig)}\r\n--b--\r\n`
  );
}

const open = async (msg: string | Uint8Array) => openMessage(typeof msg === 'string' ? enc(msg) : msg, { anchors, provider });

// --- outdated algorithm -------------------------------------------------------------------------------------

test('SHA-1, intact: outdated-algorithm (not invalid), the content is released, the sentence says what it means', async () => {
  const { verdict: v, content } = await open(clearSigned('alice@example.org', opensslSign('alice', 'sha1', BODY)));
  assert.equal(v.status, 'outdated-algorithm');
  assert.equal(v.code, 'insecure-algorithm');
  assert.equal(v.signer!.status, 'outdated-algorithm');
  assert.equal(v.signer!.digestAlgorithm, 'SHA-1');
  assert.equal(v.layers[0]!.status, 'outdated-algorithm');
  assert.match(v.summary, /content matches what was signed/);
  assert.match(v.summary, /outdated method \(SHA-1\)/);
  assert.match(v.summary, /determined attacker can forge/);
  assert.match(v.summary, /update their mail program/);
  assert.equal(dec(content!), BODY);
});

test('SHA-1 with a changed body: invalid / digest-mismatch, exactly as for SHA-256', async () => {
  const sig = opensslSign('alice', 'sha1', BODY);
  const changed = BODY.replace('12345', '66666');
  const { verdict: v } = await open(clearSigned('alice@example.org', sig, changed));
  assert.equal(v.status, 'invalid');
  assert.equal(v.code, 'digest-mismatch');
});

test('SHA-1 with a broken signature value: invalid / bad-signature', async () => {
  const sig = Buffer.from(opensslSign('alice', 'sha1', BODY));
  sig[sig.length - 5]! ^= 0x01; // inside the RSA signature value (the last field of the SignerInfo)
  const { verdict: v } = await open(clearSigned('alice@example.org', sig));
  assert.equal(v.status, 'invalid');
  assert.equal(v.code, 'bad-signature');
});

test('SHA-1, opaque signed-data, intact: outdated-algorithm', async () => {
  const der = opensslSign('alice', 'sha1', BODY, true);
  const msg = headers('alice@example.org') + `Content-Type: application/pkcs7-mime; smime-type=signed-data; name=smime.p7m\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64(der)}\r\n`;
  const { verdict: v } = await open(msg);
  assert.equal(v.status, 'outdated-algorithm');
});

test('MD5, intact: outdated-algorithm too (checked with the legacy MD5 code, never accepted)', async (t) => {
  const u = pki.users.alice;
  const r = spawnSync('openssl', ['cms', '-sign', '-binary', '-md', 'md5', '-outform', 'DER', '-signer', u.certPath, '-inkey', u.keyPath, '-certfile', pki.intermediatePath], { input: Buffer.from(BODY) });
  if (r.status !== 0) {
    t.diagnostic(`this OpenSSL does not sign with MD5: ${r.stderr.toString().slice(0, 200)}`);
    return;
  }
  const { verdict: v } = await open(clearSigned('alice@example.org', r.stdout, BODY, 'md5'));
  assert.equal(v.status, 'outdated-algorithm');
  assert.equal(v.signer!.digestAlgorithm, 'MD5');
  const { verdict: changed } = await open(clearSigned('alice@example.org', r.stdout, BODY.replace('12345', '66666'), 'md5'));
  assert.equal(changed.status, 'invalid');
  assert.equal(changed.code, 'digest-mismatch');
});

test('SHA-1 and a worse finding: sender-mismatch and untrusted win over outdated-algorithm', async () => {
  const mismatch = (await open(clearSigned('bob@example.org', opensslSign('alice', 'sha1', BODY)))).verdict;
  assert.equal(mismatch.status, 'sender-mismatch');
  const u = pki.users.mallory;
  const r = spawnSync('openssl', ['cms', '-sign', '-binary', '-md', 'sha1', '-outform', 'DER', '-signer', u.certPath, '-inkey', u.keyPath], { input: Buffer.from(BODY) });
  assert.equal(r.status, 0);
  const untrusted = (await open(clearSigned('alice@example.org', r.stdout))).verdict;
  assert.equal(untrusted.status, 'untrusted');
});

test('the key store never learns from an outdated-algorithm signature (only valid ones)', async () => {
  const { openStore } = await import('../unit/keystore/helpers.js');
  const { store } = await openStore();
  const { verdict } = await open(clearSigned('alice@example.org', opensslSign('alice', 'sha1', BODY)));
  assert.equal(verdict.status, 'outdated-algorithm');
  assert.deepEqual((await store.certificates.harvest(verdict)).stored, []);
});

test('CLI: verify exits 1 on outdated-algorithm and prints the status; --json carries it', () => {
  const msg = clearSigned('alice@example.org', opensslSign('alice', 'sha1', BODY));
  const human = signet(['verify', '--no-builtin-roots', '--trust', pki.rootPath, '--offline'], msg);
  assert.equal(human.status, 1, human.stderr);
  assert.match(human.stdout.toString(), /^Status: outdated-algorithm \(insecure-algorithm\)/);
  const json = signet(['verify', '--json', '--no-builtin-roots', '--trust', pki.rootPath, '--offline'], msg);
  assert.equal(json.status, 1);
  const v = JSON.parse(json.stdout.toString());
  assert.equal(v.status, 'outdated-algorithm');
  assert.deepEqual(v.enclosedSigned, []);
});

// --- enclosed signed parts (mailing-list wrapping) -------------------------------------------------------

const identities = new Map<UserName, Awaited<ReturnType<typeof loadIdentities>>[number]>();
async function id(u: UserName) {
  if (!identities.has(u)) identities.set(u, (await loadIdentities(new Uint8Array(readFileSync(pki.users[u].p12Path)), PASS, provider))[0]!);
  return identities.get(u)!;
}

/** The MIME entity of a whole signed message: its Content-* headers and its body (what a list wraps). */
async function signedEntity(from: string, signer: UserName = 'alice', opaque = false): Promise<string> {
  const whole = dec(await protectMessage(enc(headers(from) + BODY), { sign: { identity: await id(signer), opaque }, provider }));
  const end = whole.indexOf('\r\n\r\n');
  const lines = whole.slice(0, end).split(/\r\n(?![ \t])/).filter((l) => /^content-/i.test(l));
  return lines.join('\r\n') + whole.slice(end);
}

const FOOTER = 'Content-Type: text/plain; charset=us-ascii\r\n\r\n_______________\r\nlist mailing list -- unsubscribe: list-leave@example.org\r\n';

function listWrapped(from: string, parts: string[], date = true): string {
  return headers(from, date) + 'List-Id: <list.example.org>\r\nContent-Type: multipart/mixed; boundary="list"\r\n\r\n' + parts.map((p) => `--list\r\n${p}\r\n`).join('') + '--list--\r\n';
}

test('list-wrapped signed message with a footer: unsigned, and enclosedSigned[0] is the valid signed part', async () => {
  const inner = await signedEntity('alice@example.org');
  const r = await open(listWrapped('alice@example.org', [inner, FOOTER]));
  const v = r.verdict;
  assert.equal(v.status, 'unsigned');
  assert.equal(v.signer, null);
  assert.equal(v.enclosedSigned.length, 1);
  assert.deepEqual(v.enclosedSigned[0]!.path, [0]);
  const e = v.enclosedSigned[0]!.verdict;
  assert.equal(e.status, 'valid', e.summary);
  assert.equal(e.signer!.email, 'alice@example.org');
  assert.equal(e.from, 'alice@example.org');
  assert.deepEqual(e.enclosedSigned, []);
  assert.ok(v.warnings.some((w) => w.code === 'enclosed-signed-part'));
  assert.equal(r.enclosedContent.length, 1);
  assert.equal(dec(r.enclosedContent[0]!), BODY);
});

test('list-wrapped tampered part: unsigned root, enclosed status invalid / digest-mismatch', async () => {
  const inner = (await signedEntity('alice@example.org')).replace('12345', '66666');
  const v = (await open(listWrapped('alice@example.org', [inner, FOOTER]))).verdict;
  assert.equal(v.status, 'unsigned');
  assert.equal(v.enclosedSigned[0]!.verdict.status, 'invalid');
  assert.equal(v.enclosedSigned[0]!.verdict.code, 'digest-mismatch');
});

test('the enclosed part is bound to the outer From: someone else\'s signed part is sender-mismatch', async () => {
  const inner = await signedEntity('bob@example.org', 'bob');
  const v = (await open(listWrapped('alice@example.org', [FOOTER, inner]))).verdict;
  assert.equal(v.status, 'unsigned');
  assert.deepEqual(v.enclosedSigned[0]!.path, [1]);
  assert.equal(v.enclosedSigned[0]!.verdict.status, 'sender-mismatch');
  assert.equal(v.enclosedSigned[0]!.verdict.signer!.email, 'bob@example.org');
});

test('opaque signed-data and nested wrappers are found (path from the root); at most 4 parts, 4 levels down', async () => {
  const opaque = await signedEntity('alice@example.org', 'alice', true);
  const nested = `Content-Type: multipart/mixed; boundary="n1"\r\n\r\n--n1\r\n${FOOTER}\r\n--n1\r\n${opaque}\r\n--n1--\r\n`;
  const v = (await open(listWrapped('alice@example.org', [FOOTER, nested]))).verdict;
  assert.deepEqual(v.enclosedSigned.map((e) => [e.path, e.verdict.status]), [[[1, 1], 'valid']]);

  const six = await Promise.all(Array.from({ length: 6 }, () => signedEntity('alice@example.org')));
  const many = (await open(listWrapped('alice@example.org', six))).verdict;
  assert.equal(many.enclosedSigned.length, 4);
  assert.deepEqual(many.enclosedSigned.map((e) => e.path), [[0], [1], [2], [3]]);

  // Five levels of wrappers: below the search depth.
  let deep = await signedEntity('alice@example.org');
  for (let i = 0; i < 4; i++) deep = `Content-Type: multipart/mixed; boundary="d${i}"\r\n\r\n--d${i}\r\n${deep}\r\n--d${i}--\r\n`;
  const tooDeep = (await open(listWrapped('alice@example.org', [deep]))).verdict;
  assert.equal(tooDeep.status, 'unsigned');
  assert.deepEqual(tooDeep.enclosedSigned, []);
});

test('an encrypted part inside is never decrypted (rule 7) and is not an enclosed signed part', async () => {
  const alice = await id('alice');
  const encrypted = dec(await protectMessage(enc(headers('alice@example.org') + BODY), { sign: { identity: alice }, encrypt: { recipients: [pki.users.alice.certDer] }, provider }));
  const end = encrypted.indexOf('\r\n\r\n');
  const part = encrypted.slice(0, end).split(/\r\n(?![ \t])/).filter((l) => /^content-/i.test(l)).join('\r\n') + encrypted.slice(end);
  const r = await openMessage(enc(listWrapped('alice@example.org', [part, FOOTER])), { anchors, provider, identities: [alice] });
  assert.equal(r.verdict.status, 'unsigned');
  assert.deepEqual(r.verdict.enclosedSigned, []);
  assert.deepEqual(r.verdict.layers, []);
});

test('a signed root has no enclosed parts; the CLI prints enclosed parts', async () => {
  const whole = dec(await protectMessage(enc(headers('alice@example.org') + BODY), { sign: { identity: await id('alice') }, provider }));
  assert.deepEqual((await open(whole)).verdict.enclosedSigned, []);
  const wrapped = (await open(listWrapped('alice@example.org', [await signedEntity('alice@example.org'), FOOTER]))).verdict;
  const text = formatVerdict(wrapped);
  assert.match(text, /^Status: unsigned/);
  assert.match(text, /Enclosed signed part \[0\]: valid/);
});

test('an encrypted (unsigned) message whose decrypted root wraps a signed part: path from the decrypted root', async () => {
  const alice = await id('alice');
  const wrapped = listWrapped('alice@example.org', [await signedEntity('alice@example.org'), FOOTER]);
  const encrypted = await protectMessage(enc(wrapped), { encrypt: { recipients: [pki.users.alice.certDer] }, provider });
  const r = await openMessage(encrypted, { anchors, provider, identities: [alice] });
  assert.equal(r.verdict.status, 'unsigned');
  assert.equal(r.verdict.layers[0]!.kind, 'encrypted');
  assert.deepEqual(r.verdict.enclosedSigned.map((e) => [e.path, e.verdict.status]), [[[0], 'valid']]);
  assert.equal(dec(r.enclosedContent[0]!), BODY);
});
