// 25 MB contents (Exchange allows 150 MB): one digest pass, one copy into the output, no quadratic
// reassembly. Bounds are generous for slow CI machines; the measured times are printed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signContent } from '../../../src/core/cms/sign.js';
import { verifySignedData } from '../../../src/core/cms/verify.js';
import { testPki } from '../../helpers/pki.js';
import { config, identityOf, openssl, provider, tmpFile } from './helpers.js';

const MB25 = 25 * 1024 * 1024;

test('25 MB: opaque and detached sign and verify each well under the bound', async () => {
  const pki = testPki();
  const big = new Uint8Array(MB25).map((_, i) => i & 0xff);
  const identity = identityOf('alice');
  await signContent(new Uint8Array(1), { identity }, provider); // warm up key import

  for (const detached of [false, true]) {
    let t = performance.now();
    const der = await signContent(big, { identity, detached }, provider);
    const signMs = performance.now() - t;
    t = performance.now();
    const r = await verifySignedData(der, { detachedContent: detached ? big : undefined, anchors: [pki.rootDer], config: config() }, provider);
    const verifyMs = performance.now() - t;
    assert.equal(r.signers[0]!.status, 'valid');
    if (!detached) assert.equal(r.eContent!.length, MB25);
    console.log(`25 MB ${detached ? 'detached' : 'opaque'}: sign ${signMs.toFixed(0)} ms, verify ${verifyMs.toFixed(0)} ms`);
    assert.ok(signMs < 3000 && verifyMs < 3000);
  }
});

test('25 MB streamed by openssl (indefinite length, ~6400 chunks) verifies within the bound', async () => {
  const pki = testPki();
  const big = new Uint8Array(MB25).map((_, i) => (i * 7) & 0xff);
  const der = new Uint8Array(
    openssl(['cms', '-sign', '-binary', '-nodetach', '-stream', '-outform', 'DER', '-in', tmpFile('big.bin', big),
      '-signer', pki.users.carol.certPath, '-inkey', pki.users.carol.keyPath, '-certfile', pki.intermediatePath]),
  );
  const t = performance.now();
  const r = await verifySignedData(der, { anchors: [pki.rootDer], config: config() }, provider);
  const ms = performance.now() - t;
  console.log(`25 MB openssl -stream verify: ${ms.toFixed(0)} ms`);
  assert.equal(r.signers[0]!.status, 'valid');
  assert.equal(r.eContent!.length, MB25);
  assert.ok(ms < 3000);
});
