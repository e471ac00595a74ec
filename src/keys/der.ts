// Small, strict accessors over asn1js nodes for the key-file formats (PKCS#8, PKCS#12, SEC1, PKCS#7
// certs-only). Every shape error becomes `malformed-asn1`, so a corrupt identity file gives a clear code
// instead of a TypeError deep inside a parser.

import * as asn1js from 'asn1js';
import { defaultLimits } from '../core/config.js';
import { toArrayBuffer } from '../core/bytes.js';
import { SignetError } from '../core/errors.js';

/** Decodes one BER/DER element. Trailing bytes are allowed only when `allowTrailing` is set. */
export function decodeDer(bytes: Uint8Array, what: string, allowTrailing = false): asn1js.AsnType {
  let res: asn1js.FromBerResult;
  try {
    // The limits stop a nesting or node bomb in a hostile "identity file" (config.ts explains each one).
    res = asn1js.fromBER(toArrayBuffer(bytes), {
      maxDepth: defaultLimits.maxAsn1Depth,
      maxNodes: defaultLimits.maxAsn1Nodes,
      maxContentLength: defaultLimits.maxAsn1Bytes,
    });
  } catch (e) {
    throw new SignetError('malformed-asn1', `${what} is not valid ASN.1.`, { cause: e });
  }
  if (res.offset === -1 || res.result.error) {
    throw new SignetError('malformed-asn1', `${what} is not valid ASN.1 (${res.result.error || 'decode error'}).`);
  }
  if (!allowTrailing && res.offset !== bytes.length) {
    throw new SignetError('malformed-asn1', `${what} has ${bytes.length - res.offset} unexpected bytes after its end.`);
  }
  return res.result;
}

export function fail(what: string): never {
  throw new SignetError('malformed-asn1', `${what} does not have the expected ASN.1 structure.`);
}

/** The elements of a SEQUENCE, SET or constructed context-tagged node. */
export function children(node: asn1js.AsnType | undefined, what: string): asn1js.AsnType[] {
  if (!node || !node.idBlock.isConstructed) fail(what);
  const v = (node.valueBlock as { value?: unknown }).value;
  if (!Array.isArray(v)) fail(what);
  return v as asn1js.AsnType[];
}

export function isContextTag(node: asn1js.AsnType | undefined, n: number): boolean {
  return !!node && node.idBlock.tagClass === 3 && node.idBlock.tagNumber === n;
}

export function oid(node: asn1js.AsnType | undefined, what: string): string {
  if (!(node instanceof asn1js.ObjectIdentifier)) fail(what);
  return node.valueBlock.toString();
}

/**
 * The content octets of an OCTET STRING, or of an IMPLICIT-tagged one ([0] encryptedContent), joining the
 * segments of a constructed (BER) encoding at any depth: PKCS#12 writers such as Bouncy Castle and NSS
 * stream their output with indefinite lengths.
 */
export function octets(node: asn1js.AsnType | undefined, what: string): Uint8Array {
  if (!node) fail(what);
  const cls = node.idBlock.tagClass;
  if (!((cls === 1 && node.idBlock.tagNumber === 4) || cls === 3)) fail(what);
  if (!node.idBlock.isConstructed) {
    return new Uint8Array((node.valueBlock as unknown as { valueHexView: Uint8Array }).valueHexView);
  }
  const parts = children(node, what).map((c) => octets(c, what));
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** An INTEGER as unsigned big-endian bytes without leading zeros. */
export function unsignedInteger(node: asn1js.AsnType | undefined, what: string): Uint8Array {
  if (!(node instanceof asn1js.Integer)) fail(what);
  const b = node.valueBlock.valueHexView;
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

/** A small non-negative INTEGER (versions, iteration counts). */
export function smallInteger(node: asn1js.AsnType | undefined, what: string): number {
  if (!(node instanceof asn1js.Integer)) fail(what);
  const raw = node.valueBlock.valueHexView;
  if (raw.length === 0 || (raw[0]! & 0x80) !== 0) fail(what);
  const b = unsignedInteger(node, what);
  if (b.length > 6) fail(what);
  let n = 0;
  for (const x of b) n = n * 256 + x;
  return n;
}

/** The exact bytes a node was decoded from (a certificate's DER, for instance). */
export function encodingOf(node: asn1js.AsnType): Uint8Array {
  return new Uint8Array(node.valueBeforeDecodeView);
}

export function toDer(node: asn1js.AsnType): Uint8Array {
  return new Uint8Array(node.toBER(false));
}
