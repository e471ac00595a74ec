// Ribbon function commands (manifest <Action xsi:type="ExecuteFunction">): each key of COMMANDS is a
// <FunctionName> in manifest.xml, and test/unit/manifest checks the two lists match. Every command ends
// with event.completed(), also on failure, or Outlook shows the command as running until it times out.
// This page (commands.html) is also the browser runtime of the launch events (src/events/handlers.ts);
// classic Outlook on Windows runs those from launchevent.js instead (src/events/launchevent.ts).

import { onMessageRecipientsChanged, onMessageSend, onNewMessageCompose, toggleCommand } from '../events/handlers.js';
import { browserDeps } from '../events/runtime.js';
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

/** Compose ribbon: turns signing of this message on or off (item sessionData, read by the send guard). */
function signetToggleSign(event: Office.AddinCommands.Event): Promise<void> {
  return toggleCommand(event, 'sign', browserDeps());
}

/** Compose ribbon: turns encryption of this message on or off. */
function signetToggleEncrypt(event: Office.AddinCommands.Event): Promise<void> {
  return toggleCommand(event, 'encrypt', browserDeps());
}

export const COMMANDS: Readonly<Record<string, Command>> = Object.freeze({ signetShowStatus, signetToggleSign, signetToggleEncrypt });

/** Launch-event handlers (manifest <LaunchEvent FunctionName>), bound by name below. */
export const EVENT_HANDLERS = Object.freeze({
  onNewMessageComposeHandler: (event: Office.MailboxEvent) => onNewMessageCompose(event, browserDeps()),
  onMessageRecipientsChangedHandler: (event: Office.MailboxEvent) => onMessageRecipientsChanged(event, browserDeps()),
  onMessageSendHandler: (event: Office.MailboxEvent) => onMessageSend(event, browserDeps()),
});

if (officeLoaded()) {
  void Office.onReady(() => {
    for (const [name, command] of Object.entries(COMMANDS)) {
      Office.actions.associate(name, command);
    }
  });
  // Launch events are bound at once, as Microsoft's event-based samples do: Outlook may raise the event
  // as soon as the runtime has loaded this file.
  Office.actions.associate('onNewMessageComposeHandler', EVENT_HANDLERS.onNewMessageComposeHandler);
  Office.actions.associate('onMessageRecipientsChangedHandler', EVENT_HANDLERS.onMessageRecipientsChangedHandler);
  Office.actions.associate('onMessageSendHandler', EVENT_HANDLERS.onMessageSendHandler);
}
