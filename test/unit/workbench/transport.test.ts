// The workbench's simulated Exchange over real HTTP (node:http against startServer on 127.0.0.1): Graph
// sendMail in MIME form and EWS CreateItem with MimeContent accept exactly the documented request shapes
// and refuse the rest with their protocol's error (Graph JSON error codes, EWS ResponseCodes and SOAP
// faults), enforce Graph's 4 MB request limit and the bearer token, deliver into Sent Items (always) and
// the Inbox (owner among To/Cc/Bcc, without Bcc), keep S/MIME as smime.p7m items, persist across a
// restart, and honour the fail-next test hook. Cross-origin POSTs are refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request, type IncomingHttpHeaders } from 'node:http';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromBase64, toBase64, utf8 } from '../../../src/core/bytes.js';
import { buildMessage } from '../../../src/core/mime/builder.js';
import { parseMime } from '../../../src/core/mime/parser.js';
import { GRAPH_MAX_REQUEST_BYTES } from '../../../workbench/graph.js';
import { NS_MESSAGES, NS_SOAP, NS_TYPES } from '../../../workbench/ews.js';
import type { MailboxMessage, MailboxPerson } from '../../../workbench/mailbox.js';
import { MailStore, type SentRecord } from '../../../workbench/mail-store.js';
import { startServer, type RunningServer } from '../../../workbench/server.js';

const OWNER: MailboxPerson = { name: 'Dana Reader', email: 'dana@example.org' };
const SHARED: MailboxPerson = { name: 'Example Support', email: 'support@example.org' };
const TOKEN = 'workbench-token';

let base: string;
let storeDir: string;
let server: RunningServer;

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

function http(method: string, path: string, headers: Record<string, string> = {}, body?: Uint8Array | string, target: RunningServer = server): Promise<Reply> {
  const url = new URL(target.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const all = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: all, text: all.toString('utf8') });
      });
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : typeof body === 'string' ? body : Buffer.from(body));
  });
}

function message(opts: { from?: string; to?: string; cc?: string; bcc?: string; subject?: string; body?: string } = {}): Uint8Array {
  const headers: [string, string][] = [['From', opts.from ?? 'Dana Reader <dana@example.org>']];
  if (opts.to !== undefined) headers.push(['To', opts.to]);
  if (opts.cc !== undefined) headers.push(['Cc', opts.cc]);
  if (opts.bcc !== undefined) headers.push(['Bcc', opts.bcc]);
  headers.push(['Subject', opts.subject ?? 'Workbench test'], ['Date', 'Tue, 23 Apr 2024 12:50:06 +0000'], ['Message-ID', `<${Math.random().toString(16).slice(2)}@workbench.test>`]);
  return buildMessage({ contentType: 'text/plain', headers, body: opts.body ?? 'Hello from the transport test.\r\n' });
}

const graphHeaders = (extra: Record<string, string> = {}) => ({ Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'text/plain', ...extra });

function sendGraph(eml: Uint8Array, headers: Record<string, string> = graphHeaders()): Promise<Reply> {
  return http('POST', '/graph/v1.0/me/sendMail', headers, toBase64(eml, 76).replace(/\n/g, '\r\n'));
}

function soap(inner: string): string {
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    `<soap:Envelope xmlns:soap="${NS_SOAP}" xmlns:t="${NS_TYPES}" xmlns:m="${NS_MESSAGES}">` +
    '<soap:Header><t:RequestServerVersion Version="Exchange2013"/></soap:Header>' +
    `<soap:Body>${inner}</soap:Body></soap:Envelope>`
  );
}

function createItem(eml: Uint8Array, opts: { disposition?: string; folder?: string; bcc?: string[] } = {}): string {
  const bcc = opts.bcc ? `<t:BccRecipients>${opts.bcc.map((a) => `<t:Mailbox><t:EmailAddress>${a}</t:EmailAddress></t:Mailbox>`).join('')}</t:BccRecipients>` : '';
  return soap(
    `<m:CreateItem MessageDisposition="${opts.disposition ?? 'SendAndSaveCopy'}">` +
      `<m:SavedItemFolderId><t:DistinguishedFolderId Id="${opts.folder ?? 'sentitems'}"/></m:SavedItemFolderId>` +
      `<m:Items><t:Message><t:MimeContent CharacterSet="UTF-8">${toBase64(eml)}</t:MimeContent>${bcc}</t:Message></m:Items>` +
      '</m:CreateItem>',
  );
}

