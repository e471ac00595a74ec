// Security-relevant defaults and resource limits in one place (the OpenPGP.js `config` habit).
// Every switch that weakens a check is named `allowInsecure…` and documents the threat it re-opens;
// every limit documents the attack it stops. Callers pass a partial override; validateConfig() rejects
// nonsense rather than silently running without a limit.

import { SignetError } from './errors.js';

const MiB = 1024 * 1024;

export interface SecurityConfig {
  /**
   * Accept SHA-1 in signatures. SHA-1 collisions are practical (SHAttered 2017, chosen-prefix 2020), so a
   * SHA-1 signature can be transplanted onto a different message. Thunderbird refuses SHA-1 too.
   */
  allowInsecureSha1: boolean;
  /** Accept MD5 in signatures. MD5 collisions are trivial: a signature proves nothing about content. */
  allowInsecureMd5: boolean;
  /**
   * Accept RSA keys shorter than minRsaBits / EC curves smaller than minEcBits. A 512-bit RSA key can be
   * factored in hours; anyone could then forge this signer.
   */
  allowInsecureShortKeys: boolean;
  /** Minimum RSA modulus, bits (RFC 8551 §4.1 says 2048 SHOULD be supported and smaller MAY be refused). */
  minRsaBits: number;
  /** Minimum EC field size, bits (P-256 and up). */
  minEcBits: number;
  /**
   * Largest accepted difference between a signature's signingTime and the message's Date header. The
   * Date header is not signed, so a large gap means an old signed message was re-dated and replayed.
   */
  maxSigningTimeSkewSeconds: number;
  /**
   * Clock skew allowed for a signingTime after the validation time (now, or `--at`). A signature cannot be
   * made in the future: a signingTime beyond this is refused (TrustCode 'signing-time-future'), so a key
   * holder cannot post-date a signature past its certificate's expiry or make an old message look new.
   */
  signingTimeFutureSkewSeconds: number;
  /**
   * How the read pane presents an 'outdated-algorithm' Verdict (an intact signature with SHA-1/MD5):
   * 'caution' (warning tone) or 'danger'. Presentation only; the status is the same either way. Set by the
   * organisation policy (`algorithms.outdatedSignature`).
   */
  outdatedSignatureSeverity: 'caution' | 'danger';
  /**
   * What happens when a certificate names a revocation source (OCSP responder, CRL) but no usable answer
   * can be obtained (responder down, timeout, stale or unverifiable response).
   * - 'soft' (default, what Thunderbird, Outlook and browsers do): the status is kept and the Verdict
   *   carries a visible 'revocation-unknown' warning. Threat left open: an attacker who holds a revoked
   *   key and can block the victim's traffic to the responder (captive network, MITM) makes the
   *   revocation check silently inconclusive instead of failing.
   * - 'hard': the signer is 'untrusted' with code 'revocation-unknown'. Closes that hole, at the price of
   *   false alarms whenever a CA's responder is down or the reader is offline.
   * A revoked answer always makes the status 'revoked' in both modes.
   */
  revocationMode: 'soft' | 'hard';
  /**
   * Time allowed for one OCSP or CRL request, in milliseconds. A responder that never answers (tarpit, or
   * an attacker holding the connection open) would otherwise hang verification; a whole check is bounded
   * by a few of these (see src/core/pki/revocation/index.ts).
   */
  revocationTimeoutMs: number;
}

export interface Limits {
  /**
   * Largest message accepted, in bytes of raw RFC 5322 text. Exchange Online accepts 150 MB messages;
   * base64 in transit adds a third, so 210 MiB. Stops memory exhaustion by an oversized input.
   */
  maxMessageBytes: number;
  /**
   * Deepest MIME nesting. Real mail rarely passes 10 levels; deep nesting is a stack-exhaustion and
   * quadratic-time attack on the parser (postal-mime uses the same kind of limit).
   */
  maxMimeDepth: number;
  /** Most MIME entities in one message: a "zip bomb" of empty parts costs memory per part. */
  maxMimeParts: number;
  /** Largest header block of a single entity: stops unbounded header folding from eating memory. */
  maxHeaderBytes: number;
  /**
   * Most S/MIME layers opened in one message (sign, encrypt, sign again …). Triple wrapping is 3;
   * beyond that a message is decrypting or verifying itself recursively for no honest reason.
   */
  maxSmimeLayers: number;
  /** ASN.1 nesting depth: a deeply nested BER blob is a stack-exhaustion attack on the decoder. */
  maxAsn1Depth: number;
  /**
   * Hard ceiling on ASN.1 nodes per structure, whatever its size. Indefinite-length BER splits content
   * into chunks (NSS and OpenSSL's -stream use 1000-4096 bytes), so a 150 MB message legitimately has
   * ~150 000 nodes; many more means a node bomb (millions of empty elements) built to exhaust memory.
   */
  maxAsn1Nodes: number;
  /**
   * Node budget scaled to the input: a structure of N bytes may have at most
   * N / asn1BytesPerNode + asn1NodeAllowance nodes (and never more than maxAsn1Nodes). asn1js spends
   * about 0.9 KB of heap per node, so without this ~0.8 MB of two-byte elements (a node bomb below the
   * ceiling) cost 440-790 MB; with 1 node per 4 bytes a 1 MB adversarial input is refused after at most
   * ~270 000 nodes, ~230 MB (test/security/resource-budgets.test.ts measures the heap; 8 bytes per node
   * would halve that but refuses real certificate bundles). Real structures: Mozilla's e-mail roots
   * average 8.3 bytes per node (the densest single certificate 3.9), CMS messages hundreds to thousands
   * (their content is one OCTET STRING or a few chunks); the allowance covers small dense structures (a
   * basicConstraints extension is 2 nodes in 5 bytes, a signature's certificates a few thousand nodes).
   */
  asn1BytesPerNode: number;
  /** See asn1BytesPerNode: nodes every structure may have regardless of its size. */
  asn1NodeAllowance: number;
  /** Largest ASN.1 structure (asn1js defaults to 16 MiB, too small for real attachments). */
  maxAsn1Bytes: number;
  /** Most certificates taken from one message: each one costs a signature check during path building. */
  maxCertificates: number;
  /**
   * Largest OCSP response or CRL accepted from the network, in bytes. Responses come over plain http from
   * a URL in a certificate, so anyone on the path can send an endless body; real CRLs of public e-mail
   * CAs stay below a few MiB, OCSP responses below a few KiB.
   */
  maxRevocationResponseBytes: number;

