// S/MIME encryption (RFC 8551 §2.7, §3.3): the content is encrypted once under a fresh content key, and
// the key is delivered to every recipient certificate — KeyTransRecipientInfo for RSA (RFC 5652 §6.2.1,
// RSAES-OAEP by default, RFC 4055), KeyAgreeRecipientInfo with ephemeral-static ECDH for EC (RFC 5753).
// AES-CBC gives EnvelopedData (RFC 5652 §6, RFC 3565); AES-GCM gives AuthEnvelopedData (RFC 5083/5084).

import { algorithmIdentifier, flatten, octetString, type DerPieces } from '../der.js';
import { cryptoProvider, randomBytes, type CryptoProvider } from '../crypto.js';
import { concat, equalBytes, PieceReader } from '../bytes.js';
import { SignetError } from '../errors.js';
import { OID } from '../oids.js';
import { AuthEnvelopedData, encodeGcmParameters } from './auth-enveloped-data.js';
import { encodeEnvelopedDataPieces, encryptedContentChunkHeader, ENVELOPED_DATA_BER_END, envelopedDataBerHead } from './enveloped-data.js';
import { certificateFacts, type RecipientIdStyle } from './envelope-recipient.js';
import { buildKeyAgreeRecipientInfo } from './key-agreement.js';
import { buildKeyTransRecipientInfo, type RsaKeyTransport } from './key-transport.js';

export type ContentCipher = 'aes-128-gcm' | 'aes-256-gcm' | 'aes-128-cbc' | 'aes-256-cbc';
export type { RsaKeyTransport, RecipientIdStyle };

export interface EncryptOptions {
  /** Recipient certificates (DER). Callers include the sender so that Sent Items stays readable. */
  recipients: Uint8Array[];
  /** Default 'aes-256-cbc', readable by every S/MIME client; use chooseCipher() for GCM when all can. */
  cipher?: ContentCipher;
  /**
   * RSA key transport. 'oaep' (default): RSAES-OAEP with SHA-256 and MGF1-SHA-256 (RFC 4055).
   * 'pkcs1': RSAES-PKCS1-v1_5, for clients that cannot read OAEP (older Outlook, Thunderbird < 128).
   */
  rsaKeyTransport?: RsaKeyTransport;
  /**
   * Per recipient (same order as `recipients`), an RSA key transport that overrides `rsaKeyTransport`;
   * null or absent entries take the message default. Signet gives the sender's own certificate 'oaep' so
   * that Sent Items opens with a non-extractable WebCrypto key (WebCrypto has no RSAES-PKCS1-v1_5), while
   * correspondents whose clients cannot read OAEP still get PKCS#1 v1.5.
   */
  recipientKeyTransport?: readonly (RsaKeyTransport | null | undefined)[];
  /**
   * How recipients are named: issuerAndSerialNumber (default; every client reads it) or
   * subjectKeyIdentifier (what `openssl cms -keyid` writes).
   */
  recipientIdentifier?: RecipientIdStyle;
}

const CIPHERS: Record<ContentCipher, { oid: string; name: 'AES-CBC' | 'AES-GCM'; keyBytes: number }> = {
  'aes-128-cbc': { oid: OID.aes128CBC, name: 'AES-CBC', keyBytes: 16 },
  'aes-256-cbc': { oid: OID.aes256CBC, name: 'AES-CBC', keyBytes: 32 },
  'aes-128-gcm': { oid: OID.aes128GCM, name: 'AES-GCM', keyBytes: 16 },
  'aes-256-gcm': { oid: OID.aes256GCM, name: 'AES-GCM', keyBytes: 32 },
};

/** Encrypts `content` (a MIME entity) to every recipient; returns the DER ContentInfo. */
export async function encryptContent(
  content: Uint8Array,
  opts: EncryptOptions,
  provider: CryptoProvider = cryptoProvider(),
): Promise<Uint8Array> {
  return flatten(await encryptContentPieces(content, opts, provider));
}

/**
 * encryptContent() for a content given in pieces (their concatenation is the entity), returning the DER
 * in pieces: with AES-CBC neither the content nor the ciphertext is ever joined into one buffer.
 */
export async function encryptContentPieces(
  content: Uint8Array | readonly Uint8Array[],
  opts: EncryptOptions,
  provider: CryptoProvider = cryptoProvider(),
): Promise<DerPieces> {
  const der = await encryptContentStream(content, opts, provider);
  const parts: Uint8Array[] = [];
  for await (const p of der.chunks) parts.push(p);
  return { length: der.length, parts };
}

/**
 * The content key and one RecipientInfo per distinct recipient certificate. The sender is usually also in
 * To/Cc; a certificate listed twice keeps the first explicit key-transport choice made for it.
 */
