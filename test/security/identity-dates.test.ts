// Issue 13 attack regressions: a signer identity forged through the subject DN's emailAddress, a name
// constraint sidestepped by whitespace in an rfc822Name, and impossible signing times (after the signer's
// certificate expired, in the future), with the read pane never shown an impossible time as fact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { utf8 } from '../../src/core/bytes.js';
import { privateKeyFromPkcs8 } from '../../src/core/private-key.js';
import { openMessage } from '../../src/core/smime/open.js';
import { protectMessage } from '../../src/core/smime/protect.js';
import { resolveConfig } from '../../src/core/config.js';
import { formatVerdict } from '../../src/cli/format.js';
import { CA_EXT, issue, provider, sanExt, type TestCert } from '../unit/trust/helpers.js';
import { openStore } from '../unit/keystore/helpers.js';

const root = issue('sec-id-root', { subject: '/CN=Identity Attack Root', ext: CA_EXT, from: -30, to: 3650 });
const inter = issue('sec-id-inter', { subject: '/CN=Identity Attack CA', ext: CA_EXT + 'authorityKeyIdentifier=keyid\n', issuer: root, from: -20, to: 1000 });
// EC leaves that may sign and receive encrypted mail (keyAgreement), so the key store would keep them.
const leafBase = 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation,keyAgreement\nextendedKeyUsage=emailProtection\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n';

async function signedMessage(
  cert: TestCert,
  from: string,
  o: { issuer?: TestCert; signingTime?: Date; date?: Date | null } = {},
): Promise<Uint8Array> {
  const ca = o.issuer ?? inter;
  const identity = { certificate: cert.der, chain: [ca.der], privateKey: privateKeyFromPkcs8(cert.keyPkcs8, provider) };
  const date = o.date === undefined ? (o.signingTime ?? new Date()) : o.date;
  const head = `From: ${from}\r\nTo: dana@example.org\r\nSubject: invoice\r\n${date ? `Date: ${date.toUTCString()}\r\n` : ''}`;
  const body = utf8(`${head}Content-Type: text/plain\r\n\r\nPay to account 12345.\r\n`);
  return protectMessage(body, { sign: { identity, ...(o.signingTime ? { signingTime: o.signingTime } : {}) }, provider });
}

const open = async (msg: Uint8Array, at?: Date) => (await openMessage(msg, { anchors: [root.der], provider, ...(at ? { at } : {}) })).verdict;

// --- identity from the subject DN -------------------------------------------------------------------------

const eve = issue('sec-id-eve', { subject: '/CN=Eve/O=Attack/emailAddress=alice@example.org', ext: leafBase + 'subjectAltName=email:eve@example.org\n', issuer: inter });

test('forged identity: SAN eve + subject E=alice signing as alice → sender-mismatch, the badge names eve', async () => {
  const v = await open(await signedMessage(eve, 'Alice <alice@example.org>'));
  assert.equal(v.status, 'sender-mismatch');
  assert.equal(v.code, 'sender-mismatch');
  assert.equal(v.signer!.email, 'eve@example.org');
  assert.deepEqual(v.signer!.emails, ['eve@example.org']);
  // The same certificate is fine for its real holder.
  assert.equal((await open(await signedMessage(eve, 'eve@example.org'))).status, 'valid');
});

test('forged identity: the key store never learns the certificate as alice\'s, even from a dressed-up Verdict', async () => {
  const { store } = await openStore({ trust: { anchors: [root.der], config: resolveConfig({}) } });
  const v = await open(await signedMessage(eve, 'alice@example.org'));
  assert.deepEqual((await store.certificates.harvest(v)).stored, []);
  // A Verdict claiming the signer is alice: the store re-reads the certificate with the same rule.
  const dressed = { ...v, status: 'valid' as const, code: null, signers: v.signers.map((s) => ({ ...s, status: 'valid' as const, code: 'ok' as const, emails: ['alice@example.org'] })) };
  const r = await store.certificates.harvest(dressed);
  assert.deepEqual(r.stored, []);
  assert.deepEqual(r.refused.map((x) => x.problem), ['address-mismatch']);
  assert.equal((await store.certificates.lookup('alice@example.org', { network: false })).chosen, null);
  const ready = await store.readiness({ sender: 'dana@example.org', recipients: ['alice@example.org'], network: false });
  assert.deepEqual(ready.ready, []);
  // Learnt for eve (its real address) from eve's own valid message, and for eve only.
  const own = await store.certificates.harvest(await open(await signedMessage(eve, 'eve@example.org')));
  assert.deepEqual(own.stored.map((s) => s.addresses), [['eve@example.org']]);
});

test('a malformed SAN rfc822Name is no identity and blocks the subject fallback (no-email)', async () => {
  const spaced = issue('sec-id-spaced', { subject: '/CN=Spaced/emailAddress=alice@example.org', ext: leafBase + sanExt(['alice@example.org ']), issuer: inter });
  const v = await open(await signedMessage(spaced, 'alice@example.org'));
  assert.equal(v.status, 'sender-mismatch');
  assert.equal(v.code, 'no-email');
  assert.equal(v.signer!.email, null);
});

// --- name constraints sidestepped by whitespace -----------------------------------------------------------

