// Recipients' certificates re-checked for revocation before encrypting (issue 15): a stored certificate may
// have been revoked since Signet learnt it (a stolen key). When the policy names the revocation relay, every
// recipient the key store calls ready is checked through it — path to a trust anchor, then OCSP/CRL for
// each certificate of the path (src/core/pki/revocation), answers shared with the read pane's session
// cache — and:
// - revoked: the recipient moves to "missing" with the date and reason (Signet will not encrypt to it);
// - unknown: in hard mode the recipient moves to "missing"; in soft mode it stays ready with a note;
// - good: ready, with a note saying when and where it was checked.
// The same decorated services serve the readiness list and the send (compose-engine.ts), so what the list
// shows is what the send does. Without a relay nothing changes (and nothing is fetched).

import { cryptoProvider } from '../core/crypto.js';
import type { SignetConfig } from '../core/config.js';
import { parseCertificate, type Certificate } from '../core/pki/certificate.js';
import { validateChain } from '../core/pki/chain.js';
import { checkRevocation } from '../core/pki/revocation/index.js';
import type { ComposeServices, Readiness } from '../compose/services.js';
import type { Policy } from '../policy/policy.js';
import { formatDate, formatDateTime } from './present.js';
import { revocationOptions } from './revocation.js';

export interface RecipientRevocationContext {
  policy: Policy;
  config: SignetConfig;
  /** Trust anchors (DER), as for reading. */
  anchors: readonly Uint8Array[];
  /** CA certificates that may complete a path (the user's own identities' chains). */
  intermediates: readonly Uint8Array[];
  /** The page's URL, for a relative relay path. */
  base: string | undefined;
}

/** A note per address from the last readiness answer (ready recipients only), for the readiness list. */
export type RevocationNotes = Map<string, string>;

function parseAll(ders: readonly Uint8Array[], config: SignetConfig): Certificate[] {
  const out: Certificate[] = [];
  for (const d of ders) {
    try {
      out.push(parseCertificate(d, config.limits));
    } catch {
      // a damaged certificate helps no path
    }
  }
  return out;
}

type Outcome = { ready: true; note: string } | { ready: false; code: 'revoked' | 'revocation-unknown'; reason: string };

async function checkOne(der: Uint8Array, ctx: RecipientRevocationContext, fetchOptions: ReturnType<typeof revocationOptions>): Promise<Outcome> {
  const provider = cryptoProvider();
  const now = new Date();
  let leaf: Certificate;
  try {
    leaf = parseCertificate(der, ctx.config.limits);
  } catch {
    return { ready: true, note: 'revocation not checked (the certificate could not be read)' };
  }
  const chain = await validateChain(
    leaf,
    { anchors: parseAll(ctx.anchors, ctx.config), intermediates: parseAll(ctx.intermediates, ctx.config), at: now, signingTime: null, config: ctx.config, purpose: 'none', aia: null },
    provider,
  );
  if (!chain.anchored) return { ready: true, note: 'revocation not checked (its authority is not known here)' };
  const result = await checkRevocation(
    chain.chain.map((l) => l.certificate),
    { fetch: fetchOptions.fetch!, cache: fetchOptions.revocationCache, at: now, now, mode: ctx.config.revocationMode, timeoutMs: ctx.config.revocationTimeoutMs, config: ctx.config },
    provider,
  );
  const decisive = result.index >= 0 ? result.certificates[result.index]!.evidence : result.certificates[0]?.evidence;
  const via = decisive?.source ? ` via ${decisive.method.toUpperCase()} ${decisive.source}` : '';
  if (result.code === 'revoked') {
    const e = decisive!;
    return { ready: false, code: 'revoked', reason: `Its certificate was revoked${e.revokedAt ? ` on ${formatDate(e.revokedAt)}` : ''}${e.reason ? ` (${e.reason})` : ''}${via}. Signet will not encrypt to it; ask the recipient for their new certificate.` };
  }
  if (result.code === 'revocation-unknown') {
    if (ctx.config.revocationMode === 'hard') return { ready: false, code: 'revocation-unknown', reason: `Whether its certificate was revoked could not be checked${via}, and your organisation requires it. Try again later.` };
    return { ready: true, note: `revocation unknown${via}` };
  }
  if (decisive?.status === 'not-checked') return { ready: true, note: 'its certificate names no revocation service' };
  return { ready: true, note: `not revoked${via}, checked ${formatDateTime(now.toISOString())}` };
}

/**
 * The ready recipients re-checked through the relay: those still ready (with a note each in `notes`), and
 * those refused with the reason. Null when the policy names no relay (nothing is fetched then).
 */
export async function recheckReady<R extends { address: string; certificate: Uint8Array }>(
  ready: readonly R[],
  ctx: RecipientRevocationContext,
  notes: RevocationNotes,
): Promise<{ ready: R[]; refused: { address: string; code: 'revoked' | 'revocation-unknown'; reason: string }[] } | null> {
  const fetchOptions = revocationOptions(ctx.policy, ctx.base);
  if (!fetchOptions.fetch) return null;
  const outcomes = await Promise.all(ready.map((r) => checkOne(r.certificate, ctx, fetchOptions)));
  const still: R[] = [];
  const refused: { address: string; code: 'revoked' | 'revocation-unknown'; reason: string }[] = [];
  ready.forEach((r, i) => {
    const o = outcomes[i]!;
    if (o.ready) {
      still.push(r);
      notes.set(r.address, o.note);
    } else {
      refused.push({ address: r.address, code: o.code, reason: o.reason });
      notes.delete(r.address);
    }
  });
  return { ready: still, refused };
}

/** `services` with readiness re-checked for revocation through the relay (see the header). */
export function withRecipientRevocation(services: ComposeServices, ctx: RecipientRevocationContext, notes: RevocationNotes = new Map()): ComposeServices {
  if (!revocationOptions(ctx.policy, ctx.base).fetch) return services;
  return {
    signingIdentity: (from) => services.signingIdentity(from),
    encryptionCertificateOf: (sender) => services.encryptionCertificateOf(sender),
    readiness: async (sender, recipients): Promise<Readiness> => {
      const answer = await services.readiness(sender, recipients);
      const checked = await recheckReady(answer.ready, ctx, notes);
      return checked ? { ready: checked.ready, missing: [...answer.missing, ...checked.refused.map(({ address, reason }) => ({ address, reason }))] } : answer;
    },
  };
}
