// PKCS#12 (RFC 7292) reader: checks the password MAC (HMAC-SHA-1/256/384/512 keyed by the App. B KDF, or
// PBMAC1 per RFC 9579), decrypts EncryptedData and PKCS8ShroudedKeyBags (PBES2, or the legacy 3DES/RC2
// schemes that Windows, macOS, Java and `openssl -legacy` still write) and returns the keys and
// certificates with their bag attributes. Only password integrity and privacy modes are supported; the
// rarely used public-key modes (signedData authSafe, envelopedData) are reported as unsupported.

import { childrenOf, encodingOf, isContext, parseAsn1, readJoinedOctets, readOid, readSmallInteger, type Asn1Node } from '../core/asn1.js';
import { defaultLimits } from '../core/config.js';
import * as asn1js from 'asn1js';
import { equalBytes, toArrayBuffer } from '../core/bytes.js';
import type { CryptoProvider } from '../core/crypto.js';
import { SignetError, isSignetError } from '../core/errors.js';
import { hasCertificateShape } from './pem.js';
import {
  KdfWork,
  type Passphrase,
  type Pkcs12Hash,
  PBE_OID,
  badPassphrase,
  parsePbkdf2Params,
  passphraseForms,
  pbeDecrypt,
  pbkdf2,
  pkcs12Kdf,
  prfHash,
} from './pbe.js';

export interface Pkcs12Key {
  /** PrivateKeyInfo (RFC 5208), DER. */
  pkcs8: Uint8Array;
  localKeyId?: Uint8Array;
  friendlyName?: string;
}

export interface Pkcs12Certificate {
  der: Uint8Array;
  localKeyId?: Uint8Array;
  friendlyName?: string;
}

export interface Pkcs12Contents {
  keys: Pkcs12Key[];
  certificates: Pkcs12Certificate[];
}

const OID_P12 = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  envelopedData: '1.2.840.113549.1.7.3',
  encryptedData: '1.2.840.113549.1.7.6',
  keyBag: '1.2.840.113549.1.12.10.1.1',
  pkcs8ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  safeContentsBag: '1.2.840.113549.1.12.10.1.6',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  friendlyName: '1.2.840.113549.1.9.20',
  localKeyId: '1.2.840.113549.1.9.21',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
} as const;

const MAC_HASH: Record<string, Pkcs12Hash> = {
  [OID_P12.sha1]: 'SHA-1',
  [OID_P12.sha256]: 'SHA-256',
  [OID_P12.sha384]: 'SHA-384',
  [OID_P12.sha512]: 'SHA-512',
};

/** Nested SafeContentsBags deeper than this are an attack on the recursion, not a real file. */
const MAX_BAG_NESTING = 8;

interface Pfx {
  authSafe: Uint8Array;
  mac?: Asn1Node;
}

/** A PFX envelope read once (readPkcs12Envelope), to be opened with openPkcs12. */
export type Pkcs12Envelope = Pfx;

/** Parses the PFX envelope; anything that is not one is `not-pkcs12`. */
function readPfx(bytes: Uint8Array): Pfx {
  let top: Asn1Node;
  try {
    top = parseAsn1(new Uint8Array(bytes), defaultLimits, { what: 'The PKCS#12 file', allowTrailingData: true });
  } catch (e) {
    throw new SignetError('not-pkcs12', 'The file is not a PKCS#12 (.p12/.pfx) file.', { cause: e });
  }
  return readPfxNode(top);
}

function readPfxNode(top: Asn1Node): Pfx {
  let f: Asn1Node[];
  let contentType: string;
  try {
    f = childrenOf(top, 'PFX');
    if (readSmallInteger(f[0], 'PFX version') !== 3) throw new Error('PFX version is not 3');
    contentType = readOid(childrenOf(f[1], 'PFX authSafe')[0], 'authSafe contentType');
  } catch (e) {
    throw new SignetError('not-pkcs12', 'The file is not a PKCS#12 (.p12/.pfx) file.', { cause: e });
  }
  if (contentType === OID_P12.signedData) {
    throw new SignetError('unsupported-algorithm', 'PKCS#12 files in public-key integrity mode are not supported.');
  }
  if (contentType !== OID_P12.data) throw new SignetError('not-pkcs12', 'The PKCS#12 authSafe is not id-data.');
  const wrapped = childrenOf(f[1], 'PFX authSafe')[1];
  if (!isContext(wrapped, 0)) throw damaged('its authSafe has no content');
  const authSafe = readJoinedOctets(childrenOf(wrapped, 'authSafe content')[0], 'authSafe content');
  return f[2] ? { authSafe, mac: f[2] } : { authSafe };
}

