// Builds outgoing S/MIME 4.0 messages (RFC 8551 §3.2-3.5): multipart/signed (detached, the default,
// readable by clients without S/MIME) or opaque application/pkcs7-mime signed-data, then optionally
// enveloped-data (CBC) or authEnveloped-data (GCM). The outer RFC 5322 headers (From, To, Cc, Subject,
// Date, Message-ID …) stay outside the protected entity, as every S/MIME client expects.

import { base64Encode, utf8, concat, toHex, indexOfBytes } from '../bytes.js';
import { cryptoProvider, randomBytes, type CryptoProvider } from '../crypto.js';
import { SignetError } from '../errors.js';
import type { Identity } from '../keys.js';
import { signContent, micalgFor, type StapleInput } from '../cms/sign.js';
import { encryptContent, chooseCipher } from '../cms/envelope.js';
import { prepareForSigning, splitMessage, joinMessage } from '../mime/canonicalize.js';

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
  provider?: CryptoProvider;
}

function boundary(provider: CryptoProvider): string {
  return `----=_signet_${toHex(randomBytes(provider, 18))}`;
}

/**
 * Entities are built as lists of chunks and joined once at the end: a 150 MB attachment then costs one
 * copy for the output, not one per layer of wrapping.
 */
type Chunks = Uint8Array[];

function smimeEntity(headers: string[], der: Uint8Array): Chunks {
  return [utf8(headers.join('\r\n') + '\r\n\r\n'), base64Encode(der, 76), utf8('\r\n')];
}

/** Signs a MIME entity; returns the new entity (multipart/signed or application/pkcs7-mime). */
export async function signEntity(entity: Uint8Array, opts: SignOptions, provider: CryptoProvider): Promise<Uint8Array> {
  return concat(await signEntityChunks(entity, opts, provider));
}

async function signEntityChunks(entity: Uint8Array, opts: SignOptions, provider: CryptoProvider): Promise<Chunks> {
  const digest = opts.digest ?? 'SHA-256';
  // RFC 8551 §3.1.1-3.1.3: sign the canonical, 7-bit-safe form so no relay changes the signed bytes.
  const canonical = prepareForSigning(entity);
  const der = await signContent(
    canonical,
    {
      identity: opts.identity,
      digest,
      detached: !opts.opaque,
      rsaPadding: opts.rsaPadding ?? 'pkcs1',
      signingTime: opts.signingTime,
      encryptionCertificate: opts.encryptionCertificate,
      revocationInfo: opts.revocationInfo,
    },
    provider,
  );
  if (opts.opaque) {
    return smimeEntity(
      [
        'Content-Type: application/pkcs7-mime; smime-type=signed-data; name="smime.p7m"',
        'Content-Transfer-Encoding: base64',
        'Content-Disposition: attachment; filename="smime.p7m"',
      ],
      der,
    );
  }
  const b = boundary(provider);
  // 144 random bits make a collision practically impossible; checking costs one native byte scan.
  if (indexOfBytes(canonical, utf8(`--${b}`)) >= 0) throw new SignetError('internal', 'MIME boundary collision.');
  return [
    utf8(
      `Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=${micalgFor(digest)};\r\n boundary="${b}"\r\n\r\n` +
        `This is an S/MIME signed message.\r\n\r\n--${b}\r\n`,
    ),
    canonical,
    utf8(
      `\r\n--${b}\r\nContent-Type: application/pkcs7-signature; name="smime.p7s"\r\nContent-Transfer-Encoding: base64\r\n` +
        `Content-Disposition: attachment; filename="smime.p7s"\r\nContent-Description: S/MIME Cryptographic Signature\r\n\r\n` +
        '',
    ),
    base64Encode(der, 76),
    utf8(`\r\n--${b}--\r\n`),
  ];
}

/** Encrypts a MIME entity; returns the application/pkcs7-mime entity. */
export async function encryptEntity(entity: Uint8Array, opts: EncryptOptions, provider: CryptoProvider): Promise<Uint8Array> {
  return concat(await encryptEntityChunks(entity, opts, provider));
}

async function encryptEntityChunks(entity: Uint8Array, opts: EncryptOptions, provider: CryptoProvider): Promise<Chunks> {
  if (opts.recipients.length === 0) throw new SignetError('missing-certificate', 'Encryption needs at least one recipient certificate.');
  const cipher = chooseCipher(opts.capabilities ?? opts.recipients.map(() => null), opts.cipher);
  // RSAES-OAEP only when every recipient advertised it (RFC 8551 §2.7.1 keeps PKCS#1 v1.5 the MUST):
  // NSS before 3.90 (Thunderbird 102, Debian 12's cmsutil) and older Outlook cannot read OAEP.
  const caps = opts.capabilities ?? opts.recipients.map(() => null);
  const explicit = opts.recipientKeyTransport ?? [];
  const undecided = explicit.length === 0 ? caps : opts.recipients.map((_, i) => caps[i] ?? null).filter((_, i) => explicit[i] == null);
  const oaep = undecided.length > 0 && undecided.every((c) => c !== null && c.includes('RSA-OAEP'));
  const rsaKeyTransport = opts.rsaKeyTransport ?? (oaep ? 'oaep' : 'pkcs1');
  const der = await encryptContent(
    entity,
    { recipients: opts.recipients, cipher, rsaKeyTransport, ...(opts.recipientKeyTransport ? { recipientKeyTransport: opts.recipientKeyTransport } : {}) },
    provider,
  );
  const gcm = cipher.endsWith('gcm');
  // RFC 8551 §3.2.2: smime-type "authEnveloped-data" for AuthEnvelopedData.
  return smimeEntity(
    [
      `Content-Type: application/pkcs7-mime; smime-type=${gcm ? 'authEnveloped-data' : 'enveloped-data'}; name="smime.p7m"`,
      'Content-Transfer-Encoding: base64',
      'Content-Disposition: attachment; filename="smime.p7m"',
    ],
    der,
  );
}

/**
 * Protects a whole RFC 5322 message: sign, encrypt, or sign-then-encrypt (RFC 8551 §3.6: the signature
 * is inside, so recipients see who wrote the plaintext). Outer headers are kept.
 */
export async function protectMessage(message: Uint8Array, opts: ProtectOptions): Promise<Uint8Array> {
  return concat(await protectMessageChunks(message, opts));
}

/**
 * protectMessage() as the list of byte chunks whose concatenation is the message: a caller that writes
 * to a stream (the CLI) saves one copy of the whole output, a third of the peak memory at 25 MB.
 */
export async function protectMessageChunks(message: Uint8Array, opts: ProtectOptions): Promise<Uint8Array[]> {
  if (!opts.sign && !opts.encrypt) throw new SignetError('usage', 'Nothing to do: neither signing nor encryption was asked for.');
  const provider = opts.provider ?? cryptoProvider();
  const { outerHeaders, content } = splitMessage(message);
  let chunks: Chunks = [content];
  if (opts.sign) chunks = await signEntityChunks(content, opts.sign, provider);
  if (opts.encrypt) chunks = await encryptEntityChunks(chunks.length === 1 ? chunks[0]! : concat(chunks), opts.encrypt, provider);
  return [joinMessage(outerHeaders, new Uint8Array(0)), ...chunks];
}