  // --- Work budgets per message (ARCHITECTURE.md rule 9: "budgets count per message, not per path"). One
  // WorkBudget (src/core/budget.ts) is made per message by openMessage / verifySignedData /
  // decryptContent and shared by every layer, signer and path of that message; exceeding one is the
  // error code 'budget-exceeded'.

  /**
   * Network requests per message, shared by AIA caIssuers, OCSP and CRL fetching. A per-path budget let 64
   * signers each point at their own slow servers (963 s for one `verify`); honest mail needs a handful
   * (one or two missing intermediates, one OCSP request per certificate of one or two paths).
   */
  maxNetworkFetches: number;
  /**
   * Wall time, in milliseconds, that the network may take for one message, counted from its first request:
   * requests still running at the deadline are aborted and later ones are refused. Stops tarpits and
   * slow-loris responders from multiplying the per-request timeout by the number of requests.
   */
  maxNetworkMs: number;
  /**
   * Public-key signature verifications per message: every signer, every certificate link tried during path
   * building (all candidate paths, AIA rounds included). 64 signers × 100 checks per path cost 41-51 s;
   * an honest message with one to three signers and 3-5 certificate paths needs a few dozen.
   */
  maxSignatureChecks: number;
  /**
   * Largest RSA modulus accepted for verification or encryption, in bits. Cost grows with the square of
   * the size; 16384 is the limit OpenSSL and NSS apply, and far above any CA's key.
   */
  maxRsaModulusBits: number;
  /**
   * Largest RSA public exponent, in bits (e < 2^maxRsaPublicExponentBits). Public-key operations cost one
   * modular squaring per exponent bit: a certificate with a 10 000-bit exponent makes each check ~600
   * times slower than e = 65537 (RFC 8017 §3.1 allows any odd e, practice is 65537; Go accepts < 2^31,
   * Windows CryptoAPI 32 bits). A key with a larger exponent cannot verify anything.
   */
  maxRsaPublicExponentBits: number;
  /**
   * Private-key decryptions of RecipientInfos per message. Each of our identities is tried at most once
   * (on the first RecipientInfo that names it), and at most this many in all: 3 000 junk
   * KeyTransRecipientInfos naming the same certificate took 16 s, and over CBC each one was another
   * 1-in-256 chance that a random (implicit-rejection) key "decrypted" to garbage.
   */
  maxRecipientTries: number;

  // --- Key files (PKCS#12, PKCS#8, PEM). Iteration counts come from the file; an attacker writes 2^31.
  /**
   * Iterations of one RFC 7292 App. B key derivation (the PKCS#12 MAC key, legacy 3DES/RC2 bags). OpenSSL
   * writes 2048, Windows 2000-10 000; 1 000 000 still loads in well under a second per derivation.
   */
  maxPkcs12KdfIterations: number;
  /** Iterations of one PBKDF2 derivation (PBES2, PBMAC1). OWASP 2023 asks 600 000-1 300 000. */
  maxPbkdf2Iterations: number;
  /**
   * RFC 7292 App. B hash iterations for one key file, summed over every derivation (a 3DES key is two
   * chains, its IV a third; the MAC one more; a wrong empty password doubles the tries). The derivation
   * runs in JavaScript (~0.4-0.6 µs per iteration, src/keys/iterated-hash.ts), so this keeps the worst
   * import near a second or two: an `openssl pkcs12 -export -iter 1000000 -maciter` file with AES bags
   * (1 000 000 here) loads; the same with legacy 3DES bags (7 000 000) is refused after its MAC check.
   * A 1 000 000-iteration 3DES file took 219 s before (one awaited WebCrypto digest per iteration).
   */
  maxPkcs12KdfIterationsPerFile: number;
  /**
   * PBKDF2 iterations × output blocks for one key file (native WebCrypto deriveBits, ~0.3-0.6 µs per
   * iteration): a modern file at 1 000 000 iterations needs 2 000 000 (key bag and certificate bag).
   */
  maxPbkdf2IterationsPerFile: number;
}

