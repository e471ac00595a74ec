// manifest.xml against the [MS-OWEMXML] content models (schema.ts: the offline equivalent of Microsoft's
// XSDs, see docs/ADMIN.md), plus the checks that what the code registers matches what the manifest names:
// function names bound with Office.actions.associate (by running commands.ts and launchevent.ts against a
// minimal Office global), the Smart Alerts commandId, control ids, and the pages and scripts behind
// FunctionFile and Runtime resources. manifest.test.ts holds the resid, icon and command-list checks; this
// file does not repeat them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findAll, parseXml, type XmlElement } from './xml.js';
import { validateManifest } from './schema.js';

const repo = new URL('../../../../', import.meta.url);
const source = readFileSync(new URL('manifest.xml', repo), 'utf8');

test('manifest.xml conforms to the MailApp 1.1 / VersionOverrides 1.0+1.1 content models', () => {
  assert.deepEqual(validateManifest(source), []);
});

test('the schema check catches what Outlook would reject', () => {
  const cases: [string, (s: string) => string, RegExp][] = [
    ['element out of order', (s) => s.replace(/(<ProviderName>[^<]*<\/ProviderName>)\s*(<Version>[^<]*<\/Version>)?/, '$1').replace('<Id>', '<ProviderName>x</ProviderName><Id>'), /not allowed here|missing <Version>/],
    ['Permissions outside its enumeration', (s) => s.replace('<Permissions>ReadWriteMailbox</Permissions>', '<Permissions>ReadEverything</Permissions>'), /Permissions.*must be one of/],
    ['a LaunchEvent in the 1.0 copy', (s) => s.replace('<ExtensionPoint xsi:type="MessageComposeCommandSurface">', '<ExtensionPoint xsi:type="LaunchEvent"><LaunchEvents><LaunchEvent Type="OnMessageSend" FunctionName="f"/></LaunchEvents><SourceLocation resid="Runtime.Url"/></ExtensionPoint><ExtensionPoint xsi:type="MessageComposeCommandSurface">'), /xsi:type "LaunchEvent" is not one of/],
    ['an unknown SendMode', (s) => s.replace('SendMode="SoftBlock"', 'SendMode="Maybe"'), /SendMode must be one of PromptUser, SoftBlock, Block/],
    ['a LaunchEvent without FunctionName', (s) => s.replace('FunctionName="onMessageSendHandler" ', ''), /missing attribute FunctionName/],
    ['Runtimes after DesktopFormFactor', (s) => s.replace(/(<Runtimes>[\s\S]*?<\/Runtimes>)(\s*)(<DesktopFormFactor>[\s\S]*?<\/DesktopFormFactor>)(?=\s*<\/Host>\s*<\/Hosts>\s*<Resources>\s*<bt:Images>[\s\S]*JSRuntime)/, '$3$2$1'), /Runtimes.*not allowed here/],
    ['a runtime override of another type', (s) => s.replace('<Override type="javascript"', '<Override type="python"'), /type must be one of javascript/],
    ['LaunchEvents without SourceLocation', (s) => s.replace(/(<\/LaunchEvents>)\s*<SourceLocation resid="Runtime.Url"\/>/, '$1'), /missing <SourceLocation>/],
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

type Platform = 'OfficeOnline' | 'PC';

/**
 * The names a compiled module binds with Office.actions.associate when it starts in Outlook on `platform`
 * (OfficeOnline: the browser runtime that loads commands.html; PC: classic Outlook's JavaScript-only
 * runtime that loads launchevent.js). The module runs for real against a minimal Office global whose
 * onReady fires at once, so what is checked is what the code registers, not what a text search finds.
 */
async function associations(module: string, platform: Platform): Promise<Set<string>> {
  const names = new Set<string>();
  const info = { host: 'Outlook', platform };
  (globalThis as { Office?: unknown }).Office = {
    onReady: (callback?: (i: typeof info) => void) => {
      callback?.(info);
      return Promise.resolve(info);
    },
    actions: { associate: (name: string) => void names.add(name) },
    context: { platform, diagnostics: { platform }, requirements: { isSetSupported: () => true } },
    PlatformType: { PC: 'PC', OfficeOnline: 'OfficeOnline', Mac: 'Mac', iOS: 'iOS', Android: 'Android', Universal: 'Universal' },
    HostType: { Outlook: 'Outlook' },
  };
  try {
    // A query string gives a fresh module instance, so each platform sees the module start.
    await import(`${new URL(`../../../src/${module}.js`, import.meta.url).href}?platform=${platform}`);
    await new Promise((r) => setTimeout(r, 10));
  } finally {
    delete (globalThis as { Office?: unknown }).Office;
  }
  return names;
}

const manifestRoot = parseXml(source);
const executeFunctions = findAll(manifestRoot, (e) => e.local === 'FunctionName').map((e) => e.text.trim());
const launchHandlers = findAll(manifestRoot, (e) => e.local === 'LaunchEvent' && e.attrs.has('FunctionName')).map((e) => e.attrs.get('FunctionName')!);

test('the browser runtime (commands.html) binds every FunctionName and LaunchEvent handler, and nothing else', async () => {
  const bound = await associations('commands/commands', 'OfficeOnline');
  assert.ok(executeFunctions.length > 0 && launchHandlers.length > 0);
  for (const name of [...executeFunctions, ...launchHandlers]) assert.ok(bound.has(name), `manifest names ${name}, but commands.html does not bind it with Office.actions.associate`);
  const named = new Set([...executeFunctions, ...launchHandlers]);
  for (const name of bound) assert.ok(named.has(name), `commands.html binds ${name}, which the manifest does not name`);
});

test("classic Outlook's runtime (launchevent.js) binds every LaunchEvent handler", async () => {
  const file = new URL('src/events/launchevent.ts', repo);
  assert.ok(existsSync(file), 'manifest.xml names launchevent.js, built from src/events/launchevent.ts, which does not exist');
  const bound = await associations('events/launchevent', 'PC');
  for (const name of launchHandlers) assert.ok(bound.has(name), `launchevent.js does not bind ${name}: classic Outlook would block every send (SoftBlock) without running Signet`);
});

test('every Smart Alerts commandId in src/events is a task pane button of the compose surface', () => {
  const dir = fileURLToPath(new URL('src/events/', repo));
  const ids: string[] = [];
  const walk = (d: string): void => {
    for (const name of existsSync(d) ? readdirSync(d) : []) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts')) for (const m of readFileSync(p, 'utf8').matchAll(/commandId\s*:\s*['"]([^'"]+)['"]|COMMAND_ID\s*=\s*['"]([^'"]+)['"]/g)) ids.push((m[1] ?? m[2])!);
    }
  };
  walk(dir);
  const panes = new Set(
    findAll(manifestRoot, (e) => e.local === 'ExtensionPoint' && e.attrs.get('xsi:type') === 'MessageComposeCommandSurface')
      .flatMap((surface) => findAll(surface, (c) => c.local === 'Control' && findAll(c, (a) => a.local === 'Action' && a.attrs.get('xsi:type') === 'ShowTaskpane').length > 0))
      .map((c) => c.attrs.get('id')!),
  );
  assert.ok(panes.has('signetComposePaneButton'));
  for (const id of ids) assert.ok(panes.has(id), `src/events uses commandId ${id}, which is no ShowTaskpane button of the compose surface`);
});

test('the event runtimes are what webpack emits: commands.html, and launchevent.js from src/events/launchevent.ts, unhashed', () => {
  const config = readFileSync(new URL('webpack.config.js', repo), 'utf8');
  assert.match(config, /entry:\s*\{\s*launchevent:\s*'\.\/src\/events\/launchevent\.ts'\s*\}/);
  assert.match(config, /const LAUNCHEVENT_FILE = 'launchevent\.js';/);
  assert.match(config, /filename:\s*LAUNCHEVENT_FILE/);
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
