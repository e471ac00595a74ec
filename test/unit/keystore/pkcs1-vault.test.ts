// The RSAES-PKCS1-v1_5 session vault (src/keys/store/pkcs1-vault.ts): the worker protocol (VaultCore.handle)
// unlocks only with the right passphrase and the certificate's own key, decrypts wrapped content keys, and
// no reply ever carries key material; the page-side client (workerVault) over a message channel that
// structured-clones like postMessage: locked without starting the worker, error codes kept, a dead worker
// fails pending calls and counts as locked. The real Worker in Chromium is tested in test/e2e/keystore.test.ts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { rsaesPkcs1v15Encrypt } from '../../../src/core/cms/rsaes-pkcs1-v1_5.js';
import { resolveConfig } from '../../../src/core/config.js';
import { isSignetError, type ErrorCode } from '../../../src/core/errors.js';
import { parseCertificate } from '../../../src/core/pki/certificate.js';
import { encryptPkcs8 } from '../../../src/keys/store/encrypted-private-key.js';
import { VaultCore, workerVault, type VaultPort, type VaultReply, type VaultRequest } from '../../../src/keys/store/pkcs1-vault.js';
import { PASS, containsBytes, openssl, pemToDer, provider, testPki } from './helpers.js';

interface Party {
  certificate: Uint8Array;
  pkcs8: Uint8Array;
  locked: Uint8Array;
  spki: Uint8Array;
}

async function party(name: 'alice' | 'bob'): Promise<Party> {
  const u = testPki().users[name];
  const certificate = pemToDer(readFileSync(u.certPath, 'latin1'));
  const pkcs8 = new Uint8Array(openssl(['pkcs8', '-topk8', '-nocrypt', '-in', u.keyPath, '-outform', 'DER']));
  const locked = await encryptPkcs8(pkcs8, PASS, provider);
  const spki = parseCertificate(certificate, resolveConfig().limits).publicKey.der;
  return { certificate, pkcs8, locked, spki };
}

function wrapped(p: Party, cek: Uint8Array): Uint8Array {
  return rsaesPkcs1v15Encrypt(p.spki, cek, provider.crypto);
}

function failed(reply: VaultReply, code: ErrorCode): void {
  assert.equal(reply.ok, false, JSON.stringify(reply));
  if (!reply.ok) assert.equal(reply.error.code, code, reply.error.message);
}

test('vault protocol: key-locked before unlock, wrong passphrase, another certificate, then decrypt and lock; no reply carries the key', async () => {
  const alice = await party('alice');
  const bob = await party('bob');
  const core = new VaultCore(provider);
  const replies: VaultReply[] = [];
  const send = async (r: VaultRequest): Promise<VaultReply> => {
    const reply = structuredClone(await core.handle(structuredClone(r)));
    replies.push(reply);
    assert.equal(reply.seq, r.seq);
    return reply;
  };
  const cek = provider.crypto.getRandomValues(new Uint8Array(32));
  const encryptedKey = wrapped(alice, cek);

  failed(await send({ op: 'decrypt', seq: 1, id: 'alice', encryptedKey, expectedLength: 32 }), 'key-locked');
  failed(await send({ op: 'unlock', seq: 2, id: 'alice', lockedKey: alice.locked, certificate: alice.certificate, passphrase: 'wrong' }), 'bad-passphrase');
  failed(await send({ op: 'unlock', seq: 3, id: 'alice', lockedKey: alice.locked, certificate: bob.certificate, passphrase: PASS }), 'key-mismatch');
  assert.equal(core.isUnlocked('alice'), false);

  assert.deepEqual(await send({ op: 'unlock', seq: 4, id: 'alice', lockedKey: alice.locked, certificate: alice.certificate, passphrase: PASS }), { seq: 4, ok: true, result: null });
  const r = await send({ op: 'decrypt', seq: 5, id: 'alice', encryptedKey, expectedLength: 32 });
  assert.ok(r.ok);
  assert.deepEqual(r.result, cek);
  // Bob's key was never unlocked: his mail stays locked even with Alice's unlocked.
  failed(await send({ op: 'decrypt', seq: 6, id: 'bob', encryptedKey: wrapped(bob, cek), expectedLength: 32 }), 'key-locked');

  assert.deepEqual(await send({ op: 'lock', seq: 7, id: 'alice' }), { seq: 7, ok: true, result: null });
  failed(await send({ op: 'decrypt', seq: 8, id: 'alice', encryptedKey, expectedLength: 32 }), 'key-locked');
  failed(await send({ op: 'export', seq: 9, id: 'alice' } as unknown as VaultRequest), 'internal');

  // What left the vault: null results, error texts, and the one content key, never the PKCS#8.
  const results = replies.flatMap((x) => (x.ok && x.result ? [x.result] : []));
  assert.deepEqual(results, [cek]);
  for (const x of replies) assert.deepEqual(Object.keys(x).sort(), x.ok ? ['ok', 'result', 'seq'] : ['error', 'ok', 'seq']);
  for (const x of replies) if (!x.ok) assert.deepEqual(Object.keys(x.error).sort(), ['code', 'message']);
});

