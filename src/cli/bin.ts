// The `signet` process: standard input and output around main(). bin/signet.cjs runs the bundle of this
// file (scripts/bundle-cli.js); the tests run its tsc output, lib/src/cli/bin.js, which behaves the same.

import { fstatSync, readFileSync, readSync, writeSync } from 'node:fs';
import { isatty } from 'node:tty';
import { SignetError } from '../core/errors.js';
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

/**
 * Standard output, written with blocking write(2) calls on file descriptor 1 as the shell gave it. Through
 * process.stdout a pipe is non-blocking: 25 MB to a downstream `signet encrypt` went out 64 KB per
 * event-loop turn (~35 ms), where the kernel alone passes it in ~10 (issue 17). A descriptor that is
 * non-blocking all the same (EAGAIN) switches this process to process.stdout for good, so that nothing
 * written later overtakes what it still holds.
 */
let streamed = false;
function writeStdout(bytes: Uint8Array): void | Promise<void> {
  let off = 0;
  while (!streamed && off < bytes.length) {
    try {
      off += writeSync(1, bytes, off, bytes.length - off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') throw new SignetError('io', 'Standard output was closed before the whole message was written (the program reading it stopped).', { cause: e });
      if (code !== 'EAGAIN') throw e;
      streamed = true;
    }
  }
  if (off >= bytes.length) return;
  const rest = bytes.subarray(off);
  return new Promise<void>((resolve, reject) => {
    process.stdout.write(Buffer.from(rest.buffer, rest.byteOffset, rest.byteLength), (e) => (e ? reject(e) : resolve()));
  });
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
  // Done once the bytes are handed to the kernel: the caller then reuses the buffer.
  stdout: (b) => {
    // Sign and encrypt stream their output: the ciphertext chunks behind it are garbage once written.
    collectYoungGarbage(b.length);
    return writeStdout(typeof b === 'string' ? Buffer.from(b) : b);
  },
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
