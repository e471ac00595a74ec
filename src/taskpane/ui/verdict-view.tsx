// The verdict part of the read pane. Plain words first: the badge (severity icon, level words, title, one
// sentence), who signed it (only when proven, present.ts), when, and whether it was encrypted. Everything
// for experts — algorithms, layers, the source, key transport, revocation, the certificate chain — is behind
// a "Technical details" disclosure. Everything here is add-in chrome (rule 6).
//
// Each severity level (severity.ts) has its own colour, its own icon SHAPE (shield with tick, triangle,
// diamond with a cross, circle with an i) and its own words, so the levels read without colour, in light
// and dark themes (Fluent's status tokens adapt to both).

import { useState, type ReactElement } from 'react';
import {
  Accordion,
  AccordionHeader,
  AccordionItem,
  AccordionPanel,
  Button,
  Caption1,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Text,
  Tooltip,
  makeStyles,
  mergeClasses,
  tokens,
} from '@fluentui/react-components';
import {
  ArrowDownloadRegular,
  CheckmarkRegular,
  CircleSmallRegular,
  CopyRegular,
  DiamondDismissFilled,
  DismissCircleRegular,
  InfoFilled,
  ShieldCheckmarkFilled,
  WarningFilled,
} from '@fluentui/react-icons';
import type { CertificateReport, Layer, RevocationEvidence, Verdict } from '../../core/verdict.js';
import { formatDate, formatDateTime, formatFingerprint, linkProblem, linkRole, pathValidated, type Presentation, type Severity } from '../present.js';
import { SEVERITY_LABEL } from '../severity.js';
import type { AttachmentView, ContentSafety } from '../content.js';
import type { SafeDocument } from '../sanitize.js';
import { ContentView } from './content-view.js';
import { ProtectedHeaders } from './protected-headers.js';
import { RevocationFact } from './revocation-fact.js';
import { FACTS_STYLE } from './facts-style.js';
import { saveFile } from './save-file.js';

