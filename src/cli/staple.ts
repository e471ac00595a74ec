// `signet sign --staple` (issue 15 item 4): before signing, fetch a fresh OCSP response for the signer's
// own certificate (and its intermediate's CRL when small) directly from the URLs the certificates name,
// check them like any answer (pki/revocation/staple.ts), and staple the good ones into the SignedData so
// readers can verify revocation without reaching the responder. What was and was not stapled is said on
// stderr; a failure to staple never stops the signing.

import { resolveConfig } from '../core/config.js';
import type { CryptoProvider } from '../core/crypto.js';
import type { Identity } from '../core/keys.js';
import { parseCertificate, type Certificate } from '../core/pki/certificate.js';
import { fetchStaple, type Stapled } from '../core/pki/revocation/staple.js';

/** The signer, its issuer and the issuer's issuer, as far as the identity file has them. */
function signerPath(identity: Identity): Certificate[] {
  const config = resolveConfig();
  const leaf = parseCertificate(identity.certificate, config.limits);
  const pool = identity.chain.flatMap((d) => {
    try {
      return [parseCertificate(d, config.limits)];
    } catch {
      return [];
    }
  });
  const path = [leaf];
  for (let i = 0; i < 2; i++) {
    const last = path[path.length - 1]!;
    if (last.issuer.key === last.subject.key) break; // self-issued: the root
    const next = pool.find((c) => c.subject.key === last.issuer.key && !path.includes(c));
    if (!next) break;
    path.push(next);
  }
  return path;
}

export async function stapleFor(identity: Identity, provider: CryptoProvider, stderr: (s: string) => void, fetchImpl: typeof fetch = globalThis.fetch): Promise<Stapled> {
  const config = resolveConfig();
  const r = await fetchStaple(signerPath(identity), { fetch: fetchImpl, now: new Date(), timeoutMs: config.revocationTimeoutMs, config }, provider);
  for (const n of r.notes) stderr(`signet: ${n}\n`);
  return { ocspResponses: r.ocspResponses, crls: r.crls };
}
