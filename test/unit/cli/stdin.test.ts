// The CLI reads a message from a file redirect and from a pipe identically (regression: a synchronous
// read of a non-blocking pipe could stop early and corrupt a large message).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SIGNET_BIN, signet } from '../../helpers/cli.js';
import { testPki } from '../../helpers/pki.js';

const big =
  'From: a@example.org\r\nSubject: big\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="q"\r\n\r\n--q\r\nContent-Type: text/plain\r\n\r\nhi\r\n' +
  `--q\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n${'QUJD'.repeat(19).concat('\r\n').repeat(60_000)}--q--\r\n`;

test('inspect of a 4.6 MB message: the same report from a file redirect and from a pipe', () => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-cli-'));
  const file = join(dir, 'big.eml');
  writeFileSync(file, big);
  const fromFile = spawnSync('bash', ['-c', `"${process.execPath}" "${SIGNET_BIN}" inspect --json < "${file}"`]);
  const fromPipe = signet(['inspect', '--json'], big);
  assert.equal(fromFile.status, 0, fromFile.stderr.toString());
  assert.equal(fromPipe.status, 0, fromPipe.stderr);
  const a = JSON.parse(fromFile.stdout.toString());
  const b = JSON.parse(fromPipe.stdout.toString());
  assert.deepEqual(a, b);
  assert.equal(a.root.children.length, 2);
  assert.equal(a.root.size, Buffer.byteLength(big));
});

test('--help exits 0, no command exits 2, unknown option exits 2 with a usage code', () => {
  assert.equal(signet(['--help']).status, 0);
  assert.equal(signet([]).status, 2);
  const r = signet(['inspect', '--to', 'x']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /\[usage\]/);
});

// Standard output is written with blocking write(2) calls (bin.ts writeStdout): a reader that stops early
// gives a clear io error and exit status 2, not an unhandled EPIPE stack trace.
test('a reader that closes the pipe early: "standard output was closed" [io], exit 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-cli-'));
  const file = join(dir, 'big.eml');
  writeFileSync(file, big);
  // 6 MB of encrypted output into a 64 KB pipe whose reader leaves after 10 bytes.
  const r = spawnSync('bash', ['-c', `"${process.execPath}" "${SIGNET_BIN}" encrypt --to "${testPki().users.bob.certPath}" < "${file}" | head -c 10 > /dev/null; echo "status=\${PIPESTATUS[0]}"`]);
  assert.equal(r.stdout.toString().trim(), 'status=2');
  // One line ending in the error code (the CLI's contract: `signet: <sentence> [code]`).
  assert.match(r.stderr.toString(), /^signet: [^\n]+ \[io\]$/m);
  assert.doesNotMatch(r.stderr.toString(), /Unhandled|node:events/);
});
