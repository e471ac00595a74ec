// The revocation cache: verified OCSP answers per certificate and verified CRLs per URL and issuer, each
// kept until its nextUpdate (the issuer's own promise of when newer information appears) and never
// longer. Answers that could not be verified are never cached. The interface lets the add-in keep a
// cache per task-pane session and the CLI one per process; MemoryRevocationCache is the default.

import type { RevocationAnswer } from './common.js';
import type { VerifiedCrl } from './crl.js';

export type CachedRevocation =
  | { kind: 'ocsp'; source: string; answer: Extract<RevocationAnswer, { status: 'good' | 'revoked' }> }
  | { kind: 'crl'; crl: VerifiedCrl };

export interface RevocationCache {
  /** The entry for `key` when it has not expired at `now`. */
  get(key: string, now: Date): CachedRevocation | undefined;
  /** Stores `value` until `expires` (its nextUpdate). */
  set(key: string, value: CachedRevocation, expires: Date): void;
}

/**
 * In-memory cache with a bound on entries (oldest evicted first): a flood of certificates naming distinct
 * CRLs cannot grow it without limit. CRLs are kept parsed, so the bound also bounds memory to about
 * maxEntries × maxRevocationResponseBytes in the worst case; the default keeps that modest.
 */
export class MemoryRevocationCache implements RevocationCache {
  private readonly entries = new Map<string, { value: CachedRevocation; expires: number }>();

  constructor(private readonly maxEntries = 64) {}

  get(key: string, now: Date): CachedRevocation | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expires <= now.getTime()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  set(key: string, value: CachedRevocation, expires: Date): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expires: expires.getTime() });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }
}
