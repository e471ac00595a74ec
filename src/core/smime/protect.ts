// Builds outgoing S/MIME 4.0 messages (RFC 8551 §3.2-3.5): multipart/signed (detached, the default,
// readable by clients without S/MIME) or opaque application/pkcs7-mime signed-data, then optionally
// enveloped-data (CBC) or authEnveloped-data (GCM). The outer RFC 5322 headers (From, To, Cc, Subject,
// Date, Message-ID …) stay outside the protected entity, as every S/MIME client expects; with header
// protection (RFC 9788) a copy of them also goes inside, and an encrypted message's Subject is hidden.

import { base64Encode, base64EncodeStream, utf8, concat, toHex, indexOfByte, indexOfBytes } from '../bytes.js';
import { cryptoProvider, randomBytes, type CryptoProvider } from '../crypto.js';
import { SignetError } from '../errors.js';
import type { Identity } from '../keys.js';
import { checkSigner, signContent, micalgFor, type StapleInput } from '../cms/sign.js';
import { encryptContentFrom, encryptContentStream, chooseCipher } from '../cms/envelope.js';
import { resolveConfig } from '../config.js';
import { prepareForSigning, splitMessage, joinMessage, type OuterHeader } from '../mime/canonicalize.js';
import { injectHeaderProtection, type ProduceHeaderProtection } from '../mime/header-protection.js';

export type Digest = 'SHA-256' | 'SHA-384' | 'SHA-512';
export type Cipher = 'aes-128-gcm' | 'aes-256-gcm' | 'aes-128-cbc' | 'aes-256-cbc';

export interface SignOptions {
  identity: Identity;
  digest?: Digest;
  /** Opaque signed-data instead of multipart/signed (RFC 8551 §3.5.2). */
  opaque?: boolean;
  rsaPadding?: 'pkcs1' | 'pss';
  /** The sender's encryption certificate when it differs from the signing one (SMIMEEncryptionKeyPreference). */
  encryptionCertificate?: Uint8Array;
  signingTime?: Date;
  /** Revocation evidence for the signer's own path to staple (cms/sign.ts, RFC 5940). */
  revocationInfo?: StapleInput;
}

export interface EncryptOptions {
  /** Recipient certificates (DER). The sender's own certificate must be among them (Sent Items). */
  recipients: Uint8Array[];
  /** Explicit cipher; otherwise chosen from `capabilities`. */
  cipher?: Cipher;
  /** Per recipient, the algorithm names they advertised in SMIMECapabilities (null: unknown). */
  capabilities?: (string[] | null)[];
  /** RSA key transport; default RSAES-OAEP when every recipient advertised it, else PKCS#1 v1.5. */
  rsaKeyTransport?: 'oaep' | 'pkcs1';
  /**
   * Per recipient (same order as `recipients`), an RSA key transport that overrides the message-wide
   * choice; null entries are decided by the rule above, over the recipients left undecided. The add-in
   * gives the sender's own certificate 'oaep' (keys/store: its key is a non-extractable WebCrypto key,
   * and WebCrypto cannot do RSAES-PKCS1-v1_5).
   */
  recipientKeyTransport?: readonly ('oaep' | 'pkcs1' | null)[];
}

export interface ProtectOptions {
  sign?: SignOptions;
  encrypt?: EncryptOptions;
  /**
   * RFC 9788 header protection: the header fields go inside the signed/encrypted entity with hp="clear"
   * (signed only) or hp="cipher" (encrypted), and an encrypted message's outer fields follow the Header
   * Confidentiality Policy (mime/header-protection.ts). Absent: the outer fields stay as they are, unprotected.
   */
  headerProtection?: ProduceHeaderProtection;
  provider?: CryptoProvider;
}

function boundary(provider: CryptoProvider): string {
  return `----=_signet_${toHex(randomBytes(provider, 18))}`;
}

/**
 * Entities are built as sequences of chunks and joined once at the end: a 150 MB attachment then costs one
 * copy for the output, not one per layer of wrapping. Base64 bodies are produced as a stream (see
 * base64EncodeStream), so a writer that sends the chunks on never holds the whole encoding, nor — with
 * AES-CBC — the ciphertext (encryptContentStream).
 */
