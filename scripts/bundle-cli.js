// Bundles the `signet` command line (src/cli/bin.ts) with esbuild into ONE CommonJS script,
// lib/cli/signet.cjs, which bin/signet.cjs compiles with V8's code cache (issue 17). One file to compile
// instead of ~100 modules resolved one by one is what brings `signet --help` near a bare `node -e 0`; a
// script (not an ES module) is what Node 20 can hand a code cache to (vm.Script cachedData — Node 20 has
// no compile cache for modules; `module.enableCompileCache` came with Node 22.1). V8 compiles lazily, so
// the modules a command does not call (fastify for `serve`, pkijs for `--help`) cost only reading their
// text; with a cache even their pre-parse is skipped.
//
//   node scripts/bundle-cli.js [outdir]      (npm run build:cli; `prepare` runs it after tsc)
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const BUNDLE_NAME = 'signet.cjs';

export async function bundleCli(outdir = resolve('lib/cli')) {
  // Also removes the code caches of the previous build (bin/signet.cjs keeps them in outdir/code-cache).
  rmSync(outdir, { recursive: true, force: true });
  const outfile = join(outdir, BUNDLE_NAME);
  const result = await build({
    entryPoints: [resolve('src/cli/bin.ts')],
    outfile,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    minify: true,
    legalComments: 'none',
    // The sources use import.meta.url (createRequire for lazily loaded built-ins); in a script it is the
    // bundle's own URL, computed once.
    banner: { js: 'var __signetModuleUrl=require("node:url").pathToFileURL(__filename).href;' },
    define: { 'import.meta.url': '__signetModuleUrl' },
    charset: 'ascii',
    metafile: true,
    logLevel: 'warning',
  });
  // bin/signet.cjs reads the bundle as latin1 (one byte per character, no UTF-8 decoding) and runs it as a
  // script without a module loader: both hold only for ASCII text with no import() left in it.
  const text = readFileSync(outfile, 'latin1');
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(text)) throw new Error(`${outfile}: non-ASCII output`);
  if (/(?<![\w$.])import\s*\(/.test(text)) throw new Error(`${outfile}: a dynamic import() was left in the bundle`);
  return result.metafile;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  const meta = await bundleCli(process.argv[2] ? resolve(process.argv[2]) : undefined);
  const [file, out] = Object.entries(meta.outputs).find(([f]) => f.endsWith(BUNDLE_NAME)) ?? [];
  console.log(`signet CLI bundle: ${file} ${(out?.bytes / 1000).toFixed(0)} KB`);
}
