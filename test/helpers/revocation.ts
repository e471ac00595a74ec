// Revocation fixtures on top of testPki() (whose users and files stay untouched): end entities issued by
// the test intermediate with AIA id-ad-ocsp and CRL distribution point URLs on 127.0.0.1, OCSP responder
// certificates (delegated, unauthorised, without id-kp-OCSPSigning), revocations in the intermediate's
// index.txt, CRLs from `openssl ca -gencrl`, a real `openssl ocsp` responder process and a tiny node:http
// server. Everything listens on, and is only contacted at, 127.0.0.1.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer as createTcpServer } from 'node:net';
import { join } from 'node:path';
import { testPki } from './pki.js';

function openssl(args: string[], cwd: string): string {
  return execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

export function pemToDer(pem: string): Uint8Array {
  const m = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(pem);
  if (!m) throw new Error('no PEM block');
  return new Uint8Array(Buffer.from(m[2]!.replace(/\s+/g, ''), 'base64'));
}

export interface RevocationUser {
  name: string;
  email: string;
  certPath: string;
  keyPath: string;
  identityPemPath: string;
  certDer: Uint8Array;
}

export interface IssueOptions {
  email: string;
  ocsp?: string[];
  crl?: string[];
  /** Issue outside `openssl ca` so the CA's index (and so the OCSP responder) does not know it. */
  notInIndex?: boolean;
}

const interCnf = (dir: string): string => join(dir, 'ca-inter', 'ca.cnf');

/** An end entity (EC P-256, emailProtection) issued by the test intermediate with the given URLs. */
export function issueUser(name: string, o: IssueOptions): RevocationUser {
  const pki = testPki();
  const dir = pki.dir;
  const lines = [
    '[e]',
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature,nonRepudiation,keyAgreement',
    'extendedKeyUsage=emailProtection',
    'subjectKeyIdentifier=hash',
    'authorityKeyIdentifier=keyid',
    `subjectAltName=email:${o.email}`,
  ];
  if (o.ocsp?.length) lines.push(`authorityInfoAccess=${o.ocsp.map((u) => `OCSP;URI:${u}`).join(',')}`);
  if (o.crl?.length) lines.push(`crlDistributionPoints=${o.crl.map((u) => `URI:${u}`).join(',')}`);
  const ext = join(dir, `rv-${name}.ext`);
  writeFileSync(ext, lines.join('\n') + '\n');
  const key = join(dir, `rv-${name}.key`);
  const csr = join(dir, `rv-${name}.csr`);
  const cert = join(dir, `rv-${name}.pem`);
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key], dir);
  openssl(['req', '-new', '-key', key, '-subj', `/CN=${name} Revocation Tester/O=Signet Tests`, '-out', csr], dir);
  if (o.notInIndex) {
    openssl(['x509', '-req', '-in', csr, '-CA', 'inter.pem', '-CAkey', 'inter.key', '-set_serial', `0x${randomSerial()}`,
      '-days', '30', '-sha256', '-extfile', ext, '-extensions', 'e', '-out', cert], dir);
  } else {
    openssl(['ca', '-batch', '-config', interCnf(dir), '-cert', 'inter.pem', '-keyfile', 'inter.key', '-in', csr, '-out', cert,
      '-days', '30', '-extfile', ext, '-extensions', 'e', '-notext'], dir);
  }
  const certPem = readFileSync(cert, 'utf8');
  const identity = join(dir, `rv-${name}.identity.pem`);
  writeFileSync(identity, readFileSync(key, 'utf8') + certPem + readFileSync(join(dir, 'inter.pem'), 'utf8'));
  return { name, email: o.email, certPath: cert, keyPath: key, identityPemPath: identity, certDer: pemToDer(certPem) };
}

function randomSerial(): string {
  return Array.from({ length: 8 }, () => Math.floor(Math.random() * 256).toString(16).padStart(2, '0')).join('').replace(/^[89a-f]/, '1');
}

export interface Responder {
  certPath: string;
  keyPath: string;
}

/**
 * An OCSP responder certificate. issuer 'inter': delegated by the test intermediate (authorised when
 * `ocspSigning`); 'other': issued by the unrelated root (never authorised for the intermediate).
 */
