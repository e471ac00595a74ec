// The manifest's requirement declarations and the run-time checks come from one list
// (src/outlook/requirements.ts): these tests fail when either side drifts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MAILBOX_API, MANIFEST_MAILBOX_MIN, SURFACES, compareVersions, surfaceSupport } from '../../../src/outlook/requirements.js';

const repo = new URL('../../../../', import.meta.url);
const manifest = readFileSync(new URL('manifest.xml', repo), 'utf8');

test("the base manifest's Mailbox MinVersion is the list's MANIFEST_MAILBOX_MIN", () => {
  const sets = [...manifest.matchAll(/<Set Name="Mailbox" MinVersion="([0-9.]+)"\/>/g)].map((m) => m[1]);
  assert.deepEqual(sets, [MANIFEST_MAILBOX_MIN]);
});

test('every manifest feature that needs a later set is in the list, with the version Microsoft documents', () => {
  // <SupportsPinning> only works from Mailbox 1.5 (the ItemChanged event the pinned pane follows).
  assert.ok(manifest.includes('<SupportsPinning>true</SupportsPinning>'));
  assert.equal(MAILBOX_API.itemChanged, '1.5');
  // OnMessageSend (Smart Alerts) from Mailbox 1.12: the send guard surface.
  assert.match(manifest, /<LaunchEvent Type="OnMessageSend"/);
  assert.equal(SURFACES.sendGuard.mailbox, '1.12');
  // Each surface minimum is the highest set of the calls it names.
  for (const [name, need] of Object.entries(SURFACES)) {
    const highest = need.needs.map((api) => MAILBOX_API[api]).reduce((a, b) => (compareVersions(a, b) >= 0 ? a : b), '1.1');
    if (need.needs.length > 0) assert.equal(need.mailbox, highest, `${name}: minimum ${need.mailbox} but its calls need ${highest}`);
  }
});

test('no Mailbox version is written as a literal outside the list', () => {
  const src = fileURLToPath(new URL('src/', repo));
  const offenders: string[] = [];
  (function walk(dir: string): void {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) {
        if (name !== 'workbench') walk(p); // the simulated Outlook declares what it supports, by design
      } else if (/\.(ts|tsx)$/.test(name) && !p.endsWith(join('outlook', 'requirements.ts'))) {
        const text = readFileSync(p, 'utf8');
        for (const m of text.matchAll(/(mailboxSupports|isSetSupported)\(\s*(['"]Mailbox['"]\s*,\s*)?['"]1\.\d+['"]/g)) offenders.push(`${p}: ${m[0]}`);
      }
    }
  })(src);
  assert.deepEqual(offenders, []);
});

test('surfaceSupport names what is missing, exactly at the minimum', () => {
  const upTo = (max: string) => (v: string): boolean => compareVersions(v, max) <= 0;
  assert.deepEqual(surfaceSupport('compose', upTo('1.11')), { ok: true });
  const below = surfaceSupport('compose', upTo('1.10'));
  assert.equal(below.ok, false);
  if (!below.ok) {
    assert.equal(below.mailbox, '1.11');
    assert.match(below.sentence, /cannot sign or encrypt/);
    assert.match(below.sentence, /Mailbox requirement set 1\.11/);
  }
  const guard = surfaceSupport('sendGuard', upTo('1.11'));
  assert.equal(guard.ok, false);
  assert.equal(surfaceSupport('read', upTo('1.8')).ok, true);
  assert.equal(surfaceSupport('read', upTo('1.6')).ok, false);
});

test('compareVersions orders requirement sets numerically', () => {
  assert.equal(compareVersions('1.10', '1.9'), 1);
  assert.equal(compareVersions('1.8', '1.8'), 0);
  assert.equal(compareVersions('1.5', '1.14'), -1);
});
