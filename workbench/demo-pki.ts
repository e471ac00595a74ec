// The workbench's demo PKI, made with the real OpenSSL CLI on first start (no private key is ever committed):
// a demo root and intermediate CA, the mailbox owner who can decrypt, correspondents who sign, and the
// certificates the samples need to show each badge state (an untrusted root, an expired certificate).

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DemoUser {
  /** Friendly name shown in From/To. */
  name: string;
  email: string;
  /** PEM: private key (PKCS#8), certificate, issuing CA(s) — a `signet --identity` PEM file. */
  identityPem: string;
  certPem: string;
}

export type DemoUserName = 'owner' | 'alice' | 'bob' | 'carol' | 'mallory' | 'expired';

export interface DemoPki {
  rootPem: string;
  intermediatePem: string;
  otherRootPem: string;
  users: Record<DemoUserName, DemoUser>;
}

interface UserDef {
  name: string;
  email: string;
  issuer: 'inter' | 'other';
  start?: string;
  end?: string;
}

const USERS: Record<DemoUserName, UserDef> = {
  owner: { name: 'Dana Reader', email: 'dana@example.org', issuer: 'inter' },
  alice: { name: 'Alice Example', email: 'alice@example.org', issuer: 'inter' },
  bob: { name: 'Bob Example', email: 'bob@example.org', issuer: 'inter' },
  carol: { name: 'Carol Example', email: 'carol@example.org', issuer: 'inter' },
  // Issued by a root nobody trusted, in Alice's name: the "untrusted" sample.
  mallory: { name: 'Alice Example', email: 'alice@example.org', issuer: 'other' },
  expired: { name: 'Oscar Old', email: 'oscar@example.org', issuer: 'inter', start: '20200101000000Z', end: '20210101000000Z' },
};

function asn1Time(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function caConfig(dir: string, name: string): string {
  const d = join(dir, name);
  mkdirSync(join(d, 'new'), { recursive: true });
  writeFileSync(join(d, 'index.txt'), '');
  writeFileSync(join(d, 'serial'), Math.floor(Math.random() * 1e12).toString(16).padStart(16, '0') + '\n');
  const cnf = join(d, 'ca.cnf');
  writeFileSync(
    cnf,
    `[ca]\ndefault_ca=d\n[d]\ndir=${d}\ndatabase=$dir/index.txt\nnew_certs_dir=$dir/new\nserial=$dir/serial\n` +
      `default_md=sha256\npolicy=p\nunique_subject=no\ncopy_extensions=none\nemail_in_dn=no\n[p]\ncommonName=supplied\norganizationName=optional\nemailAddress=optional\n`,
  );
  return cnf;
}

/** Creates the demo PKI in `dir` (a private working folder) with `openssl`; takes a few seconds. */
export function makeDemoPki(dir: string): DemoPki {
  mkdirSync(dir, { recursive: true });
  const ext = join(dir, 'ext.cnf');
  writeFileSync(
    ext,
    '[root]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n' +
      '[inter]\nbasicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n',
  );
  // Everything starts a week ago: the samples carry signing times of the last hours, and a chain must be
  // valid at the signing time as well as now (ARCHITECTURE.md rule 5). `ca -selfsign` because `req -x509` in
  // OpenSSL 3.0 cannot set a start date.
  const day = 86_400_000;
  const start = asn1Time(new Date(Date.now() - 7 * day));
  const until = (days: number): string => asn1Time(new Date(Date.now() + days * day));
  const rootCnf = caConfig(dir, 'ca-root');
  const otherCnf = caConfig(dir, 'ca-other');
  for (const [name, cn, cnf] of [
    ['root', 'Signet Demo Root CA', rootCnf],
    ['other', 'Unknown Root CA', otherCnf],
  ] as const) {
    openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', `${name}.key`], dir);
    openssl(['req', '-new', '-key', `${name}.key`, '-subj', `/CN=${cn}/O=Signet Workbench`, '-out', `${name}.csr`], dir);
    openssl(
      ['ca', '-batch', '-selfsign', '-config', cnf, '-keyfile', `${name}.key`, '-in', `${name}.csr`, '-out', `${name}.pem`,
        '-startdate', start, '-enddate', until(3650), '-extfile', ext, '-extensions', 'root', '-notext'],
      dir,
    );
  }
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'inter.key'], dir);
  openssl(['req', '-new', '-key', 'inter.key', '-subj', '/CN=Signet Demo Mail CA/O=Signet Workbench', '-out', 'inter.csr'], dir);
  openssl(
    ['ca', '-batch', '-config', rootCnf, '-cert', 'root.pem', '-keyfile', 'root.key', '-in', 'inter.csr', '-out', 'inter.pem',
      '-startdate', start, '-enddate', until(3000), '-extfile', ext, '-extensions', 'inter', '-notext'],
    dir,
  );
  const interCnf = caConfig(dir, 'ca-inter');
  const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
  const users = {} as Record<DemoUserName, DemoUser>;
  for (const [id, def] of Object.entries(USERS) as [DemoUserName, UserDef][]) {
    writeFileSync(
      join(dir, `${id}.ext`),
      '[e]\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation,keyEncipherment\n' +
        `extendedKeyUsage=emailProtection\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\nsubjectAltName=email:${def.email}\n`,
    );
    openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', `${id}.key`], dir);
    openssl(['req', '-new', '-key', `${id}.key`, '-subj', `/CN=${def.name}/O=Signet Workbench`, '-out', `${id}.csr`], dir);
    const [cnf, caCert, caKey] = def.issuer === 'inter' ? [interCnf, 'inter.pem', 'inter.key'] : [otherCnf, 'other.pem', 'other.key'];
    const validity = ['-startdate', def.start ?? start, '-enddate', def.end ?? until(1095)];
    openssl(
      ['ca', '-batch', '-config', cnf, '-cert', caCert, '-keyfile', caKey, '-in', `${id}.csr`, '-out', `${id}.pem`, ...validity,
        '-extfile', join(dir, `${id}.ext`), '-extensions', 'e', '-notext'],
      dir,
    );
    const certPem = read(`${id}.pem`);
    users[id] = { name: def.name, email: def.email, certPem, identityPem: read(`${id}.key`) + certPem + read(caCert) };
  }
  return { rootPem: read('root.pem'), intermediatePem: read('inter.pem'), otherRootPem: read('other.pem'), users };
}
