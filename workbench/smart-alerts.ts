// What Outlook does when the user presses Send and an add-in handles OnMessageSend (Smart Alerts), as the
// workbench simulates it: the handler's `event.completed(options)` — or its silence — decides between
// sending the item and showing the Smart Alerts dialog, whose buttons depend on the manifest's SendMode.
// Sources (Microsoft Learn):
// - "Handle OnMessageSend and OnAppointmentSend events in your Outlook add-in with Smart Alerts"
//   (onmessagesend-onappointmentsend-events): the send modes; prompt user offers Send Anyway, soft block
//   and block only Don't Send; an add-in that runs over 5 seconds gets the long-running notice (Send Anyway
//   only in prompt user); after 5 minutes it times out, and in soft block and block the item cannot be
//   sent until the user sends again; an unavailable add-in lets prompt user and soft block "Send Anyway"
//   or "Try Later", block not at all; a send-mode override does not apply when the add-in fails.
// - MS-OWEMXML 2.3.67 LaunchEventSendMode (PromptUser / SoftBlock / Block).
// - Office.SmartAlertsEventCompletedOptions: errorMessage ≤ 500 characters (default "<add-in name> is
//   preventing this email from being sent."); in Outlook on the web `commandId` adds a "Take Action" button
//   (text from cancelLabel, ≤ 20 characters) that opens that task pane, while Don't Send only cancels; an
//   unknown commandId makes the button only cancel; sendModeOverride can only be "promptUser".
// - "Automatically check for an attachment before a message is sent" (walkthrough): a handler that is not
//   bound with Office.actions.associate blocks sending in soft block (it never completes).
// No DOM here: host.ts renders the alert, test/unit/workbench checks the rules.

export type SendMode = 'PromptUser' | 'SoftBlock' | 'Block';

/** Outlook's default timings; the workbench lets tests shorten them. */
export const LONG_RUNNING_MS = 5_000;
export const SEND_TIMEOUT_MS = 5 * 60_000;

/** How the handler's run ended, as Outlook sees it. */
export type SendOutcome =
  /** event.completed(options) was called. */
  | { kind: 'completed'; options: Office.SmartAlertsEventCompletedOptions | undefined }
  /** No completed() within the timeout: a handler that threw, hung, or was never bound. */
  | { kind: 'timeout'; detail?: string }
  /** The add-in's runtime could not be loaded at all. */
  | { kind: 'unavailable'; detail: string };

export type AlertButtonId = 'send-anyway' | 'dont-send' | 'take-action' | 'try-later' | 'ok' | 'wait' | 'save-draft';

export interface SmartAlert {
  reason: 'blocked' | 'timeout' | 'unavailable' | 'long-running' | 'item-switch';
  /** Outlook shows the add-in's name in the title bar ("Limitations"). */
  title: string;
  message: string;
  buttons: { id: AlertButtonId; label: string }[];
  /** The task pane "Take Action" opens (a known control id), else null. */
  commandId: string | null;
}

export type SendDecision =
  | { action: 'send'; notes: string[] }
  | { action: 'alert'; alert: SmartAlert; notes: string[] };

export interface AddinFacts {
  /** DisplayName of the manifest. */
  name: string;
  /** Ids of the add-in's task pane controls that a commandId may name. */
  taskPaneIds: ReadonlySet<string>;
}

export const MAX_ERROR_MESSAGE = 500;
export const MAX_CANCEL_LABEL = 20;

const dontSend = { id: 'dont-send', label: "Don't Send" } as const;
const sendAnyway = { id: 'send-anyway', label: 'Send Anyway' } as const;

/**
 * The decision for one OnMessageSend run. `notes` record what a real Outlook would silently ignore or cut
 * (an over-long message, an unknown commandId …), so a developer sees it in the workbench's event log.
 */
