// The subset of the Office.js API (Outlook read mode) that Signet uses, implemented by the workbench for the
// task pane it hosts. Every member is typed against @types/office-js (`satisfies` the real declarations), so
// when Signet starts using an API this file does not offer, or the typings change, `tsc` says so instead of
// the workbench drifting silently from Outlook. Values of enums are the strings real office.js uses.

import type { MailboxMessage, MailboxPerson } from './mailbox.js';

type Callback<T> = (result: Office.AsyncResult<T>) => void;

function succeeded<T>(value: T, asyncContext?: unknown): Office.AsyncResult<T> {
  return { status: 'succeeded' as unknown as Office.AsyncResultStatus, value, error: undefined as unknown as Office.Error, asyncContext, diagnostics: undefined };
}

function failed<T>(name: string, message: string, code = 9999): Office.AsyncResult<T> {
  return { status: 'failed' as unknown as Office.AsyncResultStatus, value: undefined as T, error: { name, message, code }, asyncContext: undefined, diagnostics: undefined };
}

/** Office.js passes `(options, callback)` or `(callback)`; returns the callback either way. */
function callbackOf<T>(a: unknown, b: unknown): Callback<T> | undefined {
  return (typeof a === 'function' ? a : typeof b === 'function' ? b : undefined) as Callback<T> | undefined;
}

function later(fn: () => void): void {
  setTimeout(fn, 0);
}

/** What the workbench page provides to the fake Office for the selected message. */
export interface WorkbenchBackend {
  /** Bytes of a file in the mailbox folder, base64. */
  fileBase64(name: string): Promise<string>;
  /** Called when the add-in sets or removes an info-bar message on the item. */
  notificationsChanged(itemId: string, messages: ReadonlyMap<string, Office.NotificationMessageDetails>): void;
  /** Mailbox requirement set the simulated client supports, e.g. "1.14". */
  mailboxVersion: string;
  darkTheme: boolean;
  owner: MailboxPerson;
}

function emailDetails(p: MailboxPerson): Office.EmailAddressDetails {
  return { displayName: p.name, emailAddress: p.email, recipientType: 'externalUser' as unknown as Office.MailboxEnums.RecipientType, appointmentResponse: undefined as unknown as Office.MailboxEnums.ResponseType };
}

function compareVersions(a: string, b: string): number {
  const [a1 = 0, a2 = 0] = a.split('.').map(Number);
  const [b1 = 0, b2 = 0] = b.split('.').map(Number);
  return a1 - b1 || a2 - b2;
}

/** One message as an Office.MessageRead item. */
export function createReadItem(message: MailboxMessage, backend: WorkbenchBackend) {
  const notes = new Map<string, Office.NotificationMessageDetails>();
  const changed = (): void => backend.notificationsChanged(message.id, notes);
  const attachments: Office.AttachmentDetails[] =
    message.delivery === 'smime-attachment' && message.attachmentFile
      ? [
          {
            id: `${message.id}/smime.p7m`,
            name: 'smime.p7m',
            contentType: 'application/pkcs7-mime',
            size: message.attachmentSize ?? 0,
            attachmentType: 'file' as unknown as Office.MailboxEnums.AttachmentType,
            isInline: false,
            contentId: '',
          },
        ]
      : [];
  const notificationMessages = {
    addAsync(key: string, details: Office.NotificationMessageDetails, a?: unknown, b?: unknown): void {
      const cb = callbackOf<void>(a, b);
      if (notes.has(key)) return later(() => cb?.(failed('DuplicateNotificationKey', 'A notification with this key exists.')));
      notes.set(key, details);
      changed();
      later(() => cb?.(succeeded(undefined)));
    },
    replaceAsync(key: string, details: Office.NotificationMessageDetails, a?: unknown, b?: unknown): void {
      const cb = callbackOf<void>(a, b);
      if (details.message.length > 150) return later(() => cb?.(failed('NumberOfNotificationMessagesExceeded', 'The message is longer than 150 characters.')));
      notes.set(key, details);
      changed();
      later(() => cb?.(succeeded(undefined)));
    },
    removeAsync(key: string, a?: unknown, b?: unknown): void {
      const cb = callbackOf<void>(a, b);
      notes.delete(key);
      changed();
      later(() => cb?.(succeeded(undefined)));
    },
    getAllAsync(a?: unknown, b?: unknown): void {
      const cb = callbackOf<Office.NotificationMessageDetails[]>(a, b);
      later(() => cb?.(succeeded([...notes.entries()].map(([key, d]) => ({ ...d, key })))));
    },
  } satisfies Partial<Office.NotificationMessages>;

  const item = {
    itemId: `AAMk-workbench-${message.id}`,
    itemType: 'message' as unknown as Office.MailboxEnums.ItemType,
    itemClass: message.delivery === 'smime-attachment' ? 'IPM.Note.SMIME' : 'IPM.Note',
    subject: message.subject,
    normalizedSubject: message.subject,
    from: emailDetails(message.from),
    sender: emailDetails(message.from),
    to: message.to.map(emailDetails),
    cc: [],
    dateTimeCreated: new Date(message.date),
    dateTimeModified: new Date(message.date),
    internetMessageId: `<${message.id}@workbench.signet.example>`,
    attachments,
    notificationMessages: notificationMessages as unknown as Office.NotificationMessages,
    getAttachmentContentAsync(attachmentId: string, a?: unknown, b?: unknown): void {
      const cb = callbackOf<Office.AttachmentContent>(a, b);
      const wanted = attachments.find((x) => x.id === attachmentId);
      if (!wanted || !message.attachmentFile) return later(() => cb?.(failed('InvalidAttachmentId', 'The attachment ID was invalid.')));
      backend.fileBase64(message.attachmentFile).then(
        (content) => cb?.(succeeded({ content, format: 'base64' as unknown as Office.MailboxEnums.AttachmentContentFormat })),
        (e: unknown) => cb?.(failed('InternalServerError', String(e))),
      );
    },
    getAsFileAsync(a?: unknown, b?: unknown): void {
      const cb = callbackOf<string>(a, b);
      backend.fileBase64(message.exportFile ?? message.file).then(
        (content) => cb?.(succeeded(content)),
        (e: unknown) => cb?.(failed('InternalServerError', String(e))),
      );
    },
  } satisfies Partial<Office.MessageRead>;
  return item;
}

