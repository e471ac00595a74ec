// The workbench's simulated Exchange Web Services endpoint (`/ews/exchange.asmx`): the one EWS operation
// Signet uses on Exchange on-premises, CreateItem with MimeContent, MessageDisposition="SendAndSaveCopy"
// and the copy saved to sentitems, reached through Office.js `makeEwsRequestAsync` (fake-office.ts posts
// here), and DeleteItem for the draft Signet removes afterwards. Shapes follow Microsoft's EWS reference:
// "CreateItem operation (email message)"
// (https://learn.microsoft.com/exchange/client-developer/web-service-reference/createitem-operation-email-message)
// for the request and the CreateItemResponse, "MimeContent" (base64 of the whole message, CharacterSet
// attribute), "DeleteItem operation" (DeleteType, ItemIds/ItemId) and "ResponseCode" for the error codes.
// A request that is not a SOAP envelope holding exactly one of those fails like a schema-validation error
// does in EWS: HTTP 500 with a SOAP fault.

import { fromBase64 } from '../src/core/bytes.js';
import { DeliveryRefusal, type RefusalReason } from './delivery.js';
import type { MailStore, SentRecord } from './mail-store.js';
import { parseXml, type XmlElement } from './xml.js';

export const NS_SOAP = 'http://schemas.xmlsoap.org/soap/envelope/';
export const NS_MESSAGES = 'http://schemas.microsoft.com/exchange/services/2006/messages';
export const NS_TYPES = 'http://schemas.microsoft.com/exchange/services/2006/types';

/** Largest request the simulated EWS reads: Exchange's default maximum message size (35 MB) plus base64. */
export const EWS_MAX_REQUEST_BYTES = 48 * 1024 * 1024;

/** The CreateItem request this endpoint accepts, as read from the SOAP body. */
export interface EwsCreateItemRequest {
  messageDisposition: 'SendAndSaveCopy';
  /** t:DistinguishedFolderId/@Id of m:SavedItemFolderId; EWS saves to Sent Items when it is absent. */
  savedItemFolderId: 'sentitems';
  message: {
    /** t:MimeContent: base64 of the RFC 5322 message. */
    mimeContent: { characterSet: string | null; base64: string };
    /** t:BccRecipients/t:Mailbox/t:EmailAddress: envelope recipients given outside the MIME. */
    bccRecipients: string[];
  };
}

/** The DeleteItem request this endpoint accepts (a saved draft). */
export interface EwsDeleteItemRequest {
  deleteType: 'HardDelete' | 'SoftDelete' | 'MoveToDeletedItems';
  itemIds: string[];
}

/** EWS ResponseCode values this endpoint answers with (ResponseCodeType in the EWS schema). */
export type EwsResponseCode =
  | 'NoError'
  | 'ErrorItemNotFound'
  | 'ErrorInvalidRequest'
  | 'ErrorMimeContentInvalidBase64String'
  | 'ErrorMimeContentConversionFailed'
  | 'ErrorInvalidRecipients'
  | 'ErrorSendAsDenied';

export interface EwsResponse {
  status: number;
  /** The SOAP response document. */
  xml: string;
  record?: SentRecord;
}

const REFUSAL: Record<RefusalReason, EwsResponseCode> = {
  'malformed-mime': 'ErrorMimeContentConversionFailed',
  'malformed-address': 'ErrorInvalidRecipients',
  'no-recipients': 'ErrorInvalidRecipients',
  'send-as-denied': 'ErrorSendAsDenied',
};

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

const RESPONSE_HEAD =
  '<?xml version="1.0" encoding="utf-8"?>' +
  `<s:Envelope xmlns:s="${NS_SOAP}"><s:Header><h:ServerVersionInfo xmlns:h="${NS_TYPES}" MajorVersion="15" MinorVersion="2" MajorBuildNumber="1544" MinorBuildNumber="4" Version="V2017_07_11"/></s:Header><s:Body>`;
const RESPONSE_TAIL = '</s:Body></s:Envelope>';

