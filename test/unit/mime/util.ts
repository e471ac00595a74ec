// Shared helpers for the MIME unit tests (not a test file itself).
import assert from 'node:assert/strict';
import { fromLatin1, latin1 } from '../../../src/core/bytes.js';
import { isSignetError, type ErrorCode } from '../../../src/core/errors.js';
import type { MimeEntity } from '../../../src/core/mime/entity.js';

export const b = (s: string): Uint8Array => fromLatin1(s);
export const s = (u: Uint8Array): string => latin1(u);
export const lf = (text: string): string => text.replace(/\r\n/g, '\n');

export function code(c: ErrorCode): (e: unknown) => boolean {
  return (e: unknown) => isSignetError(e, c);
}

/** Every entity of a tree, parents first, without recursion (trees in tests can be 10 000 deep). */
export function walk(root: MimeEntity): MimeEntity[] {
  const out: MimeEntity[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const e = stack.pop()!;
    out.push(e);
    for (let i = e.children.length - 1; i >= 0; i--) stack.push(e.children[i]!);
  }
  return out;
}

const escape = (x: string): string => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Raw-slice exactness (RFC 2046 §5.1.1): every range is a view on `input`, and for every multipart the
 * body is exactly preamble, delimiters (with the CRLF before them), the parts' raw bytes and epilogue.
 */
export function assertExactSlices(root: MimeEntity, input: Uint8Array): void {
  for (const e of walk(root)) {
    assert.equal(e.raw.buffer, input.buffer, 'raw is a view, not a copy');
    assert.equal(e.raw.byteOffset - input.byteOffset, e.offset);
    const sep = e.bodyBytes.byteOffset - (e.headerBytes.byteOffset + e.headerBytes.length);
    assert.ok(['', '\n', '\r\n'].includes(s(e.raw.subarray(e.headerBytes.length, e.headerBytes.length + sep))));
    assert.equal(e.headerBytes.length + sep + e.bodyBytes.length, e.raw.length);
    if (!e.isMultipart) continue;
    const B = escape(e.boundary!);
    const start = e.bodyBytes.byteOffset - input.byteOffset;
    let cursor = start + e.preamble!.length;
    const rebuilt: string[] = [s(e.preamble!)];
    e.children.forEach((c, i) => {
      const gap = s(input.subarray(cursor, c.offset));
      // The CRLF before a delimiter is optional only where nothing precedes it: the start of the body,
      // or an empty part (lenient: "--b CRLF --b" has no room for two line breaks).
      const noBreakOk = (i === 0 && e.preamble!.length === 0 && cursor === start) || (i > 0 && e.children[i - 1]!.raw.length === 0);
      const re = noBreakOk ? `^(\\r?\\n)?--${B}[ \\t]*\\r?\\n$` : `^\\r?\\n--${B}[ \\t]*\\r?\\n$`;
      assert.match(gap, new RegExp(re), `delimiter before part ${i}`);
      rebuilt.push(gap, s(c.raw));
      cursor = c.offset + c.raw.length;
    });
    const end = start + e.bodyBytes.length;
    const tail = s(input.subarray(cursor, end - e.epilogue!.length));
    rebuilt.push(tail, s(e.epilogue!));
    assert.equal(rebuilt.join(''), s(e.bodyBytes));
  }
}
