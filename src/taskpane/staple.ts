// Stapling in the add-in (issue 15 item 4): when the policy names the revocation relay, the pane fetches a
// fresh OCSP response for the sender's own certificate (and the intermediate's CRL when small) through it
// before signing, and the signature carries it (core/pki/revocation/staple.ts), so recipients can verify
// revocation even when they cannot reach the CA. Without a relay, or when nothing good comes back, the
// message is signed without stapled evidence — never delayed beyond the revocation timeout, never refused.

import type { StapleInput } from '../core/cms/sign.js';
import type { SignetConfig } from '../core/config.js';
import { cryptoProvider } from '../core/crypto.js';
import type { Identity } from '../core/keys.js';
import { fetchStaple, signerPathOf } from '../core/pki/revocation/staple.js';
import type { Policy } from '../policy/policy.js';
import { revocationOptions } from './revocation.js';

export function paneStapler(policy: Policy, config: SignetConfig, base: string | undefined): ((identity: Identity) => Promise<StapleInput | undefined>) | undefined {
  const { fetch } = revocationOptions(policy, base);
  if (!fetch) return undefined;
  return async (identity) => {
    try {
      const r = await fetchStaple(signerPathOf(identity, config.limits), { fetch, now: new Date(), timeoutMs: config.revocationTimeoutMs, config }, cryptoProvider());
      return r.ocspResponses.length + r.crls.length > 0 ? { ocspResponses: r.ocspResponses, crls: r.crls } : undefined;
    } catch {
      return undefined;
    }
  };
}
