// Resource-exhaustion regressions (ARCHITECTURE.md rule 9: "budgets count per message, not per path"; issue 13
// findings 5-8). Each test counts the work done (signature verifications, fetches, private-key tries,
// ASN.1 nodes, key-derivation iterations) and asserts the SignetError code; none relies on wall-clock time
// except the memory measurement, which is the point of that test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { webcrypto } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { asn1NodeBudget, childrenOf, encodingOf, expectSequence, isContext, parseAsn1, parseContentInfo } from '../../src/core/asn1.js';
import { WorkBudget, unbudgetedFetch } from '../../src/core/budget.js';
import { toBase64 } from '../../src/core/bytes.js';
import { decryptContent } from '../../src/core/cms/decrypt.js';
import { encryptContent } from '../../src/core/cms/envelope.js';
import { signContent } from '../../src/core/cms/sign.js';
import { rsaesPkcs1v15Decrypt, rsaesPkcs1v15Encrypt } from '../../src/core/cms/rsaes-pkcs1-v1_5.js';
import { verifySignedData } from '../../src/core/cms/verify.js';
import { defaultLimits, resolveConfig } from '../../src/core/config.js';
import { cryptoProvider } from '../../src/core/crypto.js';
import { algorithmIdentifier, octetString, oid, sequence, tlv, unsignedInteger, integer } from '../../src/core/der.js';
import { isSignetError, type ErrorCode } from '../../src/core/errors.js';
import type { Identity, PrivateKeyHandle } from '../../src/core/keys.js';
import { OID } from '../../src/core/oids.js';
import { parsePublicKeyInfo, verifyWithPublicKey } from '../../src/core/pki/public-key.js';
import { builtinEmailRoots } from '../../src/core/pki/roots/index.js';
import { privateKeyFromPkcs8 } from '../../src/core/private-key.js';
import { assertDecryptedEntity, decryptMessage } from '../../src/core/smime/decrypt-message.js';
import { openMessage } from '../../src/core/smime/open.js';
import { loadCertificates, loadIdentities } from '../../src/keys/identity-file.js';
import { KdfWork, passphraseForms, pkcs12Kdf } from '../../src/keys/pbe.js';
import { certificatesFromPkcs7, decryptPkcs8, readPem, toPem } from '../../src/keys/pem.js';
import { countingProvider } from '../helpers/counting-provider.js';
import { parsePkcs12 } from '../../src/keys/pkcs12.js';
import { signet } from '../helpers/cli.js';
import { PASS, testPki } from '../helpers/pki.js';
import { CA_EXT, issue, leafExt, type TestCert } from '../unit/trust/helpers.js';

const provider = cryptoProvider(webcrypto as unknown as Crypto);
const pki = testPki();
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

function isCode(code: ErrorCode): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(isSignetError(e, code), `expected SignetError ${code}, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    return true;
  };
}

/** A WebCrypto whose subtle.verify calls are counted: the work a signature-check budget bounds. */

// ---------------------------------------------------------------------------------------------------------
// Many signers: one SignedData whose SignerInfos come from several single-signer signatures over the same
// content (the signed attributes of one signer do not depend on the others).

const CONTENT = enc('Content-Type: text/plain\r\n\r\nbudget test\r\n');
const root = issue('budget-root', { subject: '/CN=Budget Root', ext: CA_EXT, from: -10, to: 3650 });
const inter = issue('budget-inter', { subject: '/CN=Budget Intermediate', ext: CA_EXT, issuer: root });
const SIGNERS = 8;
const leaves: TestCert[] = [];
for (let i = 0; i < SIGNERS; i++) {
  leaves.push(
    issue(`budget-leaf-${i}`, {
      subject: `/CN=budget-leaf-${i}`,
      ext: leafExt(`signer${i}@example.org`, `authorityInfoAccess=caIssuers;URI:http://127.0.0.1:9/aia/${i}.cer\n`),
      issuer: inter,
    }),
  );
}

