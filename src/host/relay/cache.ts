// The relay's shared answer cache (issue 15: "the CA sees one request per certificate per period rather
// than one per reader"). Keyed by the request — the responder URL plus the CertID for OCSP (the reader's
// nonce is not part of it: the relay strips it), the CRL URL for CRLs — and kept until the answer's own
// nextUpdate (RFC 6960 §4.2.2.1, RFC 5280 §5.1.2.5), never longer than `maxTtlMs`. Answers without a
// nextUpdate, already past it, or not successful are not cached. Bounded in entries and in bytes; the
// least recently used entry goes first. Per process: several instances behind a load balancer each keep
// their own (docs/ADMIN.md, "Organisation host and revocation relay").

export interface CachedAnswer {
  body: Uint8Array;
  mediaType: string;
  expires: number;
}

export class RelayCache {
  private readonly entries = new Map<string, CachedAnswer>();
  private bytes = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes: number,
  ) {}

  get(key: string, now: number): CachedAnswer | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    this.entries.delete(key);
    if (e.expires <= now) {
      this.bytes -= e.body.length;
      return undefined;
    }
    this.entries.set(key, e); // most recently used last
    return e;
  }

  set(key: string, value: CachedAnswer): void {
    if (value.body.length > this.maxBytes) return;
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.bytes -= old.body.length;
    }
    this.entries.set(key, value);
    this.bytes += value.body.length;
    while (this.entries.size > this.maxEntries || this.bytes > this.maxBytes) {
      const [oldestKey, oldest] = this.entries.entries().next().value as [string, CachedAnswer];
      this.entries.delete(oldestKey);
      this.bytes -= oldest.body.length;
    }
  }

  get size(): number {
    return this.entries.size;
  }

  get byteSize(): number {
    return this.bytes;
  }
}

/**
 * Negative cache: the refusal an upstream URL last produced (dead responder, HTTP error, timeout, garbage
 * answer), kept for a short `ttlMs` so that a flood of readers asking about certificates of a responder
 * that is down costs that responder one request per period, not one per reader (the rate limit and the
 * concurrency cap bound the relay's own load, not the number of times it knocks on a dead door). Keyed by
 * the upstream URL alone — a responder that is down is down for every CertID. Bounded in entries; the
 * least recently stored goes first. ttlMs 0 switches it off.
 */
export interface CachedFailure<C extends string> {
  code: C;
  message: string;
  expires: number;
}

export class FailureCache<C extends string> {
  private readonly entries = new Map<string, CachedFailure<C>>();

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
  ) {}

  get(key: string, now: number): CachedFailure<C> | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expires <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  set(key: string, code: C, message: string, now: number): void {
    if (this.ttlMs <= 0 || this.maxEntries <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, { code, message, expires: now + this.ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
