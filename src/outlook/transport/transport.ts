// What every transport of protected mail shares: the interface the send path uses (compose/send.ts) and the
// typed error a refused or failed send becomes. A transport never retries a send by itself: a send that
// timed out may still have been delivered, and only the person can check Sent Items before trying again.

import { SignetError, type ErrorCode } from '../../core/errors.js';
import type { MessageTransport } from '../../compose/send.js';
import type { TransportKind } from '../../compose/size.js';

export interface Transport extends MessageTransport {
  readonly kind: TransportKind;
  /**
   * Removes the saved draft (EWS item id, as `getItemIdAsync` returns it) after the protected message went
   * out, so the unprotected draft does not stay in Drafts.
   */
  discardDraft(ewsItemId: string): Promise<void>;
}

export interface TransportErrorDetails {
  transport: TransportKind;
  /** HTTP status, when there was an HTTP answer. */
  status?: number | null;
  /** The server's own error code: Graph `error.code`, or EWS `ResponseCode` / SOAP faultcode. */
  serverCode?: string | null;
  /** Seconds the server asked to wait (HTTP Retry-After, EWS BackOffMilliseconds). */
  retryAfterSeconds?: number | null;
  cause?: unknown;
}

/** A send that the server refused or that failed on the way, with a message for the sender. */
export class TransportError extends SignetError {
  readonly transport: TransportKind;
  readonly status: number | null;
  readonly serverCode: string | null;
  readonly retryAfterSeconds: number | null;

  constructor(code: ErrorCode, message: string, details: TransportErrorDetails) {
    super(code, message, { cause: details.cause });
    this.transport = details.transport;
    this.status = details.status ?? null;
    this.serverCode = details.serverCode ?? null;
    this.retryAfterSeconds = details.retryAfterSeconds ?? null;
  }
}

/** Server-provided text, shortened and stripped of markup, safe to show inside a sentence. */
export function serverText(s: string | null | undefined, max = 200): string {
  const plain = (s ?? '').replace(/<[^<>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  return plain.length > max ? `${plain.slice(0, max - 1)}…` : plain;
}

/** "in 30 seconds" / "in 2 minutes" / "in a moment". */
export function waitPhrase(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds <= 0) return 'in a moment';
  if (seconds < 90) return `in ${Math.ceil(seconds)} seconds`;
  return `in ${Math.ceil(seconds / 60)} minutes`;
}