/** True when `bytes` parse as a PFX envelope (used to tell PKCS#12 from PEM and DER certificates). */
export function isPkcs12(bytes: Uint8Array): boolean {
  try {
    readPfx(bytes);
    return true;
  } catch (e) {
    return !isSignetError(e, 'not-pkcs12');
  }
}

/**
 * The PFX envelope of `bytes`, parsed once; 'certificate' when the DER is an X.509 certificate instead,
 * null when it is neither (so a caller learns what the file is without parsing it a second time). Other
 * errors (a PKCS#12 in an unsupported mode, a malformed authSafe) are thrown.
 */
export function readPkcs12Envelope(bytes: Uint8Array): Pkcs12Envelope | 'certificate' | null {
  let top: Asn1Node;
  try {
    top = parseAsn1(new Uint8Array(bytes), defaultLimits, { what: 'The PKCS#12 file', allowTrailingData: true }); // a copy: Node Buffers can be views on a shared pool
  } catch {
    return null;
  }
  try {
    return readPfxNode(top);
  } catch (e) {
    if (!isSignetError(e, 'not-pkcs12')) throw e;
    return hasCertificateShape(top) ? 'certificate' : null;
  }
}

/** RFC 7292 §4 MacData: true when `pass` produces the stored MAC over the authSafe content. */
async function macMatches(mac: Asn1Node, authSafe: Uint8Array, pass: Passphrase, provider: CryptoProvider, work: KdfWork): Promise<boolean> {
  const [digestInfo, saltNode, iterNode] = childrenOf(mac, 'MacData');
  const [algId, digestNode] = childrenOf(digestInfo, 'MacData DigestInfo');
  const [algOidNode, algParams] = childrenOf(algId, 'MAC algorithm');
  const algOid = readOid(algOidNode, 'MAC algorithm');
  const expected = readJoinedOctets(digestNode, 'MAC value');
  let hash: Pkcs12Hash;
  let key: Uint8Array;
  if (algOid === PBE_OID.pbmac1) {
    // RFC 9579: the key comes from PBKDF2 over the UTF-8 password; macSalt/iterations are ignored.
    const [kdf, scheme] = childrenOf(algParams, 'PBMAC1-params');
    const [kdfOid, kdfParams] = childrenOf(kdf, 'PBMAC1 keyDerivationFunc');
    if (readOid(kdfOid, 'PBMAC1 KDF') !== PBE_OID.pbkdf2) throw new SignetError('unsupported-algorithm', 'PBMAC1 without PBKDF2 is not supported.');
    const p = parsePbkdf2Params(kdfParams);
    hash = prfHash(readOid(childrenOf(scheme, 'PBMAC1 messageAuthScheme')[0], 'PBMAC1 messageAuthScheme'));
    if (p.keyLength === undefined) throw new SignetError('malformed-asn1', 'PBMAC1 requires a PBKDF2 keyLength.');
    key = await pbkdf2(provider, pass.utf8, p.salt, p.iterations, p.hash, p.keyLength, work);
  } else {
    const h = MAC_HASH[algOid];
    if (!h) throw new SignetError('unsupported-algorithm', `PKCS#12 MAC with digest ${algOid} is not supported.`);
    hash = h;
    const salt = readJoinedOctets(saltNode, 'MAC salt');
    const iterations = iterNode ? readSmallInteger(iterNode, 'MAC iterations') : 1;
    const size = { 'SHA-1': 20, 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 }[hash];
    key = await pkcs12Kdf(provider, hash, pass.bmp, salt, 3, iterations, size, work);
  }
  const subtle = provider.crypto.subtle;
  const k = await subtle.importKey('raw', toArrayBuffer(key), { name: 'HMAC', hash }, false, ['verify']);
  return subtle.verify('HMAC', k, toArrayBuffer(expected), toArrayBuffer(authSafe));
}

