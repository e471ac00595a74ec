// The launch-event handlers for classic Outlook on Windows, which runs them in a JavaScript-only runtime
// (launchevent.js, manifest <Override type="javascript">): ECMAScript 2016, no DOM, no localStorage, no
// WebCrypto — so nothing can be signed or encrypted here. The send handler only guards, exactly as the
// browser runtime's does (guard.ts): a message that must be protected is blocked with a clear message and
// the compose pane's commandId (Mailbox 1.14; plain words below it), where "Sign & Send" finishes it;
// anything uncertain (no policy, unreadable settings) blocks as well.
//
// Written in the ES2016 subset Microsoft documents for this runtime (no async/await, no conditional
// operator, no `?.`/`??`, no object spread; https://learn.microsoft.com/office/dev/add-ins/outlook/troubleshoot-event-based-and-spam-reporting-add-ins),
// checked by test/unit/events/es2016.test.ts on the compiled file. It imports nothing at run time except
// the pure guard (guard.ts, same subset), and talks to Office.js with callbacks directly: office.ts, the
// promisified adapter everything else uses, is ES2017+ and cannot load here.
//
// The policy: the build writes the organisation policy it was given (`--env policy=FILE`, checked by the
// build) into this file as SIGNET_POLICY_DOCUMENT. Nothing is fetched at send time: fetches from this
// runtime fail intermittently (office-js issue tracker), and a failed fetch would block every send from
// Outlook's Send button. A policy change therefore takes effect when the admin rebuilds and redeploys
// (docs/ADMIN.md, section 3). A file built without a policy ("unavailable") blocks any send.

import {
  PROTECTION_KEY,
  SENT_KEY,
  decideSend,
  describeProtection,
  parseProtection,
  policyRequirement,
  serializeProtection,
  type Block,
  type GuardPolicy,
  type PolicyView,
  type RecipientsView,
  type StoredProtection,
} from './guard.js';

declare const SIGNET_POLICY_DOCUMENT: string | undefined;

/** Nothing here waits on the network; Outlook's own limit is about 5 minutes. */
const SEND_TIMEOUT_MS = 60000;
const STATE_BAR = 'signet-protection';
const READINESS_BAR = 'signet-readiness';

type Completion = Office.SmartAlertsEventCompletedOptions;

function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

/** One Office.js callback call as a Promise (ES2015 Promise, no async functions). */
function call<T>(start: (callback: (result: Office.AsyncResult<T>) => void) => void): Promise<T> {
  return new Promise<T>(function (resolve, reject) {
    try {
      start(function (result) {
        if (result && result.status === Office.AsyncResultStatus.Succeeded) resolve(result.value);
        else if (result && result.error) reject(new Error(result.error.name + ': ' + result.error.message));
        else reject(new Error('Outlook call failed.'));
      });
    } catch (e) {
      reject(e);
    }
  });
}

function item(): Office.MessageCompose {
  return Office.context.mailbox.item as Office.MessageCompose;
}

/**
 * The guard's part of a policy document. Stricter than src/policy's validator on purpose: a document
 * this runtime cannot fully understand (another policyVersion, not an object) is "unavailable", not
 * "defaults" — here that blocks rather than risking a plain send the organisation forbade.
 */
export function guardPolicyOf(doc: unknown): GuardPolicy | null {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const d = doc as any;
  if (d === null || typeof d !== 'object' || d.policyVersion !== 1) return null;
  const out: GuardPolicy = { signing: { alwaysSign: false }, encryption: { required: 'never', domains: [] } };
  if (d.signing && d.signing.alwaysSign === true) out.signing.alwaysSign = true;
  if (d.encryption && typeof d.encryption === 'object') {
    const r = d.encryption.required;
    if (r === 'always' || r === 'domains') out.encryption.required = r;
    if (Array.isArray(d.encryption.domains)) {
      for (const x of d.encryption.domains) {
        if (typeof x === 'string' && x.trim() !== '') out.encryption.domains.push(x.trim().toLowerCase());
      }
    }
  }
  return out;
}

