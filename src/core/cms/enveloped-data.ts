// EnvelopedData (RFC 5652 §6) and the parts it shares with AuthEnvelopedData: RecipientInfos and
// EncryptedContentInfo. Read and written here with asn1.ts / der.ts rather than pkijs's EnvelopedData
// because messages reach 150 MB: pkijs re-chunks and copies the ciphertext several times, while this code
// copies it exactly once in each direction, whatever the BER chunking (NSS, OpenSSL -stream).

import {
  childrenOf,
  expectSequence,
  expectSet,
  isContext,
  isUniversal,
  primitiveContent,
  readAlgorithmIdentifier,
  readOid,
  readSmallInteger,
  Tag,
  type AlgorithmIdentifier,
  type Asn1Node,
} from '../asn1.js';
import { concat } from '../bytes.js';
import { flatten, integer, lengthOctets, oid, setOf, tlvPieces, type DerPieces } from '../der.js';
import { SignetError } from '../errors.js';
import { OID } from '../oids.js';
import { readKeyAgreeRecipientInfo, type KeyAgreeRecipientInfo } from './key-agreement.js';
import { readKeyTransRecipientInfo, type KeyTransRecipientInfo } from './key-transport.js';

export type RecipientInfo = KeyTransRecipientInfo | KeyAgreeRecipientInfo | { type: 'kekri' | 'pwri' | 'ori' };

export interface EncryptedContentInfo {
  contentType: string;
  contentEncryptionAlgorithm: AlgorithmIdentifier;
  /** The [0] IMPLICIT encryptedContent element (primitive, or constructed BER chunks); null if detached. */
  encryptedContent: Asn1Node | null;
}

export interface EnvelopedData {
  version: number;
  recipientInfos: RecipientInfo[];
  encryptedContentInfo: EncryptedContentInfo;
}

/** RecipientInfos ::= SET SIZE (1..MAX) OF RecipientInfo (RFC 5652 §6.2). */
export function readRecipientInfos(node: Asn1Node | undefined): RecipientInfo[] {
  const items = expectSet(node, 'RecipientInfos');
  if (items.length === 0) throw new SignetError('malformed-asn1', 'The message has no RecipientInfos.');
  return items.map((ri): RecipientInfo => {
    if (isUniversal(ri, Tag.sequence)) return readKeyTransRecipientInfo(ri);
    if (isContext(ri, 1)) return readKeyAgreeRecipientInfo(ri);
    // KEK, password and other recipient infos are parsed only far enough to count them: Signet holds
    // no pre-shared KEKs or passwords.
    if (isContext(ri, 2)) return { type: 'kekri' };
    if (isContext(ri, 3)) return { type: 'pwri' };
    if (isContext(ri, 4)) return { type: 'ori' };
    throw new SignetError('malformed-asn1', 'Unknown RecipientInfo alternative.');
  });
}

/**
 * EncryptedContentInfo ::= SEQUENCE { contentType, contentEncryptionAlgorithm,
 *   encryptedContent [0] IMPLICIT OCTET STRING OPTIONAL }
 */
export function readEncryptedContentInfo(node: Asn1Node | undefined): EncryptedContentInfo {
  const c = expectSequence(node, 'an EncryptedContentInfo');
  const ec = c[2];
  if (ec !== undefined && !isContext(ec, 0)) throw new SignetError('malformed-asn1', 'Unexpected element in EncryptedContentInfo.');
  return {
    contentType: readOid(c[0], 'the encrypted content type'),
    contentEncryptionAlgorithm: readAlgorithmIdentifier(c[1], 'the contentEncryptionAlgorithm'),
    encryptedContent: ec ?? null,
  };
}

/**
 * The ciphertext, reassembled from its BER chunks into ONE fresh buffer with `tailRoom` spare bytes at the
 * end (AES-GCM appends the tag there, so WebCrypto gets ciphertext ‖ tag without a second 150 MB copy).
 * With no tail room and a single chunk (DER, what Signet and `openssl cms` without -stream write) it is a
 * read-only view on the message instead: no copy of the whole ciphertext at all.
 */
