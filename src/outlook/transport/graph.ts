// Sends a protected message through Microsoft Graph in MIME format: `POST {base}/me/sendMail` with
// `Content-Type: text/plain` and the base64 of the whole RFC 5322 message; success is HTTP 202 with an
// empty body ("Send Outlook messages in MIME format", https://learn.microsoft.com/graph/outlook-send-mime-message,
// which names S/MIME signing and encryption). Exchange stores the message as sent in Sent Items. A From
// that is a shared mailbox goes through /me/sendMail too: with Mail.Send.Shared and Send As or Send on
// Behalf in Exchange it is accepted (403 ErrorSendAsDenied otherwise), and the copy is kept in the signed-in
// user's Sent Items; /users/{shared}/sendMail would also need Full Access to that mailbox
// (https://learn.microsoft.com/graph/outlook-send-mail-from-other-user, "Sent Items behavior"). The draft
// is then removed with `DELETE {base}/me/messages/{id}` (204; Mail.ReadWrite;
// https://learn.microsoft.com/graph/api/message-delete). Graph errors come as `{"error":{"code","message"}}`
// (https://learn.microsoft.com/graph/errors) and become TransportErrors with a sentence for the sender.

import { toBase64 } from '../../core/bytes.js';
import { SignetError } from '../../core/errors.js';
import { GRAPH_MAX_MESSAGE_BYTES, type SizeLimit } from '../../compose/size.js';
import { toRestId } from '../office.js';
import { TransportError, serverText, waitPhrase, type Transport } from './transport.js';

export const DEFAULT_GRAPH_BASE = 'https://graph.microsoft.com/v1.0';

export interface GraphTransportOptions {
  /** `https://graph.microsoft.com/v1.0` unless a sovereign cloud or the workbench says otherwise. */
  baseUrl?: string;
  /** An access token with Mail.Send (and Mail.ReadWrite to discard the draft). */
  token: () => Promise<string>;
  fetch?: typeof fetch;
  /** Per request; default 60 s (a 3 MB upload on a slow line), well inside Outlook's 5-minute send limit. */
  timeoutMs?: number;
  /** EWS id → Graph id; default office.ts toRestId (`convertToRestId`). */
  restId?: (ewsItemId: string) => string;
}

interface GraphErrorBody {
  code: string | null;
  message: string | null;
}

function parseGraphError(text: string): GraphErrorBody {
  try {
    const doc = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    const e = doc?.error;
    return { code: typeof e?.code === 'string' ? e.code : null, message: typeof e?.message === 'string' ? e.message : null };
  } catch {
    return { code: null, message: null };
  }
}

/** Retry-After as seconds: an integer, or an HTTP-date (RFC 9110 §10.2.3). */
export function retryAfterSeconds(value: string | null, now = Date.now()): number | null {
  if (value === null || value.trim() === '') return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.round((at - now) / 1000));
}

const TOO_LARGE_CODES = new Set(['ErrorMessageSizeExceeded', 'RequestBodyTooLarge', 'MaxRequestSizeExceeded', 'ErrorRequestSizeExceeded']);

