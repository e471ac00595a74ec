// Reading the compose item into a Draft (src/outlook/compose-item.ts) against office-addin-mock: From
// (delegate), To/Cc/Bcc, bodies, file / item / calendar attachments, cloud refusal, inline images and the
// rewriting of their references to cid:, reply threading and importance from internet headers, and the size
// refusal made before any attachment content is downloaded.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { fromUtf8, toBase64, utf8 } from '../../../src/core/bytes.js';
import { isSignetError } from '../../../src/core/errors.js';
import { readDraft, rewriteInlineReferences } from '../../../src/outlook/compose-item.js';
import { installCompose, uninstallOffice } from '../../helpers/office-compose.js';

afterEach(uninstallOffice);

const PNG = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4);
const fixedRandom = (n: number) => new Uint8Array(n).fill(7);

test('From (a shared mailbox chosen in Outlook), To/Cc/Bcc, subject and both bodies', async () => {
  installCompose({
    user: { displayName: 'Alice Example', emailAddress: 'alice@example.org' },
    from: { displayName: 'Sales Team', emailAddress: 'sales@example.org' },
    to: [{ displayName: 'Bob', emailAddress: 'bob@example.org' }],
    cc: [{ displayName: '', emailAddress: 'carol@example.org' }],
    bcc: [{ displayName: 'Dave', emailAddress: 'dave@example.org' }],
    subject: 'Prices 2027',
    html: '<p>Hi <b>Bob</b></p>',
    text: 'Hi Bob',
  });
  const d = await readDraft();
  assert.deepEqual(d.from, { name: 'Sales Team', address: 'sales@example.org' });
  assert.deepEqual(d.to, [{ name: 'Bob', address: 'bob@example.org' }]);
  assert.deepEqual(d.cc, [{ name: '', address: 'carol@example.org' }]);
  assert.deepEqual(d.bcc, [{ name: 'Dave', address: 'dave@example.org' }]);
  assert.equal(d.subject, 'Prices 2027');
  assert.equal(d.html, '<p>Hi <b>Bob</b></p>');
  assert.equal(d.text, 'Hi Bob');
  assert.equal(d.kind, 'new');
  assert.equal(d.importance, 'normal');
  assert.deepEqual(d.attachments, []);
});

test('a plain-text message has no HTML body', async () => {
  installCompose({ bodyType: 'text', text: 'Just text' });
  const d = await readDraft();
  assert.equal(d.html, null);
  assert.equal(d.text, 'Just text');
});

