// The workbench's delivered mail: what the simulated Graph and EWS endpoints (and Outlook's own plain send)
// accepted, filed as Exchange would file it — a Sent Items copy always (the bytes as submitted, Bcc
// included), an Inbox copy when the mailbox owner is a recipient (without Bcc, see delivery.ts). Kept in
// memory, or persisted under a folder (`.workbench/delivered/` for `npm start`) so a reload still shows
// it. Apart from the generated samples, so a test run can use a throwaway store.

import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeliveryRefusal, deliveryForm, includes, readEnvelope, smimeAttachment, withoutBcc } from './delivery.js';
import type { MailboxFolder, MailboxMessage, MailboxPerson } from './mailbox.js';

/** Bumped when the store's index format changes; an older index is then ignored (and overwritten). */
export const STORE_VERSION = 1;

/** Who handed the message over: Microsoft Graph's sendMail, EWS CreateItem, or Outlook's own (plain) send. */
export type TransportKind = 'graph' | 'ews' | 'outlook';

/** One accepted send (GET /workbench/api/sent lists these). */
export interface SentRecord {
  id: string;
  kind: TransportKind;
  /** ISO-8601 time of acceptance. */
  at: string;
  /** File of the submitted bytes (the Sent Items copy). */
  file: string;
  sentItemsId: string;
  /** The Inbox copy's id when the owner was a recipient, else null. */
  inboxId: string | null;
  /** Envelope recipients (addr-specs): To, Cc and Bcc of the MIME plus those the request named outside it. */
  recipients: string[];
}

interface StoreIndex {
  version: typeof STORE_VERSION;
  messages: MailboxMessage[];
  sent: SentRecord[];
}

export interface MailStoreOptions {
  /** Folder to persist into; null keeps everything in memory. */
  dir: string | null;
  owner: MailboxPerson;
  /** Mailboxes the owner may send as (besides the owner). */
  sendAs: readonly MailboxPerson[];
}

const PREVIEW: Record<TransportKind, string> = {
  graph: 'Sent through Microsoft Graph (simulated sendMail, MIME).',
  ews: 'Sent through Exchange Web Services (simulated CreateItem, MimeContent).',
  outlook: "Sent by Outlook's own send: a plain message, no add-in involved.",
};

export class MailStore {
  private readonly index: StoreIndex = { version: STORE_VERSION, messages: [], sent: [] };
  private readonly memory = new Map<string, Uint8Array>();
  /** Drafts the compose form saved (item.saveAsync), by EWS id; kept in memory only, as drafts are per session. */
  private readonly drafts = new Map<string, { subject: string; savedAt: string }>();

  constructor(private readonly options: MailStoreOptions) {
    if (options.dir === null) return;
    mkdirSync(options.dir, { recursive: true });
    const file = join(options.dir, 'index.json');
    if (!existsSync(file)) return;
    try {
      const loaded = JSON.parse(readFileSync(file, 'utf8')) as StoreIndex;
      if (loaded.version === STORE_VERSION && Array.isArray(loaded.messages) && Array.isArray(loaded.sent)) {
        this.index.messages.push(...loaded.messages);
        this.index.sent.push(...loaded.sent);
      }
    } catch {
      // An unreadable index starts an empty store; the next delivery overwrites it.
    }
  }

  get owner(): MailboxPerson {
    return this.options.owner;
  }

