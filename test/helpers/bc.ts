// Bouncy Castle as a live CMS peer (test/interop/bouncycastle.test.ts): Debian's bcprov/bcpkix/bcutil jars
// driven by test/interop/java/SignetBc.java, compiled once per process with javac (the single-file source
// launcher compiles on every call: ~3.5 s each on this machine, against ~0.85 s for a compiled JVM start).
// Each call is one `batch` JVM run over many commands; every command answers with one JSON line.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const BC_JARS = ['bcprov', 'bcpkix', 'bcutil'].map((j) => `/usr/share/java/${j}.jar`);
export const BC_PACKAGES = 'openjdk-17-jdk-headless libbcprov-java libbcpkix-java libbcutil-java';
const SOURCE = resolve(process.cwd(), 'test/interop/java/SignetBc.java');

export interface BcAnswer {
  ok: boolean;
  command: string;
  /** failures: the Java exception's simple class name (CMSSignerDigestMismatchException, …) and message */
  error?: string;
  message?: string;
  /** failures: the simple class name of the innermost cause (AEADBadTagException, …) */
  cause?: string;
  /** verify */
  signers?: string[];
  unsignedAttributes?: string[];
  version?: number;
  /** verify (opaque) and decrypt: the content, base64 */
  content?: string;
  /** decrypt */
  kind?: 'enveloped' | 'authEnveloped';
  contentEncryptionAlgorithm?: string;
  recipientInfo?: 'ktri' | 'kari';
}

let classes: string | null = null;

/** Compiles SignetBc.java once; throws naming the Debian packages when Java or the jars are missing. */
export function bcClasses(): string {
  if (classes) return classes;
  const missing = BC_JARS.filter((j) => !existsSync(j));
  const javac = spawnSync('javac', ['-version']);
  if (javac.error || javac.status !== 0 || missing.length > 0) {
    throw new Error(
      `Bouncy Castle interop needs a JDK (javac, java) and Debian's Bouncy Castle jars${missing.length ? ` (missing: ${missing.join(', ')})` : ''}${javac.error ? ' (no javac on PATH)' : ''}: apt-get install ${BC_PACKAGES}`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'signet-bc-classes-'));
  const c = spawnSync('javac', ['-nowarn', '-cp', BC_JARS.join(':'), '-d', dir, SOURCE], { encoding: 'utf8' });
  if (c.status !== 0) throw new Error(`javac SignetBc.java failed (exit ${c.status}):\n${c.stderr}`);
  classes = dir;
  return dir;
}

/** Runs the commands in one JVM; one answer per command, in order. */
export function bcBatch(commands: string[][]): BcAnswer[] {
  const cp = [...BC_JARS, bcClasses()].join(':');
  const r = spawnSync('java', ['-cp', cp, 'SignetBc', 'batch'], {
    input: commands.map((c) => c.join('\t')).join('\n') + '\n',
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: 120_000,
  });
  if (r.error) throw r.error;
  const lines = r.stdout.split('\n').filter((l) => l.length > 0);
  if (lines.length !== commands.length) throw new Error(`SignetBc answered ${lines.length} of ${commands.length} commands (exit ${r.status}):\n${r.stderr}`);
  const answers = lines.map((l) => JSON.parse(l) as BcAnswer);
  if ((r.status === 0) !== answers.every((a) => a.ok)) throw new Error(`SignetBc exit ${r.status} disagrees with its answers:\n${r.stdout}`);
  return answers;
}
