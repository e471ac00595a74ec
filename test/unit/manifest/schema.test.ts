// manifest.xml against the [MS-OWEMXML] content models (schema.ts: the offline equivalent of Microsoft's
// XSDs, see docs/ADMIN.md), plus the checks that what the code registers matches what the manifest names:
// function names bound with Office.actions.associate, control ids, and the pages behind FunctionFile and
// Runtime resources. manifest.test.ts holds the resid, icon and command-list checks; this file does not
// repeat them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findAll, parseXml, type XmlElement } from './xml.js';
import { validateManifest } from './schema.js';
import { COMMANDS } from '../../../src/commands/commands.js';

const repo = new URL('../../../../', import.meta.url);
const source = readFileSync(new URL('manifest.xml', repo), 'utf8');

test('manifest.xml conforms to the MailApp 1.1 / VersionOverrides 1.0+1.1 content models', () => {
  assert.deepEqual(validateManifest(source), []);
});

test('the schema check catches what Outlook would reject', () => {
  const cases: [string, (s: string) => string, RegExp][] = [
    ['element out of order', (s) => s.replace(/(<ProviderName>[^<]*<\/ProviderName>)\s*(<Version>[^<]*<\/Version>)?/, '$1').replace('<Id>', '<ProviderName>x</ProviderName><Id>'), /not allowed here|missing <Version>/],
    ['Permissions outside its enumeration', (s) => s.replace('<Permissions>ReadItem</Permissions>', '<Permissions>ReadEverything</Permissions>'), /Permissions.*must be one of/],
    ['SupportsPinning in the 1.0 copy', (s) => s.replace('<SourceLocation resid="Taskpane.Url"/>', '<SourceLocation resid="Taskpane.Url"/><SupportsPinning>true</SupportsPinning>'), /SupportsPinning.*not allowed here/],
    ['a control without Supertip', (s) => s.replace(/<Supertip>[\s\S]*?<\/Supertip>/, ''), /missing <Supertip>/],
    ['an unknown attribute', (s) => s.replace('<Group id="signetReadGroup">', '<Group id="signetReadGroup" colour="red">'), /attribute colour is not allowed/],
    ['an unknown xsi:type', (s) => s.replace('xsi:type="ExecuteFunction"', 'xsi:type="RunScript"'), /xsi:type "RunScript" is not one of/],
    ['a bad Id', (s) => s.replace(/<Id>[^<]*<\/Id>/, '<Id>not-a-guid</Id>'), /must be a GUID/],
    ['a missing DefaultValue', (s) => s.replace(/<DisplayName DefaultValue="Signet"\/>/, '<DisplayName/>'), /missing attribute DefaultValue/],
    ['an element in the wrong namespace', (s) => s.replace('<bt:Images>', '<Images>').replace('</bt:Images>', '</Images>'), /not allowed here/],
  ];
  for (const [what, mutate, expected] of cases) {
    const mutated = mutate(source);
    assert.notEqual(mutated, source, `${what}: the mutation did not apply`);
    const errors = validateManifest(mutated);
    assert.ok(errors.some((e) => expected.test(e)), `${what}: expected ${expected}, got ${JSON.stringify(errors)}`);
  }
});

/** Names bound with Office.actions.associate anywhere in src/ (string literals) plus src/commands' COMMANDS. */
function boundFunctionNames(): Set<string> {
  const names = new Set(Object.keys(COMMANDS));
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts')) {
        for (const m of readFileSync(p, 'utf8').matchAll(/Office\.actions\.associate\(\s*['"]([^'"]+)['"]/g)) names.add(m[1]!);
      }
    }
  };
  walk(fileURLToPath(new URL('src/', repo)));
  return names;
}

test('every FunctionName and LaunchEvent handler in the manifest is bound by the code', () => {
  const bound = boundFunctionNames();
  const root = parseXml(source);
  const named = [
    ...findAll(root, (e) => e.local === 'FunctionName').map((e) => e.text.trim()),
    ...findAll(root, (e) => e.local === 'LaunchEvent' && e.attrs.has('FunctionName')).map((e) => e.attrs.get('FunctionName')!),
  ];
  assert.ok(named.length > 0);
  for (const name of named) assert.ok(bound.has(name), `manifest names ${name}, but no Office.actions.associate binds it`);
});

test('control and group ids are unique within each form factor', () => {
  const root = parseXml(source);
  for (const formFactor of findAll(root, (e) => e.local === 'DesktopFormFactor' || e.local === 'MobileFormFactor')) {
    const ids = findAll(formFactor, (e) => (e.local === 'Control' || e.local === 'Group' || e.local === 'Item') && e.attrs.has('id')).map((e) => e.attrs.get('id')!);
    assert.deepEqual(ids, [...new Set(ids)], `duplicate ids under line ${formFactor.line}: ${ids.join(', ')}`);
  }
});

test('FunctionFile and Runtime resources name pages that webpack builds', () => {
  const config = readFileSync(new URL('webpack.config.js', repo), 'utf8');
  const pages = new Set([...config.matchAll(/filename:\s*'([^']+\.html)'/g)].map((m) => m[1]!));
  assert.ok(pages.has('commands.html') && pages.has('taskpane.html'), `webpack pages: ${[...pages].join(', ')}`);
  const root = parseXml(source);
  for (const vo of findAll(root, (e) => e.local === 'VersionOverrides')) {
    const urls = new Map(
      findAll(vo, (e) => e.local === 'Url' && e.attrs.has('id')).map((e: XmlElement) => [e.attrs.get('id')!, e.attrs.get('DefaultValue')!]),
    );
    const pageRefs = findAll(vo, (e) => (e.local === 'FunctionFile' || e.local === 'Runtime') && e.attrs.has('resid'));
    for (const ref of pageRefs) {
      const url = urls.get(ref.attrs.get('resid')!);
      if (url === undefined) continue; // a resid of the nested copy: checked in its own Resources by manifest.test.ts
      const page = new URL(url).pathname.slice(1);
      assert.ok(pages.has(page), `<${ref.local}> (line ${ref.line}) loads ${page}, which webpack does not build`);
    }
  }
});
