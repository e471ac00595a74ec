// RSAES-PKCS1-v1_5 key transport (RFC 8017 §7.2), which Outlook, older Thunderbird and many gateways
// still use for EnvelopedData. WebCrypto offers only RSA-OAEP, so both directions are written here with
// BigInt arithmetic.
//
// Decryption is the dangerous half: a decryptor that reveals whether the padding was valid is a
// Bleichenbacher oracle (1998; ROBOT 2017; Marvin 2023). Countermeasures (RFC 3218 §2.3.2, RFC 8017
// §7.2.2 note): RSA blinding, the padding checked without early exit, and on any failure a
// RANDOM key of the expected length is returned instead of an error, so the failure surfaces only later as
// a content decryption failure, indistinguishable from a wrong key. BigInt is not constant-time; blinding
// decorrelates its timing from the ciphertext, and the checks are written branch-free where it matters.

import { toHex } from '../bytes.js';
import { SignetError } from '../errors.js';
import { OID } from '../oids.js';
import { rsaKeyProblem } from '../pki/public-key.js';
import { readPrivateKeyInfo, readRsaPrivateKey, readRsaPublicKey, readSubjectPublicKeyInfo, type RsaPrivateKey, type RsaPublicKey } from '../key-syntax.js';

export interface Pkcs1DecryptOptions {
  /**
   * Length of the key the caller expects (the content cipher's key size). With it, a padding failure and
   * a well-formed message of the wrong length both yield random bytes of this length. Without it a
   * failure yields 32 random bytes, which is still no oracle (it only fails later).
   */
  expectedLength?: number;
  /** Randomness for blinding and for the substitute key; defaults to the platform's WebCrypto. */
  crypto?: Crypto;
}

/** Encrypts `message` (a content-encryption key) to the RSA public key in `publicKeySpki` (DER). */
export function rsaesPkcs1v15Encrypt(publicKeySpki: Uint8Array, message: Uint8Array, crypto: Crypto): Uint8Array {
  const { n, e, k } = parsePublicKey(publicKeySpki);
  // RFC 8017 §7.2.1 step 1: mLen <= k - 11, so the padding string has at least 8 bytes.
  if (message.length > k - 11) throw new SignetError('usage', 'The key to encrypt is too long for this RSA key.');
  const em = new Uint8Array(k);
  em[1] = 0x02;
  const ps = em.subarray(2, k - message.length - 1);
  fillNonZero(ps, crypto);
  em.set(message, k - message.length);
  return i2osp(modPow(os2ip(em), e, n), k);
}

/**
 * Decrypts an RSAES-PKCS1-v1_5 `encryptedKey` with the RSA key in `pkcs8`. Never throws for a bad
 * ciphertext or bad padding: it returns random bytes instead (see the file header). Throws only when the
 * private key itself is unusable.
 */
