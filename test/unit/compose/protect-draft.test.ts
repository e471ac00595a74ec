// Draft → protected message (src/compose/protect-draft.ts), judged by OpenSSL (`openssl cms -verify` /
// `-decrypt`) and by Signet's own reader: sign, encrypt, sign+encrypt with the sender always a recipient,
// Bcc recipients able to decrypt but absent from what recipients receive, the policy's cipher choice, the
// sender's OAEP RecipientInfo, and every refusal (missing certificates by name, no signing key, too large)
// happening before any crypto.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { latin1 } from '../../../src/core/bytes.js';
import { cryptoProvider, type CryptoProvider } from '../../../src/core/crypto.js';
import { isSignetError } from '../../../src/core/errors.js';
import type { Identity } from '../../../src/core/keys.js';
import { openMessage } from '../../../src/core/smime/open.js';
import { loadIdentities } from '../../../src/keys/identity-file.js';
import { carriesAuthEnvelopedData, protectDraft, RecipientsNotReadyError, startKeyLookups } from '../../../src/compose/protect-draft.js';
import { staticServices, type ComposeServices } from '../../../src/compose/services.js';
import { GRAPH_MAX_MESSAGE_BYTES, type SizeLimit } from '../../../src/compose/size.js';
import { sendProtected } from '../../../src/compose/send.js';
import { testPki, PASS, type UserName } from '../../helpers/pki.js';
import { draft } from '../../helpers/drafts.js';

const pki = testPki();
const GRAPH: SizeLimit = { transport: 'graph', maxMessageBytes: GRAPH_MAX_MESSAGE_BYTES };
const NOW = new Date();

const identities = new Map<UserName, Identity>();
async function identity(who: UserName): Promise<Identity> {
  let id = identities.get(who);
  if (!id) {
    [id] = await loadIdentities(readFileSync(pki.users[who].p12Path), PASS, cryptoProvider());
    identities.set(who, id!);
  }
  return id!;
}

async function services(opts: { signers?: UserName[]; certs?: UserName[]; ownKeyTransport?: 'oaep' | 'pkcs1' | null; capabilities?: string[] } = {}): Promise<ComposeServices> {
  const ids = await Promise.all((opts.signers ?? ['alice']).map(identity));
  const certificates = new Map((opts.certs ?? []).map((u) => [pki.users[u].email!, { certificate: pki.users[u].certDer, capabilities: opts.capabilities ?? null }]));
  return staticServices({ identities: ids, certificates, ownKeyTransport: opts.ownKeyTransport ?? null });
}

