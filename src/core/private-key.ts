// A PrivateKeyHandle over a PKCS#8 private key (RFC 5208/5958), for identities loaded from files (CLI,
// tests). Each WebCrypto usage is imported lazily, non-extractable, per (algorithm, hash).
// The add-in's own key store supplies its own handle over keys kept in IndexedDB.

import { isUniversal, readOid, Tag } from './asn1.js';
import { toArrayBuffer } from './bytes.js';
import type { CryptoProvider } from './crypto.js';
import { SignetError } from './errors.js';
import type { HashName, KeyTransportScheme, NamedCurve, PrivateKeyHandle, SignatureScheme } from './keys.js';
import { OID } from './oids.js';
import { rsaesPkcs1v15Decrypt } from './cms/rsaes-pkcs1-v1_5.js';
import { readPrivateKeyInfo, readRsaPrivateKey, type PrivateKeyInfo } from './key-syntax.js';

const CURVES: Record<string, NamedCurve> = {
  [OID.secp256r1]: 'P-256',
  [OID.secp384r1]: 'P-384',
  [OID.secp521r1]: 'P-521',
};
const CURVE_BITS: Record<NamedCurve, number> = { 'P-256': 256, 'P-384': 384, 'P-521': 521 };

export function privateKeyFromPkcs8(pkcs8: Uint8Array, provider: CryptoProvider): PrivateKeyHandle {
  let info: PrivateKeyInfo;
  try {
    info = readPrivateKeyInfo(pkcs8);
  } catch (e) {
    throw new SignetError('malformed-asn1', 'The private key is not a valid PKCS#8 structure.', { cause: e });
  }
  const alg = info.algorithm.oid;
  const subtle = provider.crypto.subtle;
  const keys = new Map<string, Promise<CryptoKey>>();
  const importOnce = (id: string, algorithm: RsaHashedImportParams | EcKeyImportParams, usage: KeyUsage): Promise<CryptoKey> => {
    let k = keys.get(id);
    if (!k) {
      k = Promise.resolve(subtle.importKey('pkcs8', toArrayBuffer(pkcs8), algorithm, false, [usage])).catch((e: unknown) => {
        throw new SignetError('unsupported-algorithm', `This private key cannot be used for ${algorithm.name}.`, { cause: e });
      });
      keys.set(id, k);
    }
    return k;
  };

  if (alg === OID.rsaEncryption || alg === OID.rsassaPss) {
    let modulus: Uint8Array | null = null;
    try {
      modulus = readRsaPrivateKey(info.privateKey).modulus;
    } catch {
      // As before: a key whose RSAPrivateKey cannot be read reports 0 bits; WebCrypto refuses it on use.
    }
    let bits = 0;
    if (modulus) {
      let i = 0;
      while (i < modulus.length && modulus[i] === 0) i++;
      bits = (modulus.length - i) * 8 - Math.clz32(modulus[i] ?? 0) + 24;
    }
    return {
      type: 'rsa',
      bits,
      async sign(scheme: SignatureScheme, data: Uint8Array): Promise<Uint8Array> {
        if (scheme.name === 'ECDSA') throw new SignetError('key-mismatch', 'An RSA key cannot make an ECDSA signature.');
        const key = await importOnce(`${scheme.name}/${scheme.hash}`, { name: scheme.name, hash: scheme.hash }, 'sign');
        const params = scheme.name === 'RSA-PSS' ? { name: 'RSA-PSS', saltLength: scheme.saltLength } : { name: scheme.name };
        return new Uint8Array(await subtle.sign(params, key, toArrayBuffer(data)));
      },
      async decryptKeyTransport(scheme: KeyTransportScheme, encryptedKey: Uint8Array): Promise<Uint8Array> {
        if (scheme.name === 'RSAES-PKCS1-v1_5') {
          return rsaesPkcs1v15Decrypt(pkcs8, encryptedKey, { expectedLength: scheme.expectedKeyLength, crypto: provider.crypto });
        }
        const key = await importOnce(`RSA-OAEP/${scheme.hash}`, { name: 'RSA-OAEP', hash: scheme.hash as HashName }, 'decrypt');
        try {
          const params: RsaOaepParams = scheme.label ? { name: 'RSA-OAEP', label: toArrayBuffer(scheme.label) } : { name: 'RSA-OAEP' };
          return new Uint8Array(await subtle.decrypt(params, key, toArrayBuffer(encryptedKey)));
        } catch (e) {
          throw new SignetError('decryption-failed', 'The message key could not be decrypted with this private key.', { cause: e });
        }
      },
      async deriveEcdhSecret(): Promise<Uint8Array> {
        throw new SignetError('key-mismatch', 'An RSA key cannot do ECDH key agreement.');
      },
    };
  }

  if (alg === OID.ecPublicKey) {
    const params = info.algorithm.params;
    const curveOid = params !== null && isUniversal(params, Tag.oid) ? readOid(params) : '';
    const namedCurve = CURVES[curveOid];
    if (!namedCurve) throw new SignetError('unsupported-algorithm', `Elliptic curve ${curveOid || '(unnamed)'} is not supported.`);
    return {
      type: 'ec',
      bits: CURVE_BITS[namedCurve],
      namedCurve,
      async sign(scheme: SignatureScheme, data: Uint8Array): Promise<Uint8Array> {
        if (scheme.name !== 'ECDSA') throw new SignetError('key-mismatch', 'An EC key can only make ECDSA signatures.');
        const key = await importOnce('ECDSA', { name: 'ECDSA', namedCurve }, 'sign');
        return new Uint8Array(await subtle.sign({ name: 'ECDSA', hash: scheme.hash }, key, toArrayBuffer(data)));
      },
      async decryptKeyTransport(): Promise<Uint8Array> {
        throw new SignetError('key-mismatch', 'An EC key cannot do RSA key transport.');
      },
      async deriveEcdhSecret(peerPublicKeySpki: Uint8Array): Promise<Uint8Array> {
        const key = await importOnce('ECDH', { name: 'ECDH', namedCurve }, 'deriveBits');
        let peer: CryptoKey;
        try {
          peer = await subtle.importKey('spki', toArrayBuffer(peerPublicKeySpki), { name: 'ECDH', namedCurve }, true, []);
        } catch (e) {
          throw new SignetError('decryption-failed', "The sender's ephemeral key is not a valid point on the recipient's curve.", { cause: e });
        }
        const byteLen = Math.ceil(CURVE_BITS[namedCurve] / 8);
        return new Uint8Array(await subtle.deriveBits({ name: 'ECDH', public: peer }, key, byteLen * 8));
      },
    };
  }
  throw new SignetError('unsupported-algorithm', `Private keys of type ${alg} are not supported (RSA and EC are).`);
}
