// The compose pane's per-message switch for RFC 9788 header protection: "Hide the subject in transit" for an
// encrypted message (the Subject travels as "[...]", the real one inside the encryption). Its default is the
// organisation policy's $.headerProtection.encryptSubject; the choice is kept in the item's session data
// (compose/header-choice.ts HIDE_SUBJECT_KEY), where both the pane's send and the send handler read it.

import { useEffect, useState, type ReactElement } from 'react';
import { Caption1, Switch } from '@fluentui/react-components';
import { HIDE_SUBJECT_KEY, headerChoice, type HeaderProtectionDefaults } from '../../compose/header-choice.js';
import { getSessionValue, setSessionValue } from '../../outlook/office.js';

export interface HideSubjectSwitchProps {
  /** The policy's header-protection defaults; null until the policy is known. */
  defaults: HeaderProtectionDefaults | null;
  /** Shown only for encrypted mail: a signed-only message cannot hide anything. */
  encrypt: boolean;
  disabled: boolean;
}

export function HideSubjectSwitch({ defaults, encrypt, disabled }: HideSubjectSwitchProps): ReactElement | null {
  const [stored, setStored] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    getSessionValue(HIDE_SUBJECT_KEY)
      .then((v) => live && setStored(v))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  if (!encrypt || defaults === null) return null;
  const on = headerChoice(defaults, stored).hideSubject;
  const change = (next: boolean): void => {
    const value = next ? 'on' : 'off';
    setStored(value);
    void setSessionValue(HIDE_SUBJECT_KEY, value).catch(() => setStored(null));
  };
  return (
    <>
      <Switch
        label="Hide the subject in transit"
        checked={on}
        disabled={disabled}
        onChange={(_e, d) => change(d.checked)}
        data-testid="toggle-hide-subject"
        aria-describedby="hide-subject-note"
      />
      <Caption1 id="hide-subject-note" data-testid="hide-subject-note">
        {on
          ? 'Mail servers see the subject as \u201c[...]\u201d; the real one travels encrypted. Recipients whose mail program does not support this also see \u201c[...]\u201d in their inbox.'
          : 'The subject travels readable, as with ordinary S/MIME; it is still protected against changes.'}
      </Caption1>
    </>
  );
}