export interface SignetConfig extends SecurityConfig {
  limits: Limits;
}

export const defaultLimits: Readonly<Limits> = Object.freeze({
  maxMessageBytes: 210 * MiB,
  maxMimeDepth: 32,
  maxMimeParts: 2000,
  maxHeaderBytes: 1 * MiB,
  maxSmimeLayers: 6,
  maxAsn1Depth: 64,
  maxAsn1Nodes: 400_000,
  asn1BytesPerNode: 4,
  asn1NodeAllowance: 8192,
  maxAsn1Bytes: 210 * MiB,
  maxCertificates: 64,
  maxRevocationResponseBytes: 32 * MiB,
  maxNetworkFetches: 16,
  maxNetworkMs: 20_000,
  maxSignatureChecks: 256,
  maxRsaModulusBits: 16384,
  maxRsaPublicExponentBits: 32,
  maxRecipientTries: 4,
  maxPkcs12KdfIterations: 1_000_000,
  maxPbkdf2Iterations: 2_000_000,
  maxPkcs12KdfIterationsPerFile: 3_000_000,
  maxPbkdf2IterationsPerFile: 6_000_000,
});

export const defaultConfig: Readonly<SignetConfig> = Object.freeze({
  allowInsecureSha1: false,
  allowInsecureMd5: false,
  allowInsecureShortKeys: false,
  minRsaBits: 2048,
  minEcBits: 256,
  maxSigningTimeSkewSeconds: 3600,
  signingTimeFutureSkewSeconds: 300,
  outdatedSignatureSeverity: 'caution',
  revocationMode: 'soft',
  revocationTimeoutMs: 5000,
  limits: defaultLimits,
});

export type ConfigOverrides = Partial<SecurityConfig> & { limits?: Partial<Limits> };

/** Merges overrides onto the defaults and validates every field; a bad value is a `usage` error. */
export function resolveConfig(overrides: ConfigOverrides = {}): SignetConfig {
  const limits: Limits = { ...defaultLimits, ...(overrides.limits ?? {}) };
  const cfg: SignetConfig = { ...defaultConfig, ...overrides, limits };
  for (const [k, v] of Object.entries(limits)) {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) {
      throw new SignetError('usage', `Limit ${k} must be a positive whole number.`);
    }
  }
  for (const k of ['allowInsecureSha1', 'allowInsecureMd5', 'allowInsecureShortKeys'] as const) {
    if (typeof cfg[k] !== 'boolean') throw new SignetError('usage', `${k} must be true or false.`);
  }
  if (!Number.isSafeInteger(cfg.minRsaBits) || cfg.minRsaBits < 512) {
    throw new SignetError('usage', 'minRsaBits must be a whole number of at least 512.');
  }
  if (!Number.isSafeInteger(cfg.maxSigningTimeSkewSeconds) || cfg.maxSigningTimeSkewSeconds < 0) {
    throw new SignetError('usage', 'maxSigningTimeSkewSeconds must be a whole number of seconds.');
  }
  if (!Number.isSafeInteger(cfg.signingTimeFutureSkewSeconds) || cfg.signingTimeFutureSkewSeconds < 0 || cfg.signingTimeFutureSkewSeconds > 86_400) {
    throw new SignetError('usage', 'signingTimeFutureSkewSeconds must be a whole number of seconds between 0 and 86400.');
  }
  if (cfg.outdatedSignatureSeverity !== 'caution' && cfg.outdatedSignatureSeverity !== 'danger') {
    throw new SignetError('usage', "outdatedSignatureSeverity must be 'caution' or 'danger'.");
  }
  if (cfg.revocationMode !== 'soft' && cfg.revocationMode !== 'hard') {
    throw new SignetError('usage', "revocationMode must be 'soft' or 'hard'.");
  }
  if (!Number.isSafeInteger(cfg.revocationTimeoutMs) || cfg.revocationTimeoutMs < 100 || cfg.revocationTimeoutMs > 120_000) {
    throw new SignetError('usage', 'revocationTimeoutMs must be a whole number of milliseconds between 100 and 120000.');
  }
  if (limits.maxRsaModulusBits < cfg.minRsaBits) {
    throw new SignetError('usage', 'maxRsaModulusBits must not be below minRsaBits.');
  }
  if (limits.maxRsaPublicExponentBits < 17) {
    throw new SignetError('usage', 'maxRsaPublicExponentBits must allow e = 65537 (at least 17 bits).');
  }
  if (![256, 384, 521].includes(cfg.minEcBits)) {
    throw new SignetError('usage', 'minEcBits must be 256, 384 or 521.');
  }
  return cfg;
}
