// A minimal DER writer (X.690 §10) for the structures Signet builds itself: definite lengths, SET OF
// sorted by encoding, and a two-pass "measure then write once" path for large contents so a 150 MB
// eContent is copied exactly once into the output.

import { SignetError } from './errors.js';

/** A DER element still in pieces: `parts` concatenated is the encoding; nothing copied yet. */
export interface DerPieces {
  readonly length: number;
  readonly parts: readonly Uint8Array[];
}

export function lengthOctets(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

/** An element whose contents stay as separate pieces (large content is not copied until `flatten`). */
export function tlvPieces(tag: number, contents: readonly (Uint8Array | DerPieces)[]): DerPieces {
  let len = 0;
  const parts: Uint8Array[] = [];
  for (const c of contents) {
    if (c instanceof Uint8Array) {
      len += c.length;
      parts.push(c);
    } else {
      len += c.length;
      parts.push(...c.parts);
    }
  }
  const header = new Uint8Array([tag, ...lengthOctets(len)]);
  return { length: header.length + len, parts: [header, ...parts] };
}

export function flatten(p: DerPieces): Uint8Array {
  const out = new Uint8Array(p.length);
  let off = 0;
  for (const part of p.parts) {
    out.set(part, off);
    off += part.length;
  }
  return out;
}

export function tlv(tag: number, ...contents: Uint8Array[]): Uint8Array {
  return flatten(tlvPieces(tag, contents));
}

export const sequence = (...items: Uint8Array[]): Uint8Array => tlv(0x30, ...items);

/** SET OF: DER requires the elements sorted as octet strings (X.690 §11.6). */
export function setOf(...items: Uint8Array[]): Uint8Array {
  return tlv(0x31, ...[...items].sort(compareBytes));
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

export const derNull = (): Uint8Array => Uint8Array.of(0x05, 0x00);

export function octetString(b: Uint8Array): Uint8Array {
  return tlv(0x04, b);
}

export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map((a) => {
    if (!/^\d+$/.test(a)) throw new SignetError('internal', `Bad OID ${dotted}`);
    return BigInt(a);
  });
  if (arcs.length < 2) throw new SignetError('internal', `Bad OID ${dotted}`);
  const values = [arcs[0]! * 40n + arcs[1]!, ...arcs.slice(2)];
  const out: number[] = [];
  for (const v of values) {
    const groups: number[] = [];
    let x = v;
    do {
      groups.unshift(Number(x & 0x7fn));
      x >>= 7n;
    } while (x > 0n);
    for (let i = 0; i < groups.length - 1; i++) groups[i]! |= 0x80;
    out.push(...groups);
  }
  return tlv(0x06, Uint8Array.from(out));
}

/** INTEGER from a non-negative number. */
export function integer(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new SignetError('internal', 'integer() takes a non-negative safe integer');
  const bytes: number[] = [];
  let v = n;
  do {
    bytes.unshift(v & 0xff);
    v = Math.floor(v / 256);
  } while (v > 0);
  if (bytes[0]! & 0x80) bytes.unshift(0);
  return tlv(0x02, Uint8Array.from(bytes));
}

/** INTEGER from unsigned big-endian magnitude bytes (minimal encoding, sign octet when needed). */
export function unsignedInteger(magnitude: Uint8Array): Uint8Array {
  let i = 0;
  while (i < magnitude.length - 1 && magnitude[i] === 0) i++;
  const m = magnitude.subarray(i);
  if (m.length === 0) return Uint8Array.of(0x02, 0x01, 0x00);
  return m[0]! & 0x80 ? tlv(0x02, Uint8Array.of(0), m) : tlv(0x02, m);
}

/** AlgorithmIdentifier with absent parameters, NULL parameters, or the given DER parameters. */
export function algorithmIdentifier(dotted: string, params?: Uint8Array | 'null'): Uint8Array {
  if (params === undefined) return sequence(oid(dotted));
  return sequence(oid(dotted), params === 'null' ? derNull() : params);
}

/**
 * RFC 5652 §11.3 / RFC 5280 §4.1.2.5: UTCTime for 1950-2049, GeneralizedTime otherwise; whole seconds, Z.
 */
export function time(d: Date): Uint8Array {
  const y = d.getUTCFullYear();
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const rest = `${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
  if (y >= 1950 && y < 2050) return tlv(0x17, ascii(p(y % 100) + rest));
  return tlv(0x18, ascii(p(y, 4) + rest));
}

/** Changes the identifier octet of a single-byte-tag encoding (e.g. [0] IMPLICIT ↔ SET), copying once. */
export function retag(encoding: Uint8Array, tag: number): Uint8Array {
  const out = encoding.slice();
  out[0] = tag;
  return out;
}
