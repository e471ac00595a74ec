// The revocation line of the verdict's facts (issue 15): what the pane learnt about revocation, in the
// same terms as `signet verify` — good / revoked with date and reason / unknown with why, the responder or
// CRL it came from and when it was checked. Shown with the plain facts only when revocation was checked
// (through the organisation's relay); when it was not, the technical details say so plainly (the
// 'revocation-not-checked' warning, verdict-view.tsx), as before. Add-in chrome only (ARCHITECTURE.md rule 6).

import type { ReactElement } from 'react';
import type { CertificateReport, RevocationEvidence, Verdict } from '../../core/verdict.js';
import { formatDate, formatDateTime } from '../present.js';

const PROBLEM_WORDS: Partial<Record<NonNullable<RevocationEvidence['problem']>, string>> = {
  network: 'the revocation service could not be reached',
  timeout: 'the revocation service did not answer in time',
  'http-status': 'the revocation service could not be reached',
  'no-source': 'the certificate names no revocation service',
  stale: 'the answer was out of date',
  'unknown-certificate': 'the authority does not know this certificate',
};

/** The link whose evidence decides: a revoked one, else an unknown one, else the signer's own. */
function decisiveLink(chain: readonly CertificateReport[]): CertificateReport | null {
  const checked = chain.filter((c) => !c.isTrustAnchor && c.revocation);
  return checked.find((c) => c.revocation!.status === 'revoked') ?? checked.find((c) => c.revocation!.status === 'unknown') ?? checked[0] ?? null;
}

export function revocationSentence(verdict: Verdict): string | null {
  const signer = verdict.signer;
  if (!signer || signer.chain.length === 0) return null;
  if (verdict.revocation !== 'checked') return null;
  const link = decisiveLink(signer.chain);
  if (!link) return 'Not checked: the certificate chain did not reach an authority you trust.';
  const e = link.revocation!;
  const whose = link === signer.chain[0] ? '' : ' (an authority in the chain)';
  const from = e.stapled ? ` — ${e.method.toUpperCase()} answer stapled in the message` : e.source ? ` — ${e.method.toUpperCase()} ${e.source}` : '';
  const when = e.checkedAt ? `, ${formatDateTime(e.checkedAt)}` : '';
  switch (e.status) {
    case 'good':
      return `Not revoked${from}${when}`;
    case 'revoked':
      return `Revoked${whose}${e.revokedAt ? ` on ${formatDate(e.revokedAt)}` : ''}${e.reason ? ` (${e.reason})` : ''}${from}${when}`;
    case 'unknown':
      return `Revocation unknown${whose}: ${(e.problem && PROBLEM_WORDS[e.problem]) ?? 'no usable answer'}${from}${when}`;
    case 'not-checked':
      return `Not checked: ${(e.problem && PROBLEM_WORDS[e.problem]) ?? 'no answer'}`;
  }
}

export function RevocationFact({ verdict }: { verdict: Verdict }): ReactElement | null {
  const text = revocationSentence(verdict);
  if (text === null) return null;
  return (
    <>
      <dt>Revocation</dt>
      <dd data-testid="revocation" data-revocation={verdict.revocation}>
        {text}
      </dd>
    </>
  );
}