async function recipientInfosFor(
  opts: EncryptOptions,
  cipher: { name: 'AES-CBC' | 'AES-GCM'; keyBytes: number },
  provider: CryptoProvider,
): Promise<{ recipientInfos: Uint8Array[]; allV0: boolean; key: CryptoKey }> {
  const mode = opts.rsaKeyTransport ?? 'oaep';
  if (mode !== 'oaep' && mode !== 'pkcs1') throw new SignetError('usage', `Unknown RSA key transport ${String(mode)}.`);
  const ridStyle = opts.recipientIdentifier ?? 'issuer-and-serial';
  const perRecipient = opts.recipientKeyTransport ?? [];
  for (const m of perRecipient) {
    if (m != null && m !== 'oaep' && m !== 'pkcs1') throw new SignetError('usage', `Unknown RSA key transport ${String(m)}.`);
  }
  const certs: { der: Uint8Array; mode: RsaKeyTransport | null }[] = [];
  opts.recipients.forEach((c, i) => {
    const explicit = perRecipient[i] ?? null;
    const seen = certs.find((d) => equalBytes(d.der, c));
    if (!seen) certs.push({ der: c, mode: explicit });
    else if (seen.mode === null) seen.mode = explicit;
  });
  if (certs.length === 0) throw new SignetError('usage', 'Encryption needs at least one recipient certificate.');

  const cek = randomBytes(provider, cipher.keyBytes);
  const recipientInfos: Uint8Array[] = [];
  let allV0 = true;
  for (const { der, mode: explicit } of certs) {
    const facts = certificateFacts(der);
    if (facts.keyType === 'rsa') {
      recipientInfos.push(await buildKeyTransRecipientInfo(facts, cek, explicit ?? mode, ridStyle, provider));
      if (ridStyle !== 'issuer-and-serial') allV0 = false;
    } else if (facts.keyType === 'ec') {
      recipientInfos.push(await buildKeyAgreeRecipientInfo(facts, cek, ridStyle, provider));
      allV0 = false;
    } else {
      throw new SignetError('unsupported-algorithm', `Cannot encrypt to a certificate with key type ${facts.keyAlgorithm} (RSA and EC can).`);
    }
  }

  const key = await provider.crypto.subtle.importKey('raw', cek as BufferSource, { name: cipher.name }, false, ['encrypt']);
  cek.fill(0);
  return { recipientInfos, allV0, key };
}

/** A DER encoding of known length whose bytes arrive in order, as they are produced. */
export interface DerStream {
  readonly length: number;
  readonly chunks: AsyncIterable<Uint8Array>;
}

/**
 * encryptContent() as a stream: with AES-CBC the ciphertext's length is known before a byte is encrypted
 * (PKCS #7 padding adds 1-16 bytes to reach the next whole block), and the ciphertext is the last thing in
 * the DER, so every header comes first and each ciphertext chunk follows as WebCrypto returns it. A writer
 * that sends chunks on as they come (the CLI) never holds the ciphertext: the peak memory of encrypting is
 * the message plus a few chunks, and encoding one chunk overlaps encrypting the
 * next. AES-GCM has no incremental form in WebCrypto: its stream is one encryption, then every piece.
 */
export async function encryptContentStream(
  content: Uint8Array | readonly Uint8Array[],
  opts: EncryptOptions,
  provider: CryptoProvider = cryptoProvider(),
): Promise<DerStream> {
  const cipherName = opts.cipher ?? 'aes-256-cbc';
  const cipher = CIPHERS[cipherName];
  if (!cipher) throw new SignetError('usage', `Unknown cipher ${String(cipherName)}.`);
  const subtle = provider.crypto.subtle;
  const { recipientInfos, allV0, key } = await recipientInfosFor(opts, cipher, provider);
  const parts = isPieceList(content) ? content : [content];
  if (cipher.name === 'AES-CBC') {
    const iv = randomBytes(provider, 16);
    let total = 0;
    for (const p of parts) total += p.length;
    const ciphertextLength = (Math.floor(total / 16) + 1) * 16;
    // The headers in pieces around a ciphertext of that length, not yet there (parts: none).
    const head = encodeEnvelopedDataPieces(recipientInfos, allV0, algorithmIdentifier(cipher.oid, octetString(iv)), { length: ciphertextLength, parts: [] });
    return {
      length: head.length,
      chunks: (async function* () {
        yield* head.parts;
        yield* cbcEncryptStream(subtle, key, iv, parts);
      })(),
    };
  }
  // A random 96-bit nonce under a fresh key: each key encrypts exactly one message, so no reuse.
  // GCM's tag covers the whole content, and WebCrypto has no incremental GCM: one call, one buffer.
  const nonce = randomBytes(provider, 12);
  const whole = parts.length === 1 ? parts[0]! : concat(parts);
  const sealed = new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv: nonce as BufferSource, tagLength: 128 }, key, whole as BufferSource));
  const alg = algorithmIdentifier(cipher.oid, encodeGcmParameters({ nonce, icvLength: 16 }));
  const der = AuthEnvelopedData.encodePieces(recipientInfos, alg, sealed.subarray(0, sealed.length - 16), sealed.subarray(sealed.length - 16));
  return {
    length: der.length,
    chunks: (async function* () {
      yield* der.parts;
    })(),
  };
}

