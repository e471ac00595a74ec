// Roots a user explicitly trusts in the pane (issue 3, anchors (c)): only self-signed, currently valid CA
// certificates are accepted, all-or-nothing per file; they become anchors for verification; removing one
// stops trusting it; a damaged store trusts nothing instead of throwing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { cryptoProvider } from '../../../src/core/crypto.js';
import { SignetError } from '../../../src/core/errors.js';
import { toHex } from '../../../src/core/bytes.js';
import { openMessage } from '../../../src/core/smime/open.js';
import { protectMessage } from '../../../src/core/smime/protect.js';
import { loadIdentities } from '../../../src/keys/identity-file.js';
import { USER_ROOTS_KEY, distrustUserRoot, listUserRoots, trustUserRoots, userRootDer, type RootStorage } from '../../../src/taskpane/user-roots.js';
import { testPki } from '../../helpers/pki.js';

function memoryStorage(): RootStorage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v) };
}

const provider = cryptoProvider();

async function sha256(der: Uint8Array): Promise<string> {
  return toHex(await provider.crypto.subtle.digest('SHA-256', der as Uint8Array<ArrayBuffer>));
}

test('a self-signed CA root is trusted, listed with its fingerprint, and verifies a message chained to it', async () => {
  const pki = testPki();
  const storage = memoryStorage();
  const added = await trustUserRoots(storage, readFileSync(pki.rootPath), provider);
  assert.equal(added.length, 1);
  assert.equal(added[0]!.sha256, await sha256(pki.rootDer));
  assert.deepEqual(listUserRoots(storage).map((r) => r.sha256), [added[0]!.sha256]);

  const alice = pki.users.alice;
  const [identity] = await loadIdentities(readFileSync(alice.identityPemPath), undefined, provider);
  const message = new TextEncoder().encode(`From: ${alice.email}\r\nTo: bob@example.org\r\nSubject: hi\r\nContent-Type: text/plain\r\n\r\nhello\r\n`);
  const signed = await protectMessage(message, { sign: { identity: identity! } });
  const trusted = await openMessage(signed, { anchors: userRootDer(storage), offline: true });
  assert.equal(trusted.verdict.status, 'valid');
  const none = await openMessage(signed, { anchors: [], offline: true });
  assert.equal(none.verdict.status, 'untrusted');

  // Adding the same root again adds nothing; removing it stops trusting it.
  assert.equal((await trustUserRoots(storage, readFileSync(pki.rootPath), provider)).length, 0);
  assert.equal(distrustUserRoot(storage, added[0]!.sha256), true);
  assert.equal(distrustUserRoot(storage, added[0]!.sha256), false);
  assert.equal(userRootDer(storage).length, 0);
});

test('an intermediate, an end-entity certificate or an expired root is refused and nothing is stored', async () => {
  const pki = testPki();
  const storage = memoryStorage();
  await assert.rejects(trustUserRoots(storage, pki.intermediateDer, provider), (e: unknown) => e instanceof SignetError && e.code === 'usage' && /intermediate/.test(e.message));
  await assert.rejects(trustUserRoots(storage, pki.users.alice.certDer, provider), (e: unknown) => e instanceof SignetError && e.code === 'usage' && /not a certificate authority/.test(e.message));
  await assert.rejects(trustUserRoots(storage, readFileSync(pki.rootPath), provider, new Date('2200-01-01T00:00:00Z')), (e: unknown) => e instanceof SignetError && /not valid now/.test(e.message));
  // A file with a good root and an intermediate: all or nothing.
  const both = Buffer.concat([readFileSync(pki.rootPath), readFileSync(pki.intermediatePath)]);
  await assert.rejects(trustUserRoots(storage, both, provider), (e: unknown) => e instanceof SignetError && e.code === 'usage');
  assert.equal(storage.map.size, 0);
  await assert.rejects(trustUserRoots(storage, new TextEncoder().encode('not a certificate'), provider), SignetError);
});

test('a damaged store trusts nothing and does not throw', () => {
  const storage = memoryStorage();
  storage.setItem(USER_ROOTS_KEY, '{not json');
  assert.deepEqual(listUserRoots(storage), []);
  storage.setItem(USER_ROOTS_KEY, JSON.stringify([{ der: '!!!', sha256: 'x', subject: 'y' }, 42]));
  assert.equal(listUserRoots(storage).length, 1);
  assert.deepEqual(userRootDer(storage), []);
});
