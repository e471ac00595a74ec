// `signet decrypt`: removes the encryption layer at the root of a message (RFC 8551 §3.3) and returns
// the message with its outer headers and the decrypted entity. Only the root is decrypted, never an
// encrypted sub-part (ARCHITECTURE.md rule 7, the reply/forward decryption oracle of EFAIL).

import { concat } from '../bytes.js';
import { cryptoProvider, type CryptoProvider } from '../crypto.js';
import { SignetError } from '../errors.js';
import type { Identity } from '../keys.js';
import { resolveConfig, type ConfigOverrides, type Limits } from '../config.js';
import { OID } from '../oids.js';
import { peekContentType } from '../cms/content-type.js';
import { decryptContent } from '../cms/decrypt.js';
import { parseMime } from '../mime/parser.js';
import { splitMessage, joinMessage } from '../mime/canonicalize.js';

export interface DecryptMessageResult {
  /** The whole message, joined when first read. */
  readonly message: Uint8Array;
  /**
   * The same message as [outer headers, decrypted entity]: a writer that streams the parts skips the
   * join, a copy of the whole plaintext (150 MB at Exchange's limit).
   */
  readonly parts: readonly Uint8Array[];
  cipher: string;
  integrityProtected: boolean;
}

/**
 * `consumeMessage`: the caller hands `message` over and reads neither it nor any view on it afterwards,
 * whatever the outcome (the CLI's standard input). The base64 body is then decoded into its own bytes
 * and AES-CBC content decrypted over its ciphertext (MimeEntity.decodeBodyInPlace, cms/cbc-in-place.ts):
 * the encrypted message, its DER and the plaintext share one buffer instead of three, and `parts[1]` is a
 * view on it. The result is the same.
 */
export async function decryptMessage(
  message: Uint8Array,
  identities: Identity[],
  provider: CryptoProvider = cryptoProvider(),
  config: ConfigOverrides = {},
  { consumeMessage = false }: { consumeMessage?: boolean } = {},
): Promise<DecryptMessageResult> {
  const cfg = resolveConfig(config);
  if (message.length > cfg.limits.maxMessageBytes) {
    throw new SignetError('limit-exceeded', `The message is larger than ${cfg.limits.maxMessageBytes} bytes.`);
  }
  const root = parseMime(message, cfg.limits);
  const type = root.contentType.type;
  const name = (root.contentType.params['name'] ?? '').toLowerCase();
  if (!(type === 'application/pkcs7-mime' || type === 'application/x-pkcs7-mime' || (type === 'application/octet-stream' && name.endsWith('.p7m')))) {
    throw new SignetError('not-smime', 'The message is not encrypted (its root is not application/pkcs7-mime).');
  }
  // The outer header section, copied before the body may be decoded over (it only reads the header block).
  const head = joinMessage(splitMessage(message).outerHeaders, new Uint8Array(0));
  const der = consumeMessage ? root.decodeBodyInPlace() : root.decodeBody();
  const ci = { contentType: peekContentType(der) };
  if (ci.contentType !== OID.envelopedData && ci.contentType !== OID.authEnvelopedData) {
    throw new SignetError('not-smime', 'The message is S/MIME but not encrypted (it is signed-data).');
  }
  const d = await decryptContent(der, identities, provider, cfg.limits, undefined, consumeMessage);
  assertDecryptedEntity(d.content, cfg.limits);
  const parts = [head, d.content];
  let joined: Uint8Array | undefined;
  return {
    get message() {
      return (joined ??= concat(parts));
    },
    parts,
    cipher: d.cipher,
    integrityProtected: d.integrityProtected,
  };
}

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HT = 0x09;
const COLON = 0x3a;
const DEL = 0x7f;
const FF = 0x0c;

