// Interoperability of CMS encryption with the real `openssl cms` in both directions (RSA PKCS#1 v1.5 and
// OAEP, EC P-256/384/521, CBC and GCM, issuer-and-serial and -keyid, streamed indefinite-length BER), and
// with the OpenSSL-made S/MIME files in Thunderbird's test corpus (RSA-OAEP variants with label, ECDH).

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encryptContent, type ContentCipher } from '../../../src/core/cms/envelope.js';
import { decryptContent } from '../../../src/core/cms/decrypt.js';
import { cryptoProvider } from '../../../src/core/crypto.js';
import { isSignetError, type ErrorCode } from '../../../src/core/errors.js';
import type { Identity } from '../../../src/core/keys.js';
import { privateKeyFromPkcs8 } from '../../../src/core/private-key.js';
import { TB_SMIME_INTEROP } from '../../helpers/corpus.js';
import { testPki, type TestUser, type UserName } from '../../helpers/pki.js';

const provider = cryptoProvider();
const dir = mkdtempSync(join(tmpdir(), 'signet-envelope-'));
const MESSAGE = new TextEncoder().encode('Content-Type: text/plain\r\n\r\nInterop test \u00e9\r\n');
const msgPath = join(dir, 'msg.txt');
after(() => rmSync(dir, { recursive: true, force: true })); // the 25 MB test leaves ~75 MB here
writeFileSync(msgPath, MESSAGE);
const CORPUS = TB_SMIME_INTEROP;

function openssl(args: string[]): Buffer {
  return execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
}

function identity(u: TestUser): Identity {
  return { certificate: u.certDer, chain: [], privateKey: privateKeyFromPkcs8(u.keyPkcs8, provider) };
}

