// `npm run bench`: whole-process time and peak memory of the `signet` CLI (bin/signet.cjs, the bundle)
// against `openssl cms` doing the same job on the same machine in the same run — sign, encrypt,
// sign+encrypt, verify, decrypt, verify+decrypt for 10 KB, 1 MB, 25 MB and 150 MB (Exchange Online's
// maximum) messages, and start-up (`signet --help` against a bare `node -e 0`). Reports medians and the
// Signet/OpenSSL ratio side by side. Memory is judged as issue 17 states it: peak RSS of the largest
// process minus Node's baseline (the peak RSS of `node -e 0`, measured in the same run) per byte of the
// command's input message. The machine's load is printed: figures taken under load are noise.
// A benchmark, not a test: it asserts nothing, but checks the budgets in bench/budgets.json and says
// which ones were missed (exit code 1 when any is, so it can gate a release).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { testPki, PASS } from '../test/helpers/pki.js';

const SIGNET = resolve(process.cwd(), 'bin/signet.cjs');
const pki = testPki();
const dir = mkdtempSync(join(tmpdir(), 'signet-bench-'));
const alice = pki.users.alice;
const bob = pki.users.bob;

interface Sample {
  ms: number;
  rssKb: number;
}

/** Runs a shell pipeline under GNU time; returns wall ms (measured here) and peak RSS of the largest process. */
function run(cmd: string): Sample {
  const rssFile = join(dir, 'rss');
  const t0 = process.hrtime.bigint();
  const r = spawnSync('bash', ['-o', 'pipefail', '-c', cmd.replace(/(^|\| *)(node|openssl) /g, `$1/usr/bin/time -a -o ${rssFile} -f %M $2 `)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`failed (${r.status}): ${cmd}\n${r.stderr.toString()}`);
  let rss = 0;
  try {
    for (const l of readFileSync(rssFile, 'utf8').trim().split('\n')) rss = Math.max(rss, Number(l));
  } finally {
    writeFileSync(rssFile, '');
  }
  return { ms, rssKb: rss };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function makeMessage(bytes: number): string {
  const path = join(dir, `msg-${bytes}.eml`);
  // `bytes` is the size of the whole message (base64 with CRLF every 76 characters: 78 bytes a line for
  // 57 bytes of payload), so "150 MB" is Exchange Online's limit on the message, not on its attachment.
  const payload = Buffer.alloc(Math.max(0, Math.floor(((bytes - 400) * 57) / 78)));
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 2654435761) >>> 24;
  const b64 = payload.toString('base64').replace(/.{76}/g, '$&\r\n');
  const msg =
    `From: Alice <alice@example.org>\r\nTo: Bob <bob@example.org>\r\nSubject: bench ${bytes}\r\nDate: ${new Date().toUTCString()}\r\n` +
    `MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="bench"\r\n\r\n--bench\r\nContent-Type: text/plain\r\n\r\nSee attachment.\r\n` +
    `--bench\r\nContent-Type: application/octet-stream; name="data.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64}\r\n--bench--\r\n`;
  writeFileSync(path, msg);
  return path;
}

const node = `node ${SIGNET}`;
const ossl = 'openssl cms';
interface Op {
  name: string;
  signet: (m: string) => string;
  openssl: (m: string) => string;
  prepare?: (m: string) => void;
}
const f = (m: string, s: string) => `${m}.${s}`;
const ops: Op[] = [
  { name: 'sign', signet: (m) => `${node} sign --identity ${alice.p12Path} --pass ${PASS} < ${m} > ${f(m, 's.sig')}`, openssl: (m) => `${ossl} -sign -binary -signer ${alice.certPath} -inkey ${alice.keyPath} -certfile ${pki.intermediatePath} -in ${m} -out ${f(m, 'o.sig')}` },
  { name: 'encrypt', signet: (m) => `${node} encrypt --to ${bob.certPath} --cipher aes-256-cbc < ${m} > ${f(m, 's.enc')}`, openssl: (m) => `${ossl} -encrypt -binary -aes256 -in ${m} -out ${f(m, 'o.enc')} ${bob.certPath}` },
  {
    name: 'sign+encrypt',
    signet: (m) => `${node} sign --identity ${alice.p12Path} --pass ${PASS} < ${m} | ${node} encrypt --to ${bob.certPath} --cipher aes-256-cbc > ${f(m, 's.se')}`,
    openssl: (m) => `${ossl} -sign -binary -signer ${alice.certPath} -inkey ${alice.keyPath} -certfile ${pki.intermediatePath} -in ${m} | ${ossl} -encrypt -binary -aes256 -out ${f(m, 'o.se')} ${bob.certPath}`,
  },
  { name: 'verify', signet: (m) => `${node} verify --offline --trust ${pki.rootPath} < ${f(m, 's.sig')}`, openssl: (m) => `${ossl} -verify -binary -CAfile ${pki.rootPath} -in ${f(m, 'o.sig')} -out /dev/null` },
  { name: 'decrypt', signet: (m) => `${node} decrypt --identity ${bob.p12Path} --pass ${PASS} < ${f(m, 's.enc')} > /dev/null`, openssl: (m) => `${ossl} -decrypt -binary -recip ${bob.certPath} -inkey ${bob.keyPath} -in ${f(m, 'o.enc')} -out /dev/null` },
  {
    name: 'verify+decrypt',
    signet: (m) => `${node} verify --offline --trust ${pki.rootPath} --identity ${bob.p12Path} --pass ${PASS} < ${f(m, 's.se')}`,
    openssl: (m) => `${ossl} -decrypt -binary -recip ${bob.certPath} -inkey ${bob.keyPath} -in ${f(m, 'o.se')} | ${ossl} -verify -binary -CAfile ${pki.rootPath} -out /dev/null`,
  },
];

interface Budget {
  maxRatio: Record<string, number>;
  maxRssOverBaselinePerInputByte: number;
  maxStartupRatio: number;
}
const budgets = JSON.parse(readFileSync(resolve(process.cwd(), 'bench/budgets.json'), 'utf8')) as Budget;

/** The message each operation reads: sign and encrypt the plain one, the others what Signet wrote. */
const inputOf: Record<string, (m: string) => string> = {
  sign: (m) => m,
  encrypt: (m) => m,
  'sign+encrypt': (m) => m,
  verify: (m) => f(m, 's.sig'),
  decrypt: (m) => f(m, 's.enc'),
  'verify+decrypt': (m) => f(m, 's.se'),
};

const MB = 1024 * 1024;
const sizes: [string, number, number][] = [
  ['10 KB', 10 * 1024, 9],
  ['1 MB', MB, 7],
  ['25 MB', 25 * MB, 5],
  ['150 MB', 150 * MB, 1],
];
const misses: string[] = [];
console.log(`signet vs ${spawnSync('openssl', ['version']).stdout.toString().trim()}, node ${process.version}`);
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}; load average at start ${loadavg().map((l) => l.toFixed(2)).join(' ')}; medians of N runs\n`);

// Start-up and Node's baseline memory.
const startN = 9;
const bare: Sample[] = [];
const help: Sample[] = [];
for (let i = 0; i < startN; i++) {
  bare.push(run('node -e 0'));
  help.push(run(`${node} --help`));
}
const bareMs = median(bare.map((x) => x.ms));
const helpMs = median(help.map((x) => x.ms));
const baselineMb = median(bare.map((x) => x.rssKb)) / 1024;
const startRatio = helpMs / bareMs;
console.log(`start-up: signet --help ${helpMs.toFixed(0)} ms, node -e 0 ${bareMs.toFixed(0)} ms, ratio ${startRatio.toFixed(2)} (budget ${budgets.maxStartupRatio}); Node baseline RSS ${baselineMb.toFixed(1)} MB\n`);
if (startRatio > budgets.maxStartupRatio) misses.push(`start-up: signet --help ${startRatio.toFixed(2)}× node -e 0 > budget ${budgets.maxStartupRatio}×`);

console.log('size   operation       N  signet ms  openssl ms  ratio  signet peak MB  openssl peak MB  input MB  (peak-base)/input');
// `npm run bench -- 25` runs only the sizes whose label starts with one of the arguments.
const only = process.argv.slice(2);
for (const [label, bytes, n] of sizes.filter(([l]) => only.length === 0 || only.some((o) => l.startsWith(o)))) {
  const m = makeMessage(bytes);
  for (const op of ops) {
    const s: Sample[] = [];
    const o: Sample[] = [];
    for (let i = 0; i < n; i++) {
      // Alternate to spread machine noise evenly over both sides.
      s.push(run(op.signet(m)));
      o.push(run(op.openssl(m)));
    }
    const sm = median(s.map((x) => x.ms));
    const om = median(o.map((x) => x.ms));
    const sr = Math.max(...s.map((x) => x.rssKb)) / 1024;
    const or = Math.max(...o.map((x) => x.rssKb)) / 1024;
    const ratio = sm / om;
    const inputMb = statSync(inputOf[op.name]!(m)).size / MB;
    const perInput = (sr - baselineMb) / inputMb;
    console.log(
      `${label.padEnd(6)} ${op.name.padEnd(15)} ${String(n).padStart(2)} ${sm.toFixed(0).padStart(10)} ${om.toFixed(0).padStart(11)} ${ratio.toFixed(2).padStart(6)} ${sr.toFixed(1).padStart(15)} ${or.toFixed(1).padStart(16)} ${inputMb.toFixed(1).padStart(9)} ${perInput.toFixed(2).padStart(18)}`,
    );
    const maxRatio = budgets.maxRatio[`${label} ${op.name}`];
    if (maxRatio !== undefined && ratio > maxRatio) misses.push(`${label} ${op.name}: ratio ${ratio.toFixed(2)} > budget ${maxRatio}`);
    if (bytes >= 25 * MB && perInput > budgets.maxRssOverBaselinePerInputByte) {
      misses.push(`${label} ${op.name}: peak memory baseline + ${perInput.toFixed(2)}× the input > budget ${budgets.maxRssOverBaselinePerInputByte}×`);
    }
  }
}
// The messages and outputs reach a gigabyte at 150 MB.
rmSync(dir, { recursive: true, force: true });
if (misses.length) {
  console.log('\nBudgets missed:\n' + misses.map((x) => '  ' + x).join('\n'));
  process.exitCode = 1;
} else {
  console.log('\nAll budgets in bench/budgets.json met.');
}
