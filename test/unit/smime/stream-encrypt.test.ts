// Encrypting a message that arrives in pieces (protect.ts writeProtectedMessageFrom, what `signet encrypt`
// does with a pipe): the header block is found wherever the pieces cut it, AES-CBC output is BER with
// indefinite lengths that decrypts to exactly the message, AES-GCM and header protection fall back to the
// whole-message path, and input that must be refused is refused before a byte is written. Signing to a
// streaming writer sends the content before its signature, after checking the signer.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cryptoProvider } from '../../../src/core/crypto.js';
import { isSignetError, type ErrorCode } from '../../../src/core/errors.js';
import type { Identity } from '../../../src/core/keys.js';
import { privateKeyFromPkcs8 } from '../../../src/core/private-key.js';
import { decryptMessage } from '../../../src/core/smime/decrypt-message.js';
import { openMessage } from '../../../src/core/smime/open.js';
import { writeProtectedMessage, writeProtectedMessageFrom, type ProtectOptions } from '../../../src/core/smime/protect.js';
import { parseMime } from '../../../src/core/mime/parser.js';
import { testPki } from '../../helpers/pki.js';

const provider = cryptoProvider();
const bob = testPki().users.bob;
const bobId: Identity = { certificate: bob.certDer, chain: [], privateKey: privateKeyFromPkcs8(bob.keyPkcs8, provider) };
const latin1 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

async function* cut(b: Uint8Array, sizes: number[]): AsyncGenerator<Uint8Array> {
  let o = 0;
  for (let i = 0; o < b.length; i++) {
    const n = sizes[i % sizes.length]!;
    yield b.subarray(o, Math.min(b.length, o + n));
    o += n;
  }
}

async function encryptFrom(source: AsyncIterable<Uint8Array>, opts: Partial<ProtectOptions> = {}): Promise<{ out: Buffer; writes: number }> {
  const parts: Buffer[] = [];
  await writeProtectedMessageFrom(source, { encrypt: { recipients: [bob.certDer], cipher: 'aes-256-cbc' }, provider, ...opts }, (c) => {
    parts.push(Buffer.from(c));
  });
  return { out: Buffer.concat(parts), writes: parts.length };
}

function der(out: Buffer): Buffer {
  return Buffer.from(parseMime(new Uint8Array(out)).decodeBody());
}

async function decrypted(out: Buffer): Promise<Buffer> {
  const r = await decryptMessage(new Uint8Array(out), [bobId], provider);
  return Buffer.concat(r.parts.map((p) => Buffer.from(p)));
}

const BIG = 'x'.repeat(75) + '\r\n';
const messages: [string, string][] = [
  ['CRLF, one line', 'From: a@example.org\r\nTo: bob@example.org\r\nSubject: s\r\nContent-Type: text/plain\r\n\r\nhello\r\n'],
  ['bare LF header block', 'From: a@example.org\nSubject: lf\nContent-Type: text/plain\n\nbody with LF\n'],
  ['content headers not last', 'Content-Type: text/plain\r\nFrom: a@example.org\r\nSubject: mixed\r\n\r\nbody\r\n'],
  ['about 1.2 MB of body (three AES-CBC chunks)', `From: a@example.org\r\nSubject: big\r\nContent-Type: text/plain\r\n\r\n${BIG.repeat(16000)}`],
];