function responseMessage(operation: 'CreateItem' | 'DeleteItem', code: EwsResponseCode, messageText?: string): string {
  const ok = code === 'NoError';
  return (
    `<m:${operation}ResponseMessage ResponseClass="${ok ? 'Success' : 'Error'}">` +
    (ok ? '' : `<m:MessageText>${escapeXml(messageText ?? code)}</m:MessageText>`) +
    `<m:ResponseCode>${code}</m:ResponseCode>` +
    (ok ? '' : '<m:DescriptiveLinkKey>0</m:DescriptiveLinkKey>') +
    (operation === 'CreateItem' ? '<m:Items/>' : '') +
    `</m:${operation}ResponseMessage>`
  );
}

function response(operation: 'CreateItem' | 'DeleteItem', messages: string[]): string {
  return (
    RESPONSE_HEAD +
    `<m:${operation}Response xmlns:m="${NS_MESSAGES}" xmlns:t="${NS_TYPES}"><m:ResponseMessages>${messages.join('')}</m:ResponseMessages></m:${operation}Response>` +
    RESPONSE_TAIL
  );
}

/** A CreateItemResponse with one CreateItemResponseMessage (success: empty Items, as for SendAndSaveCopy). */
export function createItemResponse(code: EwsResponseCode, messageText?: string): string {
  return response('CreateItem', [responseMessage('CreateItem', code, messageText)]);
}

/** The SOAP fault EWS returns (HTTP 500) for a request that fails schema validation. */
export function soapFault(message: string): string {
  return (
    RESPONSE_HEAD +
    `<s:Fault><faultcode xmlns:a="${NS_TYPES}">a:ErrorSchemaValidation</faultcode>` +
    `<faultstring xml:lang="en-US">The request failed schema validation: ${escapeXml(message)}</faultstring>` +
    `<detail><e:ResponseCode xmlns:e="${NS_TYPES}">ErrorSchemaValidation</e:ResponseCode></detail></s:Fault>` +
    RESPONSE_TAIL
  );
}

class SchemaError extends Error {}

function only(parent: XmlElement, ns: string, local: string, optional = false): XmlElement | null {
  const found = parent.children.filter((c) => c.uri === ns && c.local === local);
  if (found.length > 1) throw new SchemaError(`<${parent.name}> holds more than one ${local}.`);
  if (found.length === 0 && !optional) throw new SchemaError(`<${parent.name}> has no ${local}.`);
  return found[0] ?? null;
}

function noOthers(parent: XmlElement, allowed: readonly XmlElement[]): void {
  const extra = parent.children.find((c) => !allowed.includes(c));
  if (extra) throw new SchemaError(`<${extra.name}> is not simulated inside <${parent.name}>.`);
}

/**
 * Reads the SOAP envelope into a CreateItem or DeleteItem request. Structural problems throw SchemaError;
 * values the workbench does not simulate (another disposition or folder) come back as `unsupported`.
 */
export function readEwsRequest(xml: string): EwsCreateItemRequest | EwsDeleteItemRequest | { unsupported: string } {
  let root: XmlElement;
  try {
    root = parseXml(xml);
  } catch (e) {
    throw new SchemaError(e instanceof Error ? e.message : String(e));
  }
  if (root.uri !== NS_SOAP || root.local !== 'Envelope') throw new SchemaError('the document is not a SOAP 1.1 Envelope.');
  const header = only(root, NS_SOAP, 'Header', true);
  const body = only(root, NS_SOAP, 'Body')!;
  noOthers(root, header ? [header, body] : [body]);
  const operation = body.children[0];
  if (body.children.length !== 1 || operation === undefined || operation.uri !== NS_MESSAGES) throw new SchemaError('the SOAP Body must hold one EWS operation.');
  if (operation.local === 'DeleteItem') return readDeleteItem(operation);
  if (operation.local !== 'CreateItem') throw new SchemaError(`${operation.local} is not simulated; the workbench's EWS offers CreateItem and DeleteItem.`);
  const create = operation;
  const disposition = create.attrs.get('MessageDisposition');
  if (disposition === undefined) throw new SchemaError('CreateItem for a message needs MessageDisposition.');
  const saved = only(create, NS_MESSAGES, 'SavedItemFolderId', true);
  const items = only(create, NS_MESSAGES, 'Items')!;
  noOthers(create, saved ? [saved, items] : [items]);
  let folder = 'sentitems';
  if (saved) {
    const distinguished = only(saved, NS_TYPES, 'DistinguishedFolderId')!;
    noOthers(saved, [distinguished]);
    folder = distinguished.attrs.get('Id') ?? '';
  }
  const message = only(items, NS_TYPES, 'Message')!;
  noOthers(items, [message]);
  const mime = only(message, NS_TYPES, 'MimeContent')!;
  const bcc = only(message, NS_TYPES, 'BccRecipients', true);
  noOthers(message, bcc ? [mime, bcc] : [mime]);
  if (message.children[0] !== mime) throw new SchemaError('MimeContent must come first in t:Message (ItemType sequence).');
  const bccRecipients = (bcc?.children ?? []).map((mailbox) => {
    if (mailbox.uri !== NS_TYPES || mailbox.local !== 'Mailbox') throw new SchemaError(`<${mailbox.name}> is not a t:Mailbox.`);
    const address = only(mailbox, NS_TYPES, 'EmailAddress')!;
    return address.text.trim();
  });
  if (disposition !== 'SendAndSaveCopy') return { unsupported: `MessageDisposition="${disposition}" is not simulated; Signet sends with SendAndSaveCopy.` };
  if (folder !== 'sentitems') return { unsupported: `SavedItemFolderId "${folder}" is not simulated; the copy of a sent message goes to sentitems.` };
  return {
    messageDisposition: 'SendAndSaveCopy',
    savedItemFolderId: 'sentitems',
    message: { mimeContent: { characterSet: mime.attrs.get('CharacterSet') ?? null, base64: mime.text }, bccRecipients },
  };
}

