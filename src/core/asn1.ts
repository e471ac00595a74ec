// ASN.1 BER/DER reading over asn1js with Signet's resource limits (ARCHITECTURE.md rule 9), plus the small
// accessors every CMS and X.509 module needs: tags, children, primitive contents, OIDs, INTEGERs, times,
// and ContentInfo (RFC 5652 §3). Nodes are zero-copy views on the caller's bytes, so callers must not
// mutate the input while they use the result.

import { concat } from './bytes.js';
import * as asn1js from 'asn1js';
import { defaultLimits, type Limits } from './config.js';
import { SignetError } from './errors.js';

export type Asn1Node = asn1js.BaseBlock;
export type Asn1Limits = Pick<Limits, 'maxAsn1Depth' | 'maxAsn1Nodes' | 'maxAsn1Bytes'> &
  Partial<Pick<Limits, 'asn1BytesPerNode' | 'asn1NodeAllowance'>>;

/**
 * Nodes a structure of `byteLength` bytes may have: scaled to its size (config.ts asn1BytesPerNode,
 * asn1NodeAllowance) under the hard ceiling maxAsn1Nodes, so memory grows with the input, not with how
 * many empty elements an attacker packs into it.
 */
export function asn1NodeBudget(byteLength: number, limits: Asn1Limits): number {
  const perNode = limits.asn1BytesPerNode ?? defaultLimits.asn1BytesPerNode;
  const allowance = limits.asn1NodeAllowance ?? defaultLimits.asn1NodeAllowance;
  return Math.min(limits.maxAsn1Nodes, Math.floor(byteLength / perNode) + allowance);
}

export const TagClass = { universal: 1, application: 2, context: 3, private: 4 } as const;

/** Universal tag numbers used by Signet (X.680 §8.4). */
export const Tag = {
  boolean: 1,
  integer: 2,
  bitString: 3,
  octetString: 4,
  null: 5,
  oid: 6,
  utf8String: 12,
  sequence: 16,
  set: 17,
  printableString: 19,
  teletexString: 20,
  ia5String: 22,
  utcTime: 23,
  generalizedTime: 24,
  universalString: 28,
  bmpString: 30,
} as const;

export interface ParseAsn1Options {
  /** Accept bytes after the first element (mail transports pad base64 bodies; CMS ignores them). */
  allowTrailingData?: boolean;
  /** What is being parsed, for the error message ("the signature", "a certificate"). */
  what?: string;
}

/**
 * Decodes one BER/DER element with Signet's limits: depth (stack exhaustion), node count (node bombs of
 * empty elements) and content length (memory). asn1js's own defaults (16 MiB, 10 000 nodes) would refuse
 * legitimate 150 MB messages, whose indefinite-length encodings carry one node per 1-4 KiB chunk.
 * Embedded parsing of OCTET/BIT STRING contents is off: it would try to decode every attachment as ASN.1,
 * costing time and counting phantom nodes against the limit.
 */
export function parseAsn1(bytes: Uint8Array, limits: Asn1Limits, options: ParseAsn1Options = {}): Asn1Node {
  const what = options.what ?? 'The ASN.1 data';
  if (bytes.length === 0) throw new SignetError('malformed-asn1', `${what} is empty.`);
  if (bytes.length > limits.maxAsn1Bytes) {
    throw new SignetError('limit-exceeded', `${what} is larger than the configured limit of ${limits.maxAsn1Bytes} bytes.`);
  }
  const budget = asn1NodeBudget(bytes.length, limits);
  const scan = prescan(bytes, budget, limits.maxAsn1Depth);
  if (scan === 'over-budget') {
    throw new SignetError('limit-exceeded', `${what} exceeds an ASN.1 resource limit (more than ${budget} elements and object-identifier arcs for its size).`);
  }
  if (scan === 'stray-end-of-contents') {
    // X.690 §8.1.5: end-of-contents is exactly two zero octets, and only closes an indefinite length.
    // asn1js reads "00 01", or "00 00" inside a definite length, as an element: OpenSSL refuses both.
    throw new SignetError('malformed-asn1', `${what} is not valid ASN.1 (an end-of-contents marker that is malformed or out of place).`);
  }
  let res: asn1js.FromBerResult;
  try {
    res = asn1js.fromBER(bytes, {
      maxDepth: limits.maxAsn1Depth,
      maxNodes: budget,
      maxContentLength: limits.maxAsn1Bytes,
      parseEmbedded: false,
      copyInput: false,
    });
  } catch (e) {
    throw new SignetError('malformed-asn1', `${what} is not valid ASN.1.`, { cause: e });
  }
  const err = firstError(res.result);
  if (res.offset === -1 || err) {
    // The input is already within maxAsn1Bytes, so a content length above it can only be a length field
    // claiming more bytes than exist: that is truncation (malformed), not a resource problem.
    if (err && /^Maximum ASN\.1 (nesting depth|node count)/.test(err)) {
      throw new SignetError('limit-exceeded', `${what} exceeds an ASN.1 resource limit (${err}).`);
    }
    throw new SignetError('malformed-asn1', `${what} is not valid ASN.1${err ? ` (${err})` : ''}.`);
  }
  if (!options.allowTrailingData && res.offset !== bytes.length) {
    throw new SignetError('malformed-asn1', `${what} has ${bytes.length - res.offset} unexpected bytes after its end.`);
  }
  return res.result as Asn1Node;
}

