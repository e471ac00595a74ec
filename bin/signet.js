#!/usr/bin/env node
// Entry point of the `signet` command line. It runs the esbuild bundle lib/cli/signet.js (built by
// `npm install` through the `prepare` script, or `npm run build:lib`): one file and a few lazily loaded
// chunks start much faster than ~100 compiled modules (issue 17). Without a bundle (tsc only) it runs
// the compiled sources, lib/src/cli/bin.js, which behave the same.
import { existsSync } from 'node:fs';

const bundle = new URL('../lib/cli/signet.js', import.meta.url);
await import(existsSync(bundle) ? bundle.href : new URL('../lib/src/cli/bin.js', import.meta.url).href);
