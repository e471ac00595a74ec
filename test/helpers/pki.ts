// Test PKI made fresh in every test run with the real OpenSSL CLI (no private keys are committed):
// a root and an intermediate CA, end entities for every key type Signet supports, and the defective
// certificates the trust rules must refuse. scripts/run-tests.js builds it once per run and names the
// folder in SIGNET_TEST_PKI; each test process then works on its own copy (tests issue and revoke
// certificates in the CA's index, so processes must not share one). Without the variable (a test file
// run on its own) the process builds its own PKI, as before.

import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type KeySpec = 'rsa2048' | 'rsa3072' | 'rsa1024' | 'p256' | 'p384' | 'p521';

export interface TestUser {
  name: string;
  email: string | null;
  key: KeySpec;
  /** PKCS#8 private key, PEM file path */
  keyPath: string;
  /** end-entity certificate, PEM file path */
  certPath: string;
  /** end-entity certificate + intermediate, PEM */
  chainPath: string;
  /** PEM file with key + cert + intermediate: a `signet --identity` PEM identity */
  identityPemPath: string;
  /** PKCS#12 with AES-256/PBKDF2 (OpenSSL 3 default), passphrase PASS */
  p12Path: string;
  /** PKCS#12 with PBE-SHA1-3DES and a SHA-1 MAC (what Windows/macOS/gpgsm 2.2 use), passphrase PASS */
  p12LegacyPath: string;
  certDer: Uint8Array;
  keyPkcs8: Uint8Array;
}

export interface TestPki {
  dir: string;
  rootPath: string;
  rootDer: Uint8Array;
  intermediatePath: string;
  intermediateDer: Uint8Array;
  /** A second, unrelated root (for "untrusted" cases) and its users. */
  otherRootPath: string;
  users: Record<UserName, TestUser>;
}

export const PASS = 'test-pass';

export type UserName =
  | 'alice' // RSA 2048, the default signer
  | 'bob' // RSA 3072, a second correspondent
  | 'carol' // EC P-256
  | 'dave' // EC P-384
  | 'erin' // EC P-521
  | 'expired' // RSA, validity ended in 2021
  | 'notyet' // RSA, validity starts in 2090
  | 'serverauth' // EKU serverAuth only (no emailProtection)
  | 'encipheronly' // keyUsage keyEncipherment only (cannot sign)
  | 'weak' // RSA 1024
  | 'noemail' // no rfc822Name, no emailAddress
  | 'mallory'; // issued by the other, untrusted root, claims alice's address

interface UserDef {
  key: KeySpec;
  email: string | null;
  issuer: 'inter' | 'other';
  start?: string;
  end?: string;
  ku?: string;
  eku?: string;
}

