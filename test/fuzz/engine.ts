// The fuzz campaign (not a test file): picks a target, makes an input (seed mutation, splice, fast-check
// structured sample, or a stretched input of 512 KB-1 MB), runs it in the worker with a deadline, and
// keeps what the oracle rejects: a non-SignetError escaping (crash), an input that does not finish within
// the deadline even when re-run with four times as long (hang), or a worker that runs out of its capped
// heap or whose retained heap keeps growing (memory). Findings are deduplicated by target, kind and the
// top of the stack, shrunk when they are crashes, and written to a findings folder.

import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { fromBase64, latin1 } from '../../src/core/bytes.js';
import { parseMime } from '../../src/core/mime/parser.js';
import type fc from 'fast-check';
import {
  DER_TOKENS,
  JSON_TOKENS,
  MIME_TOKENS,
  PEM_TOKENS,
  Rng,
  derArbitrary,
  mimeArbitrary,
  mutate,
  pemArbitrary,
  policyArbitrary,
  sample,
  stretch,
} from './generators.js';
import { SYNTHETIC_MESSAGES, defaultRoots, helperPki, seedFiles } from './seeds.js';
import type { Outcome } from './worker.js';

export type TargetName = 'mime' | 'open' | 'open-identity' | 'cms' | 'identity' | 'policy';
export const TARGET_NAMES: readonly TargetName[] = ['mime', 'open', 'open-identity', 'cms', 'identity', 'policy'];

interface TargetSpec {
  seeds: Uint8Array[];
  dict: readonly Uint8Array[];
  arb: fc.Arbitrary<Uint8Array>;
}

const MAX_SEEDS = 400;

/** The DER inside every application/pkcs7-* part of the MIME seeds (opaque and detached signatures, envelopes). */
function cmsFromMessages(messages: readonly Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const m of messages) {
    try {
      const stack = [parseMime(m)];
      while (stack.length > 0) {
        const e = stack.pop()!;
        stack.push(...e.children);
        if (e.type.includes('pkcs7')) out.push(e.decodeBody());
      }
    } catch {
      // not parseable: not a source of DER
    }
  }
  return out;
}

export function loadTargets(): Record<TargetName, TargetSpec> {
  const roots = defaultRoots();
  const messages = [...SYNTHETIC_MESSAGES, ...seedFiles(['.eml', '.message', '.mime'], roots).map((f) => f.bytes)].slice(0, MAX_SEEDS);
  const der = [...cmsFromMessages(messages), ...seedFiles(['.bin', '.env', '.p7m', '.p7s', '.der', '.sig', '.crl', '.cer'], roots).map((f) => f.bytes)];
  for (const f of seedFiles(['.pem', '.crt'], roots)) {
    const text = latin1(f.bytes);
    const m = /-----BEGIN [A-Z0-9 ]+-----([A-Za-z0-9+/=\s]+)-----END/.exec(text);
    if (m) {
      try {
        der.push(fromBase64(m[1]!));
      } catch {
        // not base64
      }
    } else der.push(f.bytes);
  }
  const identity = seedFiles(['.p12', '.pfx', '.pem', '.pri', '.crt', '.key', '.p7c', '.cer'], roots).map((f) => f.bytes);
  if (!identity.some((b) => b[0] === 0x30)) {
    // No corpus: the test PKI's .p12 and certificate files.
    const h = helperPki();
    identity.push(...h.p12, ...h.pem, h.root);
  }
  const policies = seedFiles(['.json'], roots).map((f) => f.bytes);
  const openArb = mimeArbitrary;
  return {
    mime: { seeds: messages, dict: MIME_TOKENS, arb: mimeArbitrary },
    open: { seeds: messages, dict: [...MIME_TOKENS, ...DER_TOKENS], arb: openArb },
    'open-identity': { seeds: messages, dict: [...MIME_TOKENS, ...DER_TOKENS], arb: openArb },
    cms: { seeds: der.slice(0, MAX_SEEDS), dict: DER_TOKENS, arb: derArbitrary },
    identity: { seeds: identity.length > 0 ? identity : der.slice(0, 20), dict: [...DER_TOKENS, ...PEM_TOKENS], arb: pemArbitrary },
    policy: { seeds: policies.length > 0 ? policies : [new TextEncoder().encode('{"version":1}')], dict: JSON_TOKENS, arb: policyArbitrary },
  };
}

