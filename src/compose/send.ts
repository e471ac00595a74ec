// The one send path for protected mail, shared by the compose pane's "Sign & Send" and the send-time event
// handler: protect the draft for the transport's size limit (protect-draft.ts), then hand the result to
// the transport (Graph sendMail or EWS CreateItem, src/outlook/transport). Nothing is sent unless the
// protected message was produced in full.

import { protectDraft, type ProtectDraftOptions, type ProtectedDraft } from './protect-draft.js';
import type { SizeLimit } from './size.js';

/** What compose needs of a transport; src/outlook/transport implements it for Graph and EWS. */
export interface MessageTransport {
  readonly limit: SizeLimit;
  /** Submits a whole RFC 5322 message (with its Bcc field, see submission.ts) for delivery. */
  send(submission: Uint8Array): Promise<void>;
}

export interface SendProtectedOptions extends Omit<ProtectDraftOptions, 'limit'> {
  transport: MessageTransport;
}

export async function sendProtected(options: SendProtectedOptions): Promise<ProtectedDraft> {
  const protectedDraft = await protectDraft({ ...options, limit: options.transport.limit });
  await options.transport.send(protectedDraft.submission);
  return protectedDraft;
}
