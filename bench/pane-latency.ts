// Badge latency of the read pane, in headless Chromium on this machine. A benchmark, not a timed test: it
// builds the production pane, opens the workbench in Debian's Chromium and reads the pane's own
// `signet:badge-latency` performance measure (from "MIME bytes in hand" to the frame after the badge was
// committed) for the 100 KB clear-signed sample:
// - cold (issue 17: the first badge after the pane loads, what a reader waits for when the pane opens,
//   budget 300 ms): COLD_RUNS fresh pages (default 7), each loading the workbench with the sample already
//   selected, so the pane's first badge is that message's; prints the median of the cold figures;
// - warm (issue 17: median under 100 ms; issue #4's 300 ms before it): RUNS selections of the same sample
//   on one page (default 15), alternating with another message; prints first, median, p95 and max.
// Exits 1 when the cold median or the warm median is over its budget. Run: npm run bench:pane
// (RUNS=5 COLD_RUNS=5 PANE_SIZES= for a short run).
//
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { workbenchPaths } from '../workbench/samples.js';
import { PACKAGE_ROOT, buildForBrowser, openWorkbench, selectSample, type Workbench } from '../test/helpers/workbench.js';

/** Issue 17: the warm 100 KB badge median stays under 100 ms. */
const MEDIAN_BUDGET_MS = 100;
/** Issue 17: the cold first badge under 300 ms. */
const COLD_BUDGET_MS = 300;
/** Issue 17's budgets for 1-100 MB messages opened in the pane. */
const LARGE_BUDGET = { badgeRatio: 2, longestTaskMs: 100, growthPerByte: 4 };
const RUNS = Number(process.env['RUNS'] ?? 15);
const COLD_RUNS = Number(process.env['COLD_RUNS'] ?? 7);
const SAMPLE = { id: 'large-signed', subject: 'Statistics, 100 KB (signed)' };

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * The cold first badge: a fresh page (same browser profile, so HTTP cache and IndexedDB are warm, as when
 * Outlook opens the pane again) loads the workbench with the sample selected; the pane's first
 * `signet:badge-latency` measure is the figure.
 */
async function coldFirstBadge(wb: Workbench): Promise<number> {
  const page = await wb.context.newPage();
  try {
    await page.goto(`${wb.server.url}?select=${SAMPLE.id}`);
    await page
      .frameLocator('#taskpane')
      .locator(`[data-testid=badge][data-subject="${SAMPLE.subject}"]`)
      .waitFor({ state: 'visible', timeout: 20_000 });
    const pane = page.frame({ url: /taskpane\.html/ });
    if (!pane) throw new Error('no task pane frame');
    await pane.waitForFunction(() => performance.getEntriesByName('signet:badge-latency').length > 0);
    return await pane.evaluate(() => performance.getEntriesByName('signet:badge-latency')[0]!.duration);
  } finally {
    await page.close();
  }
}

async function main(): Promise<void> {
  const dist = buildForBrowser();
  const wb = await openWorkbench(dist);
  try {
    const cold: number[] = [];
    for (let i = 0; i < COLD_RUNS; i++) cold.push(await coldFirstBadge(wb));
    const coldMedian = median(cold);
    console.log(`cold first badge, 100 KB clear-signed message, ${COLD_RUNS} fresh pages in headless Chromium (load average ${loadavg()[0]!.toFixed(1)}):`);
    console.log(`  median ${coldMedian.toFixed(0)} ms (${cold.map((c) => c.toFixed(0)).join(', ')}) (budget ${COLD_BUDGET_MS} ms)${coldMedian > COLD_BUDGET_MS ? ' OVER BUDGET' : ''}`);
    if (coldMedian > COLD_BUDGET_MS) process.exitCode = 1;

    await wb.page.goto(wb.server.url);
    await wb.page.locator('#message-list button').first().waitFor();
    // The workbench attaches the task pane frame after the message list: wait for it to load.
    await wb.page.frameLocator('#taskpane').locator('body').waitFor({ timeout: 20_000 });
    const pane = wb.page.frame({ url: /taskpane\.html/ });
    if (!pane) throw new Error('no task pane frame');
    const count = (): Promise<number> => pane.evaluate(() => performance.getEntriesByName('signet:badge-latency').length);
    const samples: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      await selectSample(wb.page, 'plain', 'Lunch on Friday?');
      const before = await count();
      await selectSample(wb.page, SAMPLE.id, SAMPLE.subject);
      await wb.page.waitForFunction(() => true); // let the measuring frame run
      await pane.waitForFunction((n) => performance.getEntriesByName('signet:badge-latency').length > n, before);
      const ms = await pane.evaluate(() => {
        const all = performance.getEntriesByName('signet:badge-latency');
        return all[all.length - 1]!.duration;
      });
      samples.push(ms);
    }
    const sorted = [...samples].sort((a, b) => a - b);
    const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
    const warmMedian = median(samples);
    console.log(`badge latency, 100 KB clear-signed message, ${RUNS} runs on one page in headless Chromium (load average ${loadavg()[0]!.toFixed(1)}):`);
    console.log(`  first ${samples[0]!.toFixed(0)} ms, median ${warmMedian.toFixed(0)} ms, p95 ${at(0.95).toFixed(0)} ms, max ${sorted[sorted.length - 1]!.toFixed(0)} ms (budget: median ${MEDIAN_BUDGET_MS} ms)${warmMedian > MEDIAN_BUDGET_MS ? ' OVER BUDGET' : ''}`);
    if (warmMedian > MEDIAN_BUDGET_MS) process.exitCode = 1;
    await largeMessages(wb, pane);
  } finally {
    await wb.close();
    rmSync(dist, { recursive: true, force: true });
  }
}

