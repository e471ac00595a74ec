// md5WithRSAEncryption certificate signatures (RFC 3279 §2.2.1), checked only when the policy sets
// allowInsecureMd5. WebCrypto has no MD5, so this does the RSA public-key operation with BigInt and
// compares the EMSA-PKCS1-v1_5 encoding (RFC 8017 §9.2) byte for byte. It exists so that old archives
// (e.g. 2006-era CAs, Bouncy Castle's validator corpus) can still be examined on request; MD5 is never
// accepted by default because MD5 collisions let anyone forge such a certificate (Stevens et al., 2009).

import { md5 } from '@noble/hashes/legacy.js';
import { equalBytes } from '../bytes.js';
import { readRsaPublicKey, readSubjectPublicKeyInfo } from '../key-syntax.js';
import { OID } from '../oids.js';

// DigestInfo prefix for MD5 (RFC 8017 §9.2, note 1).
const MD5_PREFIX = Uint8Array.from([0x30, 0x20, 0x30, 0x0c, 0x06, 0x08, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x05, 0x05, 0x00, 0x04, 0x10]);

function toBig(b: Uint8Array): bigint {
  let x = 0n;
  for (const v of b) x = (x << 8n) | BigInt(v);
  return x;
}

function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  let r = 1n;
  let b = base % m;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r;
}

/** Returns true when `signature` is a valid md5WithRSAEncryption signature of `data` under the SPKI. */
export function verifyMd5WithRsa(spki: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
  let n: bigint;
  let e: bigint;
  try {
    const info = readSubjectPublicKeyInfo(spki);
    if (info.algorithm.oid !== OID.rsaEncryption) return false;
    const key = readRsaPublicKey(info.publicKey);
    n = toBig(key.modulus);
    e = toBig(key.publicExponent);
  } catch {
    return false;
  }
  const k = Math.ceil(n.toString(16).length / 2);
  const s = toBig(signature);
  if (s >= n || signature.length > k) return false;
  let m = modPow(s, e, n);
  const em = new Uint8Array(k);
  for (let i = k - 1; i >= 0; i--) {
    em[i] = Number(m & 0xffn);
    m >>= 8n;
  }
  const t = new Uint8Array(MD5_PREFIX.length + 16);
  t.set(MD5_PREFIX);
  t.set(md5(data), MD5_PREFIX.length);
  const expected = new Uint8Array(k).fill(0xff);
  expected[0] = 0;
  expected[1] = 1;
  expected[k - t.length - 1] = 0;
  expected.set(t, k - t.length);
  return k >= t.length + 11 && equalBytes(em, expected);
}
