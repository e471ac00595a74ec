// The RFC 9216 sample S/MIME keys (test/fixtures/corpus/rfc9216) and RFC 9788's example message header
// (§4, Appendix C: Alice writes to Bob about the Jones contract, 11 Jan 2023), shared by the header
// protection tests. No OpenSSL: these tests stay in the fast tier.
import { readFileSync } from 'node:fs';
import { webcrypto } from 'node:crypto';
import { join } from 'node:path';
import { cryptoProvider } from '../../src/core/crypto.js';
import type { Identity } from '../../src/core/keys.js';
import { loadCertificates, loadIdentities } from '../../src/keys/identity-file.js';
import { CORPUS } from './corpus.js';

const DIR = join(CORPUS, 'rfc9216');
export const provider = cryptoProvider(webcrypto as unknown as Crypto);
/** The sample RSA certification authority that issued Alice's and Bob's certificates. */
export const anchors = loadCertificates(new Uint8Array(readFileSync(join(DIR, 'Sample_LAMPS_RSA_Certification_Authority.selfsigned.pem'))));
/** A time when the sample certificates are valid, shortly after the example was sent. */
export const AT = new Date('2023-01-11T21:30:00Z');
/** The example's Date header, as a signing time. */
export const SIGNED_AT = new Date('2023-01-11T21:08:43Z');

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
export const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

let aliceCache: Identity | null = null;
/** Alice's signing identity (RSA), loaded once per process. */
export async function alice(): Promise<Identity> {
  aliceCache ??= (await loadIdentities(new Uint8Array(readFileSync(join(DIR, 'alice@smime.example.sig.pem'))), undefined, provider))[0]!;
  return aliceCache;
}

/** The outer header of RFC 9788's example message. */
export const EXAMPLE_HEADER =
  'From: Alice <alice@smime.example>\r\n' +
  'To: Bob <bob@smime.example>\r\n' +
  'Subject: Handling the Jones contract\r\n' +
  'Date: Wed, 11 Jan 2023 16:08:43 -0500\r\n' +
  'Message-ID: <20230111T210843Z.1234@lhp.example>\r\n';
