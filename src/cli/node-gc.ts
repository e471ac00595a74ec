// Young-generation garbage collection on demand, for the command line only. Streaming a message through
// WebCrypto and node:crypto leaves one garbage buffer per chunk (hundreds of KB each). V8 frees them only
// when it collects, and a process that allocates almost nothing else on its heap does not collect for tens
// of MB — at 25 MB that was a third of the peak memory. A young-generation collection takes about a
// millisecond (the heap is small); one every 8 MB of such buffers keeps them from piling up.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as ((o: { type: 'minor' }) => void) | undefined;
const EVERY = 8 << 20;
let since = 0;

/** Counts `bytes` of new garbage-to-be; collects the young generation every 8 MB. */
export function collectYoungGarbage(bytes: number): void {
  since += bytes;
  if (since < EVERY || typeof gc !== 'function') return;
  since = 0;
  gc({ type: 'minor' });
}