/**
 * Reads a PKCS#12 file. A wrong passphrase is `bad-passphrase` (detected by the MAC, or by the decryption
 * when a file has no MAC); a file that is not PKCS#12 is `not-pkcs12`.
 */
export async function parsePkcs12(bytes: Uint8Array, passphrase: string, provider: CryptoProvider): Promise<Pkcs12Contents> {
  return openPkcs12(readPfx(new Uint8Array(bytes)), passphrase, provider); // a copy: Node Buffers can be views on a shared pool
}

/**
 * Opens a PFX envelope from readPkcs12Envelope. All key derivations of the file (MAC, every encrypted
 * bag, both encodings of an empty password) share one KdfWork budget (config.ts maxPkcs12KdfIterationsPerFile, maxPbkdf2IterationsPerFile).
 */
export async function openPkcs12(pfx: Pkcs12Envelope, passphrase: string, provider: CryptoProvider): Promise<Pkcs12Contents> {
  try {
    return await openPfx(pfx, passphrase, provider);
  } catch (e) {
    // A file already recognised as PKCS#12 whose DER breaks somewhere is damaged, not "malformed input":
    // the person needs to hear "get the file again", whichever bag the break is in.
    if (isSignetError(e, 'malformed-asn1')) throw damaged(`its structure is broken (${e.message.replace(/\.$/, '')})`, e);
    throw e;
  }
}

async function openPfx(pfx: Pkcs12Envelope, passphrase: string, provider: CryptoProvider): Promise<Pkcs12Contents> {
  const forms = passphraseForms(passphrase);
  const work = new KdfWork();
  if (pfx.mac) {
    // Structure before MAC (RFC 7292 §4, §4.1): a change that breaks the DER of the AuthenticatedSafe, its
    // SafeContents or a bag is damage whatever the passphrase, so it is never reported as a wrong passphrase.
    const encrypted = checkStructure(pfx.authSafe);
    for (const form of forms) {
      let matches: boolean;
      try {
        matches = await macMatches(pfx.mac, pfx.authSafe, form, provider, work);
      } catch (e) {
        if (!isSignetError(e, 'limit-exceeded')) throw e;
        // The MacData (salt, iterations) is outside what the MAC protects (RFC 7292 §4), so one flipped bit
        // there can ask for millions of iterations. Refused before any hashing either way. It reads as
        // damage only when it can be told apart safely: writers give the MAC and the bags one count
        // (OpenSSL -iter with -maciter, NSS, Windows), so a MAC count over the limit that no bag shares,
        // in a file whose bags decrypt with this passphrase within their own (sane) counts, is a damaged
        // count. A file whose bags ask for the same count stays the resource limit it is, checked
        // without any decryption.
        const macCount = macIterations(pfx.mac);
        const bagCounts = encrypted.map((piece) => iterationsOf(piece.algorithm));
        const lone = macCount !== null && bagCounts.length > 0 && bagCounts.every((c) => c !== null && c !== macCount);
        if (lone && (await someBagDecrypts(encrypted, forms, provider, work))) {
          throw damaged('its integrity check (MAC) asks for far more key-derivation work than the rest of the file, though the passphrase is right', e);
        }
        throw e;
      }
      if (matches) return readAuthSafe(pfx.authSafe, form, provider, work);
    }
    // An intact structure whose MAC fails is either a wrong passphrase or damage inside an OCTET STRING
    // (the MAC, a ciphertext, a certificate). A bag that decrypts with this passphrase to well-formed DER
    // settles it: the passphrase is right, so the file is damaged. Padding or DER failure on every bag:
    // the passphrase is wrong.
    if (await someBagDecrypts(encrypted, forms, provider, work)) throw damaged('its contents do not match its integrity check (MAC), though the passphrase is right');
    throw badPassphrase();
  }
  // No MAC (`openssl pkcs12 -nomac`): only the decryption itself can tell a wrong passphrase.
  let last: unknown;
  for (const form of forms) {
    try {
      return await readAuthSafe(pfx.authSafe, form, provider, work);
    } catch (e) {
      if (!isSignetError(e, 'bad-passphrase')) throw e;
      last = e;
    }
  }
  throw last;
}

