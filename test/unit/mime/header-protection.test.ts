// RFC 9788 header protection: producing (hp="clear"/"cipher", HP-Outer, hcp_baseline, Legacy Display
// Element) and reading (protected fields, hidden-in-transit, mismatches), plus the older
// protected-headers="v1" form. The vectors are made to match RFC 9788's examples (§4 and Appendix C: Alice
// and Bob at smime.example, "Handling the Jones contract", 11 Jan 2023), signed with the RFC 9216 sample
// keys that the RFC's own vectors use (test/fixtures/corpus/rfc9216).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openMessage } from '../../../src/core/smime/open.js';
import { protectMessage, signEntity, encryptEntity } from '../../../src/core/smime/protect.js';
import { injectHeaderProtection, readHeaderProtection } from '../../../src/core/mime/header-protection.js';
import { AT, EXAMPLE_HEADER, SIGNED_AT, alice, anchors, dec, enc, provider } from '../../helpers/rfc9216.js';
import type { Identity } from '../../../src/core/keys.js';


/** RFC 9788's example message (§4, Appendix C): Alice writes to Bob about the Jones contract. */
const OUTER = EXAMPLE_HEADER;
const ORIGINAL = OUTER + 'Keywords: contract\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nPlease send me the signed copy.\r\n';

async function open(message: Uint8Array | string, identities: Identity[] = []) {
  return openMessage(typeof message === 'string' ? enc(message) : message, { anchors, identities, provider, at: AT });
}

test('inject, hp="clear": the fields are copied into the payload, hp is set, the outer header is unchanged', () => {
  const { outerHeaders, payload } = injectHeaderProtection(enc(ORIGINAL), 'clear');
  assert.deepEqual(
    outerHeaders.map((h) => `${h.name}: ${h.value}`),
    ['From: Alice <alice@smime.example>', 'To: Bob <bob@smime.example>', 'Subject: Handling the Jones contract', 'Date: Wed, 11 Jan 2023 16:08:43 -0500', 'Message-ID: <20230111T210843Z.1234@lhp.example>', 'Keywords: contract'],
  );
  assert.equal(
    dec(payload),
    'Content-Type: text/plain; charset=us-ascii;\r\n hp="clear"\r\n' + OUTER + 'Keywords: contract\r\n\r\nPlease send me the signed copy.\r\n',
  );
});

test('inject, hp="cipher" with hcp_baseline (RFC 9788 §3.2.2): Subject "[...]", Keywords dropped, HP-Outer records what is outside', () => {
  const { outerHeaders, payload } = injectHeaderProtection(enc(ORIGINAL), 'cipher');
  assert.deepEqual(
    outerHeaders.map((h) => `${h.name}: ${h.value}`),
    ['From: Alice <alice@smime.example>', 'To: Bob <bob@smime.example>', 'Subject: [...]', 'Date: Wed, 11 Jan 2023 16:08:43 -0500', 'Message-ID: <20230111T210843Z.1234@lhp.example>'],
  );
  assert.equal(
    dec(payload),
    'Content-Type: text/plain; charset=us-ascii;\r\n hp="cipher"\r\n' +
      OUTER +
      'Keywords: contract\r\n' +
      'HP-Outer: From: Alice <alice@smime.example>\r\n' +
      'HP-Outer: To: Bob <bob@smime.example>\r\n' +
      'HP-Outer: Subject: [...]\r\n' +
      'HP-Outer: Date: Wed, 11 Jan 2023 16:08:43 -0500\r\n' +
      'HP-Outer: Message-ID: <20230111T210843Z.1234@lhp.example>\r\n' +
      '\r\nPlease send me the signed copy.\r\n',
  );
});

test('inject, no-confidentiality policy (RFC 9788 §3.2.1): encrypted, but the Subject stays readable outside', () => {
  const { outerHeaders } = injectHeaderProtection(enc(ORIGINAL), 'cipher', { hcp: 'no-confidentiality' });
  assert.equal(outerHeaders.find((h) => h.name === 'Subject')?.value, 'Handling the Jones contract');
});

test('inject refuses a message that already carries hp', () => {
  const already = ORIGINAL.replace('charset=us-ascii', 'charset=us-ascii; hp="clear"');
  assert.throws(() => injectHeaderProtection(enc(already), 'clear'), { code: 'usage' });
});

test('inject re-encodes raw UTF-8 header fields (RFC 6532) as encoded words, so the signed payload is 7-bit', () => {
  const utf8Subject = ORIGINAL.replace('Handling the Jones contract', 'Verträge für Jones');
  const { payload } = injectHeaderProtection(enc(utf8Subject), 'clear');
  const text = dec(payload);
  assert.match(text, /\r\nSubject: =\?UTF-8\?B\?VmVydHLDpGdlIGbDvHI=\?= Jones\r\n/);
  assert.ok([...payload].every((b) => b < 0x80));
  const report = readHeaderProtection({ message: enc(utf8Subject), payload, encrypted: false, encryptionIntegrity: false, signed: true });
  assert.equal(report?.subject, 'Verträge für Jones');
  assert.deepEqual(report?.mismatches, []);
});