/**
 * A linear pre-scan of the first element's TLV headers, before asn1js builds any object: true when its
 * elements plus the arcs of its OBJECT IDENTIFIERs and RELATIVE-OIDs (X.690 §8.19-8.20: asn1js builds an
 * object per arc, ~2.5 µs each), plus the content bytes of UniversalStrings and BMPStrings, stay within
 * `budget`. Fuzz finding F2: 800 KB of RELATIVE-OIDs
 * of 23 arcs each are only 32 000 elements, under the node budget, yet cost 1.8 s of CPU in asn1js; packed
 * empty elements cost ~1 s before asn1js's own node limit stopped them. Counted here, either is refused in
 * a few milliseconds. It also refuses an end-of-contents marker that is not exactly 00 00 closing an
 * indefinite length (X.690 §8.1.5), which asn1js would read as an element. Anything else malformed is left
 * to asn1js, which reports it properly.
 */
function prescan(bytes: Uint8Array, budget: number, maxDepth: number): 'ok' | 'over-budget' | 'stray-end-of-contents' {
  const open: number[] = []; // end offset of each open definite container; -1 for an indefinite one
  let pos = 0;
  let units = 0;
  for (;;) {
    while (open.length > 0 && open[open.length - 1]! >= 0 && pos >= open[open.length - 1]!) open.pop();
    if (open.length === 0 && units > 0) return 'ok'; // the first element is complete
    if (pos >= bytes.length || open.length > maxDepth) return 'ok';
    if (open.length > 0 && open[open.length - 1] === -1 && bytes[pos] === 0 && bytes[pos + 1] === 0) {
      open.pop(); // end-of-contents of an indefinite-length element
      pos += 2;
      continue;
    }
    const id = bytes[pos++]!;
    // Tag 0 of the universal class is end-of-contents only (X.690 §8.1.5), handled just above.
    if ((id & 0xdf) === 0) return 'stray-end-of-contents';
    let tag = id & 0x1f;
    if (tag === 0x1f) {
      tag = 0;
      let b: number;
      do {
        b = bytes[pos++] ?? 0;
        tag = tag * 128 + (b & 0x7f);
      } while (b & 0x80 && pos < bytes.length && tag < 2 ** 32);
    }
    const first = bytes[pos++];
    if (first === undefined) return 'ok';
    let length: number;
    if (first < 0x80) length = first;
    else if (first === 0x80) length = -1;
    else {
      const n = first & 0x7f;
      if (n > 6 || pos + n > bytes.length) return 'ok';
      length = 0;
      for (let i = 0; i < n; i++) length = length * 256 + bytes[pos++]!;
    }
    if (++units > budget) return 'over-budget';
    if (id & 0x20) {
      open.push(length < 0 ? -1 : pos + length);
    } else {
      if (length < 0) return 'ok';
      if ((id & 0xc0) === 0 && (tag === 6 || tag === 13)) {
        // One unit per arc: each arc ends with a byte below 0x80 (X.690 §8.19.2). A single huge arc is one
        // unit here and is refused as malformed by the OID reader, not as a budget.
        const end = Math.min(pos + length, bytes.length);
        for (let i = pos; i < end; i++) if (bytes[i]! < 0x80) units++;
        if (units > budget) return 'over-budget';
      } else if ((id & 0xc0) === 0 && (tag === 28 || tag === 30)) {
        // UniversalString and BMPString: asn1js decodes them character by character into a JS string,
        // ~6 µs per tiny element (1 MB of 4-byte BMPStrings cost 1.5 s of CPU): one unit per content byte.
        units += length;
        if (units > budget) return 'over-budget';
      }
      pos += length;
    }
  }
}

