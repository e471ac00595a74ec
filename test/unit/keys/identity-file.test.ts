// Identity files end to end: every test-PKI user from PEM, PKCS#12 (AES/PBKDF2) and legacy PKCS#12
// (3DES, RC2), keys that really sign for their certificate, and every error code the loader promises.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { toArrayBuffer } from '../../../src/core/bytes.js';
import { cryptoProvider } from '../../../src/core/crypto.js';
import { isSignetError, type ErrorCode } from '../../../src/core/errors.js';
import type { Identity } from '../../../src/core/keys.js';
import { loadCertificates, loadIdentities } from '../../../src/keys/identity-file.js';
import { parsePkcs12 } from '../../../src/keys/pkcs12.js';
import { CORPUS } from '../../helpers/corpus.js';
import { PASS, testPki, type TestUser, type UserName } from '../../helpers/pki.js';

const provider = cryptoProvider();
const pki = testPki();
const TB = join(CORPUS, 'thunderbird/mailnews/test/data/smime');
const BC_JOHNDOE = join(CORPUS, 'bouncycastle/mail/src/test/resources/org/bouncycastle/mail/smime/test/johndoe.p12');

function openssl(args: string[], input?: Buffer | string): Buffer {
  return execFileSync('openssl', args, { input, stdio: ['pipe', 'pipe', 'pipe'] });
}

function tmp(name: string, data: Buffer | string): string {
  const p = join(pki.dir, `keys-test-${name}`);
  writeFileSync(p, data);
  return p;
}

async function rejects(p: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isSignetError(e, code), `expected ${code}, got ${String((e as { code?: string }).code ?? e)}`);
    return true;
  });
}

/** The key signs, and the signature verifies with the public key of the identity's certificate. */
async function assertKeyMatchesCertificate(id: Identity): Promise<void> {
  const cert = pkijs.Certificate.fromBER(toArrayBuffer(id.certificate));
  const spki = cert.subjectPublicKeyInfo.toSchema().toBER(false);
  const data = new Uint8Array(randomBytes(100));
  const subtle = provider.crypto.subtle;
  if (id.privateKey.type === 'rsa') {
    const sig = await id.privateKey.sign({ name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, data);
    const pub = await subtle.importKey('spki', spki, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['verify']);
    assert.ok(await subtle.verify('RSASSA-PKCS1-v1_5', pub, toArrayBuffer(sig), toArrayBuffer(data)));
  } else {
    const namedCurve = id.privateKey.namedCurve!;
    const sig = await id.privateKey.sign({ name: 'ECDSA', hash: 'SHA-256' }, data);
    const pub = await subtle.importKey('spki', spki, { name: 'ECDSA', namedCurve }, false, ['verify']);
    assert.ok(await subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, pub, toArrayBuffer(sig), toArrayBuffer(data)));
  }
}

async function loadOne(path: string, pass: string | undefined, user?: TestUser): Promise<Identity> {
  const ids = await loadIdentities(readFileSync(path), pass, provider);
  assert.equal(ids.length, 1);
  const id = ids[0]!;
  if (user) {
    assert.deepEqual(id.certificate, user.certDer);
    assert.equal(id.chain.length, 1, 'the intermediate travels as chain');
    assert.deepEqual(id.chain[0], pki.intermediateDer);
  }
  await assertKeyMatchesCertificate(id);
  return id;
}

const USERS: UserName[] = ['alice', 'bob', 'carol', 'dave', 'erin'];

for (const name of USERS) {
  test(`${name}: identity PEM, PKCS#12 (AES/PBKDF2) and legacy PKCS#12 (3DES) all load and sign`, async () => {
    const u = pki.users[name];
    await loadOne(u.identityPemPath, undefined, u);
    await loadOne(u.p12Path, PASS, u);
    await loadOne(u.p12LegacyPath, PASS, u);
  });
}