const ewsHeaders = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'text/xml; charset=utf-8' };
const sendEws = (xml: string, headers: Record<string, string> = ewsHeaders) => http('POST', '/ews/exchange.asmx', headers, xml);

async function sentList(): Promise<(SentRecord & { mime: string })[]> {
  const r = await http('GET', '/workbench/api/sent');
  assert.equal(r.status, 200);
  return (JSON.parse(r.text) as { sent: (SentRecord & { mime: string })[] }).sent;
}

async function mailbox(): Promise<MailboxMessage[]> {
  const r = await http('GET', '/workbench/api/mailbox');
  assert.equal(r.status, 200);
  return (JSON.parse(r.text) as { messages: MailboxMessage[] }).messages;
}

async function file(name: string): Promise<Buffer> {
  const r = await http('GET', `/workbench/api/files/${name}`);
  assert.equal(r.status, 200, name);
  return r.body;
}

function graphError(r: Reply): { code: string; message: string } {
  assert.match(String(r.headers['content-type']), /^application\/json/);
  const parsed = JSON.parse(r.text) as { error: { code: string; message: string } };
  assert.equal(typeof parsed.error.message, 'string');
  return parsed.error;
}

before(async () => {
  base = await mkdtemp(join(tmpdir(), 'signet-transport-'));
  await mkdir(join(base, 'dist'));
  storeDir = join(base, 'delivered');
  server = await startServer({ port: 0, root: join(base, 'dist'), mail: { dir: storeDir, owner: OWNER, sendAs: [SHARED] } });
});

after(async () => {
  await server.close();
  await rm(base, { recursive: true, force: true });
});

test('Graph: a MIME sendMail is 202 Accepted with no body, and lands in Sent Items and the Inbox', async () => {
  const eml = message({ to: 'Alice Example <alice@example.org>, Dana Reader <dana@example.org>', subject: 'Graph round trip' });
  const r = await sendGraph(eml);
  assert.equal(r.status, 202, r.text);
  assert.equal(r.body.length, 0);
  const record = (await sentList()).at(-1)!;
  assert.equal(record.kind, 'graph');
  assert.deepEqual(fromBase64(record.mime), eml, 'the hook returns the exact bytes submitted');
  assert.deepEqual(record.recipients, ['alice@example.org', 'dana@example.org']);
  const items = await mailbox();
  const sent = items.find((m) => m.id === record.sentItemsId)!;
  const inbox = items.find((m) => m.id === record.inboxId)!;
  assert.equal(sent.folder, 'sentitems');
  assert.equal(inbox.folder, 'inbox');
  assert.equal(sent.subject, 'Graph round trip');
  assert.equal(sent.delivery, 'plain');
  assert.deepEqual(sent.from, OWNER);
  assert.deepEqual(new Uint8Array(await file(sent.file)), eml);
  assert.deepEqual(new Uint8Array(await file(inbox.file)), eml);
});

test('Graph: a missing or wrong bearer token is 401 InvalidAuthenticationToken, and nothing is delivered', async () => {
  const before = (await sentList()).length;
  const eml = message({ to: 'alice@example.org' });
  const none = await sendGraph(eml, { 'Content-Type': 'text/plain' });
  assert.equal(none.status, 401);
  assert.equal(graphError(none).code, 'InvalidAuthenticationToken');
  const wrong = await sendGraph(eml, graphHeaders({ Authorization: 'Bearer not-the-token' }));
  assert.equal(wrong.status, 401);
  assert.equal(graphError(wrong).code, 'InvalidAuthenticationToken');
  assert.equal((await sentList()).length, before);
});