/** The policy this file was built with (SIGNET_POLICY_DOCUMENT), read without any network access. */
export function readPolicy(): Promise<PolicyView> {
  // webpack's DefinePlugin replaces the name with the document; in Node tests a global of that name does.
  if (typeof SIGNET_POLICY_DOCUMENT !== 'string') return Promise.resolve<PolicyView>({ status: 'unavailable', reason: 'this launchevent.js was built without a policy' });
  let policy: GuardPolicy | null = null;
  try {
    policy = guardPolicyOf(JSON.parse(SIGNET_POLICY_DOCUMENT));
  } catch (e) {
    return Promise.resolve<PolicyView>({ status: 'unavailable', reason: errorText(e) });
  }
  if (policy === null) return Promise.resolve<PolicyView>({ status: 'unavailable', reason: 'unsupported policy document' });
  return Promise.resolve<PolicyView>({ status: 'loaded', policy: policy });
}

/**
 * src/outlook/requirements.ts MAILBOX_API.smartAlertsTakeAction / smartAlertsContextData, repeated here
 * because that module is not ES2016; test/unit/events/launchevent.test.ts holds them equal.
 */
export const TAKE_ACTION_SET = '1.14';
export const CONTEXT_DATA_SET = '1.15';

/** Office.context.requirements.isSetSupported('Mailbox', version), false when it cannot be asked. */
function mailboxSupports(version: string): boolean {
  try {
    return Office.context.requirements.isSetSupported('Mailbox', version) === true;
  } catch (e) {
    void e;
    return false;
  }
}

/** When Signet's pane already sent this item protected (sessionData SENT_KEY), else null. */
function readSent(): Promise<string | null> {
  const sessionData = (item() as { sessionData?: Office.SessionData }).sessionData;
  if (!sessionData || typeof sessionData.getAsync !== 'function') return Promise.resolve<string | null>(null);
  return call<string>(function (cb) {
    sessionData.getAsync(SENT_KEY, cb);
  })
    .then(function (value): string | null {
      if (typeof value === 'string' && value !== '') return value;
      return null;
    })
    .catch(function (): string | null {
      return null;
    });
}

function readStored(): Promise<StoredProtection> {
  const it = item();
  const sessionData = (it as { sessionData?: Office.SessionData }).sessionData;
  if (!sessionData || typeof sessionData.getAsync !== 'function') return Promise.resolve<StoredProtection>({ status: 'absent' });
  return call<string>(function (cb) {
    sessionData.getAsync(PROTECTION_KEY, cb);
  })
    .then(function (value) {
      if (typeof value !== 'string') return parseProtection(null);
      return parseProtection(value);
    })
    .catch(function (e): StoredProtection {
      return { status: 'unreadable', reason: errorText(e) };
    });
}

function readRecipients(): Promise<RecipientsView> {
  const it = item();
  const fields = [it.to, it.cc, it.bcc];
  return Promise.all(
    fields.map(function (field) {
      if (!field) return Promise.resolve<Office.EmailAddressDetails[]>([]);
      return call<Office.EmailAddressDetails[]>(function (cb) {
        field.getAsync(cb);
      });
    })
  )
    .then(function (lists): RecipientsView {
      const addresses: string[] = [];
      for (const list of lists) {
        for (const r of list) {
          if (r && typeof r.emailAddress === 'string' && r.emailAddress.trim() !== '') addresses.push(r.emailAddress.trim());
        }
      }
      return { status: 'read', addresses: addresses };
    })
    .catch(function (e): RecipientsView {
      return { status: 'unreadable', reason: errorText(e) };
    });
}

function showBar(key: string, message: string): Promise<void> {
  let text = message;
  if (text.length > 150) text = text.slice(0, 149) + '…';
  const details: Office.NotificationMessageDetails = {
    type: Office.MailboxEnums.ItemNotificationMessageType.InformationalMessage,
    message: text,
    icon: 'Icon.16x16',
    persistent: false,
  };
  return call<void>(function (cb) {
    item().notificationMessages.replaceAsync(key, details, cb);
  });
}

function removeBar(key: string): Promise<void> {
  return call<void>(function (cb) {
    item().notificationMessages.removeAsync(key, cb);
  }).catch(function () {
    return undefined;
  });
}

function blockCompletion(d: Block): Completion {
  const out: Completion = { allowEvent: false, errorMessage: d.message };
  if (d.commandId !== null) {
    out.commandId = d.commandId;
    // contextData (Mailbox 1.15): why the pane was opened, as src/events/handlers.ts GuardContext.
    if (mailboxSupports(CONTEXT_DATA_SET)) out.contextData = JSON.stringify({ signet: 'send-guard', reason: d.reason, protection: d.protection });
  }
  if (d.cancelLabel !== null) out.cancelLabel = d.cancelLabel;
  return out;
}