test('name constraints: an excluded domain with trailing whitespace (or dot, or other case) does not slip through', async () => {
  const nc = issue('sec-nc-ca', { subject: '/CN=Excluding CA', ext: CA_EXT + 'nameConstraints=critical,excluded;email:excluded.example\n', issuer: root });
  for (const name of ['eve@excluded.example ', 'eve@excluded.example\t', 'eve@excluded.example.', 'eve@EXCLUDED.example', ' eve@excluded.example']) {
    const leaf = issue(`sec-nc-${name.trim().length}-${name.charCodeAt(name.length - 1)}-${name.charCodeAt(0)}`, { subject: '/CN=NC Leaf', ext: leafBase + sanExt([name]), issuer: nc });
    const v = await open(await signedMessage(leaf, 'eve@excluded.example', { issuer: nc }));
    assert.equal(v.status, 'untrusted', JSON.stringify(name));
    assert.equal(v.code, 'name-constraints', JSON.stringify(name));
    assert.equal(v.signer!.chain[0]!.status, 'name-constraints');
  }
});

// --- signing times -----------------------------------------------------------------------------------------

const day = 86400_000;

test('signingTime after the signer\'s certificate expired → expired / signing-time-outside-validity, time not shown as fact', async () => {
  const short = issue('sec-st-short', { subject: '/CN=Short', ext: leafBase + 'subjectAltName=email:short@example.org\n', issuer: inter, from: -10, to: -4 });
  const signingTime = new Date(Date.now() - 2 * day); // after notAfter
  const msg = await signedMessage(short, 'short@example.org', { signingTime });
  // Checked at a time inside the validity (the reader's --at): the claimed time is still impossible.
  const atInside = await open(msg, new Date(Date.now() - 6 * day));
  assert.equal(atInside.status, 'expired');
  assert.equal(atInside.code, 'signing-time-outside-validity');
  assert.equal(atInside.signer!.signingTime, null);
  assert.equal(atInside.signer!.claimedSigningTime, new Date(Math.floor(signingTime.getTime() / 1000) * 1000).toISOString());
  assert.equal(atInside.signer!.chain[0]!.status, 'signing-time-outside-validity');
  // Checked now: expired now as well; the impossible time is still only "claimed".
  const now = await open(msg);
  assert.equal(now.status, 'expired');
  assert.equal(now.signer!.signingTime, null);
  assert.ok(now.signer!.claimedSigningTime);
});

test('signingTime before the certificate (or an issuing CA) was valid → expired / signing-time-outside-validity', async () => {
  const fresh = issue('sec-st-fresh', { subject: '/CN=Fresh', ext: leafBase + 'subjectAltName=email:fresh@example.org\n', issuer: inter, from: -1, to: 30 });
  const v = await open(await signedMessage(fresh, 'fresh@example.org', { signingTime: new Date(Date.now() - 25 * day) }));
  assert.equal(v.status, 'expired');
  assert.equal(v.code, 'signing-time-outside-validity');
  assert.equal(v.signer!.signingTime, null);
});

const good = issue('sec-st-good', { subject: '/CN=Good', ext: leafBase + 'subjectAltName=email:good@example.org\n', issuer: inter });

test('signingTime in the future beyond the clock skew → expired / signing-time-future; within the skew it is fine', async () => {
  const future = new Date(Date.now() + 2 * day);
  const v = await open(await signedMessage(good, 'good@example.org', { signingTime: future }));
  assert.equal(v.status, 'expired');
  assert.equal(v.code, 'signing-time-future');
  assert.equal(v.signer!.signingTime, null);
  assert.ok(v.signer!.claimedSigningTime);
  assert.match(v.summary, /in the future/);
  // The CLI shows the time only as a rejected claim.
  assert.match(formatVerdict(v), /signed \(claimed \d{4}-\d\d-\d\dT[^)]*, rejected\)/);

  const near = new Date(Date.now() + 60_000); // 1 minute: inside the 5-minute default skew
  const ok = await open(await signedMessage(good, 'good@example.org', { signingTime: near }));
  assert.equal(ok.status, 'valid', ok.signer?.reason);
  assert.ok(ok.signer!.signingTime);
  assert.equal(ok.signer!.claimedSigningTime, null);
});

test('no Date header: signed message is still checked (future signingTime refused) and the Verdict says the Date was missing', async () => {
  const plain = await open(await signedMessage(good, 'good@example.org', { date: null }));
  assert.equal(plain.status, 'valid');
  assert.deepEqual(plain.warnings.map((w) => w.code), ['date-missing']);
  const future = await open(await signedMessage(good, 'good@example.org', { date: null, signingTime: new Date(Date.now() + 3 * day) }));
  assert.equal(future.status, 'expired');
  assert.equal(future.code, 'signing-time-future');
  assert.ok(future.warnings.some((w) => w.code === 'date-missing'));
});

test('a Date header far from the signing time is still a re-dated replay (date-mismatch)', async () => {
  const v = await open(await signedMessage(good, 'good@example.org', { signingTime: new Date(Date.now() - 2 * 3600_000), date: new Date() }));
  assert.equal(v.status, 'invalid');
  assert.equal(v.code, 'date-mismatch');
});
