// Builds the add-in's web part into dist/: the task pane and the ribbon function file / event runtime (each
// an HTML page plus one bundle), the workbench page, manifest.xml and assets/, and — as a second
// compilation — launchevent.js, the event handlers for classic Outlook on Windows' JavaScript-only runtime.
// Type-checking is `tsc -p tsconfig.json`'s job; ts-loader only transpiles. `--mode production` gives
// content-hashed file names (except launchevent.js, which the manifest names) and a size budget.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import webpack from 'webpack';
import HtmlWebpackPlugin from 'html-webpack-plugin';
import CopyWebpackPlugin from 'copy-webpack-plugin';
// Compiled by `tsc -p tsconfig.json`, which every npm script runs before webpack (docs/ADMIN.md).
import { SignetDeployPlugin } from './lib/src/build/deploy.js';

const here = dirname(fileURLToPath(import.meta.url));
const KiB = 1024;

/*
 * Size budget, per emitted script or stylesheet and per entrypoint: 640 KiB minified (about 160 KiB
 * gzipped). pkijs + asn1js alone are ~405 KiB minified when nearly all of them is reachable (measured with
 * webpack 5, pkijs 4), which leaves ~235 KiB for Signet's core and UI. The task pane opens on every click
 * of the ribbon button, often on slow links, so growing past this (a UI framework, say) is a deliberate
 * decision: raise the number here with the reason, do not switch the check off. Errors in production.
 */
const BUDGET = 640 * KiB;

/** Microsoft's office.js on its CDN: what production pages must load (Microsoft's rule for add-ins). */
export const OFFICE_JS_CDN = 'https://appsforoffice.microsoft.com/lib/1/hosted/office.js';
/** Development pages load the local copy from @microsoft/office-js instead, so they work offline. */
export const OFFICE_JS_LOCAL = 'office-js/office.js';
/*
 * The part of @microsoft/office-js's dist/ an Outlook add-in loads (office.js picks its host script,
 * outlook-*.js, and the en-us strings next to itself); the other hosts, locales and debug builds (~80 MB)
 * stay in node_modules.
 */
const OFFICE_JS_FILES = /(^|\/)(office|es6-promise|o15apptofilemappingtable|outlook-[\w.-]+)\.js$|(^|\/)en-us\/(office|outlook)_strings\.js$/;

/** The classic-Outlook event runtime file; manifest.xml's JSRuntime.Url names it, so it is never hashed. */
const LAUNCHEVENT_FILE = 'launchevent.js';
/** The key vault worker's chunk name (the `name` option of `new Worker` in src/taskpane/pane-keys.ts). */
const VAULT_WORKER = 'signet-key-vault';

