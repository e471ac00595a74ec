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
    /**
     * The organisation host's revocation relay (docs/ADMIN.md, "Organisation host and revocation relay"):
     * a path on the add-in's own origin ("/relay") or an https URL, or null. Without it the pane cannot
     * reach OCSP responders or CRLs and says revocation was not checked.
     */
    relay: string | null;
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
  /** RFC 9788 header protection of the mail Signet sends (validateHeaderProtection). */
  headerProtection: HeaderProtectionPolicy;
}

export interface HeaderProtectionPolicy {
  /** Copy Subject, From, To, Cc, Date … inside the signature/encryption (hp="clear"/"cipher"). Default on. */
  enabled: boolean;
  /**
   * Encrypted mail: the outer Subject becomes "[...]" (RFC 9788 hcp_baseline). Default off: recipients whose
   * mail program does not know header protection see "[...]" in their inbox, so the organisation opts in.
   */
  encryptSubject: boolean;
  /** With encryptSubject: repeat the real Subject at the top of the text for such programs (Legacy Display Element). */
  legacyDisplay: boolean;
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
  | 'unsupported-version'
  | 'needs-relay'; // a warning (PolicyResult.warnings): hard revocation mode without a revocation relay

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
  /** Valid settings that will not work as intended (policyWarnings); absent or empty when there are none. */
  warnings?: PolicyError[];
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
  revocation: { mode: defaultConfig.revocationMode, relay: null },
  directory: null,
  graph: null,
  sendGuard: { mode: 'SoftBlock' },
  compose: { signByDefault: true, encryptWhenReady: false },
  headerProtection: { enabled: true, encryptSubject: false, legacyDisplay: true },
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

type Section = Record<string, Json>;

/** How one top-level section of the document is read: its known keys, and its fields into the policy. */
interface SectionRule {
  keys: readonly string[];
  /** null is a valid value and means "none" (the default). */
  nullable?: true;
  apply(c: Checker, s: Section, p: Policy): void;
}

/**
 * The document's sections in the order they are checked (and their errors reported). Each field is read
 * by a small validator; a field that fails keeps its default.
 */
const SECTIONS: Record<string, SectionRule> = {
  signing: {
    keys: ['alwaysSign'],
    apply: (c, s, p) => (p.signing.alwaysSign = c.bool(s['alwaysSign'], '$.signing.alwaysSign') ?? p.signing.alwaysSign),
  },
  compose: { keys: ['signByDefault', 'encryptWhenReady'], apply: readCompose },
  encryption: { keys: ['required', 'domains'], apply: readEncryption },
  algorithms: {
    keys: ['signatureDigests', 'encryptionCiphers', 'minRsaBits', 'minEcBits', 'allowInsecureSha1', 'allowInsecureShortKeys', 'outdatedSignature'],
    apply: readAlgorithms,
  },
  trust: { keys: ['anchors', 'includeBuiltinRoots'], apply: readTrust },
  revocation: {
    keys: ['mode', 'relay'],
    apply: (c, s, p) => {
      p.revocation.mode = c.oneOf(s['mode'], '$.revocation.mode', ['soft', 'hard'] as const) ?? p.revocation.mode;
      p.revocation.relay = validateRevocationRelay(s['relay'], c);
    },
  },
  directory: { keys: ['url'], nullable: true, apply: readDirectory },
  graph: { keys: ['clientId', 'authority'], nullable: true, apply: readGraph },
  sendGuard: {
    keys: ['mode'],
    apply: (c, s, p) => (p.sendGuard.mode = c.oneOf(s['mode'], '$.sendGuard.mode', ['SoftBlock', 'Block'] as const) ?? p.sendGuard.mode),
  },
  headerProtection: { keys: ['enabled', 'encryptSubject', 'legacyDisplay'], apply: readHeaderProtection },
};

const ROOT_KEYS = ['$schema', 'policyVersion', 'revision', ...Object.keys(SECTIONS)];

/** $.compose: the compose pane's own defaults (issue 18); each a boolean, a bad one keeps its default. */
function readCompose(c: Checker, compose: Section, p: Policy): void {
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
  const root = c.object(doc as Json, '$', ROOT_KEYS);
  if (root === undefined && doc === undefined) c.fail('$', 'required', 'The policy document is empty.');
  if (root === undefined || !versionSupported(c, root['policyVersion'])) return { policy: p, errors: c.errors, source: 'document' };
  if (root['$schema'] !== undefined) c.string(root['$schema'], '$.$schema');
  if (root['revision'] !== undefined) p.revision = c.string(root['revision'], '$.revision', 200) ?? null;
  for (const [name, rule] of Object.entries(SECTIONS)) {
    if (rule.nullable && root[name] === null) continue;
    const section = c.object(root[name], `$.${name}`, rule.keys);
    if (section) rule.apply(c, section, p);
  }
  return { policy: p, errors: c.errors, source: 'document', warnings: policyWarnings(p) };
}

/** $.headerProtection (RFC 9788): three switches, each falling back to its default when invalid. */
function readHeaderProtection(c: Checker, hp: Section, p: Policy): void {
  const h = p.headerProtection;
  h.enabled = c.bool(hp['enabled'], '$.headerProtection.enabled') ?? h.enabled;
  h.encryptSubject = c.bool(hp['encryptSubject'], '$.headerProtection.encryptSubject') ?? h.encryptSubject;
  h.legacyDisplay = c.bool(hp['legacyDisplay'], '$.headerProtection.legacyDisplay') ?? h.legacyDisplay;
}

/** $.revocation.relay: null, a same-origin absolute path, or an https URL (issue 15). */
function validateRevocationRelay(v: Json | undefined, c: Checker): string | null {
  if (v === undefined || v === null) return null;
  const path = '$.revocation.relay';
  const s = c.string(v, path, 2048);
  if (s === undefined) return null;
  if (s.startsWith('/') && !s.startsWith('//') && !s.includes('?') && !s.includes('#') && !s.includes('\\')) return s;
  return c.httpsUrl(s, path) ?? null;
}

/**
 * Settings that are valid but do not do what an admin may think, shown like errors but changing nothing.
 * Hard revocation mode without a relay: the pane can reach no OCSP responder or CRL, so every certificate
 * naming one would be 'revocation-unknown' and every such signature untrusted.
 */
export function policyWarnings(policy: Policy): PolicyError[] {
  const out: PolicyError[] = [];
  if (policy.revocation.mode === 'hard' && !policy.revocation.relay) {
    out.push({
      path: '$.revocation.mode',
      code: 'needs-relay',
      message: '$.revocation.mode "hard" needs $.revocation.relay: without the relay the pane cannot check revocation, so signatures whose certificates name an OCSP responder or CRL would all be untrusted.',
    });
  }
  return out;
}

/** A future format may mean something different by the same names: a document of another version applies not at all. */
function versionSupported(c: Checker, version: Json | undefined): boolean {
  if (version === undefined) {
    c.fail('$.policyVersion', 'required', '$.policyVersion is required (this Signet reads version 1).');
    return false;
  }
  if (version !== POLICY_VERSION) {
    c.fail('$.policyVersion', 'unsupported-version', `$.policyVersion ${JSON.stringify(version)} is not supported; this Signet reads version ${POLICY_VERSION}. Using safe defaults.`);
    return false;
  }
  return true;
}

function readEncryption(c: Checker, s: Section, p: Policy): void {
  const required = c.oneOf(s['required'], '$.encryption.required', ['never', 'always', 'domains'] as const);
  const list = c.array(s['domains'], '$.encryption.domains', 1000);
  const { domains, allValid } = readDomains(c, list ?? []);
  if (required === 'domains' && list === undefined) {
    c.fail('$.encryption.domains', 'required', '$.encryption.domains is required when $.encryption.required is "domains".');
  } else if (required === 'domains' && domains.length === 0 && allValid) {
    c.fail('$.encryption.domains', 'range', '$.encryption.domains must list at least one domain when $.encryption.required is "domains".');
  }
  // The valid domains still apply: dropping a mistyped entry must not drop encryption for the others.
  if (required !== undefined) p.encryption.required = required;
  p.encryption.domains = domains;
}

/** The list's domains in comparison form, without duplicates; `allValid` is false when any entry failed. */
function readDomains(c: Checker, list: Json[]): { domains: string[]; allValid: boolean } {
  const domains: string[] = [];
  let allValid = true;
  list.forEach((d, i) => {
    const path = `$.encryption.domains[${i}]`;
    const s = c.string(d, path, 255);
    const norm = s === undefined ? null : normalizeDomain(s);
    if (s !== undefined && norm === null) c.fail(path, 'format', `${path} ${JSON.stringify(s)} is not a domain name (use "example.com" or "*.example.com").`);
    if (norm === null) allValid = false;
    else if (!domains.includes(norm)) domains.push(norm);
  });
  return { domains, allValid };
}

function readAlgorithms(c: Checker, s: Section, p: Policy): void {
  const a = p.algorithms;
  // The allowInsecure… switches first: the lists and bounds below depend on them.
  a.allowInsecureSha1 = c.bool(s['allowInsecureSha1'], '$.algorithms.allowInsecureSha1') ?? false;
  a.allowInsecureShortKeys = c.bool(s['allowInsecureShortKeys'], '$.algorithms.allowInsecureShortKeys') ?? false;
  a.outdatedSignature = c.oneOf(s['outdatedSignature'], '$.algorithms.outdatedSignature', ['caution', 'danger'] as const) ?? a.outdatedSignature;
  a.signatureDigests = readChoices(c, s['signatureDigests'], '$.algorithms.signatureDigests', 'digest', (d, path) => {
    const v = c.oneOf(d, path, ['SHA-256', 'SHA-384', 'SHA-512', 'SHA-1'] as const);
    if (v !== 'SHA-1' || a.allowInsecureSha1) return v;
    return c.fail(path, 'insecure', `${path}: SHA-1 signatures can be forged (chosen-prefix collisions); allow them only with $.algorithms.allowInsecureSha1 = true.`);
  }) ?? a.signatureDigests;
  a.encryptionCiphers = readChoices(c, s['encryptionCiphers'], '$.algorithms.encryptionCiphers', 'cipher', (d, path) => c.oneOf(d, path, ALL_CIPHERS)) ?? a.encryptionCiphers;
  a.minRsaBits = readMinRsaBits(c, s['minRsaBits'], a.allowInsecureShortKeys) ?? a.minRsaBits;
  const ec = s['minEcBits'];
  if (ec === 256 || ec === 384 || ec === 521) a.minEcBits = ec;
  else if (ec !== undefined) c.fail('$.algorithms.minEcBits', 'enum', '$.algorithms.minEcBits must be 256, 384 or 521.');
}

/**
 * An ordered list of allowed choices (at most 4), without duplicates; undefined (keep the default) when
 * it is absent, when any entry is invalid, or when it is empty.
 */
function readChoices<T extends string>(c: Checker, v: Json | undefined, path: string, what: string, item: (d: Json, path: string) => T | undefined): T[] | undefined {
  const list = c.array(v, path, 4);
  if (!list) return undefined;
  const out: T[] = [];
  let ok = true;
  list.forEach((d, i) => {
    const x = item(d, `${path}[${i}]`);
    if (x === undefined) ok = false;
    else if (!out.includes(x)) out.push(x);
  });
  if (ok && out.length === 0) c.fail(path, 'range', `${path} must name at least one ${what}.`);
  return ok && out.length > 0 ? out : undefined;
}

function readMinRsaBits(c: Checker, rsa: Json | undefined, allowShort: boolean): number | undefined {
  const path = '$.algorithms.minRsaBits';
  if (rsa === undefined) return undefined;
  if (typeof rsa !== 'number' || !Number.isSafeInteger(rsa)) return c.fail(path, 'type', `${path} must be a whole number.`);
  if (rsa > 16384) return c.fail(path, 'range', `${path} must be at most 16384.`);
  if (rsa < 1024) return c.fail(path, 'range', `${path} must be at least 1024.`);
  if (rsa < defaultConfig.minRsaBits && !allowShort) {
    return c.fail(
      path,
      'insecure',
      `${path} ${rsa} is below Signet's default of ${defaultConfig.minRsaBits}; short RSA keys can be factored, so this needs $.algorithms.allowInsecureShortKeys = true.`,
    );
  }
  return rsa;
}

function readTrust(c: Checker, s: Section, p: Policy): void {
  p.trust.includeBuiltinRoots = c.bool(s['includeBuiltinRoots'], '$.trust.includeBuiltinRoots') ?? p.trust.includeBuiltinRoots;
  const anchors = c.array(s['anchors'], '$.trust.anchors', 200);
  (anchors ?? []).forEach((a, i) => {
    const path = `$.trust.anchors[${i}]`;
    const pem = c.string(a, path, 64 * 1024);
    if (pem === undefined) return;
    const problem = anchorProblem(pem);
    // Only anchors that parsed are kept: a broken one is reported and trusts nothing.
    if (problem === null) p.trust.anchors.push(pem.trim());
    else c.fail(path, 'format', `${path} is not a usable PEM CA certificate: ${problem}.`);
  });
}

/** Why a PEM string is not one CA certificate, or null when it is. */
function anchorProblem(pem: string): string | null {
  try {
    const ders = pemCertificates(pem);
    if (ders.length !== 1) return 'one certificate per entry';
    const cert = parseCertificate(ders[0]!, defaultConfig.limits);
    if (cert.basicConstraints !== null && !cert.basicConstraints.cA) return 'not a CA certificate (basicConstraints cA is false)';
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

function readDirectory(c: Checker, s: Section, p: Policy): void {
  if (s['url'] === undefined) c.fail('$.directory.url', 'required', '$.directory.url is required (or set $.directory to null).');
  const url = c.httpsUrl(s['url'], '$.directory.url');
  if (url !== undefined) p.directory = { url };
}

function readGraph(c: Checker, s: Section, p: Policy): void {
  const clientId = readClientId(c, s['clientId']);
  const authority = s['authority'] === undefined ? 'https://login.microsoftonline.com/organizations' : c.httpsUrl(s['authority'], '$.graph.authority');
  if (clientId !== undefined && authority !== undefined) p.graph = { clientId: clientId.toLowerCase(), authority };
}

function readClientId(c: Checker, v: Json | undefined): string | undefined {
  const path = '$.graph.clientId';
  if (v === undefined) return c.fail(path, 'required', `${path} is required (the Application (client) ID of the app registration).`);
  const id = c.string(v, path, 36);
  if (id !== undefined && !GUID.test(id)) return c.fail(path, 'format', `${path} must be a GUID such as 00000000-0000-0000-0000-000000000000.`);
  return id;
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
