// AuthEnvelopedData (RFC 5083) with AES-GCM (RFC 5084): authenticated encryption for S/MIME 4.0
// (RFC 8551 §2.4.4), the only content type whose plaintext is integrity-protected by itself (ARCHITECTURE.md
// rule 7). PKI.js has no AuthEnvelopedData, so the structure is built on asn1js (through asn1.ts) and
// der.ts; it shares RecipientInfos and EncryptedContentInfo with EnvelopedData (enveloped-data.ts).
// pkijs's RecipientInfo classes were not reused: they re-encode rather than keep the received bytes
// (issuer matching), and their RSAES-OAEP-params default label is wrong (SHA-1 of "" instead of "").

import {
  childrenOf,
  encodingOf,
  expectSequence,
  isContext,
  isUniversal,
  readOctetString,
  readSmallInteger,
  Tag,
  type Asn1Node,
} from '../asn1.js';
import { flatten, integer, octetString, retag, sequence, setOf, tlvPieces, type DerPieces } from '../der.js';
import { SignetError } from '../errors.js';
import { OID } from '../oids.js';
import {
  contentInfoPieces,
  encryptedContentInfoPieces,
  readEncryptedContentInfo,
  readRecipientInfos,
  type EncryptedContentInfo,
  type RecipientInfo,
} from './enveloped-data.js';

/** GCMParameters ::= SEQUENCE { aes-nonce OCTET STRING, aes-ICVlen AES-GCM-ICVlen DEFAULT 12 } */
export interface GcmParameters {
  nonce: Uint8Array;
  /** Tag length in bytes, 12..16. */
  icvLength: number;
}

/** RFC 5084 §3.2: a 12-byte nonce is RECOMMENDED; we always write 12 and a 16-byte tag (not the default). */
export function encodeGcmParameters(p: GcmParameters): Uint8Array {
  return p.icvLength === 12 ? sequence(octetString(p.nonce)) : sequence(octetString(p.nonce), integer(p.icvLength));
}

export function readGcmParameters(node: Asn1Node | null): GcmParameters {
  const c = expectSequence(node ?? undefined, 'GCMParameters');
  const nonce = readOctetString(c[0], 'the AES-GCM nonce');
  const icvLength = c[1] === undefined ? 12 : readSmallInteger(c[1], 'the AES-GCM ICV length');
  // A 4- or 8-byte tag (allowed by NIST for some uses) is too weak for mail: RFC 5084 permits 12-16 only.
  if (icvLength < 12 || icvLength > 16) throw new SignetError('malformed-asn1', `AES-GCM tag length ${icvLength} is not allowed (12-16).`);
  // WebCrypto accepts any nonce length; refuse the empty or absurd ones a sender never writes.
  if (nonce.length < 1 || nonce.length > 128) throw new SignetError('malformed-asn1', 'The AES-GCM nonce has an invalid length.');
  return { nonce, icvLength };
}

/**
 * AuthEnvelopedData ::= SEQUENCE { version CMSVersion (0), originatorInfo [0] IMPLICIT OPTIONAL,
 *   recipientInfos, authEncryptedContentInfo EncryptedContentInfo, authAttrs [1] IMPLICIT OPTIONAL,
 *   mac MessageAuthenticationCode, unauthAttrs [2] IMPLICIT OPTIONAL }
 */
export class AuthEnvelopedData {
  constructor(
    readonly version: number,
    readonly recipientInfos: RecipientInfo[],
    readonly authEncryptedContentInfo: EncryptedContentInfo,
    /** The [1] authAttrs element as received, or null. */
    readonly authAttrs: Asn1Node | null,
    /** The GCM tag. */
    readonly mac: Uint8Array,
  ) {}

  static fromNode(node: Asn1Node): AuthEnvelopedData {
    const c = expectSequence(node, 'an AuthEnvelopedData');
    let i = 0;
    const version = readSmallInteger(c[i++], 'the AuthEnvelopedData version');
    if (version !== 0) throw new SignetError('malformed-asn1', `AuthEnvelopedData version ${version} is not 0.`);
    if (isContext(c[i], 0)) i++; // originatorInfo
    const recipientInfos = readRecipientInfos(c[i++]);
    const eci = readEncryptedContentInfo(c[i++]);
    let authAttrs: Asn1Node | null = null;
    if (isContext(c[i], 1)) {
      authAttrs = c[i++]!;
      childrenOf(authAttrs, 'authAttrs');
    }
    if (!isUniversal(c[i], Tag.octetString)) throw new SignetError('malformed-asn1', 'The AuthEnvelopedData has no mac.');
    const mac = readOctetString(c[i++], 'the mac');
    return new AuthEnvelopedData(version, recipientInfos, eci, authAttrs, mac);
  }

  /**
   * The additional authenticated data: authAttrs DER-encoded with an EXPLICIT SET OF tag instead of
   * [1] IMPLICIT (RFC 5083 §2.2), or nothing. A non-DER (indefinite) authAttrs would not re-encode
   * faithfully here; it then fails authentication, which releases nothing.
   */
  additionalData(): Uint8Array | null {
    return this.authAttrs ? retag(encodingOf(this.authAttrs), 0x31) : null;
  }

  /**
   * A ContentInfo holding AuthEnvelopedData for id-data content, without authAttrs (RFC 5083 §2.1: they
   * are optional; S/MIME needs none). The ciphertext is copied exactly once.
   */
  static encode(recipientInfos: Uint8Array[], contentEncryptionAlgorithm: Uint8Array, ciphertext: Uint8Array, mac: Uint8Array): Uint8Array {
    return flatten(AuthEnvelopedData.encodePieces(recipientInfos, contentEncryptionAlgorithm, ciphertext, mac));
  }

  /** encode() in pieces: the ciphertext is not copied (a writer streams the pieces out). */
  static encodePieces(recipientInfos: Uint8Array[], contentEncryptionAlgorithm: Uint8Array, ciphertext: Uint8Array, mac: Uint8Array): DerPieces {
    const aed = tlvPieces(0x30, [
      integer(0),
      setOf(...recipientInfos),
      encryptedContentInfoPieces(contentEncryptionAlgorithm, ciphertext),
      octetString(mac),
    ]);
    return contentInfoPieces(OID.authEnvelopedData, aed);
  }
}