/** RSS in MB of the largest Chromium renderer process now. */
function rendererRssMb(): number {
  let max = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('--type=renderer')) continue;
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
      if (m) max = Math.max(max, Number(m[1]) / 1024);
    } catch {
      // the process ended
    }
  }
  return max;
}

function makeMessage(path: string, bytes: number): void {
  const payload = Buffer.alloc(Math.max(0, Math.floor(((bytes - 400) * 57) / 78)));
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 2654435761) >>> 24;
  const b64 = payload.toString('base64').replace(/.{76}/g, '$&\r\n');
  writeFileSync(
    path,
    'From: Alice <alice@example.org>\r\nTo: Dana Reader <dana@example.org>\r\nSubject: large\r\nMIME-Version: 1.0\r\n' +
      'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee the attachment.\r\n--b\r\n' +
      `Content-Type: application/octet-stream; name="data.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64}\r\n--b--\r\n`,
  );
}

function sh(cmd: string): number {
  const t0 = performance.now();
  const r = spawnSync('bash', ['-o', 'pipefail', '-c', cmd], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`failed: ${cmd}\n${r.stderr.toString()}`);
  return performance.now() - t0;
}

/** Opens `file` once through the pane's file input: time to badge and to content, longest task, RSS growth. */
async function openOnce(pane: Frame, file: string, name: string): Promise<{ badge: number; content: number; longest: number; growth: number }> {
  await pane.evaluate((n) => {
    const w = window as unknown as { signetLongTasks: number[]; signetBadgeMs: number | null; signetContentMs: number | null };
    w.signetLongTasks = [];
    w.signetBadgeMs = null;
    w.signetContentMs = null;
    const input = document.querySelector('[data-testid=file-input]')!;
    input.addEventListener(
      'change',
      () => {
        const t0 = performance.now();
        // Badge: the verdict for this file on screen. Content: its body frame and its attachment listed.
        const poll = (): void => {
          const badge = document.querySelector(`[data-testid=badge][data-subject="${n}"]`);
          if (badge && w.signetBadgeMs === null) w.signetBadgeMs = performance.now() - t0;
          if (badge && document.querySelector('[data-testid=content-frame]') && document.querySelector('[data-testid=attachment]')) w.signetContentMs = performance.now() - t0;
          else requestAnimationFrame(poll);
        };
        requestAnimationFrame(poll);
      },
      { once: true },
    );
  }, name);
  const rss0 = rendererRssMb();
  let rssPeak = rss0;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rendererRssMb())), 20);
  await pane.locator('[data-testid=file-input]').setInputFiles(file);
  await pane.waitForFunction(() => (window as unknown as { signetContentMs: number | null }).signetContentMs !== null, undefined, { timeout: 120_000 });
  clearInterval(sampler);
  rssPeak = Math.max(rssPeak, rendererRssMb());
  const r = await pane.evaluate(() => {
    const w = window as unknown as { signetLongTasks: number[]; signetBadgeMs: number; signetContentMs: number };
    return { badge: w.signetBadgeMs, content: w.signetContentMs, longest: Math.max(0, ...w.signetLongTasks) };
  });
  return { ...r, growth: rssPeak - rss0 };
}

