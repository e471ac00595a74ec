// `npm run fuzz`: the long fuzz campaign (test/fuzz/campaign.ts, compiled to lib/ first by the npm
// script). Environment: FUZZ_SECONDS (default 900), FUZZ_SEED (default time-based, printed),
// FUZZ_TARGETS (comma list: mime, open, open-identity, cms, identity, policy), FUZZ_TIMEOUT_MS (per
// input, default 5000; a hang is confirmed with four times as long), FUZZ_FINDINGS (default
// artifacts/fuzz), FUZZ_STRETCH (share of inputs stretched to 512 KB-1 MB, default 0.15).
// Exit status 1 when there are findings; each is written as <target>-<kind>-<hash>.bin and .txt.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const entry = 'lib/test/fuzz/campaign.js';
if (!existsSync(entry)) {
  console.error(`${entry} is missing: run \`npx tsc -p tsconfig.json\` first (npm run fuzz does).`);
  process.exit(2);
}
const r = spawnSync(process.execPath, [entry], { stdio: 'inherit', env: process.env });
process.exit(r.status ?? 1);
