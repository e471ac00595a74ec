// Builds the add-in's web part into dist/: the task pane and the ribbon function file / event runtime (each
// an HTML page plus one bundle), manifest.xml and assets/, and — as a second compilation — launchevent.js,
// the event handlers for classic Outlook on Windows' JavaScript-only runtime. Development builds (and
// `--env workbench`) add the workbench (workbench/, never in src/): its page, and its own entries for the
// pane and the event runtime that inject development hooks (src/outlook/development-hooks.ts) — the shipped
// entries never do. `--env modules=DIR` writes which source modules each entry point reaches (tests).
// Type-checking is `tsc -p tsconfig.json`'s job; ts-loader only transpiles. `--mode production` gives
// content-hashed file names (except launchevent.js, which the manifest names) and a size budget.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
/** The message-opening worker's chunk name (the `name` option of `new Worker` in src/taskpane/open-client.ts). */
const OPEN_WORKER = 'signet-open';

/**
 * Writes DIR/<compilation>.json, `{ entryName: { modules, files } }`: every module each entry point reaches,
 * through its initial chunks and every async chunk below them (concatenated modules listed one by one).
 * test/unit/build/no-workbench.test.ts reads it to prove the shipped entries hold nothing of workbench/.
 */
class EntryModulesPlugin {
  constructor(dir) {
    this.dir = dir;
  }
  apply(compiler) {
    compiler.hooks.afterEmit.tap('EntryModulesPlugin', (compilation) => {
      const { chunkGraph } = compilation;
      const out = {};
      for (const [name, entrypoint] of compilation.entrypoints) {
        const chunks = new Set(entrypoint.chunks);
        for (const c of entrypoint.chunks) for (const a of c.getAllAsyncChunks()) chunks.add(a);
        const paths = new Set();
        const add = (m) => {
          if (m.modules) for (const inner of m.modules) add(inner);
          const resource = m.resource ?? m.rootModule?.resource;
          if (!resource) return;
          const path = resource.replaceAll('\\', '/');
          // node_modules may be a symlink to a shared install elsewhere: name packages by their path inside it.
          const inPackages = path.indexOf('/node_modules/');
          paths.add(inPackages >= 0 ? path.slice(inPackages + 1) : path.startsWith(`${here}/`) ? path.slice(here.length + 1) : path);
        };
        for (const c of chunks) for (const m of chunkGraph.getChunkModulesIterable(c)) add(m);
        out[name] = { modules: [...paths].sort(), files: [...new Set([...chunks].flatMap((c) => [...c.files]))].sort() };
      }
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(resolve(this.dir, `${compiler.name}.json`), JSON.stringify(out, null, 1));
    });
  }
}

export default (env = {}, argv = {}) => {
  const production = argv.mode === 'production';
  // The workbench page is for development; `--env workbench` adds it to a production build for e2e tests.
  // Not in a build for real Outlook (`--env outlook`, npm run sideload) either: nothing of workbench/ there.
  const withWorkbench = (!production && !env.outlook) || Boolean(env.workbench);
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
    plugins: [new webpack.DefinePlugin({ SIGNET_POLICY_DOCUMENT: JSON.stringify(policyDocument) }), ...(env.modules ? [new EntryModulesPlugin(resolve(env.modules))] : [])],
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
      // The workbench (development and e2e only): the simulated Outlook page, the office.js stand-in the
      // workbench server puts into the add-in's pages in place of Microsoft's (workbench/office-shim.ts), and
      // the pane and event runtime with the workbench's development hooks injected.
      ...(withWorkbench
        ? {
            workbench: './workbench/host.ts',
            'workbench-office': './workbench/office-shim.ts',
            'workbench-taskpane': './workbench/pane-entry.tsx',
            'workbench-commands': './workbench/runtime-entry.ts',
          }
        : {}),
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
    // `name: VAULT_WORKER`) and the message-opening worker (src/taskpane/open-worker.ts, started by
    // src/taskpane/open-client.ts with `name: OPEN_WORKER`) must each be one self-contained file: a worker runs under its own response's CSP, and
    // script files are served with `default-src 'none'` (docs/ADMIN.md), which forbids importScripts of
    // shared chunks. So no chunk splitting for them; every other async chunk splits as webpack's default
    // (`chunks: 'async'`: initial chunks are never split).
    optimization: { splitChunks: { chunks: (chunk) => !chunk.canBeInitial() && chunk.name !== VAULT_WORKER && chunk.name !== OPEN_WORKER } },
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
      // `SharedArrayBuffer` as a module binding, not a global lookup (src/build/shared-array-buffer.ts says why).
      new webpack.ProvidePlugin({ SharedArrayBuffer: [resolve(here, 'src/build/shared-array-buffer.ts'), 'default'] }),
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
        ? [
            new HtmlWebpackPlugin({ template: './workbench/index.html', filename: 'index.html', chunks: ['workbench'] }),
            new HtmlWebpackPlugin({ template: './src/taskpane/taskpane.html', filename: 'workbench-taskpane.html', chunks: ['workbench-taskpane'], officeJs }),
            new HtmlWebpackPlugin({ template: './src/commands/commands.html', filename: 'workbench-commands.html', chunks: ['workbench-commands'], officeJs }),
          ]
        : []),
      ...(env.modules ? [new EntryModulesPlugin(resolve(env.modules))] : []),
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
