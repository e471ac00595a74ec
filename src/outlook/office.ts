// The one place that touches Office.js callbacks: each `…Async(callback)` call is turned into a Promise here
// (the Office.js Common API's AsyncResult pattern), so the rest of Signet uses async/await and never sees an
// AsyncResult. Every function also works when office.js is absent (workbench, plain browser, Node tests):
// it reports "no Office" rather than throwing a ReferenceError on the `Office` global.

import { fromBase64 } from '../core/bytes.js';
import { SignetError } from '../core/errors.js';
import { MAILBOX_API } from './requirements.js';

/** Where the page is running, as Office.onReady reports it; `host: null` outside any Office application. */
export interface OfficeHostInfo {
  host: Office.HostType | null;
  platform: Office.PlatformType | null;
}

const STANDALONE: OfficeHostInfo = Object.freeze({ host: null, platform: null });

/** True when office.js has loaded (it may not: no network, blocked CDN, or a plain browser tab). */
export function officeLoaded(): boolean {
  return typeof Office !== 'undefined';
}

/**
 * Resolves once Office.js has initialised, with `host: null` when the page is not inside Office. Never
 * waits on an office.js that failed to load: that case resolves at once as standalone.
 */
export async function whenOfficeReady(): Promise<OfficeHostInfo> {
  if (!officeLoaded()) return STANDALONE;
  const info = await Office.onReady();
  return { host: info.host ?? null, platform: info.platform ?? null };
}

/** True inside an Outlook mailbox (the host we are built for), not in other Office hosts or standalone. */
export function inOutlook(): boolean {
  return officeLoaded() && Office.context?.mailbox !== undefined;
}

/**
 * Runs an Office.js `…Async` call and settles with its value. A failed AsyncResult becomes a SignetError
 * `io` whose cause is the Office.Error, so callers handle one error vocabulary (core/errors.ts).
 */
