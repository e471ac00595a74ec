// Every manifest the project produces — the development manifest.xml and the production manifest for each
// policy in docs/policies/ — validates with xmllint against Microsoft's [MS-OWEMXML] XSDs
// (schema/office-addin-manifest/microsoft) completed by the current specification's types
// (schema/office-addin-manifest/extension). schema.test.ts keeps the hand-written content-model checks and
// the cross-checks a schema cannot express.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { completedSchema, prepareSchemas, validateWithXsd } from '../../../src/build/manifest-xsd.js';
import { parseHost, permissionFor, readPolicyFile, rewriteManifest } from '../../../src/build/deploy.js';

const repo = new URL('../../../../', import.meta.url);
const source = readFileSync(new URL('manifest.xml', repo), 'utf8');
const schemas = prepareSchemas();
test.after(() => rmSync(schemas, { recursive: true, force: true }));

test('the development manifest.xml validates against the XSDs', () => {
  assert.deepEqual(validateWithXsd(source, schemas), []);
});

test('the production manifest for every policy in docs/policies validates against the XSDs', () => {
  const dir = new URL('docs/policies/', repo);
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  assert.ok(files.length >= 5, `expected the documented policies, found ${files.join(', ')}`);
  const target = parseHost('https://signet.contoso.com/addin/');
  for (const f of files) {
    const { policy, errors } = readPolicyFile(new URL(f, dir).pathname);
    assert.deepEqual(errors, [], `${f} is a valid policy`);
    const xml = rewriteManifest(source, target, { sendMode: policy.sendGuard.mode, permissions: permissionFor(policy) });
    assert.deepEqual(validateWithXsd(xml, schemas), [], `${f}: production manifest`);
  }
});

test("Microsoft's 2018 edition alone rejects the manifest at <Runtimes>: the extension is what admits it", () => {
  // The unmodified Microsoft set, read straight from the repository (not the completed copy).
  const ms = new URL('schema/office-addin-manifest/microsoft/OfficeAppManifestV1_1.xsd', repo).pathname;
  const r = spawnSync('xmllint', ['--noout', '--nonet', '--schema', ms, '-'], { input: source, encoding: 'utf8' });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /Element '\{http:\/\/schemas\.microsoft\.com\/office\/mailappversionoverrides\/1\.1\}Runtimes': This element is not expected/);
});

test('the completed schema replaces MailHost and appends the new types, leaving the rest of Microsoft\'s text', () => {
  const ms = readFileSync(new URL('schema/office-addin-manifest/microsoft/MailAppVersionOverridesV1_1.xsd', repo), 'utf8');
  const ext = readFileSync(new URL('schema/office-addin-manifest/extension/MailAppVersionOverridesV1_1.current.xsd', repo), 'utf8');
  const out = completedSchema(ms, ext);
  assert.equal(out.match(/<xs:complexType name="MailHost">/g)?.length, 1);
  for (const t of ['Runtimes', 'Runtime', 'RuntimeOverride', 'LaunchEvent', 'LaunchEvents', 'LaunchEventDefinition', 'FormFactorWithSupportsSharedFolders']) {
    assert.equal(out.match(new RegExp(`<xs:complexType name="${t}">`, 'g'))?.length, 1, t);
  }
  assert.ok(out.includes('<xs:complexType name="VersionOverridesV1_1">'), 'Microsoft types kept');
  // Every type of the extension cites the specification.
  const comments = ext.match(/<!--[\s\S]*?-->\s*<xs:(complexType|simpleType) name="/g) ?? [];
  const types = ext.match(/^ {2}<xs:(complexType|simpleType) name="/gm) ?? [];
  assert.equal(comments.length, types.length);
  for (const c of comments) assert.match(c, /\[MS-OWEMXML\]/);
});

test('xmllint rejects what Outlook would reject', () => {
  const cases: [string, (s: string) => string, RegExp][] = [
    ['an unknown SendMode', (s) => s.replace('SendMode="SoftBlock"', 'SendMode="Maybe"'), /SendMode.*Maybe/],
    ['Runtimes after DesktopFormFactor', (s) => s.replace(/(<Runtimes>[\s\S]*?<\/Runtimes>)(\s*)(<DesktopFormFactor>[\s\S]*?<\/DesktopFormFactor>)(?=\s*<\/Host>\s*<\/Hosts>\s*<Resources>\s*<bt:Images>[\s\S]*JSRuntime)/, '$3$2$1'), /Runtimes/],
    ['a runtime override of another type', (s) => s.replace('<Override type="javascript"', '<Override type="python"'), /python/],
    ['LaunchEvents without SourceLocation', (s) => s.replace(/(<\/LaunchEvents>)\s*<SourceLocation resid="Runtime.Url"\/>/, '$1'), /LaunchEvents|SourceLocation|Missing child/],
    ['a LaunchEvent without FunctionName', (s) => s.replace('FunctionName="onMessageSendHandler" ', ''), /FunctionName/],
    ['SupportsSharedFolders after the extension points', (s) => s.replace(/(<DesktopFormFactor>[\s\S]*?)(<\/DesktopFormFactor>\s*<\/Host>\s*<\/Hosts>\s*<Resources>\s*<bt:Images>[\s\S]*JSRuntime)/, '$1<SupportsSharedFolders>true</SupportsSharedFolders>$2'), /SupportsSharedFolders/],
    ['Permissions outside its enumeration', (s) => s.replace(/<Permissions>[A-Za-z]+<\/Permissions>/, '<Permissions>ReadEverything</Permissions>'), /Permissions/],
    ['a bad Id', (s) => s.replace(/<Id>[^<]*<\/Id>/, '<Id>not-a-guid</Id>'), /Id/],
  ];
  for (const [what, mutate, expected] of cases) {
    const mutated = mutate(source);
    assert.notEqual(mutated, source, `${what}: the mutation did not apply`);
    const errors = validateWithXsd(mutated, schemas);
    assert.ok(errors.length > 0 && errors.some((e) => expected.test(e)), `${what}: expected ${expected}, got ${JSON.stringify(errors)}`);
  }
});

test('SupportsSharedFolders anywhere but first in DesktopFormFactor is rejected (the manifest has it first, as Microsoft documents)', () => {
  assert.match(source, /<DesktopFormFactor>\s*(<!--[\s\S]*?-->\s*)?<SupportsSharedFolders>true<\/SupportsSharedFolders>\s*<FunctionFile/);
  const moved = source.replace(/<SupportsSharedFolders>true<\/SupportsSharedFolders>(\s*<FunctionFile resid="Commands.Url"\/>)/, '$1<SupportsSharedFolders>true</SupportsSharedFolders>');
  assert.notEqual(moved, source);
  assert.ok(validateWithXsd(moved, schemas).some((e) => /SupportsSharedFolders/.test(e)));
});
