#!/usr/bin/env node
// Entry point of the `signet` command line; the implementation is compiled from src/cli by `npm install`
// (the `prepare` script), so `npx signet` works right after installing.
import { main } from '../lib/src/cli/main.js';

const chunks = [];
const io = {
  stdin: async () => {
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
