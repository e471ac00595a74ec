// The opened message's content: a sandboxed iframe (no allow-scripts, no allow-same-origin: an opaque origin
// that can neither run script nor reach the pane) whose srcdoc is sanitize.ts's document with its own CSP,
// plus the attachments as downloads (Blob URLs typed application/octet-stream, so nothing is rendered in the
// pane's origin). Mailvelope's ContentSandbox is the model.

import { useEffect, useId, useMemo, type ReactElement } from 'react';
import { Button, Caption1, makeStyles, tokens } from '@fluentui/react-components';
import { ArrowDownloadRegular } from '@fluentui/react-icons';
import type { AttachmentView } from '../content.js';
import type { SafeDocument } from '../sanitize.js';
import { CONTENT_SANDBOX } from '../sandbox.js';


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
  },
  list: { listStyle: 'none', padding: 0, margin: 0, display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalXS },
  h2: { fontSize: tokens.fontSizeBase300, fontWeight: tokens.fontWeightSemibold, margin: `${tokens.spacingVerticalS} 0 ${tokens.spacingVerticalXS}` },
});

function formatBytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`;
}

function Attachment({ file }: { file: AttachmentView }): ReactElement {
  const url = useMemo(() => URL.createObjectURL(new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' })), [file]);
  useEffect(() => () => URL.revokeObjectURL(url), [url]);
  return (
    <li>
      <Button as="a" href={url} download={file.name} size="small" icon={<ArrowDownloadRegular />} data-testid="attachment">
        {file.name}
      </Button>{' '}
      <Caption1>
        {file.mediaType}, {formatBytes(file.bytes.length)}
      </Caption1>
    </li>
  );
}

export function ContentView({ document, attachments, title }: { document: SafeDocument | null; attachments: AttachmentView[]; title: string }): ReactElement | null {
  const s = useStyles();
  // Unique per instance: an enclosed signed part renders its own ContentView next to the message's.
  const headingId = useId();
  if (!document && attachments.length === 0) return null;
  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId} className={s.h2}>
        Message content
      </h2>
      {document && (
        <>
          {document.blockedRemote > 0 && <Caption1 data-testid="blocked">{document.blockedRemote} remote item(s) blocked.</Caption1>}
          <iframe className={s.frame} title={`Content of ${title}`} sandbox={CONTENT_SANDBOX} srcDoc={document.srcdoc} referrerPolicy="no-referrer" data-testid="content-frame" />
        </>
      )}
      {attachments.length > 0 && (
        <>
          <h2 className={s.h2}>Attachments</h2>
          <ul className={s.list} aria-label="Attachments">
            {attachments.map((a, i) => (
              <Attachment key={a.name + i} file={a} />
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