test('file, attached e-mail and calendar item attachments, with content types from their names', async () => {
  const eml = 'From: x@example.org\r\nSubject: old\r\n\r\nold body\r\n';
  installCompose({
    attachments: [
      { id: 'a1', name: 'report.pdf', format: 'base64', content: toBase64(utf8('%PDF-1.7')) },
      { id: 'a2', name: 'Old message', attachmentType: 'item', format: 'eml', content: eml },
      { id: 'a3', name: 'Meeting', attachmentType: 'item', format: 'iCalendar', content: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n' },
      { id: 'a4', name: 'data.unknownext', format: 'base64', content: toBase64(Uint8Array.of(0, 1, 2)) },
    ],
  });
  const d = await readDraft();
  assert.deepEqual(
    d.attachments.map((a) => [a.kind, a.name, a.contentType]),
    [
      ['file', 'report.pdf', 'application/pdf'],
      ['message', 'Old message', 'message/rfc822'],
      ['calendar', 'Meeting', 'text/calendar'],
      ['file', 'data.unknownext', 'application/octet-stream'],
    ],
  );
  assert.equal(fromUtf8(d.attachments[0]!.content), '%PDF-1.7');
  assert.equal(fromUtf8(d.attachments[1]!.content), eml);
});

test('a cloud attachment is refused with "attach a copy", before any content is fetched', async () => {
  const mock = installCompose({ attachments: [{ id: 'c1', name: 'Budget.xlsx', attachmentType: 'cloud', format: 'url', content: 'https://contoso.sharepoint.com/x' }] });
  await assert.rejects(readDraft(), (e: Error) => isSignetError(e, 'unsupported-attachment') && /Budget\.xlsx/.test(e.message) && /attach a copy/.test(e.message));
  assert.ok(!mock.calls.some((c) => c.startsWith('getAttachmentContentAsync')));
});

test('inline images: a cid: reference keeps its Content-ID; an image shown by attachment-id URL is rewritten to cid:', async () => {
  installCompose({
    html: '<p>Logo <img src="cid:image001.png@01DA0000.00000000"> and chart <img alt="c" src="https://attachments.office.net/owa/x/service.svc/s/GetFileAttachment?id=AAMk%2Bchart%3D&amp;X-OWA=1"></p>',
    attachments: [
      { id: 'AAMkLogo', name: 'image001.png', isInline: true, contentId: 'image001.png@01DA0000.00000000', format: 'base64', content: toBase64(PNG) },
      { id: 'AAMk+chart=', name: 'chart', isInline: true, format: 'base64', content: toBase64(PNG) },
      { id: 'AAMkOrphan', name: 'unused.png', isInline: true, contentId: 'unused@x', format: 'base64', content: toBase64(PNG) },
    ],
  });
  const d = await readDraft({ random: fixedRandom });
  assert.equal(d.inlineImages.length, 2);
  assert.equal(d.inlineImages[0]!.contentId, 'image001.png@01DA0000.00000000');
  assert.equal(d.inlineImages[0]!.contentType, 'image/png');
  // No Content-ID from Outlook: a generated one, and the type from the PNG signature (the name has no extension).
  assert.equal(d.inlineImages[1]!.contentId, 'signet-0707070707070707@inline.invalid');
  assert.equal(d.inlineImages[1]!.contentType, 'image/png');
  assert.match(d.html!, /<img src="cid:image001\.png@01DA0000\.00000000">/);
  assert.match(d.html!, /<img alt="c" src="cid:signet-0707070707070707@inline\.invalid">/);
  assert.doesNotMatch(d.html!, /attachments\.office\.net/);
  // An inline image the body does not show is kept as an ordinary attachment, not dropped.
  assert.deepEqual(d.attachments.map((a) => a.name), ['unused.png']);
});

test('rewriteInlineReferences leaves other images alone and reports whether the image is shown', () => {
  const html = `<img src='https://example.org/a.png'><img SRC="cid:Logo@X">`;
  const r = rewriteInlineReferences(html, { id: 'nope', contentId: 'logo@x', name: 'logo.png', cid: 'logo@x' });
  assert.equal(r.referenced, true);
  assert.equal(r.html, `<img src='https://example.org/a.png'><img SRC="cid:logo@x">`);
  assert.equal(rewriteInlineReferences(html, { id: 'zz', contentId: 'other@x', name: 'o.png', cid: 'other@x' }).referenced, false);
});

test('a reply takes In-Reply-To and References when Outlook exposes them, and Importance', async () => {
  installCompose({
    composeType: 'reply',
    headers: { 'In-Reply-To': '<parent@example.org>', References: '<root@example.org> <parent@example.org>', Importance: 'High' },
  });
  const d = await readDraft();
  assert.equal(d.kind, 'reply');
  assert.equal(d.inReplyTo, '<parent@example.org>');
  assert.deepEqual(d.references, ['<root@example.org>', '<parent@example.org>']);
  assert.equal(d.importance, 'high');
});

test('a reply without threading headers from Outlook (the documented gap) still reads; X-Priority gives importance', async () => {
  installCompose({ composeType: 'reply', headers: { 'X-Priority': '5 (Lowest)' } });
  const d = await readDraft();
  assert.equal(d.inReplyTo, null);
  assert.deepEqual(d.references, []);
  assert.equal(d.importance, 'low');
});

test('a forward keeps References but never In-Reply-To; garbage msg-ids are dropped', async () => {
  installCompose({ composeType: 'forward', headers: { 'In-Reply-To': '<p@example.org>', References: 'junk <a@example.org> <no spaces allowed@x>' } });
  const d = await readDraft();
  assert.equal(d.kind, 'forward');
  assert.equal(d.inReplyTo, null);
  assert.deepEqual(d.references, ['<a@example.org>']);
});

test('internet headers failing does not stop the draft (threading and importance are optional)', async () => {
  installCompose({ composeType: 'reply', failures: ['internetHeaders'] });
  const d = await readDraft();
  assert.equal(d.inReplyTo, null);
  assert.equal(d.importance, 'normal');
});

test('too large for the transport: refused from the reported sizes, before any attachment is downloaded', async () => {
  const mock = installCompose({ attachments: [{ id: 'big', name: 'video.mp4', size: 5 * 1024 * 1024, format: 'base64', content: 'AAAA' }] });
  await assert.rejects(
    readDraft({ limit: { transport: 'graph', maxMessageBytes: 3 * 1024 * 1024 }, protection: { sign: true, encrypt: false } }),
    (e: Error) => isSignetError(e, 'message-too-large') && /Remove large attachments/.test(e.message),
  );
  assert.ok(!mock.calls.some((c) => c.startsWith('getAttachmentContentAsync')));
});

test('Mailbox 1.7 cannot list attachments: refused rather than sent without them', async () => {
  installCompose({ mailbox: '1.7' });
  await assert.rejects(readDraft(), (e: Error) => isSignetError(e, 'usage') && /Mailbox 1\.8/.test(e.message));
});

test('in read mode there is no draft to read', async () => {
  installCompose();
  (globalThis as unknown as { Office: { context: { mailbox: { item: { subject: unknown } } } } }).Office.context.mailbox.item.subject = 'a read item';
  await assert.rejects(readDraft(), (e: Error) => isSignetError(e, 'usage'));
});

test('attachments are decoded by Uint8Array.fromBase64 where the runtime has it; text it refuses goes to the core decoder', async () => {
  // Node 20 has no Uint8Array.fromBase64 (Chromium 140+ has): a stand-in with the native method's contract.
  const calls: string[] = [];
  const native = (s: string): Uint8Array => {
    calls.push(s);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.replace(/=+$/, '').length % 4 === 1 || (s.includes('=') && s.length % 4 !== 0)) throw new SyntaxError('bad base64');
    return new Uint8Array(Buffer.from(s, 'base64'));
  };
  const data = new Uint8Array(3000).map((_, i) => (i * 31) & 0xff);
  Object.defineProperty(Uint8Array, 'fromBase64', { value: native, configurable: true, writable: true });
  try {
    installCompose({
      attachments: [
        { id: 'a1', name: 'data.bin', format: 'base64', content: toBase64(data) },
        // "QQ=" is one byte with short padding: the native decoder refuses it, Signet's reads it as "A".
        { id: 'a2', name: 'a.txt', format: 'base64', content: 'QQ=' },
      ],
    });
    const d = await readDraft();
    assert.deepEqual(d.attachments[0]!.content, data);
    assert.equal(fromUtf8(d.attachments[1]!.content), 'A');
    assert.deepEqual(calls, [toBase64(data), 'QQ=']);
  } finally {
    delete (Uint8Array as unknown as { fromBase64?: unknown }).fromBase64;
  }
});