/** A VaultPort over a VaultCore with structured cloning both ways, as postMessage does; `kill` plays a crashed worker. */
function simulatedWorker(): { port: VaultPort; core: VaultCore; kill: () => void; posted: VaultRequest[]; terminated: () => boolean } {
  const core = new VaultCore(provider);
  const onMessage: ((event: { data: unknown }) => void)[] = [];
  const onError: ((event: unknown) => void)[] = [];
  const posted: VaultRequest[] = [];
  let dead = false;
  let terminated = false;
  const port: VaultPort = {
    terminate() {
      terminated = true;
      core.lock();
    },
    postMessage(message: VaultRequest) {
      posted.push(message);
      const copy = structuredClone(message);
      if (dead) return;
      void core.handle(copy).then((reply) => {
        if (!dead) for (const l of onMessage) l({ data: structuredClone(reply) });
      });
    },
    addEventListener(type: 'message' | 'error', listener: (event: never) => void) {
      (type === 'message' ? onMessage : onError).push(listener as never);
    },
  };
  return { port, core, posted, terminated: () => terminated, kill: () => ((dead = true), onError.forEach((l) => l({}))) };
}

async function rejectsWith(p: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isSignetError(e), String(e));
    assert.equal(e.code, code, e.message);
    return true;
  });
}

test('workerVault: locked without starting the worker; codes kept; decrypt through the worker; a dead worker fails pending calls and locks', async () => {
  const alice = await party('alice');
  const cek = provider.crypto.getRandomValues(new Uint8Array(16));
  const encryptedKey = wrapped(alice, cek);
  let started = 0;
  let sim = simulatedWorker();
  const vault = workerVault(() => {
    started++;
    sim = simulatedWorker();
    return sim.port;
  });

  await rejectsWith(vault.decrypt('alice', encryptedKey, 16), 'key-locked');
  assert.equal(started, 0, 'nothing unlocked: the worker is not even started');

  await rejectsWith(vault.unlock('alice', alice.locked, alice.certificate, 'wrong'), 'bad-passphrase');
  assert.equal(started, 1);
  assert.equal(vault.isUnlocked('alice'), false);
  await vault.unlock('alice', alice.locked, alice.certificate, PASS);
  assert.equal(vault.isUnlocked('alice'), true);
  assert.deepEqual(await vault.decrypt('alice', encryptedKey, 16), cek);
  // The page only ever posted the protected copy, never a clear key.
  assert.ok(!sim.posted.some((m) => m.op === 'unlock' && containsBytes(m.lockedKey, alice.pkcs8.subarray(100, 132))));

  await vault.lock('alice');
  assert.equal(sim.core.isUnlocked('alice'), false, 'lock reaches the worker, which wipes the key');
  await rejectsWith(vault.decrypt('alice', encryptedKey, 16), 'key-locked');

  // The worker dies while a decryption is pending: the call fails (internal) and the key counts as locked.
  await vault.unlock('alice', alice.locked, alice.certificate, PASS);
  const pending = vault.decrypt('alice', encryptedKey, 16);
  sim.kill();
  await rejectsWith(pending, 'internal');
  assert.equal(vault.isUnlocked('alice'), false);
  assert.equal(sim.terminated(), true, 'the failed worker is terminated, not left holding the key');
  // The next unlock starts a fresh worker.
  await vault.unlock('alice', alice.locked, alice.certificate, PASS);
  assert.equal(started, 2);
  assert.deepEqual(await vault.decrypt('alice', encryptedKey, 16), cek);
});

test('workerVault: a browser that cannot start the worker gets a clear internal error, not a crash', async () => {
  const alice = await party('alice');
  const vault = workerVault(() => {
    throw new Error('SecurityError: workers are blocked');
  });
  await assert.rejects(vault.unlock('alice', alice.locked, alice.certificate, PASS), (e: unknown) => isSignetError(e, 'internal') && /could not start/.test(e.message));
  assert.equal(vault.isUnlocked('alice'), false);
});
