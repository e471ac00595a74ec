// Offline schema validation of add-in manifests with xmllint (Debian: libxml2-utils) against Microsoft's
// [MS-OWEMXML] XSDs kept in schema/office-addin-manifest/microsoft/, completed by the types of the current
// specification that the 2018 edition lacks (schema/office-addin-manifest/extension/, each type citing
// its section). `office-addin-manifest validate` needs Microsoft's online service; this needs nothing.
//
//   npm run validate:xsd [-- more.xml …]   (node lib/src/build/manifest-xsd.js FILE…): exit 0 when every file validates
//
// The hand-written checks in test/unit/manifest/ stay for what a schema cannot express (resids that
// resolve, function names the code registers, requirement sets that match the code).
import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
// Compiled to lib/src/build/: the repository root is three folders up.
const schemaDir = resolve(here, '../../../schema/office-addin-manifest');
const TARGET = 'MailAppVersionOverridesV1_1.xsd';

/** Top-level xs:complexType / xs:simpleType blocks of a schema file (two-space indented, as both files are). */
function topLevelTypes(xsd: string): Map<string, { text: string }> {
  const types = new Map<string, { text: string }>();
  const re = /^ {2}<xs:(complexType|simpleType) name="([^"]+)"[^>]*>[\s\S]*?^ {2}<\/xs:\1>/gm;
  for (const m of xsd.matchAll(re)) types.set(m[2]!, { text: m[0] });
  return types;
}

/** Microsoft's MailAppVersionOverridesV1_1.xsd with the extension's types substituted or appended. */
export function completedSchema(microsoft: string, extension: string): string {
  const own = topLevelTypes(extension);
  if (own.size === 0) throw new Error('the extension schema defines no top-level types');
  let out = microsoft;
  const theirs = topLevelTypes(microsoft);
  const added: string[] = [];
  for (const [name, { text }] of own) {
    const existing = theirs.get(name);
    if (existing) out = out.replace(existing.text, text);
    else added.push(text);
  }
  const close = out.lastIndexOf('</xs:schema>');
  if (close < 0) throw new Error(`${TARGET} has no closing </xs:schema>`);
  return `${out.slice(0, close)}${added.join('\n\n')}\n${out.slice(close)}`;
}

/** A folder with the completed schema set; the caller removes it. */
export function prepareSchemas(): string {
  const dir = mkdtempSync(join(tmpdir(), 'signet-xsd-'));
  const ms = join(schemaDir, 'microsoft');
  for (const f of readdirSync(ms)) if (f.endsWith('.xsd')) copyFileSync(join(ms, f), join(dir, f));
  const ext = readFileSync(join(schemaDir, 'extension', 'MailAppVersionOverridesV1_1.current.xsd'), 'utf8');
  writeFileSync(join(dir, TARGET), completedSchema(readFileSync(join(ms, TARGET), 'utf8'), ext));
  return dir;
}

/**
 * Validates manifest XML text; returns xmllint's error lines (empty when valid). Throws when xmllint is
 * missing, so a machine without it fails loudly instead of passing silently.
 */
export function validateWithXsd(xmlText: string, schemas: string | null = null): string[] {
  const dir = schemas ?? prepareSchemas();
  try {
    const file = join(dir, 'manifest-under-test.xml');
    writeFileSync(file, xmlText);
    const r = spawnSync('xmllint', ['--noout', '--nonet', '--schema', join(dir, 'OfficeAppManifestV1_1.xsd'), file], { encoding: 'utf8' });
    if (r.error) throw new Error(`xmllint could not run (${r.error.message}); install libxml2-utils`);
    if (r.status === 0) return [];
    return r.stderr
      .split('\n')
      .filter((l) => l.includes('error') || l.includes('fails to validate'))
      .map((l) => l.replace(file, 'manifest'));
  } finally {
    if (!schemas) rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    console.error('usage: node lib/src/build/manifest-xsd.js manifest.xml [more.xml …]');
    process.exit(2);
  }
  let failed = false;
  for (const f of files) {
    const errors = validateWithXsd(readFileSync(f, 'utf8'));
    if (errors.length) {
      failed = true;
      console.error(`${f}:\n  ${errors.join('\n  ')}`);
    } else console.log(`${f} validates against [MS-OWEMXML] (Microsoft's XSDs + schema/office-addin-manifest/extension)`);
  }
  process.exit(failed ? 1 : 0);
}
