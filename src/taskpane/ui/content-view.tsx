// The opened message's content: a sandboxed iframe (no allow-scripts, no allow-same-origin: an opaque origin
// that can neither run script nor reach the pane) whose srcdoc is sanitize.ts's document with its own CSP,
// plus the attachments as downloads (Blob URLs typed application/octet-stream, so nothing is rendered in the
// pane's origin). Mailvelope's ContentSandbox is the model.
//
// - Content under a failed check (severity `danger`) sits inside a bordered warning region whose heading
//   says not to act on it (ARCHITECTURE.md rule 10: a danger state never looks harmless, content included).
// - Inert links (rule 11: content without integrity protection, or under a failed check): the document has no
//   live link at all (sanitize.ts) and its iframe has no allow-popups; the links are listed here, in the pane's
//   chrome, each with its whole URL, and opening one takes a second, confirmed step.
// - Keyboard: the iframe is a tab stop with a title; once focused, arrows and Page Up/Down scroll it.

import { useId, useState, type ReactElement } from 'react';
import { Button, Caption1, makeStyles, tokens } from '@fluentui/react-components';
import { ArrowDownloadRegular, OpenRegular, WarningFilled } from '@fluentui/react-icons';
import type { AttachmentView, ContentSafety } from '../content.js';
import { formatSize } from '../size.js';
import { saveFile } from './save-file.js';
import type { LinkRef, SafeDocument } from '../sanitize.js';
import { CONTENT_SANDBOX, FAILED_CHECK_HEADING, INERT_CONTENT_SANDBOX } from '../sandbox.js';

/** The pane's severity scale (src/taskpane/severity.ts), declared here so this view does not depend on it. */
export type Severity = 'danger' | 'caution' | 'neutral' | 'good';

const useStyles = makeStyles({
  frame: {
    width: '100%',
    height: '360px',
    border: `1px solid ${tokens.colorNeutralStroke1}`,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: '#fff',
    resize: 'vertical',
    overflow: 'auto',
    display: 'block',
    boxSizing: 'border-box',
    ':focus-visible': { outline: `2px solid ${tokens.colorStrokeFocus2}`, outlineOffset: '2px' },
  },
  danger: {
    border: `2px solid ${tokens.colorStatusDangerBorder2}`,
    borderRadius: tokens.borderRadiusMedium,
    padding: tokens.spacingHorizontalS,
    backgroundColor: tokens.colorStatusDangerBackground1,
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalS,
  },
  dangerHeading: {
    display: 'flex',
    alignItems: 'flex-start',
    columnGap: tokens.spacingHorizontalXS,
    color: tokens.colorStatusDangerForeground1,
    fontSize: tokens.fontSizeBase300,
    fontWeight: tokens.fontWeightSemibold,
    margin: 0,
  },
  list: { listStyle: 'none', padding: 0, margin: 0, display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalXS },
  h2: { fontSize: tokens.fontSizeBase300, fontWeight: tokens.fontWeightSemibold, margin: `${tokens.spacingVerticalS} 0 ${tokens.spacingVerticalXS}` },
  url: { overflowWrap: 'anywhere', wordBreak: 'break-all', fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
  link: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalXXS, paddingBlock: tokens.spacingVerticalXXS, borderBottom: `1px solid ${tokens.colorNeutralStroke2}` },
  confirm: {
    border: `1px solid ${tokens.colorNeutralStroke1}`,
    borderRadius: tokens.borderRadiusMedium,
    padding: tokens.spacingHorizontalS,
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalXS,
    backgroundColor: tokens.colorNeutralBackground2,
  },
  row: { display: 'flex', columnGap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  content: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalXS },
});

function Attachment({ file }: { file: AttachmentView }): ReactElement {
  return (
    <li>
      <Button
        size="small"
        icon={<ArrowDownloadRegular />}
        onClick={() => saveFile(file.bytes, file.name)}
        aria-label={`Download ${file.name}`}
        data-testid="attachment"
      >
        {file.name}
      </Button>{' '}
      <Caption1 data-testid="attachment-size">
        {file.mediaType}, {formatSize(file.bytes.length)}
      </Caption1>
    </li>
  );
}

/** Opens a URL outside the pane: Outlook's browser window where the host offers it, else a new tab. */
function openExternal(url: string): void {
  const office = (globalThis as { Office?: { context?: { ui?: { openBrowserWindow?: (u: string) => void } } } }).Office;
  const open = office?.context?.ui?.openBrowserWindow;
  if (typeof open === 'function') open.call(office!.context!.ui, url);
  else window.open(url, '_blank', 'noopener,noreferrer');
}

