// A short, bounded fuzz run as part of `npm test` (the long campaign is `npm run fuzz`): a fixed seed,
// every harness, about 25 s. Fails on any finding that is not already tracked by a failing regression
// test in test/security/fuzz-findings.test.ts (KNOWN below, to be removed when the owner fixes it).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCampaign, TARGET_NAMES } from './engine.js';

/** Findings in modules owned elsewhere, reproduced by test/security/fuzz-findings.test.ts. */
const KNOWN: readonly RegExp[] = [
  // F1: src/core/asn1.ts childrenOf on a constructed string type (TypeError: value.filter is not a function).
  /^(cms|identity|open|open-identity)\/crash\/TypeError: value\.filter is not a function @ at childrenOf /,
  // F2: src/core/asn1.ts parseAsn1 element bombs (seconds per parse of a ≤1 MB input).
  /^(cms|open-identity|identity)\/hang$/,
];

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
  const unknown = r.findings.filter((f) => !KNOWN.some((k) => k.test(f.signature)));
  assert.deepEqual(
    unknown.map((f) => `${f.signature}\n${f.detail.split('\n').slice(0, 8).join('\n')}\n${f.file ?? ''}`),
    [],
  );
  assert.ok(r.executions >= 60, `only ${r.executions} executions`);
  for (const t of TARGET_NAMES) assert.ok(r.perTarget[t]!.executions >= 5, `${t}: ${r.perTarget[t]!.executions} executions`);
  assert.ok(r.stretched > 0, 'no stretched input was run');
});
