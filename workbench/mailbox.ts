// The workbench mailbox's index (`.workbench/public/mailbox/index.json`): what the simulated Outlook host
// needs to present each sample as an Office.js item. Written by samples.ts (Node), read by host.ts
// (browser). Messages sent from the workbench are kept apart, in the delivered-mail store (mail-store.ts),
// with the same per-message shape.

export interface MailboxPerson {
  name: string;
  email: string;
}

/**
 * How the simulated Exchange hands the message to an add-in (ARCHITECTURE.md, "Reading the raw message"):
 * - `smime-attachment`: stored as IPM.Note.SMIME(.MultipartSigned): the original blob is the item's
 *   `smime.p7m` attachment and `getAsFileAsync` returns the same bytes;
 * - `reserialized`: no smime.p7m attachment, and `getAsFileAsync` returns a copy the client rebuilt
 *   (classic Outlook from MAPI), which is not byte-exact;
 * - `plain`: an ordinary message.
 */
export type Delivery = 'smime-attachment' | 'reserialized' | 'plain';

/** Mailbox folders, named as EWS's DistinguishedFolderId names them ("inbox", "sentitems"). */
export type MailboxFolder = 'inbox' | 'sentitems';

export interface MailboxMessage {
  id: string;
  folder: MailboxFolder;
  from: MailboxPerson;
  to: MailboxPerson[];
  cc?: MailboxPerson[];
  /** Only on a Sent Items copy: Exchange keeps the sender's Bcc list there and nowhere else. */
  bcc?: MailboxPerson[];
  subject: string;
  /** ISO-8601 */
  date: string;
  /** One line for the message list: what the sample demonstrates. */
  preview: string;
  delivery: Delivery;
  /** File name of the message as sent (.eml), relative to the mailbox folder. */
  file: string;
  /** The copy getAsFileAsync returns, when it differs from `file` (delivery `reserialized`). */
  exportFile?: string;
  /** The smime.p7m attachment's content, relative to the mailbox folder (delivery `smime-attachment`). */
  attachmentFile?: string;
  attachmentSize?: number;
}

export interface MailboxIndex {
  /** Bumped when the generator changes, so an old `.workbench/` is regenerated on the next start. */
  version: number;
  generatedAt: string;
  owner: MailboxPerson;
  /**
   * Mailboxes the owner may send as (a shared mailbox with Send As rights): the compose form offers them in
   * From, and the simulated Exchange accepts them as the sender, as it does the owner.
   */
  sendAs: MailboxPerson[];
  messages: MailboxMessage[];
}

/** URL path (below the server root) where the mailbox folder is served. */
export const MAILBOX_PATH = 'mailbox/';