// asn1js reports some errors on the failing block only, so look at the top block and its value block.
function firstError(node: Asn1Node): string {
  if (node.error) return node.error;
  const vb = node.valueBlock as { error?: string } | undefined;
  return vb?.error ?? '';
}

// ---------------------------------------------------------------------------------------------------------
// Accessors. Each throws `malformed-asn1` on the wrong shape, so structure parsers read as the ASN.1 module.

export function tagClass(node: Asn1Node): number {
  return node.idBlock.tagClass;
}

export function tagNumber(node: Asn1Node): number {
  return node.idBlock.tagNumber;
}

export function isConstructed(node: Asn1Node): boolean {
  return node.idBlock.isConstructed;
}

// Plain booleans, not type predicates: a predicate's false branch would narrow a present node to `never`.
export function isUniversal(node: Asn1Node | undefined, tag: number): boolean {
  return !!node && node.idBlock.tagClass === TagClass.universal && node.idBlock.tagNumber === tag;
}

export function isContext(node: Asn1Node | undefined, tag: number): boolean {
  return !!node && node.idBlock.tagClass === TagClass.context && node.idBlock.tagNumber === tag;
}

/** The element's complete encoding (tag, length, contents) as received: for hashing and re-tagging. */
export function encodingOf(node: Asn1Node): Uint8Array {
  return node.valueBeforeDecodeView;
}

/** Universal types whose constructed form holds elements: SEQUENCE, SET, and BER-chunked OCTET/BIT STRINGs. */
const UNIVERSAL_CONTAINERS: ReadonlySet<number> = new Set([Tag.sequence, Tag.set, Tag.octetString, Tag.bitString]);

/**
 * Children of a constructed element, without the end-of-contents marker of indefinite lengths. Only
 * SEQUENCE, SET, constructed OCTET/BIT STRING and tagged (context, application, private) elements have
 * children here: a constructed character string (`2C 00`, a BER form no S/MIME or key file uses) or any
 * other universal type is `malformed-asn1`, never a TypeError from walking a decoded string value.
 */
export function childrenOf(node: Asn1Node | undefined, what = 'element'): Asn1Node[] {
  if (!node || !node.idBlock.isConstructed) throw new SignetError('malformed-asn1', `Expected a constructed ${what}.`);
  if (node.idBlock.tagClass === TagClass.universal && !UNIVERSAL_CONTAINERS.has(node.idBlock.tagNumber)) {
    throw new SignetError('malformed-asn1', `Expected ${what}, found a constructed universal type ${node.idBlock.tagNumber}.`);
  }
  const value = (node.valueBlock as unknown as { value?: unknown }).value ?? [];
  if (!Array.isArray(value)) throw new SignetError('malformed-asn1', `Expected a constructed ${what}.`);
  return (value as Asn1Node[]).filter((c) => !(c.idBlock.tagClass === TagClass.universal && c.idBlock.tagNumber === 0));
}

/** The contents octets of a primitive element (a view, no copy). */
export function primitiveContent(node: Asn1Node | undefined, what = 'element'): Uint8Array {
  if (!node || node.idBlock.isConstructed) throw new SignetError('malformed-asn1', `Expected a primitive ${what}.`);
  const enc = node.valueBeforeDecodeView;
  const header = node.idBlock.blockLength + node.lenBlock.blockLength;
  return enc.subarray(header, header + node.lenBlock.length);
}

export function expectUniversal(node: Asn1Node | undefined, tag: number, what: string): Asn1Node {
  if (!node || !isUniversal(node, tag)) throw new SignetError('malformed-asn1', `Expected ${what}.`);
  return node;
}

export function expectSequence(node: Asn1Node | undefined, what: string): Asn1Node[] {
  return childrenOf(expectUniversal(node, Tag.sequence, what), what);
}

export function expectSet(node: Asn1Node | undefined, what: string): Asn1Node[] {
  return childrenOf(expectUniversal(node, Tag.set, what), what);
}

export function readOid(node: Asn1Node | undefined, what = 'an object identifier'): string {
  const n = expectUniversal(node, Tag.oid, what);
  return decodeOid(primitiveContent(n, what));
}

/** Longest OID accepted, in content bytes, and longest arc: real OIDs are far shorter; a huge arc would make
 * the BigInt arithmetic below quadratic (a CPU-exhaustion vector). */
const MAX_OID_BYTES = 128;
const MAX_ARC_BYTES = 16;