/** The MacData's iteration count (RFC 7292 §4; RFC 9579 PBMAC1: the PBKDF2 count), or null if unreadable. */
function macIterations(mac: Asn1Node): number | null {
  try {
    const [digestInfo, , iterNode] = childrenOf(mac, 'MacData');
    const [alg, params] = childrenOf(childrenOf(digestInfo, 'MacData DigestInfo')[0], 'MAC algorithm');
    if (readOid(alg, 'MAC algorithm') === PBE_OID.pbmac1) return parsePbkdf2Params(childrenOf(childrenOf(params, 'PBMAC1-params')[0], 'PBMAC1 keyDerivationFunc')[1]).iterations;
    return iterNode ? readSmallInteger(iterNode, 'MAC iterations') : 1;
  } catch {
    return null;
  }
}

/** The iteration count of an encrypted piece's PBE AlgorithmIdentifier (PBES2/PBKDF2 or pkcs-12PbeParams), or null. */
function iterationsOf(algorithm: Asn1Node): number | null {
  try {
    const [oidNode, params] = childrenOf(algorithm, 'encryption AlgorithmIdentifier');
    if (readOid(oidNode, 'encryption algorithm') === PBE_OID.pbes2) return parsePbkdf2Params(childrenOf(childrenOf(params, 'PBES2-params')[0], 'PBES2 keyDerivationFunc')[1]).iterations;
    return readSmallInteger(childrenOf(params, 'pkcs-12PbeParams')[1], 'PBE iteration count');
  } catch {
    return null;
  }
}

/** The file's structure is broken or its integrity check fails with the right passphrase. */
function damaged(what: string, cause?: unknown): SignetError {
  return new SignetError('damaged-file', `The PKCS#12 file is damaged: ${what}.`, cause === undefined ? undefined : { cause });
}

/** An encrypted piece of the file: its AlgorithmIdentifier node and ciphertext. */
interface EncryptedPiece {
  algorithm: asn1js.AsnType;
  data: Uint8Array;
  /** What the plaintext must parse as. */
  what: string;
}

/**
 * Walks the AuthenticatedSafe (RFC 7292 §4.1) and every unencrypted SafeContents down to each bag's shape,
 * without any key: a damaged structure throws `damaged-file`. Returns the encrypted pieces
 * (EncryptedData contents and shrouded key bags) for someBagDecrypts.
 */
function checkStructure(authSafe: Uint8Array): EncryptedPiece[] {
  const pieces: EncryptedPiece[] = [];
  try {
    for (const ci of childrenOf(parseAsn1(new Uint8Array(authSafe), defaultLimits, { what: 'The PKCS#12 AuthenticatedSafe' }), 'AuthenticatedSafe')) {
      const [typeNode, wrapped] = childrenOf(ci, 'AuthenticatedSafe ContentInfo');
      const type = readOid(typeNode, 'ContentInfo contentType');
      if (!isContext(wrapped, 0)) throw new Error('a ContentInfo has no content');
      const content = childrenOf(wrapped, 'ContentInfo content')[0];
      if (type === OID_P12.data) {
        checkSafeContents(readJoinedOctets(content, 'SafeContents'), pieces, 0);
      } else if (type === OID_P12.encryptedData) {
        const eci = childrenOf(childrenOf(content, 'EncryptedData')[1], 'EncryptedContentInfo');
        readOid(childrenOf(eci[1], 'EncryptedContentInfo algorithm')[0], 'content encryption algorithm');
        if (!isContext(eci[2], 0)) throw new Error('EncryptedData has no encryptedContent');
        pieces.push({ algorithm: eci[1]!, data: readJoinedOctets(eci[2], 'encryptedContent'), what: 'SafeContents' });
      }
    }
  } catch (e) {
    if (isSignetError(e) && e.code !== 'malformed-asn1') throw e;
    throw damaged('its structure is broken (an incomplete download, or changed bytes)', e);
  }
  return pieces;
}

