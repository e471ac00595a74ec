// Reads an HTTP response body with a size cap, for the fetches trust decisions make (AIA caIssuers,
// OCSP, CRLs): a hostile or broken server must not make us buffer an unbounded body (memory exhaustion).

import { concat } from '../bytes.js';

/** The body, or null once it exceeds `maxBytes` (the stream is cancelled then). */
export async function readBodyCapped(res: Response, maxBytes: number): Promise<Uint8Array | null> {
  if (!res.body) {
    const b = new Uint8Array(await res.arrayBuffer());
    return b.length > maxBytes ? null : b;
  }
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    parts.push(value);
  }
  return concat(parts);
}
