// Triple-DES (FIPS 46-3 / SP 800-67, three-key EDE) in CBC mode, DECRYPTION ONLY.
//
// Why this exists: WebCrypto has no 3DES, yet two things people still have use it: PKCS#12 files
// written by Windows, macOS and `openssl -legacy` (pbeWithSHAAnd3-KeyTripleDES-CBC, RFC 7292 App. C),
// and S/MIME mail from Outlook 2010-2016 and OpenSSL's old default (des-ede3-cbc content, RFC 3370 §5.1).
// Signet reads both, flags such mail as using a legacy cipher, and never encrypts with 3DES.

const IP = [
  58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4, 62, 54, 46, 38, 30, 22, 14, 6, 64, 56, 48, 40, 32, 24, 16, 8,
  57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3, 61, 53, 45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7,
];
const P = [16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10, 2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22, 11, 4, 25];
const PC1 = [
  57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18, 10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60, 52, 44, 36,
  63, 55, 47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22, 14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4,
];
const PC2 = [
  14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, 23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2,
  41, 52, 31, 37, 47, 55, 30, 40, 51, 45, 33, 48, 44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32,
];
const SHIFTS = [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1];
// S-boxes S1..S8, each 4 rows of 16.
const S = [
  '14 4 13 1 2 15 11 8 3 10 6 12 5 9 0 7 0 15 7 4 14 2 13 1 10 6 12 11 9 5 3 8 4 1 14 8 13 6 2 11 15 12 9 7 3 10 5 0 15 12 8 2 4 9 1 7 5 11 3 14 10 0 6 13',
  '15 1 8 14 6 11 3 4 9 7 2 13 12 0 5 10 3 13 4 7 15 2 8 14 12 0 1 10 6 9 11 5 0 14 7 11 10 4 13 1 5 8 12 6 9 3 2 15 13 8 10 1 3 15 4 2 11 6 7 12 0 5 14 9',
  '10 0 9 14 6 3 15 5 1 13 12 7 11 4 2 8 13 7 0 9 3 4 6 10 2 8 5 14 12 11 15 1 13 6 4 9 8 15 3 0 11 1 2 12 5 10 14 7 1 10 13 0 6 9 8 7 4 15 14 3 11 5 2 12',
  '7 13 14 3 0 6 9 10 1 2 8 5 11 12 4 15 13 8 11 5 6 15 0 3 4 7 2 12 1 10 14 9 10 6 9 0 12 11 7 13 15 1 3 14 5 2 8 4 3 15 0 6 10 1 13 8 9 4 5 11 12 7 2 14',
  '2 12 4 1 7 10 11 6 8 5 3 15 13 0 14 9 14 11 2 12 4 7 13 1 5 0 15 10 3 9 8 6 4 2 1 11 10 13 7 8 15 9 12 5 6 3 0 14 11 8 12 7 1 14 2 13 6 15 0 9 10 4 5 3',
  '12 1 10 15 9 2 6 8 0 13 3 4 14 7 5 11 10 15 4 2 7 12 9 5 6 1 13 14 0 11 3 8 9 14 15 5 2 8 12 3 7 0 4 10 1 13 11 6 4 3 2 12 9 5 15 10 11 14 1 7 6 0 8 13',
  '4 11 2 14 15 0 8 13 3 12 9 7 5 10 6 1 13 0 11 7 4 9 1 10 14 3 5 12 2 15 8 6 1 4 11 13 12 3 7 14 10 15 6 8 0 5 9 2 6 11 13 8 1 4 10 7 9 5 0 15 14 2 3 12',
  '13 2 8 4 6 15 11 1 10 9 3 14 5 0 12 7 1 15 13 8 10 3 7 4 12 5 6 11 0 14 9 2 7 11 4 1 9 12 14 2 0 6 10 13 15 3 5 8 2 1 14 7 4 10 8 13 15 12 9 0 3 5 6 11',
].map((row) => row.split(' ').map(Number));

/** Bit `pos` (1 = most significant) of a 64-bit block given as [hi, lo]. */
function bit64(hi: number, lo: number, pos: number): number {
  return pos <= 32 ? (hi >>> (32 - pos)) & 1 : (lo >>> (64 - pos)) & 1;
}

// Permutation tables precomputed per input byte: a 64-bit permutation becomes 8 lookups and XORs.
function byteTables(perm: readonly number[]): Uint32Array[] {
  // out bit i (1-based) = in bit perm[i-1]; invert to know where each input bit goes.
  const dest = new Array<number>(65).fill(0);
  perm.forEach((src, i) => (dest[src] = i + 1));
  const tables: Uint32Array[] = [];
  for (let b = 0; b < 8; b++) {
    const t = new Uint32Array(512);
    for (let v = 0; v < 256; v++) {
      let hi = 0;
      let lo = 0;
      for (let k = 0; k < 8; k++) {
        if ((v >>> (7 - k)) & 1) {
          const d = dest[b * 8 + k + 1]!;
          if (d <= 32) hi |= 1 << (32 - d);
          else lo |= 1 << (64 - d);
        }
      }
      t[v * 2] = hi >>> 0;
      t[v * 2 + 1] = lo >>> 0;
    }
    tables.push(t);
  }
  return tables;
}

// The permutation and S-box tables are built on first use, not at module load: every command that reads
// an identity file loads this module, and only a legacy PKCS#12 file or message ever runs DES (building
// them cost ~5-13 ms of `signet sign` and `signet encrypt` start-up, issue 17).
interface Tables {
  ip: Uint32Array[];
  fp: Uint32Array[];
  sp: Uint32Array[];
}
let built: Tables | undefined;