export function decodeOid(b: Uint8Array): string {
  if (b.length === 0 || b.length > MAX_OID_BYTES || (b[b.length - 1]! & 0x80) !== 0) {
    throw new SignetError('malformed-asn1', 'Invalid object identifier.');
  }
  const arcs: string[] = [];
  let v = 0n;
  let first = true;
  let arcBytes = 0;
  for (let i = 0; i < b.length; i++) {
    const x = b[i]!;
    if (v === 0n && x === 0x80) throw new SignetError('malformed-asn1', 'Invalid object identifier (non-minimal arc).');
    if (++arcBytes > MAX_ARC_BYTES) throw new SignetError('malformed-asn1', 'Invalid object identifier (arc too long).');
    v = (v << 7n) | BigInt(x & 0x7f);
    if ((x & 0x80) === 0) {
      if (first) {
        const a = v < 40n ? 0n : v < 80n ? 1n : 2n;
        arcs.push(a.toString(), (v - a * 40n).toString());
        first = false;
      } else {
        arcs.push(v.toString());
      }
      v = 0n;
      arcBytes = 0;
    }
  }
  return arcs.join('.');
}

/** INTEGER contents, two's complement big-endian, as received. */
export function readIntegerBytes(node: Asn1Node | undefined, what = 'an INTEGER'): Uint8Array {
  return primitiveContent(expectUniversal(node, Tag.integer, what), what);
}

/** A small non-negative INTEGER (versions, pathLen, saltLength). */
export function readSmallInteger(node: Asn1Node | undefined, what = 'an INTEGER'): number {
  const b = readIntegerBytes(node, what);
  if (b.length === 0 || b.length > 6 || (b[0]! & 0x80) !== 0) throw new SignetError('malformed-asn1', `${what} is out of range.`);
  let v = 0;
  for (const x of b) v = v * 256 + x;
  return v;
}

/**
 * The value of an OCTET STRING, primitive or constructed (BER chunks, possibly nested, as NSS and
 * OpenSSL `-stream` write them). A primitive string is returned as a view; chunks are reassembled with one
 * allocation and set() — never by repeated concatenation, which is quadratic on a 150 MB message.
 */
export function readOctetString(node: Asn1Node | undefined, what = 'an OCTET STRING'): Uint8Array {
  const n = expectUniversal(node, Tag.octetString, what);
  if (!n.idBlock.isConstructed) return primitiveContent(n, what);
  const chunks: Uint8Array[] = [];
  collectChunks(n, chunks, what);
  return chunks.length === 1 ? chunks[0]! : concat(chunks);
}

function collectChunks(node: Asn1Node, out: Uint8Array[], what: string): void {
  // Depth is already bounded by maxAsn1Depth in parseAsn1; recursion here mirrors the parsed tree.
  for (const c of childrenOf(node, what)) {
    if (!isUniversal(c, Tag.octetString)) throw new SignetError('malformed-asn1', `${what}: a constructed OCTET STRING may hold only OCTET STRINGs.`);
    if (c.idBlock.isConstructed) collectChunks(c, out, what);
    else out.push(primitiveContent(c, what));
  }
}

/** BIT STRING contents without the unused-bits octet, plus that count. */
export function readBitString(node: Asn1Node | undefined, what = 'a BIT STRING'): { bytes: Uint8Array; unusedBits: number } {
  const c = primitiveContent(expectUniversal(node, Tag.bitString, what), what);
  if (c.length === 0 || c[0]! > 7) throw new SignetError('malformed-asn1', `${what} is malformed.`);
  return { bytes: c.subarray(1), unusedBits: c[0]! };
}

/** UTCTime (RFC 5280 §4.1.2.5.1: YY < 50 is 20YY) or GeneralizedTime, to a Date. */
export function readTime(node: Asn1Node | undefined, what = 'a time'): Date {
  if (!node || node.idBlock.tagClass !== TagClass.universal) throw new SignetError('malformed-asn1', `Expected ${what}.`);
  const raw = primitiveContent(node, what);
  if (raw.length > 32) throw new SignetError('malformed-asn1', `${what} is too long.`);
  const s = String.fromCharCode(...raw);
  let m: RegExpMatchArray | null;
  let year: number;
  if (node.idBlock.tagNumber === Tag.utcTime) {
    m = s.match(/^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(Z|[+-]\d{4})$/);
    if (!m) throw new SignetError('malformed-asn1', `${what} is not a valid UTCTime.`);
    const yy = Number(m[1]);
    year = yy < 50 ? 2000 + yy : 1900 + yy;
  } else if (node.idBlock.tagNumber === Tag.generalizedTime) {
    m = s.match(/^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:[.,]\d+)?(Z|[+-]\d{4})$/);
    if (!m) throw new SignetError('malformed-asn1', `${what} is not a valid GeneralizedTime.`);
    year = Number(m[1]);
  } else {
    throw new SignetError('malformed-asn1', `Expected ${what}.`);
  }
  let t = Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0));
  const zone = m[7]!;
  if (zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    t -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5))) * 60_000;
  }
  if (Number.isNaN(t)) throw new SignetError('malformed-asn1', `${what} is not a valid date.`);
  return new Date(t);
}