async function multiSignerSignedData(carry: TestCert[]): Promise<Uint8Array> {
  const parts = await Promise.all(
    leaves.map((leaf) =>
      signContent(
        CONTENT,
        { identity: { certificate: leaf.der, chain: [], privateKey: privateKeyFromPkcs8(leaf.keyPkcs8, provider) }, extraCertificates: carry.map((c) => c.der) },
        provider,
      ),
    ),
  );
  const sds = parts.map((d) => expectSequence(parseContentInfo(d, defaultLimits).content, 'SignedData'));
  const certs = new Map<string, Uint8Array>();
  for (const f of sds) for (const n of f.filter((x) => isContext(x, 0))) for (const c of childrenOf(n)) certs.set(toBase64(encodingOf(c)), encodingOf(c));
  const signerInfos = sds.flatMap((f) => childrenOf(f[f.length - 1]).map(encodingOf));
  const first = sds[0]!;
  const sd = sequence(encodingOf(first[0]!), encodingOf(first[1]!), encodingOf(first[2]!), tlv(0xa0, ...certs.values()), tlv(0x31, ...signerInfos));
  return sequence(oid(OID.signedData), tlv(0xa0, sd));
}

function multipartSigned(signature: Uint8Array): Uint8Array {
  const b = 'budget-boundary';
  const text =
    `From: signer0@example.org\r\nTo: bob@example.org\r\nSubject: budgets\r\nMIME-Version: 1.0\r\n` +
    `Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="${b}"\r\n\r\n` +
    `--${b}\r\n${new TextDecoder().decode(CONTENT)}\r\n--${b}\r\n` +
    `Content-Type: application/pkcs7-signature; name=smime.p7s\r\nContent-Transfer-Encoding: base64\r\n\r\n${toBase64(signature, 76)}\r\n--${b}--\r\n`;
  return enc(text);
}

test('signature checks are budgeted per message: all signers and all chain links of all paths draw on one count', async () => {
  const der = await multiSignerSignedData([inter]);
  // Within the default budget every signer verifies.
  const ok = countingProvider();
  const r = await verifySignedData(der, { detachedContent: CONTENT, anchors: [root.der], config: resolveConfig() }, ok.provider);
  assert.equal(r.signers.length, SIGNERS);
  assert.deepEqual(new Set(r.signers.map((s) => s.status)), new Set(['valid']));
  // 8 × (1 signature + 2 links) = 24 checks, of which WebCrypto answers 17: the intermediate's link to the root
  // is the same bytes for every signer, and a verification already answered is not made again
  // (pki/public-key.ts) — while every check still counts against the budget, as the next case shows.
  assert.equal(ok.calls.verify, SIGNERS * 2 + 1);

  // Every check draws on the budget, answered from memory or not: with all 24 already answered, a budget of 10
  // still refuses the message.
  const warm = ok.calls.verify;
  await assert.rejects(
    verifySignedData(der, { detachedContent: CONTENT, anchors: [root.der], config: resolveConfig({ limits: { maxSignatureChecks: 10 } }) }, ok.provider),
    isCode('budget-exceeded'),
  );
  assert.equal(ok.calls.verify, warm, 'no new verification was needed');

  // A budget below what the signers need: refused with the code, after at most the budgeted checks.
  const limited = countingProvider();
  const config = resolveConfig({ limits: { maxSignatureChecks: 10 } });
  await assert.rejects(verifySignedData(der, { detachedContent: CONTENT, anchors: [root.der], config }, limited.provider), isCode('budget-exceeded'));
  assert.ok(limited.calls.verify <= 10, `${limited.calls.verify} signature verifications for a budget of 10`);

  // openMessage creates the budget once for the whole message: the verdict carries the code.
  const counted = countingProvider();
  const { verdict, content } = await openMessage(multipartSigned(der), { anchors: [root.der], provider: counted.provider, config: { limits: { maxSignatureChecks: 10 } } });
  assert.equal(verdict.code, 'budget-exceeded');
  assert.equal(verdict.status, 'malformed');
  assert.equal(content, null);
  assert.ok(counted.calls.verify <= 10);
});

test('network fetches are budgeted per message and shared: N signers with their own AIA URLs make at most maxNetworkFetches requests', async () => {
  const der = await multiSignerSignedData([]); // no intermediate: every signer's path needs AIA
  const calls: string[] = [];
  const notFound = (async (input: RequestInfo | URL) => {
    calls.push(String(input));
    return new Response(null, { status: 404 });
  }) as typeof fetch;
  const r = await verifySignedData(der, { detachedContent: CONTENT, anchors: [root.der], config: resolveConfig({ limits: { maxNetworkFetches: 3 } }), fetch: notFound }, provider);
  assert.equal(r.signers.length, SIGNERS);
  assert.deepEqual(new Set(r.signers.map((s) => s.code)), new Set(['no-path']));
  assert.equal(calls.length, 3, `fetched ${calls.join(', ')}`);

  // Through openMessage (revocation and AIA share the message's wrapped fetch), same bound.
  calls.length = 0;
  const notFound2 = (async (input: RequestInfo | URL) => {
    calls.push(String(input));
    return new Response(null, { status: 404 });
  }) as typeof fetch;
  const { verdict } = await openMessage(multipartSigned(der), { anchors: [root.der], provider, fetch: notFound2, config: { limits: { maxNetworkFetches: 3 } } });
  assert.equal(verdict.signers.length, SIGNERS);
  assert.equal(calls.length, 3);
});

