// Header protection in the Verdict (RFC 9788 §4.4-§4.10; protected-headers="v1"): a step after the layer
// walk of open.ts, on the innermost entity it reached (the Cryptographic Payload). It adds the protected
// fields and every difference from the outer header to the Verdict, and binds the signer to the protected
// From with the same rule as the outer From (ARCHITECTURE.md rule 4): an outer field never silently
// overrides a protected one, and a protected From that the signer's certificate does not name is a
// sender mismatch exactly as an outer one is.

import type { SignetConfig } from '../config.js';
import { sameAddress, singleFromAddress } from '../mime/address.js';
import { protectedHeaderFields, readHeaderProtection, type HeaderMismatch } from '../mime/header-protection.js';
import { worstStatus, type SignerReport, type Verdict, type VerdictStatus } from '../verdict.js';
import { summarize } from './summary.js';

const FIELD_NAMES: Record<HeaderMismatch['field'], string> = {
  subject: 'Subject',
  from: 'From',
  to: 'To',
  cc: 'Cc',
  date: 'Date',
  'reply-to': 'Reply-To',
};

/** "Subject", "Subject and From", "Subject, To and Date". */
export function fieldList(fields: readonly HeaderMismatch['field'][]): string {
  const names = [...new Set(fields)].map((f) => FIELD_NAMES[f]);
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]!}`;
}

/** Statuses whose signature is intact: the content (and so the protected fields) is what was signed. */
const INTACT = new Set<Verdict['status']>(['valid', 'untrusted', 'expired', 'revoked', 'sender-mismatch', 'outdated-algorithm']);

/**
 * Adds `headerProtection` to a Verdict (null when the payload has none) and applies its consequences.
 * `payload` is OpenResult.content; `message` the bytes openMessage was given.
 */
export function applyHeaderProtection(verdict: Verdict, message: Uint8Array, payload: Uint8Array | null, config: SignetConfig): Verdict {
  verdict.headerProtection = null;
  // Only a payload reached through an opened S/MIME layer has protected fields; the header section of a
  // plain message is its outer one, whatever its Content-Type says.
  if (payload === null || verdict.layers.length === 0 || verdict.status === 'malformed' || verdict.status === 'decryption-failed') return verdict;
  const decrypted = verdict.layers.find((l) => l.kind === 'encrypted' && l.status === 'decrypted');
  const signed = INTACT.has(verdict.status);
  let report;
  try {
    report = readHeaderProtection({
      message,
      payload,
      encrypted: decrypted !== undefined,
      encryptionIntegrity: decrypted?.kind === 'encrypted' && decrypted.integrityProtected,
      signed,
      limits: config.limits,
    });
  } catch {
    // The layer walk already parsed both header sections within the limits; nothing more to say.
    return verdict;
  }
  verdict.headerProtection = report;
  if (report === null) return verdict;

  if (report.problems.includes('duplicate-field')) {
    verdict.warnings.push({
      code: 'protected-headers-refused',
      message: 'The protected header section repeats a field that may occur only once (such as two Subjects or two Froms), so none of its copies is shown as the real one.',
    });
  }
  if (report.mismatches.length > 0 && report.protection !== 'none') {
    const names = fieldList(report.mismatches.map((m) => m.field));
    verdict.warnings.push({
      code: 'header-changed',
      message: `The ${names} shown in the message header differ${report.mismatches.length === 1 ? 's' : ''} from the copy the sender protected: changed in transit. Signet shows the protected value.`,
    });
  }
  if (report.problems.includes('legacy-display-mismatch')) {
    verdict.warnings.push({
      code: 'legacy-display-mismatch',
      message: 'The header lines written at the top of the text (for mail programs without header protection) disagree with the protected header; Signet shows the protected one.',
    });
  }

  // Rule 4 on the protected From: every signer bound to the outer From must also be the protected From.
  if (signed) {
    const fields = protectedHeaderFields(payload, config.limits) ?? [];
    const hasFrom = fields.some((h) => h.name.toLowerCase() === 'from');
    if (hasFrom) {
      const from = singleFromAddress(fields);
      const rebind = (s: SignerReport): SignerReport => {
        if (s.status !== 'valid' && s.status !== 'outdated-algorithm') return s;
        if (from.ok && s.emails.some((e) => sameAddress(e, from.address))) return s;
        return { ...s, status: 'sender-mismatch', code: 'sender-mismatch', reason: 'The signer is not the sender shown in the protected From.' };
      };
      const before = verdict.status;
      const signerIndex = verdict.signer ? verdict.signers.indexOf(verdict.signer) : -1;
      verdict.signers = verdict.signers.map(rebind);
      if (verdict.signer) verdict.signer = signerIndex >= 0 ? verdict.signers[signerIndex]! : rebind(verdict.signer);
      let status: VerdictStatus = before;
      for (const s of verdict.signers) status = worstStatus(status, s.status);
      if (status !== before) {
        verdict.status = status;
        verdict.code = 'sender-mismatch';
        // The From that did not match is the one to name ("says it is from …, but signed by …").
        verdict.from = from.ok ? from.address : null;
        verdict.summary = summarize(status, 'sender-mismatch', verdict.signer?.email ?? null, from.ok ? from.address : null, decrypted !== undefined);
      }
    }
  }

  // One more plain sentence, in the summary every renderer shows.
  if (report.mismatches.length > 0 && report.protection !== 'none') {
    verdict.summary += ` The ${fieldList(report.mismatches.map((m) => m.field))} in the message header ${report.mismatches.length === 1 ? 'was' : 'were'} changed after the sender protected ${report.mismatches.length === 1 ? 'it' : 'them'}.`;
  } else if (report.hidden.some((h) => h.field === 'subject') && report.subject !== null) {
    verdict.summary += ' Its subject was hidden in transit.';
  }
  return verdict;
}