/** A character string (Printable, UTF8, IA5, Teletex as Latin-1, BMP, Universal) to a JS string. */
export function readString(node: Asn1Node): string {
  const b = primitiveContent(node, 'string');
  switch (node.idBlock.tagNumber) {
    case Tag.utf8String:
      return new TextDecoder('utf-8').decode(b);
    case Tag.bmpString: {
      let s = '';
      for (let i = 0; i + 1 < b.length; i += 2) s += String.fromCharCode((b[i]! << 8) | b[i + 1]!);
      return s;
    }
    case Tag.universalString: {
      let s = '';
      for (let i = 0; i + 3 < b.length; i += 4) s += String.fromCodePoint(((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0);
      return s;
    }
    default: {
      let s = '';
      for (const x of b) s += String.fromCharCode(x);
      return s;
    }
  }
}

/** AlgorithmIdentifier (RFC 5280 §4.1.1.2): the OID and the parameters element, if any. */
export interface AlgorithmIdentifier {
  oid: string;
  params: Asn1Node | null;
}

export function readAlgorithmIdentifier(node: Asn1Node | undefined, what = 'an AlgorithmIdentifier'): AlgorithmIdentifier {
  const c = expectSequence(node, what);
  return { oid: readOid(c[0], what), params: c[1] ?? null };
}

// ---------------------------------------------------------------------------------------------------------
// ContentInfo (RFC 5652 §3): ContentInfo ::= SEQUENCE { contentType OBJECT IDENTIFIER, content [0] EXPLICIT ANY }

export interface ContentInfo {
  contentType: string;
  /** The element inside [0] EXPLICIT (a SignedData, EnvelopedData … SEQUENCE). */
  content: Asn1Node;
}

export function parseContentInfo(bytes: Uint8Array, limits: Asn1Limits): ContentInfo {
  // Trailing bytes are tolerated: base64 bodies are often padded with NULs or junk after the DER, and
  // nothing after the element is covered by any signature or used.
  const root = parseAsn1(bytes, limits, { allowTrailingData: true, what: 'The CMS ContentInfo' });
  return contentInfoFromNode(root);
}

export function contentInfoFromNode(root: Asn1Node): ContentInfo {
  const c = expectSequence(root, 'a CMS ContentInfo');
  const contentType = readOid(c[0], 'the ContentInfo contentType');
  const wrapper = c[1];
  if (!wrapper || !isContext(wrapper, 0) || !wrapper.idBlock.isConstructed) throw new SignetError('malformed-asn1', 'The ContentInfo has no [0] content.');
  const inner = childrenOf(wrapper);
  if (inner.length !== 1) throw new SignetError('malformed-asn1', 'The ContentInfo content must hold exactly one element.');
  return { contentType, content: inner[0]! };
}

/**
 * The content octets of an OCTET STRING, or of an IMPLICIT-tagged one ([0] encryptedContent, [0] CertBag
 * value contents), joining the segments of a constructed (BER) encoding: PKCS#12 writers such as Bouncy
 * Castle and NSS stream their output with indefinite lengths. Always a copy.
 */
export function readJoinedOctets(node: Asn1Node | undefined, what: string): Uint8Array {
  if (node && node.idBlock.tagClass === 3) {
    if (!node.idBlock.isConstructed) return primitiveContent(node, what).slice();
    const parts = childrenOf(node, what).map((c) => readOctetString(c, what));
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

/** An INTEGER as unsigned big-endian bytes without leading zeros (a copy). */
export function readUnsignedInteger(node: Asn1Node | undefined, what: string): Uint8Array {
  const b = readIntegerBytes(node, what);
  if (b.length === 0) throw new SignetError('malformed-asn1', `${what} is empty.`);
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.slice(i);
}
