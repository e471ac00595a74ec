// PEM (RFC 7468) key and certificate files as OpenSSL and others write them: CERTIFICATE, PRIVATE KEY
// (PKCS#8, RFC 5208), ENCRYPTED PRIVATE KEY (RFC 5958 §3 with PBES2 or PKCS#12 PBE), RSA PRIVATE KEY
// (PKCS#1, RFC 8017 App. A.1.2), EC PRIVATE KEY (SEC1, RFC 5915) and PKCS7 certs-only bundles (RFC 5652
// SignedData without signers, .p7b/.p7c). Traditional keys are rewrapped as PKCS#8, the one form the rest
// of Signet (and WebCrypto) takes.

import { childrenOf, encodingOf, isContext, parseAsn1, readJoinedOctets, readOid, readSmallInteger, type Asn1Node } from '../core/asn1.js';
import { defaultLimits } from '../core/config.js';
import * as asn1js from 'asn1js';
import { fromBase64, latin1, toBase64 } from '../core/bytes.js';
import type { CryptoProvider } from '../core/crypto.js';
import { SignetError, isSignetError } from '../core/errors.js';
import { OID } from '../core/oids.js';
import { KdfWork, badPassphrase, passphraseForms, pbeDecrypt } from './pbe.js';

export interface PemBlock {
  /** The label between BEGIN and END, e.g. "CERTIFICATE". */
  label: string;
  /** RFC 1421 headers (Proc-Type, DEK-Info) of legacy encrypted keys; usually empty. */
  headers: Record<string, string>;
  der: Uint8Array;
}

/** True when the bytes contain PEM armour. */
export function looksLikePem(bytes: Uint8Array): boolean {
  return latin1(bytes.subarray(0, Math.min(bytes.length, 1 << 20))).includes('-----BEGIN ');
}

/**
 * Every PEM block in `text`, in order. Text outside blocks (OpenSSL's "Bag Attributes", "subject=") is
 * ignored, as RFC 7468 §2 allows. Broken armour or base64 is `malformed-pem`.
 */
export function parsePemBlocks(text: string | Uint8Array): PemBlock[] {
  const s = typeof text === 'string' ? text : latin1(text);
  const blocks: PemBlock[] = [];
  const begin = /-----BEGIN ([A-Z0-9 ]*)-----/g;
  let m: RegExpExecArray | null;
  while ((m = begin.exec(s))) {
    const label = m[1]!;
    const endMarker = `-----END ${label}-----`;
    const end = s.indexOf(endMarker, begin.lastIndex);
    if (end < 0) throw new SignetError('malformed-pem', `PEM block "${label}" has no END line.`);
    let body = s.slice(begin.lastIndex, end);
    const headers: Record<string, string> = {};
    // RFC 1421 encapsulated headers ("Proc-Type: 4,ENCRYPTED") come first and end with an empty line.
    // Read line by line with an index: a regular expression here was quadratic on one long header line
    // (fuzz finding F4), and slicing the body per header on many of them.
    let pos = 0;
    for (;;) {
      while (pos < body.length && (body[pos] === ' ' || body[pos] === '\t' || body[pos] === '\r' || body[pos] === '\n')) pos++;
      const nl = body.indexOf('\n', pos);
      if (nl < 0) break;
      const line = body.slice(pos, nl);
      const colon = line.indexOf(':');
      if (colon <= 0 || !/^[A-Za-z-]+$/.test(line.slice(0, colon))) break;
      headers[line.slice(0, colon)] = line.slice(colon + 1).trim();
      pos = nl + 1;
    }
    body = body.slice(pos);
    let der: Uint8Array;
    try {
      der = fromBase64(body);
    } catch (e) {
      throw new SignetError('malformed-pem', `PEM block "${label}" does not hold valid base64.`, { cause: e });
    }
    if (der.length === 0) throw new SignetError('malformed-pem', `PEM block "${label}" is empty.`);
    blocks.push({ label, headers, der });
    begin.lastIndex = end + endMarker.length;
  }
  return blocks;
}

/** The certificates of a PKCS#7 / CMS SignedData "certs-only" structure (ContentInfo or bare SignedData). */
export function certificatesFromPkcs7(der: Uint8Array): Uint8Array[] {
  return certificatesFromPkcs7Node(parseAsn1(new Uint8Array(der), defaultLimits, { what: 'The PKCS#7 bundle' }));
}

/**
 * As certificatesFromPkcs7, from an already decoded node (so a caller that parsed the file to find out
 * what it is does not parse it again). Every X.509 entry is checked for the Certificate shape here, on
 * the nodes at hand: a bundle with a malformed certificate is `malformed-asn1`.
 */