test('RFC 9788 vector, signed only (hp="clear", multipart/signed): valid, and the protected fields are the ones the RFC states', async () => {
  const signed = await protectMessage(enc(ORIGINAL), { sign: { identity: await alice(), signingTime: SIGNED_AT }, headerProtection: {}, provider });
  const { verdict } = await open(signed);
  assert.equal(verdict.status, 'valid');
  const hp = verdict.headerProtection!;
  assert.equal(hp.scheme, 'rfc9788');
  assert.equal(hp.hp, 'clear');
  assert.equal(hp.protection, 'signed');
  assert.equal(hp.subject, 'Handling the Jones contract');
  assert.equal(hp.from, 'Alice <alice@smime.example>');
  assert.equal(hp.to, 'Bob <bob@smime.example>');
  assert.equal(hp.date, 'Wed, 11 Jan 2023 16:08:43 -0500');
  assert.deepEqual(hp.hidden, []);
  assert.deepEqual(hp.mismatches, []);
  assert.deepEqual(
    hp.fields.map((f) => f.name),
    ['From', 'To', 'Subject', 'Date', 'Message-ID', 'Keywords'],
  );
  assert.equal(verdict.summary, 'Signed by alice@smime.example. The message has not been changed since it was signed.');
});

test('RFC 9788 vector, opaque signed-data with hp="clear" reads the same', async () => {
  const signed = await protectMessage(enc(ORIGINAL), { sign: { identity: await alice(), signingTime: SIGNED_AT, opaque: true }, headerProtection: {}, provider });
  const { verdict } = await open(signed);
  assert.equal(verdict.status, 'valid');
  assert.equal(verdict.headerProtection?.subject, 'Handling the Jones contract');
});

test('RFC 9788 vector, signed and encrypted (hp="cipher"): "[...]" on the wire, the real Subject read inside and reported hidden', async () => {
  const a = await alice();
  const msg = await protectMessage(enc(ORIGINAL), { sign: { identity: a, signingTime: SIGNED_AT }, encrypt: { recipients: [a.certificate] }, headerProtection: {}, provider });
  const wire = dec(msg);
  assert.match(wire, /^Subject: \[\.\.\.\]\r$/m);
  assert.doesNotMatch(wire, /Jones/);
  assert.doesNotMatch(wire, /^Keywords:/m);
  const { verdict } = await open(msg, [a]);
  assert.equal(verdict.status, 'valid');
  const hp = verdict.headerProtection!;
  assert.equal(hp.hp, 'cipher');
  assert.equal(hp.protection, 'signed-and-encrypted');
  assert.equal(hp.subject, 'Handling the Jones contract');
  assert.deepEqual(hp.hidden, [{ field: 'subject', outer: '[...]' }]);
  assert.deepEqual(hp.mismatches, []);
  assert.equal(verdict.summary, 'Signed by alice@smime.example. The message has not been changed since it was signed. It was sent encrypted. Its subject was hidden in transit.');
});

test('encrypted only, AES-GCM (hp="cipher"): the protected fields are vouched for by the encryption', async () => {
  const a = await alice();
  const msg = await protectMessage(enc(ORIGINAL), { encrypt: { recipients: [a.certificate], cipher: 'aes-256-gcm' }, headerProtection: {}, provider });
  const { verdict } = await open(msg, [a]);
  assert.equal(verdict.status, 'unsigned');
  assert.equal(verdict.headerProtection?.protection, 'encrypted');
  assert.equal(verdict.headerProtection?.subject, 'Handling the Jones contract');
});

test('encrypted only, AES-CBC: the Subject is read but nothing vouches for it (protection "none")', async () => {
  const a = await alice();
  const msg = await protectMessage(enc(ORIGINAL), { encrypt: { recipients: [a.certificate], cipher: 'aes-256-cbc' }, headerProtection: {}, provider });
  const { verdict } = await open(msg, [a]);
  assert.equal(verdict.headerProtection?.protection, 'none');
  assert.equal(verdict.headerProtection?.subject, 'Handling the Jones contract');
});

