// A Fluent file choice (issue 18): a button and the chosen file's name, over a hidden native input (which
// the browser's file dialog and drag-and-drop still use), instead of the unstyled "Choose File" control.
// Field props (id, aria-describedby, aria-labelledby) go on the button, which is what people reach.

import { useId, useRef, type ReactElement } from 'react';
import { Button, Caption1, makeStyles, tokens } from '@fluentui/react-components';
import { FolderOpenRegular } from '@fluentui/react-icons';

const useStyles = makeStyles({
  row: { display: 'flex', alignItems: 'center', columnGap: tokens.spacingHorizontalS, rowGap: tokens.spacingVerticalXS, flexWrap: 'wrap', minWidth: 0 },
  name: { overflowWrap: 'anywhere', color: tokens.colorNeutralForeground2 },
});

export interface FilePickerProps {
  /** Text of the button ("Choose file…"). */
  label: string;
  accept: string;
  /** The chosen file's name, or null. */
  chosen: string | null;
  onFile: (file: File) => void;
  /** data-testid of the native input (tests set files on it). */
  testId: string;
  /** Accessible name of the native input. */
  inputLabel: string;
  disabled?: boolean;
  /** Props from a Fluent Field render function. */
  fieldProps?: Record<string, unknown>;
  /** Shown while nothing is chosen; null shows nothing (a picker that acts at once, like the read pane's). */
  emptyText?: string | null;
}

export function FilePicker({ label, accept, chosen, onFile, testId, inputLabel, disabled, fieldProps, emptyText = 'No file chosen' }: FilePickerProps): ReactElement {
  const s = useStyles();
  const input = useRef<HTMLInputElement>(null);
  const fallbackId = useId();
  // The button's name starts with its visible text, then the field's label ("Choose file… Identity file"):
  // a name that omits the visible text fails WCAG 2.5.3 (axe label-content-name-mismatch).
  const { 'aria-labelledby': labelledBy, ...rest } = fieldProps ?? {};
  const id = typeof rest['id'] === 'string' ? rest['id'] : fallbackId;
  return (
    <div className={s.row}>
      <Button {...rest} id={id} aria-labelledby={typeof labelledBy === 'string' ? `${id} ${labelledBy}` : undefined} icon={<FolderOpenRegular />} disabled={disabled} onClick={() => input.current?.click()} data-testid={`${testId}-button`}>
        {label}
      </Button>
      {(chosen ?? emptyText) !== null && (
        <Caption1 className={s.name} data-testid={`${testId}-name`}>
          {chosen ?? emptyText}
        </Caption1>
      )}
      <input
        ref={input}
        type="file"
        hidden
        accept={accept}
        aria-label={inputLabel}
        data-testid={testId}
        onChange={(ev) => {
          const f = ev.currentTarget.files?.[0];
          ev.currentTarget.value = '';
          if (f) onFile(f);
        }}
      />
    </div>
  );
}
