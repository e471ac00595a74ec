// Client for the organisation's certificate directory named in the policy (`directory.url`, docs/ADMIN.md),
// in the small HTTPS GET/JSON format of docs/DIRECTORY.md, so that an LDAP or GAL gateway can sit behind
// it:
//
//   GET {url}?address=alice%40example.org        Accept: application/json
//   200 { "certificates": ["<base64 DER>", …] }     (an empty list, or 404, when there are none)
//
// fetch is injected. Certificates are public, so the request carries no credentials and no cookies.
// Nothing the directory returns is trusted as such: every certificate goes through the same path
// validation and checks as a file the user imports (certificate-directory.ts).

import { fromBase64 } from '../../core/bytes.js';
import { SignetError } from '../../core/errors.js';

export interface OrganisationDirectoryOptions {
  /** https URL from the policy. */
  url: string;
  fetch: typeof fetch;
  /** Per request; default 5 s. A directory that hangs must not hang the compose pane. */
  timeoutMs?: number;
}

/**
 * Largest response read: a few certificates are a few KiB; a huge body from a broken or hostile endpoint
 * would only eat memory.
 */
export const MAX_DIRECTORY_RESPONSE_BYTES = 1024 * 1024;
/** Most certificates taken from one answer (each costs a path validation). */
export const MAX_DIRECTORY_CERTIFICATES = 16;

/** The request URL for `address`: the policy URL with `address` added to its query. */
export function directoryRequestUrl(base: string, address: string): string {
  const url = new URL(base);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === 'localhost'))) {
    throw new SignetError('usage', 'The certificate directory must be an https URL.');
  }
  url.searchParams.set('address', address);
  return url.href;
}

/** Asks the directory for `address`'s certificates; returns their DER. Failures are `network`. */
export async function queryOrganisationDirectory(address: string, options: OrganisationDirectoryOptions): Promise<Uint8Array[]> {
  const href = directoryRequestUrl(options.url, address);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 5000);
  let body: string;
  try {
    const res = await options.fetch(href, {
      method: 'GET',
      headers: { Accept: 'application/json' },
      credentials: 'omit',
      cache: 'no-cache',
      redirect: 'error',
      signal: controller.signal,
    });
    if (res.status === 404) return [];
    if (!res.ok) throw new SignetError('network', `The certificate directory answered HTTP ${res.status}.`);
    const declared = Number(res.headers.get('content-length') ?? '0');
    if (declared > MAX_DIRECTORY_RESPONSE_BYTES) throw new SignetError('limit-exceeded', 'The certificate directory sent too large an answer.');
    body = await res.text();
    if (body.length > MAX_DIRECTORY_RESPONSE_BYTES) throw new SignetError('limit-exceeded', 'The certificate directory sent too large an answer.');
  } catch (e) {
    if (e instanceof SignetError) throw e;
    const timedOut = controller.signal.aborted;
    throw new SignetError('network', timedOut ? 'The certificate directory did not answer in time.' : 'The certificate directory could not be reached.', { cause: e });
  } finally {
    clearTimeout(timer);
  }
  return parseDirectoryResponse(body);
}

/** Reads the JSON answer; anything but `{ "certificates": [string…] }` is a `network` error (a broken directory). */
export function parseDirectoryResponse(body: string): Uint8Array[] {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (e) {
    throw new SignetError('network', 'The certificate directory did not answer with JSON.', { cause: e });
  }
  const list = (json as { certificates?: unknown } | null)?.certificates;
  if (!Array.isArray(list) || !list.every((c) => typeof c === 'string')) {
    throw new SignetError('network', 'The certificate directory answer has no "certificates" list of base64 strings.');
  }
  const out: Uint8Array[] = [];
  for (const b64 of (list as string[]).slice(0, MAX_DIRECTORY_CERTIFICATES)) {
    try {
      out.push(fromBase64(b64));
    } catch {
      // One undecodable entry loses that entry only.
    }
  }
  return out;
}