function checkSafeContents(der: Uint8Array, pieces: EncryptedPiece[], depth: number): void {
  if (depth > MAX_BAG_NESTING) throw new SignetError('limit-exceeded', 'PKCS#12 SafeContents are nested too deeply.');
  for (const bag of childrenOf(parseAsn1(new Uint8Array(der), defaultLimits, { what: 'PKCS#12 SafeContents' }), 'SafeContents')) {
    const [idNode, wrapped, attrs] = childrenOf(bag, 'SafeBag');
    const bagId = readOid(idNode, 'SafeBag bagId');
    if (!isContext(wrapped, 0)) throw new Error('a SafeBag has no value');
    const value = childrenOf(wrapped, 'SafeBag value')[0]!;
    bagAttributes(attrs);
    if (bagId === OID_P12.keyBag) {
      parseAsn1(new Uint8Array(encodingOf(value)), defaultLimits, { what: 'PrivateKeyInfo' });
    } else if (bagId === OID_P12.pkcs8ShroudedKeyBag) {
      const [alg, enc] = childrenOf(value, 'EncryptedPrivateKeyInfo');
      readOid(childrenOf(alg, 'EncryptedPrivateKeyInfo algorithm')[0], 'key encryption algorithm');
      pieces.push({ algorithm: alg!, data: readJoinedOctets(enc, 'encryptedData'), what: 'PrivateKeyInfo' });
    } else if (bagId === OID_P12.certBag) {
      const [certId, certValue] = childrenOf(value, 'CertBag');
      if (readOid(certId, 'CertBag certId') === OID_P12.x509Certificate) {
        if (!isContext(certValue, 0)) throw new Error('a CertBag has no value');
        parseAsn1(readJoinedOctets(childrenOf(certValue, 'CertBag value')[0], 'certificate'), defaultLimits, { what: 'certificate' });
      }
    } else if (bagId === OID_P12.safeContentsBag) {
      checkSafeContents(encodingOf(value), pieces, depth + 1);
    }
  }
}

/** True when some encrypted piece decrypts with one of the passphrase's forms to well-formed DER. */
async function someBagDecrypts(pieces: readonly EncryptedPiece[], forms: readonly Passphrase[], provider: CryptoProvider, work: KdfWork): Promise<boolean> {
  // A piece that asks for more iterations than allowed is skipped, not run (a flipped bit in one bag's
  // count must not hide that another bag decrypts); if no other piece settles it, that limit is the answer.
  let limit: unknown = null;
  for (const piece of pieces) {
    for (const form of forms) {
      try {
        checkDecrypted(await pbeDecrypt(piece.algorithm, piece.data, form, provider, work), piece.what);
        return true;
      } catch (e) {
        if (isSignetError(e, 'limit-exceeded')) {
          limit ??= e;
          break;
        }
        if (!isSignetError(e, 'bad-passphrase')) throw e;
      }
    }
  }
  if (limit !== null) throw limit;
  return false;
}

async function readAuthSafe(authSafe: Uint8Array, pass: Passphrase, provider: CryptoProvider, work: KdfWork): Promise<Pkcs12Contents> {
  const out: Pkcs12Contents = { keys: [], certificates: [] };
  for (const ci of childrenOf(parseAsn1(new Uint8Array(authSafe), defaultLimits, { what: 'The PKCS#12 AuthenticatedSafe' }), 'AuthenticatedSafe')) {
    const [typeNode, wrapped] = childrenOf(ci, 'AuthenticatedSafe ContentInfo');
    const type = readOid(typeNode, 'ContentInfo contentType');
    if (!isContext(wrapped, 0)) throw new SignetError('malformed-asn1', 'A PKCS#12 ContentInfo has no content.');
    const content = childrenOf(wrapped, 'ContentInfo content')[0];
    let safeContents: Uint8Array;
    if (type === OID_P12.data) {
      safeContents = readJoinedOctets(content, 'SafeContents');
    } else if (type === OID_P12.encryptedData) {
      // EncryptedData ::= SEQUENCE { version, EncryptedContentInfo { contentType, algorithm, [0] IMPLICIT encryptedContent } }
      const eci = childrenOf(childrenOf(content, 'EncryptedData')[1], 'EncryptedContentInfo');
      if (!isContext(eci[2], 0)) throw new SignetError('malformed-asn1', 'PKCS#12 EncryptedData has no encryptedContent.');
      safeContents = await pbeDecrypt(eci[1]!, readJoinedOctets(eci[2], 'encryptedContent'), pass, provider, work);
      safeContents = checkDecrypted(safeContents, 'SafeContents');
    } else if (type === OID_P12.envelopedData) {
      throw new SignetError('unsupported-algorithm', 'PKCS#12 files in public-key privacy mode are not supported.');
    } else {
      continue; // unknown content types carry nothing we can use
    }
    await readSafeContents(safeContents, pass, provider, out, 0, work);
  }
  return out;
}

