// Opening large messages off the pane's main thread (issue 17): the worker protocol (open-client.ts ↔
// open-service.ts) run over a real MessageChannel, so structured cloning and transfer behave as between a
// page and its worker. The worker's verdict and content equal the core's on the same bytes; the bytes are
// transferred (the caller's copy is empty), private keys never cross (the page answers key calls), failures
// keep their SignetError code, and the worker is recycled after a large message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { MessageChannel } from 'node:worker_threads';
import { cryptoProvider } from '../../../src/core/crypto.js';
import { defaultConfig } from '../../../src/core/config.js';
import { SignetError } from '../../../src/core/errors.js';
import type { Identity } from '../../../src/core/keys.js';
import { openMessage } from '../../../src/core/smime/open.js';
import { protectMessage } from '../../../src/core/smime/protect.js';
import { loadIdentities } from '../../../src/keys/identity-file.js';
import { PaneOpener, type WorkerLike } from '../../../src/taskpane/open-client.js';
import { extractAll } from '../../../src/taskpane/open-protocol.js';
import { serveOpenRequests, type Endpoint } from '../../../src/taskpane/open-service.js';
import { testPki } from '../../helpers/pki.js';

const provider = cryptoProvider();

/** A worker stand-in: the service on one end of a MessageChannel, the page on the other. */
function channelWorker(log: { started: number; terminated: number }): () => WorkerLike {
  return () => {
    const { port1, port2 } = new MessageChannel();
    serveOpenRequests(port2 as unknown as Endpoint);
    log.started++;
    return {
      postMessage: (m, transfer) => port1.postMessage(m, transfer as never),
      addEventListener: (type: string, l: (e: never) => void) => {
        if (type === 'message') port1.addEventListener('message', l as never);
      },
      terminate: () => {
        log.terminated++;
        port1.close();
        port2.close();
      },
    } as WorkerLike;
  };
}

/** Wraps an identity's key so the test sees every operation the page performs for the worker. */
function counted(id: Identity, calls: string[], buffers: number[] = []): Identity {
  const k = id.privateKey;
  return {
    ...id,
    privateKey: {
      type: k.type,
      bits: k.bits,
      ...(k.namedCurve ? { namedCurve: k.namedCurve } : {}),
      sign: (s, d) => (calls.push('sign'), k.sign(s, d)),
      decryptKeyTransport: (s, d) => (calls.push('decryptKeyTransport'), buffers.push(d.buffer.byteLength), k.decryptKeyTransport(s, d)),
      deriveEcdhSecret: (p) => (calls.push('deriveEcdhSecret'), k.deriveEcdhSecret(p)),
    },
  };
}

async function fixture(): Promise<{ message: Uint8Array; anchors: Uint8Array[]; bob: Identity }> {
  const pki = testPki();
  const [alice] = await loadIdentities(readFileSync(pki.users.alice.identityPemPath), undefined, provider);
  const [bob] = await loadIdentities(readFileSync(pki.users.bob.identityPemPath), undefined, provider);
  const body = 'x'.repeat(200_000);
  const plain = new TextEncoder().encode(`From: ${pki.users.alice.email}\r\nTo: ${pki.users.bob.email}\r\nSubject: big\r\nContent-Type: text/plain\r\n\r\n${body}\r\n`);
  const message = await protectMessage(plain, { sign: { identity: alice! }, encrypt: { recipients: [pki.users.bob.certDer] } });
  return { message, anchors: [pki.rootDer], bob: bob! };
}

