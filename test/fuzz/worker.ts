// The fuzz harnesses' execution side (not a test file): a worker thread that runs one input against one
// target and says how it ended. The main thread (engine.ts) gives each input a deadline and terminates
// this worker when it is exceeded, so a hang is reported instead of stalling the campaign; the worker's
// heap is capped (resourceLimits), so runaway memory ends as a finding too.
//
// Oracle (ARCHITECTURE.md rule 9): bad input may only end in a SignetError. Each harness drives as much of its
// module as it can: a step's SignetError is swallowed so that the next step still runs.

import { parentPort } from 'node:worker_threads';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { childrenOf, parseAsn1, parseContentInfo } from '../../src/core/asn1.js';
import { fromUtf8 } from '../../src/core/bytes.js';
import { AuthEnvelopedData } from '../../src/core/cms/auth-enveloped-data.js';
import { peekContentType } from '../../src/core/cms/content-type.js';
import { decryptContent } from '../../src/core/cms/decrypt.js';
import { readEnvelopedData } from '../../src/core/cms/enveloped-data.js';
import { verifySignedData } from '../../src/core/cms/verify.js';
import { resolveConfig } from '../../src/core/config.js';
import { cryptoProvider } from '../../src/core/crypto.js';
import { isSignetError } from '../../src/core/errors.js';
import type { Identity } from '../../src/core/keys.js';
import { addressKey, parseAddressList, singleFromAddress } from '../../src/core/mime/address.js';
import { prepareForSigning, splitMessage, toCanonical } from '../../src/core/mime/canonicalize.js';
import type { MimeEntity } from '../../src/core/mime/entity.js';
import { decodeHeaderText, parseContentDisposition, parseContentType } from '../../src/core/mime/headers.js';
import { parseMime } from '../../src/core/mime/parser.js';
import { parseCertificate } from '../../src/core/pki/certificate.js';
import { inspectMessage } from '../../src/core/smime/inspect.js';
import { openMessage } from '../../src/core/smime/open.js';
import { loadCertificates, loadIdentities } from '../../src/keys/identity-file.js';
import { parsePolicy, recipientsRequiringEncryption, securityConfig, trustAnchors } from '../../src/policy/policy.js';
import { defaultRoots, helperPki, seedFiles } from './seeds.js';

export type Outcome =
  | { kind: 'ok'; ms: number; heap: number }
  | { kind: 'refused'; code: string; ms: number; heap: number }
  | { kind: 'crash'; name: string; message: string; stack: string; ms: number; heap: number };

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const provider = cryptoProvider();
const config = resolveConfig({});
const limits = config.limits;
/** The corpus's certificates are from 2019-2030; a fixed time keeps outcomes reproducible. */
const AT = new Date('2024-06-01T00:00:00Z');
/** The corpus's PKCS#12 password (Thunderbird's test data). */
const PASSWORD = 'nss';

/** Trust anchors and identities from the seed corpus (Thunderbird's test PKI, password "nss"). */
const anchors: Uint8Array[] = [];
const identities: Identity[] = [];
for (const f of seedFiles(['.pem', '.crt'], defaultRoots())) {
  if (!/TestCA|root|Certification_Authority/i.test(f.path)) continue;
  try {
    anchors.push(...loadCertificates(f.bytes));
  } catch {
    // not a certificate file
  }
}
for (const f of seedFiles(['.p12'], defaultRoots())) {
  if (!/(Alice|Bob|Dave|Fran)(-ec)?\.p12$/.test(f.path) || identities.length >= 8) continue;
  try {
    identities.push(...(await loadIdentities(f.bytes, PASSWORD, provider)));
  } catch {
    // other password
  }
}

if (identities.length === 0) {
  // No corpus: the test PKI of test/helpers.
  const h = helperPki();
  anchors.push(...loadCertificates(h.root));
  for (const p12 of h.p12.slice(0, 4)) identities.push(...(await loadIdentities(p12, h.password, provider)));
}

/** Runs a step; a SignetError ends only that step. */
async function soft<T>(step: () => T | Promise<T>): Promise<T | undefined> {
  try {
    return await step();
  } catch (e) {
    if (isSignetError(e)) return undefined;
    throw e;
  }
}

const ADDRESS_HEADERS = new Set(['from', 'to', 'cc', 'bcc', 'sender', 'reply-to']);