const useStyles = makeStyles({
  badge: {
    display: 'grid',
    gridTemplateColumns: 'auto 1fr',
    columnGap: tokens.spacingHorizontalM,
    alignItems: 'start',
    padding: tokens.spacingVerticalM + ' ' + tokens.spacingHorizontalM,
    borderRadius: tokens.borderRadiusLarge,
    borderTopWidth: '1px',
    borderRightWidth: '1px',
    borderBottomWidth: '1px',
    borderLeftWidth: '8px',
    borderTopStyle: 'solid',
    borderRightStyle: 'solid',
    borderBottomStyle: 'solid',
    borderLeftStyle: 'solid',
    color: tokens.colorNeutralForeground1,
  },
  good: {
    backgroundColor: tokens.colorStatusSuccessBackground1,
    borderTopColor: tokens.colorStatusSuccessBorder1,
    borderRightColor: tokens.colorStatusSuccessBorder1,
    borderBottomColor: tokens.colorStatusSuccessBorder1,
    borderLeftColor: tokens.colorStatusSuccessBorderActive,
    '& .signet-badge-icon, & .signet-level': { color: tokens.colorStatusSuccessForeground1 },
  },
  danger: {
    backgroundColor: tokens.colorStatusDangerBackground1,
    borderTopColor: tokens.colorStatusDangerBorderActive,
    borderRightColor: tokens.colorStatusDangerBorderActive,
    borderBottomColor: tokens.colorStatusDangerBorderActive,
    borderLeftColor: tokens.colorStatusDangerBorderActive,
    borderTopWidth: '2px',
    borderRightWidth: '2px',
    borderBottomWidth: '2px',
    '& .signet-badge-icon, & .signet-level': { color: tokens.colorStatusDangerForeground1 },
  },
  caution: {
    backgroundColor: tokens.colorStatusWarningBackground1,
    borderTopColor: tokens.colorStatusWarningBorder1,
    borderRightColor: tokens.colorStatusWarningBorder1,
    borderBottomColor: tokens.colorStatusWarningBorder1,
    borderLeftColor: tokens.colorStatusWarningBorderActive,
    '& .signet-badge-icon, & .signet-level': { color: tokens.colorStatusWarningForeground3 },
  },
  neutral: {
    backgroundColor: tokens.colorNeutralBackground3,
    borderTopColor: tokens.colorNeutralStroke2,
    borderRightColor: tokens.colorNeutralStroke2,
    borderBottomColor: tokens.colorNeutralStroke2,
    borderLeftColor: tokens.colorNeutralStrokeAccessible,
    '& .signet-badge-icon, & .signet-level': { color: tokens.colorNeutralForeground2 },
  },
  icon: { fontSize: '32px', lineHeight: '1' },
  level: { fontSize: tokens.fontSizeBase200, fontWeight: tokens.fontWeightBold, textTransform: 'uppercase', letterSpacing: '0.04em', margin: 0 },
  title: { fontSize: tokens.fontSizeBase400, fontWeight: tokens.fontWeightSemibold, margin: 0 },
  sentence: { margin: `${tokens.spacingVerticalXS} 0 0`, lineHeight: tokens.lineHeightBase300 },
  how: { margin: `${tokens.spacingVerticalS} 0 0` },
  facts: FACTS_STYLE,
  section: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalS },
  h2: { fontSize: tokens.fontSizeBase300, fontWeight: tokens.fontWeightSemibold, margin: `${tokens.spacingVerticalS} 0 0` },
  mono: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
  valueRow: { display: 'flex', alignItems: 'start', columnGap: tokens.spacingHorizontalXS },
  linkBad: { color: tokens.colorStatusDangerForeground3, display: 'inline-flex', alignItems: 'center', columnGap: '2px' },
  linkOk: { color: tokens.colorStatusSuccessForeground1, display: 'inline-flex', alignItems: 'center', columnGap: '2px' },
  linkPlain: { color: tokens.colorNeutralForeground2, display: 'inline-flex', alignItems: 'center', columnGap: '2px' },
  claimDanger: { color: tokens.colorStatusDangerForeground3, fontWeight: tokens.fontWeightRegular },
  claimNeutral: { color: tokens.colorNeutralForeground2, fontWeight: tokens.fontWeightRegular },
  details: {
    '& > summary': { cursor: 'pointer', fontWeight: tokens.fontWeightSemibold, padding: `${tokens.spacingVerticalXS} 0` },
    '& > div': { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalS, paddingTop: tokens.spacingVerticalS },
  },
  enclosed: {
    borderTopWidth: '1px',
    borderTopStyle: 'solid',
    borderTopColor: tokens.colorNeutralStroke1,
    paddingTop: tokens.spacingVerticalS,
  },
});

/** One icon shape per level: the levels differ in shape, not only in colour. */
export const SEVERITY_ICONS: Record<Severity, ReactElement> = {
  good: <ShieldCheckmarkFilled />,
  caution: <WarningFilled />,
  danger: <DiamondDismissFilled />,
  neutral: <InfoFilled />,
};

/** Warnings that change what the reader should do: shown in plain view. The rest is technical detail. */
const PLAIN_WARNINGS = new Set(['not-integrity-protected', 'insecure-algorithm-allowed', 'unsigned-parts', 'outer-signature-ignored']);

/**
 * The pane's own words where the core's are about the command line (the pane never goes online for
 * revocation). For a dropped .eml the reader already has the file: only the command is left to say.
 */
function warningText(w: { code: string; message: string }, fromFile = false): string {
  if (w.code === 'revocation-not-checked') {
    const why = 'Revocation was not checked: your organisation has not set up a revocation relay, and without one the pane cannot reach the certificate authority.';
    return fromFile ? `${why} To check it, run "signet verify" on this file.` : `${why} To check it, save the message as .eml and run "signet verify".`;
  }
  return w.message;
}

export function Badge({ presentation, subject, level = 1 }: { presentation: Presentation; subject: string; level?: 2 | 1 }): ReactElement {
  const s = useStyles();
  const Heading = level === 1 ? 'h2' : 'h3';
  const label = SEVERITY_LABEL[presentation.severity];
  return (
    <section
      className={mergeClasses(s.badge, s[presentation.severity])}
      data-testid={level === 1 ? 'badge' : 'enclosed-badge'}
      data-state={presentation.state}
      data-severity={presentation.severity}
      data-subject={subject}
      role={level === 1 ? 'status' : undefined}
      aria-live={level === 1 ? 'polite' : undefined}
      aria-atomic={level === 1 ? 'true' : undefined}
      aria-label={`${label}. ${presentation.title}. ${presentation.sentence}`}
    >
      <span className={`signet-badge-icon ${s.icon}`} aria-hidden="true" data-testid="badge-icon" data-icon={presentation.severity}>
        {SEVERITY_ICONS[presentation.severity]}
      </span>
      <div>
        <p className={`signet-level ${s.level}`} data-testid="badge-level">
          {label}
        </p>
        <Heading className={s.title} data-testid="badge-title">
          {presentation.title}
        </Heading>
        <p className={s.sentence} data-testid="badge-sentence">
          {presentation.sentence}
        </p>
        {presentation.howToCheck && (
          <p className={s.how} data-testid="badge-next">
            {presentation.howToCheck}
          </p>
        )}
      </div>
    </section>
  );
}

