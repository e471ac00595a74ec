// A short, bounded fuzz run as part of `npm test` (the long campaign is `npm run fuzz`): a fixed seed,
// every harness, about 25 s. Fails on any finding: the earlier ones (F1 childrenOf on constructed strings,
// F2 ASN.1 element bombs) are fixed and kept as regression tests in test/security/fuzz-findings.test.ts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCampaign, TARGET_NAMES } from './engine.js';

test('fuzz smoke: 25 s over every harness (fixed seed) finds nothing new', { timeout: 180_000 }, async () => {
  const r = await runCampaign({
    seconds: 25,
    seed: 0x5167e7,
    targets: TARGET_NAMES,
    timeoutMs: 6000,
    findingsDir: 'artifacts/fuzz/smoke',
    stretchShare: 0.1,
    maxHeapGrowthMb: 256,
  });
  assert.deepEqual(
    r.findings.map((f) => `${f.signature}\n${f.detail.split('\n').slice(0, 8).join('\n')}\n${f.file ?? ''}`),
    [],
  );
  assert.ok(r.executions >= 60, `only ${r.executions} executions`);
  for (const t of TARGET_NAMES) assert.ok(r.perTarget[t]!.executions >= 5, `${t}: ${r.perTarget[t]!.executions} executions`);
  assert.ok(r.stretched > 0, 'no stretched input was run');
});
