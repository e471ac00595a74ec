// Bundles the `signet` command line (src/cli/bin.ts) with esbuild into lib/cli/: signet.js holds what
// every command needs (argument parsing, usage, errors); each module that main.ts imports lazily becomes
// a chunk read only by the commands that use it. One file to compile instead of ~100 modules resolved
// one by one is what brings `signet --help` near a bare `node -e 0` (issue 17). bin/signet.js runs it.
//
//   node scripts/bundle-cli.js [outdir]      (npm run build:cli; `prepare` runs it after tsc)
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';

export async function bundleCli(outdir = resolve('lib/cli')) {
  rmSync(outdir, { recursive: true, force: true });
  const result = await build({
    entryPoints: { signet: resolve('src/cli/bin.ts') },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    minify: true,
    legalComments: 'none',
    chunkNames: 'chunk-[hash]',
    metafile: true,
    logLevel: 'warning',
  });
  return result.metafile;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  const meta = await bundleCli(process.argv[2] ? resolve(process.argv[2]) : undefined);
  const outputs = Object.entries(meta.outputs);
  const entry = outputs.find(([f]) => f.endsWith('/signet.js'));
  console.log(`signet CLI bundle: ${entry?.[0]} ${(entry?.[1].bytes / 1000).toFixed(0)} KB + ${outputs.length - 1} lazy chunks`);
}