export function CopyButton({ value, label }: { value: string; label: string }): ReactElement {
  const [copied, setCopied] = useState(false);
  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      // Some Office webviews deny clipboard access; fall back to the legacy command on a temporary field.
      const field = document.createElement('textarea');
      field.value = value;
      document.body.append(field);
      field.select();
      document.execCommand('copy');
      field.remove();
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  return (
    <Tooltip content={copied ? 'Copied' : `Copy ${label}`} relationship="label">
      <Button size="small" appearance="subtle" icon={copied ? <CheckmarkRegular /> : <CopyRegular />} onClick={() => void copy()} />
    </Tooltip>
  );
}

function Copyable({ value, label, mono }: { value: string; label: string; mono?: boolean }): ReactElement {
  const s = useStyles();
  return (
    <span className={s.valueRow}>
      <span className={mono ? s.mono : undefined}>{value}</span>
      <CopyButton value={value} label={label} />
    </span>
  );
}

function encryptionText(layer: Extract<Layer, { kind: 'encrypted' }>): string {
  const kind = layer.contentType === 'auth-enveloped-data' ? 'authenticated encryption' : 'encryption without change detection';
  return `${layer.cipher} (${kind}${layer.keyManagement.length ? `; key transport ${layer.keyManagement.join(', ')}` : ''})`;
}

const REVOCATION_PROBLEMS: Record<NonNullable<RevocationEvidence['problem']>, string> = {
  network: 'the server could not be reached',
  timeout: 'the server did not answer in time',
  'http-status': 'the server answered with an error',
  'too-large': 'the answer was too large',
  malformed: 'the answer was damaged',
  'responder-error': 'the server refused to answer',
  'bad-signature': 'the answer was not signed by the authority',
  'insecure-algorithm': 'the answer used an unsafe method',
  'unsupported-algorithm': 'the answer used an unsupported method',
  'unauthorized-responder': 'the answer came from a server the authority did not appoint',
  'cert-id-mismatch': 'the answer was about another certificate',
  'nonce-mismatch': 'the answer was replayed',
  stale: 'the answer was out of date',
  'not-yet-valid': 'the answer was dated in the future',
  'unknown-certificate': 'the authority does not know this certificate',
  'wrong-issuer': 'the list came from another authority',
  'out-of-scope': 'the list does not cover this certificate',
  'unsupported-crl': 'the list is of a kind Signet does not read',
  'no-source': 'the certificate names no place to check',
};

function revocationText(r: RevocationEvidence | undefined, revocation: Verdict['revocation']): string {
  if (!r) return revocation === 'offline' ? 'Not checked (the pane works offline)' : 'Not checked';
  const via = r.method === 'none' ? '' : ` via ${r.method.toUpperCase()}${r.source ? ` (${r.source})` : ''}`;
  switch (r.status) {
    case 'good':
      return `Not revoked${via}${r.checkedAt ? `, checked ${formatDateTime(r.checkedAt)}` : ''}${r.cached ? ' (cached)' : ''}`;
    case 'revoked':
      return `Revoked${r.revokedAt ? ` on ${formatDate(r.revokedAt)}` : ''}${r.reason ? ` (${r.reason})` : ''}${via}`;
    case 'unknown':
      return `Unknown${via}${r.problem ? `: ${REVOCATION_PROBLEMS[r.problem]}` : ''}`;
    case 'not-checked':
      return `Not checked${r.problem ? `: ${REVOCATION_PROBLEMS[r.problem]}` : ''}`;
  }
}