// ---------------------------------------------------------------------------------------------------
// The worker, with deadlines.

type Reply = { kind: 'outcome'; outcome: Outcome } | { kind: 'timeout' } | { kind: 'died'; error: string; oom: boolean };

const WORKER_URL = new URL('./worker.js', import.meta.url);
/** Heap cap for the worker: inputs are at most 1 MB, so anything near this is runaway memory. */
export const WORKER_HEAP_MB = 1024;

class Runner {
  private worker: Worker | null = null;
  private ready: Promise<void> | null = null;
  private nextId = 1;
  private pending: { id: number; resolve: (r: Reply) => void } | null = null;
  identities = 0;
  anchors = 0;

  private start(): Promise<void> {
    const w = new Worker(fileURLToPath(WORKER_URL), { resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
    this.worker = w;
    this.ready = new Promise((resolve, reject) => {
      w.once('error', reject);
      w.on('message', (m: { ready?: boolean; anchors?: number; identities?: number; id?: number; outcome?: Outcome; heap?: number }) => {
        if (m.ready) {
          this.anchors = m.anchors ?? 0;
          this.identities = m.identities ?? 0;
          w.off('error', reject);
          w.on('error', (e: Error & { code?: string }) => this.settle({ kind: 'died', error: String(e.stack ?? e), oom: e.code === 'ERR_WORKER_OUT_OF_MEMORY' }));
          w.on('exit', (code) => this.settle({ kind: 'died', error: `worker exited (${code})`, oom: false }));
          resolve();
          return;
        }
        if (this.pending && m.id === this.pending.id) {
          if (m.outcome) this.settle({ kind: 'outcome', outcome: m.outcome });
          else this.settle({ kind: 'outcome', outcome: { kind: 'ok', ms: 0, heap: m.heap ?? 0 } });
        }
      });
    });
    return this.ready;
  }

  private settle(r: Reply): void {
    const p = this.pending;
    this.pending = null;
    if (r.kind !== 'outcome') this.kill();
    p?.resolve(r);
  }

  private kill(): void {
    const w = this.worker;
    this.worker = null;
    this.ready = null;
    if (w) {
      w.removeAllListeners('exit');
      w.removeAllListeners('error');
      w.on('error', () => undefined);
      void w.terminate();
    }
  }

  async run(target: string, input: Uint8Array, timeoutMs: number): Promise<Reply> {
    if (this.worker === null) await this.start();
    else await this.ready;
    const id = this.nextId++;
    return new Promise<Reply>((resolve) => {
      const timer = setTimeout(() => {
        if (this.pending?.id === id) {
          this.pending = null;
          this.kill();
          resolve({ kind: 'timeout' });
        }
      }, timeoutMs);
      this.pending = {
        id,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
      };
      this.worker!.postMessage({ id, target, input });
    });
  }

  /** Retained heap after a full collection in the worker (bytes). */
  async heap(): Promise<number> {
    if (this.worker === null) await this.start();
    else await this.ready;
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending = { id, resolve: (r) => resolve(r.kind === 'outcome' ? r.outcome.heap : 0) };
      this.worker!.postMessage({ id, gc: true });
    });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) {
      w.removeAllListeners('exit');
      w.removeAllListeners('error');
      await w.terminate();
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// The campaign.

export interface CampaignOptions {
  seconds: number;
  seed: number;
  targets: readonly TargetName[];
  /** Per-input deadline; a hang is confirmed with four times as long. */
  timeoutMs: number;
  /** Where findings are written (input .bin and a .txt description); null writes nothing. */
  findingsDir: string | null;
  /** Share of inputs that are stretched to 512 KB-1 MB. */
  stretchShare: number;
  /** Retained heap growth (MB) of the worker across the campaign that counts as a memory finding. */
  maxHeapGrowthMb: number;
  log?: (line: string) => void;
}

export interface Finding {
  target: TargetName;
  kind: 'crash' | 'hang' | 'memory';
  signature: string;
  detail: string;
  input: Uint8Array;
  file: string | null;
}

export interface CampaignResult {
  executions: number;
  seconds: number;
  stretched: number;
  perTarget: Record<string, { executions: number; ok: number; refused: number; maxMs: number }>;
  findings: Finding[];
  anchors: number;
  identities: number;
}

function stackTop(stack: string): string {
  return stack
    .split('\n')
    .slice(1)
    .map((l) => l.trim().replace(/\(.*[\\/](lib|node_modules)[\\/]/, '(').replace(/:\d+\)$/, ')'))
    .filter((l) => l.startsWith('at '))
    .slice(0, 3)
    .join(' < ');
}

function signatureOf(target: TargetName, r: Reply): string | null {
  if (r.kind === 'timeout') return `${target}/hang`;
  if (r.kind === 'died') return `${target}/memory/${r.oom ? 'oom' : 'worker-died'}`;
  if (r.outcome.kind === 'crash') return `${target}/crash/${r.outcome.name}: ${r.outcome.message.slice(0, 80).replace(/\d+/g, 'N')} @ ${stackTop(r.outcome.stack)}`;
  return null;
}

export async function runCampaign(opts: CampaignOptions): Promise<CampaignResult> {
  const log = opts.log ?? (() => undefined);
  const specs = loadTargets();
  const rng = new Rng(opts.seed);
  const runner = new Runner();
  const findings = new Map<string, Finding>();
  const perTarget: CampaignResult['perTarget'] = {};
  const pools = new Map<TargetName, Uint8Array[]>();
  const samples = new Map<TargetName, Uint8Array[]>();
  const outcomesSeen = new Set<string>();
  for (const t of opts.targets) {
    pools.set(t, [...specs[t].seeds]);
    samples.set(t, []);
    perTarget[t] = { executions: 0, ok: 0, refused: 0, maxMs: 0 };
  }
  const started = Date.now();
  const deadline = started + opts.seconds * 1000;
  let executions = 0;
  let stretched = 0;
  let baseHeap = -1;
  let nextHeapCheck = 200;

  const record = (target: TargetName, sig: string, detail: string, input: Uint8Array): void => {
    if (findings.has(sig)) return;
    let file: string | null = null;
    if (opts.findingsDir !== null) {
      mkdirSync(opts.findingsDir, { recursive: true });
      const h = createHash('sha256').update(input).digest('hex').slice(0, 12);
      file = join(opts.findingsDir, `${sig.split('/').slice(0, 2).join('-')}-${h}`);
      writeFileSync(`${file}.bin`, input);
      writeFileSync(`${file}.txt`, `${sig}\n\nseed ${opts.seed}, ${input.length} bytes\n\n${detail}\n`);
    }
    findings.set(sig, { target, kind: sig.split('/')[1] as Finding['kind'], signature: sig, detail, input, file });
    log(`FINDING ${sig} (${input.length} bytes)${file ? ` -> ${file}.bin` : ''}`);
  };

  /** Delta-debugging light: drop chunks while the same crash signature reproduces (bounded). */
  const shrink = async (target: TargetName, input: Uint8Array, sig: string): Promise<Uint8Array> => {
    let best = input;
    let budget = 150;
    for (let chunk = best.length >> 1; chunk >= 1 && budget > 0; chunk >>= 1) {
      for (let at = 0; at < best.length && budget > 0; ) {
        const cand = new Uint8Array(best.length - Math.min(chunk, best.length - at));
        cand.set(best.subarray(0, at));
        cand.set(best.subarray(at + chunk), at);
        budget--;
        const r = await runner.run(target, cand, opts.timeoutMs);
        if (signatureOf(target, r) === sig) best = cand;
        else at += chunk;
      }
    }
    return best;
  };

  try {
    let ti = 0;
    while (Date.now() < deadline) {
      const target = opts.targets[ti++ % opts.targets.length]!;
      const spec = specs[target];
      const pool = pools.get(target)!;
      let input: Uint8Array;
      const roll = rng.next();
      const pickSeed = (): Uint8Array => (pool.length > 0 ? rng.pick(pool) : new Uint8Array(0));
      const nextSample = (): Uint8Array => {
        const s = samples.get(target)!;
        if (s.length === 0) s.push(...sample(spec.arb, rng.int(0x7fffffff), 64));
        return s.pop()!;
      };
      let isStretched = false;
      if (roll < opts.stretchShare) {
        input = stretch(rng, rng.chance(0.5) ? pickSeed() : nextSample(), spec.dict);
        isStretched = true;
      } else if (roll < opts.stretchShare + 0.35) input = mutate(rng, pickSeed(), spec.dict, rng.chance(0.3) ? pickSeed() : null);
      else if (roll < opts.stretchShare + 0.6) input = nextSample();
      else input = mutate(rng, nextSample(), spec.dict, rng.chance(0.3) ? pickSeed() : null);
      if (isStretched) stretched++;

      let r = await runner.run(target, input, opts.timeoutMs);
      executions++;
      const st = perTarget[target]!;
      st.executions++;
      if (r.kind === 'timeout') {
        // Confirm with four times the deadline: a loaded machine can stall one run.
        r = await runner.run(target, input, opts.timeoutMs * 4);
      }
      const sig = signatureOf(target, r);
      if (sig !== null) {
        let detail: string;
        let kept = input;
        if (r.kind === 'outcome' && r.outcome.kind === 'crash') {
          kept = await shrink(target, input, sig);
          detail = `${r.outcome.name}: ${r.outcome.message}\n${r.outcome.stack}`;
        } else if (r.kind === 'timeout') detail = `no result within ${opts.timeoutMs * 4} ms (input of ${input.length} bytes)`;
        else detail = r.kind === 'died' ? r.error : '';
        record(target, sig, detail, kept);
        continue;
      }
      if (r.kind === 'outcome') {
        const o = r.outcome;
        if (o.ms > st.maxMs) {
          st.maxMs = o.ms;
          // Not a finding, but worth a look: the slowest input per target is kept next to the findings.
          if (opts.findingsDir !== null && o.ms > opts.timeoutMs / 4) {
            mkdirSync(opts.findingsDir, { recursive: true });
            writeFileSync(join(opts.findingsDir, `slowest-${target}.bin`), input);
            writeFileSync(join(opts.findingsDir, `slowest-${target}.txt`), `${o.ms.toFixed(0)} ms wall time, ${input.length} bytes, seed ${opts.seed}\n`);
          }
        }
        if (o.kind === 'ok') st.ok++;
        else st.refused++;
        // A crude coverage signal: an outcome not seen before makes the input a seed (small inputs only).
        const key = `${target}:${o.kind}:${o.kind === 'refused' ? o.code : ''}`;
        if (!outcomesSeen.has(key) && input.length < 65536) {
          outcomesSeen.add(key);
          pool.push(input);
        }
      }
      if (executions >= nextHeapCheck) {
        nextHeapCheck = executions + 500;
        const h = await runner.heap();
        if (baseHeap < 0) baseHeap = h;
        else if (h - baseHeap > opts.maxHeapGrowthMb * 1024 * 1024) {
          record(target, `${target}/memory/heap-growth`, `retained heap grew from ${(baseHeap / 1048576).toFixed(0)} MB to ${(h / 1048576).toFixed(0)} MB`, input);
          baseHeap = h;
        }
      }
      if (executions % 500 === 0) log(`${executions} executions, ${((Date.now() - started) / 1000).toFixed(0)} s, ${findings.size} findings`);
    }
  } finally {
    await runner.close();
  }
  return {
    executions,
    seconds: (Date.now() - started) / 1000,
    stretched,
    perTarget,
    findings: [...findings.values()],
    anchors: runner.anchors,
    identities: runner.identities,
  };
}