test('wrong passphrase is bad-passphrase (MAC SHA-256 and SHA-1); missing passphrase too', async () => {
  const u = pki.users.alice;
  await rejects(loadIdentities(readFileSync(u.p12Path), 'wrong', provider), 'bad-passphrase');
  await rejects(loadIdentities(readFileSync(u.p12LegacyPath), 'wrong', provider), 'bad-passphrase');
  await rejects(loadIdentities(readFileSync(u.p12Path), undefined, provider), 'bad-passphrase');
});

test('a random file is not-pkcs12; a truncated PKCS#12 is not-pkcs12 or malformed, never a crash', async () => {
  await rejects(loadIdentities(randomBytes(2000), PASS, provider), 'not-pkcs12');
  await rejects(loadIdentities(new Uint8Array(0), PASS, provider), 'not-pkcs12');
  const p12 = readFileSync(pki.users.alice.p12Path);
  await assert.rejects(loadIdentities(p12.subarray(0, p12.length - 100), PASS, provider), (e: unknown) => isSignetError(e));
});

test('certificate-only PEM / DER is no-private-key; key-only PEM is no-certificate', async () => {
  const u = pki.users.alice;
  await rejects(loadIdentities(readFileSync(u.chainPath), undefined, provider), 'no-private-key');
  await rejects(loadIdentities(u.certDer, undefined, provider), 'no-private-key');
  await rejects(loadIdentities(readFileSync(u.keyPath), undefined, provider), 'no-certificate');
});

test("alice's key with bob's certificate is key-mismatch (RSA and EC)", async () => {
  const a = pki.users;
  await rejects(loadIdentities(Buffer.concat([readFileSync(a.alice.keyPath), readFileSync(a.bob.certPath)]), undefined, provider), 'key-mismatch');
  await rejects(loadIdentities(Buffer.concat([readFileSync(a.carol.keyPath), readFileSync(a.dave.certPath)]), undefined, provider), 'key-mismatch');
  // Same curve, different key.
  const otherP256 = openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']);
  await rejects(loadIdentities(Buffer.concat([otherP256, readFileSync(a.carol.certPath)]), undefined, provider), 'key-mismatch');
});

test('several key/certificate pairs in one PEM give several identities, in key order', async () => {
  const a = pki.users;
  const pem = Buffer.concat([
    readFileSync(a.carol.certPath), readFileSync(a.alice.keyPath), readFileSync(a.alice.certPath),
    readFileSync(pki.intermediatePath), readFileSync(a.carol.keyPath),
  ]);
  const ids = await loadIdentities(pem, undefined, provider);
  assert.equal(ids.length, 2);
  assert.deepEqual(ids[0]!.certificate, a.alice.certDer);
  assert.deepEqual(ids[1]!.certificate, a.carol.certDer);
  assert.deepEqual(ids[0]!.chain, [pki.intermediateDer]);
  for (const id of ids) await assertKeyMatchesCertificate(id);
});

test('PEM traditional forms: PKCS#1 RSA, SEC1 EC (with and without public key, with EC PARAMETERS)', async () => {
  const a = pki.users.alice;
  const c = pki.users.erin;
  const rsa1 = openssl(['rsa', '-in', a.keyPath, '-traditional']);
  assert.match(rsa1.toString(), /BEGIN RSA PRIVATE KEY/);
  await loadOne(tmp('pkcs1.pem', Buffer.concat([rsa1, readFileSync(a.certPath)])), undefined);
  const sec1 = openssl(['ec', '-in', c.keyPath]);
  assert.match(sec1.toString(), /BEGIN EC PRIVATE KEY/);
  await loadOne(tmp('sec1.pem', Buffer.concat([sec1, readFileSync(c.certPath)])), undefined);
  // No public key inside: the loader has WebCrypto compute it to find the certificate.
  const nopub = openssl(['ec', '-in', c.keyPath, '-no_public']);
  await loadOne(tmp('sec1-nopub.pem', Buffer.concat([readFileSync(c.certPath), nopub])), undefined);
  // `openssl ecparam -genkey` style: EC PARAMETERS then a key whose parameters field is left out.
  const params = openssl(['ecparam', '-name', 'secp521r1']);
  await loadOne(tmp('sec1-params.pem', Buffer.concat([params, sec1, readFileSync(c.certPath)])), undefined);
});

