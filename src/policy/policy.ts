// The organisation policy: one versioned JSON document that an admin serves next to the add-in as
// /signet-policy.json (docs/ADMIN.md). Its published JSON Schema is schema/policy.schema.json (draft
// 2020-12); validatePolicy() below is the runtime check, kept dependency-free, and reports every invalid
// field by JSON path. A bad field never loosens anything silently: it falls back to its safe default
// (src/core/config.ts), the valid fields still apply, and the errors are shown to the admin.

import { defaultConfig, resolveConfig, type ConfigOverrides, type SignetConfig } from '../core/config.js';
import { fromBase64 } from '../core/bytes.js';
import { domainKey } from '../core/idn.js';
import { parseCertificate } from '../core/pki/certificate.js';
import { builtinEmailRoots } from '../core/pki/roots/index.js';
import type { Cipher, Digest } from '../core/smime/protect.js';
import { pemBase64, pemBlocks } from '../core/pem.js';

/** Version of the document format (not the admin's own revision). Bump only with a migration. */
export const POLICY_VERSION = 1;

export type SignatureDigest = Digest | 'SHA-1';
export type SendGuardMode = 'SoftBlock' | 'Block';
export type EncryptionRequirement = 'never' | 'always' | 'domains';
export type OutdatedSignatureSeverity = 'caution' | 'danger';

export interface Policy {
  policyVersion: typeof POLICY_VERSION;
  /** The admin's own label for this revision, shown in the admin status line. */
  revision: string | null;
  signing: {
    /** Every message the user sends is signed (the send guard holds back unsigned mail). */
    alwaysSign: boolean;
  };
  encryption: {
    /** 'always': every message; 'domains': mail to a listed domain; 'never': the user decides. */
    required: EncryptionRequirement;
    /** Lowercase A-label domains; "*.example.com" means every subdomain of example.com. */
    domains: string[];
  };
  algorithms: {
    /** Digests Signet signs with, first = preferred; SHA-1 only with allowInsecureSha1. */
    signatureDigests: SignatureDigest[];
    /** Content ciphers Signet encrypts with. */
    encryptionCiphers: Cipher[];
    minRsaBits: number;
    minEcBits: 256 | 384 | 521;
    /** Accept SHA-1 signatures (collisions are practical; see core/config.ts). */
    allowInsecureSha1: boolean;
    /** Allow minRsaBits below Signet's default of 2048 (down to 1024). */
    allowInsecureShortKeys: boolean;
    /**
     * How the read pane presents a received signature that is intact but uses an outdated hash (SHA-1, MD5;
     * Verdict status 'outdated-algorithm'): 'caution' (warning) or 'danger'. Never makes it valid.
     */
    outdatedSignature: OutdatedSignatureSeverity;
  };
  trust: {
    /** Extra trust anchors, PEM certificates (the organisation's own CA, for example). */
    anchors: string[];
    /** Also trust Mozilla's e-mail roots, as Thunderbird does. */
    includeBuiltinRoots: boolean;
  };
  revocation: {
    mode: 'soft' | 'hard';
  };
  /** Where recipients' certificates are looked up (https only), or null. */
  directory: { url: string } | null;
  /** Microsoft Graph app registration for Nested App Authentication, or null (no Graph send). */
  graph: { clientId: string; authority: string } | null;
  sendGuard: {
    /** Smart Alerts send mode: SoftBlock lets Signet decide (Outlook sends if the add-in is unavailable); Block also blocks then (admin deployment). */
    mode: SendGuardMode;
  };
  /** What the compose pane switches on by itself (src/compose/defaults.ts); what is *required* is under signing/encryption. */
  compose: {
    /** Sign starts on for every new message (the sender may switch it off unless signing.alwaysSign). */
    signByDefault: boolean;
    /** Encrypt switches itself on whenever every recipient has a usable certificate (unless the sender switched it off). */
    encryptWhenReady: boolean;
  };
}

