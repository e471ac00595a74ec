#!/usr/bin/env node
// Entry point of the `signet` command line, a CommonJS script: an ES module entry would start Node's
// module loader first (~5 ms of every run). It runs the esbuild bundle lib/cli/signet.cjs (built by
// `npm install` through the `prepare` script, or `npm run build:lib`; scripts/bundle-cli.js). Without a
// bundle (tsc only) it runs the compiled sources, lib/src/cli/bin.js, which behave the same.
//
// Code cache (issue 17): the bundle is compiled as a vm.Script with the V8 code cache of the previous run
// of the same command, so a run deserializes the bytecode it needs instead of parsing and compiling ~1.7 MB
// of JavaScript again (measured: `signet sign` of a small message 113 → 91 ms, `--help` 65 → 59-62 ms, on a
// 2-core machine where `node -e 0` takes 50 ms). Node 20 offers this for scripts only; Node ≥ 22.1 does
// the same for modules with module.enableCompileCache. The cache of each command is written when the
// process exits, if there was none or V8 rejected it (another Node version, other V8 flags):
// lib/cli/code-cache/<command>-<bundle size>-<bundle mtime>.bin, written to a temporary file and renamed,
// so concurrent runs never read a half-written one. V8 checks its own version, flags and the source length;
// the bundle's size and modification time in the name, and scripts/bundle-cli.js removing the folder on
// every build, keep a cache from being paired with other source text. A package folder that cannot be
// written (a read-only global install) simply runs without a cache. SIGNET_CODE_CACHE=0 turns it off.
'use strict';
const { existsSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');
const { pathToFileURL } = require('node:url');
const { Script } = require('node:vm');

const bundle = join(__dirname, '..', 'lib', 'cli', 'signet.cjs');
/** The commands with a cache of their own; anything else (--help, a typo) shares one. */
const COMMANDS = new Set(['sign', 'encrypt', 'decrypt', 'verify', 'inspect', 'serve']);

if (existsSync(bundle)) runBundle(bundle);
else void import(pathToFileURL(join(__dirname, '..', 'lib', 'src', 'cli', 'bin.js')).href);

function runBundle(file) {
  const source = readFileSync(file, 'latin1'); // ASCII only: checked by scripts/bundle-cli.js
  const useCache = process.env.SIGNET_CODE_CACHE !== '0';
  const { size, mtimeMs } = statSync(file);
  const command = COMMANDS.has(process.argv[2]) ? process.argv[2] : 'other';
  const cacheFile = join(dirname(file), 'code-cache', `${command}-${size}-${Math.trunc(mtimeMs)}.bin`);
  let cachedData;
  if (useCache) {
    try {
      cachedData = readFileSync(cacheFile);
    } catch {
      // none yet: this run writes it
    }
  }
  // The CommonJS wrapper, as Node's own loader builds it (one line: the bundle's line numbers stay right).
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
  if (useCache && (cachedData === undefined || script.cachedDataRejected)) {
    process.once('exit', () => writeCache(script, cacheFile));
  }
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
}

function writeCache(script, cacheFile) {
  const temporary = `${cacheFile}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(cacheFile), { recursive: true });
    writeFileSync(temporary, script.createCachedData());
    renameSync(temporary, cacheFile);
  } catch {
    // A folder that cannot be written: the next run compiles again, nothing else changes.
    try {
      unlinkSync(temporary);
    } catch {
      // nothing was written
    }
  }
}
