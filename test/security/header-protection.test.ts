// Attacks on header protection (RFC 9788 §10, ARCHITECTURE.md rules 4 and 10): an outer header never
// silently overrides a protected one; substitution, removal and injection (CR/LF, encoded-word tricks,
// duplicate fields) of header fields; a protected From that is not the signer; a Legacy Display Element
// that disagrees with the protected fields. Signed with the RFC 9216 sample keys (no OpenSSL needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openMessage } from '../../src/core/smime/open.js';
import { protectMessage, signEntity, encryptEntity } from '../../src/core/smime/protect.js';
import { AT, EXAMPLE_HEADER, SIGNED_AT, alice, anchors, dec, enc, provider } from '../helpers/rfc9216.js';
import type { Identity } from '../../src/core/keys.js';


const HEADERS = EXAMPLE_HEADER;
const ORIGINAL = HEADERS + 'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nPay invoice 1001 to account 12345.\r\n';

async function open(message: Uint8Array | string, identities: Identity[] = []) {
  return (await openMessage(typeof message === 'string' ? enc(message) : message, { anchors, identities, provider, at: AT })).verdict;
}

async function signedHp(): Promise<string> {
  return dec(await protectMessage(enc(ORIGINAL), { sign: { identity: await alice(), signingTime: SIGNED_AT }, headerProtection: {}, provider }));
}

/** A message whose payload (with whatever protected fields an attacker or a broken client wrote) alice signed. */
async function custom(outer: string, payload: string, encrypt = false): Promise<string> {
  const a = await alice();
  let entity = await signEntity(enc(payload), { identity: a, signingTime: SIGNED_AT }, provider);
  if (encrypt) entity = await encryptEntity(entity, { recipients: [a.certificate] }, provider);
  return outer + 'MIME-Version: 1.0\r\n' + dec(entity);
}

/** Replaces one outer header line (the first match, which is in the outer section). */
function outer(msg: string, from: string, to: string): string {
  const i = msg.indexOf(from);
  assert.ok(i >= 0 && i < msg.indexOf('MIME-Version'), `${from} is in the outer header`);
  return msg.slice(0, i) + to + msg.slice(i + from.length);
}

test('substitution: an outer Subject changed in transit is flagged, with the signed value and the change named', async () => {
  const v = await open(outer(await signedHp(), 'Subject: Handling the Jones contract', 'Subject: URGENT: new bank details'));
  assert.equal(v.status, 'valid'); // the content is intact; the header outside is not what was signed
  assert.deepEqual(v.headerProtection?.mismatches, [{ field: 'subject', change: 'changed', signed: 'Handling the Jones contract', outer: 'URGENT: new bank details' }]);
  assert.equal(v.headerProtection?.subject, 'Handling the Jones contract');
  assert.ok(v.warnings.some((w) => w.code === 'header-changed'));
  assert.match(v.summary, /The Subject in the message header was changed after the sender protected it\.$/);
});

test('substitution: outer To and Date changed → both flagged as changed', async () => {
  let m = outer(await signedHp(), 'To: Bob <bob@smime.example>', 'To: Eve <eve@attacker.example>');
  m = outer(m, 'Date: Wed, 11 Jan 2023 16:08:43 -0500', 'Date: Wed, 11 Jan 2023 16:09:43 -0500');
  const v = await open(m);
  assert.deepEqual(
    v.headerProtection?.mismatches.map((x) => [x.field, x.change, x.signed]),
    [
      ['to', 'changed', 'Bob <bob@smime.example>'],
      ['date', 'changed', 'Wed, 11 Jan 2023 16:08:43 -0500'],
    ],
  );
});

test('substitution: only the display name of From changed ("CEO") → flagged; the address binding is unchanged', async () => {
  const v = await open(outer(await signedHp(), 'From: Alice <alice@smime.example>', 'From: "The CEO" <alice@smime.example>'));
  assert.equal(v.status, 'valid');
  assert.deepEqual(v.headerProtection?.mismatches, [{ field: 'from', change: 'changed', signed: 'Alice <alice@smime.example>', outer: '"The CEO" <alice@smime.example>' }]);
});

test('substitution: outer From replaced by another address → sender-mismatch (rule 4, as today) and the From change named', async () => {
  const v = await open(outer(await signedHp(), 'From: Alice <alice@smime.example>', 'From: Bob <bob@smime.example>'));
  assert.equal(v.status, 'sender-mismatch');
  assert.equal(v.code, 'sender-mismatch');
  assert.deepEqual(v.headerProtection?.mismatches.map((m) => m.field), ['from']);
});

test('removal: the outer Subject deleted in transit → change "removed", the signed Subject still shown', async () => {
  const v = await open(outer(await signedHp(), 'Subject: Handling the Jones contract\r\n', ''));
  assert.deepEqual(v.headerProtection?.mismatches, [{ field: 'subject', change: 'removed', signed: 'Handling the Jones contract', outer: null }]);
  assert.equal(v.headerProtection?.subject, 'Handling the Jones contract');
});

