// Production deployment pieces made at build time (docs/ADMIN.md): the manifest rewritten for the admin's
// host, the well-known file that event-based SSO needs, and the organisation policy checked and copied
// next to the add-in. Runs in Node inside webpack (webpack.config.js imports the compiled lib/ copy).

import { readFileSync } from 'node:fs';
import type { Compiler } from 'webpack';
import { parsePolicy, type Policy, type PolicyError } from '../policy/policy.js';
import { POLICY_FILE } from '../policy/load.js';

/** The origin the checked-in manifest.xml points at (the local workbench). */
export const DEV_ORIGIN = 'http://localhost:3000';

/** Path of the allowed-origins file ("Use SSO or CORS in your event-based Outlook add-in", Microsoft Learn). */
export const ALLOWED_FILE = '.well-known/microsoft-officeaddins-allowed.json';
/** Where the real-Outlook development loop serves the add-in (npm run sideload; Outlook needs HTTPS). */
export const DEV_HTTPS_ORIGIN = 'https://localhost:3000';
/** The development manifest for real Outlook, emitted next to manifest.xml by every development build. */
export const DEV_HTTPS_MANIFEST = 'manifest.dev-https.xml';

export interface DeployTarget {
  /** https://host[:port], what AppDomain and brk-multihub:// need. */
  origin: string;
  /** Where dist/ is served, ending in "/": the origin, or a path below it. */
  base: string;
}

/**
 * Checks the admin's --env host value. Only https (Outlook refuses add-in pages over http outside
 * localhost), no credentials, query or fragment, and not a loopback host (a production manifest that
 * points at localhost works only on the admin's own machine).
 */
export function parseHost(input: unknown): DeployTarget {
  if (typeof input !== 'string' || input.trim() === '') {
    throw new Error('--env host=… needs a value such as https://signet.contoso.com');
  }
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new Error(`--env host=${input} is not a URL; write it as https://signet.contoso.com`);
  }
  if (url.protocol !== 'https:') throw new Error(`--env host=${input} must use https:// (Outlook loads add-ins only over HTTPS)`);
  if (url.username || url.password) throw new Error(`--env host=${input} must not contain a user name or password`);
  if (url.search || url.hash || input.includes('?') || input.includes('#')) throw new Error(`--env host=${input} must not have a ?query or #fragment`);
  const hostname = url.hostname.toLowerCase();
  if (hostname === 'localhost' || hostname.endsWith('.localhost') || /^127\./.test(hostname) || hostname === '[::1]' || hostname === '0.0.0.0') {
    throw new Error(`--env host=${input} is a loopback address; a production build needs the host your users reach`);
  }
  if (!hostname.includes('.')) throw new Error(`--env host=${input} is not a fully qualified host name`);
  const path = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
  return { origin: url.origin, base: `${url.origin}${path}` };
}

const LOOPBACK_URL = /https?:\/\/(?:localhost|127\.0\.0\.1|\[::1\])(?::\d+)?/gi;

/** The two permission levels Signet's manifest can ask for (see manifest.xml's <Permissions> comment). */
export type ManifestPermission = 'ReadWriteItem' | 'ReadWriteMailbox';

/**
 * The least permission a policy needs: with a Graph app registration (Exchange Online) the protected
 * message goes out through Microsoft Graph and ReadWriteItem suffices; without one (Exchange on-premises)
 * it goes through EWS, and `makeEwsRequestAsync` requires ReadWriteMailbox.
 */
export function permissionFor(policy: Pick<Policy, 'graph'>): ManifestPermission {
  return policy.graph === null ? 'ReadWriteMailbox' : 'ReadWriteItem';
}

export interface RewriteOptions {
  /** Smart Alerts SendMode written into the OnMessageSend LaunchEvent (policy sendGuard.mode). */
  sendMode?: Policy['sendGuard']['mode'];
  /** Replaces the manifest's <Permissions> (see permissionFor). */
  permissions?: ManifestPermission;
}

/**
 * The manifest for a production host: every URL on the dev origin moves below `target.base` (pages,
 * icons, the event runtime commands.html and classic Outlook's launchevent.js alike), AppDomain becomes
 * the host's origin, and (when the manifest has an OnMessageSend handler) the send mode follows the
 * policy, as does the permission. Throws if any loopback URL would remain.
 */