function pemBlock(pem: string, label: string): Uint8Array {
  const m = pem.match(new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`));
  assert.ok(m, `no ${label} in PEM`);
  return new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'));
}

async function rejectsWith(p: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(p, (e: unknown) => isSignetError(e, code) || assert.fail(`expected ${code}, got ${String(e)}`));
}

const USERS: UserName[] = ['alice', 'bob', 'carol', 'dave', 'erin'];
const CIPHERS: ContentCipher[] = ['aes-128-cbc', 'aes-256-cbc', 'aes-128-gcm', 'aes-256-gcm'];

for (const who of USERS) {
  for (const cipher of CIPHERS) {
    test(`Signet → openssl cms -decrypt: ${who}, ${cipher}`, async () => {
      const u = testPki().users[who];
      const variants = u.key.startsWith('rsa') ? (['oaep', 'pkcs1'] as const) : (['oaep'] as const);
      for (const rsaKeyTransport of variants) {
        for (const recipientIdentifier of ['issuer-and-serial', 'subject-key-identifier'] as const) {
          const der = await encryptContent(MESSAGE, { recipients: [u.certDer], cipher, rsaKeyTransport, recipientIdentifier }, provider);
          const path = join(dir, `out-${who}-${cipher}.der`);
          writeFileSync(path, der);
          const out = openssl(['cms', '-decrypt', '-binary', '-inform', 'DER', '-in', path, '-recip', u.certPath, '-inkey', u.keyPath]);
          assert.deepEqual(new Uint8Array(out), MESSAGE, `${rsaKeyTransport}/${recipientIdentifier}`);
        }
      }
    });

    test(`openssl cms -encrypt → Signet: ${who}, ${cipher}`, async () => {
      const u = testPki().users[who];
      const rsa = u.key.startsWith('rsa');
      const variants: { name: string; args: string[] }[] = rsa
        ? [
            { name: 'pkcs1', args: [u.certPath] },
            { name: 'oaep-sha256', args: ['-recip', u.certPath, '-keyopt', 'rsa_padding_mode:oaep', '-keyopt', 'rsa_oaep_md:sha256'] },
            { name: 'oaep-sha1', args: ['-recip', u.certPath, '-keyopt', 'rsa_padding_mode:oaep'] },
            { name: 'pkcs1-keyid', args: ['-keyid', u.certPath] },
          ]
        : [
            { name: 'ecdh (sha1 kdf, OpenSSL default)', args: [u.certPath] },
            { name: 'ecdh sha384 kdf', args: ['-recip', u.certPath, '-keyopt', 'ecdh_kdf_md:sha384'] },
            { name: 'ecdh keyid', args: ['-keyid', u.certPath] },
          ];
      for (const v of variants) {
        const path = join(dir, `in-${who}-${cipher}.der`);
        openssl(['cms', '-encrypt', '-binary', '-outform', 'DER', '-in', msgPath, '-out', path, `-${cipher}`, ...v.args]);
        const r = await decryptContent(readFileSync(path), [identity(u)], provider);
        assert.deepEqual(r.content, MESSAGE, v.name);
        assert.equal(r.cipher, cipher.toUpperCase());
        assert.equal(r.integrityProtected, cipher.endsWith('gcm'));
      }
    });
  }
}

test('openssl cms -encrypt to several recipients (RSA + EC) → each decrypts in Signet', async () => {
  const users = USERS.map((n) => testPki().users[n]);
  const path = join(dir, 'multi.der');
  openssl(['cms', '-encrypt', '-binary', '-outform', 'DER', '-in', msgPath, '-out', path, '-aes-256-gcm', ...users.map((u) => u.certPath)]);
  for (const u of users) {
    const r = await decryptContent(readFileSync(path), [identity(u)], provider);
    assert.deepEqual(r.content, MESSAGE);
    assert.equal(r.recipients, 5);
  }
});

test('Signet to several recipients → openssl decrypts for each', async () => {
  const users = USERS.map((n) => testPki().users[n]);
  const der = await encryptContent(MESSAGE, { recipients: users.map((u) => u.certDer), cipher: 'aes-256-gcm' }, provider);
  const path = join(dir, 'multi-signet.der');
  writeFileSync(path, der);
  for (const u of users) {
    const out = openssl(['cms', '-decrypt', '-binary', '-inform', 'DER', '-in', path, '-recip', u.certPath, '-inkey', u.keyPath]);
    assert.deepEqual(new Uint8Array(out), MESSAGE);
  }
});

test('openssl cms -encrypt -des3 → decrypts, reported as 3DES-CBC without integrity', async () => {
  const alice = testPki().users.alice;
  const path = join(dir, 'des3.der');
  openssl(['cms', '-encrypt', '-binary', '-outform', 'DER', '-in', msgPath, '-out', path, '-des3', alice.certPath]);
  const r = await decryptContent(readFileSync(path), [identity(alice)], provider);
  assert.deepEqual(r.content, MESSAGE);
  assert.equal(r.cipher, '3DES-CBC');
  assert.equal(r.integrityProtected, false);
});

test('3DES to alice opened with bob\'s key → not-a-recipient; with a corrupted body → decryption-failed', async () => {
  const { alice, bob } = testPki().users;
  const path = join(dir, 'des3b.der');
  openssl(['cms', '-encrypt', '-binary', '-outform', 'DER', '-in', msgPath, '-out', path, '-des3', alice.certPath]);
  const der = new Uint8Array(readFileSync(path));
  await rejectsWith(decryptContent(der, [identity(bob)], provider), 'not-a-recipient');
  der[der.length - 3] = der[der.length - 3]! ^ 0xff; // last block: breaks the padding
  await rejectsWith(decryptContent(der, [identity(alice)], provider), 'decryption-failed');
});

test('openssl cms -encrypt -rc2 (legacy provider) → unsupported-algorithm', async () => {
  const alice = testPki().users.alice;
  const path = join(dir, 'rc2.der');
  openssl(['cms', '-encrypt', '-binary', '-outform', 'DER', '-provider', 'legacy', '-provider', 'default', '-in', msgPath, '-out', path, '-rc2', alice.certPath]);
  await rejectsWith(decryptContent(readFileSync(path), [identity(alice)], provider), 'unsupported-algorithm');
});

test('25 MB streamed by openssl (indefinite-length BER, 4 KiB chunks) decrypts, CBC and GCM', async () => {
  const big = new Uint8Array(25 * 1024 * 1024);
  for (let i = 0; i < big.length; i += 65536) provider.crypto.getRandomValues(big.subarray(i, i + 65536));
  const bigPath = join(dir, 'big.bin');
  writeFileSync(bigPath, big);
  for (const [cipher, who] of [['aes-256-cbc', 'alice'], ['aes-256-gcm', 'carol']] as const) {
    const u = testPki().users[who];
    const path = join(dir, `big-${cipher}.der`);
    openssl(['cms', '-encrypt', '-stream', '-binary', '-outform', 'DER', '-in', bigPath, '-out', path, `-${cipher}`, u.certPath]);
    const input = readFileSync(path);
    assert.equal(input[1], 0x80, 'expected indefinite-length BER from -stream');
    const t = performance.now();
    const r = await decryptContent(input, [identity(u)], provider);
    const ms = performance.now() - t;
    console.log(`25 MB openssl -stream ${cipher} decrypt: ${Math.round(ms)} ms`);
    assert.equal(r.content.length, big.length);
    assert.ok(Buffer.from(r.content).equals(Buffer.from(big)));
    assert.ok(ms < 1500, `took ${Math.round(ms)} ms`);
  }
});

// --- Thunderbird's interop corpus ------------------------------------------------------------------------

function franIdentity(ec: boolean): Identity {
  const pem = openssl(['pkcs12', '-in', join(CORPUS, ec ? 'Fran-ec.p12' : 'Fran.p12'), '-nodes', '-passin', 'pass:nss']).toString('latin1');
  return { certificate: pemBlock(pem, 'CERTIFICATE'), chain: [], privateKey: privateKeyFromPkcs8(pemBlock(pem, 'PRIVATE KEY'), provider) };
}

/** The .env files are RFC 5322 messages whose body is the base64 of a DER ContentInfo. */
function envBody(name: string): Uint8Array {
  const text = readFileSync(join(CORPUS, name), 'latin1');
  const sep = text.search(/\r?\n\r?\n/);
  return new Uint8Array(Buffer.from(text.slice(sep).replace(/\s+/g, ''), 'base64'));
}

const FRAN_TEXT = /^This is a test message to Fran\./;

for (const [file, ec, km] of [
  ['fran-oaep-label_ossl.env', false, 'RSA-OAEP-SHA1-label'],
  ['fran-oaep-sha256hash_ossl.env', false, 'RSA-OAEP-SHA256'],
  ['fran-oaep-sha256hash-sha256mgf_ossl.env', false, 'RSA-OAEP-SHA256'],
  ['fran-ec_ossl-aes128-sha256.env', true, 'ECDH-SHA256-KDF/AES-128-KW'],
  ['fran-ec_ossl-aes256-sha512.env', true, 'ECDH-SHA512-KDF/AES-256-KW'],
] as const) {
  test(`Thunderbird corpus: ${file} decrypts`, async () => {
    const r = await decryptContent(envBody(file), [franIdentity(ec)], provider);
    assert.match(new TextDecoder().decode(r.content), FRAN_TEXT);
    assert.equal(r.usedKeyManagement, km);
  });
}

test('Thunderbird corpus: fran-oaep_ossl.env (RSA-OAEP with default SHA-1 parameters, 3DES content) decrypts', async () => {
  const r = await decryptContent(envBody('fran-oaep_ossl.env'), [franIdentity(false)], provider);
  assert.match(new TextDecoder().decode(r.content), FRAN_TEXT);
  assert.equal(r.cipher, '3DES-CBC');
});

test('Thunderbird corpus: another EC identity is not a recipient of Fran\'s mail', async () => {
  await rejectsWith(decryptContent(envBody('fran-ec_ossl-aes128-sha256.env'), [identity(testPki().users.carol)], provider), 'not-a-recipient');
});