export function issueResponder(name: string, issuer: 'inter' | 'other', ocspSigning: boolean): Responder {
  const dir = testPki().dir;
  const ext = join(dir, `rs-${name}.ext`);
  writeFileSync(
    ext,
    '[e]\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' +
      (ocspSigning ? 'extendedKeyUsage=OCSPSigning\nnoCheck=ignored\n' : 'extendedKeyUsage=emailProtection\n'),
  );
  const key = join(dir, `rs-${name}.key`);
  const csr = join(dir, `rs-${name}.csr`);
  const cert = join(dir, `rs-${name}.pem`);
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key], dir);
  openssl(['req', '-new', '-key', key, '-subj', `/CN=${name} OCSP Responder/O=Signet Tests`, '-out', csr], dir);
  const [caCert, caKey] = issuer === 'inter' ? ['inter.pem', 'inter.key'] : ['other.pem', 'other.key'];
  openssl(['x509', '-req', '-in', csr, '-CA', caCert, '-CAkey', caKey, '-set_serial', `0x${randomSerial()}`, '-days', '30', '-sha256',
    '-extfile', ext, '-extensions', 'e', '-out', cert], dir);
  return { certPath: cert, keyPath: key };
}

/** Marks a certificate revoked in the intermediate's index.txt (the OCSP responder re-reads it). */
export function revoke(certPath: string, reason: string): void {
  const dir = testPki().dir;
  openssl(['ca', '-batch', '-config', interCnf(dir), '-cert', 'inter.pem', '-keyfile', 'inter.key', '-revoke', certPath, '-crl_reason', reason], dir);
}

/**
 * A CRL of the intermediate's index. signer 'inter' is the real CA; 'impostor' is a self-made certificate
 * with the intermediate's exact name but another key (a CRL signed by the wrong key). `crlExtensions`
 * adds lines to a [crlext] section (e.g. an issuingDistributionPoint).
 */
export function makeCrl(name: string, signer: 'inter' | 'impostor', crlExtensions: string[] = []): Uint8Array {
  const dir = testPki().dir;
  let cert = 'inter.pem';
  let key = 'inter.key';
  if (signer === 'impostor') {
    cert = 'impostor-inter.pem';
    key = 'impostor-inter.key';
    openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', key], dir);
    const ext = join(dir, 'impostor.ext');
    writeFileSync(ext, '[v3]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n');
    const subject = openssl(['x509', '-in', 'inter.pem', '-noout', '-subject', '-nameopt', 'compat'], dir).trim().replace(/^subject=/, '');
    openssl(['req', '-x509', '-new', '-key', key, '-subj', subject, '-days', '30', '-sha256',
      '-config', ext, '-extensions', 'v3', '-out', cert], dir);
  }
  const out = join(dir, `crl-${name}.pem`);
  const args = ['ca', '-batch', '-config', interCnf(dir), '-cert', cert, '-keyfile', key, '-gencrl', '-crldays', '1', '-md', 'sha256', '-out', out];
  if (crlExtensions.length > 0) {
    const cnf = join(dir, `crl-${name}.cnf`);
    writeFileSync(cnf, readFileSync(interCnf(dir), 'utf8') + `[crlext]\n${crlExtensions.join('\n')}\n`);
    args.splice(args.indexOf(interCnf(dir)), 1, cnf);
    args.push('-crlexts', 'crlext');
  }
  openssl(args, dir);
  return pemToDer(readFileSync(out, 'utf8'));
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createTcpServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface OcspResponderOptions {
  port: number;
  rsigner: string;
  rkey: string;
  /** nextUpdate in minutes (-nmin); default 10. */
  nmin?: number;
  /** Identify the responder by key hash instead of name. */
  byKey?: boolean;
}

/**
 * Starts `openssl ocsp` on `port` for the intermediate's index; resolves once it says it is accepting
 * connections. (It is not probed with an empty connection: OpenSSL 3.0's responder then spins at 100% CPU
 * and stops answering.)
 */
export async function startOcspResponder(o: OcspResponderOptions): Promise<ChildProcess> {
  const dir = testPki().dir;
  const args = ['ocsp', '-index', join(dir, 'ca-inter', 'index.txt'), '-CA', join(dir, 'inter.pem'), '-rsigner', o.rsigner, '-rkey', o.rkey,
    '-rmd', 'sha256', '-port', String(o.port), '-nmin', String(o.nmin ?? 10), '-ignore_err'];
  if (o.byKey) args.push('-resp_key_id');
  const child = spawn('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`openssl ocsp did not start: ${err}`));
    }, 10_000);
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('waiting for OCSP client connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`openssl ocsp exited (${code}): ${err}`));
    });
  });
  child.removeAllListeners('exit');
  return child;
}

export { startHttpServer, type LocalServer } from './loopback-server.js';
