// The workbench page's script: loads the generated mailbox (.workbench/public/mailbox/index.json) and what the
// simulated Exchange delivered (/workbench/api/mailbox), lists the Inbox and Sent Items like Outlook's
// message list, shows the selected message's envelope and info bar, and hosts the real task pane in an
// iframe with the simulated Office.js (fake-office.ts) that office-shim.ts installs in the pane. Selecting a
// message raises ItemChanged, as under a pinned task pane in Outlook. New message and Reply open the compose
// form (compose.ts) with its own pane and the add-in's event runtime.
//
// Settings for tests and demos, from the URL (else remembered choices): `profile=<id>` (the simulated
// Outlook client, profiles.ts: requirement sets, NAA, event runtime, Smart Alerts, item class, the
// "Restricted item" prompt — shown only once a client was chosen, so the plain workbench reads every sample
// directly), `exchange=online|on-premises` (default: the profile's),
// `sendMode=SoftBlock|Block|PromptUser`, `sendTimeoutMs`, `longRunningMs`, `eventTimeoutMs`. The test hook
// `window.signetWorkbenchTest` lets end-to-end tests replace an add-in handler and read the last send.

import { fromBase64 } from '../src/core/bytes.js';
import { getHeader } from '../src/core/mime/headers.js';
import { scanHeaderBlock } from '../src/core/mime/parser.js';
import { Composer, type ComposeSettings, type SendRecord } from './compose.js';
import { createOffice, createReadItem, type WorkbenchBackend, type WorkbenchItem } from './fake-office.js';
import { MAILBOX_PATH, type MailboxFolder, type MailboxIndex, type MailboxMessage } from './mailbox.js';
import type { WorkbenchHostApi } from './office-shim.js';
import { LONG_RUNNING_MS, SEND_TIMEOUT_MS, type SendMode } from './smart-alerts.js';
import { PROFILES, profileById, type ClientProfile } from './profiles.js';

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`index.html has no #${id}`);
  return el as T;
}

const THEME_KEY = 'signet-workbench-theme';
const EXCHANGE_KEY = 'signet-workbench-exchange';
const SEND_MODE_KEY = 'signet-workbench-send-mode';
const PROFILE_KEY = 'signet-workbench-profile';
const DELIVERED_PATH = 'workbench/api/files/';

