// Nothing of the workbench in production (issue 14 item 8): the shipped entry points of the production
// webpack build — the task pane (taskpane.html), the event runtime (commands.html) and classic Outlook's
// launchevent.js — reach no module of workbench/ through any chunk they load, and no file they load names
// a page global that could add a trust anchor, an identity or a transport. Development hooks exist only as
// an injected module state (src/outlook/development-hooks.ts) that the workbench's own entries set.
// Uses the shared production build of the browser tests (test/helpers/workbench.ts buildForBrowser, which
// also builds the workbench's entries side by side, so the check also proves they are told apart).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildForBrowser } from '../../helpers/workbench.js';

interface EntryModules {
  modules: string[];
  files: string[];
}

const dist = buildForBrowser();
const read = (name: string) => JSON.parse(readFileSync(join(dist, 'build-modules', `${name}.json`), 'utf8')) as Record<string, EntryModules>;
const addin = read('addin');
const launch = read('launchevent');
const SHIPPED: Record<string, EntryModules> = { taskpane: addin['taskpane']!, commands: addin['commands']!, launchevent: launch['launchevent']! };
/** Names of page globals through which a pane once took development powers. */
const PAGE_GLOBALS = /signetWorkbench/;

test.after(() => rmSync(dist, { recursive: true, force: true }));

test('the shipped entries reach only src/ and node_modules/, never workbench/', () => {
  for (const [name, entry] of Object.entries(SHIPPED)) {
    assert.ok(entry, `${name}: no module list`);
    assert.ok(entry.modules.length >= (name === 'launchevent' ? 2 : 20), `${name}: only ${entry.modules.length} modules`);
    const outside = entry.modules.filter((m) => !m.startsWith('src/') && !m.startsWith('node_modules/'));
    assert.deepEqual(outside, [], `${name} reaches modules outside src/`);
  }
  // The pane's lazily loaded engine is part of the check (async chunks are followed).
  assert.ok(SHIPPED['taskpane']!.modules.includes('src/taskpane/engine.ts'));
  assert.ok(SHIPPED['taskpane']!.modules.includes('src/taskpane/start.tsx'));
  assert.ok(SHIPPED['commands']!.modules.includes('src/outlook/transport/index.ts'));
});

test('the workbench entries are the ones that carry workbench/ (so the check above can see it)', () => {
  assert.ok(addin['workbench-taskpane']!.modules.includes('workbench/pane-entry.tsx'));
  assert.ok(addin['workbench-taskpane']!.modules.includes('workbench/host-hooks.ts'));
  assert.ok(addin['workbench-commands']!.modules.includes('workbench/runtime-entry.ts'));
  assert.ok(addin['workbench']!.modules.includes('workbench/fake-office.ts'));
});

test('no file a shipped entry loads names a workbench page global; the shipped pages load only their own entry', () => {
  for (const [name, entry] of Object.entries(SHIPPED)) {
    const scripts = entry.files.filter((f) => f.endsWith('.js'));
    assert.ok(scripts.length > 0, `${name}: no script files`);
    for (const f of scripts) {
      const text = readFileSync(join(dist, f), 'utf8');
      assert.doesNotMatch(text, PAGE_GLOBALS, `${f} (${name})`);
      assert.doesNotMatch(text, /workbench-token|owner-identity\.pem|trust-anchors\.pem/, `${f} (${name})`);
    }
  }
  for (const [page, entry] of [['taskpane.html', 'taskpane'], ['commands.html', 'commands']] as const) {
    const html = readFileSync(join(dist, page), 'utf8');
    const srcs = [...html.matchAll(/<script[^>]*\ssrc="?([^"\s>]+)/g)].map((m) => m[1]!).filter((s) => !s.startsWith('https://'));
    assert.ok(srcs.length > 0, `${page} loads no bundle`);
    for (const s of srcs) assert.ok(SHIPPED[entry]!.files.includes(s), `${page} loads ${s}, which is not its own entry's`);
  }
});
