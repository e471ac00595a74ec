// Regenerates src/core/pki/roots/mozilla-email-roots.json: the roots Mozilla trusts for e-mail (the set
// Thunderbird uses), read from NSS's built-in root module (libnssckbi) as Debian ships it in libnss3.
// Needs Debian's libnss3 and libnss3-tools (certutil, modutil); no npm dependencies.
//
//   node scripts/update-roots.js [--libfile /path/to/libnssckbi.so] [--out FILE]
//
// Steps: a throw-away NSS database, the builtins module added to it, `certutil -L -h all` to list every
// built-in certificate with its trust flags "SSL,S/MIME,JAR/XPI", and only roots whose S/MIME column holds
// 'C' (trusted CA for issuing) kept. Each is exported as PEM (`-a`: a nickname can name several
// certificates, which `-r` would concatenate), and written with its SHA-256 so the data file can be
// reviewed and checked. NSS's "email distrust after" dates (CKA_NSS_EMAIL_DISTRUST_AFTER) are not shown by
// certutil and are not applied.

import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const out = resolve(opt('--out') ?? join(here, '..', 'src', 'core', 'pki', 'roots', 'mozilla-email-roots.json'));
const TOKEN = 'Builtin Object Token:';

function run(cmd, argv, input) {
  return execFileSync(cmd, argv, { input, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
}

function findLibfile() {
  const given = opt('--libfile');
  if (given) return given;
  try {
    const listed = run('dpkg', ['-L', 'libnss3']).toString().split('\n').find((l) => l.endsWith('/libnssckbi.so'));
    if (listed) return listed;
  } catch {
    // not Debian: fall through to the usual paths
  }
  for (const p of ['/usr/lib/x86_64-linux-gnu/libnssckbi.so', '/usr/lib/aarch64-linux-gnu/libnssckbi.so', '/usr/lib64/libnssckbi.so', '/usr/lib/libnssckbi.so']) {
    if (existsSync(p)) return p;
  }
  throw new Error('libnssckbi.so not found: install libnss3 or pass --libfile');
}

function source() {
  try {
    const [name, version] = run('dpkg-query', ['-W', '-f', '${Package} ${Version}', 'libnss3']).toString().trim().split(' ');
    return `Debian ${name} ${version}`;
  } catch {
    return 'libnssckbi (version unknown)';
  }
}

/** `certutil -L -h all` rows: nickname, then "ssl,smime,objsign" trust letters (column-aligned, may overflow). */
function listBuiltins(db) {
  const rows = [];
  for (const line of run('certutil', ['-L', '-d', `sql:${db}`, '-h', 'all']).toString().split('\n')) {
    const m = /^(.*?)\s+([A-Za-z]*),([A-Za-z]*),([A-Za-z]*)\s*$/.exec(line);
    if (!m || !m[1].startsWith(TOKEN)) continue;
    rows.push({ nickname: m[1], ssl: m[2], smime: m[3], objsign: m[4] });
  }
  return rows;
}

/**
 * The certificates under one nickname, with each one's e-mail trust. `-a` prints them in the same order
 * as the pretty-printed listing, whose "Email Flags" block says "Trusted CA" for 'C'.
 */
function certificatesOf(db, nickname) {
  const pem = run('certutil', ['-L', '-d', `sql:${db}`, '-n', nickname, '-a']).toString();
  const ders = [...pem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map((m) => Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
  if (ders.length === 1) return [{ der: ders[0], emailTrusted: true }];
  const pretty = run('certutil', ['-L', '-d', `sql:${db}`, '-n', nickname]).toString();
  const flags = [...pretty.matchAll(/Email Flags:\n((?:\s{12}.*\n)*)/g)].map((m) => /Trusted CA/.test(m[1]));
  if (flags.length !== ders.length) throw new Error(`cannot pair trust flags with certificates for "${nickname}"`);
  return ders.map((der, i) => ({ der, emailTrusted: flags[i] }));
}

function main() {
  const libfile = findLibfile();
  const db = mkdtempSync(join(tmpdir(), 'signet-nssdb-'));
  try {
    run('certutil', ['-N', '--empty-password', '-d', `sql:${db}`]);
    // modutil asks for confirmation on stdin unless -force; feed a newline for older versions anyway.
    const r = spawnSync('modutil', ['-add', 'builtins', '-libfile', libfile, '-dbdir', `sql:${db}`, '-force'], { input: '\n' });
    if (r.status !== 0) throw new Error(`modutil failed: ${r.stderr}`);
    const rows = listBuiltins(db);
    if (rows.length === 0) throw new Error('certutil listed no built-in certificates');
    const seen = new Set();
    const certificates = [];
    for (const row of rows) {
      if (!row.smime.includes('C') || seen.has(row.nickname)) continue;
      seen.add(row.nickname);
      for (const { der, emailTrusted } of certificatesOf(db, row.nickname)) {
        if (!emailTrusted) continue;
        certificates.push({
          name: row.nickname.slice(TOKEN.length),
          sha256: createHash('sha256').update(der).digest('hex'),
          der: der.toString('base64'),
        });
      }
    }
    certificates.sort((a, b) => a.name.localeCompare(b.name, 'en') || a.sha256.localeCompare(b.sha256));
    const data = {
      description: "Roots trusted by Mozilla for e-mail (S/MIME trust bit 'C'), from NSS's built-in root module. Regenerate with: node scripts/update-roots.js",
      generated: new Date().toISOString().slice(0, 10),
      source: `${source()} (${libfile})`,
      count: certificates.length,
      certificates,
    };
    writeFileSync(out, JSON.stringify(data, null, 1) + '\n');
    console.log(`wrote ${certificates.length} e-mail roots to ${out}`);
  } finally {
    rmSync(db, { recursive: true, force: true });
  }
}

main();