const USERS: Record<UserName, UserDef> = {
  alice: { key: 'rsa2048', email: 'alice@example.org', issuer: 'inter' },
  bob: { key: 'rsa3072', email: 'bob@example.org', issuer: 'inter' },
  carol: { key: 'p256', email: 'carol@example.org', issuer: 'inter' },
  dave: { key: 'p384', email: 'dave@example.org', issuer: 'inter' },
  erin: { key: 'p521', email: 'erin@example.org', issuer: 'inter' },
  expired: { key: 'rsa2048', email: 'old@example.org', issuer: 'inter', start: '20200101000000Z', end: '20210101000000Z' },
  notyet: { key: 'rsa2048', email: 'future@example.org', issuer: 'inter', start: '20900101000000Z', end: '20910101000000Z' },
  serverauth: { key: 'rsa2048', email: 'server@example.org', issuer: 'inter', eku: 'serverAuth' },
  encipheronly: { key: 'rsa2048', email: 'enc@example.org', issuer: 'inter', ku: 'critical,keyEncipherment' },
  weak: { key: 'rsa1024', email: 'weak@example.org', issuer: 'inter' },
  noemail: { key: 'rsa2048', email: null, issuer: 'inter' },
  mallory: { key: 'rsa2048', email: 'alice@example.org', issuer: 'other' },
};

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function genKey(spec: KeySpec, out: string, cwd: string): void {
  const args =
    spec === 'rsa2048' || spec === 'rsa3072' || spec === 'rsa1024'
      ? ['genpkey', '-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${spec.slice(3)}`]
      : ['genpkey', '-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:${{ p256: 'P-256', p384: 'P-384', p521: 'P-521' }[spec]}`];
  openssl([...args, '-out', out], cwd);
}

function pemToDer(pem: string): Uint8Array {
  const b64 = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  return new Uint8Array(Buffer.from(b64, 'base64'));
}

function caConfig(dir: string, name: string): string {
  const d = join(dir, name);
  mkdirSync(join(d, 'new'), { recursive: true });
  writeFileSync(join(d, 'index.txt'), '');
  writeFileSync(join(d, 'serial'), randomSerialHex() + '\n');
  const cnf = join(d, 'ca.cnf');
  writeFileSync(
    cnf,
    `[ca]\ndefault_ca=d\n[d]\ndir=${d}\ndatabase=$dir/index.txt\nnew_certs_dir=$dir/new\nserial=$dir/serial\n` +
      `default_md=sha256\npolicy=p\nunique_subject=no\ncopy_extensions=none\nemail_in_dn=no\n[p]\ncommonName=supplied\nemailAddress=optional\n`,
  );
  return cnf;
}

let cached: TestPki | null = null;

/** The environment variable naming a complete test PKI built by scripts/run-tests.js. */
export const TEST_PKI_ENV = 'SIGNET_TEST_PKI';
/** Written last by buildTestPki: a folder without it is incomplete and never reused. */
const COMPLETE = 'complete';

/**
 * The test PKI of this process: a private copy of the one named by SIGNET_TEST_PKI when that is
 * complete (milliseconds), else one built here with OpenSSL (~60 openssl runs, seconds).
 */
export function testPki(): TestPki {
  if (cached) return cached;
  const shared = process.env[TEST_PKI_ENV];
  if (shared && existsSync(join(shared, COMPLETE))) {
    cached = copyTestPki(shared);
  } else {
    cached = buildTestPki(mkdtempSync(join(tmpdir(), 'signet-pki-')));
  }
  return cached;
}

/** Copies a complete PKI folder into a private temp folder (removed when the process exits) and loads it. */
function copyTestPki(from: string): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'signet-pki-'));
  cpSync(from, dir, { recursive: true });
  // The CA configurations name their folder by absolute path; point them at the copy. A fresh serial per
  // copy keeps certificates issued by different processes from sharing serial numbers.
  for (const name of readdirSync(dir)) {
    if (!name.startsWith('ca-')) continue;
    const cnf = join(dir, name, 'ca.cnf');
    writeFileSync(cnf, readFileSync(cnf, 'utf8').replace(/^dir=.*$/m, `dir=${join(dir, name)}`));
    writeFileSync(join(dir, name, 'serial'), randomSerialHex() + '\n');
  }
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return loadTestPki(dir);
}

function randomSerialHex(): string {
  return Math.floor(Math.random() * 1e12).toString(16).padStart(16, '0');
}

/** Reads a built PKI folder (the layout buildTestPki writes) into a TestPki. */
function loadTestPki(dir: string): TestPki {
  const users = {} as Record<UserName, TestUser>;
  for (const [name, def] of Object.entries(USERS) as [UserName, UserDef][]) users[name] = userEntry(dir, name, def);
  return pkiEntry(dir, users);
}

function userEntry(dir: string, name: UserName, def: UserDef): TestUser {
  return {
    name,
    email: def.email,
    key: def.key,
    keyPath: join(dir, `${name}.key`),
    certPath: join(dir, `${name}.pem`),
    chainPath: join(dir, `${name}.chain.pem`),
    identityPemPath: join(dir, `${name}.identity.pem`),
    p12Path: join(dir, `${name}.p12`),
    p12LegacyPath: join(dir, `${name}.legacy.p12`),
    certDer: pemToDer(readFileSync(join(dir, `${name}.pem`), 'utf8')),
    keyPkcs8: pemToDer(readFileSync(join(dir, `${name}.key`), 'utf8')),
  };
}

function pkiEntry(dir: string, users: Record<UserName, TestUser>): TestPki {
  return {
    dir,
    rootPath: join(dir, 'root.pem'),
    rootDer: pemToDer(readFileSync(join(dir, 'root.pem'), 'utf8')),
    intermediatePath: join(dir, 'inter.pem'),
    intermediateDer: pemToDer(readFileSync(join(dir, 'inter.pem'), 'utf8')),
    otherRootPath: join(dir, 'other.pem'),
    users,
  };
}

