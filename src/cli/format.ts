// Human-readable rendering of a Verdict for `signet verify` without --json: the same facts the badge
// shows, in the order a helpdesk reads them.

import type { CertificateReport, Verdict } from '../core/verdict.js';

function cert(c: CertificateReport, indent: string): string {
  return (
    `${indent}${c.subject}${c.isTrustAnchor ? '  [trust anchor]' : ''}\n` +
    `${indent}  issuer ${c.issuer}\n` +
    `${indent}  serial ${c.serialNumber}, valid ${c.notBefore} to ${c.notAfter}, ${c.keyAlgorithm}\n` +
    `${indent}  sha256 ${c.sha256}\n` +
    `${indent}  status ${c.status}\n` +
    (c.revocation ? `${indent}  revocation ${revocation(c.revocation)}\n` : '')
  );
}

/** "revoked (keyCompromise) on … via ocsp http://…, checked …": what the responder or CRL said, and when. */
function revocation(r: NonNullable<CertificateReport['revocation']>): string {
  let s = r.status;
  if (r.reason) s += ` (${r.reason})`;
  if (r.revokedAt) s += ` on ${r.revokedAt}`;
  if (r.problem) s += ` [${r.problem}]`;
  if (r.method !== 'none') s += ` via ${r.method} ${r.source ?? ''}`.trimEnd();
  if (r.thisUpdate) s += `, issued ${r.thisUpdate}`;
  if (r.nextUpdate) s += `, next update ${r.nextUpdate}`;
  if (r.cached) s += ', from cache';
  if (r.stapled) s += ', stapled in the message';
  return s;
}

/** When the signature was made, or — when Signet rejected the signer's claim — what it claimed, marked so. */
function signedWhen(sg: Verdict['signers'][number]): string {
  if (sg.signingTime) return sg.signingTime;
  if (sg.claimedSigningTime) return `(claimed ${sg.claimedSigningTime}, rejected)`;
  return 'unknown time';
}

/** RFC 9788 header protection: the protected fields, what was hidden in transit, what was changed. */
function protectedHeaders(v: Verdict): string {
  const hp = v.headerProtection;
  if (!hp) return '';
  const by = hp.protection === 'none' ? 'not protected by a valid signature or authenticated encryption' : `protected by ${hp.protection.replace(/-/g, ' ')}`;
  let s = `Protected headers (${hp.scheme === 'v1' ? 'protected-headers=v1' : `RFC 9788, hp=${hp.hp ?? ''}`}), ${by}:\n`;
  for (const f of hp.fields) s += `  ${f.name}: ${f.value}\n`;
  for (const h of hp.hidden) s += `  Hidden in transit: ${h.field}${h.outer === null ? ' (not sent outside)' : ` (outside: ${h.outer})`}\n`;
  for (const m of hp.mismatches) {
    s += `  Changed in transit: ${m.field} ${m.change}; signed ${m.signed === null ? '(none)' : JSON.stringify(m.signed)}, outside ${m.outer === null ? '(none)' : JSON.stringify(m.outer)}\n`;
  }
  return s;
}

export function formatVerdict(v: Verdict, indent = ''): string {
  return formatOne(v)
    .split('\n')
    .map((l) => (l ? indent + l : l))
    .join('\n');
}

function formatOne(v: Verdict): string {
  let s = `Status: ${v.status}${v.code ? ` (${v.code})` : ''}\n${v.summary}\n`;
  if (v.from) s += `From: ${v.from}\n`;
  for (const l of v.layers) {
    s +=
      l.kind === 'signed'
        ? `Layer: signed (${l.format}), ${l.signers} signer(s), ${l.digestAlgorithms.join(', ')}: ${l.status}\n`
        : `Layer: encrypted (${l.contentType}), ${l.cipher}, ${l.integrityProtected ? 'integrity-protected' : 'not integrity-protected'}: ${l.status}\n`;
  }
  v.signers.forEach((sg, i) => {
    s += `Signer ${i + 1}: ${sg.email ?? '(no email)'} — ${sg.status}${sg.code !== 'ok' ? ` (${sg.code})` : ''}\n`;
    s += `  subject ${sg.subject}\n  signed ${signedWhen(sg)} with ${sg.signatureAlgorithm}/${sg.digestAlgorithm}\n`;
    s += `  chain:\n`;
    for (const c of sg.chain) s += cert(c, '    ');
  });
  s += protectedHeaders(v);
  for (const w of v.warnings) s += `Warning: ${w.message}\n`;
  if (v.error) s += `Error: ${v.error.message} [${v.error.code}]\n`;
  // A signed part inside an unsigned message (e.g. wrapped by a mailing list): reported, never the message's status.
  for (const e of v.enclosedSigned) {
    s += `Enclosed signed part [${e.path.join('.')}]: ${e.verdict.status}${e.verdict.code ? ` (${e.verdict.code})` : ''}\n`;
    s += formatVerdict(e.verdict, '  ');
  }
  return s;
}
