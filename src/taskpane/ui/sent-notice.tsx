// The confirmation that stays (issue 18): the compose pane ends with its form (closeAsync), so what it sent
// is also remembered in this origin's localStorage, shared by the add-in's panes, and the read pane shows it
// ("Sent signed and encrypted to 2 people; the protected copy is in Sent Items") until dismissed. Only the
// sentence, the subject and the time are kept: never a recipient's content.

import { useEffect, useState, type ReactElement } from 'react';
import { Button, Caption1, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import { DismissRegular } from '@fluentui/react-icons';
import { formatDateTime } from '../present.js';

export const SENT_NOTICE_KEY = 'signet-last-sent';
/** A confirmation older than this is history, not news. */
const FRESH_MS = 30 * 60_000;

export interface SentRecord {
  sentence: string;
  subject: string;
  /** ISO time of the send. */
  at: string;
}

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // storage blocked (private mode, policy): the compose pane's own confirmation still shows
  }
}

export function rememberSent(record: SentRecord): void {
  try {
    storage()?.setItem(SENT_NOTICE_KEY, JSON.stringify(record));
  } catch {
    // quota or blocked storage: nothing else to do
  }
}

function readRecord(now: number): SentRecord | null {
  try {
    const raw = storage()?.getItem(SENT_NOTICE_KEY);
    if (!raw) return null;
    const r = JSON.parse(raw) as Partial<SentRecord>;
    if (typeof r.sentence !== 'string' || typeof r.at !== 'string' || typeof r.subject !== 'string') return null;
    const at = Date.parse(r.at);
    if (!Number.isFinite(at) || now - at > FRESH_MS || at - now > 60_000) return null;
    return { sentence: r.sentence, subject: r.subject, at: r.at };
  } catch {
    return null;
  }
}

/** The read pane's line about the last protected send, until the user dismisses it. */
export function SentNotice(): ReactElement | null {
  const [record, setRecord] = useState<SentRecord | null>(() => readRecord(Date.now()));
  useEffect(() => {
    const onStorage = (ev: StorageEvent): void => {
      if (ev.key === SENT_NOTICE_KEY) setRecord(readRecord(Date.now()));
    };
    window.addEventListener('storage', onStorage);
    return () => window.removeEventListener('storage', onStorage);
  }, []);
  if (record === null) return null;
  const dismiss = (): void => {
    try {
      storage()?.removeItem(SENT_NOTICE_KEY);
    } catch {
      // blocked storage: hide it for now anyway
    }
    setRecord(null);
  };
  return (
    <MessageBar intent="success" layout="multiline" data-testid="sent-notice">
      <MessageBarBody>
        <MessageBarTitle>{record.sentence}</MessageBarTitle>
        <Caption1 as="p" style={{ margin: 0 }}>
          {record.subject ? <>&ldquo;{record.subject}&rdquo;, </> : null}
          {formatDateTime(record.at)}
        </Caption1>
      </MessageBarBody>
      <MessageBarActions containerAction={<Button appearance="transparent" aria-label="Dismiss" icon={<DismissRegular />} onClick={dismiss} data-testid="sent-notice-dismiss" />} />
    </MessageBar>
  );
}