export function officeCall<T>(start: (callback: (result: Office.AsyncResult<T>) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    try {
      start((result) => {
        if (result.status === Office.AsyncResultStatus.Succeeded) resolve(result.value);
        else {
          const e = result.error;
          reject(new SignetError('io', `Outlook call failed: ${e.name} (${e.code}): ${e.message}`, { cause: e }));
        }
      });
    } catch (e) {
      // Some hosts throw synchronously for a bad argument or an API missing on this platform.
      reject(new SignetError('io', `Outlook call failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e }));
    }
  });
}

/** The mail item Outlook has selected or open, or null (standalone, or nothing selected in a pinned pane). */
export function currentItem(): Office.MessageRead | Office.MessageCompose | null {
  if (!inOutlook()) return null;
  const item = Office.context.mailbox.item as Office.MessageRead | Office.MessageCompose | null | undefined;
  return item ?? null;
}

function requireItem(): Office.MessageRead | Office.MessageCompose {
  const item = currentItem();
  if (item === null) throw new SignetError('usage', 'No Outlook message is selected.');
  return item;
}

/** The item's subject: a plain property in read mode, an async getter in compose mode. */
export async function getItemSubject(): Promise<string> {
  const item = requireItem();
  const subject = item.subject;
  if (typeof subject === 'string') return subject;
  return officeCall<string>((cb) => subject.getAsync(cb));
}

/** True when the running Outlook supports the given Mailbox requirement set (e.g. "1.14"). */
export function mailboxSupports(version: string): boolean {
  return officeLoaded() && Office.context?.requirements?.isSetSupported('Mailbox', version) === true;
}

/**
 * The selected message as RFC 5322 bytes (`getAsFileAsync`, Mailbox 1.14, read mode). Classic Outlook
 * rebuilds MIME from MAPI, so a clear-signed body may not be byte-exact (see ARCHITECTURE.md, "Reading the raw
 * message"): callers must treat this as one source among several, not as the original.
 */
export async function getItemAsEml(): Promise<Uint8Array> {
  const item = requireItem();
  if (!mailboxSupports(MAILBOX_API.getAsFile) || !('getAsFileAsync' in item)) {
    throw new SignetError('usage', 'This Outlook cannot export the message (needs Mailbox 1.14, read mode).');
  }
  const base64 = await officeCall<string>((cb) => (item as Office.MessageRead).getAsFileAsync(cb));
  return fromBase64(base64);
}

/**
 * Calls `handler` whenever the selected item changes under a pinned task pane (Mailbox 1.5). Resolves
 * once the handler is registered; standalone it resolves without registering anything.
 */
export async function onItemChanged(handler: () => void): Promise<void> {
  if (!inOutlook() || !mailboxSupports(MAILBOX_API.itemChanged)) return;
  await officeCall<void>((cb) => Office.context.mailbox.addHandlerAsync(Office.EventType.ItemChanged, handler, cb));
}

/**
 * Shows (or replaces) the verdict in the info bar above the item. Status lives in add-in chrome only
 * (ARCHITECTURE.md rule 6): this bar is drawn by Outlook, never inside the message body. `kind` 'error' uses
 * `ErrorMessage` (danger verdicts: Outlook draws it as an error, with its own icon; no icon or persistent
 * property is allowed for that type), 'informational' uses `InformationalMessage` with the add-in's icon.
 * `message` must already fit Outlook's 150 characters (present.ts writes it short; it is never clipped here).
 */
export async function showInfoBar(key: string, message: string, kind: 'error' | 'informational' = 'informational'): Promise<void> {
  const item = requireItem();
  const details: Office.NotificationMessageDetails =
    kind === 'error'
      ? { type: Office.MailboxEnums.ItemNotificationMessageType.ErrorMessage, message }
      : { type: Office.MailboxEnums.ItemNotificationMessageType.InformationalMessage, message, icon: 'Icon.16x16', persistent: false };
  await officeCall<void>((cb) => item.notificationMessages.replaceAsync(key, details, cb));
}

/** The headers Outlook exposes as item properties (read mode), used when a source lacks the outer headers. */
export interface ItemEnvelope {
  itemId: string | null;
  from: { name: string; email: string } | null;
  to: { name: string; email: string }[];
  subject: string;
  date: Date | null;
  internetMessageId: string | null;
}

/** The selected message's envelope, or null when nothing (or a compose form) is selected. */
export function readItemEnvelope(): ItemEnvelope | null {
  const item = currentItem();
  if (item === null || typeof item.subject !== 'string') return null;
  const read = item as Office.MessageRead;
  const addr = (a: Office.EmailAddressDetails | undefined | null) => (a ? { name: a.displayName ?? '', email: a.emailAddress ?? '' } : null);
  return {
    itemId: read.itemId ?? null,
    from: addr(read.from),
    to: (read.to ?? []).map((a) => addr(a)!),
    subject: read.subject,
    date: read.dateTimeCreated ? new Date(read.dateTimeCreated) : null,
    internetMessageId: read.internetMessageId ?? null,
  };
}

/**
 * The Graph (REST) id of an item id Office.js reports (EWS format): `mailbox.convertToRestId` (Mailbox 1.3,
 * https://learn.microsoft.com/javascript/api/outlook/office.mailbox#outlook-office-mailbox-converttorestid-member(1)).
 * Null outside Outlook or when the client cannot convert.
 */
export function restItemId(itemId: string): string | null {
  if (!inOutlook()) return null;
  try {
    const mailbox = Office.context.mailbox;
    if (typeof mailbox.convertToRestId !== 'function') return null;
    return mailbox.convertToRestId(itemId, Office.MailboxEnums.RestVersion.v2_0) || null;
  } catch {
    return null;
  }
}

/** Attachment metadata of the selected message in read mode (Mailbox 1.1); [] when there is none. */
export function getAttachments(): Office.AttachmentDetails[] {
  const item = currentItem();
  if (item === null || !('attachments' in item) || !Array.isArray(item.attachments)) return [];
  return item.attachments;
}

/**
 * An attachment's bytes (`getAttachmentContentAsync`, Mailbox 1.8). Only file attachments come back as
 * base64; item and cloud attachments have other formats and are refused here.
 */
export async function getAttachmentBytes(attachmentId: string): Promise<Uint8Array> {
  const item = requireItem();
  if (!mailboxSupports(MAILBOX_API.attachmentContent) || !('getAttachmentContentAsync' in item)) {
    throw new SignetError('usage', 'This Outlook cannot read attachment content (needs Mailbox 1.8).');
  }
  const content = await officeCall<Office.AttachmentContent>((cb) => (item as Office.MessageRead).getAttachmentContentAsync(attachmentId, cb));
  if (String(content.format).toLowerCase() !== 'base64') {
    throw new SignetError('usage', `The attachment is not a file (format ${String(content.format)}).`);
  }
  return fromBase64(content.content);
}

/**
 * Outlook's theme colours when the host tells us (Office.context.officeTheme; not every client does), so
 * the pane can follow Outlook's dark mode rather than only the operating system's.
 */
export function officeThemeIsDark(): boolean | null {
  if (!officeLoaded()) return null;
  const theme = (Office.context as { officeTheme?: Office.OfficeTheme } | undefined)?.officeTheme;
  const bg = theme?.bodyBackgroundColor;
  if (typeof bg !== 'string' || !/^#?[0-9a-f]{6}$/i.test(bg)) return null;
  const hex = bg.replace('#', '');
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.5;
}

// ---------------------------------------------------------------------------------------------------------
// Compose mode (the message being written): the wrappers src/outlook/compose-item.ts, the transports and the
// send-time event handlers (src/events) use. Requirement sets per call follow the Office.js reference
// (https://learn.microsoft.com/javascript/api/outlook/office.messagecompose).

/** The message being composed; throws `usage` in read mode or with nothing open. */
export function composeItem(): Office.MessageCompose {
  const item = currentItem();
  if (item === null || typeof item.subject === 'string' || String(item.itemType) !== 'message') {
    throw new SignetError('usage', 'No message is being composed.');
  }
  return item as Office.MessageCompose;
}

/** True when the running Outlook supports `name` at `version` (e.g. 'NestedAppAuth', '1.1'). */
export function requirementSupported(name: string, version: string): boolean {
  return officeLoaded() && Office.context?.requirements?.isSetSupported(name, version) === true;
}

/** The From field (Mailbox 1.7): the signed-in user, or a shared / delegated mailbox chosen in Outlook. Null before 1.7. */
export async function getComposeFrom(): Promise<Office.EmailAddressDetails | null> {
  const item = composeItem();
  if (!mailboxSupports(MAILBOX_API.composeFrom) || item.from === undefined) return null;
  return officeCall<Office.EmailAddressDetails>((cb) => item.from.getAsync(cb));
}

/** The To, Cc or Bcc field of the message being composed. */
export async function getComposeRecipients(field: 'to' | 'cc' | 'bcc'): Promise<Office.EmailAddressDetails[]> {
  const item = composeItem();
  const recipients = item[field];
  if (recipients === undefined) return [];
  return officeCall<Office.EmailAddressDetails[]>((cb) => recipients.getAsync(cb));
}

/** The body as HTML or as Outlook's plain-text rendering. */
export async function getComposeBody(kind: 'html' | 'text'): Promise<string> {
  const item = composeItem();
  const coercion = kind === 'html' ? Office.CoercionType.Html : Office.CoercionType.Text;
  return officeCall<string>((cb) => item.body.getAsync(coercion, cb));
}

/** Whether the message is written in HTML or in plain text (Mailbox 1.1). */
export async function getComposeBodyType(): Promise<'html' | 'text'> {
  const item = composeItem();
  const type = await officeCall<Office.CoercionType>((cb) => item.body.getTypeAsync(cb));
  return String(type).toLowerCase() === 'html' ? 'html' : 'text';
}

/** The attachments of the message being composed (Mailbox 1.8), inline images included. */
export async function getComposeAttachments(): Promise<Office.AttachmentDetailsCompose[]> {
  const item = composeItem();
  if (!mailboxSupports(MAILBOX_API.composeAttachments)) {
    // Listing attachments is impossible before 1.8: refusing is better than sending without them.
    throw new SignetError('usage', 'This Outlook cannot hand attachments to add-ins (needs Mailbox 1.8); Signet cannot send this message.');
  }
  return officeCall<Office.AttachmentDetailsCompose[]>((cb) => item.getAttachmentsAsync(cb));
}

/** One attachment's content in whatever format Outlook gives it (Base64, Eml, ICalendar or Url; Mailbox 1.8). */
export async function getAttachmentContent(attachmentId: string): Promise<Office.AttachmentContent> {
  const item = currentItem();
  if (item === null) throw new SignetError('usage', 'No Outlook message is selected.');
  if (!mailboxSupports(MAILBOX_API.attachmentContent)) throw new SignetError('usage', 'This Outlook cannot read attachment content (needs Mailbox 1.8).');
  return officeCall<Office.AttachmentContent>((cb) => (item as Office.MessageCompose).getAttachmentContentAsync(attachmentId, cb));
}

/** 'newMail', 'reply' or 'forward' (Mailbox 1.10), or null when the Outlook cannot tell. */
export async function getComposeType(): Promise<string | null> {
  const item = composeItem();
  if (!mailboxSupports(MAILBOX_API.composeType)) return null;
  const value = await officeCall<{ composeType?: unknown }>((cb) => item.getComposeTypeAsync(cb));
  return typeof value?.composeType === 'string' ? value.composeType : null;
}

/**
 * The given internet headers of the message being composed (Mailbox 1.8). Microsoft documents this for the
 * custom headers an add-in set itself; a header Outlook does not expose is simply absent from the result.
 */
export async function getComposeInternetHeaders(names: string[]): Promise<Record<string, string>> {
  const item = composeItem();
  if (!mailboxSupports(MAILBOX_API.internetHeaders)) return {};
  const value = await officeCall<Record<string, string>>((cb) => item.internetHeaders.getAsync(names, cb));
  return value ?? {};
}

/** The EWS id of the draft on the server (Mailbox 1.8), or null while it has never been saved (`ItemNotSaved`). */
export async function getSavedItemId(): Promise<string | null> {
  const item = composeItem();
  if (!mailboxSupports(MAILBOX_API.itemId)) return null;
  try {
    const id = await officeCall<string>((cb) => item.getItemIdAsync(cb));
    return id || null;
  } catch (e) {
    if (e instanceof SignetError && /ItemNotSaved/i.test(e.message)) return null;
    throw e;
  }
}

/**
 * A value of the item's session data (Mailbox 1.11): the string, or null when the key is not set. Hosts
 * report a missing key as an empty value; a failed call throws (`io`), so callers can tell "not set" from
 * "could not be read".
 */
export async function getSessionValue(key: string): Promise<string | null> {
  const item = composeItem();
  const sessionData = (item as { sessionData?: Office.SessionData }).sessionData;
  if (!mailboxSupports(MAILBOX_API.sessionData) || sessionData === undefined || typeof sessionData.getAsync !== 'function') return null;
  const value = await officeCall<string | null | undefined>((cb) => sessionData.getAsync(key, cb));
  return typeof value === 'string' && value !== '' ? value : null;
}

/** Sets a value of the item's session data (Mailbox 1.11). */
export async function setSessionValue(key: string, value: string): Promise<void> {
  const item = composeItem();
  const sessionData = (item as { sessionData?: Office.SessionData }).sessionData;
  if (!mailboxSupports(MAILBOX_API.sessionData) || sessionData === undefined || typeof sessionData.setAsync !== 'function') {
    throw new SignetError('usage', 'This Outlook cannot keep Signet settings on a message (needs Mailbox 1.11).');
  }
  await officeCall<void>((cb) => sessionData.setAsync(key, value, cb));
}

/** Shows an error-style message in the item's info bar (no icon: Outlook draws its own). */
export async function showErrorBar(key: string, message: string): Promise<void> {
  const item = requireItem();
  const details: Office.NotificationMessageDetails = { type: Office.MailboxEnums.ItemNotificationMessageType.ErrorMessage, message };
  await officeCall<void>((cb) => item.notificationMessages.replaceAsync(key, details, cb));
}

/** Removes an info-bar message set earlier; a key that is not shown is not an error. */
export async function removeInfoBar(key: string): Promise<void> {
  const item = requireItem();
  try {
    await officeCall<void>((cb) => item.notificationMessages.removeAsync(key, cb));
  } catch {
    // Outlook reports a key that is not shown as an error; the bar is gone either way.
  }
}

/** Sends an EWS SOAP request to the user's Exchange server (`makeEwsRequestAsync`, Mailbox 1.1) and returns the response XML. */
export async function makeEwsRequest(soap: string): Promise<string> {
  if (!inOutlook()) throw new SignetError('usage', 'Exchange Web Services are only reachable inside Outlook.');
  return officeCall<string>((cb) => Office.context.mailbox.makeEwsRequestAsync(soap, cb));
}

/** Where the mailbox lives, as Outlook reports it (used to choose the transport, src/outlook/transport). */
export interface MailboxEndpoints {
  /** `Office.context.mailbox.diagnostics.hostName`: Outlook, newOutlookWindows, OutlookWebApp, OutlookIOS, OutlookAndroid. */
  hostName: string | null;
  /** `Office.context.mailbox.ewsUrl` (Mailbox 1.1), or null. */
  ewsUrl: string | null;
  /** `Office.context.mailbox.restUrl` (Mailbox 1.5), or null. */
  restUrl: string | null;
}

export function mailboxEndpoints(): MailboxEndpoints {
  if (!inOutlook()) return { hostName: null, ewsUrl: null, restUrl: null };
  const mailbox = Office.context.mailbox as Partial<Office.Mailbox>;
  const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
  return { hostName: str(mailbox.diagnostics?.hostName), ewsUrl: str(mailbox.ewsUrl), restUrl: str(mailbox.restUrl) };
}

/** The signed-in user (`userProfile`), or null outside Outlook. */
export function signedInUser(): { name: string; email: string } | null {
  if (!inOutlook()) return null;
  const p = Office.context.mailbox.userProfile;
  return p ? { name: p.displayName ?? '', email: p.emailAddress ?? '' } : null;
}

/**
 * An EWS item id in the form Microsoft Graph's URLs use (`convertToRestId`, v2.0). Where the host lacks
 * the call, the documented difference is applied by hand: REST ids are the URL-safe base64 alphabet.
 */
export function toRestId(ewsId: string): string {
  const mailbox = inOutlook() ? (Office.context.mailbox as Partial<Office.Mailbox>) : undefined;
  if (typeof mailbox?.convertToRestId === 'function') return mailbox.convertToRestId(ewsId, 'v2.0');
  return ewsId.replace(/\//g, '-').replace(/\+/g, '_');
}

// ---------------------------------------------------------------------------------------------------------
// The compose task pane (src/taskpane/ui/compose-view.tsx).

/**
 * True when the pane is open next to a message being composed: there `item.subject` is an Office.Subject
 * object with getAsync, in read mode a string (https://learn.microsoft.com/javascript/api/outlook/office.messagecompose).
 */
export function isComposeMode(): boolean {
  const item = currentItem() as { subject?: unknown } | null;
  const subject = item?.subject as { getAsync?: unknown } | string | undefined;
  return typeof subject === 'object' && subject !== null && typeof subject.getAsync === 'function';
}

/**
 * Calls `handler` when To, Cc or Bcc of the message being composed changes (item.addHandlerAsync with
 * Office.EventType.RecipientsChanged, Mailbox 1.7). Resolves false where the host cannot tell the pane.
 */
export async function onRecipientsChanged(handler: () => void): Promise<boolean> {
  const item = composeItem();
  if (!mailboxSupports(MAILBOX_API.recipientsChanged) || typeof item.addHandlerAsync !== 'function') return false;
  try {
    await officeCall<void>((cb) => item.addHandlerAsync(Office.EventType.RecipientsChanged, handler, cb));
    return true;
  } catch {
    return false;
  }
}

/**
 * Closes the compose form and discards the draft after Signet sent the protected copy
 * (item.closeAsync({ discardItem: true }), Mailbox 1.14; task panes and function commands only — the pane
 * stops running when it succeeds). Resolves false where the host lacks closeAsync: the sender then closes
 * the form without saving.
 */
export async function discardComposeForm(): Promise<boolean> {
  const item = composeItem();
  if (!mailboxSupports(MAILBOX_API.closeAsync) || typeof item.closeAsync !== 'function') return false;
  await officeCall<void>((cb) => item.closeAsync({ discardItem: true }, cb));
  return true;
}
