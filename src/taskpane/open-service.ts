// The worker side of opening a message off the page's main thread (open-client.ts starts it; open-worker.ts
// is the worker's entry): runs the core's openMessage() on transferred bytes, parses the content for display
// (content.ts) and transfers the Verdict and the attachments back. Private-key operations and revocation fetches are asked of the page (open-protocol.ts
// says why); revocation answers are cached here, for as long as this worker lives (open-client.ts recycles
// it after a large message).

import type { Identity, PrivateKeyHandle } from '../core/keys.js';
import { equalBytes } from '../core/bytes.js';
import { parseTrustAnchors } from '../core/pki/certificate.js';
import { MemoryRevocationCache } from '../core/pki/revocation/index.js';
import { openMessage } from '../core/smime/open.js';
import { extractAll, fromWire, toWire, transferList, viewBytes, type FromWorker, type IdentityFacts, type KeyCall, type ToWorker } from './open-protocol.js';

/** The one end of a channel this side uses: a dedicated worker's global scope, or a MessagePort in tests. */
export interface Endpoint {
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
}

interface Pending {
  resolve(value: unknown): void;
  reject(e: unknown): void;
}

export function serveOpenRequests(endpoint: Endpoint): void {
  const pending = new Map<number, Pending>();
  let nextCall = 1;
  // Like the page's sessionCache (revocation.ts), for this worker's lifetime.
  const cache = new MemoryRevocationCache(256);
  // Every request brings the trust anchors as fresh copies (structured cloning), and parsed certificates
  // are cached per buffer (certificate.ts parseTrustAnchors): an anchor equal to one seen before is
  // replaced by that first buffer, so the ~110 built-in roots are parsed once per worker, not per message
  // (~50 ms of each message's time to badge, issue 17).
  const seen = new Map<string, Uint8Array[]>();
  const interned = (anchors: Uint8Array[]): Uint8Array[] =>
    anchors.map((a) => {
      const key = `${a.length}:${a[a.length - 1] ?? 0}:${a[a.length >> 1] ?? 0}`;
      const same = seen.get(key);
      const hit = same?.find((b) => equalBytes(a, b));
      if (hit) return hit;
      if (same) same.push(a);
      else seen.set(key, [a]);
      return a;
    });

  const ask = <T>(message: FromWorker & { call: number }): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      pending.set(message.call, { resolve: resolve as (v: unknown) => void, reject });
      endpoint.postMessage(message, message.type === 'fetch' ? transferList([message.body]) : []);
    });

  const keyHandle = (facts: IdentityFacts, identity: number): PrivateKeyHandle => {
    // Each byte argument is copied first: it is a small view into the message (the encrypted key sits in
    // the DER), and structured cloning a view clones its whole buffer (HTML §2.7.3, ArrayBufferView) —
    // the 25 MB message, twice over, for a 256-byte key.
    const call = (c: KeyCall): Promise<Uint8Array> => ask<Uint8Array>({ type: 'key', call: nextCall++, identity, ...({ method: c.method, args: c.args.map((a) => (a instanceof Uint8Array ? a.slice() : a)) } as KeyCall) });
    return {
      type: facts.type,
      bits: facts.bits,
      ...(facts.namedCurve ? { namedCurve: facts.namedCurve } : {}),
      sign: (scheme, data) => call({ method: 'sign', args: [scheme, data] }),
      decryptKeyTransport: (scheme, key) => call({ method: 'decryptKeyTransport', args: [scheme, key] }),
      deriveEcdhSecret: (spki) => call({ method: 'deriveEcdhSecret', args: [spki] }),
    };
  };

  // The core's fetch (revocation through the relay, AIA): the page makes the request; its answer becomes a
  // Response here, so the core's deadline and size cap (pki/revocation/common.ts) apply unchanged.
  const pageFetch = (async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const call = nextCall++;
    const body: Uint8Array | null = init.body instanceof Uint8Array ? init.body : init.body instanceof ArrayBuffer ? new Uint8Array(init.body) : null;
    const signal = init.signal;
    if (signal?.aborted) throw new DOMException('Aborted', 'AbortError');
    const onAbort = (): void => {
      const p = pending.get(call);
      pending.delete(call);
      endpoint.postMessage({ type: 'abort', call });
      p?.reject(new DOMException('Aborted', 'AbortError'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const r = await ask<{ status: number; statusText: string; headers: [string, string][]; body: ArrayBuffer }>({ type: 'fetch', call, url, method: init.method ?? 'GET', headers: [...new Headers(init.headers).entries()], body: body ? body.slice() : null });
      // Response() refuses a body with a null-body status (Fetch §6.4 "Response class").
      const nullBody = r.status === 204 || r.status === 205 || r.status === 304;
      return new Response(nullBody ? null : r.body, { status: r.status, statusText: r.statusText, headers: r.headers });
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }) as typeof fetch;

  endpoint.addEventListener('message', (event) => {
    const m = event.data as ToWorker;
    if (m.type === 'key-reply' || m.type === 'fetch-reply') {
      const p = pending.get(m.call);
      pending.delete(m.call);
      if (!p) return;
      if (!m.ok) p.reject(fromWire(m.error));
      else p.resolve(m.type === 'key-reply' ? m.value : m);
      return;
    }
    if (m.type === 'prepare') {
      // Parsed now, while the pane is idle, into the cache the first message's verification reads.
      parseTrustAnchors(interned(m.anchors), m.config.limits, 'skip');
      return;
    }
    if (m.type !== 'open') return;
    const identities: Identity[] = m.identities.map((f, i) => ({ certificate: f.certificate, chain: f.chain, privateKey: keyHandle(f, i) }));
    const network = m.revocation === 'relay' ? { fetch: pageFetch, revocationCache: cache } : { offline: true };
    // The bytes were transferred here and nothing else reads them: the core may decode and decrypt the
    // message in them (consumeMessage), so the worker never holds the message, its DER and the plaintext
    // as three buffers at once (issue 17).
    openMessage(m.bytes, { anchors: interned(m.anchors), identities, config: m.config, ...network, consumeMessage: true }).then(
      ({ verdict, content, enclosedContent }) => {
        // The contents are views on the transferred bytes too: decoded in place, unless an enclosed part
        // (which lies inside the message content) is to be read as well.
        const views = extractAll([content, ...enclosedContent], { consume: enclosedContent.length === 0 });
        for (const v of views) if (v && 'view' in v) for (const a of v.view.attachments) a.bytes = lean(a.bytes)!;
        const result: FromWorker = { type: 'result', id: m.id, ok: true, verdict, views };
        endpoint.postMessage(result, transferList(viewBytes(views)));
      },
      (e: unknown) => endpoint.postMessage({ type: 'result', id: m.id, ok: false, error: toWire(e) }),
    );
  });
}

/**
 * Bytes to transfer: a view that covers less than half of its buffer is copied first, so the page never
 * receives (and keeps) a whole decrypted message for a small part of it.
 */
function lean(view: Uint8Array | null): Uint8Array | null {
  if (!view) return null;
  return view.byteLength * 2 < view.buffer.byteLength ? view.slice() : view;
}