type Chunks = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

async function* smimeEntity(headers: string[], der: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, reuse = false): AsyncGenerator<Uint8Array, void, undefined> {
  yield utf8(headers.join('\r\n') + '\r\n\r\n');
  yield* base64EncodeStream(der, 76, reuse);
  yield utf8('\r\n');
}

async function collect(chunks: Chunks): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const c of chunks) out.push(c);
  return out;
}

/** Signs a MIME entity; returns the new entity (multipart/signed or application/pkcs7-mime). */
export async function signEntity(entity: Uint8Array, opts: SignOptions, provider: CryptoProvider): Promise<Uint8Array> {
  return concat(await collect(await signEntityChunks(entity, opts, provider)));
}

async function signEntityChunks(entity: Uint8Array, opts: SignOptions, provider: CryptoProvider, reuse = false): Promise<Chunks> {
  const digest = opts.digest ?? 'SHA-256';
  // RFC 8551 §3.1.1-3.1.3: sign the canonical, 7-bit-safe form so no relay changes the signed bytes.
  const canonical = prepareForSigning(entity);
  const signOptions = {
    identity: opts.identity,
    digest,
    detached: !opts.opaque,
    rsaPadding: opts.rsaPadding ?? 'pkcs1',
    signingTime: opts.signingTime,
    encryptionCertificate: opts.encryptionCertificate,
    revocationInfo: opts.revocationInfo,
  } as const;
  if (opts.opaque) {
    const der = await signContent(canonical, signOptions, provider);
    return smimeEntity(
      [
        'Content-Type: application/pkcs7-mime; smime-type=signed-data; name="smime.p7m"',
        'Content-Transfer-Encoding: base64',
        'Content-Disposition: attachment; filename="smime.p7m"',
      ],
      [der],
      reuse,
    );
  }
  const b = boundary(provider);
  // 144 random bits make a collision practically impossible; checking costs one native byte scan.
  if (indexOfBytes(canonical, utf8(`--${b}`)) >= 0) throw new SignetError('internal', 'MIME boundary collision.');
  const head = utf8(
    `Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=${micalgFor(digest)};\r\n boundary="${b}"\r\n\r\n` +
      `This is an S/MIME signed message.\r\n\r\n--${b}\r\n`,
  );
  const signatureHead = utf8(
    `\r\n--${b}\r\nContent-Type: application/pkcs7-signature; name="smime.p7s"\r\nContent-Transfer-Encoding: base64\r\n` +
      `Content-Disposition: attachment; filename="smime.p7s"\r\nContent-Description: S/MIME Cryptographic Signature\r\n\r\n`,
  );
  const tail = utf8(`\r\n--${b}--\r\n`);
  if (reuse) {
    // A streaming writer (the CLI's `sign`): the content goes out before its digest and signature are
    // computed, so whatever reads the output (`signet sign | signet encrypt`) works on it while this hashes.
    // Everything that can refuse the identity is checked first (checkSigner).
    checkSigner(signOptions);
    return (async function* (): AsyncGenerator<Uint8Array, void, undefined> {
      yield head;
      yield canonical;
      const der = await signContent(canonical, signOptions, provider);
      yield signatureHead;
      yield base64Encode(der, 76);
      yield tail;
    })();
  }
  const der = await signContent(canonical, signOptions, provider);
  return [head, canonical, signatureHead, base64Encode(der, 76), tail];
}