/**
 * Refuses decrypted content that is neither a MIME entity nor plain text. RFC 8551 §3.3: the encrypted
 * content is a MIME entity (RFC 5322 §2.2 / RFC 2045 §3 header fields, then an empty line); some senders
 * (`openssl cms -encrypt` of a text file, Thunderbird's interop samples) encrypt bare text instead. Over
 * CBC nothing authenticates the plaintext: a wrong or implicit-rejection key (RSAES-PKCS1-v1_5 returns a
 * random key instead of an error, rsaes-pkcs1-v1_5.ts) passes the PKCS#7 padding check one time in 256
 * and yields random bytes. Those must read as "cannot decrypt", never as unsigned content.
 *
 * Accepted: (a) a header block: the content starts with a header field, every line up to the empty line
 * is a field (`name:` of printable ASCII) or a folded continuation, at least one field is Content-… or
 * MIME-Version, no header byte is a control character other than HT (CR only before LF), and the block
 * ends within maxHeaderBytes; or (b) text: valid UTF-8
 * with no control characters but HT, LF, FF and CR. Random bytes fail both at once (each random byte is
 * text with probability ~0.4, so 15 bytes pass ~1 time in 10^6, and the padding already took 1 in 256).
 * Throws 'decryption-failed'.
 */
export function assertDecryptedEntity(content: Uint8Array, limits: Pick<Limits, 'maxHeaderBytes'>): void {
  if (content.length === 0) throw notContent('the content is empty');
  const headerProblem = mimeHeaderProblem(content, limits.maxHeaderBytes);
  if (headerProblem === null || isPlainText(content)) return;
  throw notContent(headerProblem);
}

function notContent(why: string): SignetError {
  return new SignetError('decryption-failed', `The message could not be decrypted (wrong key or damaged message: ${why}).`);
}

/** Why `content` does not start with a well-formed MIME header block, or null when it does. */
function mimeHeaderProblem(content: Uint8Array, maxHeaderBytes: number): string | null {
  const end = Math.min(content.length, maxHeaderBytes);
  let p = 0;
  let fields = 0; // every header field seen
  let mimeFields = 0;
  const done = (): string | null => (mimeFields === 0 ? 'the content has no MIME header field (Content-… or MIME-Version)' : null);
  while (p < end) {
    // An empty line ends the header block.
    if (content[p] === LF || (content[p] === CR && content[p + 1] === LF)) return done();
    const c = content[p]!;
    if (c === SP || c === HT) {
      if (fields === 0) return 'the content does not start with a header field';
    } else {
      // field-name = 1*ftext (RFC 5322 §3.6.8): printable US-ASCII except colon, then the colon.
      let q = p;
      while (q < end && content[q]! > SP && content[q]! < DEL && content[q] !== COLON) q++;
      if (q === p || content[q] !== COLON) return 'a header line is not a header field';
      fields++;
      if (isMimeFieldName(content.subarray(p, q))) mimeFields++;
    }
    // The rest of the line: no control characters but HT, and CR only before LF.
    for (; p < end && content[p] !== LF; p++) {
      const b = content[p]!;
      if ((b < SP && b !== HT && !(b === CR && content[p + 1] === LF)) || b === DEL) return 'a header line holds control characters';
    }
    p++;
  }
  // The content ended inside the header block: a header-only entity is fine, an endless one is not.
  if (content.length > maxHeaderBytes) return 'the header block does not end';
  return done();
}

/** Content-* (RFC 2045 §9, RFC 2183) or MIME-Version: what every MIME entity S/MIME protects carries. */
function isMimeFieldName(name: Uint8Array): boolean {
  const s = String.fromCharCode(...name).toLowerCase();
  return s.startsWith('content-') || s === 'mime-version';
}

/** UTF-8 text without control characters other than HT, LF, FF and CR. */
function isPlainText(content: Uint8Array): boolean {
  for (const b of content) {
    if ((b < SP && b !== HT && b !== LF && b !== FF && b !== CR) || b === DEL) return false;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(content);
    return true;
  } catch {
    return false;
  }
}