export type PolicyErrorCode =
  | 'unreadable' // not fetched, not JSON, too large
  | 'type' // wrong JSON type
  | 'required' // a required field is missing
  | 'unknown-field' // a field the schema does not define (a typo must not be ignored silently)
  | 'enum' // value outside the allowed set
  | 'range' // number outside its bounds
  | 'format' // string of the wrong form (URL, GUID, domain, PEM)
  | 'insecure' // a weakening that needs an explicit allowInsecure… switch
  | 'unsupported-version';

export interface PolicyError {
  /** JSON path of the offending value, e.g. "$.trust.anchors[1]". */
  path: string;
  code: PolicyErrorCode;
  message: string;
}

export interface PolicyResult {
  /** The policy in force: the document's valid fields, defaults for the rest. */
  policy: Policy;
  /** Empty when the document was valid; otherwise shown to the admin. */
  errors: PolicyError[];
  /** 'document' when a policy document was read (even with errors), 'defaults' when none was. */
  source: 'document' | 'defaults';
}

const SECURE_DIGESTS: readonly Digest[] = ['SHA-256', 'SHA-384', 'SHA-512'];
const ALL_CIPHERS: readonly Cipher[] = ['aes-256-gcm', 'aes-128-gcm', 'aes-256-cbc', 'aes-128-cbc'];

export const DEFAULT_POLICY: Readonly<Policy> = Object.freeze({
  policyVersion: POLICY_VERSION,
  revision: null,
  signing: { alwaysSign: false },
  encryption: { required: 'never', domains: [] },
  algorithms: {
    signatureDigests: [...SECURE_DIGESTS],
    encryptionCiphers: [...ALL_CIPHERS],
    minRsaBits: defaultConfig.minRsaBits,
    minEcBits: defaultConfig.minEcBits as 256,
    allowInsecureSha1: false,
    allowInsecureShortKeys: false,
    outdatedSignature: defaultConfig.outdatedSignatureSeverity,
  },
  trust: { anchors: [], includeBuiltinRoots: true },
  revocation: { mode: defaultConfig.revocationMode },
  directory: null,
  graph: null,
  sendGuard: { mode: 'SoftBlock' },
  compose: { signByDefault: true, encryptWhenReady: false },
}) as Readonly<Policy>;

/** A deep copy of the defaults, safe to mutate. */
export function defaultPolicy(): Policy {
  return structuredClone(DEFAULT_POLICY) as Policy;
}

/** Largest policy document accepted (many PEM anchors fit easily); stops a huge response eating memory. */
export const MAX_POLICY_BYTES = 1024 * 1024;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