export function certificatesFromPkcs7Node(top: Asn1Node): Uint8Array[] {
  let node = top;
  let f = childrenOf(node, 'PKCS#7 ContentInfo');
  if (f[0] instanceof asn1js.ObjectIdentifier) {
    if (readOid(f[0], 'contentType') !== OID.signedData) throw new SignetError('malformed-asn1', 'The PKCS#7 file is not SignedData.');
    if (!isContext(f[1], 0)) throw new SignetError('malformed-asn1', 'The PKCS#7 ContentInfo has no content.');
    node = childrenOf(f[1], 'ContentInfo content')[0]!;
    f = childrenOf(node, 'SignedData');
  }
  if (!(f[0] instanceof asn1js.Integer)) throw new SignetError('malformed-asn1', 'The PKCS#7 file is not SignedData (no version).');
  // SignedData ::= SEQUENCE { version, digestAlgorithms, encapContentInfo, certificates [0] IMPLICIT OPTIONAL, ... }
  const certs = f.find((x, i) => i >= 3 && isContext(x, 0));
  if (!certs) return [];
  // Only X.509 Certificates (SEQUENCE); attribute and other certificate choices are tagged and skipped.
  return childrenOf(certs, 'SignedData certificates')
    .filter((c) => c.idBlock.tagClass === 1 && c.idBlock.tagNumber === 16)
    .map((c) => {
      if (!hasCertificateShape(c)) throw new SignetError('malformed-asn1', 'A certificate in the PKCS#7 bundle is not an X.509 certificate.');
      return encodingOf(c).slice();
    });
}

/**
 * Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm SEQUENCE, signature BIT STRING } with
 * TBSCertificate ::= SEQUENCE { [0] version OPTIONAL, serialNumber INTEGER, signature SEQUENCE, issuer
 * SEQUENCE, validity SEQUENCE, subject SEQUENCE, subjectPublicKeyInfo SEQUENCE, ... } (RFC 5280 §4.1):
 * the outline checked on the decoded nodes, so what passes can be read by every certificate parser.
 */
export function hasCertificateShape(node: Asn1Node): boolean {
  try {
    const f = childrenOf(node, 'Certificate');
    if (!(f.length === 3 && f[0] instanceof asn1js.Sequence && f[1] instanceof asn1js.Sequence && f[2] instanceof asn1js.BitString)) return false;
    const tbs = childrenOf(f[0], 'TBSCertificate');
    const i = isContext(tbs[0], 0) ? 1 : 0;
    return tbs[i] instanceof asn1js.Integer && tbs.slice(i + 1, i + 6).length === 5 && tbs.slice(i + 1, i + 6).every((x) => x instanceof asn1js.Sequence);
  } catch {
    return false;
  }
}

/** PKCS#1 RSAPrivateKey → PKCS#8 PrivateKeyInfo with rsaEncryption (NULL parameters, RFC 8017 App. A.1). */
export function pkcs1ToPkcs8(rsaPrivateKey: Uint8Array): Uint8Array {
  const f = childrenOf(parseAsn1(new Uint8Array(rsaPrivateKey), defaultLimits, { what: 'The RSA private key' }), 'RSAPrivateKey');
  if (f.length < 9 || !f.every((x) => x instanceof asn1js.Integer)) throw new SignetError('malformed-asn1', 'The RSA private key is not PKCS#1.');
  return derOf(
    new asn1js.Sequence({
      value: [
        new asn1js.Integer({ value: 0 }),
        new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: OID.rsaEncryption }), new asn1js.Null()] }),
        new asn1js.OctetString({ valueHex: rsaPrivateKey.slice().buffer as ArrayBuffer }),
      ],
    }),
  );
}

/**
 * SEC1 ECPrivateKey → PKCS#8 with id-ecPublicKey and the named curve taken from the key's own
 * [0] parameters (RFC 5915 §3). SEC1 keys without a named curve (explicit parameters) are refused.
 */
export function sec1ToPkcs8(ecPrivateKey: Uint8Array, curveOid?: string): Uint8Array {
  const f = childrenOf(parseAsn1(new Uint8Array(ecPrivateKey), defaultLimits, { what: 'The EC private key' }), 'ECPrivateKey');
  if (readSmallInteger(f[0], 'ECPrivateKey version') !== 1) throw new SignetError('malformed-asn1', 'The EC private key is not SEC1 version 1.');
  readJoinedOctets(f[1], 'ECPrivateKey privateKey');
  const params = f.find((x) => isContext(x, 0));
  const curve = params ? childrenOf(params, 'ECPrivateKey parameters')[0] : undefined;
  const named = curve instanceof asn1js.ObjectIdentifier ? curve.valueBlock.toString() : curveOid;
  if (!named) throw new SignetError('unsupported-algorithm', 'The EC private key does not name its curve.');
  return derOf(
    new asn1js.Sequence({
      value: [
        new asn1js.Integer({ value: 0 }),
        new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: OID.ecPublicKey }), new asn1js.ObjectIdentifier({ value: named })] }),
        new asn1js.OctetString({ valueHex: ecPrivateKey.slice().buffer as ArrayBuffer }),
      ],
    }),
  );
}

