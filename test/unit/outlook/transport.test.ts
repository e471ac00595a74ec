// The transports (src/outlook/transport) against a local node:http server on 127.0.0.1 that checks the
// documented request shapes — Graph `POST /me/sendMail` (text/plain, base64 MIME, Bearer token, 202) and
// `DELETE /me/messages/{id}` (204); EWS `CreateItem` SendAndSaveCopy + MimeContent + sentitems and
// `DeleteItem` — and answers with Graph's error JSON or EWS's ResponseCodes and SOAP faults, which must come
// back as typed errors with plain messages. Also the choice of transport by environment.
import { test, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fromBase64, utf8 } from '../../../src/core/bytes.js';
import { isSignetError } from '../../../src/core/errors.js';
import { graphTransport, retryAfterSeconds } from '../../../src/outlook/transport/graph.js';
import { createItemRequest, deleteItemRequest, ewsTransport, parseEwsResponse } from '../../../src/outlook/transport/ews.js';
import { chooseTransport, createTransport, currentEnvironment, isExchangeOnline, TransportError, type TransportEnvironment } from '../../../src/outlook/transport/index.js';
import { setDevelopmentHooks } from '../../../src/outlook/development-hooks.js';
import { installCompose, uninstallOffice } from '../../helpers/office-compose.js';
import { testXmlParser } from '../../helpers/xml-parser.js';
import { EWS_NS as NS, recordedEws as recorded } from '../../helpers/ews-responses.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Reply = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

const seen: Seen[] = [];
let replies: Reply[] = [];

const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('latin1') });
    const reply = replies.shift() ?? { status: 500, body: '{"error":{"code":"NoReplyConfigured","message":"test bug"}}' };
    if (reply === 'hang') return;
    res.writeHead(reply.status, reply.headers ?? {});
    res.end(reply.body ?? '');
  });
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
after(() => {
  server.closeAllConnections();
  server.close();
});
afterEach(() => {
  seen.length = 0;
  replies = [];
  uninstallOffice();
});

const MIME = utf8('Bcc: carol@example.org\r\nFrom: alice@example.org\r\nTo: bob@example.org\r\nMIME-Version: 1.0\r\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data\r\n\r\nMIAGCSqGSIb3DQEHA6CAMIACAQAx\r\n');

function graph(options: { timeoutMs?: number } = {}) {
  return graphTransport({ baseUrl: `${origin}/graph/v1.0`, token: async () => 'tok-123', ...options });
}

const graphError = (code: string, message: string) => JSON.stringify({ error: { code, message, innerError: { 'request-id': 'r1' } } });

test('Graph sendMail: POST /me/sendMail, Bearer token, text/plain, the whole MIME as one base64 string; 202 = sent', async () => {
  replies = [{ status: 202 }];
  await graph().send(MIME);
  assert.equal(seen.length, 1);
  const r = seen[0]!;
  assert.equal(r.method, 'POST');
  assert.equal(r.url, '/graph/v1.0/me/sendMail');
  assert.equal(r.headers.authorization, 'Bearer tok-123');
  assert.equal(r.headers['content-type'], 'text/plain');
  assert.match(r.body, /^[A-Za-z0-9+/]+=*$/, 'one base64 string without line breaks');
  assert.deepEqual(fromBase64(r.body), MIME);
});

test('Graph discard: DELETE /me/messages/{REST id}; the EWS id is converted to the URL-safe form', async () => {
  replies = [{ status: 204 }];
  await graph().discardDraft('AAMkAD/x+y=');
  assert.equal(seen[0]!.method, 'DELETE');
  assert.equal(seen[0]!.url, '/graph/v1.0/me/messages/AAMkAD-x_y%3D');
  assert.equal(seen[0]!.headers.authorization, 'Bearer tok-123');
});

test('Graph discard inside Outlook: the id is converted with convertToRestId (v2.0)', async () => {
  installCompose();
  const mailbox = (globalThis as unknown as { Office: { context: { mailbox: Record<string, unknown> } } }).Office.context.mailbox;
  mailbox['convertToRestId'] = (id: string, version: string) => `rest:${version}:${id}`;
  replies = [{ status: 204 }];
  await graph().discardDraft('AAMk');
  assert.equal(seen[0]!.url, '/graph/v1.0/me/messages/rest%3Av2.0%3AAAMk');
});

