// A compose-mode Outlook item on office-addin-mock's Office object, for the compose, transport and event
// tests: every Office.js call Signet makes in compose mode (the contract in the issue 6 brief), with values
// and failures set per test, each call logged. Enum values are the strings real office.js uses.
import officeAddinMock from 'office-addin-mock';

const { OfficeMockObject } = officeAddinMock;

type Callback = (r: { status: string; value?: unknown; error?: { name: string; code: number; message: string } }) => void;

export interface Person {
  displayName: string;
  emailAddress: string;
}

export interface MockAttachment {
  id: string;
  name: string;
  attachmentType?: 'file' | 'item' | 'cloud';
  isInline?: boolean;
  size?: number;
  contentId?: string;
  /** What getAttachmentContentAsync returns. */
  format: 'base64' | 'eml' | 'iCalendar' | 'url';
  content: string;
}

/** Names of item calls that can be made to fail with `failures`. */
export type Failing =
  | 'from'
  | 'to'
  | 'subject'
  | 'body'
  | 'attachments'
  | 'attachmentContent'
  | 'sessionGet'
  | 'sessionSet'
  | 'internetHeaders'
  | 'itemId'
  | 'notification'
  | 'ews';

export interface ComposeSetup {
  mailbox?: string;
  naa?: boolean;
  from?: Person;
  user?: Person;
  to?: Person[];
  cc?: Person[];
  bcc?: Person[];
  subject?: string;
  bodyType?: 'html' | 'text';
  html?: string;
  text?: string;
  attachments?: MockAttachment[];
  composeType?: 'newMail' | 'reply' | 'forward';
  headers?: Record<string, string>;
  session?: Record<string, string>;
  itemId?: string;
  ewsUrl?: string;
  restUrl?: string;
  hostName?: string;
  failures?: Failing[];
  /** Answers makeEwsRequestAsync. */
  ews?: (soap: string) => Promise<string>;
  /** Delays every item call by this many ms (timeouts). */
  delayMs?: number;
}

export interface ComposeMock {
  calls: string[];
  session: Map<string, string>;
  notifications: Map<string, { type: string; message: string }>;
}

const ok = (value: unknown) => ({ status: 'succeeded', value });
const fail = (name: string, message = 'simulated failure') => ({ status: 'failed', error: { name, code: 9999, message } });

function compareVersions(a: string, b: string): number {
  const [a1 = 0, a2 = 0] = a.split('.').map(Number);
  const [b1 = 0, b2 = 0] = b.split('.').map(Number);
  return a1 - b1 || a2 - b2;
}