function openssl(args: string[], input: Uint8Array): { status: number; stdout: string; stderr: string } {
  const r = spawnSync('openssl', args, { input: Buffer.from(input), maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status ?? -1, stdout: r.stdout.toString('latin1'), stderr: r.stderr.toString() };
}

function decryptAs(who: UserName, message: Uint8Array): { status: number; stdout: string; stderr: string } {
  return openssl(['cms', '-decrypt', '-recip', pki.users[who].certPath, '-inkey', pki.users[who].keyPath], message);
}

function verify(message: Uint8Array): { status: number; stdout: string; stderr: string } {
  return openssl(['cms', '-verify', '-CAfile', pki.rootPath], message);
}

/** A crypto provider that fails the test if anything is signed, encrypted or even hashed. */
const noCrypto: CryptoProvider = new Proxy({} as CryptoProvider, {
  get() {
    throw new Error('crypto was used before the refusal');
  },
});

test('sign only: openssl cms -verify accepts the message and the Bcc-carrying submission; Bcc is not in what recipients get', async () => {
  const d = draft({ bcc: [{ name: 'Carol', address: 'carol@example.org' }] });
  const out = await protectDraft({ draft: d, protection: { sign: true, encrypt: false }, services: await services(), limit: GRAPH, build: { now: NOW } });
  const v = verify(out.message);
  assert.equal(v.status, 0, v.stderr);
  assert.match(v.stdout, /the numbers: 42\./);
  assert.equal(verify(out.submission).status, 0);
  assert.doesNotMatch(latin1(out.message), /carol@example\.org/);
  assert.match(latin1(out.submission), /^Bcc: Carol <carol@example\.org>\r\nDate: /);
  assert.equal(out.cipher, null);
  assert.deepEqual(out.encryptedTo, []);
  // Signet's own reader agrees, and binds the signature to the From address.
  const { verdict } = await openMessage(out.message, { anchors: [pki.rootDer], offline: true });
  assert.equal(verdict.status, 'valid');
  assert.equal(verdict.signer?.email, 'alice@example.org');
});

test('sign and encrypt: To, Cc, Bcc recipients and the sender can each decrypt with openssl; the inner signature verifies', async () => {
  const d = draft({
    cc: [{ name: 'Dave', address: 'dave@example.org' }],
    bcc: [{ name: 'Carol', address: 'carol@example.org' }],
    html: '<p>Secret <b>plan</b></p>',
    text: 'Secret plan',
  });
  const out = await protectDraft({ draft: d, protection: { sign: true, encrypt: true }, services: await services({ certs: ['bob', 'carol', 'dave'] }), limit: GRAPH, build: { now: NOW } });
  assert.deepEqual(out.encryptedTo, ['alice@example.org', 'bob@example.org', 'dave@example.org', 'carol@example.org']);
  assert.equal(out.cipher, 'aes-256-cbc');
  const text = latin1(out.message);
  assert.match(text, /Content-Type: application\/pkcs7-mime; smime-type=enveloped-data/);
  assert.doesNotMatch(text, /Secret|plan/);
  assert.doesNotMatch(text, /carol@example\.org/);
  for (const who of ['alice', 'bob', 'carol', 'dave'] as UserName[]) {
    const dec = decryptAs(who, out.message);
    assert.equal(dec.status, 0, `${who}: ${dec.stderr}`);
    assert.match(dec.stdout, /multipart\/signed/);
    const v = verify(Buffer.from(dec.stdout, 'latin1'));
    assert.equal(v.status, 0, v.stderr);
    assert.match(v.stdout, /Secret <b>plan<\/b>/);
  }
  // The submission is the same message with a Bcc field in front: still decryptable.
  assert.equal(decryptAs('carol', out.submission).status, 0);
  const bob = await identity('bob');
  const { verdict } = await openMessage(out.message, { anchors: [pki.rootDer], identities: [bob], offline: true });
  assert.equal(verdict.status, 'valid');
  assert.ok(verdict.layers.some((l) => l.kind === 'encrypted' && l.status === 'decrypted'));
});

test('encrypt only, with the sender known only by an encryption certificate that uses RSA-OAEP', async () => {
  const out = await protectDraft({
    draft: draft(),
    protection: { sign: false, encrypt: true },
    services: await services({ signers: ['alice'], certs: ['bob'], ownKeyTransport: 'oaep' }),
    limit: GRAPH,
  });
  assert.equal(decryptAs('alice', out.message).status, 0);
  const dec = decryptAs('bob', out.message);
  assert.equal(dec.status, 0, dec.stderr);
  assert.match(dec.stdout, /the numbers: 42\./);
  assert.doesNotMatch(dec.stdout, /multipart\/signed/);
  // The sender's RecipientInfo is RSAES-OAEP (OID 1.2.840.113549.1.1.7), Bob's PKCS#1 v1.5.
  const der = Buffer.from(latin1(out.message).split('\r\n\r\n').slice(1).join('').replace(/\s+/g, ''), 'base64');
  assert.ok(der.includes(Buffer.from('06092a864886f70d010107', 'hex')), 'an RSAES-OAEP RecipientInfo');
  assert.ok(der.includes(Buffer.from('06092a864886f70d010101', 'hex')), 'an rsaEncryption RecipientInfo');
});

const EWS: SizeLimit = { transport: 'ews', maxMessageBytes: 10 * 1024 * 1024 };

test('the policy cipher list wins: AES-256-GCM gives AuthEnvelopedData that openssl decrypts (EWS)', async () => {
  const out = await protectDraft({
    draft: draft(),
    protection: { sign: true, encrypt: true },
    services: await services({ certs: ['bob'] }),
    limit: EWS,
    algorithms: { digests: ['SHA-1', 'SHA-384'], ciphers: ['aes-256-gcm'] },
  });
  assert.equal(out.cipher, 'aes-256-gcm');
  assert.match(latin1(out.message), /smime-type=authEnveloped-data/);
  const dec = decryptAs('bob', out.message);
  assert.equal(dec.status, 0, dec.stderr);
  // SHA-1 is skipped (Signet never signs with it); SHA-384 is the first usable choice.
  assert.match(dec.stdout, /micalg=sha-384/);
});

test('nothing AES-GCM goes through Microsoft Graph: the GCM-only policy that gives AuthEnvelopedData over EWS is refused over Graph; GCM-first gives CBC', async () => {
  assert.equal(carriesAuthEnvelopedData('graph'), false);
  assert.equal(carriesAuthEnvelopedData('ews'), true);
  const out = await protectDraft({
    draft: draft(),
    protection: { sign: true, encrypt: true },
    services: await services({ certs: ['bob'], capabilities: ['aes256-GCM'] }),
    limit: GRAPH,
    algorithms: { ciphers: ['aes-256-gcm', 'aes-128-cbc'] },
  });
  assert.equal(out.cipher, 'aes-128-cbc');
  assert.doesNotMatch(latin1(out.message), /authEnveloped-data/);
  assert.match(latin1(out.message), /smime-type=enveloped-data/);
  await assert.rejects(
    protectDraft({
      draft: draft(),
      protection: { sign: true, encrypt: true },
      services: await services({ certs: ['bob'] }),
      limit: GRAPH,
      algorithms: { ciphers: ['aes-256-gcm', 'aes-128-gcm'] },
      provider: noCrypto,
    }),
    (e: Error) => isSignetError(e, 'unsupported-algorithm') && /Microsoft Graph/.test(e.message) && /encryptionCiphers/.test(e.message),
  );
});

test('when every recipient advertised AES-GCM, the policy order decides among readable ciphers', async () => {
  const out = await protectDraft({
    draft: draft(),
    protection: { sign: false, encrypt: true },
    services: await services({ certs: ['bob'], capabilities: ['aes256-GCM', 'aes128-GCM'] }),
    limit: GRAPH,
    algorithms: { ciphers: ['aes-128-gcm', 'aes-256-cbc'] },
  });
  // The sender's own capabilities are unknown, so GCM is not readable by all: the first CBC entry.
  assert.equal(out.cipher, 'aes-256-cbc');
});

test('recipients without a certificate are named, and nothing is encrypted', async () => {
  const d = draft({ cc: [{ name: 'Erin', address: 'erin@example.org' }, { name: 'Zed', address: 'zed@elsewhere.example' }] });
  await assert.rejects(
    protectDraft({ draft: d, protection: { sign: true, encrypt: true }, services: await services({ certs: ['bob'] }), limit: GRAPH, provider: noCrypto }),
    (e: Error) => {
      assert.ok(e instanceof RecipientsNotReadyError);
      assert.equal(e.code, 'missing-certificate');
      assert.deepEqual(e.missing.map((m) => m.address), ['erin@example.org', 'zed@elsewhere.example']);
      assert.match(e.message, /2 recipients have no certificate: erin@example\.org, zed@elsewhere\.example/);
      assert.match(e.message, /send them a signed message/i);
      return true;
    },
  );
});

/** `services` counting the look-ups made through it. */
function counted(inner: ComposeServices): { services: ComposeServices; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    services: {
      signingIdentity: (from) => (calls.push(`identity ${from}`), inner.signingIdentity(from)),
      encryptionCertificateOf: (sender) => (calls.push(`own ${sender}`), inner.encryptionCertificateOf(sender)),
      readiness: (sender, recipients) => (calls.push(`readiness ${recipients.join(',')}`), inner.readiness(sender, recipients)),
    },
  };
}