/**
 * encryptContent() for a content whose length is unknown until it ends — a message read from a pipe as it
 * arrives — so that encrypting overlaps producing it (`signet sign | signet encrypt`, issue 17). AES-CBC
 * only: the output is BER with indefinite lengths (envelopedDataBerHead), each ciphertext chunk an OCTET
 * STRING written as soon as WebCrypto returns it, so neither the content nor the ciphertext is ever held
 * whole. AES-GCM has no incremental form in WebCrypto: its content is gathered first, and the result is the
 * usual DER. Every recipient check (key types, key transport) happens before the first byte is returned.
 */
export async function encryptContentFrom(
  content: AsyncIterable<Uint8Array>,
  opts: EncryptOptions,
  provider: CryptoProvider = cryptoProvider(),
): Promise<AsyncIterable<Uint8Array>> {
  const cipherName = opts.cipher ?? 'aes-256-cbc';
  const cipher = CIPHERS[cipherName];
  if (!cipher) throw new SignetError('usage', `Unknown cipher ${String(cipherName)}.`);
  if (cipher.name !== 'AES-CBC') {
    const parts: Uint8Array[] = [];
    for await (const p of content) parts.push(p);
    return (await encryptContentStream(parts, opts, provider)).chunks;
  }
  const { recipientInfos, allV0, key } = await recipientInfosFor(opts, cipher, provider);
  const iv = randomBytes(provider, 16);
  const head = envelopedDataBerHead(recipientInfos, allV0, algorithmIdentifier(cipher.oid, octetString(iv)));
  const subtle = provider.crypto.subtle;
  return (async function* () {
    yield head;
    for await (const ct of cbcEncryptIncremental(subtle, key, iv, content)) {
      yield encryptedContentChunkHeader(ct.length);
      yield ct;
    }
    yield ENVELOPED_DATA_BER_END;
  })();
}

/**
 * cbcEncryptStream() over a source of unknown length: input is gathered into CBC_CHUNK_BYTES chunks, each
 * encrypted once full with the previous chunk's last ciphertext block as its IV (and its padding block cut
 * off); what is left when the source ends is encrypted last, keeping its PKCS #7 padding — for a content
 * that ended on a chunk boundary that is an empty final call, which yields exactly the one full padding
 * block RFC 5652 §6.3 requires. The result is byte-for-byte the one-shot ciphertext. Each full chunk is
 * handed to WebCrypto (a worker thread in Node) before the previous one's ciphertext is yielded, so the
 * consumer's work and the reading of the next input overlap the encryption.
 */
export async function* cbcEncryptIncremental(
  subtle: SubtleCrypto,
  key: CryptoKey,
  iv: Uint8Array,
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): AsyncGenerator<Uint8Array, void, undefined> {
  let chain = iv;
  let pending: Promise<Uint8Array> | null = null;
  const encryptFull = (chunk: Uint8Array, prev: Promise<Uint8Array> | null): Promise<Uint8Array> => {
    const run = (async (): Promise<Uint8Array> => {
      if (prev !== null) await prev;
      const ct = new Uint8Array(await subtle.encrypt({ name: 'AES-CBC', iv: chain as BufferSource }, key, chunk as BufferSource));
      const kept = ct.subarray(0, chunk.length);
      chain = kept.slice(kept.length - 16);
      return kept;
    })();
    run.catch(() => undefined); // observed: a consumer that stops early must not leave an unhandled rejection
    return run;
  };
  // Three staging buffers in turn, not one fresh 512 KB buffer per chunk (at 25 MB, 50 buffers of garbage
  // that cost collections). WebCrypto copies its input when encrypt() is called (W3C Web Cryptography API,
  // encrypt() step 2: "a copy of the bytes held by the data parameter"), and the call for chunk k is made
  // when chunk k-1's ciphertext is ready, which the loop awaits before filling chunk k+1: so the buffer of
  // chunk k-2 that chunk k+1 reuses has long been copied.
  const stages = [new Uint8Array(CBC_CHUNK_BYTES), new Uint8Array(CBC_CHUNK_BYTES), new Uint8Array(CBC_CHUNK_BYTES)];
  let turn = 0;
  let stage = stages[0]!;
  let filled = 0;
  for await (const piece of source) {
    let off = 0;
    while (off < piece.length) {
      const n = Math.min(CBC_CHUNK_BYTES - filled, piece.length - off);
      stage.set(piece.subarray(off, off + n), filled);
      filled += n;
      off += n;
      if (filled === CBC_CHUNK_BYTES) {
        const previous = pending;
        pending = encryptFull(stage, previous);
        turn = (turn + 1) % stages.length;
        stage = stages[turn]!;
        filled = 0;
        if (previous !== null) yield await previous;
      }
    }
  }
  if (pending !== null) yield await pending;
  yield new Uint8Array(await subtle.encrypt({ name: 'AES-CBC', iv: chain as BufferSource }, key, stage.subarray(0, filled) as BufferSource));
}