class Checker {
  readonly errors: PolicyError[] = [];
  fail(path: string, code: PolicyErrorCode, message: string): undefined {
    this.errors.push({ path, code, message });
    return undefined;
  }
  object(v: Json | undefined, path: string, keys: readonly string[]): Record<string, Json> | undefined {
    if (v === undefined) return undefined;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return this.fail(path, 'type', `${path} must be an object.`);
    for (const k of Object.keys(v)) {
      if (!keys.includes(k)) this.fail(`${path}.${k}`, 'unknown-field', `${path}.${k} is not a policy setting (known: ${keys.join(', ')}).`);
    }
    return v;
  }
  bool(v: Json | undefined, path: string): boolean | undefined {
    if (v === undefined) return undefined;
    return typeof v === 'boolean' ? v : this.fail(path, 'type', `${path} must be true or false.`);
  }
  oneOf<T extends string>(v: Json | undefined, path: string, allowed: readonly T[]): T | undefined {
    if (v === undefined) return undefined;
    if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
    return this.fail(path, 'enum', `${path} must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}.`);
  }
  string(v: Json | undefined, path: string, max = 2048): string | undefined {
    if (v === undefined) return undefined;
    if (typeof v !== 'string') return this.fail(path, 'type', `${path} must be a string.`);
    if (v.length === 0 || v.length > max) return this.fail(path, 'range', `${path} must be 1 to ${max} characters.`);
    return v;
  }
  array(v: Json | undefined, path: string, maxItems: number): Json[] | undefined {
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) return this.fail(path, 'type', `${path} must be an array.`);
    if (v.length > maxItems) return this.fail(path, 'range', `${path} has more than ${maxItems} entries.`);
    return v;
  }
  httpsUrl(v: Json | undefined, path: string): string | undefined {
    const s = this.string(v, path);
    if (s === undefined) return undefined;
    let url: URL;
    try {
      url = new URL(s);
    } catch {
      return this.fail(path, 'format', `${path} is not a URL.`);
    }
    // Plain http would let anyone on the path substitute certificates or tokens.
    if (url.protocol !== 'https:') return this.fail(path, 'format', `${path} must be an https:// URL.`);
    if (url.username !== '' || url.password !== '') return this.fail(path, 'format', `${path} must not contain a user name or password.`);
    if (url.hash !== '') return this.fail(path, 'format', `${path} must not have a #fragment.`);
    return url.href;
  }
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** A domain in comparison form (lowercase A-labels), or null when it is not a host name. */
function normalizeDomain(raw: string): string | null {
  const wildcard = raw.startsWith('*.');
  const key = domainKey(wildcard ? raw.slice(2) : raw);
  const labels = key.split('.');
  if (key.length > 253 || labels.length < 2 || !labels.every((l) => LABEL.test(l))) return null;
  return wildcard ? `*.${key}` : key;
}

/** PEM CERTIFICATE blocks of one string, as DER; throws on armour or base64 that is broken. */
function pemCertificates(pem: string): Uint8Array[] {
  const blocks = pemBlocks(pem, ['CERTIFICATE']);
  if (blocks.length === 0) throw new Error('no "-----BEGIN CERTIFICATE-----" block');
  return blocks.map((b) => fromBase64(pemBase64(b.body)));
}

/** $.compose: the compose pane's own defaults (issue 18); each a boolean, a bad one keeps its default. */
function validateCompose(c: Checker, v: Json | undefined, p: Policy): void {
  const compose = c.object(v, '$.compose', ['signByDefault', 'encryptWhenReady']);
  if (!compose) return;
  p.compose.signByDefault = c.bool(compose['signByDefault'], '$.compose.signByDefault') ?? p.compose.signByDefault;
  p.compose.encryptWhenReady = c.bool(compose['encryptWhenReady'], '$.compose.encryptWhenReady') ?? p.compose.encryptWhenReady;
}

/**
 * Checks a parsed policy document. Never throws: every problem becomes an error with its JSON path, the
 * field keeps its default, and the rest of the document still applies.
 */
