// The organisation policy (src/policy): the published examples load, every invalid field is reported by
// its JSON path and falls back to its safe default, nothing weakens the core defaults without an explicit
// allowInsecure…, the loader never throws, and the policy's trust anchors are what verification uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { webcrypto } from 'node:crypto';
import { defaultConfig } from '../../../src/core/config.js';
import { cryptoProvider } from '../../../src/core/crypto.js';
import { openMessage } from '../../../src/core/smime/open.js';
import { protectMessage } from '../../../src/core/smime/protect.js';
import { loadIdentities } from '../../../src/keys/identity-file.js';
import {
  DEFAULT_POLICY,
  defaultPolicy,
  loadPolicy,
  parsePolicy,
  policyStatusLine,
  recipientsRequiringEncryption,
  securityConfig,
  signingDigest,
  trustAnchors,
  validatePolicy,
} from '../../../src/policy/index.js';
import { testPki, PASS } from '../../helpers/pki.js';

const repo = new URL('../../../../', import.meta.url);
const examplesDir = new URL('docs/policies/', repo);
const examples = readdirSync(examplesDir).filter((f) => f.endsWith('.json'));
const example = (name: string) => JSON.parse(readFileSync(new URL(name, examplesDir), 'utf8')) as Record<string, unknown>;
const paths = (r: { errors: { path: string }[] }) => r.errors.map((e) => e.path).sort();

test('every example in docs/policies loads without errors', () => {
  assert.ok(examples.length >= 4, examples.join(', '));
  for (const name of examples) {
    const r = parsePolicy(readFileSync(new URL(name, examplesDir), 'utf8'));
    assert.deepEqual(r.errors, [], name);
    assert.equal(r.source, 'document');
  }
  assert.equal(parsePolicy(readFileSync(new URL('always-sign.json', examplesDir), 'utf8')).policy.signing.alwaysSign, true);
  const regulated = validatePolicy(example('regulated.json')).policy;
  assert.equal(regulated.encryption.required, 'always');
  assert.equal(regulated.revocation.mode, 'hard');
  assert.equal(regulated.sendGuard.mode, 'Block');
  assert.equal(regulated.trust.anchors.length, 1);
  assert.deepEqual(validatePolicy(example('encrypt-partners.json')).policy.encryption.domains, ['fabrikam.example', '*.northwind.example']);
});

test('the published JSON Schema names exactly the settings the loader reads', () => {
  const schema = JSON.parse(readFileSync(new URL('schema/policy.schema.json', repo), 'utf8')) as {
    $schema: string;
    properties: Record<string, { properties?: Record<string, unknown> }>;
  };
  assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
  for (const [key, sub] of Object.entries(schema.properties)) {
    if (key === '$schema' || key === 'policyVersion' || key === 'revision') continue;
    if (sub.properties) {
      // Each sub-setting the schema defines is accepted (no unknown-field error) …
      for (const inner of Object.keys(sub.properties)) {
        const r = validatePolicy({ policyVersion: 1, [key]: { [inner]: null } });
        assert.ok(!r.errors.some((e) => e.code === 'unknown-field'), `${key}.${inner}: ${JSON.stringify(r.errors)}`);
      }
    }
  }
  // … and a setting the schema does not define is refused by both.
  const r = validatePolicy({ policyVersion: 1, signing: { alwaysSing: true }, sendguard: {} });
  assert.deepEqual(paths(r), ['$.sendguard', '$.signing.alwaysSing']);
  assert.ok(r.errors.every((e) => e.code === 'unknown-field'));
  const topLevel = new Set(Object.keys(schema.properties));
  for (const k of Object.keys(DEFAULT_POLICY)) assert.ok(topLevel.has(k), `schema lacks ${k}`);
});

