// multipart/signed over a part that the signer hashed byte for byte (binary, bare LF): the canonical
// CRLF form does not match, the exact received bytes do (RFC 8551 §3.1.1 permits binary parts where the
// transport is 8-bit clean). And an LF-only saved copy of a CRLF-signed message still verifies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { webcrypto } from 'node:crypto';
import { cryptoProvider } from '../../../src/core/crypto.js';
import { openMessage } from '../../../src/core/smime/open.js';
import { loadCertificates } from '../../../src/keys/identity-file.js';
import { testPki } from '../../helpers/pki.js';

const provider = cryptoProvider(webcrypto as unknown as Crypto);
const pki = testPki();
const anchors = loadCertificates(new Uint8Array(readFileSync(pki.rootPath)));
const alice = pki.users.alice;

function sign(content: Buffer): string {
  const r = spawnSync('openssl', ['cms', '-sign', '-binary', '-outform', 'DER', '-signer', alice.certPath, '-inkey', alice.keyPath, '-certfile', pki.intermediatePath], { input: content });
  assert.equal(r.status, 0, r.stderr.toString());
  return r.stdout.toString('base64').replace(/.{76}/g, '$&\r\n');
}

function wrap(part: Buffer, sig: string, eol = '\r\n'): Buffer {
  const head = [`From: alice@example.org`, `Subject: binary`, `MIME-Version: 1.0`, `Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="b"`, '', `--b`].join(eol) + eol;
  const tail = `${eol}--b${eol}Content-Type: application/pkcs7-signature${eol}Content-Transfer-Encoding: base64${eol}${eol}${sig}${eol}--b--${eol}`;
  return Buffer.concat([Buffer.from(head), part, Buffer.from(tail)]);
}

test('a binary part signed as-is (bare LF inside) verifies over the exact bytes', async () => {
  const part = Buffer.from('Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\nline one\nline two\n\x00\x01binary');
  const v = (await openMessage(new Uint8Array(wrap(part, sign(part))), { anchors, provider })).verdict;
  assert.equal(v.status, 'valid');
  assert.equal(v.layers.length, 1);
});

test('the same binary part with one byte changed is still invalid/digest-mismatch', async () => {
  const part = Buffer.from('Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\nline one\nline two\n\x00\x01binary');
  const sig = sign(part);
  part[part.length - 1] = 0x21;
  const v = (await openMessage(new Uint8Array(wrap(part, sig)), { anchors, provider })).verdict;
  assert.equal(v.status, 'invalid');
  assert.equal(v.code, 'digest-mismatch');
  assert.equal(v.layers.length, 1);
});

test('a CRLF-signed text part saved with LF line ends verifies (canonicalized)', async () => {
  const part = Buffer.from('Content-Type: text/plain\r\n\r\nHello\r\nWorld\r\n');
  const sig = sign(part);
  const lf = Buffer.from(wrap(part, sig).toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
  const v = (await openMessage(new Uint8Array(lf), { anchors, provider })).verdict;
  assert.equal(v.status, 'valid');
});
