// Header protection on the send path (compose/header-choice.ts, compose/protect-draft.ts): the policy's
// defaults (signed-header protection on, encrypted Subject only when the organisation opts in), the
// per-message switch, and the policy setting $.headerProtection (src/policy/policy.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { webcrypto } from 'node:crypto';
import { cryptoProvider } from '../../../src/core/crypto.js';
import { openMessage } from '../../../src/core/smime/open.js';
import { protectDraft } from '../../../src/compose/protect-draft.js';
import { headerChoice, headerProtectionFor } from '../../../src/compose/header-choice.js';
import { staticServices } from '../../../src/compose/services.js';
import { DEFAULT_POLICY, validatePolicy } from '../../../src/policy/policy.js';
import { loadCertificates, loadIdentities } from '../../../src/keys/identity-file.js';
import { draft } from '../../helpers/drafts.js';

const provider = cryptoProvider(webcrypto as unknown as Crypto);
const DIR = 'test/fixtures/corpus/rfc9216/';
const anchors = loadCertificates(new Uint8Array(readFileSync(DIR + 'Sample_LAMPS_RSA_Certification_Authority.selfsigned.pem')));
const NOW = new Date('2023-01-11T21:08:43Z');
const GRAPH = { transport: 'ews' as const, maxMessageBytes: 10 * 1024 * 1024 };
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

async function setup() {
  const alice = (await loadIdentities(new Uint8Array(readFileSync(DIR + 'alice@smime.example.sig.pem')), undefined, provider))[0]!;
  const services = staticServices({ identities: [alice] });
  const d = draft({ from: { name: 'Alice', address: 'alice@smime.example' }, to: [{ name: 'Alice', address: 'alice@smime.example' }], subject: 'Handling the Jones contract' });
  return { alice, services, d };
}

test('policy defaults: header protection on, encrypted Subject off, legacy display on', () => {
  assert.deepEqual(DEFAULT_POLICY.headerProtection, { enabled: true, encryptSubject: false, legacyDisplay: true });
  assert.deepEqual(headerChoice(DEFAULT_POLICY.headerProtection, null), { enabled: true, hideSubject: false, legacyDisplay: true });
});

test('the per-message switch overrides the policy either way, and hiding the Subject turns protection on', () => {
  const off = { enabled: false, encryptSubject: false, legacyDisplay: false };
  assert.deepEqual(headerChoice(off, 'on'), { enabled: true, hideSubject: true, legacyDisplay: false });
  assert.deepEqual(headerChoice({ enabled: true, encryptSubject: true, legacyDisplay: true }, 'off'), { enabled: true, hideSubject: false, legacyDisplay: true });
  assert.equal(headerChoice(off, null).enabled, false);
  // A policy object without the setting (embedded before it existed) gets the documented defaults.
  assert.deepEqual(headerChoice(undefined, null), { enabled: true, hideSubject: false, legacyDisplay: true });
  assert.equal(headerProtectionFor(headerChoice(off, null), { sign: true, encrypt: false }), undefined);
  assert.deepEqual(headerProtectionFor(headerChoice(off, 'on'), { sign: true, encrypt: false }), { hcp: 'no-confidentiality' });
  assert.deepEqual(headerProtectionFor(headerChoice(off, 'on'), { sign: true, encrypt: true }), { hcp: 'baseline', legacyDisplay: false });
});

test('policy $.headerProtection is validated field by field; a wrong type keeps the default and names the path', () => {
  const ok = validatePolicy({ policyVersion: 1, headerProtection: { encryptSubject: true, legacyDisplay: false } });
  assert.deepEqual(ok.errors, []);
  assert.deepEqual(ok.policy.headerProtection, { enabled: true, encryptSubject: true, legacyDisplay: false });
  const bad = validatePolicy({ policyVersion: 1, headerProtection: { enabled: 'yes', hideEverything: true } });
  assert.deepEqual(bad.errors.map((e) => [e.path, e.code]).sort(), [
    ['$.headerProtection.enabled', 'type'],
    ['$.headerProtection.hideEverything', 'unknown-field'],
  ]);
  assert.equal(bad.policy.headerProtection.enabled, true);
});

test('compose, signed with the policy default: hp="clear" inside, the Subject readable outside and signed', async () => {
  const { services, d } = await setup();
  const out = await protectDraft({ draft: d, protection: { sign: true, encrypt: false }, services, limit: GRAPH, build: { now: NOW }, headers: headerChoice(DEFAULT_POLICY.headerProtection, null), provider });
  assert.deepEqual(out.headerProtection, { hp: 'clear', subjectHidden: false });
  const wire = dec(out.message);
  assert.match(wire, /^Subject: Handling the Jones contract\r$/m);
  assert.match(wire, /hp="clear"/);
  const { verdict } = await openMessage(out.message, { anchors, provider, at: NOW });
  assert.equal(verdict.status, 'valid');
  assert.equal(verdict.headerProtection?.subject, 'Handling the Jones contract');
});

test('compose, encrypted with the switch on: "[...]" on the wire, the real Subject inside, read back as hidden in transit', async () => {
  const { alice, services, d } = await setup();
  const out = await protectDraft({ draft: d, protection: { sign: true, encrypt: true }, services, limit: GRAPH, build: { now: NOW }, headers: headerChoice(DEFAULT_POLICY.headerProtection, 'on'), provider });
  assert.deepEqual(out.headerProtection, { hp: 'cipher', subjectHidden: true });
  const wire = dec(out.message);
  assert.match(wire, /^Subject: \[\.\.\.\]\r$/m);
  assert.doesNotMatch(wire, /Jones/);
  const { verdict } = await openMessage(out.message, { anchors, provider, at: NOW, identities: [alice] });
  assert.equal(verdict.status, 'valid');
  assert.equal(verdict.headerProtection?.subject, 'Handling the Jones contract');
  assert.deepEqual(verdict.headerProtection?.hidden, [{ field: 'subject', outer: '[...]' }]);
  assert.equal(verdict.headerProtection?.legacyDisplay, 'agrees');
});

test('compose, encrypted with the policy default (no opt-in): hp="cipher", Subject still readable outside', async () => {
  const { services, d } = await setup();
  const out = await protectDraft({ draft: d, protection: { sign: true, encrypt: true }, services, limit: GRAPH, build: { now: NOW }, headers: headerChoice(DEFAULT_POLICY.headerProtection, null), provider });
  assert.deepEqual(out.headerProtection, { hp: 'cipher', subjectHidden: false });
  assert.match(dec(out.message), /^Subject: Handling the Jones contract\r$/m);
});

test('compose without a header choice: no header protection (unchanged S/MIME)', async () => {
  const { services, d } = await setup();
  const out = await protectDraft({ draft: d, protection: { sign: true, encrypt: false }, services, limit: GRAPH, build: { now: NOW }, provider });
  assert.equal(out.headerProtection, null);
  assert.doesNotMatch(dec(out.message), /hp="/);
});