function downloadCertificate(cert: CertificateReport): void {
  const der = Uint8Array.from(atob(cert.der), (c) => c.charCodeAt(0));
  saveFile(der, `${(cert.emails[0] ?? cert.subject.replace(/^.*CN=([^,]+).*$/, '$1')).replace(/[^\w.@-]+/g, '_')}.cer`, 'application/pkix-cert');
}

const ROLE_WORDS = { signer: 'signer', intermediate: 'intermediate authority', root: 'root authority', 'unknown issuer': 'issuer' } as const;

/**
 * One chain link's status in words. A tick only on a link that is itself fine AND only when the verdict is
 * not danger; under a danger verdict a fine link says so in words ("no problem with this certificate"), so
 * the chain never contradicts the badge.
 */
function LinkStatus({ c, severity }: { c: CertificateReport; severity: Severity }): ReactElement {
  const s = useStyles();
  const problem = linkProblem(c);
  if (problem) {
    return (
      <span className={s.linkBad} data-testid="link-status" data-ok="false">
        <DismissCircleRegular aria-hidden="true" /> {problem}
      </span>
    );
  }
  if (severity === 'good') {
    return (
      <span className={s.linkOk} data-testid="link-status" data-ok="true" data-tick="true">
        <CheckmarkRegular aria-hidden="true" /> {c.isTrustAnchor ? 'Trusted authority' : 'Valid'}
      </span>
    );
  }
  return (
    <span className={s.linkPlain} data-testid="link-status" data-ok="true">
      <CircleSmallRegular aria-hidden="true" /> {c.isTrustAnchor ? 'Trusted authority; the problem is elsewhere' : 'No problem with this certificate itself'}
    </span>
  );
}

function Chain({ chain, revocation, severity }: { chain: CertificateReport[]; revocation: Verdict['revocation']; severity: Severity }): ReactElement {
  const s = useStyles();
  return (
    <Accordion collapsible multiple aria-label="Certificate chain" data-testid="chain">
      {chain.map((c, i) => {
        const cn = /CN=([^,]+)/.exec(c.subject)?.[1] ?? c.subject;
        return (
          <AccordionItem value={c.sha256 + i} key={c.sha256 + i}>
            <AccordionHeader size="small">
              <span>
                <span data-testid="link-label">
                  {cn} ({ROLE_WORDS[linkRole(chain, i)]})
                </span>
                <br />
                <Caption1>
                  <LinkStatus c={c} severity={severity} />
                </Caption1>
              </span>
            </AccordionHeader>
            <AccordionPanel>
              <dl className={s.facts} data-testid="certificate">
                <dt>Subject</dt>
                <dd><Copyable value={c.subject} label="subject" /></dd>
                <dt>Issuer</dt>
                <dd><Copyable value={c.issuer} label="issuer" /></dd>
                <dt>Serial</dt>
                <dd><Copyable value={c.serialNumber.toUpperCase()} label="serial number" mono /></dd>
                <dt>Valid</dt>
                <dd>{formatDate(c.notBefore)} – {formatDate(c.notAfter)}</dd>
                <dt>Key</dt>
                <dd>{c.keyAlgorithm}</dd>
                {c.emails.length > 0 && (
                  <>
                    <dt>Email</dt>
                    <dd>{c.emails.join(', ')}</dd>
                  </>
                )}
                <dt>Key usage</dt>
                <dd>{c.keyUsage.length ? c.keyUsage.join(', ') : 'not restricted'}</dd>
                <dt>Extended key usage</dt>
                <dd>{c.extKeyUsage.length ? c.extKeyUsage.join(', ') : 'not restricted'}</dd>
                <dt>SHA-256</dt>
                <dd><Copyable value={formatFingerprint(c.sha256)} label="SHA-256 fingerprint" mono /></dd>
                <dt>Revocation</dt>
                <dd>{c.isTrustAnchor ? 'A root authority: not checked' : revocationText(c.revocation, revocation)}</dd>
              </dl>
              <Button size="small" icon={<ArrowDownloadRegular />} onClick={() => downloadCertificate(c)}>
                Download certificate
              </Button>
            </AccordionPanel>
          </AccordionItem>
        );
      })}
    </Accordion>
  );
}

