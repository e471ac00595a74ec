// `signet decrypt`: removes the encryption layer at the root of a message (RFC 8551 §3.3) and returns
// the message with its outer headers and the decrypted entity. Only the root is decrypted, never an
// encrypted sub-part (DESIGN.md rule 7, the reply/forward decryption oracle of EFAIL).

import { cryptoProvider, type CryptoProvider } from '../crypto.js';
import { SignetError } from '../errors.js';
import type { Identity } from '../keys.js';
import { resolveConfig, type ConfigOverrides } from '../config.js';
import { OID } from '../oids.js';
import { peekContentType } from '../cms/content-type.js';
import { decryptContent } from '../cms/decrypt.js';
import { parseMime } from '../mime/parser.js';
import { splitMessage, joinMessage } from '../mime/canonicalize.js';

export interface DecryptMessageResult {
  message: Uint8Array;
  cipher: string;
  integrityProtected: boolean;
}

export async function decryptMessage(
  message: Uint8Array,
  identities: Identity[],
  provider: CryptoProvider = cryptoProvider(),
  config: ConfigOverrides = {},
): Promise<DecryptMessageResult> {
  const cfg = resolveConfig(config);
  if (message.length > cfg.limits.maxMessageBytes) {
    throw new SignetError('limit-exceeded', `The message is larger than ${cfg.limits.maxMessageBytes} bytes.`);
  }
  const root = parseMime(message, cfg.limits);
  const type = root.contentType.type;
  const name = (root.contentType.params['name'] ?? '').toLowerCase();
  if (!(type === 'application/pkcs7-mime' || type === 'application/x-pkcs7-mime' || (type === 'application/octet-stream' && name.endsWith('.p7m')))) {
    throw new SignetError('not-smime', 'The message is not encrypted (its root is not application/pkcs7-mime).');
  }
  const der = root.decodeBody();
  const ci = { contentType: peekContentType(der) };
  if (ci.contentType !== OID.envelopedData && ci.contentType !== OID.authEnvelopedData) {
    throw new SignetError('not-smime', 'The message is S/MIME but not encrypted (it is signed-data).');
  }
  const d = await decryptContent(der, identities, provider, cfg.limits);
  const { outerHeaders } = splitMessage(message);
  return { message: joinMessage(outerHeaders, d.content), cipher: d.cipher, integrityProtected: d.integrityProtected };
}