const DELETE_TYPES = ['HardDelete', 'SoftDelete', 'MoveToDeletedItems'] as const;

function readDeleteItem(op: XmlElement): EwsDeleteItemRequest {
  const deleteType = op.attrs.get('DeleteType');
  if (!DELETE_TYPES.includes(deleteType as EwsDeleteItemRequest['deleteType'])) throw new SchemaError('DeleteItem needs DeleteType HardDelete, SoftDelete or MoveToDeletedItems.');
  const ids = only(op, NS_MESSAGES, 'ItemIds')!;
  noOthers(op, [ids]);
  if (ids.children.length === 0) throw new SchemaError('ItemIds is empty.');
  const itemIds = ids.children.map((c) => {
    if (c.uri !== NS_TYPES || c.local !== 'ItemId' || !c.attrs.get('Id')) throw new SchemaError(`<${c.name}> is not a t:ItemId with an Id.`);
    return c.attrs.get('Id')!;
  });
  return { deleteType: deleteType as EwsDeleteItemRequest['deleteType'], itemIds };
}

/** Handles one SOAP request to /ews/exchange.asmx (authentication already checked by the caller). */
export function handleEws(body: Uint8Array, store: MailStore): EwsResponse {
  let request: ReturnType<typeof readEwsRequest>;
  try {
    request = readEwsRequest(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch (e) {
    if (e instanceof SchemaError || e instanceof TypeError) return { status: 500, xml: soapFault(e instanceof SchemaError ? e.message : 'the request is not UTF-8.') };
    throw e;
  }
  if ('itemIds' in request) {
    const messages = request.itemIds.map((id) =>
      store.deleteDraft(id) ? responseMessage('DeleteItem', 'NoError') : responseMessage('DeleteItem', 'ErrorItemNotFound', 'The specified object was not found in the store.'),
    );
    return { status: 200, xml: response('DeleteItem', messages) };
  }
  if ('unsupported' in request) return { status: 200, xml: createItemResponse('ErrorInvalidRequest', request.unsupported) };
  let eml: Uint8Array;
  try {
    eml = fromBase64(request.message.mimeContent.base64);
  } catch {
    return { status: 200, xml: createItemResponse('ErrorMimeContentInvalidBase64String', 'The MimeContent is not valid base64.') };
  }
  if (eml.length === 0) return { status: 200, xml: createItemResponse('ErrorMimeContentInvalidBase64String', 'The MimeContent is empty.') };
  try {
    const record = store.deliver(eml, 'ews', request.message.bccRecipients);
    return { status: 200, xml: createItemResponse('NoError'), record };
  } catch (e) {
    if (!(e instanceof DeliveryRefusal)) throw e;
    return { status: 200, xml: createItemResponse(REFUSAL[e.reason], e.message) };
  }
}
