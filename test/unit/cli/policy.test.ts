// `signet verify --policy FILE`: a helpdesk verifies with exactly the organisation's anchors and rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testPki } from '../../helpers/pki.js';
import { signet, verifyJson } from '../../helpers/cli.js';

const pki = testPki();
const dir = mkdtempSync(join(tmpdir(), 'signet-policy-cli-'));
const alice = pki.users.alice;

function signed(md = 'sha256'): Buffer {
  const r = spawnSync('openssl', ['cms', '-sign', '-binary', '-md', md, '-signer', alice.certPath, '-inkey', alice.keyPath, '-certfile', pki.intermediatePath,
    '-from', 'alice@example.org', '-to', 'bob@example.org', '-subject', 'policy'], { input: 'Content-Type: text/plain\r\n\r\nhello\r\n' });
  assert.equal(r.status, 0, r.stderr.toString());
  return r.stdout;
}

function policyFile(name: string, doc: object): string {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(doc));
  return p;
}

const root = readFileSync(pki.rootPath, 'utf8');

test('the policy\'s own anchor makes the message valid without --trust', () => {
  const p = policyFile('ok.json', { policyVersion: 1, trust: { anchors: [root], includeBuiltinRoots: false } });
  const j = verifyJson(signed(), ['--offline', '--policy', p]);
  assert.equal(j.verdict.status, 'valid');
  assert.equal(j.status, 0);
  assert.equal(verifyJson(signed(), ['--offline']).verdict.status, 'untrusted');
});

test('the policy\'s algorithm rules apply: SHA-1 allowed only when the policy says allowInsecureSha1', () => {
  const strict = policyFile('strict.json', { policyVersion: 1, trust: { anchors: [root], includeBuiltinRoots: false } });
  assert.equal(verifyJson(signed('sha1'), ['--offline', '--policy', strict]).verdict.code, 'insecure-algorithm');
  const legacy = policyFile('legacy.json', { policyVersion: 1, trust: { anchors: [root], includeBuiltinRoots: false }, algorithms: { allowInsecureSha1: true } });
  assert.equal(verifyJson(signed('sha1'), ['--offline', '--policy', legacy]).verdict.status, 'valid');
});

test('an invalid policy is a usage error (exit 2) naming the bad field, not a silent fallback', () => {
  const bad = policyFile('bad.json', { policyVersion: 1, revocation: { mode: 'sometimes' } });
  const r = signet(['verify', '--offline', '--policy', bad], signed());
  assert.equal(r.status, 2);
  assert.match(r.stderr, /\[usage\]/);
  assert.match(r.stderr, /\$\.revocation\.mode/);
});
