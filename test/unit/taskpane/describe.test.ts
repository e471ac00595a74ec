// describeMessage(): the task pane's first look at an .eml (size, Subject, S/MIME hint), including folded
// and RFC 2047-encoded subjects and a message without a header/body separator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeMessage } from '../../../src/taskpane/describe.js';
import { decodeEncodedWords } from '../../../src/core/mime/headers.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

test('size, subject and media type of a plain message', () => {
  const eml = 'From: a@example.org\r\nSubject: Hello there\r\n\r\nBody\r\n';
  assert.deepEqual(describeMessage(enc(eml)), {
    size: enc(eml).length,
    subject: 'Hello there',
    mediaType: 'text/plain',
    smime: null,
  });
});

test('folded, encoded subject; headers after the blank line are body', () => {
  const eml =
    'Subject: =?UTF-8?B?R3LDvOGAnw==?=\r\n =?ISO-8859-1?Q?_f=FCr_Sie?=\r\nContent-Type: Multipart/Signed;\r\n' +
    ' protocol="application/pkcs7-signature"; boundary=x\r\n\r\nSubject: not this one\r\n';
  const s = describeMessage(enc(eml));
  assert.equal(s.subject, 'Grü\u101f für Sie');
  assert.equal(s.mediaType, 'multipart/signed');
  assert.equal(s.smime, 'signed');
});

test('opaque or enveloped S/MIME, LF line ends, no subject', () => {
  const s = describeMessage(enc('Content-Type: application/pkcs7-mime; smime-type=enveloped-data\n\nMIAG'));
  assert.equal(s.subject, null);
  assert.equal(s.smime, 'enveloped-or-opaque');
});

test('raw UTF-8 subject (RFC 6532) and undecodable words are kept, not guessed', () => {
  assert.equal(describeMessage(enc('Subject: Grüße\r\n\r\n')).subject, 'Grüße');
  assert.equal(decodeEncodedWords('=?no-such-charset?Q?x?='), '=?no-such-charset?Q?x?=');
  assert.equal(decodeEncodedWords('=?utf-8?B?!!!?='), '=?utf-8?B?!!!?=');
});

test('a message without a blank line is all headers', () => {
  assert.equal(describeMessage(enc('Subject: only headers')).subject, 'only headers');
});
