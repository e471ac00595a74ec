// A Microsoft Graph stand-in on 127.0.0.1 for handler and security tests: `POST /v1.0/me/sendMail`
// (text/plain base64 MIME, Bearer token; 202), `DELETE /v1.0/me/messages/{id}` (204), and the policy file
// at `/signet-policy.json`. Failures are queued per test; every request and every delivered message is
// recorded, so a test can assert exactly what left.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Delivered {
  mime: Buffer;
}

export interface MailServer {
  origin: string;
  graphBase: string;
  token: string;
  requests: { method: string; url: string; authorization: string | undefined; contentType: string | undefined }[];
  delivered: Delivered[];
  /** Replies used, in order, before the default behaviour. */
  failNext: ({ status: number; headers?: Record<string, string>; body?: string } | 'hang' | 'drop')[];
  /** The policy document served, or a status to fail with. */
  policy: string | { status: number };
  reset(): void;
  close(): Promise<void>;
}

export async function startMailServer(): Promise<MailServer> {
  const state: Omit<MailServer, 'origin' | 'graphBase' | 'close' | 'reset'> = {
    token: 'test-token',
    requests: [],
    delivered: [],
    failNext: [],
    policy: JSON.stringify({ policyVersion: 1 }),
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '';
      state.requests.push({ method: req.method ?? '', url, authorization: req.headers.authorization, contentType: req.headers['content-type'] });
      if (url === '/signet-policy.json') {
        if (typeof state.policy === 'string') {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(state.policy);
        } else {
          res.writeHead(state.policy.status);
          res.end();
        }
        return;
      }
      const fail = state.failNext.shift();
      if (fail === 'hang') return;
      if (fail === 'drop') {
        req.socket.destroy();
        return;
      }
      if (fail) {
        res.writeHead(fail.status, { 'Content-Type': 'application/json', ...(fail.headers ?? {}) });
        res.end(fail.body ?? JSON.stringify({ error: { code: 'ServiceUnavailable', message: 'Simulated failure.' } }));
        return;
      }
      if (req.headers.authorization !== `Bearer ${state.token}`) {
        res.writeHead(401, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'InvalidAuthenticationToken', message: 'Access token is empty.' } }));
        return;
      }
      if (req.method === 'POST' && url === '/v1.0/me/sendMail' && req.headers['content-type'] === 'text/plain') {
        state.delivered.push({ mime: Buffer.from(Buffer.concat(chunks).toString('latin1'), 'base64') });
        res.writeHead(202);
        res.end();
        return;
      }
      if (req.method === 'DELETE' && url.startsWith('/v1.0/me/messages/')) {
        res.writeHead(204);
        res.end();
        return;
      }
      res.writeHead(400, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'BadRequest', message: `Unexpected ${req.method} ${url}` } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const s = state as MailServer;
  s.origin = origin;
  s.graphBase = `${origin}/v1.0`;
  s.reset = () => {
    state.requests.length = 0;
    state.delivered.length = 0;
    state.failNext.length = 0;
    state.policy = JSON.stringify({ policyVersion: 1 });
  };
  s.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return s;
}
