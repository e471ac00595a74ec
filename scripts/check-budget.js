// Checks the read pane's initial-JavaScript budget (issue #4): every script taskpane.html loads at start-up
// (not the lazily loaded S/MIME engine chunks, not Microsoft's office.js), gzipped, must total at most
// 200 KB (issue 17). Run on a production build: `node scripts/check-budget.js [dist]` (npm run budget builds first).
// Prints the figure; exits 1 when over budget, 2 when the build is missing.
import { readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

export const INITIAL_JS_BUDGET_BYTES = 200 * 1000;

export function initialJs(dist) {
  const html = readFileSync(join(dist, 'taskpane.html'), 'utf8');
  const scripts = [...html.matchAll(/<script\b[^>]*\bsrc=["']?([^"' >]+)/gi)].map((m) => m[1]).filter((src) => !/^(https?:)?\/\//i.test(src));
  return scripts.map((src) => {
    const bytes = readFileSync(join(dist, src));
    return { file: src, bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  const dist = resolve(process.argv[2] ?? 'dist');
  if (!existsSync(join(dist, 'taskpane.html'))) {
    console.error(`check-budget: no ${join(dist, 'taskpane.html')}; run a production build first (npm run budget).`);
    process.exit(2);
  }
  const files = initialJs(dist);
  const total = files.reduce((n, f) => n + f.gzip, 0);
  for (const f of files) console.log(`  ${f.file}: ${(f.bytes / 1000).toFixed(1)} KB minified, ${(f.gzip / 1000).toFixed(1)} KB gzipped`);
  const ok = total <= INITIAL_JS_BUDGET_BYTES;
  console.log(`read pane initial JS: ${(total / 1000).toFixed(1)} KB gzipped (budget ${INITIAL_JS_BUDGET_BYTES / 1000} KB) — ${ok ? 'OK' : 'OVER BUDGET'}`);
  process.exit(ok ? 0 : 1);
}