export default (env = {}, argv = {}) => {
  const production = argv.mode === 'production';
  // The workbench page is for development; `--env workbench` adds it to a production build for e2e tests.
  const withWorkbench = !production || Boolean(env.workbench);
  const hashed = (name) => (production ? `${name}.[contenthash:12]` : name);
  // Real Outlook (`--env outlook`, npm run sideload) gets Microsoft's CDN office.js even in a development
  // build: the host and its office.js must match, which only the CDN copy guarantees.
  const officeJs = production || env.outlook ? OFFICE_JS_CDN : OFFICE_JS_LOCAL;
  // `--env host=https://…` rewrites the manifest for that host; `--env policy=FILE` (or SIGNET_POLICY)
  // chooses the organisation policy served as /signet-policy.json. parseHost() rejects a bad host here,
  // before anything is built.
  const policyFile = resolve(here, env.policy ?? process.env.SIGNET_POLICY ?? 'docs/policies/default.json');
  // Classic Outlook's JavaScript-only runtime must not fetch the policy at send time (fetches there fail
  // intermittently, and a failure blocks every send): the build writes the policy document itself into
  // launchevent.js (src/events/launchevent.ts readPolicy()). SignetDeployPlugin has checked the same file.
  const policyDocument = readFileSync(policyFile, 'utf8');
  const deploy = new SignetDeployPlugin({
    host: env.host,
    policyFile,
    // Not in this compilation's assets (see launchEventConfig), but a script the add-in serves.
    extraScripts: [LAUNCHEVENT_FILE],
  });
  const tsRule = (compilerOptions = {}) => ({
    test: /\.tsx?$/,
    exclude: /node_modules/,
    loader: 'ts-loader',
    options: {
      transpileOnly: true,
      onlyCompileBundledFiles: true,
      // ES modules for webpack to tree-shake; tsconfig's NodeNext is for tsc's Node output.
      compilerOptions: { module: 'es2022', moduleResolution: 'bundler', declaration: false, jsx: 'react-jsx', ...compilerOptions },
    },
  });
  const resolveTs = {
    extensions: ['.ts', '.tsx', '.js'],
    // Sources import './x.js' (NodeNext); the file on disk is x.ts.
    extensionAlias: { '.js': ['.ts', '.tsx', '.js'] },
  };

  /*
   * launchevent.js: classic Outlook on Windows runs event handlers in a JavaScript-only runtime that loads
   * this one file directly ("Configure your Outlook add-in for event-based activation": no DOM, ES2016-ish,
   * imports not supported). So: a single file with no async chunks, TypeScript down-levelled to ES2016
   * (async/await becomes generators), and a fixed name, because the manifest's <Override type="javascript">
   * names it. Built after the main compilation (`dependencies`), whose `output.clean` would otherwise
   * delete it.
   */
  const launchEventConfig = {
    name: 'launchevent',
    dependencies: ['addin'],
    mode: production ? 'production' : 'development',
    context: here,
    target: ['web', 'es2016'],
    entry: { launchevent: './src/events/launchevent.ts' },
    output: { path: resolve(here, 'dist'), filename: LAUNCHEVENT_FILE, publicPath: '', clean: false, asyncChunks: false, iife: true },
    devtool: 'source-map',
    resolve: resolveTs,
    module: { rules: [tsRule({ target: 'es2016' })] },
    // Not minified: terser would bring back the ternaries and newer syntax the ES2016 check forbids, and the
    // file is ~10 KB as it is.
    optimization: { splitChunks: false, runtimeChunk: false, minimize: false },
    plugins: [new webpack.DefinePlugin({ SIGNET_POLICY_DOCUMENT: JSON.stringify(policyDocument) })],
    performance: { hints: production ? 'error' : false, maxAssetSize: BUDGET, maxEntrypointSize: BUDGET, assetFilter: (file) => /\.js$/.test(file) },
  };

  const addinConfig = {
    name: 'addin',
    mode: production ? 'production' : 'development',
    context: here,
    // Task panes run in Edge WebView2, Chromium or Safari WebKit; the old Trident (IE11) webview lacks
    // standard WebCrypto, so Signet cannot run there at all and there is no point transpiling for it.
    target: ['web', 'es2022'],
    entry: {
      taskpane: './src/taskpane/taskpane.tsx',
      commands: './src/commands/commands.ts',
      // The workbench (development and e2e only): the simulated Outlook page, and the office.js stand-in
      // the workbench server puts into the task pane in place of Microsoft's (src/workbench/office-shim.ts).
      ...(withWorkbench ? { workbench: './src/workbench/host.ts', 'workbench-office': './src/workbench/office-shim.ts' } : {}),
    },
    output: {
      path: resolve(here, 'dist'),
      filename: `${hashed('[name]')}.js`,
      // Lazily loaded chunks (the S/MIME engine the task pane imports on demand).
      chunkFilename: `${hashed('[name]')}.chunk.js`,
      assetModuleFilename: `${hashed('[name]')}[ext]`,
      publicPath: '',
      clean: true,
    },
    // The key vault worker (src/keys/store/pkcs1-vault-worker.ts, started by src/taskpane/pane-keys.ts with
    // `name: VAULT_WORKER`) must be one self-contained file: a worker runs under its own response's CSP, and
    // script files are served with `default-src 'none'` (docs/ADMIN.md), which forbids importScripts of
    // shared chunks. So no chunk splitting for it; every other async chunk splits as webpack's default
    // (`chunks: 'async'`: initial chunks are never split).
    optimization: { splitChunks: { chunks: (chunk) => !chunk.canBeInitial() && chunk.name !== VAULT_WORKER } },
    // Never an eval-based devtool: the add-in pages are served without 'unsafe-eval' in their CSP.
    devtool: 'source-map',
    resolve: resolveTs,
    module: {
      rules: [
        tsRule(),
        // Stylesheets are plain files linked from the page templates (no inline <style>: CSP).
        { test: /\.css$/, type: 'asset/resource' },
      ],
    },
    plugins: [
      new HtmlWebpackPlugin({
        template: './src/taskpane/taskpane.html',
        filename: 'taskpane.html',
        chunks: ['taskpane'],
        officeJs,
      }),
      new HtmlWebpackPlugin({
        template: './src/commands/commands.html',
        filename: 'commands.html',
        chunks: ['commands'],
        officeJs,
      }),
      ...(withWorkbench
        ? [new HtmlWebpackPlugin({ template: './src/workbench/index.html', filename: 'index.html', chunks: ['workbench'] })]
        : []),
      new CopyWebpackPlugin({
        patterns: [
          { from: 'manifest.xml', to: 'manifest.xml' },
          { from: 'assets', to: 'assets' },
          ...(production ? [] : [{ from: 'node_modules/@microsoft/office-js/dist', to: 'office-js', filter: (file) => OFFICE_JS_FILES.test(file.replaceAll('\\', '/')) && !/\.debug(-vsdoc)?\.js$|vsdoc/.test(file) }]),
        ],
      }),
      deploy,
    ],
    performance: {
      hints: production ? 'error' : false,
      maxAssetSize: BUDGET,
      maxEntrypointSize: BUDGET,
      assetFilter: (file) => /\.(js|css)$/.test(file),
    },
  };
  return [addinConfig, launchEventConfig];
};
