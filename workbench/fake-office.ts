// The subset of the Office.js API that Signet uses, implemented by the workbench for the pages it hosts: the
// read pane (a message in read mode), the compose pane and the add-in's event runtime (a message being
// composed: recipients, body, attachments, session data, internet headers, the info bar), and the mailbox
// calls around them (makeEwsRequestAsync to the simulated EWS endpoint, Office.actions.associate for the
// runtime). Every member is typed against @types/office-js (`satisfies` the real declarations), so when
// Signet starts using an API this file does not offer, or the typings change, `tsc` says so instead of the
// workbench drifting silently from Outlook. Values of enums are the strings real office.js uses.

import type { MailboxMessage, MailboxPerson } from './mailbox.js';
import { MAILBOX_API } from '../src/outlook/requirements.js';

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
  /** Mailbox requirement set the simulated client supports, e.g. "1.14" (profiles.ts). */
  mailboxVersion: string;
  /** NestedAppAuth 1.1 (profiles.ts). */
  nestedAppAuth: boolean;
  /** The item class the client reports for a received S/MIME message (office-js #4334, profiles.ts). */
  smimeItemClass: string;
  /** addFileAttachmentAsync never calls back (office-js #3363 on the web's S/MIME compose, profiles.ts). */
  addFileAttachmentHangs: boolean;
  darkTheme: boolean;
  owner: MailboxPerson;
  /**
   * Where the simulated mailbox lives: Exchange Online (Graph; EWS URLs on outlook.office365.com) or
   * Exchange Server on-premises (EWS on this workbench). Signet picks its transport from this.
   */
  exchange: 'online' | 'on-premises';
}

function emailDetails(p: MailboxPerson, owner?: MailboxPerson): Office.EmailAddressDetails {
  // "user" is a mailbox of the same organisation (here: the owner's domain), "externalUser" anyone else.
  const sameOrg = owner !== undefined && p.email.split('@')[1]?.toLowerCase() === owner.email.split('@')[1]?.toLowerCase();
  return {
    displayName: p.name,
    emailAddress: p.email,
    recipientType: (sameOrg ? 'user' : 'externalUser') as unknown as Office.MailboxEnums.RecipientType,
    appointmentResponse: undefined as unknown as Office.MailboxEnums.ResponseType,
  };
}

function compareVersions(a: string, b: string): number {
  const [a1 = 0, a2 = 0] = a.split('.').map(Number);
  const [b1 = 0, b2 = 0] = b.split('.').map(Number);
  return a1 - b1 || a2 - b2;
}