test('network time is budgeted per message: a tarpit is aborted at the deadline and later requests are refused', async () => {
  const der = await multiSignerSignedData([]);
  const calls: string[] = [];
  let aborted = 0;
  const tarpit = ((input: RequestInfo | URL, init?: RequestInit) => {
    calls.push(String(input));
    return new Promise<Response>((_resolve, reject) => {
      init?.signal?.addEventListener('abort', () => {
        aborted++;
        reject(new Error('aborted'));
      });
    });
  }) as typeof fetch;
  const r = await verifySignedData(der, { detachedContent: CONTENT, anchors: [root.der], config: resolveConfig({ limits: { maxNetworkMs: 200 } }), fetch: tarpit }, provider);
  assert.equal(r.signers.length, SIGNERS);
  assert.deepEqual(new Set(r.signers.map((s) => s.code)), new Set(['no-path']));
  // One request hangs until the message's network time is spent; every later one is refused unsent.
  assert.equal(calls.length, 1);
  assert.equal(aborted, 1);
});

test('WorkBudget: fetches through every wrapper share one count; the error names the budget; the original fetch stays reachable', async () => {
  const budget = new WorkBudget({ ...defaultLimits, maxNetworkFetches: 2 });
  const inner = (async () => new Response('x')) as typeof fetch;
  const aia = budget.wrapFetch(inner);
  const ocsp = budget.wrapFetch(inner);
  assert.equal(unbudgetedFetch(aia), inner);
  assert.equal(unbudgetedFetch(budget.wrapFetch(aia)), inner);
  await aia('http://127.0.0.1:9/a');
  await ocsp('http://127.0.0.1:9/b');
  await assert.rejects(ocsp('http://127.0.0.1:9/c'), isCode('budget-exceeded'));
  assert.equal(budget.used.networkFetches, 2);
  assert.equal(budget.exceeded, 'network-fetches');

  const checks = new WorkBudget({ ...defaultLimits, maxSignatureChecks: 1, maxRecipientTries: 1 });
  checks.chargeSignatureCheck();
  assert.throws(() => checks.chargeSignatureCheck(), isCode('budget-exceeded'));
  checks.chargeRecipientTry();
  assert.throws(() => checks.chargeRecipientTry(), isCode('budget-exceeded'));
});

// ---------------------------------------------------------------------------------------------------------
// RSA public exponent and modulus bounds.

function rsaSpki(modulusBits: number, exponent: Uint8Array): Uint8Array {
  const n = new Uint8Array(modulusBits / 8);
  webcrypto.getRandomValues(n);
  n[0]! |= 0x80;
  n[n.length - 1]! |= 1;
  const key = sequence(unsignedInteger(n), unsignedInteger(exponent));
  return sequence(algorithmIdentifier(OID.rsaEncryption, 'null'), tlv(0x03, Uint8Array.of(0), key));
}

test('RSA keys beyond the exponent or modulus bound are unusable: no verification and no encryption is attempted', async () => {
  const hugeE = new Uint8Array(1250).fill(0xff); // a 10 000-bit odd exponent
  const cases: [string, Uint8Array, boolean][] = [
    ['e = 65537, 2048-bit modulus', rsaSpki(2048, Uint8Array.of(1, 0, 1)), true],
    ['e of 10 000 bits', rsaSpki(2048, hugeE), false],
    ['e = 2^32 + 1 (33 bits)', rsaSpki(2048, Uint8Array.of(1, 0, 0, 0, 1)), false],
    ['even e', rsaSpki(2048, Uint8Array.of(1, 0, 0)), false],
    ['modulus of 16 392 bits', rsaSpki(16392, Uint8Array.of(1, 0, 1)), false],
  ];
  for (const [name, spki, usable] of cases) {
    const info = parsePublicKeyInfo(parseAsn1(spki, defaultLimits), defaultLimits);
    assert.equal(info.unusable === undefined, usable, name);
    if (usable) continue;
    const counted = countingProvider();
    await assert.rejects(
      verifyWithPublicKey(info, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, CONTENT, new Uint8Array(256), counted.provider),
      isCode('unsupported-algorithm'),
      name,
    );
    assert.equal(counted.calls.verify, 0, name);
    assert.throws(() => rsaesPkcs1v15Encrypt(spki, new Uint8Array(32), webcrypto as unknown as Crypto), isCode('unsupported-algorithm'), name);
  }
});

