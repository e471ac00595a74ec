// What the core needs of a private key and an identity, as interfaces: the key itself may be a
// non-extractable WebCrypto key in IndexedDB (the add-in) or come from a PKCS#12/PEM file (the CLI), so
// the core never sees key bytes, only these operations.

export type HashName = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';
export type NamedCurve = 'P-256' | 'P-384' | 'P-521';

export type SignatureScheme =
  | { name: 'RSASSA-PKCS1-v1_5'; hash: HashName }
  | { name: 'RSA-PSS'; hash: HashName; saltLength: number }
  | { name: 'ECDSA'; hash: HashName };

export type KeyTransportScheme =
  | { name: 'RSA-OAEP'; hash: HashName; label?: Uint8Array }
  | {
      name: 'RSAES-PKCS1-v1_5';
      /**
       * The content cipher's key length. On a padding failure the handle returns random bytes of this
       * length instead of an error (RFC 3218 §2.3.2), so no padding oracle exists.
       */
      expectedKeyLength?: number;
    };

export interface PrivateKeyHandle {
  readonly type: 'rsa' | 'ec';
  /** RSA modulus length in bits, or the EC field size (256, 384, 521). */
  readonly bits: number;
  readonly namedCurve?: NamedCurve;
  /**
   * Signs `data` (for CMS: the DER of the signed attributes). Returns what WebCrypto returns: PKCS#1 /
   * PSS signature bytes for RSA, raw r‖s for ECDSA (the CMS layer converts to DER, RFC 5753 §2.1.1).
   */
  sign(scheme: SignatureScheme, data: Uint8Array): Promise<Uint8Array>;
  /** RSA key transport: recovers the content-encryption key. */
  decryptKeyTransport(scheme: KeyTransportScheme, encryptedKey: Uint8Array): Promise<Uint8Array>;
  /** ECDH: the raw shared secret Z with the originator's ephemeral public key (SPKI DER). */
  deriveEcdhSecret(peerPublicKeySpki: Uint8Array): Promise<Uint8Array>;
}

export interface Identity {
  /** DER of the end-entity certificate that belongs to `privateKey`. */
  certificate: Uint8Array;
  /** Further certificates that came with it (intermediates, root), DER, in file order. */
  chain: Uint8Array[];
  privateKey: PrivateKeyHandle;
}