const isAsync = (c: Uint8Array | readonly Uint8Array[] | AsyncIterable<Uint8Array>): c is AsyncIterable<Uint8Array> =>
  typeof (c as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function';

/** Encrypts a MIME entity; returns the application/pkcs7-mime entity. */
export async function encryptEntity(entity: Uint8Array, opts: EncryptOptions, provider: CryptoProvider): Promise<Uint8Array> {
  return concat(await collect(await encryptEntityChunks(entity, opts, provider)));
}

async function encryptEntityChunks(
  entity: Uint8Array | readonly Uint8Array[] | AsyncIterable<Uint8Array>,
  opts: EncryptOptions,
  provider: CryptoProvider,
  reuse = false,
): Promise<Chunks> {
  if (opts.recipients.length === 0) throw new SignetError('missing-certificate', 'Encryption needs at least one recipient certificate.');
  const cipher = chooseCipher(opts.capabilities ?? opts.recipients.map(() => null), opts.cipher);
  // RSAES-OAEP only when every recipient advertised it (RFC 8551 §2.7.1 keeps PKCS#1 v1.5 the MUST):
  // NSS before 3.90 (Thunderbird 102, Debian 12's cmsutil) and older Outlook cannot read OAEP.
  const caps = opts.capabilities ?? opts.recipients.map(() => null);
  const explicit = opts.recipientKeyTransport ?? [];
  const undecided = explicit.length === 0 ? caps : opts.recipients.map((_, i) => caps[i] ?? null).filter((_, i) => explicit[i] == null);
  const oaep = undecided.length > 0 && undecided.every((c) => c !== null && c.includes('RSA-OAEP'));
  const rsaKeyTransport = opts.rsaKeyTransport ?? (oaep ? 'oaep' : 'pkcs1');
  const envelope = { recipients: opts.recipients, cipher, rsaKeyTransport, ...(opts.recipientKeyTransport ? { recipientKeyTransport: opts.recipientKeyTransport } : {}) };
  const der = isAsync(entity) ? { chunks: await encryptContentFrom(entity, envelope, provider) } : await encryptContentStream(entity, envelope, provider);
  const gcm = cipher.endsWith('gcm');
  // RFC 8551 §3.2.2: smime-type "authEnveloped-data" for AuthEnvelopedData.
  return smimeEntity(
    [
      `Content-Type: application/pkcs7-mime; smime-type=${gcm ? 'authEnveloped-data' : 'enveloped-data'}; name="smime.p7m"`,
      'Content-Transfer-Encoding: base64',
      'Content-Disposition: attachment; filename="smime.p7m"',
    ],
    der.chunks,
    reuse,
  );
}

/**
 * Protects a whole RFC 5322 message: sign, encrypt, or sign-then-encrypt (RFC 8551 §3.6: the signature
 * is inside, so recipients see who wrote the plaintext). Outer headers are kept.
 */
export async function protectMessage(message: Uint8Array, opts: ProtectOptions): Promise<Uint8Array> {
  return concat(await collect(await protectChunks(message, opts, false)));
}

/**
 * protectMessage() streamed to `write`, which must be done with each chunk when it returns (or when the
 * promise it returns settles): the chunk's buffer is reused for the next one. A writer to a file or pipe
 * (the CLI) then holds neither the output nor, with AES-CBC, the ciphertext, and no garbage chunks pile
 * up: the peak memory of encrypting is about the message itself.
 */
export async function writeProtectedMessage(
  message: Uint8Array,
  opts: ProtectOptions,
  write: (chunk: Uint8Array) => void | Promise<void>,
): Promise<void> {
  for await (const chunk of await protectChunks(message, opts, true)) await write(chunk);
}

async function protectChunks(message: Uint8Array, opts: ProtectOptions, reuse: boolean): Promise<Chunks> {
  if (!opts.sign && !opts.encrypt) throw new SignetError('usage', 'Nothing to do: neither signing nor encryption was asked for.');
  const provider = opts.provider ?? cryptoProvider();
  let outerHeaders: OuterHeader[];
  let content: Uint8Array;
  if (opts.headerProtection) {
    const hp = injectHeaderProtection(message, opts.encrypt ? 'cipher' : 'clear', opts.headerProtection);
    outerHeaders = hp.outerHeaders;
    content = hp.payload;
  } else {
    ({ outerHeaders, content } = splitMessage(message));
  }
  let chunks: Chunks = [content];
  // The signed entity goes to encryption as its list of pieces (canonical content and the signature
  // parts): AES-CBC encrypts across them, so the signed message is never joined into one buffer.
  if (opts.sign) chunks = await signEntityChunks(content, opts.sign, provider, reuse && !opts.encrypt);
  if (opts.encrypt) chunks = await encryptEntityChunks(await collect(chunks), opts.encrypt, provider, reuse);
  const head = joinMessage(outerHeaders, new Uint8Array(0));
  const body = chunks;
  return (async function* () {
    yield head;
    yield* body;
  })();
}

/**
 * writeProtectedMessage() for a message that arrives in pieces (standard input from a pipe), so that
 * encryption overlaps whatever produces the message — `signet sign | signet encrypt` no longer waits for
 * the whole signed message before encrypting a byte (issue 17). Only encryption without header protection
 * streams: the outer header block is read first (up to the first empty line, within maxHeaderBytes), then
 * the content is AES-CBC-encrypted chunk by chunk as it arrives, into BER with indefinite lengths
 * (cms/envelope.ts, encryptContentFrom); AES-GCM gathers the content first (WebCrypto has no incremental
 * GCM). Signing, and header protection (which rewrites the header block against the content), gather the
 * whole message and take writeProtectedMessage(). Every input check that can fail before the content
 * (header block, recipients, limits on the header) fails before the first byte is written; a message that
 * outgrows maxMessageBytes midway fails with limit-exceeded after part of the ciphertext was written, so a
 * caller must treat the output as unusable on any error — the CLI's non-zero exit status says so.
 */
export async function writeProtectedMessageFrom(
  source: AsyncIterable<Uint8Array>,
  opts: ProtectOptions,
  write: (chunk: Uint8Array) => void | Promise<void>,
): Promise<void> {
  const iterator = source[Symbol.asyncIterator]();
  try {
    await protectFrom(iterator, opts, write);
  } finally {
    // Stopping early (an error) tells the source so: a pipe reader then stops reading. Not awaited — a
    // source waiting for input it will never get must not hold up the error.
    iterator.return?.()?.catch(() => undefined);
  }
}

async function protectFrom(
  iterator: AsyncIterator<Uint8Array>,
  opts: ProtectOptions,
  write: (chunk: Uint8Array) => void | Promise<void>,
): Promise<void> {
  const limits = resolveConfig().limits;
  if (opts.sign || opts.headerProtection || !opts.encrypt) {
    const parts: Uint8Array[] = [];
    let total = 0;
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) {
      total += r.value.length;
      if (total > limits.maxMessageBytes) throw new SignetError('limit-exceeded', `The message is larger than ${limits.maxMessageBytes} bytes.`);
      parts.push(r.value);
    }
    return writeProtectedMessage(parts.length === 1 ? parts[0]! : concat(parts), opts, write);
  }
  // The header block: pieces are gathered until the first empty line (RFC 5322 §2.1), the end of the input,
  // or more than the header limit (splitMessage then refuses it with limit-exceeded).
  let head: Uint8Array = new Uint8Array(0);
  let ended = false;
  while (headerBlockEnd(head) < 0 && head.length <= limits.maxHeaderBytes + 2) {
    const r = await iterator.next();
    if (r.done) {
      ended = true;
      break;
    }
    head = head.length === 0 ? r.value : concat([head, r.value]);
  }
  const { outerHeaders, content: first } = splitMessage(head);
  let total = head.length;
  const content = (async function* (): AsyncGenerator<Uint8Array, void, undefined> {
    yield first;
    if (ended) return;
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) {
      total += r.value.length;
      if (total > limits.maxMessageBytes) throw new SignetError('limit-exceeded', `The message is larger than ${limits.maxMessageBytes} bytes.`);
      yield r.value;
    }
  })();
  const provider = opts.provider ?? cryptoProvider();
  const body = await encryptEntityChunks(content, opts.encrypt, provider, true);
  await write(joinMessage(outerHeaders, new Uint8Array(0)));
  for await (const chunk of body) await write(chunk);
}

/**
 * Offset just past the empty line that ends a header block (as parser.ts scanHeaderBlock reads it: a line
 * that is only LF or CRLF), or -1 when `b` holds no complete empty line yet.
 */
function headerBlockEnd(b: Uint8Array): number {
  if (b[0] === 0x0a) return 1;
  if (b[0] === 0x0d && b[1] === 0x0a) return 2;
  for (let i = indexOfByte(b, 0x0a, 0); i >= 0 && i + 1 < b.length; i = indexOfByte(b, 0x0a, i + 1)) {
    if (b[i + 1] === 0x0a) return i + 2;
    if (b[i + 1] === 0x0d && b[i + 2] === 0x0a) return i + 3;
  }
  return -1;
}