/** The signer line of the plain facts: bold only for a verified signer; a claim is never styled like one. */
function IdentityFacts({ presentation }: { presentation: Presentation }): ReactElement | null {
  const s = useStyles();
  const id = presentation.identity;
  if (id === null) return null;
  switch (id.kind) {
    case 'verified':
      return (
        <>
          <dt>Signed by</dt>
          <dd data-testid="signer-email" data-identity="verified">
            <Text weight="semibold">{id.email}</Text>
            {id.name && <div data-testid="signer-name">{id.name}</div>}
          </dd>
        </>
      );
    case 'not-sender':
      return (
        <>
          <dt>Signed by</dt>
          <dd data-testid="signer-email" data-identity="not-sender" className={s.claimDanger}>
            {id.email ?? 'a certificate without an address'}, not the sender{id.from ? ` ${id.from}` : ''}
          </dd>
        </>
      );
    case 'claimed':
      return (
        <>
          <dt>Claims to be from</dt>
          <dd data-testid="signer-claim" data-identity="claimed" className={presentation.severity === 'danger' ? s.claimDanger : s.claimNeutral}>
            {id.email} (not verified)
          </dd>
        </>
      );
  }
}

function signedTime(verdict: Verdict, presentation: Presentation): string | null {
  // A signing time is a fact only under a verified signature (and never a rejected, claimed one).
  if (presentation.identity?.kind !== 'verified' && presentation.identity?.kind !== 'not-sender') return null;
  const t = verdict.signer?.signingTime;
  return t ? formatDateTime(t) : 'time not stated';
}

export function VerdictDetails({ verdict, presentation, sourceLabel, fromFile = false }: { verdict: Verdict; presentation: Presentation; sourceLabel: string; fromFile?: boolean }): ReactElement {
  const s = useStyles();
  const encrypted = verdict.layers.filter((l): l is Extract<Layer, { kind: 'encrypted' }> => l.kind === 'encrypted');
  const signed = verdict.layers.some((l) => l.kind === 'signed') || verdict.signers.length > 0;
  // Warnings the badge already says (an unsigned CBC message's badge is about exactly that) are not repeated.
  const saidByBadge = (code: string): boolean => code === 'not-integrity-protected' && presentation.state === 'unsigned';
  const plainWarnings = verdict.warnings.filter((w) => PLAIN_WARNINGS.has(w.code) && !saidByBadge(w.code));
  // The revocation notice belongs to signed messages only, and only in the details.
  const techWarnings = verdict.warnings.filter((w) => !plainWarnings.includes(w) && (signed || (w.code !== 'revocation-not-checked' && w.code !== 'revocation-unknown')));
  const time = signedTime(verdict, presentation);
  const unverifiable = presentation.state === 'unverifiable';
  return (
    <div className={s.section}>
      {plainWarnings.length > 0 && (
        <div className={s.section} data-testid="warnings">
          {plainWarnings.map((w, i) => (
            <MessageBar key={w.code + i} intent="warning">
              <MessageBarBody>{warningText(w)}</MessageBarBody>
            </MessageBar>
          ))}
        </div>
      )}
      <dl className={s.facts} data-testid="facts">
        <IdentityFacts presentation={presentation} />
        {time !== null && (
          <>
            <dt>Signed</dt>
            <dd data-testid="signed-time">{time}</dd>
          </>
        )}
        <RevocationFact verdict={verdict} />
        <dt>Encrypted</dt>
        <dd data-testid="encryption-plain">
          {encrypted.length === 0 ? 'No' : encrypted.every((l) => l.status === 'decrypted') ? 'Yes' : 'Yes, but it could not be decrypted'}
        </dd>
      </dl>
      <ProtectedHeaders verdict={verdict} />
      <details className={s.details} data-testid="technical">
        <summary>Technical details</summary>
        <div>
          {techWarnings.length > 0 && (
            <ul data-testid="tech-warnings">
              {techWarnings.map((w, i) => (
                <li key={w.code + i}>{warningText(w, fromFile)}</li>
              ))}
            </ul>
          )}
          <dl className={s.facts}>
            {verdict.signers.map((signer, i) => (
              <SignerTech key={signer.sha256 + i} index={i} count={verdict.signers.length} signer={signer} hideProblem={unverifiable} />
            ))}
            <dt>Encryption</dt>
            <dd data-testid="encryption">
              {encrypted.length === 0 ? 'Not encrypted' : encrypted.map((l) => (l.status === 'decrypted' ? encryptionText(l) : 'Could not be decrypted')).join('; ')}
            </dd>
            <dt>Layers</dt>
            <dd>{verdict.layers.length ? verdict.layers.map((l) => (l.kind === 'signed' ? `signed (${l.format})` : 'encrypted')).join(' → ') : 'none'}</dd>
            <dt>Read from</dt>
            <dd>{sourceLabel}</dd>
            <dt>Checked</dt>
            <dd>{formatDateTime(verdict.checkedAt)}</dd>
            {verdict.error && (
              <>
                <dt>Error</dt>
                <dd>
                  {verdict.error.message} ({verdict.error.code})
                </dd>
              </>
            )}
          </dl>
          {verdict.signers.map((signer, i) =>
            signer.chain.length > 0 ? (
              <section key={'chain' + i} className={s.section} aria-label={`Certificate chain ${verdict.signers.length > 1 ? i + 1 : ''}`.trim()}>
                <h3 className={s.h2}>Certificate chain{verdict.signers.length > 1 ? ` (signature ${i + 1})` : ''}</h3>
                <Chain chain={signer.chain} revocation={verdict.revocation} severity={presentation.severity} />
              </section>
            ) : null,
          )}
        </div>
      </details>
      {verdict.error && verdict.status === 'malformed' && (
        <MessageBar intent="error">
          <MessageBarBody>
            <MessageBarTitle>Why</MessageBarTitle>
            {verdict.error.message}
          </MessageBarBody>
        </MessageBar>
      )}
    </div>
  );
}

