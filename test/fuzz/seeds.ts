// Seed inputs for the fuzz harnesses (not a test file). Seeds come from the repository's test fixtures
// (test/fixtures/corpus: Thunderbird/NSS, Bouncy Castle, RFC 4134, RFC 9216), plus the repository's own
// samples (policies, trust fixtures) and a few synthetic messages written here so that every harness has
// seeds even without a corpus.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { fromLatin1 } from '../../src/core/bytes.js';
import { PASS, testPki } from '../helpers/pki.js';

/** The S/MIME corpus in the repository (test/fixtures/corpus); null if it is missing. */
export function corpusRoot(): string | null {
  const dir = resolve('test/fixtures/corpus');
  return existsSync(dir) ? dir : null;
}

const MAX_SEED_BYTES = 1 << 20;

function walk(dir: string, out: string[]): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) walk(p, out);
    else if (st.size > 0 && st.size <= MAX_SEED_BYTES) out.push(p);
  }
}

export interface SeedFile {
  readonly path: string;
  readonly bytes: Uint8Array;
}

/** Files under the seed roots whose extension (lowercased, with the dot) is in `exts`. */
export function seedFiles(exts: readonly string[], roots: readonly string[]): SeedFile[] {
  const files: string[] = [];
  for (const r of roots) walk(r, files);
  return files.filter((p) => exts.includes(extname(p).toLowerCase())).map((path) => ({ path, bytes: new Uint8Array(readFileSync(path)) }));
}

export function defaultRoots(): string[] {
  const roots = [resolve('test/unit/trust/fixtures'), resolve('docs/policies')];
  const c = corpusRoot();
  if (c !== null) roots.unshift(c);
  return roots;
}

const b = (s: string): Uint8Array => fromLatin1(s.replace(/\n/g, '\r\n'));

/** Hand-written messages covering the parser's features (used with the corpus, or alone without it). */
export const SYNTHETIC_MESSAGES: readonly Uint8Array[] = [
  b('From: Alice <alice@example.com>\nTo: bob@example.com, "Carol, C." <carol@example.org>\nSubject: =?utf-8?q?caf=C3=A9?= =?iso-8859-1?b?4Q==?=\nMIME-Version: 1.0\nContent-Type: text/plain; charset="utf-8" (comment); format=flowed\nContent-Transfer-Encoding: quoted-printable\n\nHello=20world=\nsoft break =C3=A9\n'),
  b('From: a@b.example\nContent-Type: multipart/mixed; boundary="outer"\n\npreamble\n--outer\nContent-Type: text/plain\n\npart 1\n--outer\nContent-Type: multipart/alternative; boundary=inner\n\n--inner\nContent-Type: text/html\n\n<p>x</p>\n--inner--\n--outer\nContent-Type: application/octet-stream; name*0*=utf-8\'\'%E2%82%AC; name*1=".bin"\nContent-Disposition: attachment; filename*=utf-8\'en\'r%C3%A9sum%C3%A9.pdf\nContent-Transfer-Encoding: base64\n\nAAECAwQFBgcICQ==\n--outer--\nepilogue\n'),
  b('From: a@b.example\nContent-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="sig"\n\n--sig\nContent-Type: text/plain\n\nsigned\n--sig\nContent-Type: application/pkcs7-signature; name=smime.p7s\nContent-Transfer-Encoding: base64\n\nMIAGCSqGSIb3DQEHAqCAMIACAQExADCABgkqhkiG9w0BBwEAADEAAAAAAAA=\n--sig--\n'),
  b('From: a@b.example\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\nContent-Transfer-Encoding: base64\n\nMIAGCSqGSIb3DQEHA6CAMIACAQAxADCABgkqhkiG9w0BBwEwHQYJYIZIAWUDBAEqBBAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n'),
  b('From: a@b.example\nContent-Type: message/rfc822\n\nFrom: inner@example.com\nContent-Type: multipart/digest; boundary=d\n\n--d\n\nFrom: x@y\n\nbody\n--d--\n'),
  b('From: (comment) "q\\"uoted" <@route1,@route2:user@[192.0.2.1]>\nTo: group: a@b, c@d;, undisclosed-recipients:;\nX-Obs   : value\n folded\n\tagain\n\nbody'),
];

/**
 * Without a corpus: the test PKI of test/helpers (openssl-made) gives identity files (.p12 and
 * certificates), its root, and the password for them.
 */
export function helperPki(): { p12: Uint8Array[]; pem: Uint8Array[]; root: Uint8Array; password: string } {
  const pki = testPki();
  const users = Object.values(pki.users);
  return {
    p12: users.map((u) => new Uint8Array(readFileSync(u.p12Path))),
    pem: users.map((u) => new Uint8Array(readFileSync(u.certPath))),
    root: new Uint8Array(readFileSync(pki.rootPath)),
    password: PASS,
  };
}
