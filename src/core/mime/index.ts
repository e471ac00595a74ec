// The MIME layer's public surface: byte-exact parsing, building, canonical form for S/MIME and address
// handling (RFC 5322, RFC 2045-2047, RFC 2231, RFC 8551 §3.1).

export { MimeEntity, type MimeHeader } from './entity.js';
export { parseMime, scanHeaderBlock, type HeaderBlock } from './parser.js';
export {
  decodeCharset,
  decodeEncodedWords,
  decodeHeaderText,
  getHeader,
  getHeaders,
  parseContentDisposition,
  parseContentType,
  parseParameterized,
  unfold,
  type ContentDisposition,
  type ContentType,
  type Header,
  type ParameterizedValue,
} from './headers.js';
export {
  decodeQuotedPrintable,
  decodeTransferEncoding,
  encodeBase64Body,
  encodeQuotedPrintable,
  type QuotedPrintableOptions,
} from './encoding.js';
export {
  encodeHeaderValue,
  encodePhrase,
  encodeUnstructured,
  encodeWords,
  foldHeader,
  formatParameter,
} from './header-encoder.js';
export {
  buildEntity,
  buildMessage,
  encodeAddress,
  encodeAddressList,
  formatDate,
  generateBoundary,
  generateMessageId,
  type BuildOptions,
  type EntitySpec,
  type TransferEncodingChoice,
} from './builder.js';
export { joinMessage, prepareForSigning, splitMessage, toCanonical, type OuterHeader } from './canonicalize.js';
export { addressKey, normalizeAddress, parseAddressList, sameAddress, singleFromAddress, type Address, type FromResult } from './address.js';
