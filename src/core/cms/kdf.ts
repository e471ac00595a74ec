// The ANSI X9.63 key derivation function (SEC 1 v2 §3.6.1) that ephemeral-static ECDH in CMS uses to turn
// the shared secret Z and the ECC-CMS-SharedInfo into a key-encryption key (RFC 5753 §7.2).
// Same construction as pkijs's `kdf`, written against an injected SubtleCrypto.

import { SignetError } from '../errors.js';
import type { HashName } from '../keys.js';

const HASH_BYTES: Record<HashName, number> = { 'SHA-1': 20, 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 };

/** K = Hash(Z ‖ counter ‖ SharedInfo) for counter = 1, 2, …, truncated to `keyDataBytes`. */
export async function x963Kdf(
  subtle: SubtleCrypto,
  hash: HashName,
  z: Uint8Array,
  keyDataBytes: number,
  sharedInfo: Uint8Array,
): Promise<Uint8Array> {
  const hashLen = HASH_BYTES[hash];
  // X9.63 caps the output at hashLen × (2^32 − 1); CMS never needs more than one or two blocks.
  if (!Number.isSafeInteger(keyDataBytes) || keyDataBytes <= 0 || keyDataBytes > hashLen * 255) {
    throw new SignetError('internal', `KDF output length ${keyDataBytes} is out of range.`);
  }
  const blocks = Math.ceil(keyDataBytes / hashLen);
  const input = new Uint8Array(z.length + 4 + sharedInfo.length);
  input.set(z, 0);
  input.set(sharedInfo, z.length + 4);
  const out = new Uint8Array(blocks * hashLen);
  for (let counter = 1; counter <= blocks; counter++) {
    new DataView(input.buffer).setUint32(z.length, counter);
    out.set(new Uint8Array(await subtle.digest(hash, input)), (counter - 1) * hashLen);
  }
  return out.subarray(0, keyDataBytes);
}
