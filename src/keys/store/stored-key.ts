// Private keys as the add-in keeps them: the PKCS#8 is imported into WebCrypto once per (algorithm, hash)
// the key may need, with extractable = false, and only those CryptoKey objects are stored (IndexedDB
// structured-clones them; no script can export their material). A PrivateKeyHandle (core/keys.ts) over
// them signs and decrypts for the core.
//
// WebCrypto binds a key to one algorithm and hash at import, hence the slots: RSASSA-PKCS1-v1_5 and RSA-PSS
// with SHA-256/384/512 to sign (RFC 8551 §2.2 digests), RSA-OAEP with SHA-1/256/384/512 to decrypt (other
// clients send OAEP with the SHA-1 default of RFC 8017, Signet sends SHA-256), ECDSA and ECDH for EC keys.
// The one operation WebCrypto lacks is RSAES-PKCS1-v1_5 decryption (still what Thunderbird/NSS, gpgsm and
// many Outlook setups send): it runs on the PKCS#8 kept in memory for this session after the user unlocked
// the passphrase-protected copy (identity-store.ts), and fails with `key-locked` otherwise.

import { toArrayBuffer } from '../../core/bytes.js';
import type { CryptoProvider } from '../../core/crypto.js';
import { SignetError } from '../../core/errors.js';
import type { HashName, KeyTransportScheme, NamedCurve, PrivateKeyHandle, SignatureScheme } from '../../core/keys.js';
import type { CertificateUses } from './certificate-facts.js';
import type { StoredKeys } from './db.js';

const SIGN_HASHES: readonly HashName[] = ['SHA-256', 'SHA-384', 'SHA-512'];
const OAEP_HASHES: readonly HashName[] = ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'];
const CURVE_BYTES: Record<NamedCurve, number> = { 'P-256': 32, 'P-384': 48, 'P-521': 66 };

interface Slot {
  name: string;
  algorithm: RsaHashedImportParams | EcKeyImportParams;
  usage: KeyUsage;
}

function slotsFor(keyType: 'rsa' | 'ec', namedCurve: NamedCurve | null, uses: Pick<CertificateUses, 'sign' | 'encrypt'>): Slot[] {
  const slots: Slot[] = [];
  if (keyType === 'rsa') {
    if (uses.sign) {
      for (const name of ['RSASSA-PKCS1-v1_5', 'RSA-PSS'] as const) {
        for (const hash of SIGN_HASHES) slots.push({ name: `${name}/${hash}`, algorithm: { name, hash }, usage: 'sign' });
      }
    }
    if (uses.encrypt) {
      for (const hash of OAEP_HASHES) slots.push({ name: `RSA-OAEP/${hash}`, algorithm: { name: 'RSA-OAEP', hash }, usage: 'decrypt' });
    }
    return slots;
  }
  if (!namedCurve) throw new SignetError('unsupported-algorithm', 'The EC key is on a curve Signet does not support (P-256, P-384 and P-521 are).');
  if (uses.sign) slots.push({ name: 'ECDSA', algorithm: { name: 'ECDSA', namedCurve }, usage: 'sign' });
  if (uses.encrypt) slots.push({ name: 'ECDH', algorithm: { name: 'ECDH', namedCurve }, usage: 'deriveBits' });
  return slots;
}

/**
 * Imports `pkcs8` as non-extractable CryptoKeys, one per slot the certificate's uses call for. A slot the
 * platform refuses (an RSA-PSS-only key asked for PKCS#1 v1.5, say) is left out; none at all is
 * `unsupported-algorithm`. The caller owns `pkcs8` and wipes it afterwards.
 */
export async function importNonExtractableKeys(
  pkcs8: Uint8Array,
  keyType: 'rsa' | 'ec',
  namedCurve: NamedCurve | null,
  uses: Pick<CertificateUses, 'sign' | 'encrypt'>,
  provider: CryptoProvider,
): Promise<StoredKeys> {
  const keys: StoredKeys = {};
  const copy = new Uint8Array(pkcs8); // our own copy, wiped below (the caller wipes `pkcs8` itself)
  const buffer = copy.buffer;
  for (const slot of slotsFor(keyType, namedCurve, uses)) {
    try {
      keys[slot.name] = await provider.crypto.subtle.importKey('pkcs8', buffer, slot.algorithm, false, [slot.usage]);
    } catch {
      // This platform cannot use the key this way; the other slots still work.
    }
  }
  copy.fill(0);
  if (Object.keys(keys).length === 0) {
    throw new SignetError('unsupported-algorithm', 'This browser cannot use the private key for signing or decryption.');
  }
  return keys;
}