test('Graph: request shapes outside MIME sendMail are refused with Graph error codes', async () => {
  const eml = message({ to: 'alice@example.org' });
  const jsonSend = await http('POST', '/graph/v1.0/me/sendMail', graphHeaders({ 'Content-Type': 'application/json' }), JSON.stringify({ message: { subject: 'x' } }));
  assert.equal(jsonSend.status, 415);
  assert.equal(graphError(jsonSend).code, 'UnsupportedMediaType');
  const badBase64 = await http('POST', '/graph/v1.0/me/sendMail', graphHeaders(), 'this is *not* base64!');
  assert.equal(badBase64.status, 400);
  assert.deepEqual(graphError(badBase64), { code: 'ErrorMimeContentInvalidBase64String', message: 'Invalid base64 string for MIME content.' });
  const raw = await http('POST', '/graph/v1.0/me/sendMail', graphHeaders(), eml);
  assert.equal(raw.status, 400, 'raw MIME instead of its base64 is refused');
  const get = await http('GET', '/graph/v1.0/me/sendMail', graphHeaders());
  assert.equal(get.status, 405);
  const other = await http('POST', '/graph/v1.0/me/messages', graphHeaders(), toBase64(eml));
  assert.equal(other.status, 400);
  assert.equal(graphError(other).code, 'BadRequest');
  const noRecipients = await sendGraph(message({}));
  assert.equal(noRecipients.status, 400);
  assert.equal(graphError(noRecipients).code, 'ErrorInvalidRecipients');
  const badTo = await sendGraph(message({ to: 'not an address list <<' }));
  assert.equal(badTo.status, 400);
  assert.equal(graphError(badTo).code, 'ErrorInvalidRecipients');
  const noFrom = await sendGraph(buildMessage({ contentType: 'text/plain', headers: [['To', 'alice@example.org']], body: 'x' }));
  assert.equal(noFrom.status, 400);
  assert.equal(graphError(noFrom).code, 'ErrorMimeContentConversionFailed');
});

test('Graph: sending as another mailbox needs Send As; the shared mailbox has it', async () => {
  const spoof = await sendGraph(message({ from: 'Alice Example <alice@example.org>', to: 'bob@example.org' }));
  assert.equal(spoof.status, 403);
  assert.equal(graphError(spoof).code, 'ErrorSendAsDenied');
  const shared = await sendGraph(message({ from: 'Example Support <support@example.org>', to: 'bob@example.org', subject: 'From the shared mailbox' }));
  assert.equal(shared.status, 202, shared.text);
  const record = (await sentList()).at(-1)!;
  assert.equal(record.inboxId, null, 'the owner was no recipient: no Inbox copy');
  const sent = (await mailbox()).find((m) => m.id === record.sentItemsId)!;
  assert.deepEqual(sent.from, SHARED);
});

test('Graph: the 4 MB request limit — at the limit accepted, one byte over is 413 with the Graph error shape', async () => {
  // A message whose base64 request body is exactly GRAPH_MAX_REQUEST_BYTES long (no line breaks).
  const head = message({ to: 'alice@example.org', body: '' });
  const pad = (GRAPH_MAX_REQUEST_BYTES / 4) * 3 - head.length;
  const line = 'x'.repeat(998) + '\r\n';
  let filler = line.repeat(Math.floor(pad / line.length));
  filler += 'y'.repeat(pad - filler.length);
  const atLimit = new Uint8Array(head.length + pad);
  atLimit.set(head);
  atLimit.set(utf8(filler), head.length);
  const body = toBase64(atLimit);
  assert.equal(body.length, GRAPH_MAX_REQUEST_BYTES);
  const ok = await http('POST', '/graph/v1.0/me/sendMail', graphHeaders(), body);
  assert.equal(ok.status, 202, ok.text.slice(0, 200));
  const before = (await sentList()).length;
  const over = await http('POST', '/graph/v1.0/me/sendMail', graphHeaders(), body + '=');
  assert.equal(over.status, 413);
  const e = graphError(over);
  assert.equal(e.code, 'RequestEntityTooLarge');
  assert.match(e.message, /4 MB/);
  assert.equal((await sentList()).length, before);
});

