// Opens a message for the read pane without freezing it (issue 17): a message of OFF_THREAD_BYTES or more is
// opened by a dedicated worker (open-worker.ts, open-service.ts); smaller ones, and every message where no
// Worker exists (Node tests, a browser without workers), by the core on this thread — one function,
// openForPane(), either way. The message bytes are transferred to the worker, not copied: the caller's
// Uint8Array is empty afterwards. The worker asks this page for private-key operations (the keys stay in
// their handles here, some in the key vault worker) and for revocation fetches (the page's CSP allows the
// relay; a worker script's does not). After a large message the worker is terminated, so its memory never
// stacks with the next one's; the next large message starts a fresh worker — in the pane, started at once
// (keepWarm), and the first one shortly after the pane opens (warm()), so no message waits for its code.

import { SignetError } from '../core/errors.js';
import type { Identity } from '../core/keys.js';
import type { SignetConfig } from '../core/config.js';
import { openMessage } from '../core/smime/open.js';
import type { RevocationCache } from '../core/pki/revocation/index.js';
import { extractAll, fromWire, toWire, transferList, type FromWorker, type IdentityFacts, type PaneOpenResult, type ToWorker } from './open-protocol.js';

/** Messages from this size up are opened off the main thread (below it the whole check is a short task). */
export const OFF_THREAD_BYTES = 512 * 1024;
/** After a message of this size the worker is terminated rather than kept for the next one. */
export const RECYCLE_BYTES = 8 * 1024 * 1024;

export interface PaneOpenOptions {
  anchors: Uint8Array[];
  identities: Identity[];
  config: SignetConfig;
  /** The relay fetch (revocation.ts), or absent to verify offline. */
  fetch?: typeof fetch;
  /** The pane's session cache, for messages opened on this thread. */
  revocationCache?: RevocationCache;
}

/** What openForPane() needs of a Worker (a MessagePort-backed stand-in in tests). */
export interface WorkerLike {
  postMessage(message: ToWorker, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'error', listener: (event: unknown) => void): void;
  terminate(): void;
}

export type WorkerFactory = () => WorkerLike | null;

function defaultFactory(): WorkerLike | null {
  if (typeof Worker === 'undefined') return null;
  try {
    return new Worker(new URL('./open-worker.js', import.meta.url), { name: 'signet-open' }) as unknown as WorkerLike;
  } catch {
    return null;
  }
}

interface Running {
  worker: WorkerLike;
  requests: Map<number, { resolve(r: PaneOpenResult): void; reject(e: unknown): void; options: PaneOpenOptions }>;
  fetches: Map<number, AbortController>;
}

export class PaneOpener {
  private running: Running | null = null;
  private nextId = 1;
  /** The anchors a warm worker parses ahead (the latest given to warm() or used by a message). */
  private prepared: { anchors: Uint8Array[]; config: SignetConfig } | null = null;

  constructor(
    private readonly factory: WorkerFactory = defaultFactory,
    private readonly offThreadBytes = OFF_THREAD_BYTES,
    private readonly recycleBytes = RECYCLE_BYTES,
    /** Replace a recycled worker at once, so the next large message finds one loaded (the pane does). */
    private readonly keepWarm = false,
  ) {}

  /**
   * Starts the worker before the first large message needs it: loading and compiling its code (~100 ms,
   * most of a 1 MB message's time to badge) then happens while the reader looks at something else.
   */
  warm(prepare?: { anchors: Uint8Array[]; config: SignetConfig }): void {
    if (prepare) this.prepared = prepare;
    const running = this.start();
    // The worker parses the trust anchors now, so the first message does not wait for that either.
    if (running && this.prepared) running.worker.postMessage({ type: 'prepare', anchors: this.prepared.anchors, config: this.prepared.config }, []);
  }