test('a signed and encrypted message opened in the worker: same verdict and content as the core, bytes transferred, keys used on the page', async () => {
  const { message, anchors, bob } = await fixture();
  const expected = await openMessage(message.slice(), { anchors, identities: [bob], offline: true, config: defaultConfig });
  assert.equal(expected.verdict.status, 'valid');
  const log = { started: 0, terminated: 0 };
  const opener = new PaneOpener(channelWorker(log), 0, Number.MAX_SAFE_INTEGER);
  const calls: string[] = [];
  const buffers: number[] = [];
  const input = message.slice();
  const got = await opener.open(input, { anchors, identities: [counted(bob, calls, buffers)], config: defaultConfig });
  assert.equal(input.byteLength, 0, 'the message bytes were transferred, not copied');
  assert.deepEqual({ ...got.verdict, checkedAt: null }, { ...expected.verdict, checkedAt: null });
  assert.deepEqual(got.views, extractAll([expected.content]));
  assert.ok(got.views[0] && 'view' in got.views[0] && got.views[0].view.body?.text.startsWith('xxxx'));
  assert.deepEqual(calls, ['decryptKeyTransport']);
  // The encrypted key crossed alone (its own small buffer), not with the whole message it is a view on.
  assert.deepEqual(buffers, [bob.privateKey.bits / 8]);
  // A second message reuses the worker (its revocation cache lives on).
  const again = await opener.open(message.slice(), { anchors, identities: [bob], config: defaultConfig });
  assert.equal(again.verdict.status, 'valid');
  assert.equal(log.started, 1);
  opener.stop();
  assert.equal(log.terminated, 1);
});

test('below the threshold, or without Worker, the message is opened on this thread and the bytes stay', async () => {
  const { message, anchors, bob } = await fixture();
  for (const opener of [new PaneOpener(() => null, 0), new PaneOpener(() => assert.fail('no worker below the threshold'), message.byteLength + 1)]) {
    const input = message.slice();
    const got = await opener.open(input, { anchors, identities: [bob], config: defaultConfig });
    assert.equal(got.verdict.status, 'valid');
    assert.equal(input.byteLength, message.byteLength);
  }
});

test('a failure in the worker keeps its SignetError code; a large message recycles the worker', async () => {
  const { message, anchors, bob } = await fixture();
  const garbage = new TextEncoder().encode('From: a@example.org\r\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data\r\nContent-Transfer-Encoding: base64\r\n\r\nAAAA\r\n');
  const core = await openMessage(garbage.slice(), { anchors, offline: true }).then(
    (r) => r.verdict.status,
    (e: unknown) => (e instanceof SignetError ? e.code : 'other'),
  );
  const log = { started: 0, terminated: 0 };
  const opener = new PaneOpener(channelWorker(log), 0, 1);
  const worker = await opener.open(garbage.slice(), { anchors, identities: [], config: defaultConfig }).then(
    (r) => r.verdict.status,
    (e: unknown) => (e instanceof SignetError ? e.code : 'other'),
  );
  assert.equal(worker, core);
  assert.notEqual(worker, 'other');
  assert.equal(log.terminated, 1, 'recycled after a message over recycleBytes');
  assert.equal((await opener.open(message.slice(), { anchors, identities: [bob], config: defaultConfig })).verdict.status, 'valid');
  assert.deepEqual(log, { started: 2, terminated: 2 });
});

test('warm() starts the worker before the first large message, which then uses it; keepWarm replaces a recycled worker at once', async () => {
  const { message, anchors, bob } = await fixture();
  const log = { started: 0, terminated: 0 };
  const opener = new PaneOpener(channelWorker(log), 0, 1, true);
  opener.warm({ anchors, config: defaultConfig }); // the worker parses the anchors ahead ('prepare')
  opener.warm();
  assert.deepEqual(log, { started: 1, terminated: 0 }, 'one worker, started ahead');
  assert.equal((await opener.open(message.slice(), { anchors, identities: [bob], config: defaultConfig })).verdict.status, 'valid');
  assert.deepEqual(log, { started: 2, terminated: 1 }, 'the warm worker checked it, was recycled and replaced at once');
  assert.equal((await opener.open(message.slice(), { anchors, identities: [bob], config: defaultConfig })).verdict.status, 'valid');
  assert.deepEqual(log, { started: 3, terminated: 2 });
  opener.stop();
  assert.deepEqual(log, { started: 3, terminated: 3 });
});