test('addition: a Cc added outside that the sender never wrote → change "added"', async () => {
  const v = await open(outer(await signedHp(), 'To: Bob <bob@smime.example>\r\n', 'To: Bob <bob@smime.example>\r\nCc: mallory@attacker.example\r\n'));
  assert.deepEqual(v.headerProtection?.mismatches, [{ field: 'cc', change: 'added', signed: null, outer: 'mallory@attacker.example' }]);
});

test('duplicate outer Subject: whichever one a client shows, it is flagged', async () => {
  const v = await open(outer(await signedHp(), 'Subject: Handling the Jones contract\r\n', 'Subject: Handling the Jones contract\r\nSubject: Pay now\r\n'));
  assert.deepEqual(v.headerProtection?.mismatches, [{ field: 'subject', change: 'changed', signed: 'Handling the Jones contract', outer: 'Handling the Jones contract | Pay now' }]);
});

test('protected From is not the signer: sender-mismatch, exactly as an outer From would be (rule 4)', async () => {
  const forged = HEADERS.replace('Alice <alice@smime.example>', 'CEO <ceo@smime.example>');
  const v = await open(await custom(forged, 'Content-Type: text/plain; hp="clear"\r\n' + forged + '\r\nPay.\r\n'));
  assert.equal(v.status, 'sender-mismatch');
  assert.equal(v.code, 'sender-mismatch');
  assert.equal(v.signer?.email, 'alice@smime.example');
});

test('protected From differs from an outer From that matches the signer: still sender-mismatch (never judged on the outer one alone)', async () => {
  const inner = HEADERS.replace('Alice <alice@smime.example>', 'CEO <ceo@smime.example>');
  const v = await open(await custom(HEADERS, 'Content-Type: text/plain; hp="clear"\r\n' + inner + '\r\nPay.\r\n'));
  assert.equal(v.status, 'sender-mismatch');
  assert.equal(v.signer?.status, 'sender-mismatch');
  assert.equal(v.signer?.reason, 'The signer is not the sender shown in the protected From.');
  assert.equal(v.from, 'ceo@smime.example');
  assert.equal(v.summary, 'Signed by alice@smime.example, which is not the sender ceo@smime.example shown in From. Someone may be impersonating the sender. The From in the message header was changed after the sender protected it.');
  assert.deepEqual(v.headerProtection?.mismatches.map((m) => [m.field, m.signed, m.outer]), [['from', 'CEO <ceo@smime.example>', 'Alice <alice@smime.example>']]);
});

test('encoded-word trick: a protected From whose display name is an encoded address does not bind', async () => {
  const trick = HEADERS.replace('From: Alice <alice@smime.example>', 'From: =?utf-8?q?alice=40smime=2Eexample?= <mallory@attacker.example>');
  const v = await open(await custom(HEADERS, 'Content-Type: text/plain; hp="clear"\r\n' + trick + '\r\nPay.\r\n'));
  assert.equal(v.status, 'sender-mismatch');
  assert.equal(v.headerProtection?.from, 'alice@smime.example <mallory@attacker.example>');
});

test('CR/LF injection through an encoded word in the protected Subject: shown on one line, control characters replaced, flagged', async () => {
  const inj = HEADERS.replace('Subject: Handling the Jones contract', 'Subject: =?utf-8?q?Hello=0D=0AFrom=3A_ceo=40smime=2Eexample?=');
  const v = await open(await custom(inj, 'Content-Type: text/plain; hp="clear"\r\n' + inj + '\r\nPay.\r\n'));
  assert.equal(v.status, 'valid');
  assert.equal(v.headerProtection?.subject, 'Hello\uFFFD\uFFFDFrom: ceo@smime.example');
  assert.ok(v.headerProtection?.problems.includes('control-characters'));
  assert.equal(v.headerProtection?.fields.filter((f) => f.name.toLowerCase() === 'from').length, 1);
  assert.ok(!JSON.stringify(v.headerProtection).includes('\\r'));
});

test('bidi override in a protected Subject is replaced (it could reverse what the reader sees)', async () => {
  const inj = HEADERS.replace('Subject: Handling the Jones contract', 'Subject: =?utf-8?b?' + Buffer.from('Invoice \u202Efdp.exe').toString('base64') + '?=');
  const v = await open(await custom(inj, 'Content-Type: text/plain; hp="clear"\r\n' + inj + '\r\nPay.\r\n'));
  assert.equal(v.headerProtection?.subject, 'Invoice \uFFFDfdp.exe');
});