/** item.notificationMessages (Mailbox 1.3): the info bar above the item, at most 150 characters a message. */
function notificationsApi(notes: Map<string, Office.NotificationMessageDetails>, changed: () => void) {
  return {
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
  const notificationMessages = notificationsApi(notes, changed);

  const item = {
    itemId: `AAMk-workbench-${message.id}`,
    itemType: 'message' as unknown as Office.MailboxEnums.ItemType,
    itemClass: message.delivery === 'smime-attachment' ? backend.smimeItemClass : 'IPM.Note',
    subject: message.subject,
    normalizedSubject: message.subject,
    from: emailDetails(message.from, backend.owner),
    sender: emailDetails(message.from, backend.owner),
    to: message.to.map((p) => emailDetails(p, backend.owner)),
    cc: (message.cc ?? []).map((p) => emailDetails(p, backend.owner)),
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

/** A file attached to the message being composed (inline images are attachments with isInline). */
export interface ComposeAttachment {
  id: string;
  name: string;
  contentType: string;
  size: number;
  isInline: boolean;
  /** RFC 2392 Content-ID (without brackets) of an inline image; '' for a plain attachment. */
  contentId: string;
  base64: string;
}

export type ComposeType = 'newMail' | 'reply' | 'forward';

/** The compose form's state: what Outlook keeps for a message being written. */
export interface ComposeState {
  from: MailboxPerson;
  to: MailboxPerson[];
  cc: MailboxPerson[];
  bcc: MailboxPerson[];
  subject: string;
  attachments: ComposeAttachment[];
  importance: 'normal' | 'high' | 'low';
  composeType: ComposeType;
  /** Message-ID of the message replied to, and the References chain (reply and forward only). */
  inReplyTo: string | null;
  references: string | null;
  conversationId: string;
  /** The draft's EWS id once it was saved (item.saveAsync), else null. */
  itemId: string | null;
  /** item.sessionData (Mailbox 1.11), per add-in; the workbench hosts one add-in. */
  sessionData: Map<string, string>;
  /** Custom internet headers the add-in set (item.internetHeaders.setAsync). */
  internetHeaders: Map<string, string>;
  notifications: Map<string, Office.NotificationMessageDetails>;
}

export type RecipientField = 'to' | 'cc' | 'bcc';

/** What the compose form provides to the fake Office for the message being written. */
export interface ComposeBackend {
  state: ComposeState;
  owner: MailboxPerson;
  /** The body as Outlook's HTML (sanitised; inline images as cid: references) and as plain text. */
  bodyHtml(): string;
  bodyText(): string;
  /** The add-in changed a field (setAsync / addAsync); the form redraws it. */
  changed(field: RecipientField | 'subject' | 'sessionData' | 'notifications'): void;
  /** Saves the draft on the simulated server and returns its EWS id. */
  saveDraft(): Promise<string>;
  /** item.closeAsync({ discardItem: true }) from the task pane: the form closes without saving. */
  discard?(): void;
}

/** Largest item.sessionData per add-in in clients up to Mailbox 1.15 (Office.SessionData, Remarks). */
export const SESSION_DATA_LIMIT = 50_000;
/** setAsync / addAsync take at most 100 recipients per call (Office.Recipients). */
const MAX_RECIPIENTS_PER_CALL = 100;
/** Subject.setAsync: at most 255 characters (Office.Subject). */
const MAX_SUBJECT = 255;

type RecipientInput = string | Office.EmailUser | Office.EmailAddressDetails;

function toPerson(r: RecipientInput): MailboxPerson | null {
  const email = typeof r === 'string' ? r : r.emailAddress;
  const name = typeof r === 'string' ? '' : (r.displayName ?? '');
  if (typeof email !== 'string' || !/^[^\s@<>]+@[^\s@<>]+$/.test(email.trim())) return null;
  return { name: name || email.trim(), email: email.trim() };
}

/** One message being composed, as an Office.MessageCompose item. */
export function createComposeItem(backend: ComposeBackend) {
  const state = backend.state;
  const recipients = (field: RecipientField) => {
    const update = (list: readonly RecipientInput[], append: boolean, a: unknown, b: unknown): void => {
      const cb = callbackOf<void>(a, b);
      if (list.length > MAX_RECIPIENTS_PER_CALL) return later(() => cb?.(failed('NumberOfRecipientsExceeded', `At most ${MAX_RECIPIENTS_PER_CALL} recipients per call.`)));
      const people = list.map(toPerson);
      if (people.some((p) => p === null)) return later(() => cb?.(failed('InvalidFormatError', 'A recipient is not an e-mail address.')));
      state[field] = [...(append ? state[field] : []), ...(people as MailboxPerson[])];
      backend.changed(field);
      later(() => cb?.(succeeded(undefined)));
    };
    return {
      getAsync(a?: unknown, b?: unknown): void {
        const cb = callbackOf<Office.EmailAddressDetails[]>(a, b);
        const value = state[field].map((p) => emailDetails(p, backend.owner));
        later(() => cb?.(succeeded(value)));
      },
      setAsync(list: RecipientInput[], a?: unknown, b?: unknown): void {
        update(list, false, a, b);
      },
      addAsync(list: RecipientInput[], a?: unknown, b?: unknown): void {
        update(list, true, a, b);
      },
    } satisfies Partial<Office.Recipients>;
  };

  const body = {
    getAsync(coercionType: Office.CoercionType | string, a?: unknown, b?: unknown): void {
      const cb = callbackOf<string>(a, b);
      const kind = String(coercionType).toLowerCase();
      if (kind !== 'html' && kind !== 'text') return later(() => cb?.(failed('InvalidCoercion', `Coercion type ${String(coercionType)} is not supported for the body.`)));
      const value = kind === 'html' ? backend.bodyHtml() : backend.bodyText();
      later(() => cb?.(succeeded(value)));
    },
    getTypeAsync(a?: unknown, b?: unknown): void {
      const cb = callbackOf<Office.CoercionType>(a, b);
      later(() => cb?.(succeeded('html' as unknown as Office.CoercionType)));
    },
  } satisfies Partial<Office.Body>;

  const subject = {
    getAsync(a?: unknown, b?: unknown): void {
      const cb = callbackOf<string>(a, b);
      later(() => cb?.(succeeded(state.subject)));
    },
    setAsync(value: string, a?: unknown, b?: unknown): void {
      const cb = callbackOf<void>(a, b);
      if (value.length > MAX_SUBJECT) return later(() => cb?.(failed('DataExceedsMaximumSize', `The subject is limited to ${MAX_SUBJECT} characters.`)));
      state.subject = value;
      backend.changed('subject');
      later(() => cb?.(succeeded(undefined)));
    },
  } satisfies Partial<Office.Subject>;

  const from = {
    getAsync(a?: unknown, b?: unknown): void {
      const cb = callbackOf<Office.EmailAddressDetails>(a, b);
      const value = emailDetails(state.from, backend.owner);
      later(() => cb?.(succeeded(value)));
    },
  } satisfies Partial<Office.From>;

  const sessionSize = (): number => JSON.stringify(Object.fromEntries(state.sessionData)).length;
  const sessionData = {
    getAsync(name: string, callback: (r: Office.AsyncResult<string>) => void): void {
      // A key that was never set comes back as a null value, not as an error (office-js issue #5951).
      const value = state.sessionData.get(name) ?? (null as unknown as string);
      later(() => callback(succeeded(value)));
    },
    getAllAsync(callback: (r: Office.AsyncResult<object>) => void): void {
      const value = Object.fromEntries(state.sessionData);
      later(() => callback(succeeded(value)));
    },
    setAsync(name: string, value: string, a?: unknown, b?: unknown): void {
      const cb = callbackOf<void>(a, b);
      const previous = state.sessionData.get(name);
      state.sessionData.set(name, String(value));
      if (sessionSize() > SESSION_DATA_LIMIT) {
        if (previous === undefined) state.sessionData.delete(name);
        else state.sessionData.set(name, previous);
        return later(() => cb?.(failed('SessionObjectMaxLengthExceeded', `Session data is limited to ${SESSION_DATA_LIMIT} characters per add-in.`)));
      }
      backend.changed('sessionData');
      later(() => cb?.(succeeded(undefined)));
    },
    removeAsync(name: string, a?: unknown, b?: unknown): void {
      const cb = callbackOf<void>(a, b);
      state.sessionData.delete(name);
      backend.changed('sessionData');
      later(() => cb?.(succeeded(undefined)));
    },
    clearAsync(a?: unknown, b?: unknown): void {
      const cb = callbackOf<void>(a, b);
      state.sessionData.clear();
      backend.changed('sessionData');
      later(() => cb?.(succeeded(undefined)));
    },
  } satisfies Office.SessionData;

  /**
   * Internet headers (Mailbox 1.8): the custom headers the add-in set, plus — as this host's answer to the
   * headers Signet asks for — Importance (when not normal) and, for a reply or forward, In-Reply-To and
   * References, which Outlook keeps on the item but has no compose-mode property for.
   */
  const knownHeaders = (): Map<string, string> => {
    const m = new Map<string, string>();
    if (state.importance !== 'normal') m.set('Importance', state.importance === 'high' ? 'High' : 'Low');
    if (state.inReplyTo) m.set('In-Reply-To', state.inReplyTo);
    if (state.references) m.set('References', state.references);
    for (const [k, v] of state.internetHeaders) m.set(k, v);
    return m;
  };
  const internetHeaders = {
    getAsync(names: string[], a?: unknown, b?: unknown): void {
      const cb = callbackOf<Record<string, string>>(a, b);
      const all = knownHeaders();
      const value: Record<string, string> = {};
      for (const name of names) {
        for (const [k, v] of all) if (k.toLowerCase() === name.toLowerCase()) value[name] = v;
      }
      later(() => cb?.(succeeded(value)));
    },
    setAsync(headers: Record<string, string>, a?: unknown, b?: unknown): void {
      const cb = callbackOf<void>(a, b);
      for (const [k, v] of Object.entries(headers)) state.internetHeaders.set(k, String(v));
      later(() => cb?.(succeeded(undefined)));
    },
    removeAsync(names: string[], a?: unknown, b?: unknown): void {
      const cb = callbackOf<void>(a, b);
      for (const n of names) for (const k of [...state.internetHeaders.keys()]) if (k.toLowerCase() === n.toLowerCase()) state.internetHeaders.delete(k);
      later(() => cb?.(succeeded(undefined)));
    },
  } satisfies Office.InternetHeaders;

  // item.addHandlerAsync(RecipientsChanged) (Mailbox 1.7): the compose pane's handlers.
  const recipientHandlers = new Set<(args: unknown) => void>();
  const item = {
    itemType: 'message' as unknown as Office.MailboxEnums.ItemType,
    addHandlerAsync(eventType: Office.EventType | string, handler: (args: unknown) => void, a?: unknown, b?: unknown): void {
      const cb = callbackOf<void>(a, b);
      if (String(eventType) !== 'olkRecipientsChanged') return later(() => cb?.(failed('InvalidEventType', `The workbench's compose item does not raise ${String(eventType)}.`)));
      recipientHandlers.add(handler);
      later(() => cb?.(succeeded(undefined)));
    },
    removeHandlerAsync(eventType: Office.EventType | string, a?: unknown, b?: unknown): void {
      const cb = callbackOf<void>(a, b);
      if (String(eventType) === 'olkRecipientsChanged') recipientHandlers.clear();
      later(() => cb?.(succeeded(undefined)));
    },
    closeAsync(a?: unknown, b?: unknown): void {
      const options = typeof a === 'object' && a !== null ? (a as { discardItem?: unknown }) : {};
      const cb = callbackOf<void>(typeof a === 'function' ? a : b, undefined);
      if (options.discardItem !== true || backend.discard === undefined) {
        return later(() => cb?.(failed('OperationNotSupported', 'The workbench closes a message from the add-in only with discardItem: true.')));
      }
      const discard = backend.discard;
      // Outlook ends the add-in with the form; the callback may never run.
      later(() => {
        cb?.(succeeded(undefined));
        discard();
      });
    },
    get conversationId(): string {
      return state.conversationId;
    },
    get inReplyTo(): string {
      return state.inReplyTo as string;
    },
    to: recipients('to') as unknown as Office.Recipients,
    cc: recipients('cc') as unknown as Office.Recipients,
    bcc: recipients('bcc') as unknown as Office.Recipients,
    from: from as unknown as Office.From,
    subject: subject as unknown as Office.Subject,
    body: body as unknown as Office.Body,
    sessionData,
    internetHeaders,
    notificationMessages: notificationsApi(state.notifications, () => backend.changed('notifications')) as unknown as Office.NotificationMessages,
    getAttachmentsAsync(a?: unknown, b?: unknown): void {
      const cb = callbackOf<Office.AttachmentDetailsCompose[]>(a, b);
      const value: Office.AttachmentDetailsCompose[] = state.attachments.map((x) => ({
        id: x.id,
        name: x.name,
        size: x.size,
        isInline: x.isInline,
        contentId: x.contentId,
        attachmentType: 'file' as unknown as Office.MailboxEnums.AttachmentType,
        isServiceAccessible: false,
      }));
      later(() => cb?.(succeeded(value)));
    },
    getAttachmentContentAsync(attachmentId: string, a?: unknown, b?: unknown): void {
      const cb = callbackOf<Office.AttachmentContent>(a, b);
      const found = state.attachments.find((x) => x.id === attachmentId);
      if (!found) return later(() => cb?.(failed('InvalidAttachmentId', 'The attachment ID was invalid.')));
      later(() => cb?.(succeeded({ content: found.base64, format: 'base64' as unknown as Office.MailboxEnums.AttachmentContentFormat })));
    },
    getComposeTypeAsync(a?: unknown, b?: unknown): void {
      const cb = callbackOf<{ composeType: string; coercionType: string }>(a, b);
      later(() => cb?.(succeeded({ composeType: state.composeType, coercionType: 'html' })));
    },
    getItemIdAsync(a?: unknown, b?: unknown): void {
      const cb = callbackOf<string>(a, b);
      // A new item has no id until it is saved (Office.MessageCompose.getItemIdAsync: ItemNotSaved).
      if (state.itemId === null) return later(() => cb?.(failed('ItemNotSaved', 'The id cannot be retrieved until the item is saved.', 9052)));
      const id = state.itemId;
      later(() => cb?.(succeeded(id)));
    },
    saveAsync(a?: unknown, b?: unknown): void {
      const cb = callbackOf<string>(a, b);
      backend.saveDraft().then(
        (id) => {
          state.itemId = id;
          cb?.(succeeded(id));
        },
        (e: unknown) => cb?.(failed('InternalServerError', `The draft could not be saved: ${e instanceof Error ? e.message : String(e)}`)),
      );
    },
  } satisfies Partial<Office.MessageCompose>;
  return Object.assign(item, {
    /** Workbench only (not Office.js): the form raises RecipientsChanged to the pane's handlers. */
    raiseRecipientsChanged(args: Office.RecipientsChangedEventArgs): void {
      for (const h of recipientHandlers) later(() => h(args));
    },
  });
}

export type WorkbenchComposeItem = ReturnType<typeof createComposeItem>;

/** What the simulated client runs a page as: the task pane, or the add-in's event / command runtime. */
export interface RuntimeHooks {
  /** Office.actions.associate (the runtime page binds its FunctionNames here). */
  associate(name: string, handler: (event: unknown) => unknown): void;
}

/** EWS responses over 5 MB fail in current clients (Office.Mailbox.makeEwsRequestAsync). */
const EWS_MAX_RESPONSE = 5 * 1024 * 1024;

/**
 * Office.context.mailbox.makeEwsRequestAsync against the workbench's EWS endpoint. Outlook adds its own
 * credentials (here the workbench token); the add-in sends only the SOAP envelope. A request that declares
 * an XML encoding is refused, as Microsoft documents for makeEwsRequestAsync ("If ... its XML request must
 * specify UTF-8 encoding, it must use Microsoft Graph or REST APIs").
 */
function makeEwsRequestAsync(data: unknown, callback: (r: Office.AsyncResult<string>) => void, userContext?: unknown): void {
  if (typeof data !== 'string') return later(() => callback(failed('InvalidParameter', 'The EWS request must be a string.')));
  if (/^\s*<\?xml[^>]*encoding\s*=\s*["']utf-8["']/i.test(data)) {
    return later(() => callback(failed('GenericResponseError', 'makeEwsRequestAsync does not accept a request that declares UTF-8 encoding; omit the XML declaration.')));
  }
  fetch('/ews/exchange.asmx', {
    method: 'POST',
    headers: { 'Content-Type': 'text/xml; charset=utf-8', Authorization: `Bearer ${WORKBENCH_TOKEN}` },
    body: data,
    credentials: 'same-origin',
    cache: 'no-store',
  }).then(
    async (res) => {
      const text = await res.text();
      if (text.length > EWS_MAX_RESPONSE) return callback(failed('GenericResponseError', 'The EWS response is larger than 5 MB.'));
      // EWS answers SOAP faults with HTTP 500; Outlook still hands the add-in the response XML for those.
      if (res.ok || (res.status === 500 && /<(\w+:)?Fault[\s>]/.test(text))) return callback(succeeded(text, userContext));
      callback(failed('GenericResponseError', `Exchange answered HTTP ${res.status}: ${text.slice(0, 200)}`, res.status));
    },
    (e: unknown) => callback(failed('NetworkError', `Exchange could not be reached: ${e instanceof Error ? e.message : String(e)}`)),
  );
}

/** The token the workbench's Exchange accepts (workbench/graph.ts WORKBENCH_ACCESS_TOKEN). */
export const WORKBENCH_TOKEN = 'workbench-token';

/**
 * The `Office` namespace object a page sees. `selectItem` swaps the mailbox's item and raises ItemChanged,
 * as Outlook does under a pinned task pane. With `runtime`, the page is the add-in's event and function
 * command runtime (commands.html): Office.actions.associate reports its handlers there.
 */
/**
 * The Mailbox requirement set each item member arrived in (Office.js reference, "[Api set: Mailbox 1.x]";
 * the ones Signet calls are src/outlook/requirements.ts MAILBOX_API). A simulated client below that set
 * does not have the member at all — `typeof item.x === 'undefined'`, as in a real older Outlook — so the
 * fake Office refuses exactly what `isSetSupported` says is missing.
 */
const ITEM_MEMBERS: Readonly<Record<string, string>> = {
  getAttachmentContentAsync: MAILBOX_API.attachmentContent,
  getAttachmentsAsync: MAILBOX_API.composeAttachments,
  internetHeaders: MAILBOX_API.internetHeaders,
  getItemIdAsync: MAILBOX_API.itemId,
  getComposeTypeAsync: MAILBOX_API.composeType,
  sessionData: MAILBOX_API.sessionData,
  getAsFileAsync: MAILBOX_API.getAsFile,
  closeAsync: MAILBOX_API.closeAsync,
  getInitializationContextAsync: '1.8',
};
/** Compose-only: item.from and item.addHandlerAsync arrived in 1.7 (read mode's from is 1.0). */
const COMPOSE_MEMBERS: Readonly<Record<string, string>> = { from: MAILBOX_API.composeFrom, addHandlerAsync: MAILBOX_API.recipientsChanged };

/** The item as a client of `backend.mailboxVersion` exposes it (see ITEM_MEMBERS). */
export function gateItem<T extends object>(item: T, backend: Pick<WorkbenchBackend, 'mailboxVersion' | 'addFileAttachmentHangs'>): T {
  const compose = 'saveAsync' in item;
  const missing = (name: string | symbol): boolean => {
    if (typeof name !== 'string') return false;
    const since = ITEM_MEMBERS[name] ?? (compose ? COMPOSE_MEMBERS[name] : undefined);
    return since !== undefined && compareVersions(backend.mailboxVersion, since) < 0;
  };
  // addFileAttachmentAsync (Mailbox 1.1): Signet never calls it (it sends its own MIME); where the client
  // never calls back on S/MIME compose (office-js #3363) the simulation does the same.
  const addFileAttachmentAsync = (_uri: string, _name: string, a?: unknown, b?: unknown): void => {
    if (backend.addFileAttachmentHangs) return;
    const cb = callbackOf<string>(a, b);
    later(() => cb?.(failed('OperationNotSupported', 'The workbench does not fetch attachments by URL.')));
  };
  return new Proxy(item, {
    get(target, name, receiver) {
      if (missing(name)) return undefined;
      if (compose && name === 'addFileAttachmentAsync') return addFileAttachmentAsync;
      return Reflect.get(target, name, receiver) as unknown;
    },
    has(target, name) {
      if (missing(name)) return false;
      return Reflect.has(target, name);
    },
  });
}

export function createOffice(backend: WorkbenchBackend, runtime?: RuntimeHooks) {
  const handlers = new Set<(args: unknown) => void>();
  const exchangeUrl = backend.exchange === 'online' ? 'https://outlook.office365.com' : `${location.origin}`;
  let currentItem: WorkbenchItem | WorkbenchComposeItem | null = null;
  const mailbox = {
    // Whatever the host puts here is seen through the profile's requirement sets (gateItem).
    get item(): WorkbenchItem | WorkbenchComposeItem | null {
      return currentItem;
    },
    set item(value: WorkbenchItem | WorkbenchComposeItem | null) {
      currentItem = value === null ? null : gateItem(value, backend);
    },
    userProfile: { displayName: backend.owner.name, emailAddress: backend.owner.email, timeZone: 'UTC', accountType: 'enterprise' } as unknown as Office.UserProfile,
    diagnostics: { hostName: 'OutlookWebApp', hostVersion: 'Signet workbench', OWAView: 'ThreeColumns' } as unknown as Office.Diagnostics,
    // Where EWS and REST live: Exchange Online's front door, or this workbench for Exchange on-premises.
    ewsUrl: backend.exchange === 'online' ? `${exchangeUrl}/EWS/Exchange.asmx` : `${exchangeUrl}/ews/exchange.asmx`,
    restUrl: backend.exchange === 'online' ? `${exchangeUrl}/api` : `${exchangeUrl}/api`,
    makeEwsRequestAsync,
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
  } satisfies Partial<Omit<Office.Mailbox, 'item'>> & { item: WorkbenchItem | WorkbenchComposeItem | null };

  const light: Office.OfficeTheme = { bodyBackgroundColor: '#ffffff', bodyForegroundColor: '#242424', controlBackgroundColor: '#ffffff', controlForegroundColor: '#242424', isDarkTheme: false, themeId: 'Colorful' as unknown as Office.ThemeId };
  const dark: Office.OfficeTheme = { bodyBackgroundColor: '#1f1f1f', bodyForegroundColor: '#ffffff', controlBackgroundColor: '#292929', controlForegroundColor: '#ffffff', isDarkTheme: true, themeId: 'Black' as unknown as Office.ThemeId };
  const requirements = {
    // Mailbox up to the simulated client's version; NestedAppAuth 1.1 where the client has it (profiles.ts).
    // MSAL's nested app authentication itself needs the real Outlook host: in the workbench the pane gets
    // the simulated Graph's token by injection (host-hooks.ts), and only in profiles with NAA.
    isSetSupported: (name: string, minVersion?: string | number): boolean =>
      (name.toLowerCase() === 'mailbox' && compareVersions(backend.mailboxVersion, String(minVersion ?? '1.1')) >= 0) ||
      (name === 'NestedAppAuth' && backend.nestedAppAuth && compareVersions('1.1', String(minVersion ?? '1.1')) >= 0),
  } satisfies Office.RequirementSetSupport;
  const context = {
    mailbox,
    requirements,
    officeTheme: backend.darkTheme ? dark : light,
    displayLanguage: 'en-US',
    contentLanguage: 'en-US',
    platform: 'OfficeOnline' as unknown as Office.PlatformType,
    diagnostics: { host: 'Outlook', platform: 'OfficeOnline', version: 'workbench' } as unknown as Office.ContextInformation,
  } satisfies Partial<Omit<Office.Context, 'mailbox'>> & { mailbox: typeof mailbox };
  const info = { host: 'Outlook' as unknown as Office.HostType, platform: 'OfficeOnline' as unknown as Office.PlatformType };
  const actions = {
    associate(name: string, handler: (event: unknown) => unknown): void {
      if (runtime === undefined) throw new Error(`Office.actions.associate("${name}") is only available in the add-in's runtime page, not in a task pane.`);
      runtime.associate(name, handler);
    },
  } satisfies Pick<typeof Office.actions, 'associate'>;
  const office = {
    context,
    actions,
    onReady(callback?: (i: typeof info) => void): Promise<typeof info> {
      callback?.(info);
      return Promise.resolve(info);
    },
    AsyncResultStatus: { Succeeded: 'succeeded', Failed: 'failed' } satisfies Record<keyof typeof Office.AsyncResultStatus, string>,
    CoercionType: { Html: 'html', Text: 'text' } satisfies Partial<Record<keyof typeof Office.CoercionType, string>>,
    EventType: { ItemChanged: 'olkItemSelectedChanged', RecipientsChanged: 'olkRecipientsChanged' } satisfies Partial<Record<keyof typeof Office.EventType, string>>,
    HostType: { Outlook: 'Outlook' } satisfies Partial<Record<keyof typeof Office.HostType, string>>,
    PlatformType: { PC: 'PC', OfficeOnline: 'OfficeOnline', Mac: 'Mac', iOS: 'iOS', Android: 'Android', Universal: 'Universal' } satisfies Partial<Record<keyof typeof Office.PlatformType, string>>,
    MailboxEnums: {
      ItemNotificationMessageType: { InformationalMessage: 'informationalMessage', ErrorMessage: 'errorMessage', ProgressIndicator: 'progressIndicator', InsightMessage: 'insightMessage' } satisfies Record<
        keyof typeof Office.MailboxEnums.ItemNotificationMessageType,
        string
      >,
      AttachmentType: { File: 'file', Item: 'item', Cloud: 'cloud', Base64: 'base64' } satisfies Record<keyof typeof Office.MailboxEnums.AttachmentType, string>,
      AttachmentContentFormat: { Base64: 'base64', Url: 'url', Eml: 'eml', ICalendar: 'iCalendar' } satisfies Record<keyof typeof Office.MailboxEnums.AttachmentContentFormat, string>,
      ItemType: { Message: 'message', Appointment: 'appointment' } satisfies Record<keyof typeof Office.MailboxEnums.ItemType, string>,
      ComposeType: { Reply: 'reply', NewMail: 'newMail', Forward: 'forward' } satisfies Record<keyof typeof Office.MailboxEnums.ComposeType, string>,
      RecipientType: { DistributionList: 'distributionList', User: 'user', ExternalUser: 'externalUser', Other: 'other' } satisfies Record<keyof typeof Office.MailboxEnums.RecipientType, string>,
      SendModeOverride: { PromptUser: 'promptUser' } satisfies Record<keyof typeof Office.MailboxEnums.SendModeOverride, string>,
    },
  };
  // Office.context.mailbox.addHandlerAsync (ItemChanged) arrived in Mailbox 1.5.
  if (compareVersions(backend.mailboxVersion, MAILBOX_API.itemChanged) < 0) {
    delete (mailbox as Partial<typeof mailbox>).addHandlerAsync;
    delete (mailbox as Partial<typeof mailbox>).removeHandlerAsync;
  }
  return {
    office,
    selectItem(item: WorkbenchItem | WorkbenchComposeItem | null): void {
      mailbox.item = item;
      for (const h of handlers) later(() => h({ type: 'olkItemSelectedChanged' }));
    },
  };
}
