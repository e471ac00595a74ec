// The support matrix (issue 14 item 2) without a browser: the committed record (docs/support-matrix.json,
// written by test/e2e/profiles.test.ts) agrees with what the profile data predicts, and the tables in
// README.md and docs/ADMIN.md are exactly what that record renders to. Plus the profile data itself: every
// client has a source for its values, and the fake Office hides exactly what isSetSupported denies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PROFILES } from '../../../workbench/profiles.js';
import { committedMatrix, predictedStatus, renderMatrix, type RecordedResults } from '../../../workbench/support-matrix.js';
import { gateItem } from '../../../workbench/fake-office.js';
import { MAILBOX_API, compareVersions } from '../../../src/outlook/requirements.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const results = JSON.parse(readFileSync(`${ROOT}docs/support-matrix.json`, 'utf8')) as RecordedResults;

test('the recorded matrix has a row for every profile, and each cell is what the profile data predicts', () => {
  for (const p of PROFILES) {
    const row = results.rows[p.id];
    assert.ok(row, `${p.id}: not in docs/support-matrix.json (run test/e2e/profiles.test.ts)`);
    assert.deepEqual({ read: row.read.status, send: row.send.status, guard: row.guard.status, shared: row.shared.status }, predictedStatus(p), p.id);
    for (const cell of Object.values(row)) if (cell.status !== 'yes') assert.ok(cell.note.length > 0, `${p.id}: a "${cell.status}" without a reason`);
  }
});

test('README.md and docs/ADMIN.md carry exactly the table the record renders to', () => {
  const table = renderMatrix(results);
  for (const doc of ['README.md', 'docs/ADMIN.md']) assert.equal(committedMatrix(readFileSync(`${ROOT}${doc}`, 'utf8')), table, `${doc}: regenerate with the profiles e2e test`);
});

test('every profile cites its sources and names a real Mailbox requirement set', () => {
  const ids = new Set<string>();
  for (const p of PROFILES) {
    assert.ok(!ids.has(p.id), `duplicate ${p.id}`);
    ids.add(p.id);
    assert.match(p.mailbox, /^1\.(?:[1-9]|1[0-6])$/, p.id);
    assert.match(p.notes, /\[RS\]/, `${p.id}: the requirement-set page is its source`);
    if (p.smartAlerts.supported) {
      assert.ok(compareVersions(p.mailbox, '1.12') >= 0, `${p.id}: Smart Alerts need Mailbox 1.12`);
      assert.match(p.notes, /\[SA\]/);
    }
    if (p.takeAction) assert.ok(compareVersions(p.mailbox, MAILBOX_API.smartAlertsTakeAction) >= 0, `${p.id}: Take Action needs 1.14`);
  }
});

test('the fake Office hides exactly the members above the simulated Mailbox set (as isSetSupported would say)', () => {
  const compose = { saveAsync() {}, sessionData: {}, closeAsync() {}, getAttachmentsAsync() {}, from: {}, subject: {} };
  const read = { getAttachmentContentAsync() {}, getAsFileAsync() {}, from: {}, subject: 'x' };
  const at = (v: string) => ({ mailboxVersion: v, addFileAttachmentHangs: false });
  assert.equal(gateItem(compose, at('1.9')).sessionData, undefined);
  assert.equal('sessionData' in gateItem(compose, at('1.9')), false);
  assert.equal(gateItem(compose, at('1.9')).getAttachmentsAsync, compose.getAttachmentsAsync);
  assert.equal(gateItem(compose, at('1.11')).sessionData, compose.sessionData);
  assert.equal(gateItem(compose, at('1.13')).closeAsync, undefined);
  assert.equal(gateItem(compose, at('1.6')).from, undefined, 'compose from is Mailbox 1.7');
  assert.equal(gateItem(read, at('1.6')).from, read.from, 'read from is Mailbox 1.0');
  assert.equal(gateItem(read, at('1.6')).getAttachmentContentAsync, undefined);
  assert.equal(gateItem(read, at('1.13')).getAsFileAsync, undefined);
  assert.equal(gateItem(read, at('1.14')).getAsFileAsync, read.getAsFileAsync);
  assert.equal(gateItem(read, at('1.6')).subject, 'x');
});

test('addFileAttachmentAsync never calls back where the client hangs on S/MIME compose (office-js #3363)', async () => {
  const compose = { saveAsync() {} } as { saveAsync(): void; addFileAttachmentAsync?: (u: string, n: string, cb: (r: unknown) => void) => void };
  let called = false;
  gateItem(compose, { mailboxVersion: '1.16', addFileAttachmentHangs: true }).addFileAttachmentAsync!('https://x.example/a', 'a', () => (called = true));
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(called, false);
  gateItem(compose, { mailboxVersion: '1.16', addFileAttachmentHangs: false }).addFileAttachmentAsync!('https://x.example/a', 'a', () => (called = true));
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(called, true);
});
