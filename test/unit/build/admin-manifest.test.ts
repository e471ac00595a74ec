// docs/ADMIN.md, "What the built manifest declares", against the manifest the production build writes
// (issue 14 item 9): every row of that table is compared with rewriteManifest's output for the policies
// in docs/policies/ and with the constants the build and the run-time checks use (permissionFor,
// MANIFEST_MAILBOX_MIN, the policy default send mode), so the admin guide cannot drift from the manifest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseHost, permissionFor, rewriteManifest } from '../../../src/build/deploy.js';
import { MANIFEST_MAILBOX_MIN } from '../../../src/outlook/requirements.js';
import { DEFAULT_POLICY, parsePolicy, type Policy } from '../../../src/policy/index.js';
import { findAll, parseXml, type XmlElement } from '../manifest/xml.js';

const repo = new URL('../../../../', import.meta.url);
const admin = readFileSync(new URL('docs/ADMIN.md', repo), 'utf8');
const devManifest = readFileSync(new URL('manifest.xml', repo), 'utf8');
const HOST = 'https://signet.contoso.example';

/** The table under "### What the built manifest declares": first cell → second cell. */
function table(): Map<string, string> {
  const start = admin.indexOf('### What the built manifest declares');
  assert.ok(start >= 0, 'ADMIN.md has the section');
  const rows = new Map<string, string>();
  for (const line of admin.slice(start).split('\n').slice(1)) {
    if (/^#{2,3} /.test(line)) break;
    const m = /^\| (.+?) \| (.+) \|$/.exec(line);
    if (m && m[1] !== 'manifest' && !m[1]!.startsWith('---')) rows.set(m[1]!, m[2]!);
  }
  return rows;
}
const row = (rows: Map<string, string>, key: string): string => {
  const v = rows.get(key);
  assert.ok(v !== undefined, `ADMIN.md's manifest table has a row "${key}"`);
  return v;
};
/** The `code` spans of a cell, in order. */
const codes = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

const policy = (name: string): Policy => parsePolicy(readFileSync(new URL(`docs/policies/${name}`, repo), 'utf8')).policy;
const built = (p: Policy): XmlElement => parseXml(rewriteManifest(devManifest, parseHost(HOST), { sendMode: p.sendGuard.mode, permissions: permissionFor(p) }));
const all = (doc: XmlElement, local: string): XmlElement[] => findAll(doc, (e) => e.local === local);

test('ADMIN.md: the permission row names what the build writes with and without Graph', () => {
  const cell = row(table(), '`<Permissions>`');
  const graph = policy('always-sign.json');
  const onPremises = policy('on-premises.json');
  assert.notEqual(graph.graph, null);
  assert.equal(onPremises.graph, null);
  const withGraph = all(built(graph), 'Permissions').map((e) => e.text);
  const without = all(built(onPremises), 'Permissions').map((e) => e.text);
  assert.deepEqual(withGraph, ['ReadWriteItem']);
  assert.deepEqual(without, ['ReadWriteMailbox']);
  assert.match(cell, new RegExp(`^\`${withGraph[0]}\` when the policy has a Graph app registration; \`${without[0]}\` when \`graph\` is \`null\``));
});

test('ADMIN.md: the requirement-set rows match <Requirements> and VersionOverrides, and section 6 agrees', () => {
  const rows = table();
  const doc = built(DEFAULT_POLICY);
  const sets = all(doc, 'Set').filter((e) => e.attrs.has('MinVersion'));
  assert.deepEqual(sets.map((e) => [e.attrs.get('Name'), e.attrs.get('MinVersion')]), [['Mailbox', MANIFEST_MAILBOX_MIN]]);
  assert.equal(codes(row(rows, '`<Requirements>` Mailbox `MinVersion`'))[0], MANIFEST_MAILBOX_MIN);
  const defaults = [...new Set(all(doc, 'Sets').filter((e) => e.attrs.has('DefaultMinVersion')).map((e) => e.attrs.get('DefaultMinVersion')))];
  assert.equal(defaults.length, 1, 'one DefaultMinVersion for both VersionOverrides');
  assert.equal(codes(row(rows, 'add-in commands and events (`VersionOverrides`) `DefaultMinVersion`'))[0], defaults[0]);
  // Section 6's prose says the same numbers.
  const m = /the manifest asks for Mailbox ([\d.]+) only \(its buttons and events for ([\d.]+),/.exec(admin);
  assert.ok(m, 'section 6 states the minimums');
  assert.deepEqual([m[1], m[2]], [MANIFEST_MAILBOX_MIN, defaults[0]]);
});

test('ADMIN.md: launch events, send mode, shared folders, runtimes, form factors and NAA match the manifest', () => {
  const rows = table();
  const doc = built(DEFAULT_POLICY);
  const events = all(doc, 'LaunchEvent');
  assert.deepEqual(codes(row(rows, '`LaunchEvent` types')).sort(), [...new Set(events.map((e) => e.attrs.get('Type')!))].sort());
  const sendModes = events.filter((e) => e.attrs.get('Type') === 'OnMessageSend').map((e) => e.attrs.get('SendMode'));
  assert.deepEqual(sendModes, [DEFAULT_POLICY.sendGuard.mode]);
  const sendRow = row(rows, '`OnMessageSend` `SendMode`');
  assert.match(sendRow, /the policy's `sendGuard\.mode`/);
  assert.equal(codes(sendRow).at(-1), DEFAULT_POLICY.sendGuard.mode);
  // A policy's Block is what the built manifest then says.
  const blocking = { ...DEFAULT_POLICY, sendGuard: { ...DEFAULT_POLICY.sendGuard, mode: 'Block' as const } };
  assert.deepEqual(all(built(blocking), 'LaunchEvent').filter((e) => e.attrs.get('Type') === 'OnMessageSend').map((e) => e.attrs.get('SendMode')), ['Block']);

  const shared = [...new Set(all(doc, 'SupportsSharedFolders').map((e) => e.text))];
  assert.deepEqual(shared, [codes(row(rows, '`SupportsSharedFolders`'))[0]]);

  const urls = new Map(all(doc, 'Url').map((e) => [e.attrs.get('id'), e.attrs.get('DefaultValue')]));
  const runtime = all(doc, 'Runtime')[0]!;
  const override = all(runtime, 'Override')[0]!;
  assert.equal(override.attrs.get('type'), 'javascript');
  const runtimeCell = codes(row(rows, 'event runtimes'));
  assert.deepEqual(
    [urls.get(runtime.attrs.get('resid')), urls.get(override.attrs.get('resid'))],
    [`${HOST}/${runtimeCell[0]}`, `${HOST}/${runtimeCell[1]}`],
  );
  assert.equal(runtimeCell[2], '<Override type="javascript">');

  assert.deepEqual(all(doc, 'AppDomain').map((e) => e.text), [HOST]);
  const factors = [...new Set(findAll(doc, (e) => /FormFactor$/.test(e.local)).map((e) => e.local))];
  assert.deepEqual(factors, codes(row(rows, 'form factors')).filter((c) => c.endsWith('FormFactor')));
  assert.match(row(rows, 'Nested App Authentication'), /^nothing in the manifest \(no `WebApplicationInfo`\)/);
  assert.deepEqual(all(doc, 'WebApplicationInfo'), []);
});
