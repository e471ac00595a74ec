// `signet sign --staple` (issue 15 item 4): before signing, fetch a fresh OCSP response for the signer's
// own certificate (and its intermediate's CRL when small) directly from the URLs the certificates name,
// check them like any answer (pki/revocation/staple.ts), and staple the good ones into the SignedData so
// readers can verify revocation without reaching the responder. What was and was not stapled is said on
// stderr; a failure to staple never stops the signing.

import { resolveConfig } from '../core/config.js';
import type { CryptoProvider } from '../core/crypto.js';
import type { Identity } from '../core/keys.js';
import { fetchStaple, signerPathOf, type Stapled } from '../core/pki/revocation/staple.js';

export async function stapleFor(identity: Identity, provider: CryptoProvider, stderr: (s: string) => void, fetchImpl: typeof fetch = globalThis.fetch): Promise<Stapled> {
  const config = resolveConfig();
  const r = await fetchStaple(signerPathOf(identity, config.limits), { fetch: fetchImpl, now: new Date(), timeoutMs: config.revocationTimeoutMs, config }, provider);
  for (const n of r.notes) stderr(`signet: ${n}\n`);
  return { ocspResponses: r.ocspResponses, crls: r.crls };
}
