// The Office.js adapter's item-reading paths (outlook/office.ts, outlook/message-source.ts) against
// office-addin-mock's Office object: the source order of ARCHITECTURE.md (smime.p7m attachment, then
// getAsFileAsync, then Graph through an injected source), the envelope used for a bare CMS attachment, the
// requirement-set checks, and the info bar call.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import officeAddinMock from 'office-addin-mock';
import { fromUtf8, toBase64, utf8 } from '../../../src/core/bytes.js';
import { checkWithSecondCopy, readSecondCopy, readSelectedMessage, type MessageSnapshot, type SkippedSource } from '../../../src/outlook/message-source.js';
import type { GraphMimeSource } from '../../../src/outlook/graph-read.js';
import { showInfoBar } from '../../../src/outlook/office.js';

const { OfficeMockObject } = officeAddinMock;

type Callback = (r: { status: string; value?: unknown; error?: unknown }) => void;

const ok = (value: unknown) => ({ status: 'succeeded', value });

interface Setup {
  mailbox?: string;
  attachments?: { id: string; name: string; contentType: string; attachmentType?: string }[];
  attachmentContent?: Uint8Array | 'fail';
  eml?: Uint8Array;
}

const calls: string[] = [];

function installOffice(s: Setup): void {
  calls.length = 0;
  const version = s.mailbox ?? '1.14';
  const item = {
    itemId: 'AAMk1',
    subject: 'Quarterly report',
    from: { displayName: 'Alice Example', emailAddress: 'alice@example.org' },
    to: [{ displayName: 'Dana Reader', emailAddress: 'dana@example.org' }],
    dateTimeCreated: new Date('2026-01-02T03:04:05Z'),
    internetMessageId: '<m1@example.org>',
    attachments: (s.attachments ?? []).map((a) => ({ size: 10, isInline: false, attachmentType: 'file', ...a })),
    getAttachmentContentAsync(id: string, cb: Callback) {
      calls.push(`getAttachmentContentAsync(${id})`);
      if (s.attachmentContent === 'fail') cb({ status: 'failed', error: { name: 'InternalServerError', code: 9017, message: 'boom' } });
      else cb(ok({ format: 'base64', content: toBase64(s.attachmentContent ?? new Uint8Array()) }));
    },
    getAsFileAsync(cb: Callback) {
      calls.push('getAsFileAsync');
      cb(ok(toBase64(s.eml ?? utf8('From: a@b\r\n\r\nbody'))));
    },
    notificationMessages: {
      replaceAsync(key: string, details: { message: string; type: string }, cb: Callback) {
        calls.push(`replaceAsync(${key},${details.type},${details.message})`);
        cb(ok(undefined));
      },
    },
  };
  const mock = new OfficeMockObject({
    context: {
      mailbox: {
        item,
        convertToRestId(id: string, version: string) {
          calls.push(`convertToRestId(${id},${version})`);
          return `rest-${id}`;
        },
      },
      requirements: {
        isSetSupported: (name: string, v: string) => name === 'Mailbox' && Number(v.split('.')[1]) <= Number(version.split('.')[1]),
      },
    },
    AsyncResultStatus: { Succeeded: 'succeeded', Failed: 'failed' },
    MailboxEnums: { ItemNotificationMessageType: { InformationalMessage: 'informationalMessage', ErrorMessage: 'errorMessage' }, RestVersion: { v2_0: 'v2.0' } },
    // Outlook semantics: properties are readable without load()/sync() (the Excel/Word model).
  }, 'outlook' as ConstructorParameters<typeof OfficeMockObject>[1]);
  (globalThis as { Office?: unknown }).Office = mock;
}

afterEach(() => {
  delete (globalThis as { Office?: unknown }).Office;
});