test('Bcc: the owner in Bcc gets an Inbox copy without the Bcc field; Sent Items keeps it', async () => {
  const eml = message({ to: 'alice@example.org', bcc: 'Dana Reader <dana@example.org>, carol@example.org', subject: 'Blind copy' });
  assert.equal((await sendGraph(eml)).status, 202);
  const record = (await sentList()).at(-1)!;
  assert.deepEqual(record.recipients, ['alice@example.org', 'dana@example.org', 'carol@example.org']);
  const items = await mailbox();
  const sent = items.find((m) => m.id === record.sentItemsId)!;
  const inbox = items.find((m) => m.id === record.inboxId)!;
  assert.deepEqual(sent.bcc?.map((p) => p.email), ['dana@example.org', 'carol@example.org']);
  assert.equal(inbox.bcc, undefined);
  const inboxBytes = await file(inbox.file);
  assert.doesNotMatch(inboxBytes.toString('latin1'), /^bcc:/im);
  assert.match((await file(sent.file)).toString('latin1'), /^Bcc: /m);
  // Only the header block changed: the body is byte for byte the submitted one.
  assert.deepEqual(parseMime(new Uint8Array(inboxBytes)).bodyBytes, parseMime(eml).bodyBytes);
});

test('S/MIME is filed as Exchange files it: an smime.p7m item holding the CMS (pkcs7-mime) or the whole MIME (multipart/signed)', async () => {
  const der = Uint8Array.from([0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x03, 0xa0, 0x80, 0x00, 0x00, 0x00, 0x00]);
  const opaque = buildMessage({
    contentType: 'application/pkcs7-mime',
    params: { 'smime-type': 'enveloped-data', name: 'smime.p7m' },
    headers: [['From', 'dana@example.org'], ['To', 'dana@example.org'], ['Subject', 'Encrypted']],
    body: der,
    transferEncoding: 'base64',
    disposition: 'attachment',
    filename: 'smime.p7m',
  });
  assert.equal((await sendGraph(opaque)).status, 202);
  const r1 = (await sentList()).at(-1)!;
  const inbox1 = (await mailbox()).find((m) => m.id === r1.inboxId)!;
  assert.equal(inbox1.delivery, 'smime-attachment');
  assert.equal(inbox1.attachmentSize, der.length);
  assert.deepEqual(new Uint8Array(await file(inbox1.attachmentFile!)), der);

  const signed = buildMessage({
    contentType: 'multipart/signed',
    params: { protocol: 'application/pkcs7-signature', micalg: 'sha-256' },
    headers: [['From', 'dana@example.org'], ['To', 'dana@example.org'], ['Subject', 'Signed']],
    parts: [
      { contentType: 'text/plain', body: 'Signed text.\r\n' },
      { contentType: 'application/pkcs7-signature', body: der, transferEncoding: 'base64', filename: 'smime.p7s', disposition: 'attachment' },
    ],
  });
  assert.equal((await sendGraph(signed)).status, 202);
  const r2 = (await sentList()).at(-1)!;
  const sent2 = (await mailbox()).find((m) => m.id === r2.sentItemsId)!;
  assert.equal(sent2.delivery, 'smime-attachment');
  assert.deepEqual(new Uint8Array(await file(sent2.attachmentFile!)), signed);
});

test('EWS: CreateItem SendAndSaveCopy with MimeContent is NoError and delivered; BccRecipients count as recipients', async () => {
  const eml = message({ to: 'alice@example.org', subject: 'Through EWS' });
  const r = await sendEws(createItem(eml, { bcc: ['dana@example.org'] }));
  assert.equal(r.status, 200, r.text);
  assert.match(String(r.headers['content-type']), /^text\/xml/);
  assert.match(r.text, /<m:CreateItemResponseMessage ResponseClass="Success"><m:ResponseCode>NoError<\/m:ResponseCode><m:Items\/>/);
  const record = (await sentList()).at(-1)!;
  assert.equal(record.kind, 'ews');
  assert.deepEqual(fromBase64(record.mime), eml);
  assert.deepEqual(record.recipients, ['alice@example.org', 'dana@example.org']);
  assert.ok(record.inboxId, 'the owner, named only in BccRecipients, gets an Inbox copy');
  const sent = (await mailbox()).find((m) => m.id === record.sentItemsId)!;
  assert.deepEqual(sent.bcc?.map((p) => p.email), ['dana@example.org']);
});

