// ECDSA signature encodings: WebCrypto speaks raw r‖s (IEEE P1363, each half the field size), CMS and
// X.509 carry DER ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } (RFC 5753 §2.1.1, RFC 3279 §2.2.3).
// P-521 halves are 66 bytes; INTEGERs drop leading zeros and gain a 0x00 when the top bit is set.

import { SignetError } from '../errors.js';
import { sequence, unsignedInteger } from '../der.js';

/** Bytes per coordinate for a curve's field size in bits (256 → 32, 384 → 48, 521 → 66). */
export function ecCoordinateLength(fieldBits: number): number {
  return Math.ceil(fieldBits / 8);
}

/** Raw r‖s (as WebCrypto returns it) → DER ECDSA-Sig-Value. */
export function ecdsaRawToDer(raw: Uint8Array): Uint8Array {
  if (raw.length === 0 || raw.length % 2 !== 0) throw new SignetError('internal', 'A raw ECDSA signature has two equal halves.');
  const half = raw.length / 2;
  return sequence(unsignedInteger(raw.subarray(0, half)), unsignedInteger(raw.subarray(half)));
}

/**
 * DER ECDSA-Sig-Value → raw r‖s with each half left-padded to `coordinateLength`. Strict DER: an
 * attacker-controlled signature with trailing data, non-minimal or negative INTEGERs, or values longer
 * than the field is `signature-invalid` rather than being "fixed up" into something that verifies.
 */
export function ecdsaDerToRaw(der: Uint8Array, coordinateLength: number): Uint8Array {
  const bad = (why: string): SignetError => new SignetError('signature-invalid', `The ECDSA signature is not valid DER (${why}).`);
  let pos = 0;
  const readLen = (): number => {
    const first = der[pos++];
    if (first === undefined) throw bad('truncated');
    if (first < 0x80) return first;
    const n = first & 0x7f;
    if (n === 0 || n > 2) throw bad('length');
    let len = 0;
    for (let i = 0; i < n; i++) {
      const b = der[pos++];
      if (b === undefined) throw bad('truncated');
      len = len * 256 + b;
    }
    if (len < 0x80 || (n === 2 && len < 0x100)) throw bad('non-minimal length');
    return len;
  };
  if (der[pos++] !== 0x30) throw bad('not a SEQUENCE');
  const seqLen = readLen();
  if (pos + seqLen !== der.length) throw bad('length mismatch');
  const out = new Uint8Array(coordinateLength * 2);
  for (let k = 0; k < 2; k++) {
    if (der[pos++] !== 0x02) throw bad('not an INTEGER');
    const len = readLen();
    if (len === 0 || pos + len > der.length) throw bad('INTEGER length');
    let v = der.subarray(pos, pos + len);
    pos += len;
    if (v[0]! & 0x80) throw bad('negative INTEGER');
    if (v.length > 1 && v[0] === 0 && !(v[1]! & 0x80)) throw bad('non-minimal INTEGER');
    if (v[0] === 0) v = v.subarray(1);
    if (v.length > coordinateLength) throw bad('INTEGER larger than the curve');
    out.set(v, k * coordinateLength + coordinateLength - v.length);
  }
  if (pos !== der.length) throw bad('trailing data');
  return out;
}