test('every invalid field is reported by its JSON path, and each falls back to its default', () => {
  const r = validatePolicy({
    policyVersion: 1,
    revision: '',
    signing: { alwaysSign: 'yes' },
    encryption: { required: 'sometimes', domains: ['ok.example', 'not a domain', 42] },
    algorithms: {
      signatureDigests: ['SHA-256', 'SHA-1', 'MD5'],
      encryptionCiphers: ['des-ede3-cbc'],
      minRsaBits: 1024,
      minEcBits: 192,
    },
    trust: { anchors: ['-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----', 'not pem'], includeBuiltinRoots: 'no' },
    revocation: { mode: 'strict' },
    directory: { url: 'http://certs.example/lookup' },
    graph: { clientId: 'my-app', authority: 'ftp://login.example' },
    sendGuard: { mode: 'PromptUser' },
  });
  assert.deepEqual(paths(r), [
    '$.algorithms.encryptionCiphers[0]',
    '$.algorithms.minEcBits',
    '$.algorithms.minRsaBits',
    '$.algorithms.signatureDigests[1]',
    '$.algorithms.signatureDigests[2]',
    '$.directory.url',
    '$.encryption.domains[1]',
    '$.encryption.domains[2]',
    '$.encryption.required',
    '$.graph.authority',
    '$.graph.clientId',
    '$.revision',
    '$.revocation.mode',
    '$.sendGuard.mode',
    '$.signing.alwaysSign',
    '$.trust.anchors[0]',
    '$.trust.anchors[1]',
    '$.trust.includeBuiltinRoots',
  ]);
  const byPath = new Map(r.errors.map((e) => [e.path, e.code]));
  assert.equal(byPath.get('$.algorithms.signatureDigests[1]'), 'insecure');
  assert.equal(byPath.get('$.algorithms.minRsaBits'), 'insecure');
  assert.equal(byPath.get('$.directory.url'), 'format');
  // Invalid fields keep their defaults …
  const p = r.policy;
  assert.equal(p.signing.alwaysSign, false);
  assert.equal(p.encryption.required, 'never');
  assert.deepEqual(p.algorithms, DEFAULT_POLICY.algorithms);
  assert.deepEqual(p.trust, DEFAULT_POLICY.trust);
  assert.equal(p.revocation.mode, 'soft');
  assert.equal(p.directory, null);
  assert.equal(p.graph, null);
  assert.equal(p.sendGuard.mode, 'SoftBlock');
  // … while the valid entries next to them still apply.
  assert.deepEqual(p.encryption.domains, ['ok.example']);
});

test('a broken field never drops the valid settings beside it', () => {
  const r = validatePolicy({ policyVersion: 1, signing: { alwaysSign: true }, encryption: { required: 'always' }, revocation: { mode: 'HARD' } });
  assert.deepEqual(paths(r), ['$.revocation.mode']);
  assert.equal(r.policy.signing.alwaysSign, true);
  assert.equal(r.policy.encryption.required, 'always');
});

test('unreadable, versionless or future documents give the safe defaults and an admin error', () => {
  const cases: [string, string, string][] = [
    ['{ not json', '$', 'unreadable'],
    ['[]', '$', 'type'],
    ['null', '$', 'type'],
    ['{}', '$.policyVersion', 'required'],
    ['{"policyVersion": 2, "signing": {"alwaysSign": true}}', '$.policyVersion', 'unsupported-version'],
  ];
  for (const [text, path, code] of cases) {
    const r = parsePolicy(text);
    assert.deepEqual(r.policy, defaultPolicy(), text);
    assert.equal(r.errors.length, 1, text);
    assert.equal(r.errors[0]!.path, path, text);
    assert.equal(r.errors[0]!.code, code, text);
    assert.match(policyStatusLine(r), /safe defaults/);
  }
  assert.equal(parsePolicy('x'.repeat(2 * 1024 * 1024)).errors[0]!.code, 'unreadable');
});