async function largeMessages(wb: Workbench, pane: Frame): Promise<void> {
  const sizes = (process.env['PANE_SIZES'] ?? '1,25,100')
    .split(',')
    .filter((s) => s.trim() !== '')
    .map(Number);
  if (sizes.length === 0) return;
  const pki = workbenchPaths(PACKAGE_ROOT).pkiDir;
  const dir = mkdtempSync(join(tmpdir(), 'signet-pane-large-'));
  const identity = join(dir, 'alice-identity.pem');
  writeFileSync(identity, ['alice.key', 'alice.pem', 'inter.pem'].map((f) => readFileSync(join(pki, f), 'latin1')).join('\n'));
  const signet = `node ${join(PACKAGE_ROOT, 'bin/signet.cjs')}`;
  await pane.evaluate(() => {
    const w = window as unknown as { signetLongTasks: number[] };
    w.signetLongTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.signetLongTasks.push(e.duration);
    }).observe({ type: 'longtask' });
  });
  console.log('\nlarge signed+encrypted messages opened through the file input (AES-256-CBC), medians of N opens:');
  console.log('size     N  time to badge  time to content  longest task  renderer RSS growth (max)  openssl decrypt|verify  badge/openssl  growth/size');
  const over: string[] = [];
  try {
    for (const mb of sizes) {
      const plain = join(dir, `plain-${mb}.eml`);
      const file = join(dir, `large-${mb}mb.eml`);
      makeMessage(plain, mb * 1024 * 1024);
      sh(`${signet} sign --identity ${identity} < ${plain} | ${signet} encrypt --to ${join(pki, 'owner.pem')} --cipher aes-256-cbc > ${file}`);
      const name = `large-${mb}mb.eml`;
      // Each size is opened N times (more for the small ones, whose single figures are noisiest: a few MB of
      // RSS either way is most of a 1 MB message's budget), OpenSSL run as often, and the medians compared.
      const n = mb <= 1 ? 5 : mb <= 25 ? 3 : 1;
      const badges: number[] = [];
      const contents: number[] = [];
      const growths: number[] = [];
      const openssls: number[] = [];
      let longest = 0;
      for (let run = 0; run < n; run++) {
        openssls.push(
          sh(`openssl cms -decrypt -binary -recip ${join(pki, 'owner.pem')} -inkey ${join(pki, 'owner.key')} -in ${file} | openssl cms -verify -CAfile ${join(pki, 'root.pem')} -out /dev/null`),
        );
        const r = await openOnce(pane, file, name);
        badges.push(r.badge);
        contents.push(r.content);
        growths.push(r.growth);
        longest = Math.max(longest, r.longest);
      }
      const size = statSync(file).size / (1024 * 1024);
      const badge = median(badges);
      const openssl = median(openssls);
      const growth = median(growths);
      const ratio = badge / openssl;
      console.log(
        `${`${mb} MB`.padEnd(8)} ${String(n).padStart(1)} ${`${badge.toFixed(0)} ms`.padStart(14)} ${`${median(contents).toFixed(0)} ms`.padStart(16)} ${`${longest.toFixed(0)} ms`.padStart(13)} ${`+${growth.toFixed(1)} MB (${Math.max(...growths).toFixed(1)})`.padStart(26)} ${`${(openssl / 1000).toFixed(2)} s`.padStart(23)} ${ratio.toFixed(2).padStart(14)} ${(growth / size).toFixed(2).padStart(12)}`,
      );
      if (n > 1) console.log(`         each open, in order: ${badges.map((b, i) => `${b.toFixed(0)} ms +${growths[i]!.toFixed(1)} MB`).join(', ')}`);
      // Issue 17's budgets for the pane: time to badge ≤ 2× OpenSSL's whole process, no main-thread task
      // over 100 ms, the pane's memory growth ≤ 4× the message (the encrypted file as opened).
      if (ratio > LARGE_BUDGET.badgeRatio) over.push(`${mb} MB: time to badge ${ratio.toFixed(2)}× OpenSSL > ${LARGE_BUDGET.badgeRatio}×`);
      if (longest > LARGE_BUDGET.longestTaskMs) over.push(`${mb} MB: a main-thread task of ${longest.toFixed(0)} ms > ${LARGE_BUDGET.longestTaskMs} ms`);
      if (growth / size > LARGE_BUDGET.growthPerByte) over.push(`${mb} MB: renderer memory growth ${(growth / size).toFixed(2)}× the message > ${LARGE_BUDGET.growthPerByte}×`);
    }
    if (over.length > 0) {
      console.log(`OVER BUDGET:\n  ${over.join('\n  ')}`);
      process.exitCode = 1;
    } else {
      console.log(`large messages within budget (time to badge ≤ ${LARGE_BUDGET.badgeRatio}× OpenSSL, no task over ${LARGE_BUDGET.longestTaskMs} ms, memory growth ≤ ${LARGE_BUDGET.growthPerByte}× the message)`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
