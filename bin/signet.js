#!/usr/bin/env node
// Entry point of the `signet` command line; the implementation is compiled from src/cli by `npm install`
// (the `prepare` script), so `npx signet` works right after installing.
import { fstatSync, readFileSync } from 'node:fs';
import { main } from '../lib/src/cli/main.js';

const chunks = [];
const io = {
  stdin: async () => {
    // A regular file on fd 0 (`< in.eml`) is read in one call, one allocation for a 150 MB message.
    // Pipes and terminals go through the stream API (a synchronous read of a non-blocking pipe can stop
    // early with EAGAIN).
    if (fstatSync(0).isFile()) {
      const b = readFileSync(0);
      return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    }
    if (process.stdin.isTTY) {
      process.stderr.write('signet: reading the message from standard input (Ctrl-D to end)...\n');
    }
    for await (const c of process.stdin) chunks.push(c);
    return new Uint8Array(Buffer.concat(chunks));
  },
  stdout: (b) => {
    process.stdout.write(typeof b === 'string' ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));
  },
  stderr: (s) => process.stderr.write(s),
};
main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`signet: internal error: ${e && e.stack ? e.stack : e}\n`);
    process.exitCode = 2;
  },
);
