// The key store's identities (src/keys/store/identity-store.ts) over fake-indexeddb, with PKCS#12 files made
// by the real OpenSSL CLI: modern (PBES2/AES) and legacy (3DES, RC2) imports, every refusal with its code
// and nothing half-imported, non-extractable keys (exportKey fails for every stored key), no key material
// or passphrase anywhere in the stored records, signing and decryption checked by OpenSSL, the
// RSAES-PKCS1-v1_5 unlock, defaults per address, delete and certificate export.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { utf8 } from '../../../src/core/bytes.js';
import { isSignetError, type ErrorCode } from '../../../src/core/errors.js';
import { openMessage } from '../../../src/core/smime/open.js';
import { protectMessage } from '../../../src/core/smime/protect.js';
import { LOCKED_KEY_ITERATIONS } from '../../../src/keys/store/encrypted-private-key.js';
import { selfTest } from '../../../src/keys/store/self-test.js';
import {
  PASS,
  containsBytes,
  dumpDatabase,
  issue,
  openStore,
  openssl,
  provider,
  secretComponents,
  testPki,
  walk,
} from './helpers.js';

async function rejectsWith(p: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isSignetError(e), `expected a SignetError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return true;
  });
}

const file = (path: string): Uint8Array => new Uint8Array(readFileSync(path));

function mail(from: string, to: string, body = 'Hello from the key store test.'): Uint8Array {
  return utf8(`From: ${from}\r\nTo: ${to}\r\nSubject: key store\r\nDate: ${new Date().toUTCString()}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}\r\n`);
}

test('RSA PKCS#12 (PBES2/AES): summary shows address, issuer, validity, fingerprint and what it may do', async () => {
  const pki = testPki();
  const { store } = await openStore();
  const [s] = await store.identities.importPkcs12(file(pki.users.alice.p12Path), PASS);
  assert.ok(s);
  assert.deepEqual(s.addresses, ['alice@example.org']);
  assert.match(s.issuer, /CN=Signet Test Intermediate/);
  const fp = openssl(['x509', '-in', pki.users.alice.certPath, '-noout', '-fingerprint', '-sha256']).toString().split('=')[1]!.replace(/[:\s]/g, '').toLowerCase();
  assert.equal(s.sha256, fp);
  assert.equal(s.id, fp);
  assert.deepEqual(s.uses, { sign: true, encrypt: true, emailProtection: true });
  assert.equal(s.validity, 'ok');
  assert.equal(s.pkcs1, 'locked');
  assert.equal(s.keyAlgorithm, 'RSA 2048');
  assert.deepEqual(s.defaultFor, { sign: ['alice@example.org'], encrypt: ['alice@example.org'] });
  assert.ok(new Date(s.notAfter) > new Date());
});

test('EC PKCS#12: ECDSA and ECDH keys, nothing to unlock', async () => {
  const { store } = await openStore();
  const [s] = await store.identities.importPkcs12(file(testPki().users.carol.p12Path), PASS);
  assert.equal(s!.keyAlgorithm, 'EC P-256');
  assert.equal(s!.pkcs1, 'not-applicable');
  const id = (await store.identities.get(s!.id))!;
  const r = await selfTest(id, provider);
  assert.deepEqual(r, { sign: { status: 'ok' }, decrypt: { status: 'ok' }, decryptPkcs1: { status: 'not-allowed' } });
});

test('legacy PKCS#12: PBE-SHA1-3DES with a SHA-1 MAC, and RC2-40 certificates (openssl -legacy)', async () => {
  const pki = testPki();
  const { store } = await openStore();
  const [tdes] = await store.identities.importPkcs12(file(pki.users.bob.p12LegacyPath), PASS);
  assert.deepEqual(tdes!.addresses, ['bob@example.org']);
  const u = pki.users.dave;
  const rc2 = join(pki.dir, 'ks-dave-rc2.p12');
  openssl(['pkcs12', '-export', '-legacy', '-inkey', u.keyPath, '-in', u.certPath, '-certfile', pki.intermediatePath, '-passout', `pass:${PASS}`,
    '-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-RC2-40', '-macalg', 'sha1', '-out', rc2]);
  const info = spawnSync('openssl', ['pkcs12', '-legacy', '-in', rc2, '-passin', `pass:${PASS}`, '-info', '-noout'], { encoding: 'utf8' }).stderr;
  assert.match(info, /pbeWithSHA1And40BitRC2-CBC/, 'the certificates really are RC2-40 encrypted');
  assert.match(info, /pbeWithSHA1And3-KeyTripleDES-CBC/);
  const [ec] = await store.identities.importPkcs12(file(rc2), PASS);
  assert.deepEqual(ec!.addresses, ['dave@example.org']);
  assert.equal((await store.identities.list()).length, 2);
});

test('refusals: each with its code, and the store stays empty', async () => {
  const pki = testPki();
  const { store, factory } = await openStore();
  const alice = file(pki.users.alice.p12Path);
  await rejectsWith(store.identities.importPkcs12(alice, 'wrong'), 'bad-passphrase');
  await rejectsWith(store.identities.importPkcs12(file(pki.users.alice.certPath), PASS), 'not-pkcs12');
  await rejectsWith(store.identities.importPkcs12(utf8('hello, I am not a key file'), PASS), 'not-pkcs12');
  // A download that stopped half-way.
  await rejectsWith(store.identities.importPkcs12(alice.subarray(0, Math.floor(alice.length / 2)), PASS), 'not-pkcs12');
  // A damaged byte inside the MAC-protected content: no passphrase opens it.
  const flipped = alice.slice();
  flipped[Math.floor(flipped.length / 2)]! ^= 0x40;
  await assert.rejects(store.identities.importPkcs12(flipped, PASS), (e: unknown) => isSignetError(e) && ['bad-passphrase', 'damaged-file', 'not-pkcs12'].includes(e.code));
  // Alice's key with Bob's certificate.
  const mismatch = join(pki.dir, 'ks-mismatch.p12');
  openssl(['pkcs12', '-export', '-inkey', pki.users.alice.keyPath, '-nocerts', '-certfile', pki.users.bob.certPath, '-passout', `pass:${PASS}`, '-out', mismatch]);
  await rejectsWith(store.identities.importPkcs12(file(mismatch), PASS), 'key-mismatch');
  // A key without its certificate, certificates without a key.
  const keyOnly = join(pki.dir, 'ks-keyonly.p12');
  openssl(['pkcs12', '-export', '-inkey', pki.users.alice.keyPath, '-nocerts', '-passout', `pass:${PASS}`, '-out', keyOnly]);
  await rejectsWith(store.identities.importPkcs12(file(keyOnly), PASS), 'no-certificate');
  const certOnly = join(pki.dir, 'ks-certonly.p12');
  openssl(['pkcs12', '-export', '-nokeys', '-in', pki.users.alice.chainPath, '-passout', `pass:${PASS}`, '-out', certOnly]);
  await rejectsWith(store.identities.importPkcs12(file(certOnly), PASS), 'no-private-key');
  // Certificates that may not be used for mail now.
  await rejectsWith(store.identities.importPkcs12(file(pki.users.expired.p12Path), PASS), 'certificate-unusable');
  await rejectsWith(store.identities.importPkcs12(file(pki.users.notyet.p12Path), PASS), 'certificate-unusable');
  await rejectsWith(store.identities.importPkcs12(file(pki.users.serverauth.p12Path), PASS), 'certificate-unusable');
  await rejectsWith(store.identities.importPkcs12(file(pki.users.noemail.p12Path), PASS), 'certificate-unusable');
  await rejectsWith(store.identities.importPkcs12(file(pki.users.weak.p12Path), PASS), 'insecure-algorithm');
  assert.deepEqual(await store.identities.list(), []);
  assert.deepEqual(await dumpDatabase(factory), [], 'nothing half-imported');
});

test('the refusal messages say what is wrong in plain words', async () => {
  const pki = testPki();
  const { store } = await openStore();
  const message = async (p: Promise<unknown>): Promise<string> => {
    try {
      await p;
    } catch (e) {
      return (e as Error).message;
    }
    return '';
  };
  assert.match(await message(store.identities.importPkcs12(file(pki.users.alice.p12Path), 'nope')), /passphrase is wrong/);
  assert.match(await message(store.identities.importPkcs12(file(pki.users.expired.p12Path), PASS)), /expired on 2021-01-01/);
  assert.match(await message(store.identities.importPkcs12(file(pki.users.serverauth.p12Path), PASS)), /not issued for e-mail/);
});

test('every stored private key is non-extractable: exportKey fails in every format', async () => {
  const pki = testPki();
  const { store, factory } = await openStore();
  await store.identities.importPkcs12(file(pki.users.alice.p12Path), PASS);
  await store.identities.importPkcs12(file(pki.users.carol.p12Path), PASS);
  const { keys } = walk(await dumpDatabase(factory));
  // RSA: PKCS#1 v1.5 and PSS × SHA-256/384/512, OAEP × SHA-1/256/384/512; EC: ECDSA, ECDH.
  assert.equal(keys.length, 10 + 2);
  for (const k of keys) {
    assert.equal(k.extractable, false);
    assert.equal(k.type, 'private');
    for (const format of ['pkcs8', 'jwk', 'raw'] as const) {
      await assert.rejects(crypto.subtle.exportKey(format, k), `${k.algorithm.name} must not export as ${format}`);
    }
  }
  const names = keys.map((k) => `${k.algorithm.name}/${(k.algorithm as RsaHashedKeyAlgorithm).hash?.name ?? ''}`).sort();
  assert.ok(names.includes('RSA-OAEP/SHA-1') && names.includes('RSA-PSS/SHA-512') && names.includes('ECDH/'));
});

test('no key material and no passphrase in any stored record', async () => {
  const pki = testPki();
  const passphrase = 'Unique passphrase 4711 ü';
  const rsa = join(pki.dir, 'ks-secret-rsa.p12');
  const ec = join(pki.dir, 'ks-secret-ec.p12');
  for (const [u, out] of [[pki.users.bob, rsa], [pki.users.erin, ec]] as const) {
    openssl(['pkcs12', '-export', '-inkey', u.keyPath, '-in', u.certPath, '-certfile', pki.intermediatePath, '-passout', `pass:${passphrase}`, '-out', out]);
  }
  const { store, factory } = await openStore();
  await store.identities.importPkcs12(file(rsa), passphrase);
  await store.identities.importPkcs12(file(ec), passphrase);
  await store.identities.unlock((await store.identities.list()).find((s) => s.addresses[0] === 'bob@example.org')!.id, passphrase);
  const { bytes, strings } = walk(await dumpDatabase(factory));
  assert.ok(bytes.length > 0);
  const secrets = [
    ...secretComponents(pki.users.bob.keyPath),
    ...secretComponents(pki.users.erin.keyPath),
    pki.users.bob.keyPkcs8,
    pki.users.erin.keyPkcs8,
    utf8(passphrase),
    new Uint8Array(Buffer.from(passphrase, 'utf16le')),
    new Uint8Array(Buffer.from(passphrase, 'utf16le').swap16()),
  ];
  for (const hay of bytes) for (const s of secrets) assert.ok(!containsBytes(hay, s), 'a stored byte array contains key material or the passphrase');
  for (const s of strings) assert.ok(!s.includes(passphrase), 'a stored string contains the passphrase');
  // The only RSA key material stored is the passphrase-protected copy: PBES2, PBKDF2-HMAC-SHA-256, at
  // least 600 000 iterations, AES-256-CBC — and OpenSSL, given the passphrase, gets Bob's key back from it.
  const locked = bytes.filter((b) => b.length > 1000 && b[0] === 0x30 && !containsBytes(b, pki.users.bob.certDer.subarray(0, 64)));
  const lockedFile = join(pki.dir, 'ks-locked.der');
  const blob = locked.find((b) => {
    writeFileSync(lockedFile, b);
    try {
      openssl(['asn1parse', '-inform', 'DER', '-in', lockedFile]);
      return openssl(['asn1parse', '-inform', 'DER', '-in', lockedFile]).toString().includes('PBES2');
    } catch {
      return false;
    }
  });
  assert.ok(blob, 'an EncryptedPrivateKeyInfo is stored for the RSA key');
  writeFileSync(lockedFile, blob);
  const parsed = openssl(['asn1parse', '-inform', 'DER', '-in', lockedFile]).toString();
  assert.match(parsed, /PBES2/);
  assert.match(parsed, /PBKDF2/);
  assert.match(parsed, /hmacWithSHA256/);
  assert.match(parsed, /aes-256-cbc/);
  const iterations = Number.parseInt(/INTEGER\s*:([0-9A-F]+)/.exec(parsed)![1]!, 16);
  assert.ok(iterations >= 600_000 && iterations === LOCKED_KEY_ITERATIONS, `iterations ${iterations}`);
  const recovered = openssl(['pkey', '-inform', 'DER', '-in', lockedFile, '-passin', `pass:${passphrase}`, '-outform', 'DER']);
  const recoveredPath = join(pki.dir, 'ks-recovered.der');
  writeFileSync(recoveredPath, recovered);
  const pem = openssl(['pkey', '-inform', 'DER', '-in', recoveredPath]);
  writeFileSync(`${recoveredPath}.pem`, pem);
  assert.deepEqual(secretComponents(`${recoveredPath}.pem`), secretComponents(pki.users.bob.keyPath));
});

test('signs as the identity: OpenSSL verifies the message against the test root', async () => {
  const pki = testPki();
  for (const name of ['alice', 'carol'] as const) {
    const { store } = await openStore();
    await store.identities.importPkcs12(file(pki.users[name].p12Path), PASS);
    const identity = (await store.signingIdentity(`${name}@example.org`))!;
    assert.ok(identity, `${name}: a signing identity for the address`);
    const signed = await protectMessage(mail(`${name}@example.org`, 'bob@example.org'), { sign: { identity }, provider });
    const path = join(pki.dir, `ks-signed-${name}.eml`);
    writeFileSync(path, signed);
    const out = openssl(['cms', '-verify', '-in', path, '-CAfile', pki.rootPath, '-purpose', 'any']).toString();
    assert.match(out, /Hello from the key store test/);
  }
});

test('decrypts RSA-OAEP with the locked key; RSAES-PKCS1-v1_5 needs the session unlock; lock forgets it', async () => {
  const pki = testPki();
  const { store } = await openStore();
  const [s] = await store.identities.importPkcs12(file(pki.users.alice.p12Path), PASS);
  const plain = join(pki.dir, 'ks-plain.eml');
  writeFileSync(plain, mail('bob@example.org', 'alice@example.org', 'A secret for Alice.'));
  const encrypt = (out: string, extra: string[]): Uint8Array => {
    openssl(['cms', '-encrypt', '-in', plain, '-out', join(pki.dir, out), '-aes-256-cbc', '-recip', pki.users.alice.certPath, ...extra]);
    return file(join(pki.dir, out));
  };
  const oaep = encrypt('ks-oaep.eml', ['-keyopt', 'rsa_padding_mode:oaep']);
  const pkcs1 = encrypt('ks-pkcs1.eml', []); // OpenSSL's default, as Thunderbird/NSS send it
  const open = async (m: Uint8Array) => openMessage(m, { anchors: [pki.rootDer], identities: await store.identities.identities() });

  const a = await open(oaep);
  assert.equal(a.verdict.layers[0]?.kind === 'encrypted' && a.verdict.layers[0].status, 'decrypted');
  assert.match(new TextDecoder().decode(a.content!), /A secret for Alice/);

  const locked = await open(pkcs1);
  assert.equal(locked.verdict.status, 'decryption-failed');
  assert.equal(locked.verdict.code, 'key-locked');
  assert.match(locked.verdict.summary, /older RSA PKCS#1 v1\.5 method/);
  assert.equal(locked.content, null);

  await rejectsWith(store.identities.unlock(s!.id, 'wrong'), 'bad-passphrase');
  await store.identities.unlock(s!.id, PASS);
  assert.equal((await store.identities.list())[0]!.pkcs1, 'unlocked');
  const unlocked = await open(pkcs1);
  assert.match(new TextDecoder().decode(unlocked.content!), /A secret for Alice/);

  await store.identities.lock(s!.id);
  assert.equal((await open(pkcs1)).verdict.code, 'key-locked');
  assert.deepEqual(await selfTest((await store.identities.get(s!.id))!, provider), {
    sign: { status: 'ok' },
    decrypt: { status: 'ok' },
    decryptPkcs1: { status: 'failed', error: { code: 'key-locked', message: 'This message uses the older RSA PKCS#1 v1.5 method, which needs your key unlocked with its passphrase for this session.' } },
  });
});

test('a file without a passphrase keeps no protected copy: PKCS#1 v1.5 says to import again', async () => {
  const pki = testPki();
  const u = pki.users.alice;
  const nopass = join(pki.dir, 'ks-nopass.p12');
  openssl(['pkcs12', '-export', '-inkey', u.keyPath, '-in', u.certPath, '-passout', 'pass:', '-out', nopass]);
  const { store, factory } = await openStore();
  const [s] = await store.identities.importPkcs12(file(nopass), '');
  assert.equal(s!.pkcs1, 'unavailable');
  const { bytes } = walk(await dumpDatabase(factory));
  for (const b of bytes) for (const secret of secretComponents(u.keyPath)) assert.ok(!containsBytes(b, secret));
  await rejectsWith(store.identities.unlock(s!.id, ''), 'usage');
  const r = await selfTest((await store.identities.get(s!.id))!, provider);
  assert.equal(r.decryptPkcs1.status === 'failed' && r.decryptPkcs1.error.code, 'key-locked');
  assert.equal(r.decrypt.status, 'ok');
});

test('keys survive closing and reopening the database (structured-cloned CryptoKeys still sign)', async () => {
  const pki = testPki();
  const first = await openStore();
  await first.store.identities.importPkcs12(file(pki.users.alice.p12Path), PASS);
  first.store.close();
  const again = await openStore({ factory: first.factory });
  const identity = (await again.store.signingIdentity('alice@example.org'))!;
  const signed = await protectMessage(mail('alice@example.org', 'bob@example.org'), { sign: { identity }, provider });
  const r = await openMessage(signed, { anchors: [pki.rootDer] });
  assert.equal(r.verdict.status, 'valid');
});

test('separate signing and encryption certificates: defaults per address, chosen and automatic', async () => {
  const signing = issue('Fran Sign', { email: 'fran@example.org', ku: 'critical,digitalSignature,nonRepudiation' });
  const encryption = issue('Fran Encrypt', { email: 'fran@example.org', ku: 'critical,keyEncipherment' });
  const renewed = issue('Fran Sign 2', { email: 'fran@example.org', ku: 'critical,digitalSignature', days: 400 });
  const { store } = await openStore();
  const [sign] = await store.identities.importPkcs12(signing.p12, PASS);
  const [enc] = await store.identities.importPkcs12(encryption.p12, PASS);
  assert.deepEqual(sign!.uses, { sign: true, encrypt: false, emailProtection: true });
  assert.equal(sign!.pkcs1, 'not-applicable');
  assert.deepEqual(enc!.uses, { sign: false, encrypt: true, emailProtection: true });
  assert.equal((await store.signingIdentity('fran@example.org'))!.id, sign!.id);
  assert.deepEqual(await store.encryptionCertificate('fran@example.org'), encryption.certDer);
  // A second signing certificate (issued later): automatic choice is the newest, unless the user chooses.
  const [sign2] = await store.identities.importPkcs12(renewed.p12, PASS);
  const newest = (await store.signingIdentity('fran@example.org'))!.id;
  assert.ok([sign!.id, sign2!.id].includes(newest));
  await store.identities.setDefault('fran@example.org', 'sign', sign!.id);
  assert.equal((await store.signingIdentity('fran@example.org'))!.id, sign!.id);
  await store.identities.setDefault('fran@example.org', 'sign', sign2!.id);
  assert.equal((await store.signingIdentity('fran@example.org'))!.id, sign2!.id);
  const list = await store.identities.list();
  assert.deepEqual(list.find((s) => s.id === sign2!.id)!.defaultFor, { sign: ['fran@example.org'], encrypt: [] });
  assert.deepEqual(list.find((s) => s.id === enc!.id)!.defaultFor, { sign: [], encrypt: ['fran@example.org'] });
  // A default that could never be used is refused.
  await rejectsWith(store.identities.setDefault('fran@example.org', 'encrypt', sign!.id), 'usage');
  await rejectsWith(store.identities.setDefault('someone@example.org', 'sign', sign!.id), 'usage');
  // Deleting the chosen default falls back to the automatic choice.
  await store.identities.remove(sign2!.id);
  assert.equal((await store.signingIdentity('fran@example.org'))!.id, sign!.id);
  assert.equal(await store.signingIdentity('nobody@example.org'), null);
});

test('look-ups asked together share one read of the identities; a default set meanwhile is seen by the next look-up', async () => {
  const signing = issue('Gil', { email: 'gil@example.org', ku: 'critical,digitalSignature,keyEncipherment' });
  const renewed = issue('Gil Sign 2', { email: 'gil@example.org', ku: 'critical,digitalSignature', days: 400 });
  const { store } = await openStore();
  const [first] = await store.identities.importPkcs12(signing.p12, PASS);
  const [second] = await store.identities.importPkcs12(renewed.p12, PASS);
  await store.identities.setDefault('gil@example.org', 'sign', first!.id);
  // Count the read transactions over the identities (fake-indexeddb's IDBDatabase, which idb wraps).
  const proto = IDBDatabase.prototype as unknown as { transaction: (names: string | string[], mode?: IDBTransactionMode) => IDBTransaction };
  const original = proto.transaction;
  let reads = 0;
  proto.transaction = function (this: IDBDatabase, names: string | string[], mode?: IDBTransactionMode): IDBTransaction {
    if ((mode ?? 'readonly') === 'readonly' && [names].flat().includes('identities')) reads++;
    return original.call(this, names, mode);
  };
  try {
    // What a send asks at once: the signing identity, the own certificate, the readiness (sender, both purposes).
    const [identity, own, ready] = await Promise.all([
      store.signingIdentity('gil@example.org'),
      store.identities.defaultFor('gil@example.org', 'encrypt'),
      store.readiness({ sender: 'gil@example.org', recipients: [], network: false }),
    ]);
    assert.equal(identity!.id, first!.id);
    assert.equal(own!.id, first!.id);
    assert.deepEqual([ready.canSign, ready.senderEncryption.ready], [true, true]);
    assert.equal(reads, 1, 'one shared read, not one per look-up');
    // A default set while an earlier look-up is under way is what the next look-up answers.
    const before = store.signingIdentity('gil@example.org');
    await store.identities.setDefault('gil@example.org', 'sign', second!.id);
    assert.equal((await store.signingIdentity('gil@example.org'))!.id, second!.id);
    await before;
    // Nothing is kept once a read has answered: each later look-up reads again.
    reads = 0;
    await store.signingIdentity('gil@example.org');
    await store.signingIdentity('gil@example.org');
    assert.equal(reads, 2);
  } finally {
    proto.transaction = original;
  }
});

test('delete removes keys and defaults; export gives the certificate as DER (.cer)', async () => {
  const pki = testPki();
  const { store, factory } = await openStore();
  const [s] = await store.identities.importPkcs12(file(pki.users.alice.p12Path), PASS);
  const cer = await store.identities.exportCertificate(s!.id);
  assert.deepEqual(cer, pki.users.alice.certDer);
  const path = join(pki.dir, 'ks-export.cer');
  writeFileSync(path, cer);
  assert.match(openssl(['x509', '-inform', 'DER', '-in', path, '-noout', '-ext', 'subjectAltName']).toString(), /alice@example\.org/);
  await store.identities.setDefault('alice@example.org', 'sign', s!.id);
  await store.identities.unlock(s!.id, PASS);
  await store.identities.remove(s!.id);
  assert.equal(store.identities.isUnlocked(s!.id), false);
  assert.deepEqual(await dumpDatabase(factory), []);
  await rejectsWith(store.identities.exportCertificate(s!.id), 'usage');
});

test('importing the same file twice keeps one identity', async () => {
  const pki = testPki();
  const { store } = await openStore();
  await store.identities.importPkcs12(file(pki.users.alice.p12Path), PASS);
  await store.identities.importPkcs12(file(pki.users.alice.p12LegacyPath), PASS);
  assert.equal((await store.identities.list()).length, 1);
});