function tables(): Tables {
  if (built) return built;
  const fpPerm = new Array<number>(64);
  IP.forEach((src, i) => (fpPerm[src - 1] = i + 1));
  // S-box followed by P, per S-box and 6-bit input.
  const sp: Uint32Array[] = S.map((box, j) => {
    const t = new Uint32Array(64);
    for (let x = 0; x < 64; x++) {
      const row = ((x >>> 4) & 2) | (x & 1);
      const col = (x >>> 1) & 15;
      const pre = box[row * 16 + col]! << (28 - 4 * j);
      let out = 0;
      for (let i = 0; i < 32; i++) if ((pre >>> (31 - (P[i]! - 1))) & 1) out |= 1 << (31 - i);
      t[x] = out >>> 0;
    }
    return t;
  });
  built = { ip: byteTables(IP), fp: byteTables(fpPerm), sp };
  return built;
}

function permute(tables: Uint32Array[], hi: number, lo: number): [number, number] {
  let oh = 0;
  let ol = 0;
  for (let b = 0; b < 8; b++) {
    const v = b < 4 ? (hi >>> (24 - 8 * b)) & 0xff : (lo >>> (24 - 8 * (b - 4))) & 0xff;
    oh |= tables[b]![v * 2]!;
    ol |= tables[b]![v * 2 + 1]!;
  }
  return [oh >>> 0, ol >>> 0];
}

/** The 16 round keys, each as eight 6-bit groups. */
function keySchedule(key: Uint8Array): Uint8Array[] {
  const hi = ((key[0]! << 24) | (key[1]! << 16) | (key[2]! << 8) | key[3]!) >>> 0;
  const lo = ((key[4]! << 24) | (key[5]! << 16) | (key[6]! << 8) | key[7]!) >>> 0;
  const cd = PC1.map((p) => bit64(hi, lo, p)); // 56 bits: C = cd[0..27], D = cd[28..55]
  let c = cd.slice(0, 28);
  let d = cd.slice(28);
  const out: Uint8Array[] = [];
  for (const s of SHIFTS) {
    c = c.slice(s).concat(c.slice(0, s));
    d = d.slice(s).concat(d.slice(0, s));
    const both = c.concat(d);
    const k = new Uint8Array(8);
    for (let i = 0; i < 48; i++) {
      const g = Math.floor(i / 6);
      k[g] = k[g]! | (both[PC2[i]! - 1]! << (5 - (i % 6)));
    }
    out.push(k);
  }
  return out;
}

function feistel(SP: Uint32Array[], r: number, k: Uint8Array): number {
  let out = 0;
  for (let j = 0; j < 8; j++) {
    // E expansion: group j is input bits 4j .. 4j+5 (1-based, bit 0 meaning bit 32), wrapping around.
    const rot = (4 * j + 31) % 32;
    const rl = rot === 0 ? r : ((r << rot) | (r >>> (32 - rot))) >>> 0;
    out |= SP[j]![((rl >>> 26) ^ k[j]!) & 63]!;
  }
  return out >>> 0;
}

function crypt(keys: Uint8Array[], hi: number, lo: number): [number, number] {
  const t = tables();
  let [l, r] = permute(t.ip, hi, lo);
  for (const k of keys) {
    const prev = r;
    r = (l ^ feistel(t.sp, r, k)) >>> 0;
    l = prev;
  }
  return permute(t.fp, r, l);
}

/** Single-DES block decryption key (round keys in reverse order); exported for the FIPS test vectors. */
export class Des {
  private readonly enc: Uint8Array[];
  private readonly dec: Uint8Array[];
  constructor(key: Uint8Array) {
    if (key.length !== 8) throw new RangeError('DES key must be 8 bytes');
    this.enc = keySchedule(key);
    this.dec = this.enc.slice().reverse();
  }
  /** Encrypts one block; kept because EDE decryption needs the middle encryption step. */
  encryptBlock(hi: number, lo: number): [number, number] {
    return crypt(this.enc, hi, lo);
  }
  decryptBlock(hi: number, lo: number): [number, number] {
    return crypt(this.dec, hi, lo);
  }
}

/**
 * 3DES-EDE-CBC decryption (key = K1‖K2‖K3, 24 bytes; a 16-byte key means K3 = K1). Returns the padded
 * plaintext; the caller removes and checks the PKCS#7 padding.
 */
export function desEde3CbcDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  if (key.length !== 24 && key.length !== 16) throw new RangeError('3DES key must be 16 or 24 bytes');
  if (iv.length !== 8) throw new RangeError('3DES IV must be 8 bytes');
  if (data.length % 8 !== 0) throw new RangeError('3DES ciphertext is not a whole number of blocks');
  const k1 = new Des(key.subarray(0, 8));
  const k2 = new Des(key.subarray(8, 16));
  const k3 = key.length === 24 ? new Des(key.subarray(16, 24)) : k1;
  const out = new Uint8Array(data.length);
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const ov = new DataView(out.buffer);
  let ph = new DataView(iv.buffer, iv.byteOffset, 8).getUint32(0);
  let pl = new DataView(iv.buffer, iv.byteOffset, 8).getUint32(4);
  for (let i = 0; i < data.length; i += 8) {
    const ch = dv.getUint32(i);
    const cl = dv.getUint32(i + 4);
    let [h, l] = k3.decryptBlock(ch, cl);
    [h, l] = k2.encryptBlock(h, l);
    [h, l] = k1.decryptBlock(h, l);
    ov.setUint32(i, (h ^ ph) >>> 0);
    ov.setUint32(i + 4, (l ^ pl) >>> 0);
    ph = ch;
    pl = cl;
  }
  return out;
}