test('an RSA private key with a huge public exponent is refused before any blinding arithmetic', async () => {
  // A consistent toy CRT key (n = 3 × 5) with a 10 000-bit exponent: only the exponent is wrong.
  const int = (n: number): Uint8Array => integer(n);
  const rsaPrivateKey = sequence(int(0), int(15), unsignedInteger(new Uint8Array(1250).fill(0xff)), int(1), int(3), int(5), int(1), int(1), int(2));
  const pkcs8 = sequence(int(0), algorithmIdentifier(OID.rsaEncryption, 'null'), octetString(rsaPrivateKey));
  await assert.rejects(rsaesPkcs1v15Decrypt(pkcs8, new Uint8Array(1)), isCode('unsupported-algorithm'));
});

// ---------------------------------------------------------------------------------------------------------
// RecipientInfos: tried at most once per identity; implicit rejection never shows garbage.

async function alice(): Promise<Identity> {
  return (await loadIdentities(new Uint8Array(readFileSync(pki.users.alice.p12Path)), PASS, provider))[0]!;
}

function countingIdentity(id: Identity): { identity: Identity; tries: () => number } {
  let n = 0;
  const key: PrivateKeyHandle = {
    type: id.privateKey.type,
    bits: id.privateKey.bits,
    sign: (s, d) => id.privateKey.sign(s, d),
    deriveEcdhSecret: (p) => id.privateKey.deriveEcdhSecret(p),
    decryptKeyTransport: (s, k) => {
      n++;
      return id.privateKey.decryptKeyTransport(s, k);
    },
  };
  return { identity: { ...id, privateKey: key }, tries: () => n };
}

/** The EnvelopedData of `der` with `junk` KTRIs (our identifier, random encryptedKey) before the real ones. */
function withJunkRecipients(der: Uint8Array, junk: number): Uint8Array {
  const f = expectSequence(parseContentInfo(der, defaultLimits).content, 'EnvelopedData');
  const real = childrenOf(f[1]);
  const k = expectSequence(real[0], 'KTRI');
  const junkKtris: Uint8Array[] = [];
  for (let i = 0; i < junk; i++) {
    const ek = new Uint8Array(256);
    webcrypto.getRandomValues(ek);
    junkKtris.push(sequence(encodingOf(k[0]!), encodingOf(k[1]!), encodingOf(k[2]!), octetString(ek)));
  }
  const ed = sequence(encodingOf(f[0]!), tlv(0x31, ...junkKtris, ...real.map(encodingOf)), ...f.slice(2).map(encodingOf));
  return sequence(oid(OID.envelopedData), tlv(0xa0, ed));
}

function envelopedMessage(der: Uint8Array): Uint8Array {
  return enc(
    'From: bob@example.org\r\nTo: alice@example.org\r\nSubject: junk\r\nMIME-Version: 1.0\r\n' +
      'Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\r\nContent-Transfer-Encoding: base64\r\n\r\n' +
      toBase64(der, 76) +
      '\r\n',
  );
}

test('3 000 junk KeyTransRecipientInfos naming our certificate cost one private-key try and never yield content', async () => {
  const id = await alice();
  const real = await encryptContent(enc('Content-Type: text/plain\r\n\r\nsecret\r\n'), { recipients: [pki.users.alice.certDer], rsaKeyTransport: 'pkcs1', cipher: 'aes-256-cbc' }, provider);
  const der = withJunkRecipients(real, 3000);

  const direct = countingIdentity(id);
  await assert.rejects(decryptContent(der, [direct.identity], provider), (e: unknown) => isSignetError(e) && (e.code === 'decryption-failed'));
  assert.equal(direct.tries(), 1, 'one identity, one try, however many RecipientInfos name it');

  const opened = countingIdentity(id);
  const { verdict, content } = await openMessage(envelopedMessage(der), { anchors: [], identities: [opened.identity], provider });
  assert.equal(verdict.status, 'decryption-failed');
  assert.equal(content, null);
  assert.equal(opened.tries(), 1);

  // Control: without the junk the same message opens.
  const { verdict: good } = await openMessage(envelopedMessage(real), { anchors: [], identities: [id], provider });
  assert.equal(good.status, 'unsigned');
});

