// "Check this key": proves on this device that a stored identity can sign (a CMS SignedData that the core
// verifies against the certificate, core/cms/sign.ts signs-then-verifies) and decrypt (an EnvelopedData
// made for its own certificate: RSA-OAEP or ECDH, and RSAES-PKCS1-v1_5 when the key is unlocked). Nothing
// leaves the page; the test content is random bytes.

import { encryptContent } from '../../core/cms/envelope.js';
import { decryptContent } from '../../core/cms/decrypt.js';
import { signContent } from '../../core/cms/sign.js';
import { equalBytes, toHex } from '../../core/bytes.js';
import { randomBytes, type CryptoProvider } from '../../core/crypto.js';
import { toSignetError, type ErrorInfo } from '../../core/errors.js';
import { certificateUses, readCertificate } from './certificate-facts.js';
import type { StoreIdentity } from './identity-store.js';

export type CheckOutcome = { status: 'ok' } | { status: 'not-allowed' } | { status: 'failed'; error: ErrorInfo };

export interface SelfTestResult {
  sign: CheckOutcome;
  decrypt: CheckOutcome;
  /** RSAES-PKCS1-v1_5 decryption; 'not-allowed' for EC keys and keys that cannot decrypt. */
  decryptPkcs1: CheckOutcome;
}

async function attempt(run: () => Promise<void>): Promise<CheckOutcome> {
  try {
    await run();
    return { status: 'ok' };
  } catch (e) {
    return { status: 'failed', error: toSignetError(e, 'internal').toJSON() };
  }
}

export async function selfTest(identity: StoreIdentity, provider: CryptoProvider): Promise<SelfTestResult> {
  const cert = readCertificate(identity.certificate);
  const uses = certificateUses(cert);
  const content = new TextEncoder().encode(`Content-Type: text/plain\r\n\r\nSignet key check ${toHex(randomBytes(provider, 16))}\r\n`);
  const roundTrip = (mode: 'oaep' | 'pkcs1') => async (): Promise<void> => {
    const der = await encryptContent(content, { recipients: [identity.certificate], rsaKeyTransport: mode, cipher: 'aes-256-gcm' }, provider);
    const out = await decryptContent(der, [identity], provider);
    if (!equalBytes(out.content, content)) throw new Error('The decrypted test content differs.');
  };
  const sign: CheckOutcome = uses.sign
    ? await attempt(async () => {
        await signContent(content, { identity, digest: 'SHA-256', detached: true }, provider);
      })
    : { status: 'not-allowed' };
  const decrypt: CheckOutcome = uses.encrypt ? await attempt(roundTrip('oaep')) : { status: 'not-allowed' };
  const decryptPkcs1: CheckOutcome = uses.encrypt && identity.privateKey.type === 'rsa' ? await attempt(roundTrip('pkcs1')) : { status: 'not-allowed' };
  return { sign, decrypt, decryptPkcs1 };
}