  /**
   * Files a submitted message. `extraRecipients` are envelope recipients the request named outside the
   * MIME (EWS BccRecipients). Throws DeliveryRefusal for a message Exchange would not accept.
   */
  deliver(eml: Uint8Array, kind: TransportKind, extraRecipients: readonly string[] = []): SentRecord {
    const envelope = readEnvelope(eml);
    const senders = [this.options.owner, ...this.options.sendAs];
    if (!includes(senders, envelope.from)) {
      throw new DeliveryRefusal('send-as-denied', `${this.options.owner.email} may not send as ${envelope.from.email} (no Send As right in the simulated Exchange).`);
    }
    const extra = extraRecipients.map((email) => ({ name: '', email }));
    const recipients = [...envelope.to, ...envelope.cc, ...envelope.bcc, ...extra];
    if (recipients.length === 0) throw new DeliveryRefusal('no-recipients', 'The message has no recipients (To, Cc or Bcc).');

    const stamp = `${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
    const form = deliveryForm(envelope.root);
    const base = {
      from: envelope.from,
      to: envelope.to,
      cc: envelope.cc,
      subject: envelope.subject,
      date: (envelope.date ?? new Date()).toISOString(),
      preview: PREVIEW[kind],
      delivery: form,
    };
    const file = (id: string, bytes: Uint8Array, folder: MailboxFolder): MailboxMessage => {
      const m: MailboxMessage = { id, folder, ...base, file: `${id}.eml` };
      this.write(m.file, bytes);
      if (form === 'smime-attachment') {
        const p7m = smimeAttachment(bytes);
        m.attachmentFile = `${id}.p7m`;
        m.attachmentSize = p7m.length;
        this.write(m.attachmentFile, p7m);
      }
      return m;
    };
    const sent = file(`sent-${stamp}`, eml, 'sentitems');
    if (envelope.bcc.length > 0 || extra.length > 0) sent.bcc = [...envelope.bcc, ...extra];
    const inbox = includes(recipients, this.options.owner) ? file(`inbox-${stamp}`, withoutBcc(eml), 'inbox') : null;
    const record: SentRecord = {
      id: `send-${stamp}`,
      kind,
      at: new Date().toISOString(),
      file: sent.file,
      sentItemsId: sent.id,
      inboxId: inbox?.id ?? null,
      recipients: recipients.map((r) => r.email),
    };
    this.index.messages.push(...(inbox ? [sent, inbox] : [sent]));
    this.index.sent.push(record);
    this.save();
    return record;
  }

  /**
   * Registers a draft saved by the compose form and returns its EWS item id. Only letters and digits, so the
   * REST form of the id (convertToRestId: "/" → "-", "+" → "_") is the same string.
   */
  saveDraft(subject: string): string {
    const id = `AAMkAGDraft${randomUUID().replace(/-/g, '')}`;
    this.drafts.set(id, { subject, savedAt: new Date().toISOString() });
    return id;
  }

  /** Deletes a draft (Graph DELETE /me/messages/{id}, EWS DeleteItem); false when there is no such draft. */
  deleteDraft(id: string): boolean {
    return this.drafts.delete(id);
  }

  draftIds(): string[] {
    return [...this.drafts.keys()];
  }

  /** A delivered item's stored MIME by the item id the workbench's Office.js gives it (`AAMk-workbench-<id>`). */
  itemMime(itemId: string): Uint8Array | null {
    const id = itemId.replace(/^AAMk-workbench-/, '');
    const m = this.index.messages.find((x) => x.id === id);
    return m ? this.read(m.file) : null;
  }

  /** Delivered mailbox items, oldest first. */
  messages(): readonly MailboxMessage[] {
    return this.index.messages;
  }

  sent(): readonly SentRecord[] {
    return this.index.sent;
  }

  /** A stored file by the name the index gives it, or null (the name is checked, never a path). */
  read(name: string): Uint8Array | null {
    if (!/^[a-z]+-[a-z0-9]+-[0-9a-f]{8}\.(eml|p7m)$/.test(name)) return null;
    if (this.options.dir === null) return this.memory.get(name) ?? null;
    const path = join(this.options.dir, name);
    return existsSync(path) ? new Uint8Array(readFileSync(path)) : null;
  }

  private write(name: string, bytes: Uint8Array): void {
    if (this.options.dir === null) this.memory.set(name, bytes);
    else writeFileSync(join(this.options.dir, name), bytes);
  }

  private save(): void {
    if (this.options.dir === null) return;
    // Write-then-rename: a crash mid-write leaves the previous index, never half a JSON document.
    const tmp = join(this.options.dir, `index.json.${process.pid}.tmp`);
    writeFileSync(tmp, JSON.stringify(this.index, null, 2));
    renameSync(tmp, join(this.options.dir, 'index.json'));
  }
}

export { DeliveryRefusal };
