// Real dependencies for the event handlers (src/events/handlers.ts HandlerDeps) in Node tests: the test
// PKI's alice as the signing identity, bob / carol / dave certificates, the default policy, every Mailbox
// requirement set supported. (The send handler never sends; `_server` stays for the callers' symmetry.)
import { readFileSync } from 'node:fs';
import { cryptoProvider } from '../../src/core/crypto.js';
import { domainKey } from '../../src/core/idn.js';
import type { Identity } from '../../src/core/keys.js';
import { loadIdentities } from '../../src/keys/identity-file.js';
import { staticServices } from '../../src/compose/services.js';
import type { HandlerDeps } from '../../src/events/handlers.js';
import { defaultPolicy, type Policy } from '../../src/policy/policy.js';
import type { MailServer } from './mail-server.js';
import { PASS, testPki, type UserName } from './pki.js';

let alice: Identity | null = null;

export async function aliceIdentity(): Promise<Identity> {
  alice ??= (await loadIdentities(readFileSync(testPki().users.alice.p12Path), PASS, cryptoProvider()))[0]!;
  return alice;
}

export async function handlerDeps(_server: MailServer, over: Partial<HandlerDeps> = {}, configure: (p: Policy) => void = () => undefined, certs: UserName[] = ['bob', 'carol', 'dave']): Promise<HandlerDeps> {
  const pki = testPki();
  const policy = defaultPolicy();
  configure(policy);
  const services = staticServices({
    identities: [await aliceIdentity()],
    certificates: new Map(certs.map((u) => [pki.users[u].email!, { certificate: pki.users[u].certDer }])),
  });
  return {
    runtime: 'browser',
    loadPolicy: async () => ({ status: 'loaded', policy }),
    services: async () => services,
    mailboxSupports: () => true,
    sendTimeoutMs: 20_000,
    toAscii: domainKey,
    now: () => new Date(),
    ...over,
  };
}