test('look-ups started early (while the pane reads the draft) are used when they fit the draft, and redone when they do not', async () => {
  const d = draft({ cc: [{ name: 'Carol', address: 'carol@example.org' }] });
  const both = { sign: true, encrypt: true };
  const early = counted(await services({ certs: ['bob', 'carol'] }));
  const lookups = startKeyLookups(early.services, both, 'alice@example.org', ['bob@example.org', 'carol@example.org']);
  assert.equal(early.calls.length, 3, 'all three start at once');
  const later = counted(await services({ certs: ['bob', 'carol'] }));
  const r = await protectDraft({ draft: d, protection: both, services: later.services, limit: GRAPH, lookups });
  assert.deepEqual(later.calls, [], 'the early look-ups were used: nothing looked up again');
  assert.deepEqual(r.encryptedTo, ['alice@example.org', 'bob@example.org', 'carol@example.org']);
  assert.equal(decryptAs('carol', r.message).status, 0);
  // Made for other recipients (Carol was removed meanwhile): not used, so Dan's missing certificate is found.
  const other = startKeyLookups(early.services, both, 'alice@example.org', ['bob@example.org']);
  const withDan = draft({ cc: [{ name: 'Dan', address: 'dan@example.org' }] });
  const again = counted(await services({ certs: ['bob'] }));
  await assert.rejects(protectDraft({ draft: withDan, protection: both, services: again.services, limit: GRAPH, lookups: other, provider: noCrypto }), (e: Error) => {
    assert.ok(e instanceof RecipientsNotReadyError);
    assert.deepEqual(e.missing.map((m) => m.address), ['dan@example.org']);
    return true;
  });
  assert.deepEqual(again.calls.sort(), ['identity alice@example.org', 'own alice@example.org', 'readiness bob@example.org,dan@example.org']);
  // Made for signing only, used for sign + encrypt: redone as well.
  const signOnly = startKeyLookups(early.services, { sign: true, encrypt: false }, 'alice@example.org', ['bob@example.org', 'carol@example.org']);
  const third = counted(await services({ certs: ['bob', 'carol'] }));
  await protectDraft({ draft: d, protection: both, services: third.services, limit: GRAPH, lookups: signOnly });
  assert.equal(third.calls.length, 3);
});

