#!/usr/bin/env node
// Entry point of the `signet` command line; the implementation is compiled from src/cli by `npm install`
// (the `prepare` script), so `npx signet` works right after installing.
import { fstatSync, readFileSync, readSync } from 'node:fs';
import { isatty } from 'node:tty';
import { main } from '../lib/src/cli/main.js';

// Standard input that is not a regular file (a pipe: `signet sign | signet encrypt`) is read into ONE
// resizable ArrayBuffer that grows in place: no list of chunks plus a joined copy, which at 25 MB was a
// third of the peak memory. A synchronous read is tried first; a non-blocking pipe (EAGAIN) continues
// through the stream API into the same buffer.
const MAX_STDIN = 1 << 30;
async function readPipe() {
  const rab = new ArrayBuffer(0, { maxByteLength: MAX_STDIN });
  let len = 0;
  const room = (n) => {
    if (rab.byteLength - len >= n) return;
    const want = Math.max(len + n, Math.min(MAX_STDIN, Math.max(1 << 20, rab.byteLength * 2)));
    if (want > MAX_STDIN) throw new Error('standard input is larger than 1 GiB');
    rab.resize(want);
  };
  if (isatty(0)) process.stderr.write('signet: reading the message from standard input (Ctrl-D to end)...\n');
  let sync = true;
  while (sync) {
    room(1 << 16);
    let n;
    try {
      n = readSync(0, new Uint8Array(rab, len, rab.byteLength - len));
    } catch (e) {
      if (e.code === 'EAGAIN') break;
      if (e.code === 'EOF') n = 0;
      else throw e;
    }
    if (n === 0) sync = false;
    else len += n;
  }
  if (sync) {
    for await (const c of process.stdin) {
      room(c.length);
      new Uint8Array(rab, len, c.length).set(c);
      len += c.length;
    }
  }
  rab.resize(len);
  return new Uint8Array(rab);
}

const io = {
  stdin: async () => {
    // A regular file on fd 0 (`< in.eml`) is read in one call, one allocation for a 150 MB message.
    if (fstatSync(0).isFile()) {
      const b = readFileSync(0);
      return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    }
    return readPipe();
  },
  // Resolves once the bytes are handed to the kernel: the caller then reuses the buffer (a pipe that is
  // full would otherwise still hold a reference to it).
  stdout: (b) =>
    new Promise((resolve, reject) => {
      process.stdout.write(typeof b === 'string' ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength), (e) => (e ? reject(e) : resolve()));
    }),
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