for (const [what, text] of messages) {
  test(`pieces → BER EnvelopedData that decrypts to the same message as the whole-message path (${what})`, async () => {
    const msg = latin1(text);
    const whole: Buffer[] = [];
    await writeProtectedMessage(msg, { encrypt: { recipients: [bob.certDer], cipher: 'aes-256-cbc' }, provider }, (c) => {
      whole.push(Buffer.from(c));
    });
    const expected = await decrypted(Buffer.concat(whole));
    // Cut inside the blank line that ends the header block, one byte at a time, and in pipe-sized pieces.
    for (const sizes of [[1], [3, 1, 65536], [65536], [1 << 20]]) {
      const { out } = await encryptFrom(cut(msg, sizes));
      const d = der(out);
      assert.deepEqual([...d.subarray(0, 2)], [0x30, 0x80], 'ContentInfo with an indefinite length');
      assert.ok(d.subarray(d.length - 10).every((b) => b === 0), 'five end-of-contents markers close it');
      assert.ok((await decrypted(out)).equals(expected), `decrypts to the message (pieces of ${sizes.join('/')})`);
      // The outer header block is the same as the whole-message path's.
      const head = (b: Buffer): string => b.toString('latin1').slice(0, b.toString('latin1').indexOf('\r\n\r\n'));
      assert.equal(head(out), head(Buffer.concat(whole)));
    }
  });
}

test('pieces with AES-GCM: gathered, then the usual DER AuthEnvelopedData', async () => {
  const msg = latin1(messages[0]![1]);
  const parts: Buffer[] = [];
  await writeProtectedMessageFrom(cut(msg, [7]), { encrypt: { recipients: [bob.certDer], cipher: 'aes-256-gcm' }, provider }, (c) => {
    parts.push(Buffer.from(c));
  });
  const out = Buffer.concat(parts);
  assert.match(out.toString('latin1'), /smime-type=authEnveloped-data/);
  assert.notEqual(der(out)[1], 0x80, 'a definite length');
  assert.match((await decrypted(out)).toString('latin1'), /\r\n\r\nhello\r\n$/);
});

test('pieces with header protection take the whole-message path (hp="cipher", Subject hidden)', async () => {
  const msg = latin1(messages[0]![1]);
  const { out } = await encryptFrom(cut(msg, [5]), { headerProtection: { hcp: 'baseline' } });
  assert.match(out.toString('latin1'), /^Subject: \[\.\.\.\]\r$/m);
  assert.match((await decrypted(out)).toString('latin1'), /hp="cipher"/);
});

async function refused(source: AsyncIterable<Uint8Array>, code: ErrorCode, opts: Partial<ProtectOptions> = {}): Promise<void> {
  let writes = 0;
  await assert.rejects(
    writeProtectedMessageFrom(source, { encrypt: { recipients: [bob.certDer], cipher: 'aes-256-cbc' }, provider, ...opts }, () => {
      writes++;
    }),
    (e: unknown) => isSignetError(e) && e.code === code,
  );
  assert.equal(writes, 0, 'nothing was written');
}

test('refused before the first byte: a header block over the limit, no recipient', async () => {
  // 1 MiB of header lines and no blank line: limit-exceeded, after reading little more than the limit.
  let read = 0;
  let closed = false;
  async function* endless(): AsyncGenerator<Uint8Array> {
    const line = latin1('X-Filler: ' + 'a'.repeat(60) + '\r\n');
    try {
      for (;;) {
        read += line.length;
        yield line;
      }
    } finally {
      closed = true;
    }
  }
  await refused(endless(), 'limit-exceeded');
  assert.ok(read < 1.1 * (1 << 20), `stopped reading after ${read} bytes`);
  await new Promise((r) => setImmediate(r));
  assert.equal(closed, true, 'the source was told to stop (a pipe reader stops reading)');
  await refused(cut(latin1(messages[0]![1]), [4]), 'missing-certificate', { encrypt: { recipients: [] } });
});

test('signing through pieces gathers the whole message first, and the signature verifies', async () => {
  const pki = testPki();
  const alice = pki.users.alice;
  const aliceId: Identity = { certificate: alice.certDer, chain: [pki.intermediateDer], privateKey: privateKeyFromPkcs8(alice.keyPkcs8, provider) };
  const parts: Buffer[] = [];
  const msg = latin1(messages[0]![1].replace('From: a@example.org', `From: ${alice.email}`));
  await writeProtectedMessageFrom(cut(msg, [2]), { sign: { identity: aliceId }, provider }, (c) => {
    parts.push(Buffer.from(c));
  });
  const { verdict } = await openMessage(new Uint8Array(Buffer.concat(parts)), { anchors: [pki.rootDer], identities: [], offline: true, provider });
  assert.equal(verdict.status, 'valid');
  assert.equal(verdict.signer?.email, alice.email);
});

