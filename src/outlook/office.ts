// The one place that touches Office.js callbacks: each `…Async(callback)` call is turned into a Promise here
// (the Office.js Common API's AsyncResult pattern), so the rest of Signet uses async/await and never sees an
// AsyncResult. Every function also works when office.js is absent (workbench, plain browser, Node tests):
// it reports "no Office" rather than throwing a ReferenceError on the `Office` global.

import { fromBase64 } from '../core/bytes.js';
import { SignetError } from '../core/errors.js';

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
 * rebuilds MIME from MAPI, so a clear-signed body may not be byte-exact (see DESIGN.md, "Reading the raw
 * message"): callers must treat this as one source among several, not as the original.
 */
export async function getItemAsEml(): Promise<Uint8Array> {
  const item = requireItem();
  if (!mailboxSupports('1.14') || !('getAsFileAsync' in item)) {
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
  if (!inOutlook() || !mailboxSupports('1.5')) return;
  await officeCall<void>((cb) => Office.context.mailbox.addHandlerAsync(Office.EventType.ItemChanged, handler, cb));
}

/**
 * Shows (or replaces) an informational message in the info bar above the item. Status lives in add-in
 * chrome only (DESIGN.md rule 6): this bar is drawn by Outlook, never inside the message body.
 */
export async function showInfoBar(key: string, message: string): Promise<void> {
  const item = requireItem();
  const details: Office.NotificationMessageDetails = {
    type: Office.MailboxEnums.ItemNotificationMessageType.InformationalMessage,
    message,
    icon: 'Icon.16x16',
    persistent: false,
  };
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
  if (!mailboxSupports('1.8') || !('getAttachmentContentAsync' in item)) {
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
