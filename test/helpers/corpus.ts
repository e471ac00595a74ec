// Where the S/MIME corpora made by other implementations live: test/fixtures/corpus/ inside this
// repository (see its README.md for each source, commit and licence). Resolved from this module's own
// location, so the tests find them from a lone clone whatever the working directory.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** test/fixtures/corpus (this file runs compiled as lib/test/helpers/corpus.js). */
export const CORPUS = fileURLToPath(new URL('../../../test/fixtures/corpus', import.meta.url));
/** NSS-made messages, certificates and keys from Thunderbird's mailnews/test/data/smime. */
export const TB_SMIME = join(CORPUS, 'thunderbird/mailnews/test/data/smime');
/** OpenSSL-made RSA-OAEP / ECDH enveloped messages from Thunderbird's mailnews/test/data/smime-interop. */
export const TB_SMIME_INTEROP = join(CORPUS, 'thunderbird/mailnews/test/data/smime-interop');
/** Bouncy Castle's S/MIME mail test resources. */
export const BC_SMIME = join(CORPUS, 'bouncycastle/mail/src/test/resources/org/bouncycastle/mail/smime/test');
/** RFC 4134 "Examples of S/MIME Messages", as extracted by Bouncy Castle's bc-test-data. */
export const RFC4134 = join(CORPUS, 'rfc4134/rfc4134');