export interface StoredKeyOptions {
  keyType: 'rsa' | 'ec';
  bits: number;
  namedCurve: NamedCurve | null;
  keys: StoredKeys;
  /**
   * RSAES-PKCS1-v1_5 decryption by the session vault (pkcs1-vault.ts), which holds the unlocked key out of
   * the page's reach. Asked at each use, so locking takes effect at once.
   */
  pkcs1: {
    isUnlocked(): boolean;
    decrypt(encryptedKey: Uint8Array, expectedLength: number | undefined): Promise<Uint8Array>;
  };
  /** Whether a passphrase-protected copy exists that the user could unlock. */
  canUnlock: boolean;
  provider: CryptoProvider;
}

/** A PrivateKeyHandle over stored non-extractable CryptoKeys. */
export function storedPrivateKey(o: StoredKeyOptions): PrivateKeyHandle {
  const subtle = o.provider.crypto.subtle;
  const slot = (name: string, what: string): CryptoKey => {
    const k = o.keys[name];
    if (!k) throw new SignetError('unsupported-algorithm', `This key was not stored for ${what} (its certificate does not allow it, or this browser cannot).`);
    return k;
  };
  const handle: PrivateKeyHandle = {
    type: o.keyType,
    bits: o.bits,
    async sign(scheme: SignatureScheme, data: Uint8Array): Promise<Uint8Array> {
      if (o.keyType === 'ec') {
        if (scheme.name !== 'ECDSA') throw new SignetError('key-mismatch', 'An EC key can only make ECDSA signatures.');
        const key = slot('ECDSA', 'ECDSA signatures');
        return new Uint8Array(await subtle.sign({ name: 'ECDSA', hash: scheme.hash }, key, toArrayBuffer(data)));
      }
      if (scheme.name === 'ECDSA') throw new SignetError('key-mismatch', 'An RSA key cannot make an ECDSA signature.');
      const key = slot(`${scheme.name}/${scheme.hash}`, `${scheme.name} signatures with ${scheme.hash}`);
      const params = scheme.name === 'RSA-PSS' ? { name: 'RSA-PSS', saltLength: scheme.saltLength } : { name: scheme.name };
      return new Uint8Array(await subtle.sign(params, key, toArrayBuffer(data)));
    },
    async decryptKeyTransport(scheme: KeyTransportScheme, encryptedKey: Uint8Array): Promise<Uint8Array> {
      if (o.keyType !== 'rsa') throw new SignetError('key-mismatch', 'An EC key cannot do RSA key transport.');
      if (scheme.name === 'RSAES-PKCS1-v1_5') {
        if (!o.pkcs1.isUnlocked()) {
          throw new SignetError(
            'key-locked',
            o.canUnlock
              ? 'This message uses the older RSA PKCS#1 v1.5 method, which needs your key unlocked with its passphrase for this session.'
              : 'This message uses the older RSA PKCS#1 v1.5 method; your key was imported without a passphrase, so Signet kept no protected copy to unlock. Import the .p12 again with a passphrase.',
          );
        }
        return o.pkcs1.decrypt(encryptedKey, scheme.expectedKeyLength);
      }
      const key = slot(`RSA-OAEP/${scheme.hash}`, `RSA-OAEP decryption with ${scheme.hash}`);
      try {
        const params: RsaOaepParams = scheme.label ? { name: 'RSA-OAEP', label: toArrayBuffer(scheme.label) } : { name: 'RSA-OAEP' };
        return new Uint8Array(await subtle.decrypt(params, key, toArrayBuffer(encryptedKey)));
      } catch (e) {
        throw new SignetError('decryption-failed', 'The message key could not be decrypted with this private key.', { cause: e });
      }
    },
    async deriveEcdhSecret(peerPublicKeySpki: Uint8Array): Promise<Uint8Array> {
      if (o.keyType !== 'ec' || !o.namedCurve) throw new SignetError('key-mismatch', 'An RSA key cannot do ECDH key agreement.');
      const key = slot('ECDH', 'ECDH key agreement');
      let peer: CryptoKey;
      try {
        peer = await subtle.importKey('spki', toArrayBuffer(peerPublicKeySpki), { name: 'ECDH', namedCurve: o.namedCurve }, true, []);
      } catch (e) {
        throw new SignetError('decryption-failed', "The sender's ephemeral key is not a valid point on the recipient's curve.", { cause: e });
      }
      return new Uint8Array(await subtle.deriveBits({ name: 'ECDH', public: peer }, key, CURVE_BYTES[o.namedCurve] * 8));
    },
  };
  if (o.namedCurve) return { ...handle, namedCurve: o.namedCurve };
  return handle;
}