test('EWS: other dispositions, folders, bad base64 and refused messages answer with EWS ResponseCodes', async () => {
  const eml = message({ to: 'alice@example.org' });
  const code = (text: string) => /<m:ResponseCode>(\w+)<\/m:ResponseCode>/.exec(text)?.[1];
  const saveOnly = await sendEws(createItem(eml, { disposition: 'SaveOnly' }));
  assert.equal(saveOnly.status, 200);
  assert.equal(code(saveOnly.text), 'ErrorInvalidRequest');
  assert.match(saveOnly.text, /ResponseClass="Error"/);
  assert.equal(code((await sendEws(createItem(eml, { folder: 'drafts' }))).text), 'ErrorInvalidRequest');
  const bad = await sendEws(createItem(eml).replace(/<t:MimeContent CharacterSet="UTF-8">[^<]*/, '<t:MimeContent CharacterSet="UTF-8">@@@@'));
  assert.equal(code(bad.text), 'ErrorMimeContentInvalidBase64String');
  assert.equal(code((await sendEws(createItem(message({ from: 'mallory@example.net', to: 'alice@example.org' })))).text), 'ErrorSendAsDenied');
  assert.equal(code((await sendEws(createItem(message({})))).text), 'ErrorInvalidRecipients');
});

test('EWS: what is not a SOAP CreateItem fails schema validation (HTTP 500 SOAP fault); no token is 401', async () => {
  const eml = message({ to: 'alice@example.org' });
  for (const xml of [
    'not xml at all',
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x/>',
    soap('<m:GetItem/>'),
    createItem(eml).replace('<t:MimeContent', '<t:Subject>x</t:Subject><t:MimeContent'),
    createItem(eml).replace(`xmlns:m="${NS_MESSAGES}"`, 'xmlns:m="urn:other"'),
  ]) {
    const r = await sendEws(xml);
    assert.equal(r.status, 500, xml.slice(0, 80));
    assert.match(r.text, /<s:Fault>.*ErrorSchemaValidation/);
  }
  assert.equal((await sendEws(createItem(eml), { 'Content-Type': 'text/xml' })).status, 401);
  assert.equal((await sendEws(createItem(eml), { ...ewsHeaders, 'Content-Type': 'application/json' })).status, 415);
});

test('fail-next: the next Graph or EWS call fails with the asked status, the one after succeeds', async () => {
  const arm = (status: unknown, type = 'application/json') => http('POST', '/workbench/api/fail-next', { 'Content-Type': type }, JSON.stringify({ status }));
  assert.equal((await arm(503)).status, 204);
  const before = (await sentList()).length;
  const eml = message({ to: 'alice@example.org' });
  const failed = await sendGraph(eml);
  assert.equal(failed.status, 503);
  assert.equal(graphError(failed).code, 'ServiceUnavailable');
  assert.equal(failed.headers['retry-after'], '1');
  assert.equal((await sentList()).length, before, 'a failed call delivers nothing');
  assert.equal((await sendGraph(eml)).status, 202);
  assert.equal((await arm(500)).status, 204);
  assert.equal((await sendEws(createItem(eml))).status, 500);
  assert.equal((await sendEws(createItem(eml))).status, 200);
  assert.equal((await arm(200)).status, 400, 'only error statuses');
  assert.equal((await arm('503')).status, 400);
  assert.equal((await arm(503, 'text/plain')).status, 400, 'a simple content type (no CORS preflight) is refused');
});

test('a POST from another origin is refused before anything is delivered or armed', async () => {
  const before = (await sentList()).length;
  const r = await sendGraph(message({ to: 'alice@example.org' }), graphHeaders({ Origin: 'http://attacker.example' }));
  assert.equal(r.status, 403);
  const arm = await http('POST', '/workbench/api/fail-next', { 'Content-Type': 'application/json', Origin: 'http://attacker.example' }, '{"status":503}');
  assert.equal(arm.status, 403);
  const rebound = await sendGraph(message({ to: 'alice@example.org' }), graphHeaders({ Host: 'attacker.example' }));
  assert.equal(rebound.status, 403, 'a DNS-rebound Host is not the workbench');
  assert.equal((await sentList()).length, before);
  assert.equal((await sendGraph(message({ to: 'alice@example.org' }))).status, 202, 'and the hook was not armed');
});

