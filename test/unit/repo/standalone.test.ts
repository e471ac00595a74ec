// The repository stands on its own: a plain clone passes its tests and explains itself. No code or test
// reads files from outside the repository (the corpora once lived in a sibling folder of the project that only
// the project's own machines had); every "rule N" that code cites exists in docs/ARCHITECTURE.md with that
// number; docs/DEVELOPING.md's Layout names every folder there is, and only those.
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

/** The folders the Layout block of docs/DEVELOPING.md lists: the first word of each line, ending in '/'. */
function layoutFolders(doc: string): string[] {
  const section = doc.slice(doc.indexOf('## Layout'));
  const block = /```\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return [...block.matchAll(/^(\S+\/)\s/gm)].map((m) => m[1]!);
}

test('docs/DEVELOPING.md Layout: every listed folder exists, and every top-level, src/ and test/ folder is listed', () => {
  const listed = layoutFolders(readFileSync(join(ROOT, 'docs', 'DEVELOPING.md'), 'utf8'));
  assert.ok(listed.length >= 20, `only ${listed.length} folders listed`);
  const exists = (folder: string): boolean => existsSync(join(ROOT, folder)) && statSync(join(ROOT, folder)).isDirectory();
  assert.deepEqual(listed.filter((f) => !exists(f)), [], 'listed but missing');
  const named = new Set(listed);
  const folders = (dir: string): string[] =>
    readdirSync(join(ROOT, dir))
      .filter((n) => !GENERATED.has(n) && statSync(join(ROOT, dir, n)).isDirectory())
      .map((n) => (dir === '' ? `${n}/` : `${dir}/${n}/`));
  const top = folders('');
  assert.ok(top.includes('src/') && top.includes('test/'));
  // A top-level folder is listed by itself or through its sub-folders (src/ and test/ list theirs).
  const unlisted = [...top.filter((f) => ![...named].some((n) => n.startsWith(f))), ...folders('src'), ...folders('test')].filter((f) => !named.has(f));
  assert.deepEqual(unlisted, [], 'folders the Layout does not name');
});

test('the README is the user guide and points to docs/DEVELOPING.md for the developer guide', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  assert.match(readme, /\]\(docs\/DEVELOPING\.md\)/);
  assert.ok(!readme.includes('### Layout'), 'the layout lives in docs/DEVELOPING.md');
  assert.ok(!readme.includes('scripts/run-tests.js --list'), 'the test runner is documented in docs/DEVELOPING.md');
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
