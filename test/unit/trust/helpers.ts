// Small PKIs made with the openssl CLI inside the test run, for the trust tests: any validity window,
// any extensions (name constraints, AIA, missing CA flag), self-signed or issued by another test CA.
// Keys are EC P-256 (fast to make); nothing here is committed.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signContent } from '../../../src/core/cms/sign.js';
import { verifySignedData } from '../../../src/core/cms/verify.js';
import { resolveConfig } from '../../../src/core/config.js';
import { cryptoProvider } from '../../../src/core/crypto.js';
import { privateKeyFromPkcs8 } from '../../../src/core/private-key.js';
import type { SignerReport } from '../../../src/core/verdict.js';

export const provider = cryptoProvider();
export const config = resolveConfig();

export const CA_EXT = 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n';
export const leafExt = (email: string | null, extra = ''): string =>
  'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nextendedKeyUsage=emailProtection\n' +
  'subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' +
  (email ? `subjectAltName=email:${email}\n` : '') +
  extra;

export interface TestCert {
  name: string;
  certPath: string;
  keyPath: string;
  der: Uint8Array;
  keyPkcs8: Uint8Array;
}

let dir: string | null = null;
let serial = 0x5000;
function scratch(): string {
  dir ??= mkdtempSync(join(tmpdir(), 'signet-trust-'));
  return dir;
}

function openssl(args: string[], cwd = scratch()): Buffer {
  return execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

export function pemToDer(pem: string, label = 'CERTIFICATE'): Uint8Array {
  const m = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`).exec(pem);
  return new Uint8Array(Buffer.from(m![1]!.replace(/\s+/g, ''), 'base64'));
}

/** YYYYMMDDHHMMSSZ for openssl ca, `days` from now (negative: in the past). */
export function gmt(days: number): string {
  return new Date(Date.now() + days * 86400_000).toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
}

export interface IssueOptions {
  /** openssl -subj form, e.g. "/CN=Leaf/O=Tests". */
  subject: string;
  /** Extension lines (openssl x509v3 config syntax). */
  ext: string;
  /** Signing CA; self-signed when absent. */
  issuer?: TestCert;
  /** Reuse this key (cross-certificates: same subject and key, another issuer). */
  keyPath?: string;
  /** Validity in days relative to now; default [-1, 30]. */
  from?: number;
  to?: number;
}

/** Issues a certificate with `openssl ca` (which accepts any validity window, past or future). */
export function issue(name: string, o: IssueOptions): TestCert {
  const d = scratch();
  const keyPath = o.keyPath ?? join(d, `${name}.key`);
  if (!o.keyPath) openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', keyPath]);
  const ca = join(d, `ca-${name}`);
  mkdirSync(join(ca, 'new'), { recursive: true });
  writeFileSync(join(ca, 'index.txt'), '');
  writeFileSync(join(ca, 'serial'), (serial++).toString(16).padStart(8, '0') + '\n');
  const cnf = join(ca, 'ca.cnf');
  writeFileSync(
    cnf,
    `[ca]\ndefault_ca=d\n[d]\ndir=${ca}\ndatabase=$dir/index.txt\nnew_certs_dir=$dir/new\nserial=$dir/serial\n` +
      `default_md=sha256\npolicy=p\nunique_subject=no\ncopy_extensions=none\n` +
      `[p]\ncountryName=optional\norganizationName=optional\norganizationalUnitName=optional\ncommonName=optional\nemailAddress=optional\n` +
      `[e]\n${o.ext}`,
  );
  const csr = join(d, `${name}.csr`);
  openssl(['req', '-new', '-key', keyPath, '-subj', o.subject, '-out', csr, '-config', cnf]);
  const certPath = join(d, `${name}.pem`);
  const signer = o.issuer ? ['-cert', o.issuer.certPath, '-keyfile', o.issuer.keyPath] : ['-selfsign', '-keyfile', keyPath];
  openssl([
    'ca', '-batch', '-notext', '-preserveDN', '-config', cnf, ...signer, '-in', csr, '-out', certPath,
    '-startdate', gmt(o.from ?? -1), '-enddate', gmt(o.to ?? 30), '-extensions', 'e',
  ]);
  const keyPem = readFileSync(keyPath, 'utf8');
  return { name, certPath, keyPath, der: pemToDer(readFileSync(certPath, 'utf8')), keyPkcs8: pemToDer(keyPem, 'PRIVATE KEY') };
}

/** subjectAltName as raw DER (openssl's arbitrary-extension syntax), so names can carry any bytes. */
export function sanExt(emails: string[]): string {
  const tlv = (tag: number, body: Buffer): Buffer => {
    const len = body.length < 0x80 ? Buffer.from([body.length]) : Buffer.from([0x81, body.length]);
    return Buffer.concat([Buffer.from([tag]), len, body]);
  };
  const seq = tlv(0x30, Buffer.concat(emails.map((e) => tlv(0x81, Buffer.from(e, 'latin1')))));
  return `2.5.29.17=DER:${seq.toString('hex')}\n`;
}

export const content = new TextEncoder().encode('Content-Type: text/plain\r\n\r\ntrust test\r\n');

/** Signs `content` as `leaf` (carrying `carry` as extra certificates) and verifies it; returns the signer report. */
export async function signAndVerify(
  leaf: TestCert,
  carry: TestCert[],
  anchors: TestCert[],
  opts: { at?: Date; signingTime?: Date; fetch?: typeof fetch } = {},
): Promise<SignerReport> {
  const identity = { certificate: leaf.der, chain: [], privateKey: privateKeyFromPkcs8(leaf.keyPkcs8, provider) };
  const der = await signContent(content, { identity, signingTime: opts.signingTime, extraCertificates: carry.map((c) => c.der) }, provider);
  const r = await verifySignedData(
    der,
    { detachedContent: content, anchors: anchors.map((a) => a.der), config, at: opts.at, fetch: opts.fetch },
    provider,
  );
  return r.signers[0]!;
}

/** The status of each chain link, leaf first: what the read pane shows. */
export const linkStatuses = (s: SignerReport): string[] => s.chain.map((c) => c.status);