test('the recipient budget caps private-key tries over all identities of a message', async () => {
  const id = await alice();
  const real = await encryptContent(enc('Content-Type: text/plain\r\n\r\nsecret\r\n'), { recipients: [pki.users.alice.certDer], rsaKeyTransport: 'pkcs1', cipher: 'aes-256-cbc' }, provider);
  const der = withJunkRecipients(real, 1);
  // Three handles for the same certificate (e.g. the key imported three times): only maxRecipientTries tries.
  const ids = [countingIdentity(id), countingIdentity(id), countingIdentity(id)];
  await assert.rejects(
    decryptContent(der, ids.map((x) => x.identity), provider, { maxRecipientTries: 2 }),
    (e: unknown) => isSignetError(e) && (e.code === 'budget-exceeded' || e.code === 'decryption-failed'),
  );
  assert.equal(ids.reduce((n, x) => n + x.tries(), 0), 2);
});

test('content that decrypts to random bytes (a wrong or implicit-rejection key over CBC) is "cannot decrypt", never unsigned content', async () => {
  const id = await alice();
  const random = new Uint8Array(4096);
  webcrypto.getRandomValues(random);
  random[0] = 0x80; // not text either
  const der = await encryptContent(random, { recipients: [pki.users.alice.certDer], rsaKeyTransport: 'pkcs1', cipher: 'aes-256-cbc' }, provider);
  const { verdict, content } = await openMessage(envelopedMessage(der), { anchors: [], identities: [id], provider });
  assert.equal(verdict.status, 'decryption-failed');
  assert.equal(verdict.code, 'decryption-failed');
  assert.equal(content, null);

  // `signet decrypt` (decryptMessage) refuses it the same way: nothing is written.
  await assert.rejects(decryptMessage(envelopedMessage(der), [id], provider), isCode('decryption-failed'));

  // The check itself, on many random plaintexts of the sizes a one-block or longer CBC message leaves.
  let accepted = 0;
  for (let i = 0; i < 20_000; i++) {
    const b = new Uint8Array(15 + (i % 64));
    webcrypto.getRandomValues(b);
    try {
      assertDecryptedEntity(b, defaultLimits);
      accepted++;
    } catch (e) {
      assert.ok(isSignetError(e, 'decryption-failed'));
    }
  }
  assert.equal(accepted, 0);
  // Real content passes: a MIME entity, a header-only entity, and bare text as Thunderbird's interop samples carry.
  for (const ok of ['Content-Type: text/plain\r\n\r\nhi\r\n', 'Content-Type: text/plain;\r\n charset=utf-8\n\nhi', 'MIME-Version: 1.0\r\n', 'This is a test message to Fran.\n', 'Grüße\r\n']) {
    assert.doesNotThrow(() => assertDecryptedEntity(enc(ok), defaultLimits), ok);
  }
});

// ---------------------------------------------------------------------------------------------------------
// ASN.1 nodes scale with the input, and memory with them.