test('"domains" without domains is an error, and the mode still applies to none rather than all silently', () => {
  const r = validatePolicy({ policyVersion: 1, encryption: { required: 'domains' } });
  assert.deepEqual(paths(r), ['$.encryption.domains']);
  assert.equal(r.errors[0]!.code, 'required');
});

test('weakenings need their allowInsecure… switch; the core config is never weaker than the policy says', () => {
  const sha1 = validatePolicy({ policyVersion: 1, algorithms: { allowInsecureSha1: true, signatureDigests: ['SHA-256', 'SHA-1'] } });
  assert.deepEqual(sha1.errors, []);
  assert.equal(securityConfig(sha1.policy).allowInsecureSha1, true);
  const short = validatePolicy({ policyVersion: 1, algorithms: { allowInsecureShortKeys: true, minRsaBits: 1024 } });
  assert.deepEqual(short.errors, []);
  const cfg = securityConfig(short.policy);
  assert.equal(cfg.minRsaBits, 1024);
  assert.equal(cfg.allowInsecureShortKeys, false, 'the core switch would remove the minimum altogether');
  assert.equal(validatePolicy({ policyVersion: 1, algorithms: { allowInsecureShortKeys: true, minRsaBits: 512 } }).errors[0]!.code, 'range');

  const defaults = securityConfig(defaultPolicy());
  assert.equal(defaults.allowInsecureSha1, false);
  assert.equal(defaults.allowInsecureMd5, false);
  assert.equal(defaults.allowInsecureShortKeys, false);
  assert.equal(defaults.minRsaBits, defaultConfig.minRsaBits);
  assert.equal(defaults.minEcBits, defaultConfig.minEcBits);
  assert.equal(defaults.revocationMode, 'soft');
  const strict = securityConfig(validatePolicy(example('regulated.json')).policy);
  assert.equal(strict.minRsaBits, 3072);
  assert.equal(strict.minEcBits, 384);
  assert.equal(strict.revocationMode, 'hard');
  assert.equal(signingDigest(validatePolicy(example('regulated.json')).policy), 'SHA-384');
});

test('encryption requirement by recipient domain (exact, subdomains, IDN, unreadable addresses)', () => {
  const p = validatePolicy({ policyVersion: 1, encryption: { required: 'domains', domains: ['Fabrikam.example', '*.northwind.example', 'münchen.example'] } }).policy;
  assert.deepEqual(p.encryption.domains, ['fabrikam.example', '*.northwind.example', 'xn--mnchen-3ya.example']);
  assert.deepEqual(
    recipientsRequiringEncryption(p, ['a@fabrikam.example', 'b@sub.fabrikam.example', 'c@eu.northwind.example', 'd@northwind.example', 'e@MÜNCHEN.example', 'broken']),
    ['a@fabrikam.example', 'c@eu.northwind.example', 'e@MÜNCHEN.example', 'broken'],
  );
  assert.deepEqual(recipientsRequiringEncryption(defaultPolicy(), ['a@fabrikam.example']), []);
  const all = validatePolicy({ policyVersion: 1, encryption: { required: 'always' } }).policy;
  assert.deepEqual(recipientsRequiringEncryption(all, ['x@y.example']), ['x@y.example']);
});

function fakeFetch(respond: (url: string) => Response | Promise<Response>): typeof fetch {
  return (async (input: string | URL | Request) => respond(String(input))) as typeof fetch;
}