export function validatePolicy(doc: unknown): PolicyResult {
  const c = new Checker();
  const p = defaultPolicy();
  const root = c.object(doc as Json, '$', [
    '$schema', 'policyVersion', 'revision', 'signing', 'encryption', 'algorithms', 'trust', 'revocation', 'directory', 'graph', 'sendGuard', 'compose',
  ]);
  if (root === undefined) {
    if (doc === undefined) c.fail('$', 'required', 'The policy document is empty.');
    return { policy: p, errors: c.errors, source: 'document' };
  }
  if (root['policyVersion'] === undefined) {
    c.fail('$.policyVersion', 'required', '$.policyVersion is required (this Signet reads version 1).');
    return { policy: p, errors: c.errors, source: 'document' };
  }
  if (root['policyVersion'] !== POLICY_VERSION) {
    // A future format may mean something different by the same names: apply none of it.
    c.fail('$.policyVersion', 'unsupported-version', `$.policyVersion ${JSON.stringify(root['policyVersion'])} is not supported; this Signet reads version ${POLICY_VERSION}. Using safe defaults.`);
    return { policy: p, errors: c.errors, source: 'document' };
  }
  if (root['$schema'] !== undefined) c.string(root['$schema'], '$.$schema');
  if (root['revision'] !== undefined) p.revision = c.string(root['revision'], '$.revision', 200) ?? null;

  const signing = c.object(root['signing'], '$.signing', ['alwaysSign']);
  if (signing) p.signing.alwaysSign = c.bool(signing['alwaysSign'], '$.signing.alwaysSign') ?? p.signing.alwaysSign;
  validateCompose(c, root['compose'], p);

  const encryption = c.object(root['encryption'], '$.encryption', ['required', 'domains']);
  if (encryption) {
    const required = c.oneOf(encryption['required'], '$.encryption.required', ['never', 'always', 'domains'] as const);
    const list = c.array(encryption['domains'], '$.encryption.domains', 1000);
    const domains: string[] = [];
    let domainsOk = list !== undefined;
    (list ?? []).forEach((d, i) => {
      const path = `$.encryption.domains[${i}]`;
      const s = c.string(d, path, 255);
      const norm = s === undefined ? null : normalizeDomain(s);
      if (s !== undefined && norm === null) c.fail(path, 'format', `${path} ${JSON.stringify(s)} is not a domain name (use "example.com" or "*.example.com").`);
      if (norm === null) domainsOk = false;
      else if (!domains.includes(norm)) domains.push(norm);
    });
    if (required === 'domains' && list === undefined) {
      c.fail('$.encryption.domains', 'required', '$.encryption.domains is required when $.encryption.required is "domains".');
    } else if (required === 'domains' && domains.length === 0 && domainsOk) {
      c.fail('$.encryption.domains', 'range', '$.encryption.domains must list at least one domain when $.encryption.required is "domains".');
    }
    // The valid domains still apply: dropping a mistyped entry must not drop encryption for the others.
    if (required !== undefined) p.encryption.required = required;
    p.encryption.domains = domains;
  }

  const alg = c.object(root['algorithms'], '$.algorithms', [
    'signatureDigests', 'encryptionCiphers', 'minRsaBits', 'minEcBits', 'allowInsecureSha1', 'allowInsecureShortKeys', 'outdatedSignature',
  ]);
  if (alg) {
    const a = p.algorithms;
    a.allowInsecureSha1 = c.bool(alg['allowInsecureSha1'], '$.algorithms.allowInsecureSha1') ?? false;
    a.allowInsecureShortKeys = c.bool(alg['allowInsecureShortKeys'], '$.algorithms.allowInsecureShortKeys') ?? false;
    a.outdatedSignature = c.oneOf(alg['outdatedSignature'], '$.algorithms.outdatedSignature', ['caution', 'danger'] as const) ?? a.outdatedSignature;
    const digests = c.array(alg['signatureDigests'], '$.algorithms.signatureDigests', 4);
    if (digests) {
      const out: SignatureDigest[] = [];
      let ok = true;
      digests.forEach((d, i) => {
        const path = `$.algorithms.signatureDigests[${i}]`;
        const v = c.oneOf(d, path, ['SHA-256', 'SHA-384', 'SHA-512', 'SHA-1'] as const);
        if (v === 'SHA-1' && !a.allowInsecureSha1) {
          ok = false;
          c.fail(path, 'insecure', `${path}: SHA-1 signatures can be forged (chosen-prefix collisions); allow them only with $.algorithms.allowInsecureSha1 = true.`);
        } else if (v === undefined) ok = false;
        else if (!out.includes(v)) out.push(v);
      });
      if (ok && out.length === 0) c.fail('$.algorithms.signatureDigests', 'range', '$.algorithms.signatureDigests must name at least one digest.');
      else if (ok) a.signatureDigests = out;
    }
    const ciphers = c.array(alg['encryptionCiphers'], '$.algorithms.encryptionCiphers', 4);
    if (ciphers) {
      const out: Cipher[] = [];
      let ok = true;
      ciphers.forEach((d, i) => {
        const v = c.oneOf(d, `$.algorithms.encryptionCiphers[${i}]`, ALL_CIPHERS);
        if (v === undefined) ok = false;
        else if (!out.includes(v)) out.push(v);
      });
      if (ok && out.length === 0) c.fail('$.algorithms.encryptionCiphers', 'range', '$.algorithms.encryptionCiphers must name at least one cipher.');
      else if (ok) a.encryptionCiphers = out;
    }
    const rsa = alg['minRsaBits'];
    if (rsa !== undefined) {
      const floor = a.allowInsecureShortKeys ? 1024 : defaultConfig.minRsaBits;
      if (typeof rsa !== 'number' || !Number.isSafeInteger(rsa)) c.fail('$.algorithms.minRsaBits', 'type', '$.algorithms.minRsaBits must be a whole number.');
      else if (rsa > 16384) c.fail('$.algorithms.minRsaBits', 'range', '$.algorithms.minRsaBits must be at most 16384.');
      else if (rsa < floor) {
        c.fail(
          '$.algorithms.minRsaBits',
          rsa >= 1024 ? 'insecure' : 'range',
          rsa >= 1024
            ? `$.algorithms.minRsaBits ${rsa} is below Signet's default of ${defaultConfig.minRsaBits}; short RSA keys can be factored, so this needs $.algorithms.allowInsecureShortKeys = true.`
            : '$.algorithms.minRsaBits must be at least 1024.',
        );
      } else a.minRsaBits = rsa;
    }
    const ec = alg['minEcBits'];
    if (ec !== undefined) {
      if (ec === 256 || ec === 384 || ec === 521) a.minEcBits = ec;
      else c.fail('$.algorithms.minEcBits', 'enum', '$.algorithms.minEcBits must be 256, 384 or 521.');
    }
  }

  const trust = c.object(root['trust'], '$.trust', ['anchors', 'includeBuiltinRoots']);
  if (trust) {
    p.trust.includeBuiltinRoots = c.bool(trust['includeBuiltinRoots'], '$.trust.includeBuiltinRoots') ?? p.trust.includeBuiltinRoots;
    const anchors = c.array(trust['anchors'], '$.trust.anchors', 200);
    (anchors ?? []).forEach((a, i) => {
      const path = `$.trust.anchors[${i}]`;
      const pem = c.string(a, path, 64 * 1024);
      if (pem === undefined) return;
      try {
        const ders = pemCertificates(pem);
        if (ders.length !== 1) throw new Error('one certificate per entry');
        const cert = parseCertificate(ders[0]!, defaultConfig.limits);
        if (cert.basicConstraints !== null && !cert.basicConstraints.cA) throw new Error('not a CA certificate (basicConstraints cA is false)');
        // Only anchors that parsed are kept: a broken one is reported and trusts nothing.
        p.trust.anchors.push(pem.trim());
      } catch (e) {
        c.fail(path, 'format', `${path} is not a usable PEM CA certificate: ${e instanceof Error ? e.message : String(e)}.`);
      }
    });
  }

  const revocation = c.object(root['revocation'], '$.revocation', ['mode']);
  if (revocation) p.revocation.mode = c.oneOf(revocation['mode'], '$.revocation.mode', ['soft', 'hard'] as const) ?? p.revocation.mode;

  if (root['directory'] !== undefined && root['directory'] !== null) {
    const directory = c.object(root['directory'], '$.directory', ['url']);
    if (directory) {
      if (directory['url'] === undefined) c.fail('$.directory.url', 'required', '$.directory.url is required (or set $.directory to null).');
      const url = c.httpsUrl(directory['url'], '$.directory.url');
      if (url !== undefined) p.directory = { url };
    }
  }

  if (root['graph'] !== undefined && root['graph'] !== null) {
    const graph = c.object(root['graph'], '$.graph', ['clientId', 'authority']);
    if (graph) {
      let clientId: string | undefined;
      if (graph['clientId'] === undefined) c.fail('$.graph.clientId', 'required', '$.graph.clientId is required (the Application (client) ID of the app registration).');
      else {
        clientId = c.string(graph['clientId'], '$.graph.clientId', 36);
        if (clientId !== undefined && !GUID.test(clientId)) clientId = c.fail('$.graph.clientId', 'format', '$.graph.clientId must be a GUID such as 00000000-0000-0000-0000-000000000000.');
      }
      const authority = graph['authority'] === undefined ? 'https://login.microsoftonline.com/organizations' : c.httpsUrl(graph['authority'], '$.graph.authority');
      if (clientId !== undefined && authority !== undefined) p.graph = { clientId: clientId.toLowerCase(), authority };
    }
  }

  const guard = c.object(root['sendGuard'], '$.sendGuard', ['mode']);
  if (guard) p.sendGuard.mode = c.oneOf(guard['mode'], '$.sendGuard.mode', ['SoftBlock', 'Block'] as const) ?? p.sendGuard.mode;

  return { policy: p, errors: c.errors, source: 'document' };
}

