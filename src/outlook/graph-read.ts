// The third source of a received message's MIME (ARCHITECTURE.md, "Reading the raw message"): Microsoft Graph
// `GET /me/messages/{id}/$value`, which returns the MIME Exchange stored ("Get MIME content of a message",
// https://learn.microsoft.com/graph/outlook-get-mime-message; permission Mail.Read or Mail.ReadBasic, per
// https://learn.microsoft.com/en-us/graph/api/message-get). It is used only when neither the smime.p7m
// attachment nor getAsFileAsync gave the message (e.g. an Outlook without Mailbox 1.14). The item id that
// Office.js reports is in EWS format and must be converted to a REST id first (office.ts restItemId).
//
// The token comes from an injected provider (Nested App Authentication in Outlook, src/outlook/naa.ts; a
// fixed token in the workbench); fetch is injected too, so this module is tested against a local HTTP
// server. Not tested against the real Graph service here (no tenant on this machine).

import { SignetError } from '../core/errors.js';
import { readBodyCapped } from '../core/pki/http-body.js';

export const GRAPH_V1 = 'https://graph.microsoft.com/v1.0';

export interface GraphReadOptions {
  /** Graph root, default https://graph.microsoft.com/v1.0 (the workbench passes its simulated one). */
  baseUrl?: string;
  /** A bearer token with Mail.Read (or Mail.ReadBasic) for the signed-in user. */
  getToken(): Promise<string>;
  fetch: typeof fetch;
  /** Largest MIME accepted; a bigger body is abandoned, not buffered (config.limits.maxMessageBytes). */
  maxBytes: number;
  /** Milliseconds before giving up; default 60 s. */
  timeoutMs?: number;
}

export interface GraphMimeSource {
  readonly available: boolean;
  /** The message's MIME by its Graph (REST) id. */
  fetchMime(restId: string): Promise<Uint8Array>;
}

/** No Graph configured (no app registration in the policy, or no NAA in this Outlook). */
export const NO_GRAPH: GraphMimeSource = Object.freeze({
  available: false,
  fetchMime: () => Promise.reject(new SignetError('usage', 'Reading through Microsoft Graph is not set up (the organisation policy names no Graph app registration).')),
});

/** Graph's error body: `{"error":{"code":"…","message":"…"}}` (Microsoft Graph error responses). */
interface GraphErrorBody {
  error?: { code?: unknown; message?: unknown };
}

async function graphErrorText(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as GraphErrorBody;
    const code = typeof body.error?.code === 'string' ? body.error.code : '';
    const message = typeof body.error?.message === 'string' ? body.error.message : '';
    return [code, message].filter(Boolean).join(': ');
  } catch {
    return '';
  }
}

function statusMessage(status: number, detail: string, retryAfter: string | null): string {
  const suffix = detail ? ` (${detail})` : '';
  if (status === 401) return `Microsoft Graph did not accept Signet's sign-in${suffix}. Close and reopen the pane to sign in again.`;
  if (status === 403) return `Microsoft Graph refused access to this message${suffix}: your administrator must grant Signet the Mail.Read permission.`;
  if (status === 404) return `Microsoft Graph does not have this message${suffix}; it may have been moved or deleted.`;
  if (status === 429) return `Microsoft Graph is throttling requests${suffix}. Try again${retryAfter ? ` in ${retryAfter} seconds` : ' shortly'}.`;
  return `Microsoft Graph answered HTTP ${status}${suffix}.`;
}

export function graphMimeSource(options: GraphReadOptions): GraphMimeSource {
  const base = (options.baseUrl ?? GRAPH_V1).replace(/\/+$/, '');
  return {
    available: true,
    async fetchMime(restId: string): Promise<Uint8Array> {
      if (!restId) throw new SignetError('usage', 'The message has no id to read it through Microsoft Graph.');
      const token = await options.getToken();
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 60_000);
      try {
        let res: Response;
        try {
          res = await options.fetch(`${base}/me/messages/${encodeURIComponent(restId)}/$value`, {
            method: 'GET',
            headers: { Authorization: `Bearer ${token}` },
            credentials: 'omit',
            cache: 'no-store',
            redirect: 'error',
            signal: controller.signal,
          });
        } catch (e) {
          throw new SignetError('network', `Microsoft Graph could not be reached: ${e instanceof Error ? e.message : String(e)}.`, { cause: e });
        }
        if (!res.ok) {
          throw new SignetError('network', statusMessage(res.status, await graphErrorText(res), res.headers.get('retry-after')));
        }
        const declared = Number(res.headers.get('content-length') ?? '0');
        if (declared > options.maxBytes) {
          await res.body?.cancel().catch(() => undefined);
          throw new SignetError('limit-exceeded', `The message is larger than Signet opens (${options.maxBytes} bytes).`);
        }
        let body: Uint8Array | null;
        try {
          body = await readBodyCapped(res, options.maxBytes);
        } catch (e) {
          throw new SignetError('network', `Microsoft Graph's answer broke off: ${e instanceof Error ? e.message : String(e)}.`, { cause: e });
        }
        if (body === null) throw new SignetError('limit-exceeded', `The message is larger than Signet opens (${options.maxBytes} bytes).`);
        if (body.length === 0) throw new SignetError('malformed-mime', 'Microsoft Graph returned an empty message.');
        return body;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