test('loadPolicy: served, missing, broken and unreachable policies', async () => {
  const text = readFileSync(new URL('always-sign.json', examplesDir), 'utf8');
  let asked = '';
  const ok = await loadPolicy({
    fetch: fakeFetch((url) => {
      asked = url;
      return new Response(text, { status: 200 });
    }),
    base: 'https://signet.contoso.example/taskpane.html',
  });
  assert.equal(asked, 'https://signet.contoso.example/signet-policy.json');
  assert.deepEqual(ok.errors, []);
  assert.equal(ok.policy.signing.alwaysSign, true);
  assert.equal(policyStatusLine(ok), 'Organisation policy 2026-11 always sign applied.');

  const missing = await loadPolicy({ fetch: fakeFetch(() => new Response('', { status: 404 })), url: 'https://h.example/signet-policy.json' });
  assert.equal(missing.source, 'defaults');
  assert.equal(missing.errors[0]!.code, 'unreadable');
  const down = await loadPolicy({ fetch: fakeFetch(() => Promise.reject(new TypeError('network down'))), url: 'https://h.example/p.json' });
  assert.deepEqual(down.policy, defaultPolicy());
  assert.match(down.errors[0]!.message, /network down/);
  const html = await loadPolicy({ fetch: fakeFetch(() => new Response('<html>', { status: 200 })), url: 'https://h.example/p.json' });
  assert.equal(html.errors[0]!.code, 'unreadable');
  const relativeWithoutBase = await loadPolicy({ fetch: fakeFetch(() => new Response(text)) });
  assert.equal(relativeWithoutBase.errors[0]!.code, 'unreadable');
});

test('policy trust anchors are the anchors verification uses (PEM → DER for openMessage)', async () => {
  const pki = testPki();
  const provider = cryptoProvider(webcrypto as unknown as Crypto);
  const [alice] = await loadIdentities(new Uint8Array(readFileSync(pki.users.alice.p12Path)), PASS, provider);
  const message = new TextEncoder().encode(
    `From: alice@example.org\r\nTo: bob@example.org\r\nSubject: policy\r\nDate: ${new Date().toUTCString()}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nhello\r\n`,
  );
  const signed = await protectMessage(message, { sign: { identity: alice! }, provider });

  const withRoot = validatePolicy({ policyVersion: 1, trust: { anchors: [readFileSync(pki.rootPath, 'utf8')], includeBuiltinRoots: false } });
  assert.deepEqual(withRoot.errors, []);
  const anchors = trustAnchors(withRoot.policy);
  assert.equal(anchors.length, 1);
  assert.deepEqual(anchors[0], pki.rootDer);
  const trusted = await openMessage(signed, { anchors, offline: true, provider, config: securityConfig(withRoot.policy) });
  assert.equal(trusted.verdict.status, 'valid', trusted.verdict.summary);

  const without = validatePolicy({ policyVersion: 1, trust: { anchors: [], includeBuiltinRoots: false } });
  const untrusted = await openMessage(signed, { anchors: trustAnchors(without.policy), offline: true, provider });
  assert.equal(untrusted.verdict.status, 'untrusted');

  // The builtin roots come on top of the policy's own anchors unless the policy turns them off.
  const both = validatePolicy({ policyVersion: 1, trust: { anchors: [readFileSync(pki.rootPath, 'utf8')] } });
  assert.ok(trustAnchors(both.policy).length > 50);
});

test('algorithms.outdatedSignature: "caution" by default, "danger" when set, anything else an enum error; lands in SignetConfig', () => {
  assert.equal(DEFAULT_POLICY.algorithms.outdatedSignature, 'caution');
  assert.equal(securityConfig(defaultPolicy()).outdatedSignatureSeverity, 'caution');
  const danger = validatePolicy({ policyVersion: 1, algorithms: { outdatedSignature: 'danger' } });
  assert.deepEqual(danger.errors, []);
  assert.equal(danger.policy.algorithms.outdatedSignature, 'danger');
  assert.equal(securityConfig(danger.policy).outdatedSignatureSeverity, 'danger');
  const bad = validatePolicy({ policyVersion: 1, algorithms: { outdatedSignature: 'ignore' } });
  assert.deepEqual(bad.errors.map((e) => [e.path, e.code]), [['$.algorithms.outdatedSignature', 'enum']]);
  assert.equal(bad.policy.algorithms.outdatedSignature, 'caution');
  // An outdated signature is never made valid by this setting: it is presentation only.
  assert.equal(securityConfig(danger.policy).allowInsecureSha1, false);
});
