// The messages between the read pane (open-client.ts) and the worker that opens messages (open-worker.ts).
// Everything here is structured-cloneable data (HTML Living Standard §2.7 "Safe passing of structured
// data"): the Verdict is plain data by design (core/verdict.ts), message bytes are transferred, and what
// cannot cross — private keys (PrivateKeyHandle objects, some backed by the key vault worker) and network
// access (a worker script runs under its own response's CSP, `default-src 'none'`, docs/ADMIN.md) — stays
// on the page and is called from the worker by request (ARCHITECTURE.md "Trust zones").

import { ERROR_CODES, SignetError, type ErrorCode } from '../core/errors.js';
import type { KeyTransportScheme, NamedCurve, SignatureScheme } from '../core/keys.js';
import type { SignetConfig } from '../core/config.js';
import type { Verdict } from '../core/verdict.js';
import { parseMime } from '../core/mime/parser.js';
import { extractContent, type ContentView } from './content.js';

/** An identity as the worker sees it: the certificates, and what the core reads of the key without using it. */
export interface IdentityFacts {
  certificate: Uint8Array;
  chain: Uint8Array[];
  type: 'rsa' | 'ec';
  bits: number;
  namedCurve?: NamedCurve;
}

export interface WireError {
  code: ErrorCode | null;
  message: string;
}

export type KeyCall =
  | { method: 'sign'; args: [SignatureScheme, Uint8Array] }
  | { method: 'decryptKeyTransport'; args: [KeyTransportScheme, Uint8Array] }
  | { method: 'deriveEcdhSecret'; args: [Uint8Array] };

/** Page → worker. */
export type ToWorker =
  | { type: 'open'; id: number; bytes: Uint8Array; anchors: Uint8Array[]; identities: IdentityFacts[]; config: SignetConfig; revocation: 'relay' | 'offline' }
  /** The trust anchors to parse ahead of the first message (open-client.ts warm()). */
  | { type: 'prepare'; anchors: Uint8Array[]; config: SignetConfig }
  | { type: 'key-reply'; call: number; ok: true; value: Uint8Array }
  | { type: 'key-reply'; call: number; ok: false; error: WireError }
  | { type: 'fetch-reply'; call: number; ok: true; status: number; statusText: string; headers: [string, string][]; body: ArrayBuffer }
  | { type: 'fetch-reply'; call: number; ok: false; error: WireError };

/** Worker → page. */
export type FromWorker =
  | { type: 'result'; id: number; ok: true; verdict: Verdict; views: Extracted[] }
  | { type: 'result'; id: number; ok: false; error: WireError }
  | ({ type: 'key'; call: number; identity: number } & KeyCall)
  | { type: 'fetch'; call: number; url: string; method: string; headers: [string, string][]; body: Uint8Array | null }
  | { type: 'abort'; call: number };

export function toWire(e: unknown): WireError {
  if (e instanceof SignetError) return { code: e.code, message: e.message };
  return { code: null, message: e instanceof Error ? e.message : String(e) };
}

/** A SignetError again when one crossed; any other failure as a plain Error (never a silent success). */
export function fromWire(w: WireError): Error {
  const code = w.code !== null && (ERROR_CODES as readonly string[]).includes(w.code) ? w.code : null;
  return code ? new SignetError(code, w.message) : new Error(w.message);
}

/** The buffers to transfer with a message: each distinct ArrayBuffer once (a second listing throws). */
export function transferList(views: readonly (Uint8Array | null | undefined)[]): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const v of views) if (v && v.buffer instanceof ArrayBuffer && v.buffer.byteLength > 0) out.add(v.buffer);
  return [...out];
}

/**
 * The displayable content of one part the Verdict covers (content.ts): its view, why it could not be
 * read as MIME (the verdict stands; only the preview failed), or null when the part was not reached.
 */
export type Extracted = { view: ContentView } | { error: WireError } | null;

/** What the pane shows of an opened message: the Verdict, then [message content, ...each enclosed part's]. */
export interface PaneOpenResult {
  verdict: Verdict;
  views: Extracted[];
}

/**
 * Parses and extracts each reached part — for a large message as heavy as the check itself (attachments
 * are base64-decoded here), so it runs where openMessage ran. `consume`: the caller owns the contents'
 * bytes and reads them no more; each part is decoded in place (content.ts). Only for contents that do not
 * overlap (an enclosed part lies inside the message content).
 */
export function extractAll(contents: readonly (Uint8Array | null)[], { consume = false }: { consume?: boolean } = {}): Extracted[] {
  return contents.map((c) => {
    if (!c) return null;
    try {
      return { view: extractContent(parseMime(c), { consume }) };
    } catch (e) {
      return { error: toWire(e) };
    }
  });
}

/** The attachment bytes of `views`, to transfer. */
export function viewBytes(views: readonly Extracted[]): Uint8Array[] {
  return views.flatMap((v) => (v && 'view' in v ? v.view.attachments.map((a) => a.bytes) : []));
}