test('the smime.p7m attachment comes first; a bare CMS blob gets the item envelope as outer headers', async () => {
  const der = new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x05]);
  installOffice({ attachments: [{ id: 'att1', name: 'smime.p7m', contentType: 'application/pkcs7-mime' }], attachmentContent: der });
  const snap = await readSelectedMessage();
  assert.equal(snap.source, 'smime-attachment');
  assert.equal(snap.byteExact, true);
  assert.deepEqual(calls, ['getAttachmentContentAsync(att1)']);
  const text = fromUtf8(snap.bytes);
  assert.match(text, /^From: Alice Example <alice@example\.org>\r\n/);
  assert.match(text, /\r\nSubject: Quarterly report\r\n/);
  assert.match(text, /Content-Type: application\/pkcs7-mime; name="smime\.p7m"/);
  assert.match(text, new RegExp(`\\r\\n\\r\\n${toBase64(der)}\\r\\n$`));
});

test('a multipart/signed smime.p7m holding the whole message is used byte for byte', async () => {
  const whole = utf8('From: alice@example.org\r\nContent-Type: multipart/signed; boundary=x\r\n\r\n--x--\r\n');
  installOffice({ attachments: [{ id: 'att1', name: 'smime.p7m', contentType: 'multipart/signed' }], attachmentContent: whole });
  const snap = await readSelectedMessage();
  assert.deepEqual(snap.bytes, whole);
});

test('without smime.p7m, getAsFileAsync (Mailbox 1.14) is used and marked as possibly rebuilt', async () => {
  const eml = utf8('From: alice@example.org\r\nSubject: hi\r\n\r\nhello');
  installOffice({ eml, attachments: [{ id: 'a', name: 'report.pdf', contentType: 'application/pdf' }] });
  const snap = await readSelectedMessage();
  assert.equal(snap.source, 'outlook-export');
  assert.equal(snap.byteExact, false);
  assert.deepEqual(snap.bytes, eml);
  assert.deepEqual(calls, ['getAsFileAsync']);
});

test('a failing attachment read falls back to getAsFileAsync and says why', async () => {
  installOffice({ attachments: [{ id: 'att1', name: 'smime.p7m', contentType: 'application/pkcs7-mime' }], attachmentContent: 'fail' });
  const snap = await readSelectedMessage();
  assert.equal(snap.source, 'outlook-export');
  assert.equal(snap.skipped[0]?.source, 'smime-attachment');
  assert.match(snap.skipped[0]?.reason ?? '', /InternalServerError/);
});

test('an old Outlook (Mailbox 1.8) without smime.p7m: a clear usage error naming what is missing', async () => {
  installOffice({ mailbox: '1.8' });
  await assert.rejects(readSelectedMessage(), (e: Error & { code?: string }) => e.code === 'usage' && /getAsFileAsync/.test(e.message) && /Graph/.test(e.message));
  assert.deepEqual(calls, []);
});

test('Mailbox 1.7 cannot read attachment content: falls through to the next source', async () => {
  installOffice({ mailbox: '1.7', attachments: [{ id: 'att1', name: 'smime.p7m', contentType: 'application/pkcs7-mime' }] });
  await assert.rejects(readSelectedMessage(), /Mailbox 1\.8/);
  assert.deepEqual(calls, []);
});

test('an old Outlook with Graph set up: the item id is converted to a REST id and Graph gives the MIME', async () => {
  installOffice({ mailbox: '1.8' });
  const eml = utf8('From: alice@example.org\r\n\r\nfrom graph');
  const graph: GraphMimeSource = {
    available: true,
    fetchMime: (id) => {
      calls.push(`graph(${id})`);
      return Promise.resolve(eml);
    },
  };
  const snap = await readSelectedMessage({ graph });
  assert.equal(snap.source, 'graph');
  // Exchange converts $value from its store ("Outlook does not save messages in MIME format"): not exact.
  assert.equal(snap.byteExact, false);
  assert.deepEqual(snap.bytes, eml);
  assert.deepEqual(calls, ['convertToRestId(AAMk1,v2.0)', 'graph(rest-AAMk1)']);
  assert.equal(snap.skipped[0]?.source, 'outlook-export');
});

