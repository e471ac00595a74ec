// The `signet` command line (ARCHITECTURE.md, "The `signet` command line"): a stable contract for admins,
// helpdesks and interop tests over the same core the add-in uses. Input and output are whole RFC 5322
// messages on stdin/stdout. Exit codes: 0 success (for verify: status `valid`), 1 any other verdict or a
// failed decryption, 2 bad usage or unreadable input.

import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { setByteSearch } from '../core/bytes.js';
import { SignetError, toSignetError } from '../core/errors.js';
import type { CryptoProvider } from '../core/crypto.js';
import type { Identity } from '../core/keys.js';
import type { Cipher, Digest } from '../core/smime/protect.js';
import type { SignetConfig } from '../core/config.js';
import type { MemoryRevocationCache } from '../core/pki/revocation/index.js';

// Start-up (issue 17): only what every command needs is imported statically. Everything else is loaded
// by the command that uses it — `signet --help` never runs or compiles pkijs. In the bundle
// (scripts/bundle-cli.js) each of these imports becomes a module initialised on first use; V8 compiles
// only the functions that run, and bin/signet.cjs keeps their bytecode in a code cache per command.
const lazy = {
  crypto: () => import('../core/crypto.js'),
  protect: () => import('../core/smime/protect.js'),
  open: () => import('../core/smime/open.js'),
  decrypt: () => import('../core/smime/decrypt-message.js'),
  inspect: () => import('../core/smime/inspect.js'),
  identityFile: () => import('../keys/identity-file.js'),
  format: () => import('./format.js'),
  policy: () => import('../policy/index.js'),
  revocation: () => import('../core/pki/revocation/index.js'),
  roots: () => import('../core/pki/roots/index.js'),
};

export const USAGE = `Usage:
  signet sign    --identity FILE [--pass PW] [--opaque] [--digest sha256|sha384|sha512]
                 [--protect-headers] [--staple]                                        < in.eml > out.eml
  signet encrypt --to CERT [--to CERT ...] [--identity FILE --pass PW]
                 [--cipher aes-128-gcm|aes-256-gcm|aes-128-cbc|aes-256-cbc]
                 [--protect-headers] [--hide-subject [--legacy-display]]              < in.eml > out.eml
  signet decrypt --identity FILE [--pass PW]                                              < in.eml > out.eml
  signet verify  [--trust CA.pem ...] [--policy signet-policy.json] [--no-builtin-roots] [--identity FILE --pass PW] [--at ISO-8601]
                 [--offline] [--json]                                                  < in.eml
  signet inspect                                                                          < in.eml
  signet serve   [--config FILE] [--root DIR] [--port N] [--address ADDR] [--policy FILE]   (the organisation host)

FILE is a PKCS#12 file (with --pass) or a PEM file with a private key and certificates.
verify trusts Mozilla's e-mail roots (built in) plus every --trust CA; --no-builtin-roots trusts only --trust.
Missing intermediates are fetched from the certificate's AIA URL unless --offline.
--protect-headers copies Subject, From, To, Cc, Date … inside the signature or encryption (RFC 9788);
--hide-subject (implies it) sends an encrypted message with the Subject "[...]", the real one inside;
--legacy-display also repeats the hidden Subject at the top of the text for mail programs without RFC 9788.
verify exits 0 only when the message is valid, 1 for any other verdict, 2 for bad usage or unreadable input.`;

export interface CliIo {
  /** The message, handed over: decrypt and verify decode and decrypt it in place (consumeMessage). */
  stdin: () => Promise<Uint8Array>;
  /**
   * Standard input as pieces, as they arrive, when it is a pipe (null for a regular file, which stdin()
   * reads in one call). `signet encrypt` uses it to encrypt while the message is still being produced.
   */
  stdinChunks?: () => AsyncIterable<Uint8Array> | null;
  /**
   * Writes output. Sign and encrypt reuse their output buffers: the bytes must be written (or copied)
   * when the call returns or, if it returns a promise, when that settles.
   */
  stdout: (b: Uint8Array | string) => void | Promise<void>;
  stderr: (s: string) => void;
}

