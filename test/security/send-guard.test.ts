// Attack-style regressions for the send-time guard: when protection was asked for (by the sender or by the
// organisation), no failure anywhere — a hang, an exception in any dependency or Office.js call, a
// corrupted setting, hostile input — may end in event.completed({ allowEvent: true }) or complete twice;
// and the send handler itself never puts anything on the wire (it blocks and opens the pane, guard.ts).
// The pane's send path (sendProtected, the one place protected mail leaves) is checked here for what it
// must never leak: the body, the attachment and the Bcc on the wire.
import { test, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { toBase64, utf8 } from '../../src/core/bytes.js';
import { PROTECTION_KEY } from '../../src/events/guard.js';
import { onMessageSend, type HandlerDeps } from '../../src/events/handlers.js';
import { sendProtected } from '../../src/compose/send.js';
import { staticServices } from '../../src/compose/services.js';
import { readDraft } from '../../src/outlook/compose-item.js';
import { graphTransport } from '../../src/outlook/transport/graph.js';
import { defaultPolicy } from '../../src/policy/policy.js';
import { onMessageSendHandler } from '../../src/events/launchevent.js';
import { installCompose, mailboxEvent, uninstallOffice, type ComposeSetup, type Failing } from '../helpers/office-compose.js';
import { startMailServer } from '../helpers/mail-server.js';
import { aliceIdentity, handlerDeps } from '../helpers/handler-deps.js';
import { testPki } from '../helpers/pki.js';

const server = await startMailServer();
// Classic Outlook's runtime reads the policy the build wrote into launchevent.js (SIGNET_POLICY_DOCUMENT).
const g = globalThis as { SIGNET_POLICY_DOCUMENT?: string };
after(async () => {
  delete g.SIGNET_POLICY_DOCUMENT;
  await server.close();
});
afterEach(() => {
  server.reset();
  uninstallOffice();
});

const SECRET = 'Merger terms: 1.2 billion';
const ATTACHMENT_SECRET = 'Attachment secret 7731';

function compose(session: string | null, over: ComposeSetup = {}) {
  return installCompose({
    to: [{ displayName: 'Bob', emailAddress: 'bob@example.org' }],
    bcc: [{ displayName: 'Carol', emailAddress: 'carol@example.org' }],
    html: `<p>${SECRET}</p>`,
    text: SECRET,
    attachments: [{ id: 'a1', name: 'terms.txt', format: 'base64', content: toBase64(utf8(ATTACHMENT_SECRET)) }],
    itemId: 'AAMkdraft',
    session: session === null ? {} : { [PROTECTION_KEY]: session },
    ...over,
  });
}

async function run(deps: HandlerDeps): Promise<Office.SmartAlertsEventCompletedOptions[]> {
  const e = mailboxEvent();
  await onMessageSend(e.event, deps);
  await e.done;
  await new Promise((r) => setTimeout(r, 5));
  return e.completions.map((c) => c ?? {});
}

function assertBlocked(completions: Office.SmartAlertsEventCompletedOptions[], label: string): void {
  assert.equal(completions.length, 1, `${label}: completed ${completions.length} times`);
  assert.equal(completions[0]!.allowEvent, false, `${label}: allowEvent was not false`);
  assert.ok((completions[0]!.errorMessage ?? '').length > 0, `${label}: no message`);
}

const PROTECTED = ['{"sign":true,"encrypt":false,"v":1}', '{"sign":false,"encrypt":true,"v":1}', '{"sign":true,"encrypt":true,"v":1}'];

test('protection requested or required, in every policy state: blocked, and the send handler sends nothing at all', async () => {
  const policies: [string, (p: ReturnType<typeof defaultPolicy>) => void][] = [
    ['default', () => undefined],
    ['alwaysSign', (p) => (p.signing.alwaysSign = true)],
    ['encrypt always', (p) => (p.encryption.required = 'always')],
    ['encrypt domains', (p) => ((p.encryption.required = 'domains'), (p.encryption.domains = ['example.org']))],
  ];
  for (const session of [...PROTECTED, null]) {
    for (const [label, configure] of policies) {
      compose(session);
      const completions = await run(await handlerDeps(server, {}, configure));
      if (session === null && label === 'default') assert.deepEqual(completions, [{ allowEvent: true }]);
      else assertBlocked(completions, `${session} / ${label}`);
      assert.equal(server.requests.length, 0, `${session} / ${label}: the handler contacted the mail server`);
      server.reset();
    }
  }
});

test('a hanging policy load ends in the handler\'s own timeout, blocked', async () => {
  compose(PROTECTED[2]!);
  const completions = await run(await handlerDeps(server, { sendTimeoutMs: 400, loadPolicy: () => new Promise(() => undefined) }));
  assertBlocked(completions, 'hang');
  assert.match(completions[0]!.errorMessage!, /could not check this message within/);
});

test('an exception in any dependency, with protection asked by the sender or required by policy, always blocks', async () => {
  const boom = () => Promise.reject(new Error('boom'));
  // toAscii is only consulted for an internationalised recipient domain.
  const idn: ComposeSetup = { cc: [{ displayName: 'M', emailAddress: 'm@münchen.example' }] };
  const breakers: [string, Partial<HandlerDeps>, ComposeSetup][] = [
    ['loadPolicy', { loadPolicy: boom }, {}],
    ['services', { services: boom }, {}],
    ['mailboxSupports', { mailboxSupports: () => { throw new Error('boom'); } }, {}],
    ['toAscii', { toAscii: () => { throw new Error('boom'); } }, idn],
    ['now', { now: () => { throw new Error('boom'); } }, {}],
  ];
  for (const [name, over, setup] of breakers) {
    for (const [label, session, policyRequires] of [
      ['sender asked', PROTECTED[2]!, false],
      ['policy requires', null, true],
    ] as const) {
      compose(session, setup);
      const deps = await handlerDeps(server, over, (p) => {
        if (policyRequires) {
          p.signing.alwaysSign = true;
          p.encryption.required = 'domains';
          p.encryption.domains = ['example.org'];
        }
      });
      assertBlocked(await run(deps), `${name} / ${label}`);
      assert.equal(server.delivered.length, 0);
    }
  }
});

test('every failing Office.js call blocks a message that was to be protected, and nothing is sent', async () => {
  const calls: Failing[] = ['from', 'to', 'subject', 'body', 'attachments', 'attachmentContent', 'sessionGet', 'sessionSet', 'itemId', 'internetHeaders', 'notification'];
  for (const failing of calls) {
    compose(PROTECTED[1]!, { failures: [failing] });
    assertBlocked(await run(await handlerDeps(server)), failing);
    assert.equal(server.requests.length, 0, failing);
    server.reset();
  }
});

test('corrupted or hostile stored settings never allow a plain send', async () => {
  for (const raw of ['{"sign":true}', '{"sign":1,"encrypt":0,"v":1}', 'true', '[]', '{"sign":false,"encrypt":false,"v":"1"}', '\u0000', '{"__proto__":{"v":1},"sign":false,"encrypt":false}']) {
    compose(raw);
    assertBlocked(await run(await handlerDeps(server)), raw);
  }
});

/** The pane's send path with the test PKI: alice signs, bob / carol / dave have certificates. */
async function paneSend(session: string): Promise<void> {
  const pki = testPki();
  const services = staticServices({
    identities: [await aliceIdentity()],
    certificates: new Map((['bob', 'carol', 'dave'] as const).map((u) => [pki.users[u].email!, { certificate: pki.users[u].certDer }])),
  });
  const transport = graphTransport({ baseUrl: server.graphBase, token: async () => server.token, timeoutMs: 5000 });
  const protection = JSON.parse(session) as { sign: boolean; encrypt: boolean };
  const policy = defaultPolicy();
  const draft = await readDraft({ limit: transport.limit, protection });
  await sendProtected({ draft, protection, services, transport, algorithms: { digests: policy.algorithms.signatureDigests, ciphers: policy.algorithms.encryptionCiphers }, build: { now: new Date() } });
}

test('the pane\'s send path: a header-injection attempt in the subject is refused instead of smuggling a Bcc', async () => {
  compose(PROTECTED[0]!, { subject: 'Hello\r\nBcc: mallory@evil.example' });
  await assert.rejects(paneSend(PROTECTED[0]!));
  assert.equal(server.delivered.length, 0);
  // And the send handler blocks it like any message to be protected.
  assertBlocked(await run(await handlerDeps(server)), 'subject injection');
});

test('the pane\'s send path, encrypted: the body, the attachment and the Bcc never appear in the bytes on the wire or in what To recipients decrypt', async () => {
  compose(PROTECTED[2]!);
  await paneSend(PROTECTED[2]!);
  const wire = server.delivered[0]!.mime.toString('latin1');
  assert.doesNotMatch(wire, /Merger|billion|7731/);
  assert.doesNotMatch(wire, /VGVybXMg|QXR0YWNobWVudCBzZWNyZXQ/, 'not even base64 of the attachment');
  // The Bcc field travels in the submission's outer header for Exchange only, never inside the protected content.
  const bob = testPki().users.bob;
  const dec = spawnSync('openssl', ['cms', '-decrypt', '-recip', bob.certPath, '-inkey', bob.keyPath], { input: server.delivered[0]!.mime });
  assert.equal(dec.status, 0, dec.stderr.toString());
  assert.doesNotMatch(dec.stdout.toString('latin1'), /carol@example\.org/i);
  const carol = testPki().users.carol;
  assert.equal(spawnSync('openssl', ['cms', '-decrypt', '-recip', carol.certPath, '-inkey', carol.keyPath], { input: server.delivered[0]!.mime }).status, 0, 'the Bcc recipient can decrypt');
});

test('classic Outlook (JS-only runtime): every protected state and every policy failure blocks', async () => {
  // A policy that requires nothing; no policy built in; not JSON; an unknown version.
  const policies: (string | undefined)[] = [JSON.stringify({ policyVersion: 1 }), undefined, 'not json', JSON.stringify({ policyVersion: 99 })];
  for (const session of [...PROTECTED, null, 'garbage']) {
    for (const policy of policies) {
      if (policy === undefined) delete g.SIGNET_POLICY_DOCUMENT;
      else g.SIGNET_POLICY_DOCUMENT = policy;
      compose(session);
      const e = mailboxEvent();
      onMessageSendHandler(e.event);
      const c = await e.done;
      await new Promise((r) => setTimeout(r, 5));
      assert.equal(e.completions.length, 1);
      const plainAllowed = session === null && policy === policies[0];
      assert.equal(c?.allowEvent, plainAllowed, `${session} / ${JSON.stringify(policy)}`);
    }
  }
});
