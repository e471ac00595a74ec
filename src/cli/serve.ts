// `signet serve`: the organisation host with the revocation relay (src/host/; docs/ADMIN.md, "Organisation
// host and revocation relay"). Its own module, loaded by main.ts only for this command, so the other
// commands never load Fastify.
//
//   signet serve [--config FILE] [--root DIR] [--port N] [--address ADDR] [--policy FILE]
//
// Configuration: FILE (JSON), then SIGNET_* environment variables, then these flags. Runs until SIGINT or
// SIGTERM, then closes gracefully (in-flight requests finish) and exits 0.

import { parseArgs } from 'node:util';
import { SignetError } from '../core/errors.js';
import { loadHostConfig } from '../host/config.js';
import { buildHost } from '../host/server.js';


export async function serve(args: string[], io: { stderr: (s: string) => void }, env: Record<string, string | undefined> = process.env): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: { config: { type: 'string' }, root: { type: 'string' }, port: { type: 'string' }, address: { type: 'string' }, policy: { type: 'string' } },
    }).values;
  } catch (e) {
    throw new SignetError('usage', (e as Error).message);
  }
  const flags: Record<string, string> = {};
  if (values.root) flags['root'] = values.root;
  if (values.port) flags['port'] = values.port;
  if (values.address) flags['address'] = values.address;
  if (values.policy) flags['policyFile'] = values.policy;
  const config = loadHostConfig({ file: values.config ?? env['SIGNET_CONFIG'] ?? null, env, flags });
  const host = await buildHost(config);
  const address = await host.app.listen({ port: config.port, host: config.address });
  io.stderr(`signet: serving ${config.root} at ${address}${config.relay ? ' with the revocation relay at /relay' : ''}\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void host.app.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}
