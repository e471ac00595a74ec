// Standard input from a pipe, read on a thread of its own, as pieces of up to PIECE bytes (issue 17).
//
// Why a thread: a pipe holds 64 KB (pipe(7)), so a writer such as `signet sign` upstream only makes
// progress while this process is inside read(). Read and process on one thread and the two alternate:
// at 25 MB, `sign | encrypt` spent ~150 ms passing the message 64 KB at a time while encrypt's own work
// was ~60 ms. A worker thread that does nothing but blocking reads keeps the pipe drained while the main
// thread encrypts and encodes, so the writer is never held up by the reader's work. A Node worker costs
// ~20 ms to start; it starts once the command has checked its arguments and certificates, while the key
// file is read, still long before an upstream `signet sign` writes its first byte.
//
// A thread blocked in read(2) cannot be interrupted, and Node waits for its workers when it exits. So the
// reader is started only when the command is about to consume the whole input, never for a terminal
// (bin.ts reads a terminal on the main thread), and a consumer that stops early (an error midway) raises a
// stop flag: the reader ends after its current read — at once while an upstream writer is still writing.
//
// The worker's source is a string (eval), so the esbuild bundle needs no second entry point. Each piece's
// ArrayBuffer is transferred, not copied. A non-blocking pipe (EAGAIN from read(2)), or a platform where
// the worker cannot start, falls back to reading on the main thread through the stream API.

import { createRequire } from 'node:module';
import type * as WorkerThreads from 'node:worker_threads';
import { SignetError } from '../core/errors.js';

/** Bytes per piece: one AES-CBC chunk of `signet encrypt` (cms/envelope.ts, CBC_CHUNK_BYTES). */
export const PIECE = 1 << 19;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { readSync } = require('node:fs');
const PIECE = workerData.piece;
const stop = new Int32Array(workerData.stop);
let total = 0;
while (Atomics.load(stop, 0) === 0) {
  const piece = new Uint8Array(PIECE);
  let len = 0;
  let eof = false;
  let error = null;
  while (len < PIECE) {
    let n;
    try {
      n = readSync(0, piece, len, PIECE - len, null);
    } catch (e) {
      if (e && e.code === 'EOF') n = 0;
      else { error = e && e.code ? e.code : String(e); break; }
    }
    if (n === 0) { eof = true; break; }
    len += n;
  }
  total += len;
  if (len > 0) parentPort.postMessage({ type: 'piece', buffer: piece.buffer, length: len }, [piece.buffer]);
  if (error !== null) { parentPort.postMessage({ type: 'error', code: error }); break; }
  if (eof) { parentPort.postMessage({ type: 'end' }); break; }
  if (total > workerData.max) { parentPort.postMessage({ type: 'error', code: 'E2BIG' }); break; }
}
`;

type FromReader = { type: 'piece'; buffer: ArrayBuffer; length: number } | { type: 'end' } | { type: 'error'; code: string };

/**
 * The pieces of standard input, in order, as they arrive. The reader thread starts now, not at the first
 * read, so that its start-up overlaps the rest of the command's own. `max` bounds the total
 * (limit-exceeded beyond it). The consumer owns each piece. Pieces read ahead while the consumer is busy
 * wait in memory: never more than the message itself, which the whole-message path held anyway.
 */
export function stdinPieces(max: number, fallback: () => AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  let worker: WorkerThreads.Worker;
  const stop = new Int32Array(new SharedArrayBuffer(4));
  try {
    // Loaded here, not at start-up: only `encrypt` from a pipe uses a worker (every other command, and
    // `signet --help`, would otherwise compile node:worker_threads for nothing).
    const { Worker } = createRequire(import.meta.url)('node:worker_threads') as typeof WorkerThreads;
    worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { piece: PIECE, max, stop: stop.buffer }, stdin: false, stdout: false, stderr: false });
  } catch {
    return fallback();
  }
  worker.unref();
  const queue: FromReader[] = [];
  let wake: (() => void) | null = null;
  const push = (m: FromReader): void => {
    queue.push(m);
    wake?.();
    wake = null;
  };
  worker.on('message', (m: FromReader) => push(m));
  worker.on('error', (e: Error) => push({ type: 'error', code: e.message }));
  return (async function* (): AsyncGenerator<Uint8Array, void, undefined> {
    try {
      for (;;) {
        if (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
        const m = queue.shift()!;
        if (m.type === 'piece') yield new Uint8Array(m.buffer, 0, m.length);
        else if (m.type === 'end') return;
        else if (m.code === 'EAGAIN') {
          // A non-blocking pipe: what is left is read on this thread.
          yield* fallback();
          return;
        } else if (m.code === 'E2BIG') {
          throw new SignetError('limit-exceeded', `Standard input is larger than ${max} bytes.`);
        } else {
          throw new SignetError('io', `Cannot read standard input: ${m.code}.`);
        }
      }
    } finally {
      // Normally the reader has ended at end of input; after an early stop it ends after its current read.
      Atomics.store(stop, 0, 1);
    }
  })();
}