test('a failing Graph read ends in a usage error that carries Graph\'s reason', async () => {
  installOffice({ mailbox: '1.8' });
  const graph: GraphMimeSource = { available: true, fetchMime: () => Promise.reject(new Error('Microsoft Graph refused access to this message')) };
  await assert.rejects(readSelectedMessage({ graph }), (e: Error & { code?: string }) => e.code === 'usage' && /refused access/.test(e.message));
});

test('the verdict goes to the info bar: informational by default, ErrorMessage for danger', async () => {
  installOffice({});
  await showInfoBar('signet-verdict', 'Signet: Signed by alice@example.org.');
  await showInfoBar('signet-verdict', 'Signet: do not trust this message.', 'error');
  assert.deepEqual(calls, [
    'replaceAsync(signet-verdict,informationalMessage,Signet: Signed by alice@example.org.)',
    'replaceAsync(signet-verdict,errorMessage,Signet: do not trust this message.)',
  ]);
});

const graphReturning = (eml: Uint8Array): GraphMimeSource => ({
  available: true,
  fetchMime: (id) => {
    calls.push(`graph(${id})`);
    return Promise.resolve(eml);
  },
});

test('a clear signature failing on getAsFileAsync\'s copy is checked again on Graph\'s copy, which wins when conclusive', async () => {
  installOffice({ eml: utf8('rebuilt') });
  const first = await readSelectedMessage({ graph: graphReturning(utf8('original')) });
  assert.equal(first.source, 'outlook-export');
  const checked: string[] = [];
  const r = await checkWithSecondCopy(
    first,
    (s) => {
      checked.push(fromUtf8(s.bytes));
      return Promise.resolve(fromUtf8(s.bytes) === 'original' ? 'valid' : 'digest-mismatch');
    },
    (v) => v === 'digest-mismatch',
    () => readSecondCopy(first, { graph: graphReturning(utf8('original')) }),
  );
  assert.deepEqual(checked, ['rebuilt', 'original']);
  assert.equal(r.result, 'valid');
  assert.equal(r.snapshot.source, 'graph');
});

test('when Graph\'s copy is inconclusive too, or Graph is missing or fails, the first result stands', async () => {
  installOffice({ eml: utf8('rebuilt') });
  const first = await readSelectedMessage();
  const check = (s: MessageSnapshot) => Promise.resolve(`digest-mismatch:${fromUtf8(s.bytes)}`);
  const bothBad = await checkWithSecondCopy(first, check, () => true, () => readSecondCopy(first, { graph: graphReturning(utf8('also rebuilt')) }));
  assert.equal(bothBad.result, 'digest-mismatch:rebuilt');
  assert.equal(bothBad.snapshot.source, 'outlook-export');
  const skipped: SkippedSource[] = [];
  assert.equal(await readSecondCopy(first, {}, skipped), null);
  assert.match(skipped[0]!.reason, /not set up/);
  const failing: GraphMimeSource = { available: true, fetchMime: () => Promise.reject(new Error('ErrorItemNotFound')) };
  assert.equal(await readSecondCopy(first, { graph: failing }, skipped), null);
  assert.match(skipped[1]!.reason, /ErrorItemNotFound/);
});

test('a conclusive first result or an exact first copy never triggers a second read', async () => {
  installOffice({});
  let reads = 0;
  const second = () => {
    reads++;
    return Promise.resolve(null);
  };
  const exact: MessageSnapshot = { bytes: utf8('x'), source: 'smime-attachment', byteExact: true, label: 'x' };
  await checkWithSecondCopy(exact, () => Promise.resolve('invalid'), () => false, second);
  assert.equal(reads, 0);
  assert.equal(await readSecondCopy(exact, { graph: graphReturning(utf8('y')) }), null);
  assert.equal(await readSecondCopy({ ...exact, source: 'file' }, { graph: graphReturning(utf8('y')) }), null);
});