test('ENCRYPTED PRIVATE KEY: PBES2 AES-256, PBES2 3DES, PKCS#12 PBE 3DES and RC2-128; wrong or no passphrase', async () => {
  const u = pki.users.carol;
  const variants: [string, string[]][] = [
    ['aes256', ['-v2', 'aes-256-cbc', '-v2prf', 'hmacWithSHA512']],
    ['aes128-sha1', ['-v2', 'aes-128-cbc', '-v2prf', 'hmacWithSHA1']],
    ['des3', ['-v2', 'des3']],
    ['pbe-3des', ['-v1', 'PBE-SHA1-3DES']],
    ['pbe-rc2-128', ['-v1', 'PBE-SHA1-RC2-128', '-provider', 'legacy', '-provider', 'default']],
  ];
  for (const [name, args] of variants) {
    const enc = openssl(['pkcs8', '-topk8', '-in', u.keyPath, '-passout', `pass:${PASS}`, ...args]);
    assert.match(enc.toString(), /BEGIN ENCRYPTED PRIVATE KEY/);
    const file = tmp(`enc-${name}.pem`, Buffer.concat([enc, readFileSync(u.chainPath)]));
    const id = await loadOne(file, PASS, u);
    assert.equal(id.privateKey.type, 'ec', name);
    await rejects(loadIdentities(readFileSync(file), 'not-the-pass', provider), 'bad-passphrase');
    await rejects(loadIdentities(readFileSync(file), undefined, provider), 'bad-passphrase');
  }
});

test('PKCS#12 variants: -legacy (RC2-40 certificates), no MAC, unencrypted keyBag, SHA-512 MAC, AES-128 certs', async () => {
  const u = pki.users.bob;
  const base = ['pkcs12', '-export', '-inkey', u.keyPath, '-in', u.certPath, '-certfile', pki.intermediatePath, '-passout', `pass:${PASS}`];
  const variants: [string, string[]][] = [
    ['legacy', ['-legacy']],
    ['rc2-128', ['-certpbe', 'PBE-SHA1-RC2-128', '-keypbe', 'PBE-SHA1-RC2-128', '-provider', 'legacy', '-provider', 'default']],
    ['nomac', ['-nomac']],
    ['nokeyenc', ['-keypbe', 'NONE', '-certpbe', 'NONE']],
    ['sha512mac', ['-macalg', 'sha512', '-keypbe', 'AES-192-CBC', '-certpbe', 'AES-128-CBC']],
  ];
  for (const [name, args] of variants) {
    const file = join(pki.dir, `bob-${name}.p12`);
    openssl([...base, ...args, '-out', file]);
    await loadOne(file, PASS, u);
    if (name !== 'nokeyenc') await rejects(loadIdentities(readFileSync(file), 'wrong', provider), 'bad-passphrase');
  }
  const info = await parsePkcs12(readFileSync(u.p12Path), PASS, provider);
  assert.equal(info.keys[0]!.friendlyName, 'bob');
  assert.ok(info.keys[0]!.localKeyId && info.certificates.some((c) => c.localKeyId));
});

test('PKCS#12 with an empty passphrase (OpenSSL encodes it as 00 00)', async () => {
  const u = pki.users.dave;
  const file = join(pki.dir, 'dave-empty.p12');
  openssl(['pkcs12', '-export', '-inkey', u.keyPath, '-in', u.certPath, '-passout', 'pass:', '-out', file]);
  const ids = await loadIdentities(readFileSync(file), '', provider);
  await assertKeyMatchesCertificate(ids[0]!);
  await rejects(loadIdentities(readFileSync(file), 'x', provider), 'bad-passphrase');
});

