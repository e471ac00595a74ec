// Drives the real workbench in Debian's Chromium (playwright-core, no bundled browser): builds the add-in in
// production mode with the workbench page into a temp folder, makes sure the sample mailbox exists
// (.workbench/, openssl + Signet), serves both on a free loopback port with the simulated Exchange (its
// delivered mail kept in memory, so every run starts empty), and launches Chromium with a fresh profile.
// Used by test/e2e and by the pane-latency benchmark (bench/pane-latency.ts).

import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { MailboxIndex } from '../../workbench/mailbox.js';
import { ensureMailbox, workbenchPaths } from '../../workbench/samples.js';
import { startServer, type RunningServer, type ServerOptions } from '../../workbench/server.js';

export const CHROMIUM = process.env['SIGNET_CHROMIUM'] ?? '/usr/bin/chromium';
export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** lib/test/helpers/workbench.js → the package root. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface Workbench {
  server: RunningServer;
  dist: string;
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM}: the browser end-to-end tests need Debian's chromium package ` +
        '(apt-get install chromium; .ci/run installs it) or SIGNET_CHROMIUM=/path/to/chromium.',
    );
  }
}

/**
 * `webpack --mode production --env workbench` into a fresh folder; returns it. Under scripts/run-tests.js
 * the build is made once per run (SIGNET_E2E_DIST): this waits for it and returns a private copy, since
 * tests rewrite files such as signet-policy.json in their folder.
 */
export function buildForBrowser(): string {
  const dist = mkdtempSync(join(tmpdir(), 'signet-e2e-dist-'));
  const shared = process.env['SIGNET_E2E_DIST'];
  if (shared) {
    const marker = dirname(shared);
    const deadline = Date.now() + 15 * 60_000;
    while (!existsSync(join(marker, 'complete')) && !existsSync(join(marker, 'failed'))) {
      if (Date.now() > deadline) throw new Error(`the shared webpack build in ${shared} did not finish in 15 minutes`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250); // a synchronous sleep
    }
    if (existsSync(join(marker, 'failed'))) throw new Error(readFileSync(join(marker, 'failed'), 'utf8'));
    cpSync(shared, dist, { recursive: true });
    return dist;
  }
  const webpack = join(PACKAGE_ROOT, 'node_modules', 'webpack-cli', 'bin', 'cli.js');
  const r = spawnSync(process.execPath, [webpack, '--mode', 'production', '--env', 'workbench', '--env', `modules=${join(dist, 'build-modules')}`, '--output-path', dist], {
    cwd: PACKAGE_ROOT,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`webpack failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return dist;
}

export async function openWorkbench(dist: string, extra: Pick<ServerOptions, 'relay'> = {}): Promise<Workbench> {
  requireChromium();
  const mailbox = await ensureMailbox(PACKAGE_ROOT);
  const index = JSON.parse(readFileSync(workbenchPaths(PACKAGE_ROOT).index, 'utf8')) as MailboxIndex;
  const server = await startServer({ port: 0, root: dist, extraRoots: [mailbox], mail: { dir: null, owner: index.owner, sendAs: index.sendAs }, ...extra });
  const profile = mkdtempSync(join(tmpdir(), 'signet-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1400, height: 1000 },
    headless: true,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    server,
    dist,
    context,
    page,
    async close() {
      await context.close();
      await server.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Selects a sample in the message list and waits until the pane shows a badge for it. */
/** Opens a new message in the workbench's compose form and writes its To, Subject and body, as a person does. */
export async function writeNewMessage(page: Page, fields: { to: string; subject: string; body: string }): Promise<void> {
  await page.click('#new-message');
  await page.locator('#compose:not([hidden])').waitFor();
  await page.fill('#compose-to', fields.to);
  await page.locator('#compose-to').press('Tab');
  await page.fill('#compose-subject', fields.subject);
  await page.locator('#compose-body').click();
  await page.keyboard.type(fields.body);
}

export async function selectSample(page: Page, id: string, subject: string): Promise<void> {
  await page.click(`button[data-id="${id}"]`);
  await page
    .frameLocator('#taskpane')
    .locator(`[data-testid=badge][data-subject="${subject.replace(/"/g, '\\"')}"]`)
    .waitFor({ state: 'visible', timeout: 20_000 });
}