async function fileBase64(url: string): Promise<string> {
  const r = await fetch(url, { cache: 'no-cache' });
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  const bytes = new Uint8Array(await r.arrayBuffer());
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function formatDate(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

function numberParam(params: URLSearchParams, name: string, fallback: number): number {
  const v = Number(params.get(name));
  return params.has(name) && Number.isFinite(v) && v > 0 ? v : fallback;
}

/** A message of the list: a generated sample or something the simulated Exchange delivered. */
interface Entry {
  message: MailboxMessage;
  source: 'sample' | 'delivered';
}

/** The workbench's hook for end-to-end tests. */
export interface WorkbenchTestHook {
  /** Replaces the add-in's handler for an event or function command while composing (null restores it). */
  overrideHandler(name: string, handler: ((event: unknown) => unknown) | null): void;
  lastSend(): SendRecord | null;
  compose(): ReturnType<Composer['snapshot']>;
  settings: ComposeSettings;
  /** The simulated client (profiles.ts). */
  profile: ClientProfile;
  /** Reloads the delivered folders now. */
  refresh(): Promise<void>;
  /** The user goes to another folder while OnMessageSend runs (Smart Alerts' item-switch dialog). */
  navigateAway(): Promise<'wait' | 'save-draft' | 'send-anyway' | 'not-sending'>;
}

async function main(): Promise<void> {
  const status = byId<HTMLParagraphElement>('mailbox-status');
  const list = byId<HTMLUListElement>('message-list');
  const frame = byId<HTMLIFrameElement>('taskpane');
  const infoBar = byId<HTMLDivElement>('info-bar');
  const darkToggle = byId<HTMLInputElement>('dark-toggle');
  const exchangeSelect = byId<HTMLSelectElement>('exchange-kind');
  const sendModeSelect = byId<HTMLSelectElement>('send-mode');
  const replyButton = byId<HTMLButtonElement>('reply');
  const logList = byId<HTMLOListElement>('event-log');
  const params = new URLSearchParams(location.search);

  const dark = localStorage.getItem(THEME_KEY) === 'dark';
  darkToggle.checked = dark;
  document.documentElement.dataset['theme'] = dark ? 'dark' : 'light';
  const profile: ClientProfile = profileById(params.get('profile') ?? localStorage.getItem(PROFILE_KEY));
  // The plain workbench (no client chosen) opens encrypted mail without the "Restricted item" prompt, so
  // demos and the older browser tests read every sample directly; a chosen profile shows it (#6569).
  const promptRestricted = profile.restrictedItemPrompt && (params.has('profile') || localStorage.getItem(PROFILE_KEY) !== null);
  const profileSelect = byId<HTMLSelectElement>('client-profile');
  profileSelect.replaceChildren(
    ...PROFILES.map((p) => {
      const o = document.createElement('option');
      o.value = p.id;
      o.textContent = `${p.name} · Mailbox ${p.mailbox}`;
      return o;
    }),
  );
  profileSelect.value = profile.id;
  document.documentElement.dataset['profile'] = profile.id;
  const exchangeChoice = params.get('exchange') ?? localStorage.getItem(EXCHANGE_KEY) ?? profile.exchange;
  const exchange: WorkbenchBackend['exchange'] = exchangeChoice === 'on-premises' ? 'on-premises' : 'online';
  exchangeSelect.value = exchange;
  const modeParam = params.get('sendMode') ?? localStorage.getItem(SEND_MODE_KEY);
  const sendMode: SendMode = modeParam === 'Block' || modeParam === 'PromptUser' ? modeParam : 'SoftBlock';
  sendModeSelect.value = sendMode;
  const settings: ComposeSettings = {
    sendMode,
    sendTimeoutMs: numberParam(params, 'sendTimeoutMs', SEND_TIMEOUT_MS),
    longRunningMs: numberParam(params, 'longRunningMs', LONG_RUNNING_MS),
    eventTimeoutMs: numberParam(params, 'eventTimeoutMs', SEND_TIMEOUT_MS),
    runtimeLoadTimeoutMs: numberParam(params, 'runtimeLoadTimeoutMs', 10_000),
  };

  const log = (line: string): void => {
    const li = document.createElement('li');
    li.textContent = `${new Date().toLocaleTimeString()} ${line}`;
    logList.prepend(li);
    while (logList.children.length > 200) logList.lastElementChild?.remove();
  };

  const r = await fetch(MAILBOX_PATH + 'index.json', { cache: 'no-cache' });
  if (!r.ok) throw new Error(`the mailbox is missing (HTTP ${r.status}); start the workbench with npm start`);
  const index = (await r.json()) as MailboxIndex;
  byId('owner').textContent = `Signed in as ${index.owner.name} <${index.owner.email}> · simulated ${profile.name} (Mailbox ${profile.mailbox})`;

  let selected: Entry | null = null;
  const base = {
    mailboxVersion: profile.mailbox,
    nestedAppAuth: profile.nestedAppAuth,
    smimeItemClass: profile.smimeItemClass,
    addFileAttachmentHangs: profile.addFileAttachmentHangs,
    darkTheme: dark,
    owner: index.owner,
    exchange,
    notificationsChanged(itemId: string, messages: ReadonlyMap<string, Office.NotificationMessageDetails>) {
      if (selected?.message.id !== itemId) return;
      const texts = [...messages.values()].map((m) => m.message);
      infoBar.hidden = texts.length === 0;
      // Outlook draws ErrorMessage as an error bar; the workbench shows the type the add-in chose.
      infoBar.dataset['type'] = [...messages.values()].some((m) => String(m.type) === 'errorMessage') ? 'error' : 'informational';
      infoBar.textContent = texts.join(' ');
    },
  };
  const backends: Record<Entry['source'], WorkbenchBackend> = {
    sample: { ...base, fileBase64: (name) => fileBase64(MAILBOX_PATH + encodeURIComponent(name)) },
    delivered: { ...base, fileBase64: (name) => fileBase64(DELIVERED_PATH + encodeURIComponent(name)) },
  };
  const items = new Map<string, WorkbenchItem>();
  const itemFor = (e: Entry): WorkbenchItem => {
    let item = items.get(e.message.id);
    if (!item) {
      item = createReadItem(e.message, backends[e.source]);
      items.set(e.message.id, item);
    }
    return item;
  };
  let host = createOffice(backends.sample);

  const composer = new Composer({
    owner: index.owner,
    sendAs: index.sendAs ?? [],
    office: backends.sample,
    settings,
    profile,
    log,
    shown(open) {
      byId('message-view').hidden = open;
      frame.hidden = open;
      byId('message-column').toggleAttribute('inert', open);
      byId('new-message').toggleAttribute('disabled', open);
    },
    delivered: () => void refresh(),
    notice(text) {
      const notice = byId('host-notice');
      notice.textContent = text;
      notice.hidden = false;
    },
  });

  const api: WorkbenchHostApi = {
    officeFor(frameElement) {
      const forCompose = composer.officeFor(frameElement);
      if (forCompose) return forCompose;
      host = createOffice(backends.sample);
      host.office.context.mailbox.item = selected ? itemFor(selected) : null;
      return host.office;
    },
    demoIdentityUrl: 'demo/owner-identity.pem',
    demoRootUrl: 'trust-anchors.pem',
    // The simulated Graph stands in for a Nested App Authentication token: only where the client has NAA.
    graph: exchange === 'online' && profile.nestedAppAuth ? { baseUrl: `${location.origin}/graph/v1.0`, accessToken: 'workbench-token' } : null,
  };
  (window as unknown as { signetWorkbenchHost: WorkbenchHostApi }).signetWorkbenchHost = api;
  const testHook: WorkbenchTestHook = {
    overrideHandler: (name, handler) => composer.overrideHandler(name, handler),
    lastSend: () => composer.lastSend,
    compose: () => composer.snapshot(),
    settings,
    profile,
    refresh: () => refresh(),
    navigateAway: () => composer.navigateAway(),
  };
  (window as unknown as { signetWorkbenchTest: WorkbenchTestHook }).signetWorkbenchTest = testHook;

  const samples: Entry[] = index.messages.map((m) => ({ message: { ...m, folder: m.folder ?? 'inbox' }, source: 'sample' }));
  let delivered: Entry[] = [];
  let folder: MailboxFolder = 'inbox';
  const inFolder = (f: MailboxFolder): Entry[] => {
    const mine = delivered.filter((e) => e.message.folder === f).reverse();
    return f === 'inbox' ? [...mine, ...samples] : mine;
  };

  const buttons = new Map<string, HTMLButtonElement>();
  const select = (entry: Entry): void => {
    selected = entry;
    const m = entry.message;
    for (const [id, b] of buttons) b.setAttribute('aria-selected', String(id === m.id));
    infoBar.hidden = true;
    infoBar.textContent = '';
    byId('host-notice').hidden = true;
    replyButton.disabled = false;
    byId('view-subject').textContent = m.subject;
    const meta = byId<HTMLDListElement>('view-meta');
    meta.replaceChildren();
    const rows: [string, string][] = [
      ['From', `${m.from.name} <${m.from.email}>`],
      ['To', m.to.map((t) => `${t.name} <${t.email}>`).join(', ')],
    ];
    if (m.cc && m.cc.length > 0) rows.push(['Cc', m.cc.map((t) => `${t.name} <${t.email}>`).join(', ')]);
    if (m.bcc && m.bcc.length > 0) rows.push(['Bcc', m.bcc.map((t) => (t.name ? `${t.name} <${t.email}>` : t.email)).join(', ')]);
    rows.push(['Date', formatDate(m.date)]);
    if (m.delivery === 'smime-attachment') rows.push(['Attachment', `smime.p7m (${m.attachmentSize ?? 0} bytes)`]);
    for (const [k, v] of rows) {
      const dt = document.createElement('dt');
      dt.textContent = k;
      const dd = document.createElement('dd');
      dd.textContent = v;
      meta.append(dt, dd);
    }
    byId('view-body').textContent =
      m.delivery === 'plain'
        ? `${m.preview} Open it in the Signet pane to see what Signet makes of it.`
        : 'This is an S/MIME message. Outlook on the web shows it as an smime.p7m attachment; Signet, on the right, checks it and shows its content.';
    if (promptRestricted && m.delivery === 'smime-attachment') void restrictedThenSelect(entry);
    else host.selectItem(itemFor(entry));
  };

  /**
   * The new Outlook and Outlook on the web show a "Restricted item" error before an add-in opens on
   * S/MIME-encrypted mail; after OK the add-in loads (office-js #6569, profiles.ts). Signed-only mail is not
   * affected. The pane follows only once the user dismissed it.
   */
  const restrictedThenSelect = async (entry: Entry): Promise<void> => {
    let encrypted = false;
    try {
      const eml = fromBase64(await backends[entry.source].fileBase64(entry.message.file));
      const type = getHeader(scanHeaderBlock(eml, 0, Math.min(eml.length, 64 * 1024)).headers, 'content-type') ?? '';
      encrypted = /smime-type\s*=\s*"?(auth)?enveloped-data/i.test(type);
    } catch {
      // Unreadable: no prompt; the pane says what it can.
    }
    if (encrypted) {
      log(`Restricted item prompt before the add-in opens (${profile.name}, office-js #6569)`);
      const box = byId('restricted-item');
      box.hidden = false;
      const ok = byId<HTMLButtonElement>('restricted-item-ok');
      ok.focus();
      await new Promise<void>((resolve) => ok.addEventListener('click', () => resolve(), { once: true }));
      box.hidden = true;
    }
    if (selected === entry) host.selectItem(itemFor(entry));
  };

  const render = (): void => {
    const entries = inFolder(folder);
    const heading = byId('inbox-heading');
    heading.textContent = folder === 'inbox' ? 'Inbox' : 'Sent Items';
    for (const b of document.querySelectorAll<HTMLButtonElement>('button.folder')) {
      if (b.dataset['folder'] === folder) b.setAttribute('aria-current', 'page');
      else b.removeAttribute('aria-current');
    }
    byId('count-inbox').textContent = String(inFolder('inbox').length);
    byId('count-sentitems').textContent = String(inFolder('sentitems').length);
    buttons.clear();
    list.replaceChildren(
      ...entries.map((entry) => {
        const m = entry.message;
        const li = document.createElement('li');
        const b = document.createElement('button');
        b.type = 'button';
        b.setAttribute('role', 'option');
        b.setAttribute('aria-selected', String(selected?.message.id === m.id));
        b.dataset['id'] = m.id;
        b.dataset['folder'] = m.folder;
        for (const [cls, text] of [
          ['from', folder === 'sentitems' ? `To: ${m.to.map((t) => t.name || t.email).join(', ')}` : m.from.name || m.from.email],
          ['subject', m.subject || '(no subject)'],
          ['preview', m.preview],
        ] as const) {
          const span = document.createElement('span');
          span.className = cls;
          span.textContent = text;
          b.append(span);
        }
        b.addEventListener('click', () => select(entry));
        b.addEventListener('keydown', (ev) => {
          const i = entries.indexOf(entry);
          const next = ev.key === 'ArrowDown' ? entries[i + 1] : ev.key === 'ArrowUp' ? entries[i - 1] : undefined;
          if (next) {
            ev.preventDefault();
            buttons.get(next.message.id)?.focus();
            select(next);
          }
        });
        buttons.set(m.id, b);
        li.append(b);
        return li;
      }),
    );
    const sent = inFolder('sentitems').length;
    status.textContent =
      folder === 'inbox'
        ? `${samples.length} sample messages, generated ${formatDate(index.generatedAt)}${delivered.length > 0 ? `, and ${entries.length - samples.length} delivered here` : ''}.`
        : sent === 0
          ? 'Nothing sent yet: write a message with New message.'
          : `${sent} sent from the workbench.`;
  };

  let deliveredCount = -1;
  const refresh = async (): Promise<void> => {
    try {
      const res = await fetch('workbench/api/mailbox', { cache: 'no-store' });
      if (!res.ok) return;
      const { messages } = (await res.json()) as { messages: MailboxMessage[] };
      if (messages.length === deliveredCount) return;
      deliveredCount = messages.length;
      delivered = messages.map((m) => ({ message: m, source: 'delivered' }));
      render();
    } catch {
      // The server is gone (npm start stopped): keep what is shown.
    }
  };

  for (const b of document.querySelectorAll<HTMLButtonElement>('button.folder')) {
    b.addEventListener('click', () => {
      const go = (): void => {
        folder = b.dataset['folder'] === 'sentitems' ? 'sentitems' : 'inbox';
        render();
      };
      // Leaving a message while Signet's send check runs: Outlook asks first (Wait / Save as Draft).
      if (composer.busySending) void composer.navigateAway().then((choice) => choice !== 'wait' && go());
      else go();
    });
  }
  byId('new-message').addEventListener('click', () => {
    byId('host-notice').hidden = true;
    composer.open({ composeType: 'newMail' });
  });
  replyButton.addEventListener('click', () => void reply());

  /** Reply to the selected message: to its sender (or, in Sent Items, its recipients), threaded by Message-ID. */
  const reply = async (): Promise<void> => {
    if (!selected) return;
    const entry = selected;
    const m = entry.message;
    let inReplyTo: string | null = null;
    let references: string | null = null;
    try {
      const eml = fromBase64(await backends[entry.source].fileBase64(m.file));
      const headers = scanHeaderBlock(eml, 0, eml.length).headers;
      inReplyTo = getHeader(headers, 'message-id')?.trim() ?? null;
      const chain = (getHeader(headers, 'references') ?? getHeader(headers, 'in-reply-to') ?? '').trim();
      references = inReplyTo ? [chain, inReplyTo].filter(Boolean).join(' ') : chain || null;
    } catch (e) {
      log(`reply: the original's headers could not be read (${e instanceof Error ? e.message : String(e)})`);
    }
    const quote = document.createElement('div');
    const header = document.createElement('p');
    header.textContent = `On ${formatDate(m.date)}, ${m.from.name || m.from.email} <${m.from.email}> wrote:`;
    const original = document.createElement('blockquote');
    original.textContent = m.delivery === 'plain' ? m.preview : '(S/MIME message: its content is shown in the Signet pane)';
    quote.append(header, original);
    composer.open({
      composeType: 'reply',
      to: m.folder === 'sentitems' ? m.to : [m.from],
      subject: /^re:/i.test(m.subject) ? m.subject : `Re: ${m.subject}`,
      inReplyTo,
      references,
      conversationId: `AAQk-workbench-${m.id}`,
      quoteHtml: quote.innerHTML,
    });
  };

  render();
  await refresh();
  // What the add-in sends goes through the simulated Exchange behind the page's back: look again now and then.
  setInterval(() => {
    if (document.visibilityState === 'visible') void refresh();
  }, 2000);

  const first = params.get('select');
  const initial = [...samples, ...delivered].find((e) => e.message.id === first) ?? samples[0];
  if (initial) select(initial);
  // workbench=1 makes the server hand the pane this host's office.js instead of Microsoft's.
  frame.src = 'workbench-taskpane.html?workbench=1&_host_Info=Outlook$Web$16.01$en-US$$$$0';

  darkToggle.addEventListener('change', () => {
    localStorage.setItem(THEME_KEY, darkToggle.checked ? 'dark' : 'light');
    location.reload();
  });
  profileSelect.addEventListener('change', () => {
    localStorage.setItem(PROFILE_KEY, profileSelect.value);
    localStorage.removeItem(EXCHANGE_KEY);
    const url = new URL(location.href);
    url.searchParams.delete('profile');
    url.searchParams.delete('exchange');
    location.href = url.href;
  });
  exchangeSelect.addEventListener('change', () => {
    localStorage.setItem(EXCHANGE_KEY, exchangeSelect.value);
    location.reload();
  });
  sendModeSelect.addEventListener('change', () => {
    settings.sendMode = sendModeSelect.value as SendMode;
    localStorage.setItem(SEND_MODE_KEY, settings.sendMode);
    log(`send mode: ${settings.sendMode}`);
  });
}

main().catch((e: unknown) => {
  const status = document.getElementById('mailbox-status');
  if (status) status.textContent = `The workbench could not start: ${e instanceof Error ? e.message : String(e)}`;
});
