// The verdict part of the read pane: the badge (one state, one title, the core's plain sentence), the facts
// a reader checks (signer address and name, signing time, encryption layer and cipher), warnings, and the
// certificate chain with one expandable section per certificate. Everything here is add-in chrome (rule 6).

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
  tokens,
} from '@fluentui/react-components';
import {
  ArrowDownloadRegular,
  CheckmarkRegular,
  CopyRegular,
  DocumentErrorFilled,
  ErrorCircleFilled,
  InfoFilled,
  LockClosedKeyFilled,
  PersonWarningFilled,
  ShieldCheckmarkFilled,
  ShieldDismissFilled,
  ShieldQuestionFilled,
  WarningFilled,
} from '@fluentui/react-icons';
import type { CertificateReport, Layer, RevocationEvidence, Verdict } from '../../core/verdict.js';
import { formatDateTime, formatFingerprint, type BadgeState, type Presentation } from '../present.js';

const useStyles = makeStyles({
  badge: {
    display: 'grid',
    gridTemplateColumns: 'auto 1fr',
    columnGap: tokens.spacingHorizontalM,
    alignItems: 'start',
    padding: tokens.spacingVerticalM + ' ' + tokens.spacingHorizontalM,
    borderRadius: tokens.borderRadiusLarge,
    borderLeftWidth: '6px',
    borderLeftStyle: 'solid',
    backgroundColor: tokens.colorNeutralBackground2,
    boxShadow: tokens.shadow4,
  },
  success: { borderLeftColor: tokens.colorPaletteGreenBorderActive, '& .signet-badge-icon': { color: tokens.colorPaletteGreenForeground1 } },
  danger: { borderLeftColor: tokens.colorPaletteRedBorderActive, '& .signet-badge-icon': { color: tokens.colorPaletteRedForeground1 } },
  warning: { borderLeftColor: tokens.colorPaletteDarkOrangeBorderActive, '& .signet-badge-icon': { color: tokens.colorPaletteDarkOrangeForeground1 } },
  informative: { borderLeftColor: tokens.colorNeutralStroke1, '& .signet-badge-icon': { color: tokens.colorNeutralForeground3 } },
  icon: { fontSize: '32px', lineHeight: '1' },
  title: { fontSize: tokens.fontSizeBase400, fontWeight: tokens.fontWeightSemibold, margin: 0 },
  sentence: { margin: `${tokens.spacingVerticalXS} 0 0`, lineHeight: tokens.lineHeightBase300 },
  how: { margin: `${tokens.spacingVerticalS} 0 0`, color: tokens.colorNeutralForeground2 },
  facts: {
    display: 'grid',
    gridTemplateColumns: 'minmax(84px, auto) 1fr',
    columnGap: tokens.spacingHorizontalM,
    rowGap: tokens.spacingVerticalXS,
    margin: 0,
    '& dt': { color: tokens.colorNeutralForeground3, fontSize: tokens.fontSizeBase200 },
    '& dd': { margin: 0, overflowWrap: 'anywhere', fontSize: tokens.fontSizeBase300 },
  },
  section: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalS },
  h2: { fontSize: tokens.fontSizeBase300, fontWeight: tokens.fontWeightSemibold, margin: `${tokens.spacingVerticalS} 0 0` },
  mono: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
  valueRow: { display: 'flex', alignItems: 'start', columnGap: tokens.spacingHorizontalXS },
  certStatusBad: { color: tokens.colorPaletteRedForeground1 },
  certStatusOk: { color: tokens.colorPaletteGreenForeground1 },
});

const ICONS: Record<BadgeState, ReactElement> = {
  valid: <ShieldCheckmarkFilled />,
  invalid: <ShieldDismissFilled />,
  revoked: <ShieldDismissFilled />,
  expired: <WarningFilled />,
  untrusted: <ShieldQuestionFilled />,
  'sender-mismatch': <PersonWarningFilled />,
  unsigned: <InfoFilled />,
  malformed: <DocumentErrorFilled />,
  'decryption-failed': <LockClosedKeyFilled />,
  unverifiable: <ShieldQuestionFilled />,
  'outdated-algorithm': <WarningFilled />,
};

