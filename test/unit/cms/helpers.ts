// Shared fixtures for the CMS tests: identities from the generated test PKI and the openssl CLI, plus
// (re-exported) the pure ones of fixtures.ts.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Identity } from '../../../src/core/keys.js';
import { privateKeyFromPkcs8 } from '../../../src/core/private-key.js';
import { testPki, type UserName } from '../../helpers/pki.js';
import { pemFileToDer, provider } from './fixtures.js';

export { BC_SMIME, CORPUS, TB_SMIME, config, opaqueBodyDer, pemFileToDer, pemToDers, provider, splitMultipartSigned } from './fixtures.js';

export function identityOf(name: UserName): Identity {
  const pki = testPki();
  const u = pki.users[name];
  return {
    certificate: u.certDer,
    chain: [pki.users[name].name === 'mallory' ? pemFileToDer(pki.otherRootPath) : pki.intermediateDer],
    privateKey: privateKeyFromPkcs8(u.keyPkcs8, provider),
  };
}

let scratch: string | null = null;
/** A per-process scratch directory for files handed to openssl. */
export function tmpFile(name: string, data?: Uint8Array | string): string {
  scratch ??= mkdtempSync(join(tmpdir(), 'signet-cms-'));
  const p = join(scratch, name);
  if (data !== undefined) writeFileSync(p, data);
  return p;
}

/** Runs openssl; returns stdout. Throws (with stderr) on a non-zero exit. */
export function openssl(args: string[], input?: Uint8Array): Buffer {
  return execFileSync('openssl', args, { input, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 512 * 1024 * 1024 });
}

