// S/MIME decryption (RFC 8551 §3.3): EnvelopedData (RFC 5652 §6) with AES-CBC and AuthEnvelopedData
// (RFC 5083/5084) with AES-GCM, for RSA (OAEP, PKCS#1 v1.5) and EC (ephemeral-static ECDH) recipients.
//
// EFAIL (ARCHITECTURE.md rule 7): AES-GCM content is returned only after WebCrypto verified the tag over the
// whole ciphertext; a failure releases no byte. CBC content is returned with integrityProtected = false so
// the layers above never treat it as authentic unless a signature inside covers it.
// Legacy ciphers: 3DES-CBC content is decrypted (read only, RSA recipients) because Outlook 2010-2016 and
// older OpenSSL sent it by default and people still have that mail; the layer is reported as 3DES-CBC so
// the UI can flag it. RC2 and DES (40- to 64-bit keys, no real confidentiality) are refused with
// 'unsupported-algorithm'. Signet never encrypts with any of them.

import { contentInfoFromNode, parseAsn1, readOctetString } from '../asn1.js';
import { WorkBudget } from '../budget.js';
import { resolveConfig, type Limits } from '../config.js';
import { cryptoProvider, type CryptoProvider } from '../crypto.js';
import { SignetError, toSignetError } from '../errors.js';
import type { Identity } from '../keys.js';
import { OID, oidName } from '../oids.js';
import { desEde3CbcDecrypt } from '../legacy/des.js';
import { contentKeyUsages, decryptAesCbcInPlace } from './cbc-in-place.js';
import { AuthEnvelopedData, readGcmParameters } from './auth-enveloped-data.js';
import { encryptedContentBuffer, encryptedContentInPlace, readEnvelopedData, type EncryptedContentInfo, type RecipientInfo } from './enveloped-data.js';
import { certificateFacts, matchesCertificate, type CertificateFacts } from './envelope-recipient.js';
import { keyAgreementName, openKeyAgreeRecipientInfo, type KeyAgreeRecipientInfo, type RecipientEncryptedKey } from './key-agreement.js';
import { keyTransportName, openKeyTransRecipientInfo, type KeyTransRecipientInfo } from './key-transport.js';

export interface DecryptResult {
  content: Uint8Array;
  contentType: 'enveloped-data' | 'auth-enveloped-data';
  /** 'AES-256-GCM', 'AES-128-CBC' … */
  cipher: string;
  /** True only for AuthEnvelopedData, whose tag covered the whole content. */
  integrityProtected: boolean;
  /** Key management of every RecipientInfo in the message, distinct, in message order. */
  keyManagement: string[];
  /** Number of recipients the message names (each RecipientEncryptedKey of a KARI counts). */
  recipients: number;
  /** The key management that unlocked the message for us ('RSA-OAEP-SHA256', 'RSAES-PKCS1-v1_5' …). */
  usedKeyManagement: string;
  /** The encrypted content's type, normally id-data (RFC 8551 §3.3). */
  innerContentType: string;
}

interface ContentCipher {
  name: 'AES-CBC' | 'AES-GCM';
  keyBytes: number;
}

const CONTENT_CIPHERS: Record<string, ContentCipher> = {
  [OID.aes128CBC]: { name: 'AES-CBC', keyBytes: 16 },
  [OID.aes192CBC]: { name: 'AES-CBC', keyBytes: 24 },
  [OID.aes256CBC]: { name: 'AES-CBC', keyBytes: 32 },
  [OID.aes128GCM]: { name: 'AES-GCM', keyBytes: 16 },
  [OID.aes192GCM]: { name: 'AES-GCM', keyBytes: 24 },
  [OID.aes256GCM]: { name: 'AES-GCM', keyBytes: 32 },
};

const LEGACY = new Set<string>([OID.rc2CBC, OID.desCBC]);

type Candidate =
  | { ri: KeyTransRecipientInfo; identity: Identity }
  | { ri: KeyAgreeRecipientInfo; rek: RecipientEncryptedKey; identity: Identity };