/** Maps a Graph error response to a TransportError whose message says what happened and what to do. */
export function graphError(status: number, headers: { get(name: string): string | null }, bodyText: string, action: 'send' | 'discard'): TransportError {
  const { code, message } = parseGraphError(bodyText);
  const detail = serverText(message);
  const said = detail ? ` Microsoft Graph said: "${detail}"` : '';
  const base = { transport: 'graph' as const, status, serverCode: code };
  const what = action === 'send' ? 'The message was not sent.' : 'The draft was not removed.';
  if (status === 401) {
    return new TransportError('send-unauthorized', `Microsoft Graph did not accept Signet's sign-in (HTTP 401). ${what} Open the Signet pane to sign in again, then retry.`, base);
  }
  if (status === 403) {
    return new TransportError(
      'send-unauthorized',
      `Microsoft Graph refused (HTTP 403${code ? `, ${code}` : ''}): Signet may not ${action === 'send' ? 'send mail' : 'change drafts'} for you, or you may not send from this address. ${what} Ask your administrator about Signet's Graph permissions.${said}`,
      base,
    );
  }
  if (status === 413 || (code !== null && TOO_LARGE_CODES.has(code))) {
    return new TransportError('message-too-large', `Microsoft Graph refused the message as too large. ${what} Remove large attachments or share them as links, then send again.`, base);
  }
  if (status === 429 || (status === 503 && headers.get('retry-after') !== null)) {
    const wait = retryAfterSeconds(headers.get('retry-after'));
    return new TransportError('send-throttled', `Microsoft Graph is busy and asked Signet to wait (HTTP ${status}). ${what} Try again ${waitPhrase(wait)}.`, { ...base, retryAfterSeconds: wait });
  }
  if (status >= 500) {
    return new TransportError(
      'send-failed',
      `Microsoft Graph had a problem (HTTP ${status}). The message was probably not sent: check Sent Items before trying again.${said}`,
      base,
    );
  }
  return new TransportError('send-failed', `Microsoft Graph refused the ${action === 'send' ? 'message' : 'request'} (HTTP ${status}${code ? `, ${code}` : ''}). ${what}${said}`, base);
}

async function request(
  options: GraphTransportOptions,
  method: 'POST' | 'DELETE',
  path: string,
  body: string | undefined,
  expect: number,
  action: 'send' | 'discard',
): Promise<void> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const base = (options.baseUrl ?? DEFAULT_GRAPH_BASE).replace(/\/+$/, '');
  const token = await options.token();
  const controller = new AbortController();
  const timeoutMs = options.timeoutMs ?? 60_000;
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let res: Response;
  try {
    const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
    if (body !== undefined) headers['Content-Type'] = 'text/plain';
    res = await doFetch(`${base}${path}`, { method, headers, body, signal: controller.signal, credentials: 'omit', cache: 'no-store', redirect: 'error' });
  } catch (e) {
    if (controller.signal.aborted) {
      throw new TransportError('timeout', `Microsoft Graph did not answer within ${Math.round(timeoutMs / 1000)} seconds. Check Sent Items before trying again.`, { transport: 'graph', cause: e });
    }
    throw new TransportError('network', `Signet could not reach Microsoft Graph (${serverText(e instanceof Error ? e.message : String(e))}). Nothing was sent; check your connection and try again.`, { transport: 'graph', cause: e });
  } finally {
    clearTimeout(timer);
  }
  const text = await res.text().catch(() => '');
  if (res.status === expect || (action === 'discard' && res.status === 200)) return;
  if (res.ok) {
    throw new TransportError('send-failed', `Microsoft Graph answered HTTP ${res.status} where ${expect} was expected; check Sent Items before trying again.`, { transport: 'graph', status: res.status });
  }
  throw graphError(res.status, res.headers, text, action);
}

/** A Graph transport. The token function is called per request, so an expired token is renewed by its source (naa.ts). */
export function graphTransport(options: GraphTransportOptions): Transport {
  const limit: SizeLimit = { transport: 'graph', maxMessageBytes: GRAPH_MAX_MESSAGE_BYTES };
  return {
    kind: 'graph',
    limit,
    async send(submission: Uint8Array): Promise<void> {
      if (submission.length > limit.maxMessageBytes) {
        throw new SignetError('message-too-large', 'The message is larger than Microsoft Graph accepts; remove large attachments or share them as links.');
      }
      await request(options, 'POST', '/me/sendMail', toBase64(submission), 202, 'send');
    },
    async discardDraft(ewsItemId: string): Promise<void> {
      const id = (options.restId ?? toRestId)(ewsItemId);
      await request(options, 'DELETE', `/me/messages/${encodeURIComponent(id)}`, undefined, 204, 'discard');
    },
  };
}