function SignerTech({ signer, index, count, hideProblem }: { signer: Verdict['signers'][number]; index: number; count: number; hideProblem: boolean }): ReactElement {
  const suffix = count > 1 ? ` ${index + 1}` : '';
  const proven = pathValidated(signer) && (signer.code === 'ok' || signer.status === 'outdated-algorithm');
  return (
    <>
      <dt>Certificate{suffix}</dt>
      <dd>
        {signer.email ?? 'no address'}
        {proven ? '' : ' (not verified)'}
      </dd>
      <dt>Algorithms</dt>
      <dd>
        {signer.signatureAlgorithm}, digest {signer.digestAlgorithm}
      </dd>
      {/* On a rebuilt copy the digest mismatch is expected and says nothing (present.ts). */}
      {signer.code !== 'ok' && !hideProblem && (
        <>
          <dt>Problem</dt>
          <dd>{signer.reason}</dd>
        </>
      )}
    </>
  );
}

/**
 * Signed parts inside an unsigned message (Verdict.enclosedSigned): each behind its own disclosure, with its
 * own badge and its content rendered by the same path as the message's, clearly apart from what was added
 * around it. The message's own badge stays "Not signed" (ARCHITECTURE.md rule 1).
 */
export function EnclosedParts({
  presentation,
  verdict,
  enclosed,
  title,
}: {
  presentation: Presentation;
  verdict: Verdict;
  enclosed: { document: SafeDocument | null; attachments: AttachmentView[]; safety: ContentSafety }[];
  title: string;
}): ReactElement | null {
  const s = useStyles();
  if (presentation.enclosed.length === 0) return null;
  return (
    <section className={mergeClasses(s.section, s.enclosed)} aria-label="Signed parts inside this message" data-testid="enclosed">
      {presentation.enclosed.map((part, i) => {
        const inner = verdict.enclosedSigned[i]!.verdict;
        const p: Presentation = { ...presentation, ...part, identity: part.state === 'valid' && inner.signer?.email ? { kind: 'verified', email: inner.signer.email, name: inner.signer.name } : null, howToCheck: 'Only this part is covered by its signature; anything around it was added by someone else.', enclosed: [] };
        const content = enclosed[i];
        return (
          <details key={part.path.join('.') + i} className={s.details} data-testid="enclosed-part">
            <summary>{p.identity ? `View the signed part from ${p.identity.email ?? 'its signer'}` : `View the signed part (${part.title.toLowerCase()})`}</summary>
            <div>
              <Badge presentation={p} subject={`${title} (signed part ${i + 1})`} level={2} />
              {content && <ContentView document={content.document} attachments={content.attachments} title={`${title}, signed part ${i + 1}`} severity={part.severity} safety={content.safety} />}
            </div>
          </details>
        );
      })}
    </section>
  );
}