const graphCases: { name: string; reply: Reply; code: string; check: (e: TransportError) => void }[] = [
  { name: '401', reply: { status: 401, body: graphError('InvalidAuthenticationToken', 'Access token has expired.') }, code: 'send-unauthorized', check: (e) => assert.match(e.message, /sign in again/) },
  {
    name: '403 ErrorSendAsDenied',
    reply: { status: 403, body: graphError('ErrorSendAsDenied', 'The user account which was used to submit this request does not have the right to send mail on behalf of the specified sending account.') },
    code: 'send-unauthorized',
    check: (e) => {
      assert.equal(e.serverCode, 'ErrorSendAsDenied');
      assert.match(e.message, /does not have the right to send mail/);
    },
  },
  { name: '413', reply: { status: 413, body: '' }, code: 'message-too-large', check: (e) => assert.match(e.message, /Remove large attachments/) },
  { name: '400 ErrorMessageSizeExceeded', reply: { status: 400, body: graphError('ErrorMessageSizeExceeded', 'too big') }, code: 'message-too-large', check: () => undefined },
  {
    name: '429 with Retry-After',
    reply: { status: 429, headers: { 'Retry-After': '7' }, body: graphError('ApplicationThrottled', 'slow down') },
    code: 'send-throttled',
    check: (e) => {
      assert.equal(e.retryAfterSeconds, 7);
      assert.match(e.message, /Try again in 7 seconds/);
    },
  },
  { name: '503 with Retry-After', reply: { status: 503, headers: { 'Retry-After': '120' } }, code: 'send-throttled', check: (e) => assert.match(e.message, /in 2 minutes/) },
  { name: '500', reply: { status: 500, body: graphError('ErrorInternalServerError', 'oops') }, code: 'send-failed', check: (e) => assert.match(e.message, /check Sent Items/) },
  {
    name: '400 ErrorInvalidRecipients',
    reply: { status: 400, body: graphError('ErrorInvalidRecipients', 'At least one recipient is not valid.') },
    code: 'send-failed',
    check: (e) => {
      assert.equal(e.status, 400);
      assert.match(e.message, /At least one recipient is not valid/);
    },
  },
  { name: '400 with HTML instead of JSON', reply: { status: 400, body: '<html><b>Bad</b> gateway</html>' }, code: 'send-failed', check: (e) => assert.doesNotMatch(e.message, /<b>/) },
];

for (const c of graphCases) {
  test(`Graph error ${c.name} → ${c.code}`, async () => {
    replies = [c.reply];
    await assert.rejects(graph().send(MIME), (e: Error) => {
      assert.ok(e instanceof TransportError, String(e));
      assert.equal(e.code, c.code);
      assert.equal(e.transport, 'graph');
      c.check(e);
      return true;
    });
  });
}

test('Graph: nothing listening → network; no answer in time → timeout', async () => {
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  await assert.rejects(graphTransport({ baseUrl: `http://127.0.0.1:${port}/v1.0`, token: async () => 't' }).send(MIME), (e: Error) => isSignetError(e, 'network') && /Nothing was sent/.test(e.message));
  replies = ['hang'];
  await assert.rejects(graph({ timeoutMs: 300 }).send(MIME), (e: Error) => isSignetError(e, 'timeout') && /check Sent Items/i.test(e.message));
});

test('Graph: a message over the limit is refused without a request; a failing token source sends nothing', async () => {
  await assert.rejects(graph().send(new Uint8Array(3 * 1024 * 1024 + 1)), (e: Error) => isSignetError(e, 'message-too-large'));
  await assert.rejects(
    graphTransport({ baseUrl: `${origin}/graph/v1.0`, token: async () => Promise.reject(new TransportError('send-unauthorized', 'sign in', { transport: 'graph' })) }).send(MIME),
    (e: Error) => isSignetError(e, 'send-unauthorized'),
  );
  assert.equal(seen.length, 0);
});

test('Retry-After as seconds or as an HTTP date', () => {
  assert.equal(retryAfterSeconds('30'), 30);
  assert.equal(retryAfterSeconds(new Date(Date.UTC(2026, 0, 1, 0, 1, 0)).toUTCString(), Date.UTC(2026, 0, 1, 0, 0, 0)), 60);
  assert.equal(retryAfterSeconds(null), null);
  assert.equal(retryAfterSeconds('soon'), null);
});

// ---- EWS -------------------------------------------------------------------------------------------------

async function ewsPost(soap: string): Promise<string> {
  const res = await fetch(`${origin}/ews/exchange.asmx`, { method: 'POST', headers: { 'Content-Type': 'text/xml; charset=utf-8' }, body: soap });
  return res.text();
}

