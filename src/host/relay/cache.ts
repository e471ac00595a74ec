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