test('no signing key for the From address: no-signing-key, naming the address', async () => {
  const d = draft({ from: { name: 'Sales', address: 'sales@example.org' } });
  await assert.rejects(
    protectDraft({ draft: d, protection: { sign: true, encrypt: false }, services: await services(), limit: GRAPH, provider: noCrypto }),
    (e: Error) => isSignetError(e, 'no-signing-key') && /sales@example\.org/.test(e.message) && /Keys and trust/.test(e.message),
  );
});

test('encrypting without any certificate of the sender is refused (the Sent Items copy would be unreadable)', async () => {
  await assert.rejects(
    protectDraft({ draft: draft(), protection: { sign: false, encrypt: true }, services: await services({ signers: [], certs: ['bob'] }), limit: GRAPH, provider: noCrypto }),
    (e: Error) => isSignetError(e, 'missing-certificate') && /Sent Items/.test(e.message),
  );
});

test('too large: refused from the draft before keys are looked up or anything is hashed', async () => {
  const calls: string[] = [];
  const spy: ComposeServices = {
    signingIdentity: async () => (calls.push('signingIdentity'), null),
    encryptionCertificateOf: async () => (calls.push('encryptionCertificateOf'), null),
    readiness: async () => (calls.push('readiness'), { ready: [], missing: [] }),
  };
  const big = draft({ attachments: [{ kind: 'file', name: 'scan.pdf', contentType: 'application/pdf', content: new Uint8Array(2_500_000) }] });
  await assert.rejects(
    protectDraft({ draft: big, protection: { sign: true, encrypt: true }, services: spy, limit: GRAPH, provider: noCrypto }),
    (e: Error) => isSignetError(e, 'message-too-large') && /Remove large attachments, or share them as links/.test(e.message),
  );
  assert.deepEqual(calls, []);
});

test('the same message fits an on-premises Exchange limit of 10 MB', async () => {
  const big = draft({ attachments: [{ kind: 'file', name: 'scan.pdf', contentType: 'application/pdf', content: new Uint8Array(2_500_000).fill(65) }] });
  const out = await protectDraft({ draft: big, protection: { sign: true, encrypt: false }, services: await services(), limit: { transport: 'ews', maxMessageBytes: 10 * 1024 * 1024 } });
  assert.ok(out.message.length > GRAPH_MAX_MESSAGE_BYTES);
});

test('neither sign nor encrypt is a usage error', async () => {
  await assert.rejects(protectDraft({ draft: draft(), protection: { sign: false, encrypt: false }, services: await services(), limit: GRAPH }), (e: Error) => isSignetError(e, 'usage'));
});

test('sendProtected hands the transport the submission (with Bcc) only after protection succeeded', async () => {
  const sent: Uint8Array[] = [];
  const transport = { limit: GRAPH, send: async (m: Uint8Array) => void sent.push(m) };
  const d = draft({ bcc: [{ name: '', address: 'carol@example.org' }] });
  const out = await sendProtected({ draft: d, protection: { sign: true, encrypt: false }, services: await services(), transport });
  assert.equal(sent.length, 1);
  assert.deepEqual(sent[0], out.submission);
  assert.match(latin1(sent[0]!), /^Bcc: carol@example\.org\r\n/);
  await assert.rejects(sendProtected({ draft: draft({ to: [{ name: '', address: 'erin@example.org' }] }), protection: { sign: true, encrypt: true }, services: await services(), transport }));
  assert.equal(sent.length, 1);
});
