// The one list of what Signet needs from Outlook: the Mailbox requirement set of every Office.js call it
// makes (office.ts checks against these names, never against a literal version), and what each surface
// needs to work at all. manifest.xml declares its minimum from the same list, and
// test/unit/manifest/requirements.test.ts fails when the two drift apart.
//
// Versions from Microsoft's Outlook API reference (https://learn.microsoft.com/javascript/api/outlook,
// "[Api set: Mailbox 1.x]" on each member) and the requirement-set pages
// (https://learn.microsoft.com/javascript/api/requirement-sets/outlook/outlook-api-requirement-sets).

/** The Mailbox requirement set each Office.js member Signet uses was introduced in. */
export const MAILBOX_API = {
  /** Office.context.mailbox.addHandlerAsync(ItemChanged): the pinned pane follows the selection. */
  itemChanged: '1.5',
  /** item.from.getAsync in compose; item.addHandlerAsync(RecipientsChanged). */
  composeFrom: '1.7',
  recipientsChanged: '1.7',
  /** item.getAttachmentContentAsync (read: the smime.p7m blob; compose: attachments to protect). */
  attachmentContent: '1.8',
  /** item.getAttachmentsAsync, internetHeaders, getItemIdAsync in compose. */
  composeAttachments: '1.8',
  internetHeaders: '1.8',
  itemId: '1.8',
  /** item.getComposeTypeAsync. */
  composeType: '1.10',
  /** item.sessionData: the Sign/Encrypt choice kept on the draft. */
  sessionData: '1.11',
  /** item.getAsFileAsync (read mode): the whole message as EML. */
  getAsFile: '1.14',
  /** item.closeAsync({ discardItem }): the draft goes away after the protected copy was sent. */
  closeAsync: '1.14',
  /**
   * Smart Alerts: event.completed({ commandId, cancelLabel }) puts a "Take Action" button that opens a task
   * pane on the dialog (1.14); contextData passes JSON to it (1.15). Below 1.14 the guard says in words
   * where the pane is (smart-alerts-onmessagesend-walkthrough, "Customize the Don't Send button").
   */
  smartAlertsTakeAction: '1.14',
  smartAlertsContextData: '1.15',
} as const;

export type MailboxApi = keyof typeof MAILBOX_API;

export type Surface = 'read' | 'compose' | 'sendGuard';

export interface SurfaceRequirement {
  /** The lowest Mailbox requirement set at which the surface does its job. */
  mailbox: string;
  /** The calls that set the minimum, for the explanation a user sees below it. */
  needs: MailboxApi[];
  /** What the surface cannot do below the minimum, in words for the user. */
  without: string;
}

export const SURFACES: Record<Surface, SurfaceRequirement> = {
  // Reading the selected message needs its bytes: the smime.p7m attachment content (1.8) is the one
  // source every client with add-in commands has; getAsFileAsync (1.14) and Graph are extra sources.
  read: {
    mailbox: MAILBOX_API.attachmentContent,
    needs: ['attachmentContent'],
    without: 'Signet cannot read the selected message here. You can still check a message saved as an .eml file by dropping it on this pane.',
  },
  // Sign & Send needs the attachments (1.8) and the choice kept on the draft (1.11).
  compose: {
    mailbox: MAILBOX_API.sessionData,
    needs: ['composeAttachments', 'sessionData'],
    without: 'Signet cannot sign or encrypt messages in this version of Outlook.',
  },
  // OnMessageSend (Smart Alerts) arrived in Mailbox 1.12; the manifest's LaunchEvent is ignored below it.
  sendGuard: {
    mailbox: '1.12',
    needs: [],
    without: 'Outlook does not run Signet when you press Send here, so the organisation policy is not enforced at send time.',
  },
};

/**
 * The base manifest's <Requirements> Mailbox MinVersion. It stays at 1.1 on purpose: an add-in shows up
 * only where the *Exchange server* supports its minimum, and Exchange Server 2016, 2019 and Subscription
 * Edition support Mailbox 1.1–1.5 only ("Requirement sets supported by Exchange servers and Outlook
 * clients", office-js-docs-reference docs/requirement-sets/outlook/outlook-api-requirement-sets.md at
 * fa81c2a, 2026-08-21). A higher minimum would hide Signet from every on-premises mailbox, even in clients
 * that support more. So the manifest lets Signet load, and each surface checks SURFACES at run time and
 * says plainly what this Outlook lacks (surfaceSupport), never failing silently.
 */
export const MANIFEST_MAILBOX_MIN = '1.1';

/** Numeric comparison of dotted versions ("1.10" > "1.9"). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d > 0 ? 1 : -1;
  }
  return 0;
}

/**
 * Where each surface minimum is available, from the same office-js-docs-reference page: its client table
 * and "Version support for requirement sets in classic Outlook on Windows".
 */
const CLIENTS: Record<string, string> = {
  '1.8': 'Outlook on the web with Exchange Online, new Outlook for Windows, classic Outlook for Windows Version 1910 or later, Outlook for Mac',
  '1.11': 'Outlook on the web with Exchange Online, new Outlook for Windows, classic Outlook for Windows Version 2110 or later, new Outlook for Mac',
  '1.12': 'Outlook on the web with Exchange Online, new Outlook for Windows, classic Outlook for Windows Version 2206 or later, new Outlook for Mac',
};

export type SurfaceSupport = { ok: true } | { ok: false; mailbox: string; sentence: string };

/**
 * Whether a surface works where `supports(version)` answers like Office.context.requirements.isSetSupported
 * ('Mailbox', version), and if not a sentence for the user naming what this Outlook lacks.
 */
export function surfaceSupport(surface: Surface, supports: (version: string) => boolean): SurfaceSupport {
  const need = SURFACES[surface];
  if (supports(need.mailbox)) return { ok: true };
  return {
    ok: false,
    mailbox: need.mailbox,
    sentence: `${need.without} It needs an Outlook that supports Mailbox requirement set ${need.mailbox}${CLIENTS[need.mailbox] ? ` (${CLIENTS[need.mailbox]})` : ''}.`,
  };
}