/** Installs `globalThis.Office` with a compose item; returns the call log and the mutable state. */
export function installCompose(s: ComposeSetup = {}): ComposeMock {
  const calls: string[] = [];
  const session = new Map(Object.entries(s.session ?? {}));
  const notifications = new Map<string, { type: string; message: string }>();
  const failing = new Set(s.failures ?? []);
  const version = s.mailbox ?? '1.16';
  const answer = (name: string, failKey: Failing | null, value: () => unknown, cb: Callback): void => {
    calls.push(name);
    const run = () => cb(failKey !== null && failing.has(failKey) ? fail('InternalServerError') : ok(value()));
    if (s.delayMs) setTimeout(run, s.delayMs);
    else queueMicrotask(run);
  };
  const recipients = (field: 'to' | 'cc' | 'bcc', list: Person[] | undefined) => ({
    getAsync: (cb: Callback) => answer(`${field}.getAsync`, 'to', () => (list ?? []).map((p) => ({ ...p, recipientType: 'externalUser' })), cb),
    setAsync: (_v: unknown, cb?: Callback) => answer(`${field}.setAsync`, null, () => undefined, cb ?? (() => undefined)),
  });
  const item = {
    itemType: 'message',
    conversationId: 'AAQkconv',
    from: { getAsync: (cb: Callback) => answer('from.getAsync', 'from', () => s.from ?? s.user ?? { displayName: 'Alice Example', emailAddress: 'alice@example.org' }, cb) },
    to: recipients('to', s.to),
    cc: recipients('cc', s.cc),
    bcc: recipients('bcc', s.bcc),
    subject: { getAsync: (cb: Callback) => answer('subject.getAsync', 'subject', () => s.subject ?? 'Quarterly numbers', cb) },
    body: {
      getAsync: (coercion: string, cb: Callback) =>
        answer(`body.getAsync(${coercion})`, 'body', () => (coercion === 'html' ? s.html ?? '<p>Hello</p>' : s.text ?? 'Hello'), cb),
      getTypeAsync: (cb: Callback) => answer('body.getTypeAsync', 'body', () => s.bodyType ?? 'html', cb),
    },
    getAttachmentsAsync: (cb: Callback) =>
      answer(
        'getAttachmentsAsync',
        'attachments',
        () =>
          (s.attachments ?? []).map((a) => ({
            id: a.id,
            name: a.name,
            attachmentType: a.attachmentType ?? 'file',
            isInline: a.isInline ?? false,
            size: a.size ?? a.content.length,
            contentId: a.contentId ?? '',
            isServiceAccessible: true,
          })),
        cb,
      ),
    getAttachmentContentAsync: (id: string, cb: Callback) =>
      answer(`getAttachmentContentAsync(${id})`, 'attachmentContent', () => {
        const a = (s.attachments ?? []).find((x) => x.id === id);
        return { format: a?.format ?? 'base64', content: a?.content ?? '' };
      }, cb),
    getComposeTypeAsync: (cb: Callback) => answer('getComposeTypeAsync', null, () => ({ composeType: s.composeType ?? 'newMail', coercionType: 'html' }), cb),
    internetHeaders: {
      getAsync: (names: string[], cb: Callback) =>
        answer(`internetHeaders.getAsync(${names.join(',')})`, 'internetHeaders', () => {
          const out: Record<string, string> = {};
          for (const n of names) {
            const hit = Object.entries(s.headers ?? {}).find(([k]) => k.toLowerCase() === n.toLowerCase());
            if (hit) out[n] = hit[1];
          }
          return out;
        }, cb),
    },
    getItemIdAsync: (cb: Callback) => {
      calls.push('getItemIdAsync');
      queueMicrotask(() => {
        if (failing.has('itemId')) cb(fail('InternalServerError'));
        else if (s.itemId === undefined) cb(fail('ItemNotSaved', 'The item has not been saved.'));
        else cb(ok(s.itemId));
      });
    },
    saveAsync: (cb: Callback) => answer('saveAsync', null, () => s.itemId ?? 'AAMkdraft', cb),
    sessionData: {
      getAsync: (key: string, cb: Callback) => answer(`sessionData.getAsync(${key})`, 'sessionGet', () => session.get(key) ?? '', cb),
      setAsync: (key: string, value: string, cb?: Callback) =>
        answer(`sessionData.setAsync(${key})`, 'sessionSet', () => {
          if (!failing.has('sessionSet')) session.set(key, value);
          return undefined;
        }, cb ?? (() => undefined)),
    },
    notificationMessages: {
      replaceAsync: (key: string, details: { type: string; message: string }, cb?: Callback) =>
        answer(`notificationMessages.replaceAsync(${key})`, 'notification', () => {
          notifications.set(key, { type: details.type, message: details.message });
          return undefined;
        }, cb ?? (() => undefined)),
      removeAsync: (key: string, cb?: Callback) =>
        answer(`notificationMessages.removeAsync(${key})`, 'notification', () => {
          notifications.delete(key);
          return undefined;
        }, cb ?? (() => undefined)),
    },
  };
  const user = s.user ?? { displayName: 'Alice Example', emailAddress: 'alice@example.org' };
  const mailbox: Record<string, unknown> = {
    item,
    userProfile: { displayName: user.displayName, emailAddress: user.emailAddress },
    diagnostics: { hostName: s.hostName ?? 'OutlookWebApp', hostVersion: '15.20' },
    makeEwsRequestAsync: (soap: string, cb: Callback) => {
      calls.push('makeEwsRequestAsync');
      if (failing.has('ews') || !s.ews) return queueMicrotask(() => cb(fail('GenericResponseError', 'The EWS request failed.')));
      s.ews(soap).then((xml) => cb(ok(xml)), (e: unknown) => cb(fail('GenericResponseError', String(e))));
    },
  };
  if (s.ewsUrl !== undefined) mailbox['ewsUrl'] = s.ewsUrl;
  if (s.restUrl !== undefined) mailbox['restUrl'] = s.restUrl;
  const mock = new OfficeMockObject(
    {
      context: {
        mailbox,
        requirements: {
          isSetSupported: (name: string, v: string) =>
            (name.toLowerCase() === 'mailbox' && compareVersions(version, v) >= 0) || (name === 'NestedAppAuth' && s.naa === true),
        },
        platform: 'OfficeOnline',
      },
      AsyncResultStatus: { Succeeded: 'succeeded', Failed: 'failed' },
      CoercionType: { Html: 'html', Text: 'text' },
      MailboxEnums: {
        ItemNotificationMessageType: { InformationalMessage: 'informationalMessage', ErrorMessage: 'errorMessage' },
        ItemType: { Message: 'message' },
      },
      actions: { associate: (name: string) => calls.push(`associate(${name})`) },
    },
    'outlook' as ConstructorParameters<typeof OfficeMockObject>[1],
  );
  (globalThis as { Office?: unknown }).Office = mock;
  return { calls, session, notifications };
}

export function uninstallOffice(): void {
  delete (globalThis as { Office?: unknown }).Office;
}

/** A launch event whose completed() options are recorded. */
export function mailboxEvent(): { event: Office.MailboxEvent; completions: (Office.SmartAlertsEventCompletedOptions | undefined)[]; done: Promise<Office.SmartAlertsEventCompletedOptions | undefined> } {
  const completions: (Office.SmartAlertsEventCompletedOptions | undefined)[] = [];
  let resolve!: (v: Office.SmartAlertsEventCompletedOptions | undefined) => void;
  const done = new Promise<Office.SmartAlertsEventCompletedOptions | undefined>((r) => (resolve = r));
  const event = {
    completed(options?: Office.SmartAlertsEventCompletedOptions) {
      completions.push(options);
      resolve(options);
    },
  } as unknown as Office.MailboxEvent;
  return { event, completions, done };
}
