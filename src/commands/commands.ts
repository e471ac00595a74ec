// Ribbon function commands (manifest <Action xsi:type="ExecuteFunction">): each key of COMMANDS is a
// <FunctionName> in manifest.xml, and test/unit/manifest checks the two lists match. Every command ends
// with event.completed(), also on failure, or Outlook shows the command as running until it times out.

import { getItemSubject, officeLoaded, showInfoBar } from '../outlook/office.js';

type Command = (event: Office.AddinCommands.Event) => Promise<void>;

const STATUS_KEY = 'signet-status';

/** Placeholder: says in the info bar that Signet is active; the real verdict arrives with the read pane. */
async function signetShowStatus(event: Office.AddinCommands.Event): Promise<void> {
  try {
    const subject = await getItemSubject();
    const shown = subject.length > 60 ? `${subject.slice(0, 57)}…` : subject;
    // Info bar text is limited to 150 characters by Outlook.
    await showInfoBar(STATUS_KEY, `Signet is active. Open the Signet pane to check "${shown || '(no subject)'}".`);
  } catch {
    // Nothing useful to report from a UI-less command; completing is what matters.
  } finally {
    event.completed();
  }
}

export const COMMANDS: Readonly<Record<string, Command>> = Object.freeze({ signetShowStatus });

if (officeLoaded()) {
  void Office.onReady(() => {
    for (const [name, command] of Object.entries(COMMANDS)) {
      Office.actions.associate(name, command);
    }
  });
}