const isPieceList = (c: Uint8Array | readonly Uint8Array[]): c is readonly Uint8Array[] => Array.isArray(c);

/** Bytes per WebCrypto call of the chunked AES-CBC encryption (a multiple of the 16-byte block). */
export const CBC_CHUNK_BYTES = 1 << 19;

/**
 * AES-CBC (NIST SP 800-38A §6.2) over `parts` in chunks of CBC_CHUNK_BYTES: each chunk is encrypted with
 * the last ciphertext block of the previous one as its IV, which is exactly how CBC chains, so the joined
 * result is byte-for-byte the one-shot ciphertext. WebCrypto pads every call (PKCS #7, RFC 5652 §6.3):
 * a chunk that is a whole number of blocks gets one extra block of padding, which is cut off — only the
 * last chunk keeps its padding. Memory: one chunk of input copy and the ciphertext, never the content twice.
 * The next chunk is handed to WebCrypto (a worker thread in Node) before this one is yielded, so the
 * consumer's work on it overlaps the encryption of the next.
 */
export async function* cbcEncryptStream(
  subtle: SubtleCrypto,
  key: CryptoKey,
  iv: Uint8Array,
  parts: readonly Uint8Array[],
): AsyncGenerator<Uint8Array, void, undefined> {
  const reader = new PieceReader(parts);
  const start = (chain: Uint8Array): { last: boolean; take: number; ct: Promise<ArrayBuffer> } => {
    const last = reader.remaining <= CBC_CHUNK_BYTES;
    const take = last ? reader.remaining : CBC_CHUNK_BYTES;
    const ct = subtle.encrypt({ name: 'AES-CBC', iv: chain as BufferSource }, key, reader.take(take) as BufferSource);
    ct.catch(() => undefined); // observed: a consumer that stops early must not leave an unhandled rejection
    return { last, take, ct };
  };
  let pending = start(iv);
  for (;;) {
    const { last, take } = pending;
    const ct = new Uint8Array(await pending.ct);
    const kept = last ? ct : ct.subarray(0, take);
    if (!last) pending = start(kept.slice(kept.length - 16));
    yield kept;
    if (last) return;
  }
}

/** cbcEncryptStream() collected: the ciphertext in pieces. */
export async function cbcEncryptChunked(subtle: SubtleCrypto, key: CryptoKey, iv: Uint8Array, parts: readonly Uint8Array[]): Promise<DerPieces> {
  const out: Uint8Array[] = [];
  let length = 0;
  for await (const c of cbcEncryptStream(subtle, key, iv, parts)) {
    out.push(c);
    length += c.length;
  }
  return { length, parts: out };
}

const GCM_CAPS = {
  128: new Set([OID.aes128GCM, 'aes-128-gcm', 'aes128-gcm', 'id-aes128-gcm']),
  256: new Set([OID.aes256GCM, 'aes-256-gcm', 'aes256-gcm', 'id-aes256-gcm']),
};

/**
 * Picks the content cipher for a message: AES-GCM (authenticated, EFAIL-proof) only when EVERY recipient
 * advertised it in SMIMECapabilities (RFC 8551 §2.5.2; entries as OIDs or names like 'AES-256-GCM'),
 * AES-256 when all offer it, else AES-128; otherwise AES-256-CBC, which every client reads. A recipient
 * with unknown capabilities (null) forces CBC. An explicit choice overrides.
 */
export function chooseCipher(capabilitiesPerRecipient: (string[] | null)[], explicit?: ContentCipher): ContentCipher {
  if (explicit) {
    if (!CIPHERS[explicit]) throw new SignetError('usage', `Unknown cipher ${String(explicit)}.`);
    return explicit;
  }
  if (capabilitiesPerRecipient.length === 0) return 'aes-256-cbc';
  const all = (bits: 128 | 256): boolean =>
    capabilitiesPerRecipient.every((caps) => caps !== null && caps.some((c) => GCM_CAPS[bits].has(c.toLowerCase())));
  if (all(256)) return 'aes-256-gcm';
  if (all(128)) return 'aes-128-gcm';
  return 'aes-256-cbc';
}