/** After a decryption whose padding happened to look valid with a wrong key, the DER check catches it. */
function checkDecrypted(plain: Uint8Array, what: string): Uint8Array {
  try {
    parseAsn1(new Uint8Array(plain), defaultLimits, { what: what });
  } catch (e) {
    throw badPassphrase(e);
  }
  return plain;
}

async function readSafeContents(
  der: Uint8Array,
  pass: Passphrase,
  provider: CryptoProvider,
  out: Pkcs12Contents,
  depth: number,
  work: KdfWork,
): Promise<void> {
  if (depth > MAX_BAG_NESTING) throw new SignetError('limit-exceeded', 'PKCS#12 SafeContents are nested too deeply.');
  for (const bag of childrenOf(parseAsn1(new Uint8Array(der), defaultLimits, { what: 'PKCS#12 SafeContents' }), 'SafeContents')) {
    const [idNode, wrapped, attrs] = childrenOf(bag, 'SafeBag');
    const bagId = readOid(idNode, 'SafeBag bagId');
    if (!isContext(wrapped, 0)) throw new SignetError('malformed-asn1', 'A PKCS#12 SafeBag has no value.');
    const value = childrenOf(wrapped, 'SafeBag value')[0]!;
    const meta = bagAttributes(attrs);
    switch (bagId) {
      case OID_P12.keyBag:
        out.keys.push({ pkcs8: encodingOf(value).slice(), ...meta });
        break;
      case OID_P12.pkcs8ShroudedKeyBag: {
        const [alg, enc] = childrenOf(value, 'EncryptedPrivateKeyInfo');
        const pkcs8 = checkDecrypted(await pbeDecrypt(alg!, readJoinedOctets(enc, 'encryptedData'), pass, provider, work), 'PrivateKeyInfo');
        out.keys.push({ pkcs8, ...meta });
        break;
      }
      case OID_P12.certBag: {
        const [certId, certValue] = childrenOf(value, 'CertBag');
        if (readOid(certId, 'CertBag certId') !== OID_P12.x509Certificate) break; // SDSI certificates: not X.509
        if (!isContext(certValue, 0)) throw new SignetError('malformed-asn1', 'A PKCS#12 CertBag has no value.');
        out.certificates.push({ der: readJoinedOctets(childrenOf(certValue, 'CertBag value')[0], 'certificate'), ...meta });
        break;
      }
      case OID_P12.safeContentsBag:
        await readSafeContents(encodingOf(value).slice(), pass, provider, out, depth + 1, work);
        break;
      default:
        break; // CRL and secret bags: nothing an S/MIME identity needs
    }
  }
}

function bagAttributes(set: Asn1Node | undefined): { localKeyId?: Uint8Array; friendlyName?: string } {
  const meta: { localKeyId?: Uint8Array; friendlyName?: string } = {};
  if (!set) return meta;
  for (const attr of childrenOf(set, 'bagAttributes')) {
    const [idNode, values] = childrenOf(attr, 'PKCS12Attribute');
    const first = childrenOf(values, 'PKCS12Attribute values')[0];
    const id = readOid(idNode, 'attribute id');
    if (id === OID_P12.localKeyId && first) meta.localKeyId = readJoinedOctets(first, 'localKeyId');
    else if (id === OID_P12.friendlyName && first instanceof asn1js.BmpString) meta.friendlyName = first.valueBlock.value;
  }
  return meta;
}

/** True when two optional localKeyIds are present and equal. */
export function sameLocalKeyId(a?: Uint8Array, b?: Uint8Array): boolean {
  return !!a && !!b && equalBytes(a, b);
}