/**
 * Decrypts a CMS ContentInfo (DER or BER, as in smime.p7m) with whichever identity it was encrypted for.
 * Errors: 'malformed-asn1', 'limit-exceeded', 'not-a-recipient', 'unsupported-algorithm',
 * 'decryption-failed', 'authentication-failed', 'budget-exceeded'.
 *
 * Private-key work is bounded per message (config.ts maxRecipientTries): each identity is tried at most
 * once, on the first RecipientInfo that names it, whatever number of RecipientInfos name the same
 * certificate. Junk copies of our identifier therefore cost nothing, and give an attacker no further
 * draws at the 1-in-256 chance that an implicit-rejection key (rsaes-pkcs1-v1_5.ts) passes CBC padding.
 * `budget` is the message's WorkBudget when the caller opens several layers; by default one is made here.
 *
 * `consume`: the caller hands `contentInfoDer` over (it reads neither it nor any view on it afterwards,
 * whatever the outcome), so AES-CBC content may be decrypted over its own ciphertext
 * (cbc-in-place.ts) and the content returned is then a view on those bytes — no second copy of a large
 * message. Used only when a single identity is tried: a failed try leaves the ciphertext overwritten.
 */
export async function decryptContent(
  contentInfoDer: Uint8Array,
  identities: Identity[],
  provider: CryptoProvider = cryptoProvider(),
  limits?: Partial<Limits>,
  budget?: WorkBudget,
  consume = false,
): Promise<DecryptResult> {
  const lim = resolveConfig({ limits: limits ?? {} }).limits;
  const work = budget ?? new WorkBudget(lim);
  const root = parseAsn1(contentInfoDer, lim, { allowTrailingData: true, what: 'The encrypted message' });
  const ci = contentInfoFromNode(root);

  let contentType: DecryptResult['contentType'];
  let recipientInfos: RecipientInfo[];
  let eci: EncryptedContentInfo;
  let aed: AuthEnvelopedData | null = null;
  if (ci.contentType === OID.envelopedData) {
    const env = readEnvelopedData(ci.content);
    contentType = 'enveloped-data';
    recipientInfos = env.recipientInfos;
    eci = env.encryptedContentInfo;
  } else if (ci.contentType === OID.authEnvelopedData) {
    aed = AuthEnvelopedData.fromNode(ci.content);
    contentType = 'auth-enveloped-data';
    recipientInfos = aed.recipientInfos;
    eci = aed.authEncryptedContentInfo;
  } else {
    throw new SignetError('malformed-asn1', `Expected EnvelopedData or AuthEnvelopedData, found ${oidName(ci.contentType)}.`);
  }

  const keyManagement: string[] = [];
  let recipients = 0;
  for (const ri of recipientInfos) {
    const name = ri.type === 'ktri' ? keyTransportName(ri) : ri.type === 'kari' ? keyAgreementName(ri) : ri.type.toUpperCase();
    if (!keyManagement.includes(name)) keyManagement.push(name);
    recipients += ri.type === 'kari' ? ri.recipientEncryptedKeys.length : 1;
  }

  // Which RecipientInfos are ours: decided from identifiers alone, before any private-key operation.
  const facts: { identity: Identity; cert: CertificateFacts }[] = [];
  for (const identity of identities) {
    try {
      facts.push({ identity, cert: certificateFacts(identity.certificate) });
    } catch {
      // An identity whose certificate cannot be read cannot be named by any RecipientInfo; the message's
      // own errors must not be blamed on it.
    }
  }
  // One candidate per identity: the first RecipientInfo (or RecipientEncryptedKey) naming it.
  const candidates: Candidate[] = [];
  const chosen = new Set<Identity>();
  for (const ri of recipientInfos) {
    for (const { identity, cert } of facts) {
      if (chosen.has(identity)) continue;
      if (ri.type === 'ktri' && identity.privateKey.type === 'rsa' && matchesCertificate(ri.rid, cert)) {
        candidates.push({ ri, identity });
        chosen.add(identity);
      } else if (ri.type === 'kari' && identity.privateKey.type === 'ec') {
        const rek = ri.recipientEncryptedKeys.find((k) => matchesCertificate(k.rid, cert));
        if (rek) {
          candidates.push({ ri, rek, identity });
          chosen.add(identity);
        }
      }
    }
  }
  if (candidates.length === 0) {
    throw new SignetError('not-a-recipient', 'This message was not encrypted for any of your certificates.');
  }

  const algOid = eci.contentEncryptionAlgorithm.oid;
  const cipherName = oidName(algOid);
  if (LEGACY.has(algOid)) {
    throw new SignetError('unsupported-algorithm', `The message is encrypted with the legacy cipher ${cipherName}, which Signet does not decrypt; ask the sender to use AES.`);
  }
  if (algOid === OID.desEde3CBC) {
    if (aed) throw new SignetError('unsupported-algorithm', '3DES cannot be used in AuthEnvelopedData.');
    return decryptTripleDes(eci, candidates, { contentType, cipherName, keyManagement, recipients }, work);
  }
  const cipher = CONTENT_CIPHERS[algOid];
  if (!cipher) throw new SignetError('unsupported-algorithm', `Content encryption algorithm ${cipherName} is not supported.`);
  // GCM belongs in AuthEnvelopedData and CBC in EnvelopedData: any other pairing would either have no
  // place for the tag or claim integrity that CBC does not give (RFC 5083 §1, RFC 5084 §1).
  if ((cipher.name === 'AES-GCM') !== (aed !== null)) {
    throw new SignetError('unsupported-algorithm', `${cipherName} cannot be used in ${contentType === 'auth-enveloped-data' ? 'AuthEnvelopedData' : 'EnvelopedData'}.`);
  }
  const decryptWith = aed ? prepareGcm(eci, aed) : prepareCbc(eci, consume && candidates.length === 1);

  let lastError: unknown;
  for (const cand of candidates) {
    work.chargeRecipientTry();
    try {
      const key = await contentKey(cand, cipher, provider);
      const content = await decryptWith(key, provider);
      return {
        content,
        contentType,
        cipher: cipherName,
        integrityProtected: aed !== null,
        keyManagement,
        recipients,
        usedKeyManagement: 'rek' in cand ? keyAgreementName(cand.ri) : keyTransportName(cand.ri),
        innerContentType: eci.contentType,
      };
    } catch (e) {
      lastError = e;
      // Another of our identities may be named too (a renewed certificate): try it before giving up.
    }
  }
  throw toSignetError(lastError, 'decryption-failed');
}

