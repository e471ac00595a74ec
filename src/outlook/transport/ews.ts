// Sends a protected message through Exchange Web Services, for Exchange Server on-premises only (Exchange
// Online has no legacy tokens any more and switches EWS off from October 2026; ARCHITECTURE.md). The request is
// `CreateItem` with MessageDisposition="SendAndSaveCopy", the message as `<t:MimeContent>` (base64) and
// Sent Items as SavedItemFolderId, sent through `makeEwsRequestAsync` (needs the ReadWriteMailbox
// permission; https://learn.microsoft.com/exchange/client-developer/web-service-reference/createitem,
// .../mimecontent). The draft is then removed with `DeleteItem`. EWS reports failures either as a SOAP
// Fault or as ResponseClass="Error" with a ResponseCode
// (https://learn.microsoft.com/exchange/client-developer/web-service-reference/responsecode); both become
// TransportErrors. makeEwsRequestAsync refuses requests that declare an XML encoding, so there is none.
// Responses are read with the platform's DOMParser, by namespace (parseEwsResponse).

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
  /** Reads the response XML; default the platform's DOMParser. */
  xmlParser?: XmlParser;
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

/** Namespaces of EWS responses (https://learn.microsoft.com/exchange/client-developer/web-service-reference/ews-xml-elements-in-exchange). */
const NS_MESSAGES = 'http://schemas.microsoft.com/exchange/services/2006/messages';
const NS_TYPES = 'http://schemas.microsoft.com/exchange/services/2006/types';
const NS_ERRORS = 'http://schemas.microsoft.com/exchange/services/2006/errors';
/** SOAP 1.1 (what EWS speaks) and SOAP 1.2 envelopes. */
const NS_SOAP = ['http://schemas.xmlsoap.org/soap/envelope/', 'http://www.w3.org/2003/05/soap-envelope'];
const PARSER_ERROR_NS = ['http://www.w3.org/1999/xhtml', 'http://www.mozilla.org/newlayout/xml/parsererror.xml'];

/** The part of the DOM the EWS reader uses: the pane's DOMParser gives it, and so can a test's. */
export interface XmlElementLike {
  readonly localName: string;
  readonly namespaceURI: string | null;
  readonly textContent: string | null;
  getAttribute(name: string): string | null;
  getElementsByTagNameNS(namespace: string, localName: string): ArrayLike<XmlElementLike>;
}
export interface XmlParser {
  parseFromString(text: string, type: 'text/xml'): { readonly documentElement: XmlElementLike | null };
}

/** The platform's DOMParser (the task pane and the browser event runtime have one; Node has none). */
function platformXmlParser(): XmlParser {
  if (typeof DOMParser === 'undefined') throw new Error('No DOMParser in this runtime: pass an XmlParser.');
  return new DOMParser();
}

const elements = (root: XmlElementLike, namespaces: readonly string[], local: string): XmlElementLike[] =>
  namespaces.flatMap((ns) => Array.from(root.getElementsByTagNameNS(ns, local)));

/** Trimmed text of the first element with this local name in one of these namespaces, or null. */
function firstText(root: XmlElementLike, namespaces: readonly string[], local: string): string | null {
  const e = elements(root, namespaces, local)[0];
  return e ? (e.textContent ?? '').trim() : null;
}

export interface EwsOutcome {
  ok: boolean;
  responseCode: string | null;
  messageText: string | null;
  /** EWS throttling: MessageXml's BackOffMilliseconds (ErrorServerBusy). */
  backOffMs: number | null;
  fault: boolean;
}

/**
 * Reads an EWS response with a namespace-aware XML parser: a SOAP Fault (its detail's ResponseCode and
 * Message, else faultcode and faultstring), or the first ResponseMessage's ResponseClass, ResponseCode,
 * MessageText and MessageXml BackOffMilliseconds. Prefixes are whatever the server chose; what counts is
 * the namespace. Anything that is not well-formed XML with a SOAP envelope is a failure with no code.
 */
export function parseEwsResponse(xml: string, parser: XmlParser = platformXmlParser()): EwsOutcome {
  const unreadable: EwsOutcome = { ok: false, fault: false, responseCode: null, messageText: null, backOffMs: null };
  const root = parser.parseFromString(xml, 'text/xml').documentElement;
  if (!root || root.localName !== 'Envelope' || !NS_SOAP.includes(root.namespaceURI ?? '')) return unreadable;
  // XML that is not well-formed gives a document holding a <parsererror> element (DOM Parsing and
  // Serialization §3.2; Chromium and WebKit put it inside what was parsed so far, Firefox makes it the root).
  if (elements(root, PARSER_ERROR_NS, 'parsererror').length > 0) return unreadable;
  const fault = elements(root, NS_SOAP, 'Fault')[0];
  if (fault) {
    const detailNs = [NS_ERRORS, NS_TYPES, NS_MESSAGES];
    return {
      ok: false,
      fault: true,
      // SOAP 1.1 faultcode and faultstring are unqualified (SOAP 1.1 §4.4).
      responseCode: firstText(fault, detailNs, 'ResponseCode') ?? firstText(fault, [''], 'faultcode'),
      messageText: firstText(fault, detailNs, 'Message') ?? firstText(fault, [''], 'faultstring'),
      backOffMs: null,
    };
  }
  const message = Array.from(root.getElementsByTagNameNS(NS_MESSAGES, '*')).find((e) => e.getAttribute('ResponseClass') !== null);
  if (!message) return unreadable;
  const responseCode = firstText(message, [NS_MESSAGES], 'ResponseCode');
  const backOff = elements(message, [NS_TYPES], 'Value').find((v) => v.getAttribute('Name') === 'BackOffMilliseconds');
  const backOffText = backOff ? (backOff.textContent ?? '').trim() : '';
  return {
    ok: message.getAttribute('ResponseClass') === 'Success' && (responseCode === null || responseCode === 'NoError'),
    fault: false,
    responseCode,
    messageText: firstText(message, [NS_MESSAGES], 'MessageText'),
    backOffMs: /^\d{1,9}$/.test(backOffText) ? Number(backOffText) : null,
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

async function call(request: (soap: string) => Promise<string>, soap: string, action: 'send' | 'discard', parser: XmlParser | undefined): Promise<void> {
  let xml: string;
  try {
    xml = await request(soap);
  } catch (e) {
    // makeEwsRequestAsync failed: no answer, or an HTTP error Outlook does not pass on.
    const detail = serverText(e instanceof Error ? e.message : String(e));
    if (isSignetError(e, 'timeout')) throw e;
    throw new TransportError('network', `Signet could not reach your Exchange server (${detail}). ${action === 'send' ? 'Check Sent Items before trying again.' : ''}`.trim(), { transport: 'ews', cause: e });
  }
  const outcome = parseEwsResponse(xml, parser);
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
      await call(request, createItemRequest(submission), 'send', options.xmlParser);
    },
    async discardDraft(ewsItemId: string): Promise<void> {
      await call(request, deleteItemRequest(ewsItemId), 'discard', options.xmlParser);
    },
  };
}
