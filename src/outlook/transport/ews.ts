// Sends a protected message through Exchange Web Services, for Exchange Server on-premises only (Exchange
// Online has no legacy tokens any more and switches EWS off from October 2026; ARCHITECTURE.md). The request is
// `CreateItem` with MessageDisposition="SendAndSaveCopy", the message as `<t:MimeContent>` (base64) and
// Sent Items as SavedItemFolderId, sent through `makeEwsRequestAsync` (needs the ReadWriteMailbox
// permission; https://learn.microsoft.com/exchange/client-developer/web-service-reference/createitem,
// .../mimecontent). The draft is then removed with `DeleteItem`. EWS reports failures either as a SOAP
// Fault or as ResponseClass="Error" with a ResponseCode
// (https://learn.microsoft.com/exchange/client-developer/web-service-reference/responsecode); both become
// TransportErrors. makeEwsRequestAsync refuses requests that declare an XML encoding, so there is none.

import { toBase64 } from '../../core/bytes.js';
import { EWS_DEFAULT_MAX_MESSAGE_BYTES, type SizeLimit } from '../../compose/size.js';
import { SignetError, isSignetError } from '../../core/errors.js';
import { makeEwsRequest } from '../office.js';
import { TransportError, serverText, waitPhrase, type Transport } from './transport.js';

export interface EwsTransportOptions {
  /** Sends one SOAP request and returns the response XML; default office.ts makeEwsRequest (makeEwsRequestAsync). */
  request?: (soap: string) => Promise<string>;
  /** The organisation's message size limit; default Exchange Server's 10 MB. */
  maxMessageBytes?: number;
}

const ENVELOPE_OPEN =
  '<soap:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"' +
  ' xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">' +
  '<soap:Header><t:RequestServerVersion Version="Exchange2013"/></soap:Header><soap:Body>';
const ENVELOPE_CLOSE = '</soap:Body></soap:Envelope>';

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** The CreateItem request that sends `mime` and saves the sent copy in Sent Items. */
export function createItemRequest(mime: Uint8Array): string {
  return (
    ENVELOPE_OPEN +
    '<m:CreateItem MessageDisposition="SendAndSaveCopy">' +
    '<m:SavedItemFolderId><t:DistinguishedFolderId Id="sentitems"/></m:SavedItemFolderId>' +
    `<m:Items><t:Message><t:MimeContent CharacterSet="UTF-8">${toBase64(mime)}</t:MimeContent></t:Message></m:Items>` +
    '</m:CreateItem>' +
    ENVELOPE_CLOSE
  );
}

/** The DeleteItem request for a draft: SoftDelete keeps it out of the user's folders (Recoverable Items only). */
export function deleteItemRequest(itemId: string): string {
  return (
    ENVELOPE_OPEN +
    '<m:DeleteItem DeleteType="SoftDelete">' +
    `<m:ItemIds><t:ItemId Id="${xmlEscape(itemId)}"/></m:ItemIds>` +
    '</m:DeleteItem>' +
    ENVELOPE_CLOSE
  );
}

function xmlUnescape(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&amp;/g, '&');
}

/** Text of the first element with this local name (any namespace prefix). */
function elementText(xml: string, local: string): string | null {
  const m = new RegExp(`<(?:[\\w.-]+:)?${local}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:[\\w.-]+:)?${local}>`).exec(xml);
  return m ? xmlUnescape(m[1]!.trim()) : null;
}

export interface EwsOutcome {
  ok: boolean;
  responseCode: string | null;
  messageText: string | null;
  /** EWS throttling: MessageXml's BackOffMilliseconds (ErrorServerBusy). */
  backOffMs: number | null;
  fault: boolean;
}