/** Parses and validates policy text (the body of /signet-policy.json). Never throws. */
export function parsePolicy(text: string): PolicyResult {
  if (text.length > MAX_POLICY_BYTES) {
    return { policy: defaultPolicy(), errors: [{ path: '$', code: 'unreadable', message: `The policy is larger than ${MAX_POLICY_BYTES} bytes.` }], source: 'defaults' };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    return { policy: defaultPolicy(), errors: [{ path: '$', code: 'unreadable', message: `The policy is not valid JSON: ${detail}` }], source: 'defaults' };
  }
  return validatePolicy(doc);
}

/**
 * The core's SecurityConfig for this policy. Policy values only ever tighten the core's defaults, except
 * where the policy says allowInsecure…; resolveConfig() re-checks the result.
 */
export function securityConfig(policy: Policy, base: ConfigOverrides = {}): SignetConfig {
  const a = policy.algorithms;
  return resolveConfig({
    ...base,
    allowInsecureSha1: a.allowInsecureSha1,
    // MD5 is never something an organisation policy can turn on.
    allowInsecureMd5: false,
    // The core switch would drop the minimum altogether; the policy only lowers minRsaBits (to ≥ 1024).
    allowInsecureShortKeys: false,
    minRsaBits: Math.max(a.minRsaBits, a.allowInsecureShortKeys ? 1024 : defaultConfig.minRsaBits),
    minEcBits: Math.max(a.minEcBits, defaultConfig.minEcBits),
    revocationMode: policy.revocation.mode,
    outdatedSignatureSeverity: a.outdatedSignature,
  });
}

/** The policy's trust anchors as DER, ready for openMessage({ anchors }); builtin roots when the policy says so. */
export function trustAnchors(policy: Policy): Uint8Array[] {
  const own = policy.trust.anchors.flatMap(pemCertificates);
  return policy.trust.includeBuiltinRoots ? [...own, ...builtinEmailRoots()] : own;
}

/** The digest to sign with: the policy's first choice. */
export function signingDigest(policy: Policy): Digest {
  const first = policy.algorithms.signatureDigests.find((d): d is Digest => d !== 'SHA-1');
  return first ?? 'SHA-256';
}

/** The recipients (addr-specs) to whom this policy requires encrypted mail. */
export function recipientsRequiringEncryption(policy: Policy, recipients: readonly string[]): string[] {
  if (policy.encryption.required === 'always') return [...recipients];
  if (policy.encryption.required === 'never') return [];
  return recipients.filter((r) => {
    const at = r.lastIndexOf('@');
    if (at < 0) return true; // an address we cannot read: be strict
    const domain = domainKey(r.slice(at + 1));
    return policy.encryption.domains.some((d) => (d.startsWith('*.') ? domain.endsWith(d.slice(1)) : domain === d));
  });
}