/** OCSP answers and CRLs verified by this process, kept until their nextUpdate (`main` may run many times). */
let revocationCache: MemoryRevocationCache | undefined;

const DIGESTS: Record<string, Digest> = { sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' };
const CIPHERS = new Set<Cipher>(['aes-128-gcm', 'aes-256-gcm', 'aes-128-cbc', 'aes-256-cbc']);

class UsageError extends SignetError {
  constructor(message: string) {
    super('usage', message);
  }
}

async function readInputFile(path: string, what: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    throw new SignetError('io', `Cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}.`, { cause: e });
  }
}

async function identities(file: string | undefined, pass: string | undefined, provider: CryptoProvider, required: boolean): Promise<Identity[]> {
  if (!file) {
    if (required) throw new UsageError('--identity FILE is required.');
    return [];
  }
  const { loadIdentities } = await lazy.identityFile();
  return loadIdentities(await readInputFile(file, 'identity file'), pass, provider);
}

async function certificates(files: string[] | undefined, what: string): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  if (!files || files.length === 0) return out;
  const { loadCertificates } = await lazy.identityFile();
  for (const f of files) out.push(...loadCertificates(await readInputFile(f, what)));
  return out;
}

async function nodeCryptoProvider(): Promise<CryptoProvider> {
  const [{ cryptoProvider }, { nodeCrypto, decryptAesCbcInPlace }] = await Promise.all([lazy.crypto(), import('./node-crypto.js')]);
  return { ...cryptoProvider(nodeCrypto()), decryptAesCbcInPlace };
}