/** The pane's own words where the core's are about the command line (the pane never goes online for revocation). */
function warningText(w: { code: string; message: string }): string {
  if (w.code === 'revocation-not-checked') {
    return 'Revocation was not checked: Outlook does not let the pane reach the certificate authority. To check it, save the message as .eml and run "signet verify".';
  }
  return w.message;
}

export function Badge({ presentation, subject }: { presentation: Presentation; subject: string }): ReactElement {
  const s = useStyles();
  return (
    <section
      className={`${s.badge} ${s[presentation.tone]}`}
      data-testid="badge"
      data-state={presentation.state}
      data-subject={subject}
      role="status"
      aria-live="polite"
      aria-atomic="true"
      aria-label={`${presentation.title}. ${presentation.sentence}`}
    >
      <span className={`signet-badge-icon ${s.icon}`} aria-hidden="true">
        {ICONS[presentation.state]}
      </span>
      <div>
        <h1 className={s.title} data-testid="badge-title">
          {presentation.title}
        </h1>
        <p className={s.sentence} data-testid="badge-sentence">
          {presentation.sentence}
        </p>
        {presentation.howToCheck && <p className={s.how}>{presentation.howToCheck}</p>}
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
  const kind = layer.contentType === 'auth-enveloped-data' ? 'authenticated encryption' : 'encryption';
  return `${layer.cipher} (${kind}${layer.keyManagement.length ? `, key via ${layer.keyManagement.join(', ')}` : ''})`;
}

function revocationText(r: RevocationEvidence | undefined, revocation: Verdict['revocation']): string {
  if (!r) return revocation === 'offline' ? 'Not checked (offline)' : 'Not checked';
  const via = r.method === 'none' ? '' : ` via ${r.method.toUpperCase()}${r.source ? ` (${r.source})` : ''}`;
  switch (r.status) {
    case 'good':
      return `Not revoked${via}${r.checkedAt ? `, checked ${formatDateTime(r.checkedAt)}` : ''}${r.cached ? ' (cached)' : ''}`;
    case 'revoked':
      return `REVOKED${r.revokedAt ? ` on ${formatDateTime(r.revokedAt)}` : ''}${r.reason ? ` (${r.reason})` : ''}${via}`;
    case 'unknown':
      return `Unknown${via}${r.problem ? `: ${r.problem}` : ''}`;
    case 'not-checked':
      return `Not checked${r.problem ? ` (${r.problem})` : ''}`;
  }
}

function downloadCertificate(cert: CertificateReport): void {
  const der = Uint8Array.from(atob(cert.der), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([der], { type: 'application/pkix-cert' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `${(cert.emails[0] ?? cert.subject.replace(/^.*CN=([^,]+).*$/, '$1')).replace(/[^\w.@-]+/g, '_')}.cer`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function certLabel(c: CertificateReport, i: number, total: number): string {
  const cn = /CN=([^,]+)/.exec(c.subject)?.[1] ?? c.subject;
  const role = c.isTrustAnchor ? 'trust anchor' : i === 0 ? 'signer' : c.isCA ? 'issuing CA' : `certificate ${i + 1} of ${total}`;
  return `${cn} (${role})`;
}

function Chain({ chain, revocation }: { chain: CertificateReport[]; revocation: Verdict['revocation'] }): ReactElement {
  const s = useStyles();
  return (
    <Accordion collapsible multiple aria-label="Certificate chain" data-testid="chain">
      {chain.map((c, i) => (
        <AccordionItem value={c.sha256 + i} key={c.sha256 + i}>
          <AccordionHeader size="small">
            <span>
              {certLabel(c, i, chain.length)}{' '}
              <Caption1 className={c.status === 'ok' ? s.certStatusOk : s.certStatusBad}>{c.status === 'ok' ? '✓' : `⚠ ${c.status}`}</Caption1>
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
              <dd>{formatDateTime(c.notBefore)} – {formatDateTime(c.notAfter)}</dd>
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
              <dd>{c.isTrustAnchor ? 'Trust anchor (not checked)' : revocationText(c.revocation, revocation)}</dd>
            </dl>
            <Button size="small" icon={<ArrowDownloadRegular />} onClick={() => downloadCertificate(c)}>
              Download certificate
            </Button>
          </AccordionPanel>
        </AccordionItem>
      ))}
    </Accordion>
  );
}

export function VerdictDetails({ verdict, sourceLabel, unverifiable = false }: { verdict: Verdict; sourceLabel: string; unverifiable?: boolean }): ReactElement {
  const s = useStyles();
  const encrypted = verdict.layers.filter((l): l is Extract<Layer, { kind: 'encrypted' }> => l.kind === 'encrypted');
  const signedLayers = verdict.layers.filter((l) => l.kind === 'signed');
  return (
    <div className={s.section}>
      {verdict.warnings.length > 0 && (
        <div className={s.section} data-testid="warnings">
          {verdict.warnings.map((w, i) => (
            <MessageBar key={w.code + i} intent={w.code === 'not-integrity-protected' ? 'warning' : 'info'} icon={w.code === 'not-integrity-protected' ? <ErrorCircleFilled /> : undefined}>
              <MessageBarBody>{warningText(w)}</MessageBarBody>
            </MessageBar>
          ))}
        </div>
      )}
      <dl className={s.facts} data-testid="facts">
        {verdict.signers.length === 0 && signedLayers.length === 0 && (
          <>
            <dt>Signature</dt>
            <dd>{verdict.status === 'decryption-failed' ? 'unknown (any signature is inside the encryption)' : 'none'}</dd>
          </>
        )}
        {verdict.signers.map((signer, i) => (
          <SignerFacts key={signer.sha256 + i} index={i} count={verdict.signers.length} signer={signer} hideProblem={unverifiable} />
        ))}
        <dt>Encryption</dt>
        <dd data-testid="encryption">
          {encrypted.length === 0
            ? 'Not encrypted'
            : encrypted.map((l) => (l.status === 'decrypted' ? encryptionText(l) : 'Could not be decrypted')).join('; ')}
        </dd>
        <dt>Layers</dt>
        <dd>{verdict.layers.length ? verdict.layers.map((l) => (l.kind === 'signed' ? `signed (${l.format})` : 'encrypted')).join(' → ') : 'none'}</dd>
        <dt>Read from</dt>
        <dd>{sourceLabel}</dd>
        <dt>Checked</dt>
        <dd>{formatDateTime(verdict.checkedAt)}</dd>
      </dl>
      {verdict.signers.map((signer, i) =>
        signer.chain.length > 0 ? (
          <section key={'chain' + i} className={s.section} aria-label={`Certificate chain of ${signer.email ?? signer.subject}`}>
            <h2 className={s.h2}>Certificate chain{verdict.signers.length > 1 ? ` (signer ${i + 1})` : ''}</h2>
            <Chain chain={signer.chain} revocation={verdict.revocation} />
          </section>
        ) : null,
      )}
      {verdict.error && verdict.status === 'malformed' && (
        <MessageBar intent="error">
          <MessageBarBody>
            <MessageBarTitle>Details</MessageBarTitle>
            {verdict.error.message} ({verdict.error.code})
          </MessageBarBody>
        </MessageBar>
      )}
    </div>
  );
}

function SignerFacts({ signer, index, count, hideProblem }: { signer: Verdict['signers'][number]; index: number; count: number; hideProblem: boolean }): ReactElement {
  const suffix = count > 1 ? ` ${index + 1}` : '';
  return (
    <>
      <dt>Signer{suffix}</dt>
      <dd data-testid="signer-email">
        <Text weight="semibold">{signer.email ?? 'no address in certificate'}</Text>
        {signer.name && <div data-testid="signer-name">{signer.name}</div>}
      </dd>
      <dt>Signed</dt>
      <dd>{signer.signingTime ? formatDateTime(signer.signingTime) : 'time not stated'}</dd>
      <dt>Algorithms</dt>
      <dd>
        {signer.signatureAlgorithm} with {signer.digestAlgorithm}
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