async function fuzzMime(input: Uint8Array): Promise<void> {
  await soft(() => toCanonical(input));
  await soft(() => splitMessage(input));
  await soft(() => inspectMessage(input));
  await soft(() => prepareForSigning(input));
  const root = await soft(() => parseMime(input));
  if (root === undefined) return;
  const stack: MimeEntity[] = [root];
  let seen = 0;
  while (stack.length > 0 && seen++ < 5000) {
    const e = stack.pop()!;
    stack.push(...e.children);
    await soft(() => e.decodeBody());
    const inner = await soft(() => e.embeddedMessage());
    if (inner) stack.push(inner);
    await soft(() => singleFromAddress(e));
    for (const h of e.headers) {
      await soft(() => decodeHeaderText(h.value));
      const name = h.name.toLowerCase();
      if (name === 'content-type') await soft(() => parseContentType(h.value));
      if (name === 'content-disposition') await soft(() => parseContentDisposition(h.value));
      if (ADDRESS_HEADERS.has(name)) {
        const list = await soft(() => parseAddressList(h.value));
        for (const a of list ?? []) await soft(() => addressKey(a.address));
      }
    }
  }
}

async function fuzzOpen(input: Uint8Array, withIdentity: boolean): Promise<void> {
  const r = await openMessage(input, { anchors, identities: withIdentity ? identities : [], offline: true, at: AT, provider });
  // A verdict must always be one of the documented statuses (src/core/verdict.ts).
  if (typeof r.verdict.status !== 'string' || r.verdict.status.length === 0) throw new Error('openMessage returned no verdict status');
}

async function fuzzCms(input: Uint8Array): Promise<void> {
  await soft(() => peekContentType(input));
  const root = await soft(() => parseAsn1(input, limits, { allowTrailingData: true }));
  if (root !== undefined) await soft(() => childrenOf(root));
  const ci = await soft(() => parseContentInfo(input, limits));
  if (ci !== undefined) {
    await soft(() => readEnvelopedData(ci.content));
    await soft(() => AuthEnvelopedData.fromNode(ci.content));
  }
  await soft(() => parseCertificate(input, limits));
  await soft(() => verifySignedData(input, { anchors, at: AT, config }, provider));
  await soft(() => verifySignedData(input, { anchors, at: AT, config, detachedContent: input.subarray(0, 64) }, provider));
  await soft(() => decryptContent(input, identities, provider));
}

async function fuzzIdentity(input: Uint8Array): Promise<void> {
  await soft(() => loadCertificates(input));
  await soft(() => loadIdentities(input, PASSWORD, provider));
  await soft(() => loadIdentities(input, undefined, provider));
}

async function fuzzPolicy(input: Uint8Array): Promise<void> {
  const r = parsePolicy(fromUtf8(input));
  securityConfig(r.policy);
  await soft(() => trustAnchors(r.policy));
  recipientsRequiringEncryption(r.policy, ['a@example.com', 'b@münchen.example', 'c@xn--mnchen-3ya.example', 'broken']);
}

export const RUNNERS: Record<string, (input: Uint8Array) => Promise<void>> = {
  mime: fuzzMime,
  open: (i) => fuzzOpen(i, false),
  'open-identity': (i) => fuzzOpen(i, true),
  cms: fuzzCms,
  identity: fuzzIdentity,
  policy: fuzzPolicy,
};

const heap = (): number => process.memoryUsage().heapUsed;

if (parentPort !== null) {
  const port = parentPort;
  port.on('message', (msg: { id: number; target: string; input: Uint8Array } | { id: number; gc: true }) => {
    if ('gc' in msg) {
      gc();
      port.postMessage({ id: msg.id, heap: heap() });
      return;
    }
    const run = RUNNERS[msg.target];
    const t0 = performance.now();
    const done = (o: Outcome): void => port.postMessage({ id: msg.id, outcome: o });
    if (run === undefined) {
      done({ kind: 'crash', name: 'Error', message: `unknown target ${msg.target}`, stack: '', ms: 0, heap: heap() });
      return;
    }
    run(msg.input).then(
      () => done({ kind: 'ok', ms: performance.now() - t0, heap: heap() }),
      (e: unknown) => {
        const ms = performance.now() - t0;
        if (isSignetError(e)) done({ kind: 'refused', code: e.code, ms, heap: heap() });
        else {
          const err = e instanceof Error ? e : new Error(String(e));
          done({ kind: 'crash', name: err.name, message: err.message.slice(0, 500), stack: String(err.stack ?? ''), ms, heap: heap() });
        }
      },
    );
  });
  port.postMessage({ ready: true, anchors: anchors.length, identities: identities.length });
}