async function decryptTripleDes(
  eci: EncryptedContentInfo,
  candidates: Candidate[],
  info: Pick<DecryptResult, 'contentType' | 'keyManagement' | 'recipients'> & { cipherName: string },
  work: WorkBudget,
): Promise<DecryptResult> {
  const iv = readOctetString(eci.contentEncryptionAlgorithm.params ?? undefined, 'the 3DES IV');
  if (iv.length !== 8) throw new SignetError('malformed-asn1', 'The 3DES IV must be 8 bytes.');
  const ciphertext = new Uint8Array(encryptedContentBuffer(eci));
  if (ciphertext.length === 0 || ciphertext.length % 8 !== 0) {
    throw new SignetError('decryption-failed', 'The encrypted content is not a whole number of 3DES blocks.');
  }
  let lastError: unknown = new SignetError('unsupported-algorithm', '3DES content is only supported for RSA recipients.');
  for (const cand of candidates) {
    if ('rek' in cand) continue;
    work.chargeRecipientTry();
    try {
      const cek = await openKeyTransRecipientInfo(cand.ri, cand.identity.privateKey, 24);
      try {
        const padded = desEde3CbcDecrypt(cek, iv, ciphertext);
        // PKCS#7 padding (RFC 5652 §6.3); one error for every failure, as for AES-CBC (no padding oracle).
        const pad = padded[padded.length - 1]!;
        let bad = pad === 0 || pad > 8 ? 1 : 0;
        for (let i = 1; i <= 8; i++) if (i <= pad && padded[padded.length - i] !== pad) bad = 1;
        if (bad) throw new SignetError('decryption-failed', 'The message could not be decrypted (wrong key or damaged message).');
        return {
          content: padded.subarray(0, padded.length - pad),
          contentType: info.contentType,
          cipher: info.cipherName,
          integrityProtected: false,
          keyManagement: info.keyManagement,
          recipients: info.recipients,
          usedKeyManagement: keyTransportName(cand.ri),
          innerContentType: eci.contentType,
        };
      } finally {
        cek.fill(0);
      }
    } catch (e) {
      lastError = e;
    }
  }
  throw toSignetError(lastError, 'decryption-failed');
}