test('Legacy Display Element (RFC 9788 §4.5.2): written at the top of the text, marked hp-legacy-display="1", and read as agreeing', async () => {
  const a = await alice();
  const { payload } = injectHeaderProtection(enc(ORIGINAL), 'cipher', { legacyDisplay: true });
  const text = dec(payload);
  assert.match(text, /hp-legacy-display="1"/);
  const body = Buffer.from(text.split('\r\n\r\n')[1]!.replace(/\r\n/g, ''), 'base64').toString('utf8');
  assert.equal(body, 'Subject: Handling the Jones contract\r\n\r\nPlease send me the signed copy.\r\n');
  const msg = await protectMessage(enc(ORIGINAL), { sign: { identity: a, signingTime: SIGNED_AT }, encrypt: { recipients: [a.certificate] }, headerProtection: { legacyDisplay: true }, provider });
  const { verdict } = await open(msg, [a]);
  assert.equal(verdict.headerProtection?.legacyDisplay, 'agrees');
  assert.equal(verdict.warnings.some((w) => w.code === 'legacy-display-mismatch'), false);
});

test('Legacy Display Element in HTML: a div of class header-protection-legacy-display after <body>', () => {
  const html = OUTER + 'MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body><p>Hi</p></body></html>\r\n';
  const { payload } = injectHeaderProtection(enc(html), 'cipher', { legacyDisplay: true });
  const body = Buffer.from(dec(payload).split('\r\n\r\n')[1]!.replace(/\r\n/g, ''), 'base64').toString('utf8');
  assert.equal(body, '<html><body><div class="header-protection-legacy-display"><pre>Subject: Handling the Jones contract</pre></div>\n<p>Hi</p></body></html>\r\n');
});

/** A message whose payload is given as is, signed by alice (multipart/signed), optionally encrypted to her. */
async function custom(outer: string, payload: string, encrypt = false): Promise<Uint8Array> {
  const a = await alice();
  let entity = await signEntity(enc(payload), { identity: a, signingTime: SIGNED_AT }, provider);
  if (encrypt) entity = await encryptEntity(entity, { recipients: [a.certificate] }, provider);
  return enc(outer + 'MIME-Version: 1.0\r\n' + dec(entity));
}

test('protected-headers="v1" (Thunderbird, K-9), signed and encrypted: outer Subject "..." is read as hidden, the real one shown', async () => {
  const outer = OUTER.replace('Handling the Jones contract', '...');
  const payload =
    'Content-Type: multipart/mixed; boundary="v1b"; protected-headers="v1"\r\n' +
    OUTER +
    '\r\n--v1b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPlease send me the signed copy.\r\n--v1b--\r\n';
  const { verdict } = await open(await custom(outer, payload, true), [await alice()]);
  assert.equal(verdict.status, 'valid');
  const hp = verdict.headerProtection!;
  assert.equal(hp.scheme, 'v1');
  assert.equal(hp.hp, null);
  assert.equal(hp.subject, 'Handling the Jones contract');
  assert.deepEqual(hp.hidden, [{ field: 'subject', outer: '...' }]);
  assert.deepEqual(hp.mismatches, []);
});

test('protected-headers="v1" signed only: a changed outer Subject is a mismatch', async () => {
  const outer = OUTER.replace('Handling the Jones contract', 'Re: invoice');
  const payload = 'Content-Type: text/plain; charset=utf-8; protected-headers="v1"\r\n' + OUTER + '\r\nBody\r\n';
  const { verdict } = await open(await custom(outer, payload));
  assert.deepEqual(verdict.headerProtection?.mismatches, [{ field: 'subject', change: 'changed', signed: 'Handling the Jones contract', outer: 'Re: invoice' }]);
});

test('Thunderbird 128+ sends both parameters: hp wins and the scheme is RFC 9788', async () => {
  const payload = 'Content-Type: text/plain; charset=utf-8; protected-headers="v1"; hp="clear"\r\n' + OUTER + '\r\nBody\r\n';
  const { verdict } = await open(await custom(OUTER, payload));
  assert.equal(verdict.headerProtection?.scheme, 'rfc9788');
  assert.equal(verdict.headerProtection?.hp, 'clear');
});

test('a message without header protection has headerProtection null', async () => {
  const signed = await protectMessage(enc(ORIGINAL), { sign: { identity: await alice(), signingTime: SIGNED_AT }, provider });
  const { verdict } = await open(signed);
  assert.equal(verdict.status, 'valid');
  assert.equal(verdict.headerProtection, null);
});

test('dates compare by instant: a relay that rewrote the Date in another zone is not a mismatch', async () => {
  const outer = OUTER.replace('Wed, 11 Jan 2023 16:08:43 -0500', 'Wed, 11 Jan 2023 21:08:43 +0000');
  const payload = 'Content-Type: text/plain; hp="clear"\r\n' + OUTER + '\r\nBody\r\n';
  const { verdict } = await open(await custom(outer, payload));
  assert.deepEqual(verdict.headerProtection?.mismatches, []);
});