test("Outlook's own plain send is delivered as kind 'outlook'", async () => {
  const eml = message({ to: 'dana@example.org', subject: 'Plain' });
  const r = await http('POST', '/workbench/api/deliver', { 'Content-Type': 'message/rfc822' }, eml);
  assert.equal(r.status, 202, r.text);
  const record = (await sentList()).at(-1)!;
  assert.equal(record.kind, 'outlook');
  assert.ok(record.inboxId);
  assert.equal((await http('POST', '/workbench/api/deliver', { 'Content-Type': 'text/plain' }, eml)).status, 415);
});

test('stored files are reachable only by the names the index gives', async () => {
  for (const name of ['..%2Findex.json', 'index.json', '%2e%2e%2f%2e%2e%2fetc%2fpasswd', 'sent-x.eml']) {
    assert.equal((await http('GET', `/workbench/api/files/${name}`)).status, 404, name);
  }
});

test('the delivered mailbox survives a restart (persisted store)', async () => {
  const count = (await mailbox()).length;
  assert.ok(count > 0);
  const again = new MailStore({ dir: storeDir, owner: OWNER, sendAs: [SHARED] });
  assert.equal(again.messages().length, count);
  const second = await startServer({ port: 0, root: join(base, 'dist'), mail: again });
  try {
    const r = await http('GET', '/workbench/api/mailbox', {}, undefined, second);
    assert.equal((JSON.parse(r.text) as { messages: unknown[] }).messages.length, count);
  } finally {
    await second.close();
  }
});

test('drafts: saveAsync registers one; Graph DELETE /me/messages/{id} and EWS DeleteItem remove it once', async () => {
  const save = async () => {
    const r = await http('POST', '/workbench/api/drafts', { 'Content-Type': 'application/json' }, JSON.stringify({ subject: 'Draft' }));
    assert.equal(r.status, 201);
    const id = (JSON.parse(r.text) as { id: string }).id;
    assert.match(id, /^AAMkAGDraft[0-9a-f]{32}$/, 'letters and digits only: the REST id is the same string');
    return id;
  };
  const graphDraft = await save();
  const del = (id: string, headers: Record<string, string> = graphHeaders()) => http('DELETE', `/graph/v1.0/me/messages/${encodeURIComponent(id)}`, headers);
  assert.equal((await del(graphDraft, { 'Content-Type': 'text/plain' })).status, 401);
  const gone = await del(graphDraft);
  assert.equal(gone.status, 204);
  assert.equal(gone.body.length, 0);
  const again = await del(graphDraft);
  assert.equal(again.status, 404);
  assert.equal(graphError(again).code, 'ErrorItemNotFound');

  const ewsDraft = await save();
  const deleteItem = (id: string) =>
    soap(`<m:DeleteItem DeleteType="SoftDelete"><m:ItemIds><t:ItemId Id="${id}"/></m:ItemIds></m:DeleteItem>`);
  const first = await sendEws(deleteItem(ewsDraft));
  assert.equal(first.status, 200);
  assert.match(first.text, /<m:DeleteItemResponseMessage ResponseClass="Success"><m:ResponseCode>NoError<\/m:ResponseCode>/);
  const second = await sendEws(deleteItem(ewsDraft));
  assert.match(second.text, /ResponseClass="Error">.*<m:ResponseCode>ErrorItemNotFound<\/m:ResponseCode>/);
  assert.equal((await sendEws(soap('<m:DeleteItem DeleteType="Shred"><m:ItemIds><t:ItemId Id="x"/></m:ItemIds></m:DeleteItem>'))).status, 500);
  assert.deepEqual(JSON.parse((await http('GET', '/workbench/api/drafts')).text), { drafts: [] });
});

test('Graph GET /me/messages/{id}/$value returns a delivered message as Exchange stored it', async () => {
  const eml = message({ to: 'dana@example.org', subject: 'Read back' });
  assert.equal((await sendGraph(eml)).status, 202);
  const record = (await sentList()).at(-1)!;
  const r = await http('GET', `/graph/v1.0/me/messages/AAMk-workbench-${record.inboxId}/$value`, graphHeaders());
  assert.equal(r.status, 200);
  assert.deepEqual(new Uint8Array(r.body), eml);
  const missing = await http('GET', '/graph/v1.0/me/messages/AAMk-workbench-nope/$value', graphHeaders());
  assert.equal(missing.status, 404);
  assert.equal(graphError(missing).code, 'ErrorItemNotFound');
});