  /** Opens `bytes` (which it may consume: see the file comment): the Verdict and the content to show. */
  async open(bytes: Uint8Array, options: PaneOpenOptions): Promise<PaneOpenResult> {
    const running = bytes.byteLength >= this.offThreadBytes ? this.start() : null;
    if (!running) {
      const r = await openMessage(bytes, { anchors: options.anchors, identities: options.identities, config: options.config, ...(options.fetch ? { fetch: options.fetch, ...(options.revocationCache ? { revocationCache: options.revocationCache } : {}) } : { offline: true }) });
      return { verdict: r.verdict, views: extractAll([r.content, ...r.enclosedContent]) };
    }
    const size = bytes.byteLength;
    // Transfer needs a buffer of its own: a view into a larger buffer is copied first.
    const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer ? bytes : bytes.slice();
    const id = this.nextId++;
    const identities: IdentityFacts[] = options.identities.map((i) => ({ certificate: i.certificate, chain: i.chain, type: i.privateKey.type, bits: i.privateKey.bits, ...(i.privateKey.namedCurve ? { namedCurve: i.privateKey.namedCurve } : {}) }));
    try {
      return await new Promise<PaneOpenResult>((resolve, reject) => {
        running.requests.set(id, { resolve, reject, options });
        running.worker.postMessage({ type: 'open', id, bytes: own, anchors: options.anchors, identities, config: options.config, revocation: options.fetch ? 'relay' : 'offline' }, transferList([own]));
      });
    } finally {
      if (size >= this.recycleBytes && this.running === running && running.requests.size === 0) {
        this.stop();
        if (this.keepWarm) this.warm({ anchors: options.anchors, config: options.config });
      }
    }
  }

  /** Ends the worker (the pane closing, or after a large message). In-flight requests fail. */
  stop(): void {
    const r = this.running;
    if (!r) return;
    this.running = null;
    r.worker.terminate();
    for (const c of r.fetches.values()) c.abort();
    for (const q of r.requests.values()) q.reject(new SignetError('internal', 'The message check was stopped.'));
  }

  private start(): Running | null {
    if (this.running) return this.running;
    const worker = this.factory();
    if (!worker) return null;
    const running: Running = { worker, requests: new Map(), fetches: new Map() };
    worker.addEventListener('message', (event) => void this.onMessage(running, event.data as FromWorker));
    worker.addEventListener('error', () => {
      // A worker that could not load or crashed (out of memory): its requests fail, the next starts afresh.
      if (this.running === running) this.running = null;
      worker.terminate();
      for (const q of running.requests.values()) q.reject(new SignetError('internal', 'The message could not be checked in this browser (the checking worker stopped).'));
      running.requests.clear();
    });
    this.running = running;
    return running;
  }

  private async onMessage(running: Running, m: FromWorker): Promise<void> {
    if (m.type === 'result') {
      const q = running.requests.get(m.id);
      running.requests.delete(m.id);
      if (!q) return;
      if (m.ok) q.resolve({ verdict: m.verdict, views: m.views });
      else q.reject(fromWire(m.error));
      return;
    }
    if (m.type === 'abort') {
      running.fetches.get(m.call)?.abort();
      running.fetches.delete(m.call);
      return;
    }
    // Key and fetch requests belong to the one request in flight (the pane opens one message at a time;
    // a newer one supersedes, app.tsx) — the newest request's options answer them.
    const options = [...running.requests.values()].at(-1)?.options;
    if (m.type === 'key') {
      try {
        const key = options?.identities[m.identity]?.privateKey;
        if (!key) throw new SignetError('internal', 'No such key.');
        const value = m.method === 'sign' ? await key.sign(...m.args) : m.method === 'decryptKeyTransport' ? await key.decryptKeyTransport(...m.args) : await key.deriveEcdhSecret(...m.args);
        running.worker.postMessage({ type: 'key-reply', call: m.call, ok: true, value }, []);
      } catch (e) {
        running.worker.postMessage({ type: 'key-reply', call: m.call, ok: false, error: toWire(e) }, []);
      }
      return;
    }
    const controller = new AbortController();
    running.fetches.set(m.call, controller);
    try {
      const f = options?.fetch;
      if (!f) throw new SignetError('internal', 'Revocation is not checked for this message.');
      const res = await f(m.url, { method: m.method, headers: m.headers, ...(m.body ? { body: m.body as Uint8Array<ArrayBuffer> } : {}), signal: controller.signal });
      const body = await readCapped(res, options.config.limits.maxRevocationResponseBytes + 1);
      running.worker.postMessage({ type: 'fetch-reply', call: m.call, ok: true, status: res.status, statusText: res.statusText, headers: [...res.headers.entries()], body }, [body]);
    } catch (e) {
      running.worker.postMessage({ type: 'fetch-reply', call: m.call, ok: false, error: toWire(e) }, []);
    } finally {
      running.fetches.delete(m.call);
    }
  }
}

/** The body, read up to `cap` bytes (the worker's core sees "too large" beyond its own limit). */
async function readCapped(res: Response, cap: number): Promise<ArrayBuffer> {
  if (!res.body) return new ArrayBuffer(0);
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const take = Math.min(value.byteLength, cap - total);
    parts.push(value.subarray(0, take));
    total += take;
    if (total >= cap) {
      await reader.cancel().catch(() => undefined);
      break;
    }
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out.buffer;
}