test('duplicate protected Subject: the protected section is refused, no copy shown as the signed one', async () => {
  const dup = HEADERS + 'Subject: Pay now\r\n';
  const v = await open(await custom(HEADERS, 'Content-Type: text/plain; hp="clear"\r\n' + dup + '\r\nPay.\r\n'));
  assert.ok(v.headerProtection?.problems.includes('duplicate-field'));
  assert.equal(v.headerProtection?.subject, null);
  assert.deepEqual(v.headerProtection?.fields, []);
  assert.ok(v.warnings.some((w) => w.code === 'protected-headers-refused'));
  assert.deepEqual(v.headerProtection?.mismatches, [{ field: 'subject', change: 'changed', signed: null, outer: 'Handling the Jones contract' }]);
});

test('duplicate protected From: never binds (rule 4: several From headers never pass)', async () => {
  const dup = HEADERS + 'From: alice@smime.example\r\n';
  const v = await open(await custom(HEADERS, 'Content-Type: text/plain; hp="clear"\r\n' + dup + '\r\nPay.\r\n'));
  assert.equal(v.status, 'sender-mismatch');
});

test('Legacy Display Element that disagrees with the protected Subject: flagged, the protected Subject shown', async () => {
  const a = await alice();
  const payload =
    'Content-Type: text/plain; charset=utf-8; hp="cipher"; hp-legacy-display="1"\r\n' +
    HEADERS +
    'HP-Outer: From: Alice <alice@smime.example>\r\nHP-Outer: To: Bob <bob@smime.example>\r\nHP-Outer: Subject: [...]\r\n' +
    'HP-Outer: Date: Wed, 11 Jan 2023 16:08:43 -0500\r\nHP-Outer: Message-ID: <20230111T210843Z.1234@lhp.example>\r\n' +
    '\r\nSubject: Your account is suspended\r\n\r\nPay.\r\n';
  const wire = HEADERS.replace('Handling the Jones contract', '[...]');
  const v = await open(await custom(wire, payload, true), [a]);
  assert.equal(v.headerProtection?.legacyDisplay, 'disagrees');
  assert.equal(v.headerProtection?.subject, 'Handling the Jones contract');
  assert.ok(v.warnings.some((w) => w.code === 'legacy-display-mismatch'));
});

test('hp="cipher" on a message that was only signed: nothing was hidden, the outer "[...]" is a mismatch (RFC 9788 §4.10.1)', async () => {
  const wire = HEADERS.replace('Handling the Jones contract', '[...]');
  const v = await open(await custom(wire, 'Content-Type: text/plain; hp="cipher"\r\n' + HEADERS + 'HP-Outer: Subject: [...]\r\n\r\nPay.\r\n'));
  assert.ok(v.headerProtection?.problems.includes('cipher-without-encryption'));
  assert.deepEqual(v.headerProtection?.hidden, []);
  assert.deepEqual(v.headerProtection?.mismatches.map((m) => [m.field, m.change]), [['subject', 'changed']]);
});

test('encrypted: an outer field that differs from what HP-Outer recorded was changed in transit', async () => {
  const a = await alice();
  const msg = dec(await protectMessage(enc(ORIGINAL), { sign: { identity: a, signingTime: SIGNED_AT }, encrypt: { recipients: [a.certificate] }, headerProtection: {}, provider }));
  const v = await open(outer(msg, 'Subject: [...]', 'Subject: Invoice overdue'), [a]);
  assert.deepEqual(v.headerProtection?.hidden, [{ field: 'subject', outer: '[...]' }]);
  assert.deepEqual(v.headerProtection?.mismatches, [{ field: 'subject', change: 'changed', signed: 'Handling the Jones contract', outer: 'Invoice overdue' }]);
});

test('a plain unsigned message whose own Content-Type says hp="clear" has no protected headers (nothing was opened)', async () => {
  const v = await open(HEADERS + 'MIME-Version: 1.0\r\nContent-Type: text/plain; hp="clear"\r\n\r\nHi\r\n');
  assert.equal(v.status, 'unsigned');
  assert.equal(v.headerProtection, null);
});

test('a broken signature: the protected fields are reported but vouched for by nothing, and no header-changed claim is made', async () => {
  const m = (await signedHp()).replace('Pay invoice 1001 to account 12345.', 'Pay invoice 1001 to account 66666.');
  const v = await open(outer(m, 'Subject: Handling the Jones contract', 'Subject: Changed'));
  assert.equal(v.status, 'invalid');
  assert.equal(v.headerProtection?.protection, 'none');
  assert.equal(v.warnings.some((w) => w.code === 'header-changed'), false);
});

test('rule 9: finding a Legacy Display Element is linear, whatever the text repeats', async () => {
  const { withoutLegacyDisplay } = await import('../../src/core/mime/header-protection.js');
  const nasty = [
    '<div class="header-protection-legacy-display">'.repeat(100_000),
    '<div '.repeat(400_000) + 'header-protection-legacy-display',
    'Subject: x\n'.repeat(400_000),
  ];
  for (const text of nasty) {
    const t0 = performance.now();
    withoutLegacyDisplay(text, true);
    withoutLegacyDisplay(text, false);
    assert.ok(performance.now() - t0 < 500, `took ${performance.now() - t0} ms`);
  }
});
