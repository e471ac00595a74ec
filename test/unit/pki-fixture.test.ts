import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { testPki } from '../helpers/pki.js';

test('the generated test PKI chains alice to the root and refuses expired for time', () => {
  const pki = testPki();
  const out = execFileSync('openssl', ['verify', '-CAfile', pki.rootPath, '-untrusted', pki.intermediatePath, '-purpose', 'smimesign', pki.users.alice.certPath]).toString();
  assert.match(out, /: OK/);
  assert.throws(() =>
    execFileSync('openssl', ['verify', '-CAfile', pki.rootPath, '-untrusted', pki.intermediatePath, pki.users.expired.certPath], { stdio: 'pipe' }),
  );
  assert.equal(pki.users.carol.keyPkcs8[0], 0x30);
});
