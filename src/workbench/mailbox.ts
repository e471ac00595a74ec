// The workbench mailbox's index (`.workbench/mailbox/index.json`): what the simulated Outlook host needs to
// present each sample as an Office.js item. Written by samples.ts (Node), read by host.ts (browser).

export interface MailboxPerson {
  name: string;
  email: string;
}

/**
 * How the simulated Exchange hands the message to an add-in (DESIGN.md, "Reading the raw message"):
 * - `smime-attachment`: stored as IPM.Note.SMIME(.MultipartSigned): the original blob is the item's
 *   `smime.p7m` attachment and `getAsFileAsync` returns the same bytes;
 * - `reserialized`: no smime.p7m attachment, and `getAsFileAsync` returns a copy the client rebuilt
 *   (classic Outlook from MAPI), which is not byte-exact;
 * - `plain`: an ordinary message.
 */
export type Delivery = 'smime-attachment' | 'reserialized' | 'plain';

export interface MailboxMessage {
  id: string;
  from: MailboxPerson;
  to: MailboxPerson[];
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
  messages: MailboxMessage[];
}

/** URL path (below the server root) where the mailbox folder is served. */
export const MAILBOX_PATH = 'mailbox/';