async function contentKey(cand: Candidate, cipher: ContentCipher, provider: CryptoProvider): Promise<CryptoKey> {
  if ('rek' in cand) return openKeyAgreeRecipientInfo(cand.ri, cand.rek, cand.identity.privateKey, cipher, provider);
  const cek = await openKeyTransRecipientInfo(cand.ri, cand.identity.privateKey, cipher.keyBytes);
  try {
    return await provider.crypto.subtle.importKey('raw', cek as BufferSource, { name: cipher.name }, false, contentKeyUsages(cipher.name));
  } catch (e) {
    // The length was already checked, so this is the runtime lacking the key size (Chromium has no AES-192).
    throw new SignetError('unsupported-algorithm', `${cipher.name} with a ${cipher.keyBytes * 8}-bit key is not available here.`, { cause: e });
  } finally {
    cek.fill(0);
  }
}

type ContentDecryptor = (key: CryptoKey, provider: CryptoProvider) => Promise<Uint8Array>;

/** `inPlace`: the ciphertext (a view on the caller's consumed DER, or a reassembled copy) may be overwritten. */
function prepareCbc(eci: EncryptedContentInfo, inPlace: boolean): ContentDecryptor {
  const iv = readOctetString(eci.contentEncryptionAlgorithm.params ?? undefined, 'the AES-CBC IV');
  if (iv.length !== 16) throw new SignetError('malformed-asn1', 'The AES-CBC IV must be 16 bytes.');
  const ciphertext = inPlace ? encryptedContentInPlace(eci) : encryptedContentBuffer(eci);
  if (ciphertext.length === 0 || ciphertext.length % 16 !== 0) {
    throw new SignetError('decryption-failed', 'The encrypted content is not a whole number of AES blocks.');
  }
  return async (key, provider) => {
    try {
      if (inPlace) return await decryptAesCbcInPlace(provider, key, iv, ciphertext);
      return new Uint8Array(await provider.crypto.subtle.decrypt({ name: 'AES-CBC', iv: iv as BufferSource }, key, ciphertext));
    } catch (e) {
      // Bad PKCS#7 padding: a wrong key (possibly the random one of the PKCS#1 v1.5 countermeasure) or
      // corrupt data. One code for all of them, so no padding oracle appears at this layer either.
      throw new SignetError('decryption-failed', 'The message could not be decrypted (wrong key or damaged message).', { cause: e });
    }
  };
}

function prepareGcm(eci: EncryptedContentInfo, aed: AuthEnvelopedData): ContentDecryptor {
  const params = readGcmParameters(eci.contentEncryptionAlgorithm.params);
  if (aed.mac.length !== params.icvLength) {
    throw new SignetError('authentication-failed', 'The message authentication code has the wrong length.');
  }
  // ciphertext ‖ tag in one buffer: the form WebCrypto's AES-GCM takes, built without a second copy.
  const sealed = encryptedContentBuffer(eci, params.icvLength);
  sealed.set(aed.mac, sealed.length - params.icvLength);
  const aad = aed.additionalData();
  return async (key, provider) => {
    const alg: AesGcmParams = { name: 'AES-GCM', iv: params.nonce as BufferSource, tagLength: params.icvLength * 8 };
    if (aad) alg.additionalData = aad as BufferSource;
    try {
      // WebCrypto verifies the tag over the whole ciphertext before it returns any plaintext.
      return new Uint8Array(await provider.crypto.subtle.decrypt(alg, key, sealed));
    } catch (e) {
      throw new SignetError('authentication-failed', 'The message failed its integrity check: it was altered or the key is wrong. Nothing was decrypted.', { cause: e });
    }
  };
}
