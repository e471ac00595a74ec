// The workbench's compose form: an Outlook-on-the-web-like message being written (From, To/Cc/Bcc, Subject,
// an HTML body with inline pictures, attachments, Importance) with the ribbon's add-in commands, the
// Signet compose pane, and Outlook's send pipeline. Send raises OnMessageSend in the add-in's runtime
// (event-runtime.ts) and honours event.completed() as Smart Alerts does (smart-alerts.ts): allowed → a
// plain send of the form's MIME (plain-message.ts) through Outlook's own transport; stopped → the Smart
// Alerts dialog. Opening the form raises OnNewMessageCompose, editing the recipients
// OnMessageRecipientsChanged. The Office.js item the add-in sees is fake-office.ts's compose item.

import DOMPurify from 'dompurify';
import { toBase64 } from '../src/core/bytes.js';
import { parseAddressList } from '../src/core/mime/address.js';
import { EventRuntime } from './event-runtime.js';
import { createComposeItem, createOffice, type ComposeBackend, type ComposeState, type ComposeType, type RecipientField, type WorkbenchBackend, type WorkbenchComposeItem } from './fake-office.js';
import type { MailboxPerson } from './mailbox.js';
import { buildPlainMessage } from './plain-message.js';
import { decideSend, longRunningAlert, type AddinFacts, type AlertButtonId, type SendDecision, type SendMode, type SmartAlert } from './smart-alerts.js';
import { profileById, type ClientProfile } from './profiles.js';
import { compareVersions } from '../src/outlook/requirements.js';

/** The add-in as the manifest describes it (DisplayName; task pane controls a Smart Alerts commandId may name). */
export const ADDIN: AddinFacts = { name: 'Signet', taskPaneIds: new Set(['signetComposePaneButton']) };

/** The compose pane and the runtime pages, as the workbench hosts them (office.js swapped, see server.ts). */
const PANE_URL = 'workbench-taskpane.html?workbench=1&_host_Info=Outlook$Web$16.01$en-US$$$$0';
const RUNTIME_URL = 'workbench-commands.html?workbench=1&_host_Info=Outlook$Web$16.01$en-US$$$$0';

export interface ComposeSettings {
  sendMode: SendMode;
  /** Smart Alerts' timeout (5 minutes in Outlook) and long-running notice (5 seconds). */
  sendTimeoutMs: number;
  longRunningMs: number;
  /** Timeout of the other events and of function commands. */
  eventTimeoutMs: number;
  runtimeLoadTimeoutMs: number;
}

export interface ComposeInit {
  composeType: ComposeType;
  to?: MailboxPerson[];
  subject?: string;
  inReplyTo?: string | null;
  references?: string | null;
  conversationId?: string;
  /** HTML put below the cursor (a reply's quoted header). */
  quoteHtml?: string;
}

/** What the last Send did (for the end-to-end tests, through window.signetWorkbenchTest). */
export interface SendRecord {
  outcome: string;
  decision: SendDecision['action'];
  alert: SmartAlert | null;
  notes: string[];
  /** The button the user chose in the Smart Alerts dialog, if one was shown. */
  choice: AlertButtonId | null;
  plainSent: boolean;
  /** The user navigated away while the handler ran and chose "Save as Draft": handler ended, draft saved. */
  savedAsDraft: boolean;
}

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`index.html has no #${id}`);
  return el as T;
}

const person = (p: MailboxPerson): string => (p.name && p.name !== p.email ? `${p.name} <${p.email}>` : p.email);

/** Parses a To/Cc/Bcc field as Outlook accepts it: addresses separated by commas or semicolons. */
export function parseRecipients(text: string): MailboxPerson[] {
  const value = text.replace(/;/g, ',').trim();
  if (value === '') return [];
  return parseAddressList(value).map((a) => ({ name: a.name ?? a.address, email: a.address }));
}

