// A node:http server on 127.0.0.1 with an ephemeral port. Its own module, free of node:child_process, so
// that the tests which use it without OpenSSL (the relay's) stay in the fast tier (scripts/run-tests.js).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export interface LocalServer {
  port: number;
  url(path: string): string;
  close(): Promise<void>;
}

/** A node:http server on 127.0.0.1 (ephemeral port) with the given handler. */
export function startHttpServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<LocalServer> {
  return new Promise((resolve, reject) => {
    const server = createServer(handler);
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      resolve({
        port,
        url: (p) => `http://127.0.0.1:${port}${p}`,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}