export type WorkbenchItem = ReturnType<typeof createReadItem>;

/**
 * The `Office` namespace object the pane sees. `selectItem` swaps the mailbox's item and raises
 * ItemChanged, as Outlook does under a pinned task pane.
 */
export function createOffice(backend: WorkbenchBackend) {
  const handlers = new Set<(args: unknown) => void>();
  const mailbox = {
    item: null as WorkbenchItem | null,
    userProfile: { displayName: backend.owner.name, emailAddress: backend.owner.email, timeZone: 'UTC', accountType: 'enterprise' } as unknown as Office.UserProfile,
    diagnostics: { hostName: 'Outlook', hostVersion: 'Signet workbench', OWAView: 'ThreeColumns' } as unknown as Office.Diagnostics,
    addHandlerAsync(eventType: Office.EventType | string, handler: (args: unknown) => void, a?: unknown, b?: unknown): void {
      const cb = callbackOf<void>(a, b);
      if (String(eventType) !== 'olkItemSelectedChanged') return later(() => cb?.(failed('InvalidEventType', `The workbench does not raise ${String(eventType)}.`)));
      handlers.add(handler);
      later(() => cb?.(succeeded(undefined)));
    },
    removeHandlerAsync(eventType: Office.EventType | string, a?: unknown, b?: unknown): void {
      const cb = callbackOf<void>(a, b);
      if (String(eventType) === 'olkItemSelectedChanged') handlers.clear();
      later(() => cb?.(succeeded(undefined)));
    },
  } satisfies Partial<Omit<Office.Mailbox, 'item'>> & { item: WorkbenchItem | null };

  const light: Office.OfficeTheme = { bodyBackgroundColor: '#ffffff', bodyForegroundColor: '#242424', controlBackgroundColor: '#ffffff', controlForegroundColor: '#242424', isDarkTheme: false, themeId: 'Colorful' as unknown as Office.ThemeId };
  const dark: Office.OfficeTheme = { bodyBackgroundColor: '#1f1f1f', bodyForegroundColor: '#ffffff', controlBackgroundColor: '#292929', controlForegroundColor: '#ffffff', isDarkTheme: true, themeId: 'Black' as unknown as Office.ThemeId };
  const requirements = {
    isSetSupported: (name: string, minVersion?: string | number): boolean =>
      name.toLowerCase() === 'mailbox' && compareVersions(backend.mailboxVersion, String(minVersion ?? '1.1')) >= 0,
  } satisfies Office.RequirementSetSupport;
  const context = {
    mailbox,
    requirements,
    officeTheme: backend.darkTheme ? dark : light,
    displayLanguage: 'en-US',
    contentLanguage: 'en-US',
    diagnostics: { host: 'Outlook', platform: 'OfficeOnline', version: 'workbench' } as unknown as Office.ContextInformation,
  } satisfies Partial<Omit<Office.Context, 'mailbox'>> & { mailbox: typeof mailbox };
  const info = { host: 'Outlook' as unknown as Office.HostType, platform: 'OfficeOnline' as unknown as Office.PlatformType };
  const office = {
    context,
    onReady(callback?: (i: typeof info) => void): Promise<typeof info> {
      callback?.(info);
      return Promise.resolve(info);
    },
    AsyncResultStatus: { Succeeded: 'succeeded', Failed: 'failed' } satisfies Record<keyof typeof Office.AsyncResultStatus, string>,
    EventType: { ItemChanged: 'olkItemSelectedChanged' } satisfies Partial<Record<keyof typeof Office.EventType, string>>,
    HostType: { Outlook: 'Outlook' } satisfies Partial<Record<keyof typeof Office.HostType, string>>,
    PlatformType: { OfficeOnline: 'OfficeOnline' } satisfies Partial<Record<keyof typeof Office.PlatformType, string>>,
    MailboxEnums: {
      ItemNotificationMessageType: { InformationalMessage: 'informationalMessage', ErrorMessage: 'errorMessage', ProgressIndicator: 'progressIndicator', InsightMessage: 'insightMessage' } satisfies Record<
        keyof typeof Office.MailboxEnums.ItemNotificationMessageType,
        string
      >,
      AttachmentType: { File: 'file', Item: 'item', Cloud: 'cloud', Base64: 'base64' } satisfies Record<keyof typeof Office.MailboxEnums.AttachmentType, string>,
      AttachmentContentFormat: { Base64: 'base64', Url: 'url', Eml: 'eml', ICalendar: 'iCalendar' } satisfies Record<keyof typeof Office.MailboxEnums.AttachmentContentFormat, string>,
      ItemType: { Message: 'message', Appointment: 'appointment' } satisfies Record<keyof typeof Office.MailboxEnums.ItemType, string>,
    },
  };
  return {
    office,
    selectItem(item: WorkbenchItem | null): void {
      mailbox.item = item;
      for (const h of handlers) later(() => h({ type: 'olkItemSelectedChanged' }));
    },
  };
}