export async function rsaesPkcs1v15Decrypt(
  pkcs8: Uint8Array,
  encryptedKey: Uint8Array,
  options: Pkcs1DecryptOptions = {},
): Promise<Uint8Array> {
  const crypto = options.crypto ?? (globalThis as { crypto?: Crypto }).crypto;
  if (!crypto) throw new SignetError('internal', 'No WebCrypto implementation is available for randomness.');
  const key = parsePrivateKey(pkcs8);
  const { n, e, k } = key;
  const expected = options.expectedLength;
  if (expected !== undefined && (!Number.isSafeInteger(expected) || expected <= 0 || expected > k - 11)) {
    throw new SignetError('internal', `Expected key length ${expected} is impossible for this RSA key.`);
  }
  // Drawn before anything depends on the ciphertext, so success and failure do the same work.
  const substitute = randomBytes(crypto, expected ?? 32);

  // Length and range are public properties of the ciphertext; still, fail the same quiet way.
  let good = encryptedKey.length === k ? 1 : 0;
  let c = good ? os2ip(encryptedKey) : 0n;
  if (c >= n) {
    good = 0;
    c = 0n;
  }

  // Blinding (RFC 8017 §5.1.2 note): decrypt c·r^e instead of c, then divide by r.
  let r: bigint;
  let rInv: bigint | null;
  do {
    r = os2ip(randomBytes(crypto, k)) % n;
    rInv = r > 1n ? modInverse(r, n) : null;
  } while (rInv === null);
  const blinded = (c * modPow(r, e, n)) % n;
  const m1 = modPow(blinded % key.p, key.dP, key.p);
  const m2 = modPow(blinded % key.q, key.dQ, key.q);
  const h = (key.qInv * (((m1 - m2) % key.p) + key.p)) % key.p;
  const mBlinded = m2 + h * key.q;
  // A CRT fault would leak a factor of n (Boneh-DeMillo-Lipton); checking with e is cheap.
  if (modPow(mBlinded, e, n) !== blinded) good = 0;
  const em = i2osp((mBlinded * rInv) % n, k);

  // EM = 0x00 ‖ 0x02 ‖ PS (>= 8 non-zero bytes) ‖ 0x00 ‖ M, checked without data-dependent branches.
  good &= isZero(em[0]!) & isZero(em[1]! ^ 0x02);
  let looking = 1;
  let zeroIndex = 0;
  for (let i = 2; i < k; i++) {
    const z = isZero(em[i]!) & looking;
    zeroIndex = select(z, i, zeroIndex);
    looking &= 1 - z;
  }
  good &= 1 - looking;
  good &= lessOrEqual(10, zeroIndex); // PS spans em[2..9] at least

  if (expected !== undefined) {
    good &= isZero(k - zeroIndex - 1 - expected);
    const out = new Uint8Array(expected);
    const mask = -good & 0xff;
    const start = k - expected;
    for (let i = 0; i < expected; i++) out[i] = (em[start + i]! & mask) | (substitute[i]! & ~mask & 0xff);
    return out;
  }
  return good ? em.slice(zeroIndex + 1) : substitute;
}

// --- RSA keys ---------------------------------------------------------------------------------------

interface RsaPublic {
  n: bigint;
  e: bigint;
  /** modulus length in bytes */
  k: number;
}

interface RsaPrivate extends RsaPublic {
  p: bigint;
  q: bigint;
  dP: bigint;
  dQ: bigint;
  qInv: bigint;
}

function parsePublicKey(spki: Uint8Array): RsaPublic {
  let key: RsaPublicKey;
  try {
    const info = readSubjectPublicKeyInfo(spki);
    if (info.algorithm.oid !== OID.rsaEncryption) throw new Error(`not an RSA key (${info.algorithm.oid})`);
    key = readRsaPublicKey(info.publicKey);
  } catch (e) {
    throw new SignetError('malformed-asn1', 'The RSA public key could not be read.', { cause: e });
  }
  // The certificate comes from outside (a recipient's): a huge exponent or modulus would make this BigInt
  // arithmetic run for minutes (config.ts maxRsaModulusBits, maxRsaPublicExponentBits).
  const problem = rsaKeyProblem(key.modulus, key.publicExponent);
  if (problem) throw new SignetError('unsupported-algorithm', problem);
  try {
    return withLength(intOf(key.modulus), intOf(key.publicExponent));
  } catch (e) {
    throw new SignetError('malformed-asn1', 'The RSA public key could not be read.', { cause: e });
  }
}

