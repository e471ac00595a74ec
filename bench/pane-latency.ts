// Badge latency of the read pane (issue #4 budget: badge on screen ≤ 300 ms after the MIME is available, for
// a 100 KB signed message, in headless Chromium on this machine). A benchmark, not a timed test: it builds
// the production pane, opens the workbench in Debian's Chromium, selects the 100 KB clear-signed sample
// repeatedly (alternating with another message) and reads the pane's own `signet:badge-latency`
// performance measure (from "MIME bytes in hand" to the frame after the badge was committed), then prints
// median, p95 and max. Exits 1 when the median is over budget. Run: npm run bench:pane
//
// Then large messages (issue 17): 1, 25 and 100 MB messages (PANE_SIZES=1,25,100), signed by the demo
// Alice and AES-256-CBC-encrypted to the mailbox owner by the `signet` CLI, opened through the pane's
// file input. For each: time to badge (from the input's change event to the first frame showing the
// badge), the longest main-thread task (PerformanceObserver 'longtask'; tasks under 50 ms are not
// reported), the renderer's RSS growth (the largest Chromium renderer, sampled from /proc every 20 ms),
// next to `openssl cms -decrypt | openssl cms -verify` of the same bytes, whole process.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { workbenchPaths } from '../workbench/samples.js';
import { PACKAGE_ROOT, buildForBrowser, openWorkbench, selectSample, type Workbench } from '../test/helpers/workbench.js';

const BUDGET_MS = 300;
const RUNS = Number(process.env['RUNS'] ?? 15);

async function main(): Promise<void> {
  const dist = buildForBrowser();
  const wb = await openWorkbench(dist);
  try {
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
      await selectSample(wb.page, 'large-signed', 'Statistics, 100 KB (signed)');
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
    const median = at(0.5);
    console.log(`badge latency, 100 KB clear-signed message, ${RUNS} runs in headless Chromium:`);
    console.log(`  first ${samples[0]!.toFixed(0)} ms, median ${median.toFixed(0)} ms, p95 ${at(0.95).toFixed(0)} ms, max ${sorted[sorted.length - 1]!.toFixed(0)} ms (budget ${BUDGET_MS} ms)`);
    if (median > BUDGET_MS) {
      console.log('OVER BUDGET');
      process.exitCode = 1;
    }
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

async function largeMessages(wb: Workbench, pane: Frame): Promise<void> {
  const sizes = (process.env['PANE_SIZES'] ?? '1,25,100').split(',').map(Number);
  const pki = workbenchPaths(PACKAGE_ROOT).pkiDir;
  const dir = mkdtempSync(join(tmpdir(), 'signet-pane-large-'));
  const identity = join(dir, 'alice-identity.pem');
  writeFileSync(identity, ['alice.key', 'alice.pem', 'inter.pem'].map((f) => readFileSync(join(pki, f), 'latin1')).join('\n'));
  const signet = `node ${join(PACKAGE_ROOT, 'bin/signet.js')}`;
  await pane.evaluate(() => {
    const w = window as unknown as { signetLongTasks: number[] };
    w.signetLongTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.signetLongTasks.push(e.duration);
    }).observe({ type: 'longtask' });
  });
  console.log('\nlarge signed+encrypted messages opened through the file input (AES-256-CBC):');
  console.log('size     time to badge  longest task  renderer RSS growth  openssl decrypt|verify');
  try {
    for (const mb of sizes) {
      const plain = join(dir, `plain-${mb}.eml`);
      const file = join(dir, `large-${mb}mb.eml`);
      makeMessage(plain, mb * 1024 * 1024);
      sh(`${signet} sign --identity ${identity} < ${plain} | ${signet} encrypt --to ${join(pki, 'owner.pem')} --cipher aes-256-cbc > ${file}`);
      const openssl = sh(
        `openssl cms -decrypt -binary -recip ${join(pki, 'owner.pem')} -inkey ${join(pki, 'owner.key')} -in ${file} | openssl cms -verify -CAfile ${join(pki, 'root.pem')} -out /dev/null`,
      );
      const name = `large-${mb}mb.eml`;
      await pane.evaluate((n) => {
        const w = window as unknown as { signetLongTasks: number[]; signetBadgeMs: number | null };
        w.signetLongTasks = [];
        w.signetBadgeMs = null;
        const input = document.querySelector('[data-testid=file-input]')!;
        input.addEventListener(
          'change',
          () => {
            const t0 = performance.now();
            const poll = (): void => {
              if (document.querySelector(`[data-testid=badge][data-subject="${n}"]`)) w.signetBadgeMs = performance.now() - t0;
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
      await pane.waitForFunction(() => (window as unknown as { signetBadgeMs: number | null }).signetBadgeMs !== null, undefined, { timeout: 120_000 });
      clearInterval(sampler);
      const r = await pane.evaluate(() => {
        const w = window as unknown as { signetLongTasks: number[]; signetBadgeMs: number };
        return { badge: w.signetBadgeMs, longest: Math.max(0, ...w.signetLongTasks) };
      });
      console.log(
        `${`${mb} MB`.padEnd(8)} ${`${r.badge.toFixed(0)} ms`.padStart(13)} ${`${r.longest.toFixed(0)} ms`.padStart(13)} ${`+${(rssPeak - rss0).toFixed(0)} MB`.padStart(20)} ${`${(openssl / 1000).toFixed(2)} s`.padStart(23)}`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
