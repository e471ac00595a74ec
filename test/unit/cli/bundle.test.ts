// The published `signet` (bin/signet.js) runs the esbuild bundle lib/cli/ (scripts/bundle-cli.js), not
// the tsc output the other CLI tests run: rebuilt here from the current sources, it must sign, encrypt,
// verify and decrypt exactly like the compiled modules, keep `--help` to the small entry file (the heavy
// modules are lazy chunks), and read a pipe as well as a file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { testPki, PASS } from '../../helpers/pki.js';

const BIN = resolve('bin/signet.js');
const OUT = resolve('lib/cli');

function run(args: string[], input: Uint8Array | string): { status: number; stdout: Buffer; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { input, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr.toString() };
}

test('bin/signet.js runs the bundle: sign, encrypt, verify and decrypt round trip; --help loads only the entry', async () => {
  const { bundleCli } = (await import(pathToFileURL(resolve('scripts/bundle-cli.js')).href)) as { bundleCli: (out?: string) => Promise<unknown> };
  await bundleCli(OUT);
  const files = readdirSync(OUT);
  assert.ok(files.includes('signet.js'));
  assert.ok(files.filter((f) => f.startsWith('chunk-')).length >= 3, 'lazily loaded chunks');
  // The entry holds argument parsing and usage, not pkijs/asn1js (which are hundreds of KB).
  assert.ok(statSync(join(OUT, 'signet.js')).size < 32 * 1024, `entry is ${statSync(join(OUT, 'signet.js')).size} bytes`);
  assert.doesNotMatch(readFileSync(join(OUT, 'signet.js'), 'latin1'), /AlgorithmIdentifier|fromBER/);

  const help = run(['--help'], '');
  assert.equal(help.status, 0);
  assert.match(help.stdout.toString(), /^Usage:\n {2}signet sign/);

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
});