function failure(message: string): Completion {
  if (!mailboxSupports(TAKE_ACTION_SET)) return { allowEvent: false, errorMessage: message };
  return { allowEvent: false, errorMessage: message, commandId: 'signetComposePaneButton', cancelLabel: 'Open Signet' };
}

/** OnMessageSend in classic Outlook: allow only what needs no protection; block everything else. */
export function onMessageSendHandler(event: Office.MailboxEvent): void {
  let done = false;
  function complete(options: Completion): void {
    if (done) return;
    done = true;
    event.completed(options);
  }
  const timer = setTimeout(function () {
    complete(failure('Signet did not finish checking this message in time, so Outlook did not send it. Try again, or open Signet to send it.'));
  }, SEND_TIMEOUT_MS);
  try {
    Promise.all([readStored(), readPolicy(), readRecipients(), readSent()])
      .then(function (r) {
        const decision = decideSend({ stored: r[0], policy: r[1], recipients: r[2], runtime: 'javascript-only', takeAction: mailboxSupports(TAKE_ACTION_SET), alreadySent: r[3] });
        if (decision.action === 'allow') complete({ allowEvent: true });
        else complete(blockCompletion(decision));
      })
      .catch(function (e) {
        complete(failure('Signet hit a problem (' + errorText(e).slice(0, 200) + ') and stopped Outlook from sending this message unprotected. Open Signet to send it.'));
      })
      .then(function () {
        clearTimeout(timer);
      });
  } catch (e) {
    clearTimeout(timer);
    complete(failure('Signet hit a problem (' + errorText(e).slice(0, 200) + ') and stopped Outlook from sending this message unprotected. Open Signet to send it.'));
  }
}

/** OnNewMessageCompose: the policy's defaults become the item's protection state, and the info bar says so. */
export function onNewMessageComposeHandler(event: Office.MailboxEvent): void {
  completeAfter(event, function () {
    return Promise.all([readPolicy(), readStored()]).then(function (r) {
      const policy = r[0];
      if (policy.status !== 'loaded' || r[1].status !== 'absent') return undefined;
      const defaults = { sign: policy.policy.signing.alwaysSign, encrypt: policy.policy.encryption.required === 'always' };
      const it = item();
      const sessionData = (it as { sessionData?: Office.SessionData }).sessionData;
      let saved: Promise<void> = Promise.resolve();
      if (sessionData && typeof sessionData.setAsync === 'function') {
        saved = call<void>(function (cb) {
          sessionData.setAsync(PROTECTION_KEY, serializeProtection(defaults), cb);
        });
      }
      return saved.then(function () {
        if (defaults.sign || defaults.encrypt) return showBar(STATE_BAR, 'Signet: this message must be ' + describeProtection(defaults) + ' (organisation policy). Send it from the Signet pane.');
        return undefined;
      });
    });
  });
}

/** OnMessageRecipientsChanged: says when the recipients make encryption required (no key store here). */
export function onMessageRecipientsChangedHandler(event: Office.MailboxEvent): void {
  completeAfter(event, function () {
    return Promise.all([readPolicy(), readStored(), readRecipients()]).then(function (r) {
      const required = policyRequirement(r[0], r[2]);
      let requested = false;
      if (r[1].status === 'set') requested = r[1].value.encrypt;
      if (required !== null && required.encrypt && !requested && required.encryptDomains.length > 0) {
        return showBar(READINESS_BAR, 'Signet: mail to ' + required.encryptDomains[0] + ' must be encrypted. Send it with "Encrypt & Send" in the Signet pane.');
      }
      return removeBar(READINESS_BAR);
    });
  });
}

/**
 * For the informational handlers (nothing is sent or blocked): runs `work` and completes the event
 * whatever happens, since an event left open holds the compose form until Outlook's time-out.
 */
function completeAfter(event: Office.MailboxEvent, work: () => Promise<unknown>): void {
  try {
    work()
      .catch(function () {
        return undefined;
      })
      .then(function () {
        event.completed();
      });
  } catch (e) {
    void e; // ES2016 has no optional catch binding; the event must complete whatever went wrong.
    event.completed();
  }
}

if (typeof Office !== 'undefined' && Office.actions) {
  Office.actions.associate('onNewMessageComposeHandler', onNewMessageComposeHandler);
  Office.actions.associate('onMessageRecipientsChangedHandler', onMessageRecipientsChangedHandler);
  Office.actions.associate('onMessageSendHandler', onMessageSendHandler);
}
