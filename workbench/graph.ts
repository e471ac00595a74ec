// The workbench's simulated Microsoft Graph: `POST /me/sendMail` in MIME form, the one Graph call Signet
// makes to send. Request and responses follow Microsoft's documentation:
// - "user: sendMail" (https://learn.microsoft.com/graph/api/user-sendmail, v1.0): Authorization Bearer,
//   Content-Type `text/plain` for MIME content, the body the base64 of the whole message, `202 Accepted`
//   with an empty body; malformed base64 → 400 `ErrorMimeContentInvalidBase64String`.
// - "Send Outlook messages in MIME format" (https://learn.microsoft.com/graph/outlook-send-mime-message):
//   S/MIME signed and encrypted messages go in MIME form; the recipients are read from the MIME headers.
// - "Microsoft Graph error responses" (https://learn.microsoft.com/graph/errors): the JSON error shape
//   `{"error": {"code", "message"}}`, 401 for a missing or invalid token, 413 for a request over the 4 MB
//   that Graph accepts ("Use the Microsoft Graph API": requests are limited to 4 MB).
// - "Delete message" (https://learn.microsoft.com/graph/api/message-delete): `DELETE /me/messages/{id}`,
//   204 No Content; Signet removes the draft after a protected send. "Get MIME content of a message"
//   (https://learn.microsoft.com/graph/outlook-get-mime-message): `GET /me/messages/{id}/$value`.
// JSON sendMail, /users/{id}/sendMail and every other Graph resource are not simulated and say so.

import { fromBase64 } from '../src/core/bytes.js';
import { DeliveryRefusal, type RefusalReason } from './delivery.js';
import type { MailStore, SentRecord } from './mail-store.js';

/** Graph's request size limit, applied to the HTTP body (the base64 text), as Exchange Online applies it. */
export const GRAPH_MAX_REQUEST_BYTES = 4 * 1024 * 1024;

/** The token the workbench hands the pane instead of a Nested App Authentication token (office-shim.ts). */
export const WORKBENCH_ACCESS_TOKEN = 'workbench-token';

/** `POST {graphBase}/me/sendMail` with MIME content: the request shape this endpoint accepts. */
export interface GraphSendMimeRequest {
  method: 'POST';
  /** Below the version segment, e.g. "/me/sendMail". */
  path: '/me/sendMail';
  headers: {
    authorization: `Bearer ${string}`;
    /** MIME content; `application/json` would be the JSON form, not simulated. */
    'content-type': 'text/plain' | `text/plain;${string}`;
  };
  /** base64 of the RFC 5322 message; line breaks allowed (the documentation's example wraps at 76). */
  body: string;
}

/** Graph's error body ("Microsoft Graph error responses"). */
export interface GraphErrorBody {
  error: { code: string; message: string };
}

export interface GraphResponse {
  status: number;
  /** null for 202 Accepted / 204 No Content (no body); otherwise Graph's JSON error. */
  body: GraphErrorBody | null;
  /** GET $value: the message's MIME. */
  mime?: Uint8Array;
  headers?: Record<string, string>;
  /** Set when the message was accepted. */
  record?: SentRecord;
}

/** The parts of an HTTP request the simulated Graph looks at. */
export interface GraphHttpRequest {
  method: string;
  /** Path below `/graph/v1.0`. */
  path: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: Uint8Array;
}

function error(status: number, code: string, message: string, headers?: Record<string, string>): GraphResponse {
  return { status, body: { error: { code, message } }, ...(headers ? { headers } : {}) };
}

/** 401 responses for a missing or wrong token, as Graph words them ("Microsoft Graph error responses"). */
export function checkBearer(authorization: string | undefined, token: string): string | null {
  if (authorization === undefined || authorization.trim() === '') return 'Access token is empty.';
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!m || m[1] !== token) return 'Access token validation failure. Invalid audience.';
  return null;
}

const REFUSAL: Record<RefusalReason, { status: number; code: string }> = {
  'malformed-mime': { status: 400, code: 'ErrorMimeContentConversionFailed' },
  'malformed-address': { status: 400, code: 'ErrorInvalidRecipients' },
  'no-recipients': { status: 400, code: 'ErrorInvalidRecipients' },
  'send-as-denied': { status: 403, code: 'ErrorSendAsDenied' },
};