// Node's Buffer search is memchr, ~8× V8's TypedArray.indexOf over a 25 MB message (issue 17); it accepts
// any Uint8Array and agrees with TypedArray.indexOf for byte values (test/unit/bytes.test.ts).
const nodeIndexOf = Buffer.prototype.indexOf;
setByteSearch((haystack, value, from) => nodeIndexOf.call(haystack, value, from));

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (!command || command === '--help' || command === '-h' || command === 'help') {
      (command ? io.stdout : io.stderr)(USAGE + '\n');
      return command ? 0 : 2;
    }
    if (command === 'serve') return await (await import('./serve.js')).serve(rest, io);
    let parsed;
    try {
      parsed = parseArgs({
        args: rest,
        strict: true,
        allowPositionals: false,
        options: {
          identity: { type: 'string' },
          pass: { type: 'string' },
          opaque: { type: 'boolean' },
          staple: { type: 'boolean' },
          digest: { type: 'string' },
          to: { type: 'string', multiple: true },
          cipher: { type: 'string' },
          trust: { type: 'string', multiple: true },
          at: { type: 'string' },
          offline: { type: 'boolean' },
          json: { type: 'boolean' },
          policy: { type: 'string' },
          'no-builtin-roots': { type: 'boolean' },
          'protect-headers': { type: 'boolean' },
          'hide-subject': { type: 'boolean' },
          'legacy-display': { type: 'boolean' },
        },
      });
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const v = parsed.values;
    const allowed: Record<string, string[]> = {
      sign: ['identity', 'pass', 'opaque', 'digest', 'protect-headers', 'staple'],
      encrypt: ['to', 'identity', 'pass', 'cipher', 'protect-headers', 'hide-subject', 'legacy-display'],
      decrypt: ['identity', 'pass'],
      verify: ['trust', 'no-builtin-roots', 'policy', 'identity', 'pass', 'at', 'offline', 'json'],
      inspect: ['json'],
    };
    const allowedHere = allowed[command];
    if (!allowedHere) throw new UsageError(`Unknown command "${command}".`);
    for (const k of Object.keys(v)) {
      if (!allowedHere.includes(k)) throw new UsageError(`--${k} is not an option of "signet ${command}".`);
    }

    // The modules a command needs are started at once, not one await after another: run from the tsc
    // output, the ESM loader reads each file through the thread pool, so the reads overlap each other and
    // the key file's. A failed prefetch is reported by the import that awaits it below.
    const prefetch = (load: () => Promise<unknown>): void => void load().catch(() => undefined);
    if (command === 'sign' || command === 'encrypt') {
      prefetch(lazy.identityFile);
      prefetch(lazy.protect);
    } else if (command === 'decrypt') {
      prefetch(lazy.identityFile);
      prefetch(lazy.decrypt);
    } else if (command === 'verify') {
      prefetch(lazy.open);
      prefetch(lazy.format);
    }
    // inspect needs no crypto: it never loads pkijs.
    const provider = command === 'inspect' ? (null as unknown as CryptoProvider) : await nodeCryptoProvider();
    switch (command) {
      case 'sign': {
        const digest = DIGESTS[(v.digest ?? 'sha256').toLowerCase()];
        if (!digest) throw new UsageError('--digest must be sha256, sha384 or sha512.');
        const ids = await identities(v.identity, v.pass, provider, true);
        const input = await io.stdin();
        const headerProtection = v['protect-headers'] === true ? {} : undefined;
        const staple = v.staple ? await (await import('./staple.js')).stapleFor(ids[0]!, provider, io.stderr) : undefined;
        const { writeProtectedMessage } = await lazy.protect();
        await writeProtectedMessage(
          input,
          { sign: { identity: ids[0]!, digest, opaque: v.opaque === true, ...(staple ? { revocationInfo: staple } : {}) }, headerProtection, provider },
          io.stdout,
        );
        return 0;
      }
      case 'encrypt': {
        if (!v.to || v.to.length === 0) throw new UsageError('--to CERT is required (once per recipient).');
        const cipher = v.cipher?.toLowerCase() as Cipher | undefined;
        if (cipher !== undefined && !CIPHERS.has(cipher)) throw new UsageError('--cipher must be aes-128-gcm, aes-256-gcm, aes-128-cbc or aes-256-cbc.');
        const recipients = await certificates(v.to, 'recipient certificate');
        // From a pipe (`signet sign | signet encrypt`), AES-CBC encryption starts with the first piece of the
        // message instead of after its last (BER with indefinite lengths; protect.ts writeProtectedMessageFrom).
        // Header protection rewrites the header block against the content, so it reads the whole message.
        // The reader starts once the arguments and certificates are known good, so that its start-up
        // overlaps the key file's; a failure after this point exits when the upstream writer is done.
        const pieces = v['protect-headers'] !== true && v['hide-subject'] !== true ? (io.stdinChunks?.() ?? null) : null;
        // The sender is always a recipient too, so their own copy (Sent Items) stays readable.
        const ids = await identities(v.identity, v.pass, provider, false);
        for (const id of ids) recipients.push(id.certificate);
        if (v['legacy-display'] === true && v['hide-subject'] !== true) throw new UsageError('--legacy-display goes with --hide-subject.');
        // RFC 9788: --hide-subject applies hcp_baseline (Subject "[...]"); --protect-headers alone keeps the
        // outer fields readable (hcp_no_confidentiality) but protected inside.
        const headerProtection =
          v['hide-subject'] === true
            ? { hcp: 'baseline' as const, legacyDisplay: v['legacy-display'] === true }
            : v['protect-headers'] === true
              ? { hcp: 'no-confidentiality' as const }
              : undefined;
        const { writeProtectedMessage, writeProtectedMessageFrom } = await lazy.protect();
        if (pieces !== null) await writeProtectedMessageFrom(pieces, { encrypt: { recipients, cipher }, provider }, io.stdout);
        else await writeProtectedMessage(await io.stdin(), { encrypt: { recipients, cipher }, headerProtection, provider }, io.stdout);
        return 0;
      }
      case 'decrypt': {
        const ids = await identities(v.identity, v.pass, provider, true);
        const input = await io.stdin();
        const { decryptMessage } = await lazy.decrypt();
        const r = await decryptMessage(input, ids, provider, {}, { consumeMessage: true });
        if (!r.integrityProtected) {
          io.stderr('signet: warning: the content was encrypted with AES-CBC, which does not detect tampering; check its signature.\n');
        }
        for (const part of r.parts) await io.stdout(part);
        return 0;
      }
      case 'verify': {
        let at: Date | undefined;
        if (v.at !== undefined) {
          at = new Date(v.at);
          if (Number.isNaN(at.getTime())) throw new UsageError('--at must be an ISO-8601 date, e.g. 2026-01-31T12:00:00Z.');
        }
        // --policy: verify exactly as the organisation's add-in would (its anchors, algorithms, revocation
        // mode), so a helpdesk reproduces what the user saw. An invalid policy is a usage error here, with
        // every bad field listed; the add-in instead falls back to safe defaults and shows the admin error.
        let config: SignetConfig | undefined;
        let policyAnchors: Uint8Array[] = [];
        let builtin = v['no-builtin-roots'] !== true;
        if (v.policy !== undefined) {
          const { parsePolicy, securityConfig, trustAnchors } = await lazy.policy();
          const result = parsePolicy(new TextDecoder().decode(await readInputFile(v.policy, 'policy')));
          if (result.errors.length > 0) {
            throw new UsageError(`The policy ${v.policy} is not valid: ${result.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
          }
          config = securityConfig(result.policy);
          policyAnchors = trustAnchors({ ...result.policy, trust: { ...result.policy.trust, includeBuiltinRoots: false } });
          builtin = builtin && result.policy.trust.includeBuiltinRoots;
        }
        const builtinRoots = builtin ? (await lazy.roots()).builtinEmailRoots() : [];
        const anchors = [...builtinRoots, ...policyAnchors, ...(await certificates(v.trust, 'trust anchor'))];
        const ids = await identities(v.identity, v.pass, provider, false);
        const input = await io.stdin();
        const [{ openMessage }, { formatVerdict }, { MemoryRevocationCache }] = await Promise.all([lazy.open(), lazy.format(), lazy.revocation()]);
        revocationCache ??= new MemoryRevocationCache();
        const { verdict } = await openMessage(input, { anchors, identities: ids, at, offline: v.offline === true, fetch: globalThis.fetch, revocationCache, provider, config, consumeMessage: true });
        await io.stdout(v.json ? JSON.stringify(verdict, null, 2) + '\n' : formatVerdict(verdict));
        if (verdict.status === 'malformed') return 2;
        return verdict.status === 'valid' ? 0 : 1;
      }
      case 'inspect': {
        const input = await io.stdin();
        const { inspectMessage } = await lazy.inspect();
        const report = inspectMessage(input);
        await io.stdout(v.json ? JSON.stringify(report, null, 2) + '\n' : report.text);
        return 0;
      }
    }
    return 2;
  } catch (e) {
    const err = toSignetError(e, 'internal');
    io.stderr(`signet: ${err.message} [${err.code}]\n`);
    if (err.code === 'usage') io.stderr('Run "signet --help" for usage.\n');
    // Exit 2: the input (message, key file, certificate file) cannot be used as given. 'internal' (a bug)
    // and the verdict-like failures (cannot decrypt, not a recipient) are 1.
    const inputProblem = ['usage', 'io', 'malformed-mime', 'malformed-asn1', 'malformed-base64', 'malformed-pem', 'limit-exceeded', 'budget-exceeded', 'not-smime', 'bad-passphrase', 'not-pkcs12', 'damaged-file', 'no-private-key', 'no-certificate', 'key-mismatch', 'missing-certificate'];
    return inputProblem.includes(err.code) ? 2 : 1;
  }
}