test('ASN.1 node budget scales with input size: a 1 MB node bomb is refused within a few hundred MB', () => {
  const MB = 1024 * 1024;
  assert.equal(asn1NodeBudget(MB, defaultLimits), Math.floor(MB / defaultLimits.asn1BytesPerNode) + defaultLimits.asn1NodeAllowance);
  assert.ok(asn1NodeBudget(MB, defaultLimits) < defaultLimits.maxAsn1Nodes);
  assert.equal(asn1NodeBudget(1024 * MB, defaultLimits), defaultLimits.maxAsn1Nodes, 'the hard ceiling still applies');
  // 1 MB of two-byte NULLs inside one SEQUENCE: ~524 000 elements.
  const body = new Uint8Array(MB - 6);
  for (let i = 0; i < body.length; i += 2) body[i] = 0x05;
  const bomb = new Uint8Array(MB);
  bomb.set([0x30, 0x84, (body.length >>> 24) & 0xff, (body.length >>> 16) & 0xff, (body.length >>> 8) & 0xff, body.length & 0xff]);
  bomb.set(body, 6);

  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  gc();
  const before = process.memoryUsage().heapUsed;
  let peak = before;
  assert.throws(
    () => {
      try {
        parseAsn1(bomb, defaultLimits);
      } finally {
        peak = Math.max(peak, process.memoryUsage().heapUsed);
      }
    },
    isCode('limit-exceeded'),
  );
  const grownMb = (peak - before) / MB;
  assert.ok(grownMb < 320, `parsing a 1 MB node bomb grew the heap by ${grownMb.toFixed(0)} MB`);
  gc();

  // Real structures stay below the ratio without the allowance: a certificate, a PKCS#12 file, and a
  // PKCS#7 bundle of every built-in Mozilla e-mail root (~110 certificates parsed as one structure).
  const rootsPem = join(pki.dir, 'budgets-mozilla-roots.pem');
  writeFileSync(rootsPem, builtinEmailRoots().map((d) => toPem('CERTIFICATE', d)).join(''));
  const bundle = new Uint8Array(execFileSync('openssl', ['crl2pkcs7', '-nocrl', '-certfile', rootsPem, '-outform', 'DER']));
  for (const der of [pki.users.alice.certDer, new Uint8Array(readFileSync(pki.users.alice.p12Path)), bundle]) {
    assert.doesNotThrow(() => parseAsn1(der, { ...defaultLimits, asn1NodeAllowance: 0 }, { allowTrailingData: true }));
  }
  assert.ok(loadCertificates(bundle).length > 100);
});

// ---------------------------------------------------------------------------------------------------------
// Key and certificate files: every malformed shape is a coded error (never a TypeError), exit 2 in the CLI.

const CONSTRUCTED_STRING = Uint8Array.of(0x2c, 0x00); // constructed UTF8String, empty
const SHAPES: [string, Uint8Array][] = [
  ['a bare constructed string', CONSTRUCTED_STRING],
  ['a SEQUENCE holding a constructed string', tlv(0x30, CONSTRUCTED_STRING)],
  ['nested SEQUENCEs ending in a constructed string', tlv(0x30, tlv(0x30, tlv(0x30, CONSTRUCTED_STRING)))],
  ['a certificate-shaped SEQUENCE with a constructed string as tbs', tlv(0x30, tlv(0x30, CONSTRUCTED_STRING), tlv(0x30), Uint8Array.of(3, 1, 0))],
  ['a constructed PrintableString with a child', Uint8Array.of(0x33, 0x03, 0x13, 0x01, 0x41)],
  ['an empty SEQUENCE', Uint8Array.of(0x30, 0x00)],
  ['a truncated SEQUENCE', Uint8Array.of(0x30, 0x05, 0x02)],
];

function certBag(der: Uint8Array): Uint8Array {
  return sequence(oid('1.2.840.113549.1.12.10.1.3'), tlv(0xa0, sequence(oid('1.2.840.113549.1.9.22.1'), tlv(0xa0, octetString(der)))));
}

/** PFX without MAC, version 3, id-data authSafe holding `safeContents` in one id-data ContentInfo. */
function pfxWith(safeContents: Uint8Array): Uint8Array {
  const data = (inner: Uint8Array): Uint8Array => sequence(oid('1.2.840.113549.1.7.1'), tlv(0xa0, octetString(inner)));
  return sequence(integer(3), data(sequence(data(safeContents))));
}

const KEY_FILE_CODES = new Set<ErrorCode>(['malformed-asn1', 'damaged-file', 'not-pkcs12', 'missing-certificate', 'no-private-key', 'no-certificate', 'malformed-pem', 'bad-passphrase']);

/** Either succeeds (a reader that defers validation to the next step) or fails with a SignetError. */
async function neverUncoded(what: string, p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (e) {
    assert.ok(isSignetError(e), `${what}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)} is not a SignetError`);
  }
}
async function codedFailure(what: string, p: Promise<unknown> | (() => unknown)): Promise<ErrorCode> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    assert.ok(isSignetError(e), `${what}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)} is not a SignetError`);
    assert.ok(KEY_FILE_CODES.has(e.code), `${what}: unexpected code ${e.code}`);
    return e.code;
  }
  assert.fail(`${what}: accepted`);
}

