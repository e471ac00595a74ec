// Runs the compiled test files (lib/test/**/*.test.js) with Node's built-in test runner.
// Test files are TypeScript under test/, type-checked and compiled by `npm run build:lib` first, so the
// tests exercise the same compiled modules that `bin/signet.cjs` ships.
//
//   node scripts/run-tests.js [--fast] [--list] [substring ...]
//
// substring  run only the files whose path contains one of them (e.g. `corpus`, `unit/mime`).
// --fast     run only the pure tests: files whose imports (followed through the compiled test helpers
//            and src/) never reach node:child_process, playwright-core or webpack — no OpenSSL, gpgsm,
//            NSS, webpack, CLI child process or browser. `npm run test:fast` uses it.
// --list     print each selected file with its tier (fast / full) and the reason, and run nothing.
//
// Shared set-up, done once per run instead of once per test process:
// - the OpenSSL test PKI (test/helpers/pki.ts) is built into a temp folder named by SIGNET_TEST_PKI;
//   every process copies it (tests add to the CA's index, so processes never share one folder);
// - the production webpack build of the workbench for the browser tests (test/e2e) runs in the background
//   into a folder named by SIGNET_E2E_DIST while the other tests run; the e2e files run afterwards and
//   each takes a copy (test/helpers/workbench.ts, buildForBrowser).
// A test file run directly (`node --test lib/test/…`) builds its own, as before.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';

const root = 'lib/test';
const args = process.argv.slice(2);
const fast = args.includes('--fast');
const list = args.includes('--list');
const only = args.filter((a) => !a.startsWith('--'));

const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.js') && (only.length === 0 || only.some((o) => p.includes(o)))) files.push(p);
  }
})(root);
if (files.length === 0) {
  console.error('no test files found under ' + root + (only.length ? ` matching ${only.join(', ')}` : ''));
  process.exit(1);
}

// --- Tiers: a static walk of each compiled file's imports ---------------------------------------------
/** Modules that mean a test leaves the process: another program, a bundler or a browser. */
const SLOW_MODULES = new Set(['node:child_process', 'child_process', 'playwright-core', 'webpack', 'webpack-cli']);
const IMPORT = /(?:^|[\s;])(?:import|export)\s+(?:[^'";]*?\sfrom\s*)?['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g;
const slowReason = new Map();
function whySlow(file, seen = new Set()) {
  if (slowReason.has(file)) return slowReason.get(file);
  if (seen.has(file)) return null;
  seen.add(file);
  let reason = null;
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2];
    if (SLOW_MODULES.has(spec)) reason = spec;
    else if (spec.startsWith('.')) {
      const inner = whySlow(resolve(dirname(file), spec), seen);
      if (inner) reason = `${inner} via ${spec}`;
    }
    if (reason) break;
  }
  slowReason.set(file, reason);
  return reason;
}
const tiers = files.map((f) => ({ file: f, slow: whySlow(resolve(f)) }));
if (list) {
  for (const t of tiers) console.log(`${t.slow ? 'full' : 'fast'}  ${t.file}${t.slow ? `  (${t.slow.split(' via ').reverse().join(' → ')})` : ''}`);
  const n = tiers.filter((t) => !t.slow).length;
  console.log(`# ${n} fast, ${tiers.length - n} full-only`);
  process.exit(0);
}
const selected = fast ? tiers.filter((t) => !t.slow) : tiers;
if (selected.length === 0) {
  console.error('no fast test files among the selection');
  process.exit(1);
}
// The browser tests run last, in a second `node --test`: they wait for the shared webpack build started
// below, and Node's runner sorts the files it is given (lib/test/e2e would come second), so one
// invocation would park both worker slots on the wait.
const isE2e = (f) => f.startsWith(join(root, 'e2e') + '/');
const phases = [selected.filter((t) => !isE2e(t.file)), selected.filter((t) => isE2e(t.file))].filter((p) => p.length > 0);

const cleanup = [];
const env = { ...process.env };
const started = Date.now();

// --- One OpenSSL test PKI per run ---------------------------------------------------------------------
if (selected.some((t) => t.slow) && !env.SIGNET_TEST_PKI) {
  const { buildTestPki, TEST_PKI_ENV } = await import(pathToFileURL(resolve(root, 'helpers/pki.js')).href);
  const dir = mkdtempSync(join(tmpdir(), 'signet-pki-run-'));
  cleanup.push(dir);
  const t0 = Date.now();
  buildTestPki(dir);
  env[TEST_PKI_ENV] = dir;
  console.log(`# test PKI built once for this run in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${dir}`);
}

// --- One production webpack build for the browser tests ------------------------------------------------
let webpackDone = Promise.resolve();
if (selected.filter((t) => isE2e(t.file)).length > 1 && !env.SIGNET_E2E_DIST) {
  const dir = mkdtempSync(join(tmpdir(), 'signet-e2e-shared-'));
  const dist = join(dir, 'dist');
  cleanup.push(dir);
  env.SIGNET_E2E_DIST = dist;
  const t0 = Date.now();
  const log = [];
  const child = spawn(process.execPath, ['node_modules/webpack-cli/bin/cli.js', '--mode', 'production', '--env', 'workbench', '--env', `modules=${join(dist, 'build-modules')}`, '--output-path', dist], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d) => log.push(d));
  child.stderr.on('data', (d) => log.push(d));
  webpackDone = new Promise((done) => {
    child.on('close', (code) => {
      // The marker files are what buildForBrowser() waits for.
      if (code === 0) writeFileSync(join(dir, 'complete'), '');
      else writeFileSync(join(dir, 'failed'), `webpack exited with ${code}:\n${Buffer.concat(log).toString()}`);
      console.log(`# shared webpack build for test/e2e ${code === 0 ? 'done' : 'FAILED'} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      done();
    });
  });
}

let status = 0;
for (const phase of phases) {
  // Both phases run even when the first fails, so one run reports every failure.
  const code = await new Promise((done) => {
    const child = spawn(process.execPath, ['--test', '--test-concurrency=2', ...phase.map((t) => t.file)], { stdio: 'inherit', env });
    child.on('close', (c) => done(c ?? 1));
  });
  if (code !== 0) status = code;
}
await webpackDone;
for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
console.log(`# ${selected.length} test files${fast ? ' (fast tier)' : ''} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(status);
