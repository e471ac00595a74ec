// The development server for real Outlook (npm run sideload, npm run dev-server): the development build in
// dist/ over HTTPS on https://localhost:3000 with the localhost certificate of office-addin-dev-certs, as
// Microsoft's Office add-in templates serve it ("Office-Addin-TaskPane" template: webpack dev server with
// `devCerts.getHttpsServerOptions()`). Real Outlook loads add-in pages only over HTTPS. The pages use
// Microsoft's CDN office.js (`webpack --env outlook`), not the workbench's local copy, and no workbench page
// or simulated service is involved: what runs is the add-in against the real Outlook and Microsoft Graph.
//
// First run on a developer's Windows or Mac machine: `npm run dev-certs` (installs and trusts the
// development CA; asks for permission), then `npm run sideload` (office-addin-debugging starts this server
// and sideloads dist/manifest.dev-https.xml into Outlook) and `npm run stop` to remove it again.

import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, type RunningServer } from './server.js';

export const DEV_HTTPS_PORT = 3000;

/** The server for `dist` with the given TLS key pair; bound to loopback (the developer's own Outlook). */
export function startOutlookDevServer(root: string, tls: { key: string | Buffer; cert: string | Buffer; ca?: string | Buffer }, port = DEV_HTTPS_PORT): Promise<RunningServer> {
  return startServer({ port, root, tls, host: '127.0.0.1' });
}

async function main(): Promise<void> {
  // office-addin-dev-certs keeps its CA and localhost certificate in ~/.office-addin-dev-certs and creates
  // (and, on Windows and macOS, trusts) them when missing.
  const { getHttpsServerOptions } = await import('office-addin-dev-certs');
  const tls = await getHttpsServerOptions();
  const root = resolve(fileURLToPath(new URL('../../dist', import.meta.url)));
  const server = await startOutlookDevServer(root, tls);
  console.log(`Signet for real Outlook: ${server.url.replace('127.0.0.1', 'localhost')} (dist/, HTTPS). Sideload dist/manifest.dev-https.xml, or run npm run sideload.`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  });
}