test('the Thunderbird (NSS) corpus PKCS#12 files load with "nss"', async () => {
  for (const f of ['Alice.p12', 'Alice-ec.p12', 'Bob.p12', 'Dave.p12', 'Eve.p12', 'Fran.p12', 'Fran-ec.p12']) {
    const ids = await loadIdentities(readFileSync(join(TB, f)), 'nss', provider);
    assert.equal(ids.length, 1, f);
    await assertKeyMatchesCertificate(ids[0]!);
    assert.equal(ids[0]!.privateKey.type, f.includes('-ec') ? 'ec' : 'rsa', f);
    await rejects(loadIdentities(readFileSync(join(TB, f)), 'wrong', provider), 'bad-passphrase');
  }
});

test("Bouncy Castle's johndoe.p12 (RC2-40 + 3DES, indefinite-length BER, empty password as zero bytes) loads", async () => {
  const ids = await loadIdentities(readFileSync(BC_JOHNDOE), '', provider);
  assert.equal(ids.length, 1);
  await assertKeyMatchesCertificate(ids[0]!);
  const p12 = await parsePkcs12(readFileSync(BC_JOHNDOE), '', provider);
  assert.equal(p12.keys[0]!.friendlyName, 'John Doe');
});

test('loadCertificates: PEM chain, DER, PEM and DER PKCS#7 certs-only; errors', () => {
  const a = pki.users.alice;
  assert.deepEqual(loadCertificates(readFileSync(a.chainPath)), [a.certDer, pki.intermediateDer]);
  assert.deepEqual(loadCertificates(a.certDer), [a.certDer]);
  const p7pem = openssl(['crl2pkcs7', '-nocrl', '-certfile', a.chainPath]);
  assert.deepEqual(loadCertificates(p7pem), [a.certDer, pki.intermediateDer]);
  const p7der = openssl(['crl2pkcs7', '-nocrl', '-certfile', a.chainPath, '-outform', 'DER']);
  assert.deepEqual(loadCertificates(p7der), [a.certDer, pki.intermediateDer]);
  // An identity PEM as --to: the key block is skipped, never decrypted.
  assert.deepEqual(loadCertificates(readFileSync(a.identityPemPath)), [a.certDer, pki.intermediateDer]);
  // Bare base64 (some Windows .cer exports).
  assert.deepEqual(loadCertificates(Buffer.from(Buffer.from(a.certDer).toString('base64'))), [a.certDer]);
  assert.throws(() => loadCertificates(readFileSync(a.keyPath)), (e: unknown) => isSignetError(e, 'missing-certificate'));
  assert.throws(() => loadCertificates(randomBytes(300)), (e: unknown) => isSignetError(e, 'malformed-asn1'));
  assert.throws(() => loadCertificates(Buffer.from('-----BEGIN CERTIFICATE-----\nAAA*\n-----END CERTIFICATE-----\n')),
    (e: unknown) => isSignetError(e, 'malformed-pem'));
  assert.throws(() => loadCertificates(Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n')), (e: unknown) => isSignetError(e, 'malformed-pem'));
});

test('a DER that parses but is not a certificate is refused by loadCertificates', () => {
  const notCert = new asn1js.Sequence({ value: [new asn1js.Integer({ value: 1 })] }).toBER(false);
  assert.throws(() => loadCertificates(new Uint8Array(notCert)), (e: unknown) => isSignetError(e));
});

test('PKCS#12 holding only a key is no-certificate; only certificates is no-private-key', async () => {
  const u = pki.users.alice;
  const keyOnly = join(pki.dir, 'alice-keyonly.p12');
  openssl(['pkcs12', '-export', '-nocerts', '-inkey', u.keyPath, '-passout', `pass:${PASS}`, '-out', keyOnly]);
  await rejects(loadIdentities(readFileSync(keyOnly), PASS, provider), 'no-certificate');
  const certOnly = join(pki.dir, 'alice-certonly.p12');
  openssl(['pkcs12', '-export', '-nokeys', '-in', u.chainPath, '-passout', `pass:${PASS}`, '-out', certOnly]);
  await rejects(loadIdentities(readFileSync(certOnly), PASS, provider), 'no-private-key');
});

// OpenSSL 3.0 cannot write PBMAC1 (RFC 9579; 3.4 can), so the MAC is added here with Node's own PBKDF2
// and HMAC to an OpenSSL -nomac file, following RFC 9579 §5 (hmacWithSHA256, PBKDF2 keyLength 32).
test('PKCS#12 with a PBMAC1 (RFC 9579) MAC verifies; a wrong passphrase is bad-passphrase', async () => {
  const { pbkdf2Sync, createHmac } = await import('node:crypto');
  const u = pki.users.carol;
  const noMac = join(pki.dir, 'carol-nomac.p12');
  openssl(['pkcs12', '-export', '-nomac', '-inkey', u.keyPath, '-in', u.certPath, '-passout', `pass:${PASS}`, '-out', noMac]);
  const pfx = asn1js.fromBER(new Uint8Array(readFileSync(noMac))).result as asn1js.Sequence;
  const [version, authSafe] = pfx.valueBlock.value as [asn1js.Integer, asn1js.Sequence];
  const content = ((authSafe.valueBlock.value[1] as asn1js.Constructed).valueBlock.value[0] as asn1js.OctetString).getValue();
  const salt = randomBytes(16);
  const key = pbkdf2Sync(PASS, salt, 2048, 32, 'sha256');
  const mac = createHmac('sha256', key).update(Buffer.from(content)).digest();
  const hmacSha256 = () => new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: '1.2.840.113549.2.9' }), new asn1js.Null()] });
  const macData = new asn1js.Sequence({
    value: [
      new asn1js.Sequence({
        value: [
          new asn1js.Sequence({
            value: [
              new asn1js.ObjectIdentifier({ value: '1.2.840.113549.1.5.14' }),
              new asn1js.Sequence({
                value: [
                  new asn1js.Sequence({
                    value: [
                      new asn1js.ObjectIdentifier({ value: '1.2.840.113549.1.5.12' }),
                      new asn1js.Sequence({
                        value: [new asn1js.OctetString({ valueHex: salt }), new asn1js.Integer({ value: 2048 }), new asn1js.Integer({ value: 32 }), hmacSha256()],
                      }),
                    ],
                  }),
                  hmacSha256(),
                ],
              }),
            ],
          }),
          new asn1js.OctetString({ valueHex: mac }),
        ],
      }),
      new asn1js.OctetString({ valueHex: new TextEncoder().encode('NOT USED') }),
      new asn1js.Integer({ value: 1 }),
    ],
  });
  const withMac = new Uint8Array(new asn1js.Sequence({ value: [version, authSafe, macData] }).toBER(false));
  const ids = await loadIdentities(withMac, PASS, provider);
  await assertKeyMatchesCertificate(ids[0]!);
  await rejects(loadIdentities(withMac, 'wrong', provider), 'bad-passphrase');
  const corrupted = withMac.slice();
  corrupted[corrupted.length - 20]! ^= 1; // inside the MAC value: the right passphrase still decrypts the bags, so the file is damaged
  await rejects(loadIdentities(corrupted, PASS, provider), 'damaged-file');
  await rejects(loadIdentities(corrupted, 'wrong', provider), 'bad-passphrase');
});

test('a DSA key is unsupported-algorithm, not a misleading key-mismatch', async () => {
  const params = openssl(['genpkey', '-genparam', '-algorithm', 'DSA', '-pkeyopt', 'dsa_paramgen_bits:1024']);
  const paramsPath = tmp('dsa-params.pem', params);
  const key = openssl(['genpkey', '-paramfile', paramsPath]);
  await rejects(loadIdentities(Buffer.concat([key, readFileSync(pki.users.alice.certPath)]), undefined, provider), 'unsupported-algorithm');
});

test('OpenSSL TRUSTED CERTIFICATE blocks are read as their certificate', () => {
  const trusted = openssl(['x509', '-in', pki.rootPath, '-trustout', '-addtrust', 'emailProtection']);
  assert.match(trusted.toString(), /BEGIN TRUSTED CERTIFICATE/);
  assert.deepEqual(loadCertificates(trusted), [pki.rootDer]);
});
