// The published `signet` (bin/signet.cjs) runs the esbuild bundle lib/cli/signet.cjs (scripts/bundle-cli.js)
// with V8's code cache, not the tsc output the other CLI tests run: rebuilt here from the current sources,
// it must sign, encrypt, verify and decrypt exactly like the compiled modules, read a pipe as well as a
// file, write a code cache per command that later runs use, and survive a damaged cache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { testPki, PASS } from '../../helpers/pki.js';

const BIN = resolve('bin/signet.cjs');
const OUT = resolve('lib/cli');
const CACHE = join(OUT, 'code-cache');

function run(args: string[], input: Uint8Array | string): { status: number; stdout: Buffer; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { input, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr.toString() };
}

test('bin/signet.cjs runs the bundle with a code cache per command: sign, encrypt, verify and decrypt round trip', async () => {
  const { bundleCli } = (await import(pathToFileURL(resolve('scripts/bundle-cli.js')).href)) as { bundleCli: (out?: string) => Promise<unknown> };
  await bundleCli(OUT);
  assert.deepEqual(readdirSync(OUT), ['signet.cjs'], 'one script, and no code cache of an earlier build');
  const size = statSync(join(OUT, 'signet.cjs')).size;

  const help = run(['--help'], '');
  assert.equal(help.status, 0);
  assert.match(help.stdout.toString(), /^Usage:\n {2}signet sign/);
  // The first run of a command leaves its cache, named after the bundle it belongs to.
  const other = readdirSync(CACHE).filter((f) => f.startsWith(`other-${size}-`) && f.endsWith('.bin'));
  assert.equal(other.length, 1, readdirSync(CACHE).join(', '));
  const otherFile = join(CACHE, other[0]!);
  const firstCache = readFileSync(otherFile);
  assert.ok(firstCache.length > 10_000, `a real cache (${firstCache.length} bytes)`);
  // A cache V8 accepts is used as it is: the second run does not rewrite it.
  const before = statSync(otherFile).mtimeMs;
  assert.equal(run(['--help'], '').status, 0);
  assert.equal(statSync(otherFile).mtimeMs, before, 'an accepted cache is left alone');
  // A damaged cache (same length, other bytes) is rejected by V8's checks: the command still works, and
  // the cache is written anew.
  writeFileSync(otherFile, Buffer.alloc(firstCache.length, 0x5a));
  const damaged = run(['--help'], '');
  assert.equal(damaged.status, 0, damaged.stderr);
  assert.match(damaged.stdout.toString(), /^Usage:/);
  assert.notEqual(readFileSync(otherFile)[0], 0x5a, 'the damaged cache was replaced');
  // SIGNET_CODE_CACHE=0 neither reads nor writes one.
  const off = spawnSync(process.execPath, [BIN, 'inspect', '--json'], { input: 'Subject: x\r\n\r\nx\r\n', env: { ...process.env, SIGNET_CODE_CACHE: '0' } });
  assert.equal(off.status, 0, off.stderr.toString());
  assert.ok(!readdirSync(CACHE).some((f) => f.startsWith('inspect-')), 'no inspect cache with the cache off');

  const pki = testPki();
  const msg =
    'From: Alice <alice@example.org>\r\nTo: Bob <bob@example.org>\r\nSubject: bundle\r\nMIME-Version: 1.0\r\n' +
    `Content-Type: text/plain; charset=utf-8\r\n\r\n${'A line of the bundled round trip.\r\n'.repeat(40_000)}`;
  const signed = run(['sign', '--identity', pki.users.alice.p12Path, '--pass', PASS], msg);
  assert.equal(signed.status, 0, signed.stderr);
  const enc = run(['encrypt', '--to', pki.users.bob.certPath, '--cipher', 'aes-256-cbc'], signed.stdout);
  assert.equal(enc.status, 0, enc.stderr);
  // A file on standard input takes the other read path than the pipes above.
  const file = join(mkdtempSync(join(tmpdir(), 'signet-bundle-')), 'enc.eml');
  writeFileSync(file, enc.stdout);
  const verified = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" verify --json --offline --trust "${pki.rootPath}" --identity "${pki.users.bob.p12Path}" --pass ${PASS} < "${file}"`]);
  assert.equal(verified.status, 0, verified.stderr.toString());
  const verdict = JSON.parse(verified.stdout.toString()) as { status: string; signer: { email: string } };
  assert.equal(verdict.status, 'valid');
  assert.equal(verdict.signer.email, 'alice@example.org');
  const dec = run(['decrypt', '--identity', pki.users.bob.p12Path, '--pass', PASS], enc.stdout);
  assert.equal(dec.status, 0, dec.stderr);
  assert.ok(dec.stdout.equals(signed.stdout), 'decrypt gives back the signed message byte for byte');
  // A run that writes more than 8 MB turns on V8's gc() (src/cli/node-gc.ts) and then writes the cache at
  // exit: V8 stamps a cache with its flags, so it must still be one a fresh process accepts.
  const signCache = (): string => join(CACHE, readdirSync(CACHE).find((f) => f.startsWith('sign-'))!);
  rmSync(signCache());
  const large = msg.replace('bundle', 'large') + 'A line of a message over 8 MB.\r\n'.repeat(300_000);
  assert.equal(run(['sign', '--identity', pki.users.alice.p12Path, '--pass', PASS], large).status, 0);
  const written = statSync(signCache()).mtimeMs;
  assert.equal(run(['sign', '--identity', pki.users.alice.p12Path, '--pass', PASS], msg).status, 0);
  assert.equal(statSync(signCache()).mtimeMs, written, 'the cache written after gc() was turned on is accepted');
  const caches = readdirSync(CACHE).filter((f) => f.endsWith('.bin')).map((f) => f.split('-')[0]).sort();
  assert.deepEqual(caches, ['decrypt', 'encrypt', 'other', 'sign', 'verify']);
  assert.ok(!readdirSync(CACHE).some((f) => f.endsWith('.tmp')), 'no temporary file left');
});
