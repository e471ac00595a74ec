// The read pane's "Protected headers" section (RFC 9788 header protection, present.ts presentHeaders): the
// Subject, From, To and Date as the sender protected them — shown instead of the ones Outlook displays — a
// note when the Subject was hidden in transit, and a warning naming every header changed on the way with
// the value the sender wrote. Add-in chrome only (ARCHITECTURE.md rule 6).

import { Fragment, type ReactElement } from 'react';
import { Caption1, MessageBar, MessageBarBody, MessageBarTitle, makeStyles, tokens } from '@fluentui/react-components';
import { LockClosedRegular } from '@fluentui/react-icons';
import type { Verdict } from '../../core/verdict.js';
import { presentHeaders } from '../present.js';
import { FACTS_STYLE } from './facts-style.js';

const useStyles = makeStyles({
  section: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalS },
  h3: { fontSize: tokens.fontSizeBase300, fontWeight: tokens.fontWeightSemibold, margin: 0 },
  facts: FACTS_STYLE,
  subject: { fontWeight: tokens.fontWeightSemibold },
  hidden: { display: 'flex', alignItems: 'start', columnGap: tokens.spacingHorizontalXS, color: tokens.colorNeutralForeground2 },
  lock: { fontSize: '16px', flexShrink: 0, marginTop: '1px' },
  list: { margin: 0, paddingLeft: tokens.spacingHorizontalL },
});

export function ProtectedHeaders({ verdict }: { verdict: Verdict }): ReactElement | null {
  const s = useStyles();
  const p = presentHeaders(verdict);
  if (p === null) return null;
  const rows: [string, string | null, string][] = [
    ['Subject', p.subject, 'protected-subject'],
    ['From', p.from, 'protected-from'],
    ['To', p.to, 'protected-to'],
    ['Cc', p.cc, 'protected-cc'],
  ];
  return (
    <section className={s.section} aria-labelledby="protected-headers-heading" data-testid="protected-headers" data-warning={p.warning ? 'yes' : 'no'}>
      <h3 id="protected-headers-heading" className={s.h3}>
        As the sender wrote it
      </h3>
      {p.changes.length > 0 && (
        <MessageBar intent="warning" data-testid="header-changed">
          <MessageBarBody>
            <MessageBarTitle>{p.changes.length === 1 ? 'A header was changed in transit' : 'Headers were changed in transit'}</MessageBarTitle>
            <ul className={s.list}>
              {p.changes.map((c, i) => (
                <li key={c.field + i} data-testid="header-change" data-field={c.field}>
                  {c.text}
                </li>
              ))}
            </ul>
            What Outlook shows above the message is not what was sent; rely on the values here.
          </MessageBarBody>
        </MessageBar>
      )}
      <dl className={s.facts}>
        {rows.map(([label, value, id]) =>
          value === null ? null : (
            <Fragment key={id}>
              <dt>{label}</dt>
              <dd data-testid={id} className={label === 'Subject' ? s.subject : undefined}>
                {value}
              </dd>
            </Fragment>
          ),
        )}
      </dl>
      {p.hiddenSubjectAs !== null && (
        <Caption1 className={s.hidden} data-testid="subject-hidden">
          <LockClosedRegular aria-hidden="true" className={s.lock} />
          <span>
            The subject was hidden in transit: mail servers saw only {p.hiddenSubjectAs === '' ? 'no subject' : `\u201c${p.hiddenSubjectAs}\u201d`}.
          </span>
        </Caption1>
      )}
      <Caption1 data-testid="protected-basis">{p.basis}</Caption1>
    </section>
  );
}