export function decideSend(mode: SendMode, outcome: SendOutcome, addin: AddinFacts): SendDecision {
  const notes: string[] = [];
  if (outcome.kind === 'unavailable') {
    notes.push(`the add-in was unavailable: ${outcome.detail}`);
    const canSend = mode !== 'Block';
    return {
      action: 'alert',
      notes,
      alert: {
        reason: 'unavailable',
        title: addin.name,
        message: canSend
          ? `${addin.name} is unavailable, so this message could not be checked. You can send it without the check, or try again later.`
          : `${addin.name} is unavailable. This message can't be sent until ${addin.name} is available again.`,
        buttons: canSend ? [sendAnyway, { id: 'try-later', label: 'Try Later' }] : [{ id: 'ok', label: 'OK' }],
        commandId: null,
      },
    };
  }
  if (outcome.kind === 'timeout') {
    if (outcome.detail) notes.push(outcome.detail);
    const prompt = mode === 'PromptUser';
    return {
      action: 'alert',
      notes,
      alert: {
        reason: 'timeout',
        title: addin.name,
        message: prompt
          ? `${addin.name} took too long to check this message. You can send it without the check.`
          : `${addin.name} took too long to check this message, so it wasn't sent. Select Send again to have it checked.`,
        buttons: prompt ? [sendAnyway, dontSend] : [{ id: 'ok', label: 'OK' }],
        commandId: null,
      },
    };
  }
  const options = outcome.options ?? {};
  if (options.allowEvent !== false) {
    // The reference states no default; Microsoft's samples always pass allowEvent explicitly. A missing
    // value is read as "allow", the permissive reading, so a handler that means to block without saying
    // so fails here, visibly, rather than in someone's Outlook.
    if (options.allowEvent === undefined) notes.push('event.completed() without allowEvent: the workbench sends, as the permissive reading of the API');
    return { action: 'send', notes };
  }
  let message = options.errorMessage ?? `${addin.name} is preventing this email from being sent.`;
  if (message.length > MAX_ERROR_MESSAGE) {
    notes.push(`errorMessage is ${message.length} characters; Outlook allows ${MAX_ERROR_MESSAGE}`);
    message = message.slice(0, MAX_ERROR_MESSAGE);
  }
  const override = options.sendModeOverride;
  if (override !== undefined && String(override) !== 'promptUser') notes.push(`sendModeOverride "${String(override)}" is not a SendModeOverride value (only "promptUser"); ignored`);
  const prompt = mode === 'PromptUser' || String(override) === 'promptUser';
  const buttons: SmartAlert['buttons'] = [];
  if (prompt) buttons.push(sendAnyway);
  buttons.push(dontSend);
  let commandId: string | null = null;
  if (options.commandId !== undefined) {
    let label = options.cancelLabel ?? 'Take Action';
    if (label.length > MAX_CANCEL_LABEL) {
      notes.push(`cancelLabel is ${label.length} characters; Outlook allows ${MAX_CANCEL_LABEL}`);
      label = label.slice(0, MAX_CANCEL_LABEL);
    }
    if (addin.taskPaneIds.has(options.commandId)) commandId = options.commandId;
    else notes.push(`commandId "${options.commandId}" is no task pane of the add-in: the button only cancels the send`);
    buttons.push({ id: 'take-action', label });
  } else if (options.cancelLabel !== undefined) {
    notes.push('cancelLabel without commandId: Outlook on the web ignores it (the Take Action button needs a commandId)');
  }
  if (options.contextData !== undefined && options.commandId === undefined) notes.push('contextData without commandId is ignored');
  return { action: 'alert', notes, alert: { reason: 'blocked', title: addin.name, message, buttons, commandId } };
}

/** The notice Outlook shows while the handler runs longer than LONG_RUNNING_MS. */
export function longRunningAlert(mode: SendMode, addin: AddinFacts): SmartAlert {
  const prompt = mode === 'PromptUser';
  return {
    reason: 'long-running',
    title: addin.name,
    message: prompt
      ? `${addin.name} is taking longer than expected to check this message. You can send it without waiting, or stop.`
      : `${addin.name} is taking longer than expected to check this message. Wait until the check is done.`,
    buttons: prompt ? [sendAnyway, dontSend] : [],
    commandId: null,
  };
}