const envelope = (body: string) =>
  `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>${body}</s:Body></s:Envelope>`;
const createItemResponse = (cls: string, code: string, text = '', extra = '') =>
  envelope(
    `<m:CreateItemResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><m:ResponseMessages><m:CreateItemResponseMessage ResponseClass="${cls}">` +
      (text ? `<m:MessageText>${text}</m:MessageText>` : '') +
      `<m:ResponseCode>${code}</m:ResponseCode>${extra}<m:Items/></m:CreateItemResponseMessage></m:ResponseMessages></m:CreateItemResponse>`,
  );

test('EWS CreateItem: SendAndSaveCopy, Sent Items, the MIME as MimeContent base64, no XML declaration', async () => {
  replies = [{ status: 200, headers: { 'Content-Type': 'text/xml' }, body: createItemResponse('Success', 'NoError') }];
  await ewsTransport({ request: ewsPost, xmlParser: testXmlParser }).send(MIME);
  const soap = seen[0]!.body;
  assert.doesNotMatch(soap, /^<\?xml/);
  assert.match(soap, /<m:CreateItem MessageDisposition="SendAndSaveCopy">/);
  assert.match(soap, /<m:SavedItemFolderId><t:DistinguishedFolderId Id="sentitems"\/><\/m:SavedItemFolderId>/);
  const b64 = /<t:MimeContent CharacterSet="UTF-8">([A-Za-z0-9+/=]+)<\/t:MimeContent>/.exec(soap)?.[1];
  assert.ok(b64);
  assert.deepEqual(fromBase64(b64), MIME);
  assert.match(soap, /xmlns:soap="http:\/\/schemas\.xmlsoap\.org\/soap\/envelope\/"/);
  assert.equal(soap, createItemRequest(MIME));
});

