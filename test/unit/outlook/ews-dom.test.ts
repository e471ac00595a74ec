// The EWS response reader (src/outlook/transport/ews.ts parseEwsResponse) with the platform's real
// DOMParser, in Chromium — the parser it uses in the task pane — on the recorded responses and malformed
// input of test/helpers/ews-responses.ts; the Node stand-in (test/helpers/xml-parser.ts) must agree.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { readFileSync, statSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_FLAGS, PACKAGE_ROOT, requireChromium } from '../../helpers/workbench.js';
import { parseEwsResponse } from '../../../src/outlook/transport/ews.js';
import type * as EwsModule from '../../../src/outlook/transport/ews.js';
import { ewsOutcomes } from '../../helpers/ews-responses.js';
import { testXmlParser } from '../../helpers/xml-parser.js';

let server: Server;
let base: string;
let browser: Browser;
let page: Page;

before(async () => {
  requireChromium();
  server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><html><body></body></html>');
      return;
    }
    const file = join(PACKAGE_ROOT, path);
    if (!path.startsWith('/lib/src/') || !file.startsWith(PACKAGE_ROOT) || !statSync(file, { throwIfNoEntry: false })?.isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS, headless: true });
  page = await browser.newPage();
  await page.goto(base);
});

after(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
});

test("Chromium's DOMParser and the Node stand-in give the same EWS outcomes", async () => {
  const inBrowser = await page.evaluate(
    async ({ cases, module }) => {
      const m = (await import(module)) as typeof EwsModule;
      // No parser argument: the reader's default, the platform's DOMParser.
      return cases.map((xml) => m.parseEwsResponse(xml));
    },
    { cases: ewsOutcomes.map((c) => c.xml), module: `${base}/lib/src/outlook/transport/ews.js` },
  );
  ewsOutcomes.forEach((c, i) => {
    assert.deepEqual(inBrowser[i], c.outcome, `Chromium: ${c.name}`);
    assert.deepEqual(parseEwsResponse(c.xml, testXmlParser), c.outcome, `Node stand-in: ${c.name}`);
  });
});
