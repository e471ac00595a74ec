// A parsed MIME entity (RFC 2045 §2.4): read-only, and byte-exact. Every byte range is a view on the
// parser's input, never a copy, so a signature can be checked over exactly the bytes that were received
// (RFC 8551 §3.5, RFC 1847 §2.1) and a 150 MB message is not held twice.

import { decodeTransferEncoding, decodeTransferEncodingInPlace } from './encoding.js';
import { getHeader, getHeaders, type ContentDisposition, type ContentType, type Header } from './headers.js';

/** A header field of a parsed entity, with the exact bytes it occupied (name, colon, folds, line end). */
export interface MimeHeader extends Header {
  readonly raw: Uint8Array;
}

export interface MimeEntityInit {
  raw: Uint8Array;
  headerBytes: Uint8Array;
  bodyBytes: Uint8Array;
  offset: number;
  depth: number;
  headers: readonly MimeHeader[];
  contentType: ContentType;
  disposition: ContentDisposition | null;
  transferEncoding: string;
  boundary: string | null;
  children: readonly MimeEntity[];
  preamble: Uint8Array | null;
  epilogue: Uint8Array | null;
  /** Parses a message/rfc822 body on first use (supplied by the parser, which owns the limits). */
  parseEmbedded: ((entity: MimeEntity) => MimeEntity) | null;
}

export class MimeEntity {
  /** Header block + blank line + body, exactly as received (for a multipart part: without the CRLF
   * that precedes the next delimiter, which belongs to the delimiter, RFC 2046 §5.1.1). */
  readonly raw: Uint8Array;
  /** The header fields with their line ends, without the blank line that ends them. */
  readonly headerBytes: Uint8Array;
  /** The body, still transfer-encoded. */
  readonly bodyBytes: Uint8Array;
  /** Position of `raw` in the bytes given to parseMime (for embedded messages: in the embedding body). */
  readonly offset: number;
  /** 0 for the root, 1 for its parts … */
  readonly depth: number;
  readonly headers: readonly MimeHeader[];
  /** Parsed Content-Type, with the RFC 2045 §5.2 default when it is absent or invalid. */
  readonly contentType: ContentType;
  readonly disposition: ContentDisposition | null;
  /** Content-Transfer-Encoding, lowercased; '7bit' when absent (RFC 2045 §6.1). */
  readonly transferEncoding: string;
  /** The multipart boundary, or null for a leaf. */
  readonly boundary: string | null;
  /** Body parts of a multipart, in order; empty for a leaf. */
  readonly children: readonly MimeEntity[];
  /** Bytes before the first delimiter (multipart only; the CRLF before the delimiter is excluded). */
  readonly preamble: Uint8Array | null;
  /** Bytes after the line that holds the close-delimiter (multipart only). */
  readonly epilogue: Uint8Array | null;
  readonly #parseEmbedded: ((entity: MimeEntity) => MimeEntity) | null;
  #embedded: MimeEntity | undefined;

  constructor(init: MimeEntityInit) {
    this.raw = init.raw;
    this.headerBytes = init.headerBytes;
    this.bodyBytes = init.bodyBytes;
    this.offset = init.offset;
    this.depth = init.depth;
    this.headers = init.headers;
    this.contentType = init.contentType;
    this.disposition = init.disposition;
    this.transferEncoding = init.transferEncoding;
    this.boundary = init.boundary;
    this.children = init.children;
    this.preamble = init.preamble;
    this.epilogue = init.epilogue;
    this.#parseEmbedded = init.parseEmbedded;
  }

  /** `type/subtype`, lowercased. */
  get type(): string {
    return this.contentType.type;
  }

  get isMultipart(): boolean {
    return this.boundary !== null;
  }

  /** First value of a header, case-insensitive; raw (RFC 2047 words not decoded). */
  header(name: string): string | undefined {
    return getHeader(this.headers, name);
  }

  /** Every value of a header, case-insensitive, in order. */
  headerAll(name: string): string[] {
    return getHeaders(this.headers, name);
  }

  /** The body with its Content-Transfer-Encoding undone (`malformed-base64` for broken base64). */
  decodeBody(): Uint8Array {
    return decodeTransferEncoding(this.bodyBytes, this.transferEncoding);
  }

  /**
   * decodeBody(), decoded into the body's own bytes (base64 shrinks as it decodes; see fromBase64InPlace):
   * no second copy of a large body. Afterwards `bodyBytes` and `raw` — and every view on the same bytes
   * the caller holds, such as the message given to the parser — no longer hold what was received from the
   * body's first byte on (the header bytes before it are untouched). Only for an entity whose caller owns
   * the parsed bytes and reads nothing of the body but the result; the result equals decodeBody()'s.
   */
  decodeBodyInPlace(): Uint8Array {
    return decodeTransferEncodingInPlace(this.bodyBytes, this.transferEncoding);
  }

  /**
   * For message/rfc822 (and message/global): the embedded message, parsed on first use with what is
   * left of the depth limit. Null for any other type.
   */
  embeddedMessage(): MimeEntity | null {
    if (this.#parseEmbedded === null) return null;
    if (this.#embedded === undefined) this.#embedded = this.#parseEmbedded(this);
    return this.#embedded;
  }
}