const ewsCases: { name: string; body: string; code: string; check?: (e: TransportError) => void }[] = [
  { name: 'ErrorMessageSizeExceeded', body: createItemResponse('Error', 'ErrorMessageSizeExceeded', 'The message exceeds the maximum supported size.'), code: 'message-too-large' },
  {
    name: 'ErrorServerBusy with BackOffMilliseconds',
    body: createItemResponse('Error', 'ErrorServerBusy', 'The server cannot service this request right now.', '<m:MessageXml><t:Value Name="BackOffMilliseconds">30000</t:Value></m:MessageXml>'),
    code: 'send-throttled',
    check: (e) => {
      assert.equal(e.retryAfterSeconds, 30);
      assert.match(e.message, /in 30 seconds/);
    },
  },
  { name: 'ErrorSendAsDenied', body: createItemResponse('Error', 'ErrorSendAsDenied', 'Send as denied.'), code: 'send-unauthorized', check: (e) => assert.equal(e.serverCode, 'ErrorSendAsDenied') },
  {
    name: 'SOAP fault',
    body: envelope('<s:Fault><faultcode xmlns:a="http://schemas.microsoft.com/exchange/services/2006/types">a:ErrorSchemaValidation</faultcode><faultstring xml:lang="en-US">The request failed schema validation.</faultstring></s:Fault>'),
    code: 'send-failed',
    check: (e) => assert.match(e.message, /failed schema validation/),
  },
  { name: 'another error', body: createItemResponse('Error', 'ErrorInvalidRecipients', 'At least one recipient isn&apos;t valid.'), code: 'send-failed', check: (e) => assert.match(e.message, /recipient isn't valid/) },
];

for (const c of ewsCases) {
  test(`EWS ${c.name} → ${c.code}`, async () => {
    replies = [{ status: 200, body: c.body }];
    await assert.rejects(ewsTransport({ request: ewsPost, xmlParser: testXmlParser }).send(MIME), (e: Error) => {
      assert.ok(e instanceof TransportError, String(e));
      assert.equal(e.code, c.code);
      assert.equal(e.transport, 'ews');
      c.check?.(e);
      return true;
    });
  });
}

test('EWS DeleteItem for the draft: SoftDelete, the id XML-escaped', async () => {
  replies = [{ status: 200, body: envelope('<m:DeleteItemResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"><m:ResponseMessages><m:DeleteItemResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode></m:DeleteItemResponseMessage></m:ResponseMessages></m:DeleteItemResponse>') }];
  await ewsTransport({ request: ewsPost, xmlParser: testXmlParser }).discardDraft('AAMk"<&>');
  assert.match(seen[0]!.body, /<m:DeleteItem DeleteType="SoftDelete"><m:ItemIds><t:ItemId Id="AAMk&quot;&lt;&amp;&gt;"\/><\/m:ItemIds><\/m:DeleteItem>/);
  assert.equal(seen[0]!.body, deleteItemRequest('AAMk"<&>'));
});

test('EWS through makeEwsRequestAsync (office.ts): success, and a failed call becomes a network error', async () => {
  installCompose({ ews: (soap) => ewsPost(soap) });
  replies = [{ status: 200, body: createItemResponse('Success', 'NoError') }];
  await ewsTransport({ xmlParser: testXmlParser }).send(MIME);
  assert.match(seen[0]!.body, /SendAndSaveCopy/);
  installCompose({ failures: ['ews'] });
  await assert.rejects(ewsTransport({ xmlParser: testXmlParser }).send(MIME), (e: Error) => isSignetError(e, 'network') && /Exchange server/.test(e.message));
});

test('EWS responses are read by namespace: recorded shapes, other prefixes, default namespaces', () => {
  assert.deepEqual(parseEwsResponse(recorded.success, testXmlParser), { ok: true, fault: false, responseCode: 'NoError', messageText: null, backOffMs: null });
  assert.deepEqual(parseEwsResponse(recorded.fault, testXmlParser), {
    ok: false,
    fault: true,
    responseCode: 'ErrorSchemaValidation',
    messageText: 'The request failed schema validation.',
    backOffMs: null,
  });
  assert.deepEqual(parseEwsResponse(recorded.busy, testXmlParser), {
    ok: false,
    fault: false,
    responseCode: 'ErrorServerBusy',
    messageText: 'The server cannot service this request right now. Try again later.',
    backOffMs: 297749,
  });
  // The same success under prefixes other than s/m/t, and without any ResponseCode.
  const renamed = recorded.success.replace(/\bs:/g, 'env:').replace(/xmlns:s=/g, 'xmlns:env=').replace(/\bm:/g, 'ews:').replace(/xmlns:m=/g, 'xmlns:ews=');
  assert.equal(parseEwsResponse(renamed, testXmlParser).ok, true);
  const noCode = `<x:Envelope xmlns:x="${NS.soap}"><x:Body><y:CreateItemResponseMessage xmlns:y="${NS.m}" ResponseClass="Success"/></x:Body></x:Envelope>`;
  assert.equal(parseEwsResponse(noCode, testXmlParser).ok, true);
  // A fault without EWS detail: faultcode and faultstring.
  const bare = `<S:Envelope xmlns:S="${NS.soap}"><S:Body><S:Fault><faultcode>S:Client</faultcode><faultstring>Bad request</faultstring></S:Fault></S:Body></S:Envelope>`;
  assert.deepEqual(parseEwsResponse(bare, testXmlParser), { ok: false, fault: true, responseCode: 'S:Client', messageText: 'Bad request', backOffMs: null });
});

test('EWS responses that only look right are not success: wrong namespace, no envelope, not XML, a warning', () => {
  const foreign = recorded.success.replace(NS.m, 'urn:not-ews');
  assert.equal(parseEwsResponse(foreign, testXmlParser).ok, false);
  const undeclared = '<x:CreateItemResponseMessage ResponseClass="Success"></x:CreateItemResponseMessage>';
  assert.equal(parseEwsResponse(undeclared, testXmlParser).ok, false);
  const bareMessage = `<CreateItemResponseMessage xmlns="${NS.m}" ResponseClass="Success"/>`;
  assert.equal(parseEwsResponse(bareMessage, testXmlParser).ok, false);
  assert.equal(parseEwsResponse('not xml at all', testXmlParser).ok, false);
  assert.equal(parseEwsResponse(recorded.success.replace('</s:Envelope>', ''), testXmlParser).ok, false);
  // The success string inside a comment or text is not a response.
  const inText = `<s:Envelope xmlns:s="${NS.soap}"><s:Body><!-- <m:CreateItemResponseMessage ResponseClass="Success"> --><p>ResponseClass="Success"</p></s:Body></s:Envelope>`;
  assert.equal(parseEwsResponse(inText, testXmlParser).ok, false);
  const warning = recorded.success.replace('ResponseClass="Success"', 'ResponseClass="Warning"').replace('NoError', 'ErrorX');
  assert.deepEqual(parseEwsResponse(warning, testXmlParser), { ok: false, fault: false, responseCode: 'ErrorX', messageText: null, backOffMs: null });
});

// ---- choosing a transport --------------------------------------------------------------------------------

const NAA = { clientId: '11111111-2222-3333-4444-555555555555', authority: 'https://login.microsoftonline.com/contoso.onmicrosoft.com' };
const env = (over: Partial<TransportEnvironment>): TransportEnvironment => ({
  graph: null,
  naaSupported: false,
  developmentGraph: null,
  endpoints: { hostName: 'OutlookWebApp', ewsUrl: null, restUrl: null },
  ...over,
});

test('Exchange Online is recognised by its EWS / REST host in every Microsoft cloud', () => {
  const online = (ewsUrl: string | null, restUrl: string | null = null) => isExchangeOnline({ hostName: null, ewsUrl, restUrl });
  assert.equal(online('https://outlook.office365.com/EWS/Exchange.asmx'), true);
  assert.equal(online(null, 'https://outlook.office.com/api'), true);
  assert.equal(online('https://outlook.office365.us/EWS/Exchange.asmx'), true);
  assert.equal(online('https://partner.outlook.cn/EWS/Exchange.asmx'), true);
  assert.equal(online('https://mail.contoso.com/EWS/Exchange.asmx'), false);
  assert.equal(online('https://office365.com.evil.example/EWS/Exchange.asmx'), false);
  assert.equal(online(null, null), null);
  assert.equal(online('not a url'), null);
});

test('the transport rule: an injected development Graph, then Graph + NAA, EWS only on-premises, otherwise a reason for the admin', () => {
  const exo = { hostName: 'OutlookWebApp', ewsUrl: 'https://outlook.office365.com/EWS/Exchange.asmx', restUrl: null };
  const onPrem = { hostName: 'Outlook', ewsUrl: 'https://mail.contoso.com/EWS/Exchange.asmx', restUrl: null };
  assert.deepEqual(chooseTransport(env({ developmentGraph: { baseUrl: 'http://x/graph/v1.0', accessToken: 't' }, endpoints: onPrem })).kind, 'graph');
  assert.deepEqual(chooseTransport(env({ graph: NAA, naaSupported: true, endpoints: exo })), { kind: 'graph', via: 'naa', config: NAA });
  assert.deepEqual(chooseTransport(env({ endpoints: onPrem })), { kind: 'ews' });
  assert.deepEqual(chooseTransport(env({ graph: NAA, naaSupported: false, endpoints: onPrem })), { kind: 'ews' });
  const noGraph = chooseTransport(env({ endpoints: exo }));
  assert.equal(noGraph.kind, 'none');
  assert.match((noGraph as { reason: string }).reason, /administrator/);
  const noNaa = chooseTransport(env({ graph: NAA, naaSupported: false, endpoints: exo }));
  assert.match((noNaa as { reason: string }).reason, /Nested App Authentication/);
  assert.equal(chooseTransport(env({})).kind, 'none');
  // Never EWS on Exchange Online, whatever else is missing.
  for (const e of [env({ endpoints: exo }), env({ graph: NAA, endpoints: exo })]) assert.notEqual(chooseTransport(e).kind, 'ews');
  assert.throws(() => createTransport(env({ endpoints: exo }), { interactive: false }), (e: Error) => isSignetError(e, 'usage'));
});

test('currentEnvironment reads Outlook and the injected development hooks, never a page global; createTransport then sends to the injected Graph', async () => {
  installCompose({ naa: true, ewsUrl: 'https://outlook.office365.com/EWS/Exchange.asmx' });
  // A page global (what the shipped pane once read) changes nothing.
  const g = globalThis as { signetWorkbench?: unknown };
  g.signetWorkbench = { graph: { baseUrl: 'https://attacker.example/graph', accessToken: 'stolen' } };
  assert.equal(currentEnvironment({ graph: NAA }).developmentGraph, null);
  delete g.signetWorkbench;
  setDevelopmentHooks({ graph: { baseUrl: `${origin}/graph/v1.0`, accessToken: 'workbench-token' } });
  try {
    const e = currentEnvironment({ graph: NAA });
    assert.equal(e.naaSupported, true);
    assert.equal(e.endpoints.ewsUrl, 'https://outlook.office365.com/EWS/Exchange.asmx');
    assert.deepEqual(e.developmentGraph, { baseUrl: `${origin}/graph/v1.0`, accessToken: 'workbench-token' });
    replies = [{ status: 202 }];
    const t = createTransport(e, { interactive: false });
    assert.equal(t.kind, 'graph');
    await t.send(MIME);
    assert.equal(seen[0]!.headers.authorization, 'Bearer workbench-token');
  } finally {
    setDevelopmentHooks(null);
  }
});