/** The links of inert content, in the pane's chrome: the whole URL, and opening it only after confirming. */
function InertLinks({ links }: { links: LinkRef[] }): ReactElement {
  const s = useStyles();
  const [asking, setAsking] = useState<number | null>(null);
  return (
    <details data-testid="inert-links">
      <summary>
        Links in this message ({links.length}) — shown as text, not clickable in the content
      </summary>
      <ul className={s.list} aria-label="Links in this message">
        {links.map((l, i) => (
          <li key={l.url} className={s.link} data-testid="inert-link">
            {l.text && l.text !== l.url && <Caption1>{l.text}</Caption1>}
            <span className={s.url} data-testid="inert-link-url">
              {l.url}
            </span>
            {asking === i ? (
              <div className={s.confirm} role="group" aria-label="Open this link?" data-testid="link-confirm">
                <Caption1>Open this address in your browser? Check it first: the message&rsquo;s content may have been changed.</Caption1>
                <span className={s.url} data-testid="link-confirm-url">
                  {l.url}
                </span>
                <div className={s.row}>
                  <Button
                    size="small"
                    appearance="primary"
                    data-testid="link-open"
                    onClick={() => {
                      setAsking(null);
                      openExternal(l.url);
                    }}
                  >
                    Open
                  </Button>
                  <Button size="small" onClick={() => setAsking(null)} data-testid="link-cancel">
                    Cancel
                  </Button>
                </div>
              </div>
            ) : (
              <div className={s.row}>
                <Button size="small" icon={<OpenRegular />} onClick={() => setAsking(i)} data-testid="link-ask">
                  Open…
                </Button>
              </div>
            )}
          </li>
        ))}
      </ul>
    </details>
  );
}

export interface ContentViewProps {
  document: SafeDocument | null;
  attachments: AttachmentView[];
  title: string;
  /** The verdict's severity (the pane's scale, severity.ts): `danger` frames the content as failed. */
  severity?: Severity;
  /** From the engine's analysis; when given, its failedCheck also frames the content. */
  safety?: ContentSafety;
}

export function ContentView({ document, attachments, title, severity, safety }: ContentViewProps): ReactElement | null {
  const s = useStyles();
  // Unique per instance: an enclosed signed part renders its own ContentView next to the message's.
  const headingId = useId();
  if (!document && attachments.length === 0) return null;
  // The pane's severity decides the frame when given (a copy Outlook rebuilt is 'could not be checked',
  // not 'failed'); links stay inert whenever the engine's safety says so.
  const failed = severity !== undefined ? severity === 'danger' : safety?.failedCheck === true;
  const inert = document?.inertLinks ?? safety?.inertLinks ?? true;
  const warningId = `${headingId}-warning`;
  const body = (
    <div className={s.content}>
      {document && (
        <>
          {document.blockedRemote > 0 && <Caption1 data-testid="blocked">{document.blockedRemote} remote {document.blockedRemote === 1 ? 'item' : 'items'} blocked.</Caption1>}
          {inert && safety && !safety.integrityProtected && (
            <Caption1 data-testid="not-protected-note">This content is not protected against changes on the way, so its links are shown as text.</Caption1>
          )}
          <iframe
            className={s.frame}
            title={`Content of ${title}`}
            aria-label={`Content of ${title} (scroll with the arrow keys)`}
            tabIndex={0}
            sandbox={inert ? INERT_CONTENT_SANDBOX : CONTENT_SANDBOX}
            srcDoc={document.srcdoc}
            referrerPolicy="no-referrer"
            data-testid="content-frame"
            data-links={inert ? 'inert' : 'live'}
          />
          {inert && document.links.length > 0 && <InertLinks links={document.links} />}
        </>
      )}
      {attachments.length > 0 && (
        <>
          <h3 className={s.h2}>Attachments</h3>
          <ul className={s.list} aria-label="Attachments">
            {attachments.map((a, i) => (
              <Attachment key={a.name + i} file={a} />
            ))}
          </ul>
        </>
      )}
    </div>
  );
  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId} className={s.h2}>
        Message content
      </h2>
      {failed ? (
        <div className={s.danger} role="region" aria-labelledby={warningId} data-testid="content-warning">
          <h3 id={warningId} className={s.dangerHeading}>
            <WarningFilled aria-hidden="true" />
            {FAILED_CHECK_HEADING}
          </h3>
          {body}
        </div>
      ) : (
        body
      )}
    </section>
  );
}
