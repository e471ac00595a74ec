// EWS responses for the response reader's tests (test/unit/outlook/transport.test.ts in Node with the test
// XML parser, ews-dom.test.ts in Chromium with the real DOMParser).
// Responses as Exchange Server 2016/2019 sends them (prefixes s/m/t and the errors namespace in faults),
// and the same content under other prefixes or default namespaces: the reader goes by namespace only.
export const EWS_NS = {
  soap: 'http://schemas.xmlsoap.org/soap/envelope/',
  m: 'http://schemas.microsoft.com/exchange/services/2006/messages',
  t: 'http://schemas.microsoft.com/exchange/services/2006/types',
  e: 'http://schemas.microsoft.com/exchange/services/2006/errors',
};
export const recordedEws = {
  success:
    `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="${EWS_NS.soap}"><s:Header><h:ServerVersionInfo MajorVersion="15" MinorVersion="2" MajorBuildNumber="1118" MinorBuildNumber="7" xmlns:h="${EWS_NS.t}" xmlns="${EWS_NS.t}" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/></s:Header>` +
    `<s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><m:CreateItemResponse xmlns:m="${EWS_NS.m}" xmlns:t="${EWS_NS.t}"><m:ResponseMessages><m:CreateItemResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:Items /></m:CreateItemResponseMessage></m:ResponseMessages></m:CreateItemResponse></s:Body></s:Envelope>`,
  fault:
    `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="${EWS_NS.soap}"><s:Body><s:Fault><faultcode xmlns:a="${EWS_NS.t}">a:ErrorSchemaValidation</faultcode>` +
    `<faultstring xml:lang="en-US">The request failed schema validation: The 'Id' attribute is invalid.</faultstring><detail>` +
    `<e:ResponseCode xmlns:e="${EWS_NS.e}">ErrorSchemaValidation</e:ResponseCode><e:Message xmlns:e="${EWS_NS.e}">The request failed schema validation.</e:Message>` +
    `<t:MessageXml xmlns:t="${EWS_NS.t}"><t:LineNumber>1</t:LineNumber><t:LinePosition>630</t:LinePosition></t:MessageXml></detail></s:Fault></s:Body></s:Envelope>`,
  busy:
    `<soap:Envelope xmlns:soap="${EWS_NS.soap}"><soap:Body><CreateItemResponse xmlns="${EWS_NS.m}"><ResponseMessages><CreateItemResponseMessage ResponseClass="Error">` +
    `<MessageText>The server cannot service this request right now. Try again later.</MessageText><ResponseCode>ErrorServerBusy</ResponseCode><DescriptiveLinkKey>0</DescriptiveLinkKey>` +
    `<MessageXml><Value xmlns="${EWS_NS.t}" Name="BackOffMilliseconds">297749</Value></MessageXml><Items/></CreateItemResponseMessage></ResponseMessages></CreateItemResponse></soap:Body></soap:Envelope>`,
};


/** Responses and the outcome parseEwsResponse must give for each, under any conforming XML parser. */
export const ewsOutcomes: { name: string; xml: string; outcome: { ok: boolean; fault: boolean; responseCode: string | null; messageText: string | null; backOffMs: number | null } }[] = [
  { name: 'success', xml: recordedEws.success, outcome: { ok: true, fault: false, responseCode: 'NoError', messageText: null, backOffMs: null } },
  { name: 'fault', xml: recordedEws.fault, outcome: { ok: false, fault: true, responseCode: 'ErrorSchemaValidation', messageText: 'The request failed schema validation.', backOffMs: null } },
  {
    name: 'busy',
    xml: recordedEws.busy,
    outcome: { ok: false, fault: false, responseCode: 'ErrorServerBusy', messageText: 'The server cannot service this request right now. Try again later.', backOffMs: 297749 },
  },
  {
    name: 'other prefixes',
    xml: recordedEws.success.replace(/\bs:/g, 'env:').replace(/xmlns:s=/g, 'xmlns:env=').replace(/\bm:/g, 'ews:').replace(/xmlns:m=/g, 'xmlns:ews='),
    outcome: { ok: true, fault: false, responseCode: 'NoError', messageText: null, backOffMs: null },
  },
  { name: 'foreign namespace', xml: recordedEws.success.replace(EWS_NS.m, 'urn:not-ews'), outcome: { ok: false, fault: false, responseCode: null, messageText: null, backOffMs: null } },
  { name: 'undeclared prefix', xml: '<x:CreateItemResponseMessage ResponseClass="Success"></x:CreateItemResponseMessage>', outcome: { ok: false, fault: false, responseCode: null, messageText: null, backOffMs: null } },
  { name: 'not XML', xml: 'not xml at all', outcome: { ok: false, fault: false, responseCode: null, messageText: null, backOffMs: null } },
  { name: 'truncated', xml: recordedEws.success.replace('</s:Envelope>', ''), outcome: { ok: false, fault: false, responseCode: null, messageText: null, backOffMs: null } },
];
