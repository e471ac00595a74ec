// The message handed to the mail server differs from the one recipients get in one way: Bcc. Graph's MIME
// sendMail and EWS CreateItem with MimeContent take the recipients from the To, Cc and Bcc fields of the
// submitted MIME (there is no separate envelope in either API), and Exchange turns a Bcc field into blind
// recipients that it does not transmit — the RFC 5322 §3.6.3 "first method". So the Bcc field is added as
// an outer header of the already protected message: outside the signed and encrypted entity (RFC 8551
// §3.1), so no signature covers it and no recipient's decrypted content contains it, and the Sent Items
// copy Exchange keeps shows it to the sender, as Outlook's own copy would.
//
// Known S/MIME limit (not Signet's): every encryption recipient can see how many RecipientInfos the
// message has and their certificates' issuer and serial number, Bcc recipients' included.

import { concat, utf8 } from '../core/bytes.js';
import { encodeAddressList } from '../core/mime/builder.js';
import { foldHeader } from '../core/mime/header-encoder.js';
import type { MailAddress } from './draft.js';

/** The protected message with a leading Bcc field for the server, or the message itself when there is no Bcc. */
export function withBccForSubmission(protectedMessage: Uint8Array, bcc: readonly MailAddress[]): Uint8Array {
  if (bcc.length === 0) return protectedMessage;
  const value = encodeAddressList(bcc.map((a) => ({ name: a.name.trim() || null, address: a.address.trim() })));
  return concat([utf8(foldHeader('Bcc', value)), protectedMessage]);
}