export function encryptedContentBuffer(eci: EncryptedContentInfo, tailRoom = 0): Uint8Array<ArrayBuffer> {
  if (!eci.encryptedContent) {
    throw new SignetError('malformed-asn1', 'The message carries no encrypted content (detached content is not supported).');
  }
  const chunks: Uint8Array[] = [];
  collect(eci.encryptedContent, chunks, true);
  if (tailRoom === 0 && chunks.length === 1 && chunks[0]!.buffer instanceof ArrayBuffer) return chunks[0] as Uint8Array<ArrayBuffer>;
  let total = 0;
  for (const ch of chunks) total += ch.length;
  const out = new Uint8Array(total + tailRoom);
  let off = 0;
  for (const ch of chunks) {
    out.set(ch, off);
    off += ch.length;
  }
  return out;
}

/**
 * encryptedContentBuffer() for a caller that may overwrite the DER (decryption in place, issue 17). Content
 * sent in chunks (BER: a constructed OCTET STRING, what streaming encoders write — OpenSSL -stream, NSS,
 * `signet encrypt` in 512 KB pieces) is joined where it lies: when every chunk is a view on the same buffer,
 * in order, each is moved left over the chunk headers before it (copyWithin), and the result is a view on
 * that buffer. Nothing is overwritten before it has been moved, and nothing outside the chunks' span is
 * touched. Gathering them into a new buffer instead cost one more copy of the whole content (25 MB more at
 * the peak of `signet verify` of a 25 MB message). Otherwise (chunks from different buffers) it copies.
 */
export function encryptedContentInPlace(eci: EncryptedContentInfo): Uint8Array<ArrayBuffer> {
  if (!eci.encryptedContent) {
    throw new SignetError('malformed-asn1', 'The message carries no encrypted content (detached content is not supported).');
  }
  const chunks: Uint8Array[] = [];
  collect(eci.encryptedContent, chunks, true);
  const first = chunks[0];
  if (first === undefined || !(first.buffer instanceof ArrayBuffer)) return encryptedContentBuffer(eci);
  const buffer = first.buffer;
  let end = first.byteOffset;
  for (const ch of chunks) {
    if (ch.buffer !== buffer || ch.byteOffset < end) return encryptedContentBuffer(eci);
    end = ch.byteOffset + ch.length;
  }
  const span = new Uint8Array(buffer, first.byteOffset, end - first.byteOffset);
  let at = 0;
  for (const ch of chunks) {
    const from = ch.byteOffset - first.byteOffset;
    if (from !== at) span.copyWithin(at, from, from + ch.length);
    at += ch.length;
  }
  return span.subarray(0, at);
}

function collect(node: Asn1Node, out: Uint8Array[], top: boolean): void {
  if (!top && !isUniversal(node, Tag.octetString)) {
    throw new SignetError('malformed-asn1', 'A constructed encryptedContent may hold only OCTET STRING chunks.');
  }
  if (!node.idBlock.isConstructed) {
    out.push(primitiveContent(node, 'encryptedContent'));
    return;
  }
  // Nesting is bounded by maxAsn1Depth in parseAsn1.
  for (const c of childrenOf(node, 'encryptedContent')) collect(c, out, false);
}

/**
 * EnvelopedData ::= SEQUENCE { version, originatorInfo [0] IMPLICIT OPTIONAL, recipientInfos,
 *   encryptedContentInfo, unprotectedAttrs [1] IMPLICIT OPTIONAL }
 * originatorInfo (certificates for static-static key agreement) and unprotectedAttrs are not needed to
 * decrypt and are skipped.
 */
export function readEnvelopedData(node: Asn1Node): EnvelopedData {
  const c = expectSequence(node, 'an EnvelopedData');
  let i = 0;
  const version = readSmallInteger(c[i++], 'the EnvelopedData version');
  if (isContext(c[i], 0)) i++;
  const recipientInfos = readRecipientInfos(c[i++]);
  const encryptedContentInfo = readEncryptedContentInfo(c[i++]);
  return { version, recipientInfos, encryptedContentInfo };
}

/**
 * EncryptedContentInfo for id-data with the ciphertext as one primitive [0] (DER), still in pieces. The
 * ciphertext may itself be a list of pieces (chunked AES-CBC): they are never joined here.
 */
