// HTTP side of the workbench's simulated Exchange, mounted on the workbench server (same origin as the
// pane, 127.0.0.1): Microsoft Graph under /graph/v1.0 (graph.ts), EWS at /ews/exchange.asmx (ews.ts), and
// the workbench's own API under /workbench/api/ — the delivered mailbox for the host page, Outlook's own
// plain send, and two hooks for tests:
//   GET  /workbench/api/sent        every accepted send: {"sent": [{id, kind: "graph"|"ews"|"outlook", at,
//                                   mime (base64 of the bytes as submitted), sentItemsId, inboxId, recipients}]}
//   POST /workbench/api/fail-next   {"status": 503}: the next Graph or EWS call fails with that HTTP status.
// A POST is accepted only from the workbench's own origin (and with a non-"simple" content type or an
// Authorization header, so a browser must preflight it): a web page in the developer's browser cannot
// drop mail into the simulated mailbox or arm the failure hook.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { toBase64 } from '../src/core/bytes.js';
import { DeliveryRefusal } from './delivery.js';
import { EWS_MAX_REQUEST_BYTES, handleEws } from './ews.js';
import { GRAPH_MAX_REQUEST_BYTES, WORKBENCH_ACCESS_TOKEN, checkBearer, graphForcedFailure, graphTooLarge, handleGraph, type GraphResponse } from './graph.js';
import type { MailStore } from './mail-store.js';

export const GRAPH_PATH = '/graph/v1.0';
export const EWS_PATH = '/ews/exchange.asmx';
export const API_PATH = '/workbench/api/';

/** Outlook's own send of a plain message: the MIME the compose form built (host.ts). */
const OUTLOOK_MAX_BYTES = EWS_MAX_REQUEST_BYTES;

const API_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

export interface TransportOptions {
  store: MailStore;
  /** The bearer token Graph and EWS accept (default "workbench-token"). */
  accessToken?: string;
}

function reply(res: ServerResponse, status: number, body: string | null, type: string, extra: Record<string, string> = {}): void {
  const headers: Record<string, string> = { ...API_HEADERS, ...extra };
  if (body !== null) {
    headers['Content-Type'] = type;
    headers['Content-Length'] = String(Buffer.byteLength(body));
  } else headers['Content-Length'] = '0';
  res.writeHead(status, headers);
  res.end(body ?? undefined);
}

function json(res: ServerResponse, status: number, value: unknown, extra: Record<string, string> = {}): void {
  reply(res, status, JSON.stringify(value), 'application/json; charset=utf-8', extra);
}

function graphReply(res: ServerResponse, r: GraphResponse): void {
  if (r.mime !== undefined) {
    res.writeHead(r.status, { ...API_HEADERS, 'Content-Type': 'text/plain', 'Content-Length': String(r.mime.length) });
    res.end(r.mime);
  } else if (r.body === null) reply(res, r.status, null, '', r.headers);
  else json(res, r.status, r.body, r.headers);
}

/**
 * Reads a request body of at most `max` bytes. Over the limit (by Content-Length, or while streaming)
 * it stops keeping data and resolves `{ tooLarge }` once the client has finished sending, so the client
 * reads the refusal instead of a reset connection.
 */
function readBody(req: IncomingMessage, max: number): Promise<{ body: Uint8Array } | { tooLarge: number }> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    const chunks: Buffer[] = [];
    let size = 0;
    let over = Number.isFinite(declared) && declared > max;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) over = true;
      if (!over) chunks.push(chunk);
      // A client that keeps sending far past the limit is cut off.
      if (size > max * 4) req.destroy();
    });
    req.on('end', () => resolve(over ? { tooLarge: Math.max(size, Number.isFinite(declared) ? declared : 0) } : { body: new Uint8Array(Buffer.concat(chunks)) }));
    req.on('error', reject);
  });
}

/** Same-origin check for state-changing requests: Host must be the loopback server, Origin (when sent) equal. */
function sameOrigin(req: IncomingMessage): boolean {
  const host = req.headers.host ?? '';
  if (!/^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/i.test(host)) return false;
  const origin = req.headers.origin;
  return origin === undefined || origin === `http://${host}`;
}

export class Transport {
  private failNext: number | null = null;
  private readonly token: string;

  constructor(private readonly options: TransportOptions) {
    this.token = options.accessToken ?? WORKBENCH_ACCESS_TOKEN;
  }

  /** Whether `path` (without query) belongs here. */
  static owns(path: string): boolean {
    const p = path.toLowerCase();
    return p === GRAPH_PATH || p.startsWith(`${GRAPH_PATH}/`) || p === EWS_PATH || p.startsWith(API_PATH);
  }

