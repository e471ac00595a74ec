// Loads the organisation policy that the admin serves next to the add-in (/signet-policy.json, see
// docs/ADMIN.md). fetch is injected (no Office, no DOM here): the task pane and the event runtime pass
// their global fetch, tests pass a fake. Never throws: a missing or broken policy gives safe defaults
// plus an admin error, so the add-in still starts and says what is wrong.

import { MAX_POLICY_BYTES, defaultPolicy, parsePolicy, type PolicyResult } from './policy.js';

/** Where the policy lives, relative to the add-in page (taskpane.html, commands.html). */
export const POLICY_FILE = 'signet-policy.json';

export interface LoadPolicyOptions {
  fetch: typeof fetch;
  /** Absolute URL, or relative to `base`; default POLICY_FILE. */
  url?: string;
  /** Base for a relative url (the page's location.href); default none (url must then be absolute). */
  base?: string;
  /** Milliseconds before giving up; default 10 s. */
  timeoutMs?: number;
}

function unreadable(message: string): PolicyResult {
  return { policy: defaultPolicy(), errors: [{ path: '$', code: 'unreadable', message }], source: 'defaults' };
}

export async function loadPolicy(options: LoadPolicyOptions): Promise<PolicyResult> {
  let url: URL;
  try {
    url = new URL(options.url ?? POLICY_FILE, options.base);
  } catch {
    return unreadable(`The policy location ${JSON.stringify(options.url ?? POLICY_FILE)} is not a URL.`);
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 10_000);
  try {
    // no-cache: an admin's change takes effect on the next start, not when some cache expires.
    const res = await options.fetch(url.href, { cache: 'no-cache', credentials: 'omit', redirect: 'error', signal: controller.signal });
    if (!res.ok) {
      return unreadable(res.status === 404 ? `No policy at ${url.href} (HTTP 404): using safe defaults.` : `The policy at ${url.href} could not be read (HTTP ${res.status}).`);
    }
    const declared = Number(res.headers.get('content-length') ?? '0');
    if (declared > MAX_POLICY_BYTES) return unreadable(`The policy at ${url.href} is larger than ${MAX_POLICY_BYTES} bytes.`);
    return parsePolicy(await res.text());
  } catch (e) {
    return unreadable(`The policy at ${url.href} could not be fetched: ${e instanceof Error ? e.message : String(e)}.`);
  } finally {
    clearTimeout(timer);
  }
}

/** One line for the admin status area ("Policy 2026-01 applied", or what is wrong). */
export function policyStatusLine(result: PolicyResult): string {
  const label = result.policy.revision ? ` ${result.policy.revision}` : '';
  if (result.errors.length === 0) {
    const warning = result.warnings?.[0];
    return warning ? `Organisation policy${label} applied. Warning: ${warning.message}` : `Organisation policy${label} applied.`;
  }
  const first = result.errors[0]!;
  const more = result.errors.length > 1 ? ` (+${result.errors.length - 1} more)` : '';
  const prefix = result.source === 'defaults' ? 'Organisation policy not applied, safe defaults in force' : `Organisation policy${label} has errors; those settings use safe defaults`;
  return `${prefix}: ${first.path}: ${first.message}${more}`;
}
