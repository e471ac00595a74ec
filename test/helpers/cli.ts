// Runs the `signet` command line as a child process, the way admins and other tools call it: the tsc
// output of src/cli/bin.ts, always current after a compile. bin/signet.cjs runs the esbuild bundle of the
// same file instead; test/unit/cli/bundle.test.ts checks that bundle.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

export const SIGNET_BIN = resolve(process.cwd(), 'lib/src/cli/bin.js');

export interface RunResult {
  status: number;
  stdout: Buffer;
  stderr: string;
}

export function signet(args: string[], input: Uint8Array | string = ''): RunResult {
  const r = spawnSync(process.execPath, [SIGNET_BIN, ...args], {
    input: typeof input === 'string' ? Buffer.from(input) : Buffer.from(input),
    maxBuffer: 512 * 1024 * 1024,
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr.toString() };
}

export function verifyJson(input: Uint8Array | string, args: string[] = []): { status: number; verdict: { status: string; code: string | null; signer: { email: string | null } | null; layers: { kind: string; status: string; cipher?: string; integrityProtected?: boolean }[]; warnings: { code: string }[]; signers: { email: string | null; status: string; code: string }[] } } {
  const r = signet(['verify', '--json', ...args], input);
  let verdict;
  try {
    verdict = JSON.parse(r.stdout.toString());
  } catch {
    throw new Error(`signet verify printed no JSON (exit ${r.status}): ${r.stderr}`);
  }
  return { status: r.status, verdict };
}

export { CORPUS } from './corpus.js';