/** RFC 5958 §3 EncryptedPrivateKeyInfo → PKCS#8, trying the passphrase's encodings (see pbe.ts). */
export async function decryptPkcs8(
  encrypted: Uint8Array,
  passphrase: string,
  provider: CryptoProvider,
  work: KdfWork = new KdfWork(),
): Promise<Uint8Array> {
  const [alg, data] = childrenOf(parseAsn1(new Uint8Array(encrypted), defaultLimits, { what: 'The encrypted private key' }), 'EncryptedPrivateKeyInfo');
  if (!alg) throw new SignetError('malformed-asn1', 'The encrypted private key has no algorithm.');
  const enc = readJoinedOctets(data, 'EncryptedPrivateKeyInfo encryptedData');
  let last: unknown;
  for (const form of passphraseForms(passphrase)) {
    let plain: Uint8Array;
    try {
      plain = await pbeDecrypt(alg, enc, form, provider, work);
    } catch (e) {
      // Only a failed decryption means "wrong passphrase"; a malformed or unsupported structure is said as such.
      if (!isSignetError(e, 'bad-passphrase')) throw e;
      last = e;
      continue;
    }
    try {
      parseAsn1(new Uint8Array(plain), defaultLimits, { what: 'PrivateKeyInfo' });
      return plain;
    } catch (e) {
      last = badPassphrase(e); // padding that happened to look valid under a wrong key
    }
  }
  throw isSignetError(last, 'bad-passphrase') ? last : badPassphrase(last);
}

export interface PemContents {
  /** PKCS#8 private keys, in file order. */
  keys: Uint8Array[];
  /** DER certificates, in file order (PKCS7 bundles expanded in place). */
  certificates: Uint8Array[];
}

/**
 * Reads the keys and certificates of a PEM file. Encrypted keys need `passphrase` (none or a wrong one
 * is `bad-passphrase`). Labels that carry neither (CSRs, CRLs, EC PARAMETERS) are skipped. Plain
 * CERTIFICATE and PRIVATE KEY blocks are returned as DER without being decoded (their reader decodes
 * them once); everything this function has to look into is decoded with the usual limits.
 */
export async function readPem(text: string | Uint8Array, passphrase: string | undefined, provider: CryptoProvider): Promise<PemContents> {
  const blocks = parsePemBlocks(text);
  if (blocks.length === 0) throw new SignetError('malformed-pem', 'The file holds no PEM block.');
  const out: PemContents = { keys: [], certificates: [] };
  const work = new KdfWork(); // one key-derivation budget for the whole file (config.ts maxPkcs12KdfIterationsPerFile, maxPbkdf2IterationsPerFile)
  let ecCurve: string | undefined; // from a preceding "EC PARAMETERS" block (`openssl ecparam -genkey`)
  for (const b of blocks) {
    if (b.headers['Proc-Type']?.includes('ENCRYPTED')) {
      // RFC 1421 encryption derives the key with MD5 (EVP_BytesToKey), which WebCrypto lacks.
      throw new SignetError(
        'unsupported-algorithm',
        `This "${b.label}" uses OpenSSL's legacy PEM encryption; convert it with "openssl pkcs8 -topk8" first.`,
      );
    }
    switch (b.label) {
      case 'CERTIFICATE':
      case 'X509 CERTIFICATE':
        // Not decoded here: the one reader of these (identity-file.ts pairIdentities) decodes every
        // certificate exactly once and reports a malformed one there.
        out.certificates.push(b.der);
        break;
      case 'TRUSTED CERTIFICATE':
        // OpenSSL's trusted form: the certificate followed by its trust settings.
        out.certificates.push(encodingOf(parseAsn1(new Uint8Array(b.der), defaultLimits, { what: 'The certificate', allowTrailingData: true })).slice());
        break;
      case 'PKCS7':
      case 'CMS':
        out.certificates.push(...certificatesFromPkcs7(b.der));
        break;
      case 'PRIVATE KEY':
        out.keys.push(b.der); // decoded once, when paired with its certificate
        break;
      case 'ENCRYPTED PRIVATE KEY':
        if (passphrase === undefined) throw new SignetError('bad-passphrase', 'The private key is encrypted: a passphrase is needed.');
        out.keys.push(await decryptPkcs8(b.der, passphrase, provider, work));
        break;
      case 'RSA PRIVATE KEY':
        out.keys.push(pkcs1ToPkcs8(b.der));
        break;
      case 'EC PARAMETERS': {
        const p = parseAsn1(new Uint8Array(b.der), defaultLimits, { what: 'The EC parameters' });
        ecCurve = p instanceof asn1js.ObjectIdentifier ? p.valueBlock.toString() : undefined;
        break;
      }
      case 'EC PRIVATE KEY':
        out.keys.push(sec1ToPkcs8(b.der, ecCurve));
        break;
      default:
        break;
    }
  }
  return out;
}

/** Wraps DER in PEM armour with 64-column lines (RFC 7468 §2). */
export function toPem(label: string, der: Uint8Array): string {
  return `-----BEGIN ${label}-----\n${toBase64(der, 64).replace(/\r\n/g, '\n')}\n-----END ${label}-----\n`;
}

/** DER of a structure built with asn1js (the two PKCS#8 wrappers above). */
function derOf(node: asn1js.BaseBlock): Uint8Array {
  return new Uint8Array(node.toBER(false));
}
