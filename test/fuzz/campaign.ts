// `npm run fuzz`: a long fuzz campaign over every harness (or the ones named). Environment:
//   FUZZ_SECONDS (default 900), FUZZ_SEED (default: time-based, printed), FUZZ_TARGETS (comma list of
//   mime, open, open-identity, cms, identity, policy), FUZZ_TIMEOUT_MS (per input, default 5000),
//   FUZZ_FINDINGS (folder, default artifacts/fuzz), FUZZ_STRETCH (share of stretched inputs, default 0.15).
// Exits 1 when there are findings.

import { runCampaign, TARGET_NAMES, type TargetName } from './engine.js';

const env = process.env;
const seed = env['FUZZ_SEED'] ? Number(env['FUZZ_SEED']) : Date.now() % 0x7fffffff;
const targets = (env['FUZZ_TARGETS'] ? env['FUZZ_TARGETS'].split(',').map((s) => s.trim()) : [...TARGET_NAMES]) as TargetName[];
for (const t of targets) if (!TARGET_NAMES.includes(t)) throw new Error(`unknown fuzz target ${t} (known: ${TARGET_NAMES.join(', ')})`);
const seconds = Number(env['FUZZ_SECONDS'] ?? 900);
console.log(`fuzz: seed ${seed}, ${seconds} s, targets ${targets.join(', ')}`);
const result = await runCampaign({
  seconds,
  seed,
  targets,
  timeoutMs: Number(env['FUZZ_TIMEOUT_MS'] ?? 5000),
  findingsDir: env['FUZZ_FINDINGS'] ?? 'artifacts/fuzz',
  stretchShare: Number(env['FUZZ_STRETCH'] ?? 0.15),
  maxHeapGrowthMb: 256,
  log: (l) => console.log(l),
});
console.log(`fuzz: ${result.executions} executions in ${result.seconds.toFixed(0)} s (${result.stretched} stretched to 512 KB-1 MB); worker had ${result.anchors} anchors, ${result.identities} identities`);
for (const [t, s] of Object.entries(result.perTarget)) console.log(`  ${t}: ${s.executions} executions, ${s.ok + s.refused} finished with at most a SignetError, slowest ${s.maxMs.toFixed(0)} ms`);
console.log(`fuzz: ${result.findings.length} finding(s)`);
for (const f of result.findings) console.log(`  ${f.signature}${f.file ? `\n    ${f.file}.bin` : ''}\n    ${f.detail.split('\n').slice(0, 6).join('\n    ')}`);
process.exit(result.findings.length > 0 ? 1 : 0);
