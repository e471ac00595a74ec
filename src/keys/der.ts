// The key-file formats (PKCS#8, PKCS#12, SEC1, PKCS#7 certs-only) read through the core ASN.1 reader
// (src/core/asn1.ts: Signet's resource limits, end-of-contents markers dropped), plus the two readings
// those formats need beyond it: IMPLICIT-tagged OCTET STRINGs and unsigned INTEGER magnitudes. Every
// shape error is `malformed-asn1`, so a corrupt identity file gives a clear code, not a TypeError.

import type * as asn1js from 'asn1js';
import { childrenOf, isContext, parseAsn1, primitiveContent, readIntegerBytes, readOid, readOctetString, readSmallInteger } from '../core/asn1.js';
import { defaultLimits } from '../core/config.js';
import { SignetError } from '../core/errors.js';

/** Decodes one BER/DER element. Trailing bytes are allowed only when `allowTrailing` is set. */
export function decodeDer(bytes: Uint8Array, what: string, allowTrailing = false): asn1js.AsnType {
  // A private copy: nodes are views on their input, and a Node Buffer may be a view on a shared pool.
  return parseAsn1(new Uint8Array(bytes), defaultLimits, { what, allowTrailingData: allowTrailing }) as asn1js.AsnType;
}

/** The elements of a SEQUENCE, SET or constructed context-tagged node. */
export function children(node: asn1js.AsnType | undefined, what: string): asn1js.AsnType[] {
  return childrenOf(node, what) as asn1js.AsnType[];
}

export function isContextTag(node: asn1js.AsnType | undefined, n: number): boolean {
  return isContext(node, n);
}

export function oid(node: asn1js.AsnType | undefined, what: string): string {
  return readOid(node, what);
}

/**
 * The content octets of an OCTET STRING, or of an IMPLICIT-tagged one ([0] encryptedContent, [0]
 * CertBag value contents), joining the segments of a constructed (BER) encoding: PKCS#12 writers such as
 * Bouncy Castle and NSS stream their output with indefinite lengths. Always a copy.
 */
export function octets(node: asn1js.AsnType | undefined, what: string): Uint8Array {
  if (node && node.idBlock.tagClass === 3) {
    if (!node.idBlock.isConstructed) return primitiveContent(node, what).slice();
    const parts = children(node, what).map((c) => readOctetString(c, what));
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
  return readOctetString(node, what).slice();
}

/** An INTEGER as unsigned big-endian bytes without leading zeros. */
export function unsignedInteger(node: asn1js.AsnType | undefined, what: string): Uint8Array {
  const b = readIntegerBytes(node, what);
  if (b.length === 0) throw new SignetError('malformed-asn1', `${what} is empty.`);
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.slice(i);
}

/** A small non-negative INTEGER (versions, iteration counts). */
export function smallInteger(node: asn1js.AsnType | undefined, what: string): number {
  return readSmallInteger(node, what);
}

/** The exact bytes a node was decoded from (a certificate's DER, for instance), as a copy. */
export function encodingOf(node: asn1js.AsnType): Uint8Array {
  return node.valueBeforeDecodeView.slice();
}

export function toDer(node: asn1js.AsnType): Uint8Array {
  return new Uint8Array(node.toBER(false));
}
