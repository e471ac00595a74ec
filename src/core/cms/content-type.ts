// Reads only the contentType OID at the head of a CMS ContentInfo (RFC 5652 §3) without parsing the
// rest, so the message layer can dispatch a 150 MB structure to the right parser without decoding it
// twice. Anything that is not `SEQUENCE { OBJECT IDENTIFIER …` is `malformed-asn1`.

import { SignetError } from '../errors.js';

function malformed(): SignetError {
  return new SignetError('malformed-asn1', 'The S/MIME part is not a valid CMS structure.');
}

/** Skips a tag + length header at `pos`; returns the offset of the contents and their length (-1: indefinite). */
function header(b: Uint8Array, pos: number, expectedTag: number): { start: number; length: number } {
  if (b[pos] !== expectedTag) throw malformed();
  let p = pos + 1;
  const first = b[p++];
  if (first === undefined) throw malformed();
  if (first < 0x80) return { start: p, length: first };
  if (first === 0x80) return { start: p, length: -1 };
  const n = first & 0x7f;
  if (n > 4 || p + n > b.length) throw malformed();
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + b[p++]!;
  return { start: p, length: len };
}

export function peekContentType(der: Uint8Array): string {
  const seq = header(der, 0, 0x30);
  const oid = header(der, seq.start, 0x06);
  if (oid.length <= 0 || oid.length > 64 || oid.start + oid.length > der.length) throw malformed();
  const bytes = der.subarray(oid.start, oid.start + oid.length);
  const arcs: number[] = [];
  let v = 0;
  for (let i = 0; i < bytes.length; i++) {
    v = v * 128 + (bytes[i]! & 0x7f);
    if (v > Number.MAX_SAFE_INTEGER / 128) throw malformed();
    if ((bytes[i]! & 0x80) === 0) {
      if (arcs.length === 0) arcs.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80);
      else arcs.push(v);
      v = 0;
    } else if (i === bytes.length - 1) throw malformed();
  }
  return arcs.join('.');
}