export function rewriteManifest(xml: string, target: DeployTarget, options: RewriteOptions = {}): string {
  // The checked-in comments describe the development copy; the admin's copy says where it came from.
  let out = xml.replace(/<!--[\s\S]*?-->\s*/g, '');
  out = out.replace(/^(<\?xml[^>]*\?>\s*)?/, (decl: string) =>
    // No URL in here: "--" (in the command line, or a punycode host) is not allowed inside a comment.
    `${decl}<!-- Generated from Signet's manifest.xml by its production build (docs/ADMIN.md); rebuild rather than edit. -->\n`,
  );
  out = out.replace(/<AppDomain>\s*([^<]*?)\s*<\/AppDomain>/g, (whole, domain: string) =>
    new RegExp(`^${LOOPBACK_URL.source}/?$`, 'i').test(domain) ? `<AppDomain>${target.origin}</AppDomain>` : whole,
  );
  out = out.replace(new RegExp(`${LOOPBACK_URL.source}/?`, 'gi'), target.base);
  if (options.sendMode !== undefined) {
    out = out.replace(/(<LaunchEvent\b[^>]*\bType="OnMessageSend"[^>]*\bSendMode=")[^"]*(")/g, `$1${options.sendMode}$2`);
  }
  if (options.permissions !== undefined) {
    out = out.replace(/<Permissions>\s*[A-Za-z]+\s*<\/Permissions>/, `<Permissions>${options.permissions}</Permissions>`);
  }
  const left = out.match(/localhost|127\.0\.0\.1|\[::1\]/i);
  if (left) throw new Error(`the production manifest still mentions ${left[0]}: point every URL at ${DEV_ORIGIN}/ in manifest.xml`);
  return out;
}

/**
 * The development manifest for sideloading into real Outlook: manifest.xml with every
 * http://localhost:3000 URL moved to https://localhost:3000 (Outlook refuses add-in pages over HTTP), and
 * the display name marked so a developer can tell it from a deployed Signet. Same Id as manifest.xml, as
 * Microsoft's templates do: sideload one or the other.
 */
export function devHttpsManifest(xml: string): string {
  const out = xml
    .replace(/<!--[\s\S]*?-->\s*/g, '')
    .replace(/^(<\?xml[^>]*\?>\s*)?/, (decl: string) => `${decl}<!-- Development manifest for real Outlook, generated from manifest.xml by every development build (npm run sideload). -->\n`)
    .replace(/http:\/\/localhost:3000/g, DEV_HTTPS_ORIGIN)
    .replace('<DisplayName DefaultValue="Signet"/>', '<DisplayName DefaultValue="Signet (development)"/>');
  if (/http:\/\/localhost/i.test(out)) throw new Error('the development manifest still has an http://localhost URL');
  return out;
}

/**
 * The well-known allowed-origins file: {"allowed": [absolute URLs of the add-in's JavaScript files]}.
 * Classic Outlook on Windows runs event handlers from a JavaScript file and gives SSO tokens only to the
 * files the origin lists here; it must be served at the origin's root.
 */
export function allowedFileJson(target: DeployTarget, scripts: readonly string[]): string {
  const allowed = [...new Set(scripts)].sort().map((file) => new URL(file, target.base).href);
  return `${JSON.stringify({ allowed }, null, 2)}\n`;
}

/** Reads and checks a policy file for the build; the errors decide whether the build may go on. */
export function readPolicyFile(file: string): { text: string; policy: Policy; errors: PolicyError[] } {
  const text = readFileSync(file, 'utf8');
  const { policy, errors } = parsePolicy(text);
  return { text, policy, errors };
}

export interface DeployPluginOptions {
  /** --env host; absent for the local workbench build (the manifest then stays on DEV_ORIGIN). */
  host?: string;
  /** Policy document to serve as /signet-policy.json. */
  policyFile: string;
  /**
   * Scripts the add-in serves that another compilation emits (launchevent.js), listed in the
   * allowed-origins file with this compilation's own scripts.
   */
  extraScripts?: readonly string[];
}

/**
 * webpack plugin: emits signet-policy.json and, for a production host, rewrites manifest.xml (copied by
 * CopyWebpackPlugin) and emits the allowed-origins file listing the content-hashed scripts. An invalid
 * policy fails a production build; in a workbench build it is a warning, so the add-in's own admin error
 * can be tried out.
 */
export class SignetDeployPlugin {
  private readonly target: DeployTarget | null;
  constructor(private readonly options: DeployPluginOptions) {
    this.target = options.host === undefined ? null : parseHost(options.host);
  }

  apply(compiler: Compiler): void {
    const { Compilation, WebpackError, sources } = compiler.webpack;
    compiler.hooks.thisCompilation.tap('SignetDeployPlugin', (compilation) => {
      compilation.fileDependencies.add(this.options.policyFile);
      // After REALCONTENTHASH (OPTIMIZE_HASH) renamed the scripts, so the allowed list names real files.
      compilation.hooks.processAssets.tap({ name: 'SignetDeployPlugin', stage: Compilation.PROCESS_ASSETS_STAGE_OPTIMIZE_TRANSFER }, () => {
        let policy: Policy | null = null;
        try {
          const read = readPolicyFile(this.options.policyFile);
          policy = read.policy;
          for (const e of read.errors) {
            const err = new WebpackError(`Signet policy ${this.options.policyFile}: ${e.path}: ${e.message}`);
            (this.target ? compilation.errors : compilation.warnings).push(err);
          }
          compilation.emitAsset(POLICY_FILE, new sources.RawSource(read.text));
        } catch (e) {
          compilation.errors.push(new WebpackError(`Signet policy ${this.options.policyFile} cannot be read: ${e instanceof Error ? e.message : String(e)}`));
        }
        const manifest = compilation.getAsset('manifest.xml');
        if (this.target === null) {
          // Development build: also the HTTPS manifest for sideloading into real Outlook (npm run sideload).
          if (manifest) compilation.emitAsset(DEV_HTTPS_MANIFEST, new sources.RawSource(devHttpsManifest(manifest.source.source().toString())));
          return;
        }
        if (!manifest) {
          compilation.errors.push(new WebpackError('Signet deploy: manifest.xml was not copied into the build'));
          return;
        }
        try {
          const rewritten = rewriteManifest(manifest.source.source().toString(), this.target, policy ? { sendMode: policy.sendGuard.mode, permissions: permissionFor(policy) } : {});
          compilation.updateAsset('manifest.xml', new sources.RawSource(rewritten));
        } catch (e) {
          compilation.errors.push(new WebpackError(`Signet deploy: ${e instanceof Error ? e.message : String(e)}`));
        }
        const scripts = [...compilation.getAssets().map((a) => a.name).filter((n) => n.endsWith('.js')), ...(this.options.extraScripts ?? [])];
        compilation.emitAsset(ALLOWED_FILE, new sources.RawSource(allowedFileJson(this.target, scripts)));
      });
    });
  }
}