function randomHex(bytes: number): string {
  return [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function fileToBase64(file: File): Promise<string> {
  return toBase64(new Uint8Array(await file.arrayBuffer()));
}

export class Composer {
  private readonly form = byId<HTMLFormElement>('compose');
  private readonly fromSelect = byId<HTMLSelectElement>('compose-from');
  private readonly fields: Record<RecipientField, HTMLInputElement> = {
    to: byId<HTMLInputElement>('compose-to'),
    cc: byId<HTMLInputElement>('compose-cc'),
    bcc: byId<HTMLInputElement>('compose-bcc'),
  };
  private readonly subject = byId<HTMLInputElement>('compose-subject');
  private readonly body = byId<HTMLDivElement>('compose-body');
  private readonly importance = byId<HTMLSelectElement>('compose-importance');
  private readonly attachmentList = byId<HTMLUListElement>('compose-attachments');
  private readonly infoBar = byId<HTMLDivElement>('compose-info-bar');
  private readonly error = byId<HTMLParagraphElement>('compose-error');
  private readonly status = byId<HTMLParagraphElement>('compose-status');
  private readonly inspector = byId<HTMLPreElement>('compose-session');
  private readonly paneFrame = byId<HTMLIFrameElement>('compose-taskpane');
  private readonly panePlaceholder = byId<HTMLParagraphElement>('compose-pane-placeholder');
  private readonly alertBox = byId<HTMLDivElement>('smart-alert');

  private state: ComposeState | null = null;
  private item: WorkbenchComposeItem | null = null;
  private runtime: EventRuntime | null = null;
  private paneOffice: ReturnType<typeof createOffice>['office'] | null = null;
  private runtimeOffice: ReturnType<typeof createOffice>['office'] | null = null;
  private sending = false;
  private sendAbort: AbortController | null = null;
  private navigateChoice: AlertButtonId | null = null;
  private autosaved = false;
  private alertChoice: ((id: AlertButtonId) => void) | null = null;
  lastSend: SendRecord | null = null;

  constructor(
    private readonly options: {
      owner: MailboxPerson;
      sendAs: readonly MailboxPerson[];
      office: WorkbenchBackend;
      settings: ComposeSettings;
      /** The simulated client (profiles.ts): which events it raises, whether Smart Alerts run. */
      profile?: ClientProfile;
      log(line: string): void;
      /** The form opened or closed (the host swaps the reading view and the read pane). */
      shown(open: boolean): void;
      /** Outlook's own send delivered a message (the host refreshes its folders). */
      delivered(): void;
      /** A sentence for the user after the form closed (e.g. "saved to Drafts, not sent"). */
      notice(text: string): void;
    },
  ) {
    for (const field of ['to', 'cc', 'bcc'] as const) this.fields[field].addEventListener('change', () => this.recipientsEdited(field));
    this.subject.addEventListener('input', () => {
      if (this.state) this.state.subject = this.subject.value;
      this.edited();
    });
    this.fromSelect.addEventListener('change', () => {
      const chosen = [this.options.owner, ...this.options.sendAs].find((p) => p.email === this.fromSelect.value);
      if (this.state && chosen) this.state.from = chosen;
    });
    this.importance.addEventListener('change', () => {
      if (this.state) this.state.importance = this.importance.value as ComposeState['importance'];
    });
    this.body.addEventListener('input', () => {
      this.dropUnreferencedImages();
      this.edited();
    });
    this.body.addEventListener('paste', (e) => this.paste(e));
    byId('compose-send').addEventListener('click', () => void this.send());
    byId('compose-discard').addEventListener('click', () => this.close('discarded'));
    byId('compose-attach').addEventListener('click', () => byId<HTMLInputElement>('compose-attach-input').click());
    byId<HTMLInputElement>('compose-attach-input').addEventListener('change', (e) => void this.attach((e.target as HTMLInputElement).files, false));
    byId('compose-picture').addEventListener('click', () => byId<HTMLInputElement>('compose-picture-input').click());
    byId<HTMLInputElement>('compose-picture-input').addEventListener('change', (e) => void this.attach((e.target as HTMLInputElement).files, true));
    for (const id of ['compose-sign', 'compose-encrypt']) {
      const button = byId<HTMLButtonElement>(id);
      button.addEventListener('click', () => void this.command(button.dataset['function']!, button.dataset['control']!));
    }
    byId('compose-pane-button').addEventListener('click', () => this.openPane());
    this.alertBox.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && this.alertChoice) {
        const cancel = [...this.alertBox.querySelectorAll<HTMLButtonElement>('button')].find((b) => b.dataset['button'] === 'dont-send' || b.dataset['button'] === 'ok' || b.dataset['button'] === 'try-later');
        cancel?.click();
      }
    });
  }

  get isOpen(): boolean {
    return this.state !== null;
  }

  /** The Office namespace for a frame of the compose form (the pane or the runtime), or null. */
  officeFor(frame: Element | null): ReturnType<typeof createOffice>['office'] | null {
    if (frame !== null && frame === this.paneFrame) return this.paneOffice;
    if (this.runtime?.isFrame(frame)) return this.runtimeOffice;
    return null;
  }

  /** Test hook: replaces the add-in's handler for an event or command (null restores it). */
  overrideHandler(name: string, handler: ((event: unknown) => unknown) | null): void {
    if (!this.runtime) throw new Error('No message is being composed.');
    this.runtime.override(name, handler);
  }

  snapshot(): Omit<ComposeState, 'sessionData' | 'internetHeaders' | 'notifications'> & { sessionData: Record<string, string>; notifications: string[] } {
    if (!this.state) throw new Error('No message is being composed.');
    const { sessionData, internetHeaders: _headers, notifications, ...rest } = this.state;
    return { ...rest, sessionData: Object.fromEntries(sessionData), notifications: [...notifications.values()].map((n) => n.message) };
  }

  /** Opens the form for a new message or a reply, and raises OnNewMessageCompose. */
  open(init: ComposeInit): void {
    if (this.state) this.close('replaced');
    const state: ComposeState = {
      from: this.options.owner,
      to: init.to ?? [],
      cc: [],
      bcc: [],
      subject: init.subject ?? '',
      attachments: [],
      importance: 'normal',
      composeType: init.composeType,
      inReplyTo: init.inReplyTo ?? null,
      references: init.references ?? null,
      conversationId: init.conversationId ?? `AAQk-workbench-${randomHex(12)}`,
      itemId: null,
      sessionData: new Map(),
      internetHeaders: new Map(),
      notifications: new Map(),
    };
    this.state = state;
    this.autosaved = false;
    this.lastSend = null;
    this.fromSelect.replaceChildren(
      ...[this.options.owner, ...this.options.sendAs].map((p) => {
        const o = document.createElement('option');
        o.value = p.email;
        o.textContent = person(p);
        return o;
      }),
    );
    this.fromSelect.value = state.from.email;
    for (const field of ['to', 'cc', 'bcc'] as const) this.fields[field].value = state[field].map(person).join(', ');
    this.subject.value = state.subject;
    this.importance.value = 'normal';
    this.body.replaceChildren();
    if (init.quoteHtml) {
      this.body.append(document.createElement('br'), document.createElement('br'));
      const quote = document.createElement('div');
      quote.innerHTML = DOMPurify.sanitize(init.quoteHtml);
      this.body.append(quote);
    }
    this.renderAttachments();
    this.error.hidden = true;
    this.status.textContent = '';
    this.infoBar.hidden = true;

    const backend: ComposeBackend = {
      state,
      owner: this.options.owner,
      bodyHtml: () => this.bodyHtml(),
      bodyText: () => this.bodyText(),
      changed: (field) => this.addinChanged(field),
      saveDraft: () => this.saveDraft(),
      discard: () => {
        // The pane sent the protected copy and discards the form (closeAsync, discardItem): the folders change.
        this.close('discarded by the add-in');
        this.options.delivered();
      },
    };
    this.item = createComposeItem(backend);
    const runtime = new EventRuntime({
      container: byId('event-runtime-host'),
      url: RUNTIME_URL,
      loadTimeoutMs: this.options.settings.runtimeLoadTimeoutMs,
      log: (line) => this.options.log(line),
    });
    this.runtime = runtime;
    const pane = createOffice(this.options.office);
    pane.office.context.mailbox.item = this.item;
    this.paneOffice = pane.office;
    const rt = createOffice(this.options.office, { associate: (name, handler) => runtime.associate(name, handler) });
    rt.office.context.mailbox.item = this.item;
    this.runtimeOffice = rt.office;
    this.paneFrame.hidden = true;
    this.paneFrame.removeAttribute('src');
    this.panePlaceholder.hidden = false;
    this.form.hidden = false;
    this.options.shown(true);
    this.updateInspector();
    (state.to.length > 0 ? this.body : this.fields.to).focus();
    this.options.log(`compose form opened (${init.composeType})`);
    // "On composing a new message (includes reply, reply all, and forward)": OnNewMessageCompose.
    void this.raise('onNewMessageComposeHandler', { type: 'olkNewMessageCompose' });
  }

  /** Closes the form (after a send, or Discard); Outlook ends the add-in's runtime with it. */
  close(why: string): void {
    if (!this.state) return;
    this.state = null;
    this.item = null;
    this.runtime?.stop();
    this.runtime = null;
    this.paneOffice = null;
    this.runtimeOffice = null;
    this.paneFrame.hidden = true;
    this.paneFrame.removeAttribute('src');
    this.panePlaceholder.hidden = true;
    this.form.hidden = true;
    this.hideAlert();
    this.options.shown(false);
    this.options.log(`compose form closed (${why})`);
  }

  /** The ribbon's pane button, and Smart Alerts' Take Action: opens the compose task pane. */
  openPane(): void {
    if (!this.state) return;
    this.panePlaceholder.hidden = true;
    this.paneFrame.hidden = false;
    if (!this.paneFrame.getAttribute('src')) this.paneFrame.src = PANE_URL;
    this.options.log('compose pane opened (signetComposePaneButton)');
  }

  private bodyHtml(): string {
    const clone = this.body.cloneNode(true) as HTMLElement;
    for (const img of clone.querySelectorAll<HTMLImageElement>('img[data-cid]')) {
      img.setAttribute('src', `cid:${img.dataset['cid']}`);
      img.removeAttribute('data-cid');
    }
    // What the user typed or pasted, made safe the way Outlook's editor keeps it: no script, no handlers.
    const clean = DOMPurify.sanitize(clone.innerHTML, { FORBID_TAGS: ['style', 'form', 'input', 'button', 'iframe', 'object', 'embed'] });
    return `<html><head><meta charset="utf-8"></head><body>${clean}</body></html>`;
  }

  private bodyText(): string {
    return (this.body.innerText ?? this.body.textContent ?? '').replace(/\u00a0/g, ' ').replace(/\n{3,}/g, '\n\n');
  }

  /** Pasted HTML is sanitised before it enters the editor; anything else goes in as text. */
  private paste(e: ClipboardEvent): void {
    const data = e.clipboardData;
    if (!data) return;
    e.preventDefault();
    const html = data.getData('text/html');
    if (html) {
      const clean = DOMPurify.sanitize(html, { FORBID_TAGS: ['style', 'form', 'input', 'button', 'iframe', 'object', 'embed', 'img'] });
      document.execCommand('insertHTML', false, clean);
    } else document.execCommand('insertText', false, data.getData('text/plain'));
  }

  private edited(): void {
    // Outlook on the web saves a draft soon after the first change; Signet removes that draft after a
    // protected send, so the workbench saves one too.
    if (this.autosaved || !this.state) return;
    this.autosaved = true;
    setTimeout(() => {
      if (this.state && this.state.itemId === null) {
        this.saveDraft().then(
          (id) => {
            if (this.state) this.state.itemId = id;
            this.updateInspector();
          },
          (e: unknown) => this.options.log(`draft not saved: ${e instanceof Error ? e.message : String(e)}`),
        );
      }
    }, 1500);
  }

  private async saveDraft(): Promise<string> {
    const r = await fetch('/workbench/api/drafts', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ subject: this.state?.subject ?? '' }) });
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    const { id } = (await r.json()) as { id: string };
    this.options.log(`draft saved (${id})`);
    return id;
  }

  private recipientsEdited(field: RecipientField): void {
    if (!this.state) return;
    const input = this.fields[field];
    let people: MailboxPerson[];
    try {
      people = parseRecipients(input.value);
    } catch (e) {
      input.setAttribute('aria-invalid', 'true');
      this.error.hidden = false;
      this.error.textContent = `${field.toUpperCase()}: ${e instanceof Error ? e.message : String(e)}`;
      return;
    }
    input.removeAttribute('aria-invalid');
    this.error.hidden = true;
    const before = this.state[field].map((p) => p.email.toLowerCase()).join(',');
    this.state[field] = people;
    input.value = people.map(person).join(', ');
    this.edited();
    this.updateInspector();
    if (people.map((p) => p.email.toLowerCase()).join(',') === before) return;
    // OnMessageRecipientsChanged with RecipientsChangedEventArgs (Mailbox 1.11), and the pane's RecipientsChanged handlers.
    const changedRecipientFields = { to: field === 'to', cc: field === 'cc', bcc: field === 'bcc', requiredAttendees: false, optionalAttendees: false, resources: false };
    this.item?.raiseRecipientsChanged({ type: 'olkRecipientsChanged', changedRecipientFields } as unknown as Office.RecipientsChangedEventArgs);
    void this.raise('onMessageRecipientsChangedHandler', { type: 'olkRecipientsChanged', changedRecipientFields });
  }

  /** The add-in changed the item (setAsync, session data, info bar): redraw what it touched. */
  private addinChanged(field: RecipientField | 'subject' | 'sessionData' | 'notifications'): void {
    const state = this.state;
    if (!state) return;
    if (field === 'subject') this.subject.value = state.subject;
    else if (field === 'to' || field === 'cc' || field === 'bcc') this.fields[field].value = state[field].map(person).join(', ');
    else if (field === 'notifications') {
      const texts = [...state.notifications.values()].map((m) => m.message);
      this.infoBar.hidden = texts.length === 0;
      this.infoBar.textContent = texts.join(' ');
    }
    this.updateInspector();
  }

  private updateInspector(): void {
    if (!this.state) return;
    const s = this.state;
    this.inspector.textContent = JSON.stringify(
      {
        itemId: s.itemId,
        composeType: s.composeType,
        sessionData: Object.fromEntries(s.sessionData),
        internetHeaders: Object.fromEntries(s.internetHeaders),
        notifications: Object.fromEntries([...s.notifications].map(([k, v]) => [k, v.message])),
      },
      null,
      2,
    );
  }

  private async attach(files: FileList | null, inline: boolean): Promise<void> {
    if (!this.state || !files) return;
    for (const file of [...files]) {
      const base64 = await fileToBase64(file);
      const id = `att-${randomHex(8)}`;
      const contentId = inline ? `${randomHex(8)}@workbench.signet.example` : '';
      this.state.attachments.push({ id, name: file.name, contentType: file.type || 'application/octet-stream', size: file.size, isInline: inline, contentId, base64 });
      if (inline) {
        const img = document.createElement('img');
        img.src = `data:${file.type || 'image/png'};base64,${base64}`;
        img.alt = file.name;
        img.dataset['cid'] = contentId;
        this.body.append(img);
      }
      this.options.log(`${inline ? 'inline picture' : 'attachment'} added: ${file.name} (${file.size} bytes)`);
    }
    (document.getElementById(inline ? 'compose-picture-input' : 'compose-attach-input') as HTMLInputElement).value = '';
    this.renderAttachments();
    this.edited();
  }

  /** Outlook drops an inline picture's attachment when the picture is deleted from the body. */
  private dropUnreferencedImages(): void {
    if (!this.state) return;
    const shown = new Set([...this.body.querySelectorAll<HTMLImageElement>('img[data-cid]')].map((i) => i.dataset['cid']));
    const before = this.state.attachments.length;
    this.state.attachments = this.state.attachments.filter((a) => !a.isInline || shown.has(a.contentId));
    if (this.state.attachments.length !== before) this.renderAttachments();
  }

  private renderAttachments(): void {
    const files = this.state?.attachments.filter((a) => !a.isInline) ?? [];
    this.attachmentList.replaceChildren(
      ...files.map((a) => {
        const li = document.createElement('li');
        li.textContent = `${a.name} (${a.size} bytes) `;
        const remove = document.createElement('button');
        remove.type = 'button';
        remove.textContent = 'Remove';
        remove.setAttribute('aria-label', `Remove ${a.name}`);
        remove.addEventListener('click', () => {
          if (!this.state) return;
          this.state.attachments = this.state.attachments.filter((x) => x.id !== a.id);
          this.renderAttachments();
        });
        li.append(remove);
        return li;
      }),
    );
  }

  /** Raises an event that is not OnMessageSend; its completion only ends the run. */
  private get profile(): ClientProfile {
    return this.options.profile ?? profileById(null);
  }

  /** Whether the simulated client raises a launch event at all ("Supported events", event-based-activation.md). */
  private raises(name: string): boolean {
    const since: Record<string, string> = { onNewMessageComposeHandler: '1.10', onMessageRecipientsChangedHandler: '1.11', onMessageSendHandler: '1.12' };
    const version = since[name];
    if (version === undefined) return true;
    return this.profile.eventRuntime !== 'none' && compareVersions(this.profile.mailbox, version) >= 0 && (name !== 'onMessageSendHandler' || this.profile.smartAlerts.supported);
  }

  private async raise(name: string, eventData: Record<string, unknown>): Promise<void> {
    if (!this.raises(name)) {
      this.options.log(`${name}: not raised (${this.profile.name}, Mailbox ${this.profile.mailbox})`);
      return;
    }
    const runtime = this.runtime;
    if (!runtime) return;
    const result = await runtime.run(name, { timeoutMs: this.options.settings.eventTimeoutMs, eventData });
    if (result.kind === 'timeout' || result.kind === 'unavailable') this.options.log(`${name}: ${result.kind}${'detail' in result && result.detail ? ` (${result.detail})` : ''}`);
  }

  /** A ribbon button with an ExecuteFunction action: runs the function command in the runtime. */
  private async command(functionName: string, controlId: string): Promise<void> {
    const runtime = this.runtime;
    if (!runtime) return;
    this.options.log(`ribbon: ${controlId} → ${functionName}`);
    const result = await runtime.run(functionName, { timeoutMs: this.options.settings.eventTimeoutMs, eventData: { source: { id: controlId } } });
    if (result.kind !== 'completed') this.options.log(`${functionName}: ${result.kind}${'detail' in result && result.detail ? ` (${result.detail})` : ''}`);
  }

  /** Outlook's Send: OnMessageSend, then a plain send or the Smart Alerts dialog. */
  async send(): Promise<void> {
    const runtime = this.runtime;
    if (!this.state || !runtime || this.sending) return;
    // Recipients typed but not yet committed (no change event before the click) count, as in Outlook.
    for (const field of ['to', 'cc', 'bcc'] as const) this.recipientsEdited(field);
    if (!this.error.hidden) return;
    if (this.state.to.length + this.state.cc.length + this.state.bcc.length === 0) {
      this.error.hidden = false;
      this.error.textContent = 'Add at least one recipient.';
      return;
    }
    if (!this.raises('onMessageSendHandler')) {
      // No Smart Alerts in this client (Mailbox below 1.12): Outlook sends without asking any add-in.
      const record: SendRecord = { outcome: 'no-smart-alerts', decision: 'send', alert: null, notes: [`${this.profile.name} runs no OnMessageSend handler`], choice: null, plainSent: false, savedAsDraft: false };
      this.lastSend = record;
      this.options.log(`OnMessageSend: not raised (${this.profile.name} has no Smart Alerts); Outlook sends`);
      await this.plainSend(record);
      return;
    }
    this.sending = true;
    this.form.setAttribute('aria-busy', 'true');
    this.status.textContent = 'Sending…';
    const mode = this.options.settings.sendMode;
    const record: SendRecord = { outcome: '', decision: 'alert', alert: null, notes: [], choice: null, plainSent: false, savedAsDraft: false };
    this.lastSend = record;
    try {
      const abort = new AbortController();
      this.sendAbort = abort;
      let longRunningChoice: AlertButtonId | null = null;
      const result = await runtime.run('onMessageSendHandler', {
        timeoutMs: this.options.settings.sendTimeoutMs,
        longRunningMs: this.options.settings.longRunningMs,
        onLongRunning: () => {
          this.options.log('OnMessageSend: taking longer than expected');
          void this.showAlert(longRunningAlert(mode, ADDIN)).then((choice) => {
            longRunningChoice = choice;
            abort.abort();
          });
        },
        eventData: { type: 'olkMessageSend' },
        signal: abort.signal,
      });
      this.hideAlert();
      if (result.kind === 'aborted' && this.navigateChoice === 'save-draft') {
        // "Save as Draft" in the item-switch dialog: the add-in and the send end, the draft is saved.
        record.outcome = 'aborted';
        record.choice = 'save-draft';
        record.savedAsDraft = true;
        await this.saveAndClose();
        return;
      }
      if (result.kind === 'aborted') {
        record.outcome = 'aborted';
        record.choice = this.navigateChoice ?? longRunningChoice;
        if (record.choice === 'send-anyway') await this.plainSend(record);
        else this.status.textContent = 'Not sent.';
        return;
      }
      record.outcome = result.kind;
      const decision = decideSend(mode, result, ADDIN);
      record.decision = decision.action;
      record.notes = decision.notes;
      for (const note of decision.notes) this.options.log(`Smart Alerts: ${note}`);
      if (decision.action === 'send') {
        await this.plainSend(record);
        return;
      }
      record.alert = decision.alert;
      this.status.textContent = 'Not sent.';
      const choice = await this.showAlert(decision.alert);
      record.choice = choice;
      this.options.log(`Smart Alerts dialog (${decision.alert.reason}): ${choice}`);
      if (choice === 'send-anyway') await this.plainSend(record);
      else if (choice === 'take-action' && decision.alert.commandId !== null) this.openPane();
    } finally {
      this.sending = false;
      this.sendAbort = null;
      this.navigateChoice = null;
      this.form.removeAttribute('aria-busy');
    }
  }

  /** True while OnMessageSend runs for this form (the host asks before it lets the user navigate away). */
  get busySending(): boolean {
    return this.sending;
  }

  /**
   * The user selects another message or folder while OnMessageSend runs. Smart Alerts ("User navigates away
   * from current message", onmessagesend-onappointmentsend-events): for a message composed in the reading
   * pane of Outlook on the web and the new Outlook, a dialog offers Wait (the form stays and the check goes
   * on) or Save as Draft (the add-in and the send end, a draft is saved); Send Anyway only where every
   * Smart Alerts add-in uses PromptUser. Resolves with the choice.
   */
  async navigateAway(): Promise<'wait' | 'save-draft' | 'send-anyway' | 'not-sending'> {
    if (!this.sending || this.sendAbort === null) return 'not-sending';
    if (this.profile.navigateAway === 'background') {
      // Outlook on Mac: the check goes on in the background; its dialog appears if it blocks.
      this.options.log('navigated away while OnMessageSend runs: the check continues in the background (Mac)');
      return 'wait';
    }
    const mode = this.options.settings.sendMode;
    const buttons: SmartAlert['buttons'] = [
      { id: 'wait', label: 'Wait' },
      { id: 'save-draft', label: 'Save as Draft' },
    ];
    if (mode === 'PromptUser') buttons.unshift({ id: 'send-anyway', label: 'Send Anyway' });
    this.options.log('navigated away while OnMessageSend runs: item-switch dialog');
    const choice = await this.showAlert({
      reason: 'item-switch',
      title: ADDIN.name,
      message: `${ADDIN.name} is still checking this message. Wait for it, or save the message as a draft (it is not sent).`,
      buttons,
      commandId: null,
    });
    if (choice === 'save-draft' || choice === 'send-anyway') {
      this.navigateChoice = choice;
      this.sendAbort?.abort();
      return choice;
    }
    return 'wait';
  }

  private async saveAndClose(): Promise<void> {
    try {
      const id = this.state?.itemId ?? (await this.saveDraft());
      if (this.state) this.state.itemId = id;
      this.options.log(`Save as Draft: the add-in was stopped, the message is in Drafts (${id}), not sent`);
      this.close('saved as draft, not sent');
      this.options.notice('Your message was saved to Drafts. It was not sent.');
    } catch (e) {
      this.status.textContent = `Not sent. The draft could not be saved: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  /** Outlook's own transport: the form as ordinary MIME, into the simulated Exchange. */
  private async plainSend(record: SendRecord): Promise<void> {
    if (!this.state) return;
    const mime = buildPlainMessage(this.state, { html: this.bodyHtml(), text: this.bodyText() });
    const r = await fetch('/workbench/api/deliver', { method: 'POST', headers: { 'Content-Type': 'message/rfc822' }, body: mime as BodyInit });
    if (r.status !== 202) {
      this.status.textContent = `Outlook could not send the message: HTTP ${r.status} ${await r.text()}`;
      this.options.log(this.status.textContent);
      return;
    }
    record.plainSent = true;
    this.options.log('sent by Outlook (plain, no S/MIME)');
    this.close('sent');
    this.options.delivered();
  }

  private showAlert(alert: SmartAlert): Promise<AlertButtonId> {
    byId('smart-alert-title').textContent = alert.title;
    byId('smart-alert-message').textContent = alert.message;
    this.alertBox.dataset['reason'] = alert.reason;
    const buttons = byId('smart-alert-buttons');
    return new Promise<AlertButtonId>((resolve) => {
      this.alertChoice = resolve;
      buttons.replaceChildren(
        ...alert.buttons.map((b) => {
          const button = document.createElement('button');
          button.type = 'button';
          button.textContent = b.label;
          button.dataset['button'] = b.id;
          button.addEventListener('click', () => {
            this.hideAlert();
            resolve(b.id);
          });
          return button;
        }),
      );
      this.alertBox.hidden = false;
      (buttons.querySelector('button') ?? this.alertBox.querySelector<HTMLElement>('.dialog') ?? this.alertBox).focus();
    });
  }

  private hideAlert(): void {
    this.alertBox.hidden = true;
    this.alertChoice = null;
  }
}
