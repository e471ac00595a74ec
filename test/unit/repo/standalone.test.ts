// The repository stands on its own: a plain clone passes its tests and explains itself. No code or test
// reads files from outside the repository (the corpora once lived in a sibling folder of the project that only
// the project's own machines had); every "rule N" that code cites exists in docs/ARCHITECTURE.md with that
// number; the README's Layout names every top-level folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** lib/test/unit/repo/standalone.test.js → the repository root. */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
/** Folders that are generated or installed, never committed (.gitignore). */
const GENERATED = new Set(['node_modules', 'lib', 'dist', 'artifacts', '.workbench', '.git']);

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (!GENERATED.has(name) && relative(ROOT, p) !== join('test', 'fixtures')) sources(p, out);
    } else if (/\.(ts|tsx|js|mjs|cjs|json|html|md|xml|sh)$/.test(name) || name === 'run') out.push(p);
  }
  return out;
}

const CODE_DIRS = ['src', 'workbench', 'test', 'scripts', 'bench', 'bin', '.ci'];
const codeFiles = CODE_DIRS.filter((d) => existsSync(join(ROOT, d))).flatMap((d) => sources(join(ROOT, d)));

test('no code, test or script reads outside the repository (a sibling folder, absolute paths)', () => {
  assert.ok(codeFiles.length > 100, `only ${codeFiles.length} files scanned`);
  const offenders: string[] = [];
  for (const f of codeFiles) {
    if (f.endsWith('standalone.test.ts')) continue; // this file names the patterns it forbids
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/\.\.\/shared\b|['"`]\/work\//g)) {
      const line = text.slice(0, m.index).split('\n').length;
      offenders.push(`${relative(ROOT, f)}:${line}: ${m[0]}`);
    }
  }
  assert.deepEqual(offenders, []);
});

test('the corpora are inside the repository, each with a licence and a source record', () => {
  const corpus = join(ROOT, 'test', 'fixtures', 'corpus');
  assert.ok(existsSync(join(corpus, 'README.md')));
  for (const source of ['thunderbird', 'bouncycastle', 'rfc4134', 'rfc9216']) {
    const names = readdirSync(join(corpus, source));
    assert.ok(names.includes('SOURCE.txt'), `${source}: SOURCE.txt`);
    assert.ok(names.some((n) => /^LICENSE/.test(n)), `${source}: a LICENSE file`);
  }
});

test('every "rule N" cited from ARCHITECTURE.md is one of its numbered security rules, and nothing cites a document outside the repository', () => {
  const arch = readFileSync(join(ROOT, 'docs', 'ARCHITECTURE.md'), 'utf8');
  const section = arch.slice(arch.indexOf('## 4. Security rules'), arch.indexOf('## 5.'));
  const numbers = [...section.matchAll(/^(\d+)\. \*\*/gm)].map((m) => Number(m[1]));
  assert.deepEqual(numbers, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  const cited = new Set<number>();
  for (const f of [...codeFiles, ...sources(join(ROOT, 'docs')), join(ROOT, 'README.md'), join(ROOT, 'eslint.config.js')]) {
    const text = readFileSync(f, 'utf8');
    // The team's shared design notes live outside this repository; code and docs cite ARCHITECTURE.md.
    const outside = ['DESIGN', 'md'].join('.');
    assert.ok(!text.includes(outside), `${f} cites ${outside}, which is not in the repository`);
    for (const m of text.matchAll(/ARCHITECTURE\.md\)?,? rules? (\d+)/g)) cited.add(Number(m[1]));
  }
  assert.ok(cited.size >= 5, `only ${cited.size} distinct rules cited`);
  for (const n of cited) assert.ok(numbers.includes(n), `rule ${n} is cited but ARCHITECTURE.md has no rule ${n}`);
});

test("the README's Layout names every top-level folder", () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const layout = readme.slice(readme.indexOf('### Layout'));
  assert.ok(layout.length > 200, 'README has a Layout section');
  const folders = readdirSync(ROOT).filter((n) => !GENERATED.has(n) && statSync(join(ROOT, n)).isDirectory());
  assert.ok(folders.includes('src') && folders.includes('test'));
  const missing = folders.filter((n) => !new RegExp(`(^|[\\s\`])${n.replace('.', '\\.')}/`, 'm').test(layout));
  assert.deepEqual(missing, []);
  const testFolders = readdirSync(join(ROOT, 'test')).filter((n) => statSync(join(ROOT, 'test', n)).isDirectory());
  assert.deepEqual(testFolders.filter((n) => !layout.includes(`test/${n}/`)), []);
});

test('src/ holds only what ships: nothing in it imports workbench/ or reads a workbench page global', () => {
  const offenders: string[] = [];
  for (const f of sources(join(ROOT, 'src'))) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/from\s+'[^']*\/workbench\/[^']*'|import\(\s*'[^']*\/workbench\/|signetWorkbench/g)) {
      offenders.push(`${relative(ROOT, f)}:${text.slice(0, m.index).split('\n').length}: ${m[0]}`);
    }
  }
  assert.deepEqual(offenders, []);
  assert.ok(existsSync(join(ROOT, 'workbench', 'tsconfig.json')), 'workbench/ has its own tsconfig.json');
  assert.ok(!existsSync(join(ROOT, 'src', 'workbench')), 'the workbench lives outside src/');
});
