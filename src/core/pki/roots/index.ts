// Built-in trust anchors: the roots Mozilla trusts for e-mail (NSS's S/MIME trust bit, the set Thunderbird
// uses), committed as data in mozilla-email-roots.json with its generation date and source package.
// Refresh with `node scripts/update-roots.js` (needs Debian's libnss3 and libnss3-tools), review the diff,
// commit. The JSON is ~170 KB (~108 roots): import this module only where built-in roots are wanted (the
// CLI; the task pane should load it with a dynamic import, off its start-up path).

import { fromBase64 } from '../../bytes.js';
import snapshot from './mozilla-email-roots.json' with { type: 'json' };

export interface BuiltinRoot {
  /** NSS nickname without the "Builtin Object Token:" prefix. */
  name: string;
  /** SHA-256 of the DER, hex. */
  sha256: string;
  /** DER, base64. */
  der: string;
}

export interface BuiltinRootSnapshot {
  description: string;
  /** Day the snapshot was generated (YYYY-MM-DD). */
  generated: string;
  /** Package and version it was read from, e.g. "Debian libnss3 2:3.87.1-1+deb12u4 (…/libnssckbi.so)". */
  source: string;
  count: number;
  certificates: BuiltinRoot[];
}

/** The snapshot as committed (names, fingerprints, base64 DER). */
export function builtinRootSnapshot(): Readonly<BuiltinRootSnapshot> {
  return snapshot as BuiltinRootSnapshot;
}

let decoded: Uint8Array[] | null = null;

/** The built-in e-mail roots, DER; decoded on first use and shared afterwards (callers must not modify them). */
export function builtinEmailRoots(): Uint8Array[] {
  decoded ??= (snapshot as BuiltinRootSnapshot).certificates.map((c) => fromBase64(c.der));
  return [...decoded];
}
