// EncryptedPrivateKeyInfo (RFC 5958 §3) with PBES2 (RFC 8018 §6.2): PBKDF2 with HMAC-SHA-256 and AES-256-CBC,
// the form `openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256` writes. The key store keeps an RSA
// identity's PKCS#8 this way, under the passphrase the user typed at import (never stored), because
// WebCrypto cannot decrypt RSAES-PKCS1-v1_5 with a non-extractable key: unlocking it for a session is the
// only way to read such mail without keeping key bytes in the clear. Reading goes through the same PBES2
// code as PEM "ENCRYPTED PRIVATE KEY" files (../pem.ts decryptPkcs8).

import { toArrayBuffer, utf8 } from '../../core/bytes.js';
import { randomBytes, type CryptoProvider } from '../../core/crypto.js';
import { algorithmIdentifier, integer, octetString, sequence } from '../../core/der.js';
import { SignetError } from '../../core/errors.js';
import { PBE_OID, pbkdf2 } from '../pbe.js';
import { decryptPkcs8 } from '../pem.js';

/**
 * PBKDF2-HMAC-SHA-256 iterations: OWASP's 2023 figure for SHA-256. An attacker who copies the browser
 * profile gets this blob and can guess passphrases offline; each guess costs this many HMACs. Unlocking
 * costs the user the same once per session (about half a second).
 */
export const LOCKED_KEY_ITERATIONS = 600_000;

export interface EncryptPkcs8Options {
  iterations?: number;
}

/** Encrypts a PKCS#8 PrivateKeyInfo under `passphrase`; returns the DER EncryptedPrivateKeyInfo. */
export async function encryptPkcs8(pkcs8: Uint8Array, passphrase: string, provider: CryptoProvider, options: EncryptPkcs8Options = {}): Promise<Uint8Array> {
  const iterations = options.iterations ?? LOCKED_KEY_ITERATIONS;
  if (!Number.isSafeInteger(iterations) || iterations < LOCKED_KEY_ITERATIONS) {
    throw new SignetError('usage', `A stored key must be protected by at least ${LOCKED_KEY_ITERATIONS} PBKDF2 iterations.`);
  }
  if (passphrase === '') throw new SignetError('usage', 'An empty passphrase cannot protect a stored key.');
  const salt = randomBytes(provider, 16);
  const iv = randomBytes(provider, 16);
  const password = utf8(passphrase);
  const keyBytes = await pbkdf2(provider, password, salt, iterations, 'SHA-256', 32);
  password.fill(0);
  const subtle = provider.crypto.subtle;
  const key = await subtle.importKey('raw', toArrayBuffer(keyBytes), 'AES-CBC', false, ['encrypt']);
  keyBytes.fill(0);
  const encrypted = new Uint8Array(await subtle.encrypt({ name: 'AES-CBC', iv: toArrayBuffer(iv) }, key, toArrayBuffer(pkcs8)));
  // PBES2-params ::= SEQUENCE { keyDerivationFunc, encryptionScheme }; PBKDF2-params ::= SEQUENCE { salt,
  // iterationCount, keyLength OPTIONAL (left out: AES-256 fixes it), prf (hmacWithSHA256, NULL params) }.
  const pbkdf2Params = sequence(octetString(salt), integer(iterations), algorithmIdentifier(PBE_OID.hmacWithSHA256, 'null'));
  const pbes2Params = sequence(algorithmIdentifier(PBE_OID.pbkdf2, pbkdf2Params), algorithmIdentifier(PBE_OID.aes256CBC, octetString(iv)));
  return sequence(algorithmIdentifier(PBE_OID.pbes2, pbes2Params), octetString(encrypted));
}

/** Decrypts an EncryptedPrivateKeyInfo; a wrong passphrase is `bad-passphrase`. */
export async function decryptLockedKey(encrypted: Uint8Array, passphrase: string, provider: CryptoProvider): Promise<Uint8Array> {
  return decryptPkcs8(encrypted, passphrase, provider);
}