/** Builds the whole test PKI into `dir` (an empty folder) with the openssl CLI and returns it. */
export function buildTestPki(dir: string): TestPki {
  const ext = join(dir, 'ext.cnf');
  writeFileSync(
    ext,
    '[root]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n' +
      '[inter]\nbasicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n',
  );
  // Roots
  for (const [name, cn] of [
    ['root', 'Signet Test Root'],
    ['other', 'Untrusted Other Root'],
  ] as const) {
    genKey('rsa2048', `${name}.key`, dir);
    openssl(
      ['req', '-x509', '-new', '-key', `${name}.key`, '-subj', `/CN=${cn}/O=Signet Tests`, '-days', '7300', '-sha256',
        '-extensions', 'root', '-config', ext, '-out', `${name}.pem`],
      dir,
    );
  }
  // Intermediate under the root
  const rootCnf = caConfig(dir, 'ca-root');
  genKey('rsa2048', 'inter.key', dir);
  openssl(['req', '-new', '-key', 'inter.key', '-subj', '/CN=Signet Test Intermediate/O=Signet Tests', '-out', 'inter.csr'], dir);
  openssl(
    ['ca', '-batch', '-config', rootCnf, '-cert', 'root.pem', '-keyfile', 'root.key', '-in', 'inter.csr', '-out', 'inter.pem',
      '-days', '3650', '-extfile', ext, '-extensions', 'inter', '-notext'],
    dir,
  );
  const interCnf = caConfig(dir, 'ca-inter');
  const otherCnf = caConfig(dir, 'ca-other');
  const users = {} as Record<UserName, TestUser>;
  for (const [name, def] of Object.entries(USERS) as [UserName, UserDef][]) {
    const isEc = def.key.startsWith('p');
    const ku = def.ku ?? (isEc ? 'critical,digitalSignature,nonRepudiation,keyAgreement' : 'critical,digitalSignature,nonRepudiation,keyEncipherment');
    const eku = def.eku ?? 'emailProtection';
    const extFile = join(dir, `${name}.ext`);
    writeFileSync(
      extFile,
      `[e]\nbasicConstraints=CA:FALSE\nkeyUsage=${ku}\nextendedKeyUsage=${eku}\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n` +
        (def.email ? `subjectAltName=email:${def.email}\n` : ''),
    );
    genKey(def.key, `${name}.key`, dir);
    openssl(['req', '-new', '-key', `${name}.key`, '-subj', `/CN=${name} Tester/O=Signet Tests`, '-out', `${name}.csr`], dir);
    const [cnf, caCert, caKey] = def.issuer === 'inter' ? [interCnf, 'inter.pem', 'inter.key'] : [otherCnf, 'other.pem', 'other.key'];
    const validity = def.start ? ['-startdate', def.start, '-enddate', def.end!] : ['-days', '1825'];
    openssl(
      ['ca', '-batch', '-config', cnf, '-cert', caCert, '-keyfile', caKey, '-in', `${name}.csr`, '-out', `${name}.pem`,
        ...validity, '-extfile', extFile, '-extensions', 'e', '-notext'],
      dir,
    );
    const certPem = readFileSync(join(dir, `${name}.pem`), 'utf8');
    const issuerPem = readFileSync(join(dir, caCert), 'utf8');
    const keyPem = readFileSync(join(dir, `${name}.key`), 'utf8');
    writeFileSync(join(dir, `${name}.chain.pem`), certPem + issuerPem);
    writeFileSync(join(dir, `${name}.identity.pem`), keyPem + certPem + issuerPem);
    openssl(
      ['pkcs12', '-export', '-inkey', `${name}.key`, '-in', `${name}.pem`, '-certfile', caCert, '-passout', `pass:${PASS}`,
        '-name', name, '-out', `${name}.p12`],
      dir,
    );
    openssl(
      ['pkcs12', '-export', '-inkey', `${name}.key`, '-in', `${name}.pem`, '-certfile', caCert, '-passout', `pass:${PASS}`,
        '-name', name, '-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1', '-out', `${name}.legacy.p12`],
      dir,
    );
    users[name] = userEntry(dir, name, def);
  }
  const pki = pkiEntry(dir, users);
  writeFileSync(join(dir, COMPLETE), '');
  return pki;
}
