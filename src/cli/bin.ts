// The `signet` process: standard input and output around main(). bin/signet.js runs the bundle of this
// file (scripts/bundle-cli.js); the tests run its tsc output, lib/src/cli/bin.js, which behaves the same.

import { fstatSync, readFileSync, readSync } from 'node:fs';
import { isatty } from 'node:tty';
import { main, type CliIo } from './main.js';
import { collectYoungGarbage } from './node-gc.js';
import { stdinPieces } from './stdin-pieces.js';

// Standard input that is not a regular file (a pipe: `signet sign | signet encrypt`) is read into ONE
// resizable ArrayBuffer that grows in place: no list of chunks plus a joined copy, which at 25 MB was a
// third of the peak memory. A synchronous read is tried first; a non-blocking pipe (EAGAIN) continues
// through the stream API into the same buffer (a synchronous read alone can stop early there).
const MAX_STDIN = 1 << 30;

async function readPipe(): Promise<Uint8Array> {
  const rab = new (ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => ResizableArrayBuffer)(0, { maxByteLength: MAX_STDIN });
  let len = 0;
  const room = (n: number): void => {
    if (rab.byteLength - len >= n) return;
    const want = Math.max(len + n, Math.min(MAX_STDIN, Math.max(1 << 20, rab.byteLength * 2)));
    if (want > MAX_STDIN) throw new Error('standard input is larger than 1 GiB');
    rab.resize(want);
  };
  if (isatty(0)) process.stderr.write('signet: reading the message from standard input (Ctrl-D to end)...\n');
  let eagain = false;
  for (;;) {
    room(1 << 16);
    let n: number;
    try {
      n = readSync(0, new Uint8Array(rab, len, rab.byteLength - len));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        eagain = true;
        break;
      }
      if (code !== 'EOF') throw e;
      n = 0;
    }
    if (n === 0) break;
    len += n;
  }
  if (eagain) {
    for await (const c of process.stdin as AsyncIterable<Buffer>) {
      room(c.length);
      new Uint8Array(rab, len, c.length).set(c);
      len += c.length;
    }
  }
  rab.resize(len);
  return new Uint8Array(rab);
}

/** Standard input through the stream API, on this thread: the fallback of stdinPieces(). */
async function* streamedStdin(): AsyncGenerator<Uint8Array, void, undefined> {
  let total = 0;
  for await (const c of process.stdin as AsyncIterable<Buffer>) {
    total += c.length;
    if (total > MAX_STDIN) throw new Error('standard input is larger than 1 GiB');
    yield new Uint8Array(c.buffer, c.byteOffset, c.byteLength);
  }
}

/** ES2024 resizable ArrayBuffer (Node 20), not yet in this TypeScript lib. */
interface ResizableArrayBuffer extends ArrayBuffer {
  resize(n: number): void;
}

const io: CliIo = {
  stdin: async () => {
    // A regular file on fd 0 (`< in.eml`) is read in one call, one allocation for a 150 MB message.
    if (fstatSync(0).isFile()) {
      const b = readFileSync(0);
      return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    }
    return readPipe();
  },
  // A pipe or socket only: a regular file is read in one call, and a terminal on this thread (a reader
  // thread blocked on a terminal would hold the process at exit until Ctrl-D).
  stdinChunks: () => (fstatSync(0).isFile() || isatty(0) ? null : stdinPieces(MAX_STDIN, streamedStdin)),
  // Resolves once the bytes are handed to the kernel: the caller then reuses the buffer (a full pipe
  // would otherwise still hold a reference to it).
  stdout: (b) =>
    new Promise<void>((resolve, reject) => {
      // Sign and encrypt stream their output: the ciphertext chunks behind it are garbage once written.
      collectYoungGarbage(b.length);
      process.stdout.write(typeof b === 'string' ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength), (e) => (e ? reject(e) : resolve()));
    }),
  stderr: (s) => {
    process.stderr.write(s);
  },
};

main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`signet: internal error: ${e instanceof Error && e.stack ? e.stack : String(e)}\n`);
    process.exitCode = 2;
  },
);