/** Reads an EWS response: a SOAP Fault, or the first ResponseMessage's class, code and text. */
export function parseEwsResponse(xml: string): EwsOutcome {
  if (/<(?:[\w.-]+:)?Fault[\s>]/.test(xml)) {
    return {
      ok: false,
      fault: true,
      responseCode: elementText(xml, 'ResponseCode') ?? elementText(xml, 'faultcode'),
      messageText: elementText(xml, 'Message') ?? elementText(xml, 'faultstring'),
      backOffMs: null,
    };
  }
  const cls = /ResponseClass="(\w+)"/.exec(xml)?.[1] ?? null;
  const responseCode = elementText(xml, 'ResponseCode');
  const backOff = /Name="BackOffMilliseconds"[^>]*>(\d+)</.exec(xml)?.[1];
  return {
    ok: cls === 'Success' && (responseCode === null || responseCode === 'NoError'),
    fault: false,
    responseCode,
    messageText: elementText(xml, 'MessageText'),
    backOffMs: backOff !== undefined ? Number(backOff) : null,
  };
}

/** Maps an EWS failure to a TransportError with a sentence for the sender. */
export function ewsError(outcome: EwsOutcome, action: 'send' | 'discard'): TransportError {
  const code = outcome.responseCode;
  const detail = serverText(outcome.messageText);
  const said = detail ? ` Exchange said: "${detail}"` : '';
  const what = action === 'send' ? 'The message was not sent.' : 'The draft was not removed.';
  const base = { transport: 'ews' as const, serverCode: code };
  switch (code) {
    case 'ErrorMessageSizeExceeded':
      return new TransportError('message-too-large', `Your Exchange server refused the message as too large. ${what} Remove large attachments, then send again.`, base);
    case 'ErrorServerBusy': {
      const wait = outcome.backOffMs !== null ? outcome.backOffMs / 1000 : null;
      return new TransportError('send-throttled', `Your Exchange server is busy and asked Signet to wait. ${what} Try again ${waitPhrase(wait)}.`, { ...base, retryAfterSeconds: wait });
    }
    case 'ErrorAccessDenied':
    case 'ErrorSendAsDenied':
      return new TransportError('send-unauthorized', `Your Exchange server refused (${code}): you may not send from this address, or Signet lacks mailbox permission. ${what}${said}`, base);
  }
  return new TransportError('send-failed', `Your Exchange server refused the ${action === 'send' ? 'message' : 'request'}${code ? ` (${code})` : ''}. ${what}${said}`, base);
}

async function call(request: (soap: string) => Promise<string>, soap: string, action: 'send' | 'discard'): Promise<void> {
  let xml: string;
  try {
    xml = await request(soap);
  } catch (e) {
    // makeEwsRequestAsync failed: no answer, or an HTTP error Outlook does not pass on.
    const detail = serverText(e instanceof Error ? e.message : String(e));
    if (isSignetError(e, 'timeout')) throw e;
    throw new TransportError('network', `Signet could not reach your Exchange server (${detail}). ${action === 'send' ? 'Check Sent Items before trying again.' : ''}`.trim(), { transport: 'ews', cause: e });
  }
  const outcome = parseEwsResponse(xml);
  if (!outcome.ok) throw ewsError(outcome, action);
}

/** An EWS transport over makeEwsRequestAsync (or an injected request function). */
export function ewsTransport(options: EwsTransportOptions = {}): Transport {
  const request = options.request ?? makeEwsRequest;
  const limit: SizeLimit = { transport: 'ews', maxMessageBytes: options.maxMessageBytes ?? EWS_DEFAULT_MAX_MESSAGE_BYTES };
  return {
    kind: 'ews',
    limit,
    async send(submission: Uint8Array): Promise<void> {
      if (submission.length > limit.maxMessageBytes) {
        throw new SignetError('message-too-large', 'The message is larger than your Exchange server accepts; remove large attachments.');
      }
      await call(request, createItemRequest(submission), 'send');
    },
    async discardDraft(ewsItemId: string): Promise<void> {
      await call(request, deleteItemRequest(ewsItemId), 'discard');
    },
  };
}