  async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD' && !sameOrigin(req)) {
      json(res, 403, { error: { code: 'Forbidden', message: 'Only the workbench page itself may call this endpoint.' } });
      req.resume();
      return;
    }
    const lower = path.toLowerCase();
    if (lower.startsWith(GRAPH_PATH)) return this.graph(req, res, path.slice(GRAPH_PATH.length));
    if (lower === EWS_PATH) return this.ews(req, res);
    return this.api(req, res, path.slice(API_PATH.length));
  }

  /** Consumes the armed failure, if any (one call only). */
  private takeFailure(): number | null {
    const status = this.failNext;
    this.failNext = null;
    return status;
  }

  private async graph(req: IncomingMessage, res: ServerResponse, sub: string): Promise<void> {
    const failure = this.takeFailure();
    if (failure !== null) {
      req.resume();
      return graphReply(res, graphForcedFailure(failure));
    }
    // Authentication before reading a possibly large body, as Graph's front door does.
    if (req.method === 'POST' && /^\/me\/sendmail$/i.test(sub)) {
      const denied = checkBearer(req.headers.authorization, this.token);
      if (denied !== null) {
        req.resume();
        return graphReply(res, { status: 401, body: { error: { code: 'InvalidAuthenticationToken', message: denied } }, headers: { 'WWW-Authenticate': 'Bearer' } });
      }
    }
    const read = await readBody(req, GRAPH_MAX_REQUEST_BYTES);
    if ('tooLarge' in read) return graphReply(res, graphTooLarge(read.tooLarge));
    graphReply(
      res,
      handleGraph({ method: req.method ?? 'GET', path: sub, authorization: req.headers.authorization, contentType: req.headers['content-type'], body: read.body }, this.options.store, this.token),
    );
  }

  private async ews(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') {
      req.resume();
      return reply(res, 405, 'EWS accepts SOAP requests by POST.\n', 'text/plain; charset=utf-8', { Allow: 'POST' });
    }
    const failure = this.takeFailure();
    if (failure !== null) {
      req.resume();
      return reply(res, failure, `Simulated failure (POST /workbench/api/fail-next asked for HTTP ${failure}).\n`, 'text/plain; charset=utf-8');
    }
    if (checkBearer(req.headers.authorization, this.token) !== null) {
      req.resume();
      return reply(res, 401, 'Unauthorized\n', 'text/plain; charset=utf-8', { 'WWW-Authenticate': 'Bearer' });
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'text/xml') {
      req.resume();
      return reply(res, 415, 'EWS expects a SOAP 1.1 request (Content-Type: text/xml; charset=utf-8).\n', 'text/plain; charset=utf-8');
    }
    const read = await readBody(req, EWS_MAX_REQUEST_BYTES);
    if ('tooLarge' in read) return reply(res, 413, `The request is larger than ${EWS_MAX_REQUEST_BYTES} bytes.\n`, 'text/plain; charset=utf-8');
    const r = handleEws(read.body, this.options.store);
    reply(res, r.status, r.xml, 'text/xml; charset=utf-8');
  }

  private async api(req: IncomingMessage, res: ServerResponse, route: string): Promise<void> {
    const method = req.method ?? 'GET';
    const store = this.options.store;
    if (route === 'sent' && (method === 'GET' || method === 'HEAD')) {
      const sent = store.sent().map((s) => ({ ...s, mime: toBase64(store.read(s.file) ?? new Uint8Array()) }));
      return json(res, 200, { sent });
    }
    if (route === 'mailbox' && (method === 'GET' || method === 'HEAD')) {
      return json(res, 200, { owner: store.owner, messages: store.messages() });
    }
    if (route.startsWith('files/') && (method === 'GET' || method === 'HEAD')) {
      const bytes = store.read(decodeURIComponent(route.slice('files/'.length)));
      if (bytes === null) return reply(res, 404, 'Not Found\n', 'text/plain; charset=utf-8');
      res.writeHead(200, { ...API_HEADERS, 'Content-Type': route.endsWith('.p7m') ? 'application/pkcs7-mime' : 'message/rfc822', 'Content-Length': String(bytes.length) });
      res.end(method === 'HEAD' ? undefined : bytes);
      return;
    }
    if (route === 'drafts' && method === 'POST') {
      // item.saveAsync: the draft now exists on the (simulated) server and has an EWS id.
      const read = await readBody(req, 64 * 1024);
      if (!('body' in read) || !isJson(req)) return json(res, 400, { error: { code: 'BadRequest', message: 'Send {"subject": "…"} as application/json.' } });
      let subject = '';
      try {
        const value = JSON.parse(new TextDecoder().decode(read.body)) as { subject?: unknown };
        subject = typeof value?.subject === 'string' ? value.subject : '';
      } catch {
        return json(res, 400, { error: { code: 'BadRequest', message: 'The body is not JSON.' } });
      }
      return json(res, 201, { id: store.saveDraft(subject) });
    }
    if (route === 'drafts' && (method === 'GET' || method === 'HEAD')) return json(res, 200, { drafts: store.draftIds() });
    if (route === 'fail-next' && method === 'POST') {
      const read = await readBody(req, 1024);
      const status = 'body' in read && isJson(req) ? parseFailNext(read.body) : null;
      if (status === null) return json(res, 400, { error: { code: 'BadRequest', message: 'Send {"status": N} with N an HTTP error status from 400 to 599, as application/json.' } });
      this.failNext = status;
      return reply(res, 204, null, '');
    }
    if (route === 'deliver' && method === 'POST') {
      // Outlook's own send: the compose form's plain MIME, after the send handlers allowed it.
      if ((req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase() !== 'message/rfc822') {
        req.resume();
        return json(res, 415, { error: { code: 'UnsupportedMediaType', message: 'Send the message as message/rfc822.' } });
      }
      const read = await readBody(req, OUTLOOK_MAX_BYTES);
      if ('tooLarge' in read) return json(res, 413, { error: { code: 'RequestEntityTooLarge', message: 'The message is too large.' } });
      try {
        const record = store.deliver(read.body, 'outlook');
        return json(res, 202, { id: record.id, sentItemsId: record.sentItemsId, inboxId: record.inboxId });
      } catch (e) {
        if (!(e instanceof DeliveryRefusal)) throw e;
        return json(res, 400, { error: { code: e.reason, message: e.message } });
      }
    }
    req.resume();
    json(res, 404, { error: { code: 'NotFound', message: `No workbench API ${method} /workbench/api/${route}.` } });
  }
}

function isJson(req: IncomingMessage): boolean {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase() === 'application/json';
}

function parseFailNext(body: Uint8Array): number | null {
  try {
    const value = JSON.parse(new TextDecoder().decode(body)) as { status?: unknown };
    const status = value?.status;
    return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599 ? status : null;
  } catch {
    return null;
  }
}