/** The 413 Graph answers for a request over GRAPH_MAX_REQUEST_BYTES (checked before the body is read). */
export function graphTooLarge(bytes: number): GraphResponse {
  return error(
    413,
    'RequestEntityTooLarge',
    `The request is ${bytes} bytes; Microsoft Graph accepts at most ${GRAPH_MAX_REQUEST_BYTES} bytes (4 MB, about 3 MB of message once base64-encoded).`,
  );
}

/** Graph's answer to a request forced to fail through POST /workbench/api/fail-next. */
export function graphForcedFailure(status: number): GraphResponse {
  const code = status === 429 ? 'TooManyRequests' : status === 503 ? 'ServiceUnavailable' : status === 504 ? 'GatewayTimeout' : status >= 500 ? 'InternalServerError' : 'BadRequest';
  return error(status, code, `Simulated failure (POST /workbench/api/fail-next asked for HTTP ${status}).`, status === 429 || status === 503 ? { 'Retry-After': '1' } : undefined);
}

/** Handles one request below /graph/v1.0 (the body already read, within the size limit). */
export function handleGraph(req: GraphHttpRequest, store: MailStore, token = WORKBENCH_ACCESS_TOKEN): GraphResponse {
  const message = /^\/me\/messages\/([^/]+)(\/\$value)?$/i.exec(req.path);
  if (message) return messageRequest(req, store, token, decodeURIComponent(message[1]!), message[2] !== undefined);
  if (!/^\/me\/sendmail$/i.test(req.path)) {
    return error(400, 'BadRequest', `Resource not found for the segment '${req.path.split('/').filter(Boolean).pop() ?? ''}'. The workbench simulates only POST /me/sendMail.`);
  }
  if (req.method !== 'POST') return error(405, 'Request_BadRequest', 'The sendMail action accepts POST only.', { Allow: 'POST' });
  const denied = checkBearer(req.authorization, token);
  if (denied !== null) return error(401, 'InvalidAuthenticationToken', denied, { 'WWW-Authenticate': 'Bearer' });
  const type = (req.contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'text/plain') {
    return error(
      415,
      'UnsupportedMediaType',
      type === 'application/json'
        ? 'JSON sendMail is not simulated: the workbench accepts the MIME form (Content-Type: text/plain, base64 body).'
        : `Content-Type ${JSON.stringify(req.contentType ?? '')} is not supported; use text/plain for MIME content.`,
    );
  }
  let eml: Uint8Array;
  try {
    eml = fromBase64(req.body);
  } catch {
    return error(400, 'ErrorMimeContentInvalidBase64String', 'Invalid base64 string for MIME content.');
  }
  if (eml.length === 0) return error(400, 'ErrorMimeContentInvalidBase64String', 'Invalid base64 string for MIME content.');
  try {
    const record = store.deliver(eml, 'graph');
    return { status: 202, body: null, record };
  } catch (e) {
    if (!(e instanceof DeliveryRefusal)) throw e;
    const r = REFUSAL[e.reason];
    return error(r.status, r.code, e.message);
  }
}

/** `DELETE /me/messages/{id}` (a saved draft) and `GET /me/messages/{id}/$value` (a delivered message). */
function messageRequest(req: GraphHttpRequest, store: MailStore, token: string, id: string, value: boolean): GraphResponse {
  const denied = checkBearer(req.authorization, token);
  if (denied !== null) return error(401, 'InvalidAuthenticationToken', denied, { 'WWW-Authenticate': 'Bearer' });
  const notFound = error(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
  if (req.method === 'DELETE' && !value) return store.deleteDraft(id) ? { status: 204, body: null } : notFound;
  if (req.method === 'GET' && value) {
    const mime = store.itemMime(id);
    return mime === null ? notFound : { status: 200, body: null, mime };
  }
  return error(405, 'Request_BadRequest', `${req.method} is not simulated for /me/messages/{id}${value ? '/$value' : ''}.`);
}
