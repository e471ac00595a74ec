// Young-generation garbage collection on demand, for the command line only. Streaming a message through
// WebCrypto and node:crypto leaves one garbage buffer per chunk (hundreds of KB each). V8 frees them only
// when it collects, and a process that allocates almost nothing else on its heap does not collect for tens
// of MB — at 25 MB that was a third of the peak memory. A young-generation collection takes about a
// millisecond (the heap is small); one every 8 MB of such buffers keeps them from piling up.

import { createRequire } from 'node:module';
import type * as V8 from 'node:v8';
import type * as Vm from 'node:vm';

const EVERY = 8 << 20;
let since = 0;
// Made on first use, not at start-up: a command that writes little (`--help`, a small message) never
// builds the extra V8 context that exposing gc() takes.
let gc: ((o: { type: 'minor' }) => void) | undefined | null = null;

/** Counts `bytes` of new garbage-to-be; collects the young generation every 8 MB. */
export function collectYoungGarbage(bytes: number): void {
  since += bytes;
  if (since < EVERY) return;
  since = 0;
  if (gc === null) {
    const require = createRequire(import.meta.url);
    const v8 = require('node:v8') as typeof V8;
    v8.setFlagsFromString('--expose-gc');
    gc = (require('node:vm') as typeof Vm).runInNewContext('gc') as ((o: { type: 'minor' }) => void) | undefined;
    // The flag back as it was: V8 stamps a code cache with a hash of its flags, and bin/signet.cjs writes
    // the command's cache at exit — stamped with --expose-gc, every later run (which starts without it)
    // would reject the cache and compile everything again. The gc function made above stays.
    v8.setFlagsFromString('--no-expose-gc');
  }
  if (typeof gc === 'function') gc({ type: 'minor' });
}