// Signing to a streaming writer (writeProtectedMessage, the CLI's `sign`): the content goes out before its
// signature is made, so a reader downstream works on it meanwhile; whatever can refuse the signer is
// checked before the first byte.
test('streamed signing writes the content before the signature is made, and the result verifies', async () => {
  const pki = testPki();
  const alice = pki.users.alice;
  let writes = 0;
  let writesWhenSigned = -1;
  const key = privateKeyFromPkcs8(alice.keyPkcs8, provider);
  const aliceId: Identity = {
    certificate: alice.certDer,
    chain: [pki.intermediateDer],
    privateKey: { ...key, type: key.type, sign: (scheme, data) => ((writesWhenSigned = writes), key.sign(scheme, data)) },
  };
  const parts: Buffer[] = [];
  const msg = latin1(messages[3]![1].replace('From: a@example.org', `From: ${alice.email}`));
  await writeProtectedMessage(msg, { sign: { identity: aliceId }, provider }, (c) => {
    writes++;
    parts.push(Buffer.from(c));
  });
  assert.ok(writesWhenSigned >= 3, `outer headers, multipart head and content written before signing (${writesWhenSigned})`);
  const { verdict } = await openMessage(new Uint8Array(Buffer.concat(parts)), { anchors: [pki.rootDer], identities: [], offline: true, provider });
  assert.equal(verdict.status, 'valid');
});

test('streamed signing refuses a key that does not fit the certificate, or an unknown digest, before the first byte', async () => {
  const pki = testPki();
  const mismatched: Identity = { certificate: pki.users.alice.certDer, chain: [], privateKey: privateKeyFromPkcs8(pki.users.carol.keyPkcs8, provider) };
  const aliceId: Identity = { certificate: pki.users.alice.certDer, chain: [], privateKey: privateKeyFromPkcs8(pki.users.alice.keyPkcs8, provider) };
  for (const [sign, code] of [
    [{ identity: mismatched }, 'key-mismatch'],
    [{ identity: aliceId, digest: 'SHA-1' as unknown as 'SHA-256' }, 'usage'],
  ] as const) {
    let writes = 0;
    await assert.rejects(
      writeProtectedMessage(latin1(messages[0]![1]), { sign, provider }, () => {
        writes++;
      }),
      (e: unknown) => isSignetError(e) && e.code === code,
    );
    assert.equal(writes, 0, `nothing written before ${code}`);
  }
});

test('chunked (BER) encrypted content is joined and decrypted where it lies when the message is handed over: the same parts, no copy', async () => {
  const body = new Uint8Array(1_300_000).map((_, i) => 0x41 + ((i * 7) % 26));
  const message = latin1(`From: a@example.org\r\nTo: bob@example.org\r\nSubject: chunks\r\nContent-Type: text/plain\r\n\r\n${Buffer.from(body).toString('latin1')}\r\n`);
  const { out } = await encryptFrom(cut(message, [65536, 4096, 300_000]));
  const copying = await decryptMessage(new Uint8Array(out), [bobId], provider);
  const handed = new Uint8Array(out);
  const inPlace = await decryptMessage(handed, [bobId], provider, {}, { consumeMessage: true });
  assert.deepEqual(Buffer.concat(inPlace.parts), Buffer.concat(copying.parts));
  assert.ok(Buffer.concat(inPlace.parts).includes(Buffer.from(body.subarray(0, 100_000))), 'the content is there');
  // Three AES-CBC chunks of 512 KB (cms/envelope.ts) behind their OCTET STRING headers: the decrypted content
  // is a view on the message's own buffer, not a gathered copy.
  const content = inPlace.parts.reduce((a, b) => (b.length > a.length ? b : a));
  assert.equal(content.buffer, handed.buffer);
});
