// The workbench page's script: loads the generated mailbox (.workbench/public/mailbox/index.json, served by
// server.ts), lists it like Outlook's message list, shows the selected message's envelope and info bar, and
// hosts the real task pane in an iframe with the simulated Office.js (fake-office.ts) that office-shim.ts
// installs in the pane. Selecting a message raises ItemChanged, as under a pinned task pane in Outlook.

import { createOffice, createReadItem, type WorkbenchBackend, type WorkbenchItem } from './fake-office.js';
import { MAILBOX_PATH, type MailboxIndex, type MailboxMessage } from './mailbox.js';
import type { WorkbenchHostApi } from './office-shim.js';

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`index.html has no #${id}`);
  return el as T;
}

const THEME_KEY = 'signet-workbench-theme';

async function fileBase64(name: string): Promise<string> {
  const r = await fetch(MAILBOX_PATH + encodeURIComponent(name), { cache: 'no-cache' });
  if (!r.ok) throw new Error(`${name}: HTTP ${r.status}`);
  const bytes = new Uint8Array(await r.arrayBuffer());
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function formatDate(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

async function main(): Promise<void> {
  const status = byId<HTMLParagraphElement>('mailbox-status');
  const list = byId<HTMLUListElement>('message-list');
  const frame = byId<HTMLIFrameElement>('taskpane');
  const infoBar = byId<HTMLDivElement>('info-bar');
  const darkToggle = byId<HTMLInputElement>('dark-toggle');
  const dark = localStorage.getItem(THEME_KEY) === 'dark';
  darkToggle.checked = dark;
  document.documentElement.dataset['theme'] = dark ? 'dark' : 'light';

  const r = await fetch(MAILBOX_PATH + 'index.json', { cache: 'no-cache' });
  if (!r.ok) throw new Error(`the mailbox is missing (HTTP ${r.status}); start the workbench with npm start`);
  const index = (await r.json()) as MailboxIndex;
  byId('owner').textContent = `Signed in as ${index.owner.name} <${index.owner.email}> · simulated Outlook on the web (Mailbox 1.14)`;

  let selected: MailboxMessage | null = null;
  const backend: WorkbenchBackend = {
    fileBase64,
    mailboxVersion: '1.14',
    darkTheme: dark,
    owner: index.owner,
    notificationsChanged(itemId, messages) {
      if (selected?.id !== itemId) return;
      const texts = [...messages.values()].map((m) => m.message);
      infoBar.hidden = texts.length === 0;
      infoBar.textContent = texts.join(' ');
    },
  };
  const items = new Map<string, WorkbenchItem>(index.messages.map((m) => [m.id, createReadItem(m, backend)]));
  let host = createOffice(backend);
  const api: WorkbenchHostApi = {
    officeFor() {
      host = createOffice(backend);
      host.office.context.mailbox.item = selected ? items.get(selected.id)! : null;
      return host.office;
    },
    demoIdentityUrl: 'demo/owner-identity.pem',
    demoRootUrl: 'trust-anchors.pem',
  };
  (window as unknown as { signetWorkbenchHost: WorkbenchHostApi }).signetWorkbenchHost = api;

  const buttons = new Map<string, HTMLButtonElement>();
  const select = (m: MailboxMessage): void => {
    selected = m;
    for (const [id, b] of buttons) b.setAttribute('aria-selected', String(id === m.id));
    infoBar.hidden = true;
    infoBar.textContent = '';
    byId('view-subject').textContent = m.subject;
    const meta = byId<HTMLDListElement>('view-meta');
    meta.replaceChildren();
    const rows: [string, string][] = [
      ['From', `${m.from.name} <${m.from.email}>`],
      ['To', m.to.map((t) => `${t.name} <${t.email}>`).join(', ')],
      ['Date', formatDate(m.date)],
    ];
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
    host.selectItem(items.get(m.id) ?? null);
  };

  for (const m of index.messages) {
    const li = document.createElement('li');
    const b = document.createElement('button');
    b.type = 'button';
    b.setAttribute('role', 'option');
    b.setAttribute('aria-selected', 'false');
    b.dataset['id'] = m.id;
    for (const [cls, text] of [
      ['from', m.from.name],
      ['subject', m.subject],
      ['preview', m.preview],
    ] as const) {
      const span = document.createElement('span');
      span.className = cls;
      span.textContent = text;
      b.append(span);
    }
    b.addEventListener('click', () => select(m));
    b.addEventListener('keydown', (ev) => {
      const i = index.messages.indexOf(m);
      const next = ev.key === 'ArrowDown' ? index.messages[i + 1] : ev.key === 'ArrowUp' ? index.messages[i - 1] : undefined;
      if (next) {
        ev.preventDefault();
        buttons.get(next.id)?.focus();
        select(next);
      }
    });
    buttons.set(m.id, b);
    li.append(b);
    list.append(li);
  }
  status.textContent = `${index.messages.length} sample messages, generated ${formatDate(index.generatedAt)}.`;

  const first = new URLSearchParams(location.search).get('select');
  const initial = index.messages.find((m) => m.id === first) ?? index.messages[0];
  if (initial) select(initial);
  // workbench=1 makes the server hand the pane this host's office.js instead of Microsoft's.
  frame.src = 'taskpane.html?workbench=1&_host_Info=Outlook$Web$16.01$en-US$$$$0';

  darkToggle.addEventListener('change', () => {
    localStorage.setItem(THEME_KEY, darkToggle.checked ? 'dark' : 'light');
    location.reload();
  });
}

main().catch((e: unknown) => {
  const status = document.getElementById('mailbox-status');
  if (status) status.textContent = `The workbench could not start: ${e instanceof Error ? e.message : String(e)}`;
});
