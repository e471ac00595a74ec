// Pure fixtures for the CMS tests — the crypto provider, configurations, PEM and corpus readers — kept
// apart from helpers.ts (which runs openssl and builds the test PKI) so that tests needing only these stay
// in the fast tier (scripts/run-tests.js --fast).

import { readFileSync } from 'node:fs';
import { resolveConfig, type ConfigOverrides, type SignetConfig } from '../../../src/core/config.js';
import { cryptoProvider } from '../../../src/core/crypto.js';

export { BC_SMIME, CORPUS, TB_SMIME } from '../../helpers/corpus.js';

export const provider = cryptoProvider();

export function config(overrides: ConfigOverrides = {}): SignetConfig {
  return resolveConfig(overrides);
}

export function pemFileToDer(path: string): Uint8Array {
  return pemToDers(readFileSync(path, 'utf8'))[0]!;
}

export function pemToDers(pem: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const m of pem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)) {
    out.push(new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64')));
  }
  return out;
}

/** The base64 body of a single-part application/pkcs7-mime message, decoded. */
export function opaqueBodyDer(eml: Uint8Array): Uint8Array {
  const text = Buffer.from(eml).toString('latin1').replace(/\r\n/g, '\n');
  const body = text.slice(text.indexOf('\n\n') + 2);
  return new Uint8Array(Buffer.from(body.replace(/\s+/g, ''), 'base64'));
}

/**
 * A crude multipart/signed split for test fixtures only (the real MIME parser is another module): the first
 * body part's bytes with CRLF line ends (RFC 8551 §3.1.1 canonical form) and the decoded signature part.
 */
export function splitMultipartSigned(eml: Uint8Array): { content: Uint8Array; signature: Uint8Array } {
  const text = Buffer.from(eml).toString('latin1');
  const m = text.match(/boundary="?([^";\r\n]+)"?/i);
  if (!m) throw new Error('no boundary');
  const delim = `--${m[1]}`;
  const lf = text.replace(/\r\n/g, '\n');
  const parts = lf.split(`\n${delim}`);
  // parts[0] is headers + preamble up to the first delimiter line
  const first = parts[1]!.replace(/^[ \t]*\n/, '');
  const second = parts[2]!.replace(/^[ \t]*\n/, '');
  const content = Buffer.from(first.replace(/\n/g, '\r\n'), 'latin1');
  const sigBody = second.slice(second.indexOf('\n\n') + 2);
  return { content: new Uint8Array(content), signature: new Uint8Array(Buffer.from(sigBody.replace(/\s+/g, ''), 'base64')) };
}