function parsePrivateKey(pkcs8: Uint8Array): RsaPrivate {
  let key: RsaPrivateKey;
  try {
    const info = readPrivateKeyInfo(pkcs8);
    if (info.algorithm.oid !== OID.rsaEncryption) throw new Error(`not an RSA key (${info.algorithm.oid})`);
    key = readRsaPrivateKey(info.privateKey);
  } catch (e) {
    throw new SignetError('malformed-asn1', 'The RSA private key could not be read.', { cause: e });
  }
  // The exponent is used for blinding and the CRT fault check: bounded like any public key (config.ts).
  const problem = rsaKeyProblem(key.modulus, key.publicExponent);
  if (problem) throw new SignetError('unsupported-algorithm', problem);
  let priv: RsaPrivate;
  try {
    const pub = withLength(intOf(key.modulus), intOf(key.publicExponent));
    priv = { ...pub, p: intOf(key.prime1), q: intOf(key.prime2), dP: intOf(key.exponent1), dQ: intOf(key.exponent2), qInv: intOf(key.coefficient) };
  } catch (e) {
    throw new SignetError('malformed-asn1', 'The RSA private key could not be read.', { cause: e });
  }
  if (priv.p * priv.q !== priv.n || priv.p < 2n || priv.q < 2n) {
    // Multi-prime or inconsistent keys: we rely on CRT with two primes.
    throw new SignetError('unsupported-algorithm', 'This RSA private key has no usable CRT parameters.');
  }
  return priv;
}

function withLength(n: bigint, e: bigint): RsaPublic {
  if (n <= 0n || e <= 1n) throw new Error('invalid RSA key');
  return { n, e, k: Math.ceil(n.toString(16).length / 2) };
}

/** An INTEGER's contents as a bigint; RSA key components are non-negative, so the sign bit is refused. */
function intOf(b: Uint8Array): bigint {
  if (b.length > 0 && (b[0]! & 0x80) !== 0) throw new Error('negative RSA key component');
  return os2ip(b);
}

// --- big-integer arithmetic -------------------------------------------------------------------------

function os2ip(b: Uint8Array): bigint {
  return b.length === 0 ? 0n : BigInt('0x' + toHex(b));
}

function i2osp(x: bigint, len: number): Uint8Array {
  const hex = x.toString(16).padStart(len * 2, '0');
  if (hex.length > len * 2) throw new SignetError('internal', 'integer too large');
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** base^exp mod m with a fixed 4-bit window: the same sequence of squarings whatever the exponent bits. */
function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  if (m === 1n) return 0n;
  const table: bigint[] = [1n, base % m];
  for (let i = 2; i < 16; i++) table.push((table[i - 1]! * table[1]!) % m);
  const hex = exp.toString(16);
  let acc = 1n;
  for (let i = 0; i < hex.length; i++) {
    acc = (acc * acc) % m;
    acc = (acc * acc) % m;
    acc = (acc * acc) % m;
    acc = (acc * acc) % m;
    acc = (acc * table[parseInt(hex[i]!, 16)]!) % m;
  }
  return acc;
}

function modInverse(a: bigint, m: bigint): bigint | null {
  let [oldR, r] = [a % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const qt = oldR / r;
    [oldR, r] = [r, oldR - qt * r];
    [oldS, s] = [s, oldS - qt * s];
  }
  if (oldR !== 1n) return null;
  return ((oldS % m) + m) % m;
}

// --- branch-free helpers (values are small non-negative integers) ------------------------------------

/** 1 when x === 0, else 0, for |x| < 2^31. */
function isZero(x: number): number {
  return ((((x | -x) >>> 31) & 1) ^ 1) & 1;
}

/** 1 when a <= b, else 0, for 0 <= a, b < 2^31. */
function lessOrEqual(a: number, b: number): number {
  return ((b - a) >>> 31) ^ 1;
}

function select(bit: number, ifOne: number, ifZero: number): number {
  const mask = -bit;
  return (ifOne & mask) | (ifZero & ~mask);
}

function randomBytes(crypto: Crypto, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
  return out;
}

function fillNonZero(buf: Uint8Array, crypto: Crypto): void {
  crypto.getRandomValues(buf);
  for (let i = 0; i < buf.length; i++) {
    while (buf[i] === 0) buf[i] = crypto.getRandomValues(new Uint8Array(1))[0]!;
  }
}