export function encryptedContentInfoPieces(contentEncryptionAlgorithm: Uint8Array, ciphertext: Uint8Array | DerPieces): DerPieces {
  return tlvPieces(0x30, [oid(OID.data), contentEncryptionAlgorithm, tlvPieces(0x80, [ciphertext])]);
}

/** ContentInfo { contentType, content [0] EXPLICIT } around `content`, still in pieces. */
export function contentInfoPieces(contentType: string, content: DerPieces): DerPieces {
  return tlvPieces(0x30, [oid(contentType), tlvPieces(0xa0, [content])]);
}

/** ContentInfo { contentType, content [0] EXPLICIT } around `content`, flattened with one copy. */
export function contentInfo(contentType: string, content: DerPieces): Uint8Array {
  return flatten(contentInfoPieces(contentType, content));
}

/**
 * A ContentInfo holding EnvelopedData. `recipientInfos` are complete RecipientInfo encodings; the version
 * is 0 when every RecipientInfo is version 0 (KTRI by issuerAndSerialNumber), else 2 (RFC 5652 §6.1).
 */
export function encodeEnvelopedData(
  recipientInfos: Uint8Array[],
  allRecipientInfosV0: boolean,
  contentEncryptionAlgorithm: Uint8Array,
  ciphertext: Uint8Array,
): Uint8Array {
  return flatten(encodeEnvelopedDataPieces(recipientInfos, allRecipientInfosV0, contentEncryptionAlgorithm, ciphertext));
}

/** encodeEnvelopedData() in pieces: the ciphertext is not copied (a writer streams the pieces out). */
export function encodeEnvelopedDataPieces(
  recipientInfos: Uint8Array[],
  allRecipientInfosV0: boolean,
  contentEncryptionAlgorithm: Uint8Array,
  ciphertext: Uint8Array | DerPieces,
): DerPieces {
  const env = tlvPieces(0x30, [
    integer(allRecipientInfosV0 ? 0 : 2),
    setOf(...recipientInfos),
    encryptedContentInfoPieces(contentEncryptionAlgorithm, ciphertext),
  ]);
  return contentInfoPieces(OID.envelopedData, env);
}

/**
 * The opening of a ContentInfo holding EnvelopedData in BER with indefinite lengths (X.690 §8.1.3.6), for a
 * content whose length is not known when the first byte must be written (a message arriving on a pipe):
 * every header up to the constructed `encryptedContent [0] IMPLICIT OCTET STRING`, whose value is then a
 * series of OCTET STRING chunks (encryptedContentChunkHeader) closed by ENVELOPED_DATA_BER_END. RFC 5652 §1
 * and RFC 8551 §3.3 allow BER outside signed attributes; NSS (Thunderbird) and `openssl cms -stream` write
 * exactly this form, and OpenSSL, NSS, gpgsm, Bouncy Castle and Outlook read it.
 */
export function envelopedDataBerHead(recipientInfos: Uint8Array[], allRecipientInfosV0: boolean, contentEncryptionAlgorithm: Uint8Array): Uint8Array {
  return concat([
    Uint8Array.of(0x30, 0x80), // ContentInfo
    oid(OID.envelopedData),
    Uint8Array.of(0xa0, 0x80), // content [0] EXPLICIT
    Uint8Array.of(0x30, 0x80), // EnvelopedData
    integer(allRecipientInfosV0 ? 0 : 2),
    setOf(...recipientInfos),
    Uint8Array.of(0x30, 0x80), // EncryptedContentInfo
    oid(OID.data),
    contentEncryptionAlgorithm,
    Uint8Array.of(0xa0, 0x80), // encryptedContent [0] IMPLICIT OCTET STRING, constructed
  ]);
}

/** The header of one OCTET STRING chunk of a constructed encryptedContent (X.690 §8.7.3.2). */
export function encryptedContentChunkHeader(length: number): Uint8Array {
  return concat([Uint8Array.of(0x04), lengthOctets(length)]);
}

/** End-of-contents for the five indefinite lengths envelopedDataBerHead() opened, innermost first. */
export const ENVELOPED_DATA_BER_END: Uint8Array = new Uint8Array(10);