test('every key-file and certificate-file reader returns a coded error for constructed strings and other malformed shapes', async () => {
  const cert = pki.users.alice.certDer;
  for (const [name, shape] of SHAPES) {
    // DER certificate / PKCS#7 bundle (`encrypt --to`, `verify --trust`)
    await codedFailure(`loadCertificates(DER ${name})`, () => loadCertificates(shape));
    await codedFailure(`loadCertificates(base64 ${name})`, () => loadCertificates(enc(toBase64(shape))));
    await codedFailure(`certificatesFromPkcs7(${name})`, () => certificatesFromPkcs7(shape));
    // PEM: certificate, PKCS7 bundle, plain, encrypted and traditional private keys
    for (const label of ['CERTIFICATE', 'PKCS7', 'TRUSTED CERTIFICATE']) {
      await codedFailure(`loadCertificates(PEM ${label} ${name})`, () => loadCertificates(enc(toPem(label, shape))));
    }
    for (const label of ['PRIVATE KEY', 'ENCRYPTED PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'PKCS7']) {
      const pem = enc(toPem(label, shape) + toPem('CERTIFICATE', cert));
      await codedFailure(`loadIdentities(PEM ${label} ${name})`, loadIdentities(pem, PASS, provider));
      await neverUncoded(`readPem(${label} ${name})`, readPem(pem, PASS, provider));
    }
    // PBE / PKCS#8: the shape as the whole EncryptedPrivateKeyInfo and as its algorithm
    await codedFailure(`decryptPkcs8(${name})`, decryptPkcs8(shape, PASS, provider));
    assert.equal(
      await codedFailure(`decryptPkcs8(algorithm ${name})`, decryptPkcs8(sequence(shape, octetString(new Uint8Array(16))), PASS, provider)),
      'malformed-asn1',
    );
    // PKCS#12: the whole file, and the shape as a bag value, an encrypted key bag, a cert bag, bag attributes
    await codedFailure(`loadIdentities(DER ${name})`, loadIdentities(shape, PASS, provider));
    for (const [bag, inner] of [
      ['keyBag', sequence(oid('1.2.840.113549.1.12.10.1.1'), tlv(0xa0, shape))],
      ['pkcs8ShroudedKeyBag', sequence(oid('1.2.840.113549.1.12.10.1.2'), tlv(0xa0, shape))],
      ['certBag', sequence(oid('1.2.840.113549.1.12.10.1.3'), tlv(0xa0, shape))],
      ['certBag value', sequence(oid('1.2.840.113549.1.12.10.1.3'), tlv(0xa0, sequence(oid('1.2.840.113549.1.9.22.1'), tlv(0xa0, shape))))],
      ['safeContentsBag', sequence(oid('1.2.840.113549.1.12.10.1.6'), tlv(0xa0, shape))],
      ['bagAttributes', sequence(oid('1.2.840.113549.1.12.10.1.1'), tlv(0xa0, encodingOf(parseAsn1(pki.users.alice.keyPkcs8, defaultLimits))), tlv(0x31, shape))],
    ] as const) {
      const p12 = pfxWith(sequence(inner, certBag(cert)));
      await neverUncoded(`parsePkcs12(${bag} = ${name})`, parsePkcs12(p12, PASS, provider));
      await codedFailure(`loadIdentities(PKCS#12 ${bag} = ${name})`, loadIdentities(p12, PASS, provider));
    }
  }
});

test('CLI: sign/decrypt --identity, encrypt --to and verify --trust with malformed key or certificate files exit 2 with a code', () => {
  const bad = join(pki.dir, 'budgets-constructed-string.der');
  writeFileSync(bad, tlv(0x30, tlv(0x30, CONSTRUCTED_STRING)));
  const badPem = join(pki.dir, 'budgets-constructed-string.pem');
  writeFileSync(badPem, toPem('PRIVATE KEY', CONSTRUCTED_STRING) + readFileSync(pki.users.alice.certPath, 'utf8'));
  const badP7 = join(pki.dir, 'budgets-constructed-string-p7.pem');
  writeFileSync(badP7, toPem('PKCS7', tlv(0x30, oid(OID.signedData), tlv(0xa0, CONSTRUCTED_STRING))));
  const msg = 'From: a@example.org\r\nSubject: x\r\nContent-Type: text/plain\r\n\r\nhi\r\n';
  const runs: [string, string[]][] = [
    ['sign --identity (DER)', ['sign', '--identity', bad, '--pass', PASS]],
    ['sign --identity (PEM)', ['sign', '--identity', badPem]],
    ['decrypt --identity (PEM)', ['decrypt', '--identity', badPem]],
    ['encrypt --to (DER)', ['encrypt', '--to', bad]],
    ['encrypt --to (PKCS7 PEM)', ['encrypt', '--to', badP7]],
    ['verify --trust (DER)', ['verify', '--trust', bad, '--offline']],
    ['verify --trust (PKCS7 PEM)', ['verify', '--trust', badP7, '--offline']],
  ];
  for (const [name, args] of runs) {
    const r = signet(args, msg);
    assert.equal(r.status, 2, `${name}: exit ${r.status}, ${r.stderr}`);
    assert.match(r.stderr, /\[(malformed-asn1|damaged-file|not-pkcs12|missing-certificate)\]/, name);
    assert.doesNotMatch(r.stderr, /\[internal\]|is not a function/, name);
  }
});

// ---------------------------------------------------------------------------------------------------------
// PKCS#12 / PBE key derivation: synchronous, and bounded per file.

function openssl(args: string[]): void {
  execFileSync('openssl', args, { cwd: pki.dir, stdio: ['ignore', 'pipe', 'pipe'] });
}

test('PKCS#12 at the iteration cap: a 1 000 000-iteration MAC file loads; the same with legacy 3DES bags is refused by the per-file budget', async () => {
  const u = pki.users.alice;
  const modern = join(pki.dir, 'budgets-1m.p12');
  const legacy = join(pki.dir, 'budgets-1m-legacy.p12');
  openssl(['pkcs12', '-export', '-inkey', u.keyPath, '-in', u.certPath, '-passout', `pass:${PASS}`, '-iter', '1000000', '-maciter', '-out', modern]);
  openssl([
    'pkcs12', '-export', '-inkey', u.keyPath, '-in', u.certPath, '-passout', `pass:${PASS}`, '-iter', '1000000', '-maciter',
    '-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1', '-out', legacy,
  ]);
  let started = performance.now();
  const ids = await loadIdentities(new Uint8Array(readFileSync(modern)), PASS, provider);
  console.log(`# 1M-iteration PKCS#12 (PBES2 bags, App. B MAC) loaded in ${(performance.now() - started).toFixed(0)} ms`);
  assert.equal(ids.length, 1);
  assert.deepEqual(ids[0]!.certificate, u.certDer);
  started = performance.now();
  // MAC (1 000 000) + 3DES certificate bag (3 × 1 000 000) > maxPkcs12KdfIterationsPerFile: refused before the bag's hashing.
  await assert.rejects(loadIdentities(new Uint8Array(readFileSync(legacy)), PASS, provider), isCode('limit-exceeded'));
  console.log(`# 1M-iteration legacy 3DES PKCS#12 refused in ${(performance.now() - started).toFixed(0)} ms`);

  // The App. B derivation charges iterations × output blocks: a 24-byte 3DES key is two SHA-1 chains.
  const work = new KdfWork();
  await pkcs12Kdf(provider, 'SHA-1', passphraseForms(PASS)[0]!.bmp, new Uint8Array(8), 1, 1000, 24, work);
  assert.equal(work.used, 2000);
  // Beyond the per-file budget: refused before any hashing.
  const small = new KdfWork(1500);
  await assert.rejects(pkcs12Kdf(provider, 'SHA-1', new Uint8Array(2), new Uint8Array(8), 1, 1000, 24, small), isCode('limit-exceeded'));
  assert.equal(small.used, 0);
});

test('PKCS#12 beyond the per-derivation cap is refused at once: 1 000 001 iterations', async () => {
  const u = pki.users.alice;
  const over = join(pki.dir, 'budgets-over-cap.p12');
  openssl(['pkcs12', '-export', '-inkey', u.keyPath, '-in', u.certPath, '-passout', `pass:${PASS}`, '-iter', '1000001', '-maciter', '-out', over]);
  await assert.rejects(loadIdentities(new Uint8Array(readFileSync(over)), PASS, provider), isCode('limit-exceeded'));
  // A per-file budget smaller than one derivation refuses it outright, before hashing.
  const work = new KdfWork(999_999);
  await assert.rejects(pkcs12Kdf(provider, 'SHA-1', new Uint8Array(2), new Uint8Array(8), 3, 1_000_000, 20, work), isCode('limit-exceeded'));
  assert.equal(work.used, 0);
});
