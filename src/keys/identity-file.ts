// Identity files for `signet --identity FILE` and the add-in's import dialog: a PKCS#12 file or a PEM file
// with a private key and certificates. Each private key is paired with the certificate that carries its
// public key (compared by value: RSA modulus and exponent, EC curve and point — never by file order or
// by the PKCS#12 localKeyId alone, which writers fill inconsistently). Also reads recipient and trust
// certificates (`--to CERT`, `--trust CA.pem`).

import { childrenOf, encodingOf, isContext, parseAsn1, readJoinedOctets, readOid, readUnsignedInteger } from '../core/asn1.js';
import { defaultLimits } from '../core/config.js';
import * as asn1js from 'asn1js';
import { equalBytes, fromBase64, toArrayBuffer } from '../core/bytes.js';
import type { CryptoProvider } from '../core/crypto.js';
import { SignetError, isSignetError } from '../core/errors.js';
import type { Identity } from '../core/keys.js';
import { OID } from '../core/oids.js';
import { privateKeyFromPkcs8 } from '../core/private-key.js';
import { certificatesFromPkcs7Node, hasCertificateShape, looksLikePem, parsePemBlocks, readPem } from './pem.js';
import { openPkcs12, readPkcs12Envelope, sameLocalKeyId } from './pkcs12.js';

export interface KeyEntry {
  pkcs8: Uint8Array;
  localKeyId?: Uint8Array;
}

export interface CertificateEntry {
  der: Uint8Array;
  localKeyId?: Uint8Array;
}

/**
 * Loads every identity (private key + its certificate + the other certificates as chain) from a PKCS#12
 * or PEM file. Errors: `not-pkcs12` (neither format), `bad-passphrase`, `no-private-key` (certificates
 * only), `no-certificate` (a key only), `key-mismatch` (a key that no certificate in the file matches).
 */
export async function loadIdentities(input: Uint8Array, passphrase: string | undefined, provider: CryptoProvider): Promise<Identity[]> {
  const bytes = new Uint8Array(input); // a copy: Node Buffers can be views on a shared pool
  let keys: KeyEntry[];
  let certs: CertificateEntry[];
  // Each format is recognised from one parse of the file: PEM by its armour (no ASN.1 parse), else the
  // DER is decoded once and looked at as a PFX, then as a certificate.
  if (looksLikePem(bytes)) {
    const pem = await readPem(bytes, passphrase, provider);
    keys = pem.keys.map((pkcs8) => ({ pkcs8 }));
    certs = pem.certificates.map((der) => ({ der }));
  } else {
    const pfx = readPkcs12Envelope(bytes);
    if (!pfx) {
      throw new SignetError('not-pkcs12', 'The identity file is neither PKCS#12 (.p12/.pfx) nor PEM.');
    }
    if (pfx === 'certificate') throw new SignetError('no-private-key', 'The file is a certificate without its private key.');
    const p12 = await openPkcs12(pfx, passphrase ?? '', provider);
    keys = p12.keys;
    certs = p12.certificates;
  }
  return pairIdentities(keys, certs, provider);
}

/** Pairs keys with their certificates; exported for key stores that hold the parts separately. */
export async function pairIdentities(keys: KeyEntry[], certs: CertificateEntry[], provider: CryptoProvider): Promise<Identity[]> {
  if (keys.length === 0) {
    throw new SignetError('no-private-key', certs.length ? 'The file holds certificates but no private key.' : 'The file holds no private key.');
  }
  if (certs.length === 0) throw new SignetError('no-certificate', 'The file holds a private key but no certificate.');
  const certKeys = certs.map((c) => certificatePublicKey(c.der));
  const paired = new Set<number>();
  const found: { key: KeyEntry; cert: number }[] = [];
  for (const key of keys) {
    const pub = await privateKeyPublicKey(key.pkcs8, provider);
    if (pub.kind === 'other') throw new SignetError('unsupported-algorithm', `Private keys of type ${pub.algorithm} are not supported (RSA and EC are).`);
    const matches = certKeys.flatMap((ck, i) => (samePublicKey(pub, ck) ? [i] : []));
    if (matches.length === 0) {
      throw new SignetError('key-mismatch', 'The private key does not belong to any certificate in the file.');
    }
    // Several certificates for one key (a renewal that kept the key): prefer the one the PKCS#12 writer
    // linked by localKeyId, else the first in the file.
    const cert = matches.find((i) => sameLocalKeyId(key.localKeyId, certs[i]!.localKeyId)) ?? matches[0]!;
    paired.add(cert);
    found.push({ key, cert });
  }
  return found.map(({ key, cert }) => ({
    certificate: certs[cert]!.der,
    chain: certs.filter((_, i) => !paired.has(i)).map((c) => c.der),
    privateKey: privateKeyFromPkcs8(key.pkcs8, provider),
  }));
}

/**
 * Certificates for `--to CERT` and `--trust CA.pem`: PEM with CERTIFICATE (or PKCS7) blocks, a DER
 * certificate, or a DER PKCS#7 certs-only bundle. Other PEM blocks (keys) are ignored, never decrypted.
 */
export function loadCertificates(input: Uint8Array): Uint8Array[] {
  const bytes = new Uint8Array(input); // a copy: Node Buffers can be views on a shared pool
  const certs: Uint8Array[] = [];
  if (looksLikePem(bytes)) {
    for (const b of parsePemBlocks(bytes)) {
      if (b.label === 'CERTIFICATE' || b.label === 'X509 CERTIFICATE' || b.label === 'TRUSTED CERTIFICATE') {
        // OpenSSL's TRUSTED form is the certificate followed by its trust settings.
        const node = parseAsn1(new Uint8Array(b.der), defaultLimits, { what: 'The certificate', allowTrailingData: b.label === 'TRUSTED CERTIFICATE' });
        if (!hasCertificateShape(node)) throw new SignetError('malformed-asn1', 'A certificate in the file is not an X.509 certificate.');
        certs.push(b.label === 'TRUSTED CERTIFICATE' ? encodingOf(node).slice() : b.der);
      } else if (b.label === 'PKCS7' || b.label === 'CMS') {
        certs.push(...certificatesFromPkcs7Node(parseAsn1(new Uint8Array(b.der), defaultLimits, { what: 'The PKCS#7 bundle' })));
      }
    }
  } else {
    // DER (a certificate or a PKCS#7 bundle), or the same as bare base64: decoded once, then classified.
    const der = isDer(bytes) ? bytes : (maybeBase64(bytes) ?? bytes);
    const node = parseAsn1(new Uint8Array(der), defaultLimits, { what: 'The certificate file' });
    if (hasCertificateShape(node)) certs.push(der);
    else certs.push(...certificatesFromPkcs7Node(node));
  }
  if (certs.length === 0) throw new SignetError('missing-certificate', 'The file holds no certificate.');
  return certs;
}

/** A first octet of SEQUENCE: what a DER certificate or PKCS#7 file starts with (base64 text never does). */
function isDer(bytes: Uint8Array): boolean {
  return bytes[0] === 0x30;
}

/** Bare base64 without armour (some tools export .cer files that way). */
function maybeBase64(bytes: Uint8Array): Uint8Array | null {
  if (bytes.length === 0 || bytes.some((b) => b !== 0x0a && b !== 0x0d && b !== 0x20 && !/[A-Za-z0-9+/=]/.test(String.fromCharCode(b)))) return null;
  try {
    return fromBase64(bytes);
  } catch {
    return null;
  }
}

type PublicKeyValue =
  | { kind: 'rsa'; n: Uint8Array; e: Uint8Array }
  | { kind: 'ec'; curve: string; point: Uint8Array }
  | { kind: 'other'; algorithm: string };

function samePublicKey(a: PublicKeyValue, b: PublicKeyValue): boolean {
  if (a.kind === 'rsa' && b.kind === 'rsa') return equalBytes(a.n, b.n) && equalBytes(a.e, b.e);
  if (a.kind !== 'ec' || b.kind !== 'ec' || a.curve !== b.curve) return false;
  if (a.point.length === b.point.length) return equalBytes(a.point, b.point);
  // One side compressed (02/03 ‖ x, X9.62 §4.3.6): compare x and the parity of y.
  const [full, comp] = a.point[0] === 4 ? [a.point, b.point] : [b.point, a.point];
  const xLen = comp.length - 1;
  return (
    full[0] === 4 &&
    full.length === 1 + 2 * xLen &&
    (comp[0] === 2 || comp[0] === 3) &&
    equalBytes(full.subarray(1, 1 + xLen), comp.subarray(1)) &&
    ((full[full.length - 1]! & 1) === 1) === (comp[0] === 3)
  );
}

function certificatePublicKey(der: Uint8Array): PublicKeyValue {
  const cert = childrenOf(parseAsn1(new Uint8Array(der), defaultLimits, { what: 'The certificate' }), 'Certificate');
  const tbs = childrenOf(cert[0], 'TBSCertificate');
  const spki = tbs[isContext(tbs[0], 0) ? 6 : 5];
  const [algId, bits] = childrenOf(spki, 'SubjectPublicKeyInfo');
  const [algOid, params] = childrenOf(algId, 'SPKI algorithm');
  const alg = readOid(algOid, 'SPKI algorithm');
  if (!(bits instanceof asn1js.BitString)) throw new SignetError('malformed-asn1', 'The certificate public key is not a BIT STRING.');
  const key = bits.valueBlock.valueHexView;
  if (alg === OID.rsaEncryption || alg === OID.rsassaPss) {
    const [n, e] = childrenOf(parseAsn1(new Uint8Array(key), defaultLimits, { what: 'The RSA public key' }), 'RSAPublicKey');
    return { kind: 'rsa', n: readUnsignedInteger(n, 'modulus'), e: readUnsignedInteger(e, 'exponent') };
  }
  if (alg === OID.ecPublicKey) {
    return { kind: 'ec', curve: params instanceof asn1js.ObjectIdentifier ? params.valueBlock.toString() : '', point: key };
  }
  return { kind: 'other', algorithm: alg };
}

const JWK_CURVE: Record<string, string> = { [OID.secp256r1]: 'P-256', [OID.secp384r1]: 'P-384', [OID.secp521r1]: 'P-521' };

async function privateKeyPublicKey(pkcs8: Uint8Array, provider: CryptoProvider): Promise<PublicKeyValue> {
  const info = childrenOf(parseAsn1(new Uint8Array(pkcs8), defaultLimits, { what: 'The private key' }), 'PrivateKeyInfo');
  const [algOid, params] = childrenOf(info[1], 'PrivateKeyInfo algorithm');
  const alg = readOid(algOid, 'private key algorithm');
  const inner = readJoinedOctets(info[2], 'PrivateKeyInfo privateKey');
  if (alg === OID.rsaEncryption || alg === OID.rsassaPss) {
    const f = childrenOf(parseAsn1(new Uint8Array(inner), defaultLimits, { what: 'The RSA private key' }), 'RSAPrivateKey');
    return { kind: 'rsa', n: readUnsignedInteger(f[1], 'modulus'), e: readUnsignedInteger(f[2], 'exponent') };
  }
  if (alg !== OID.ecPublicKey) return { kind: 'other', algorithm: alg };
  const curve = params instanceof asn1js.ObjectIdentifier ? params.valueBlock.toString() : '';
  const ec = childrenOf(parseAsn1(new Uint8Array(inner), defaultLimits, { what: 'The EC private key' }), 'ECPrivateKey');
  const pubField = ec.find((x) => isContext(x, 1));
  if (pubField) {
    const bits = childrenOf(pubField, 'ECPrivateKey publicKey')[0];
    if (bits instanceof asn1js.BitString) return { kind: 'ec', curve, point: new Uint8Array(bits.valueBlock.valueHexView) };
  }
  // SEC1 makes the public key optional (Windows and Java omit it): let WebCrypto compute it. The key is
  // imported extractable only here, for this one comparison, and dropped right after.
  const namedCurve = JWK_CURVE[curve];
  if (!namedCurve) throw new SignetError('unsupported-algorithm', `Elliptic curve ${curve || '(unnamed)'} is not supported.`);
  try {
    const k = await provider.crypto.subtle.importKey('pkcs8', toArrayBuffer(pkcs8), { name: 'ECDSA', namedCurve }, true, ['sign']);
    const jwk = await provider.crypto.subtle.exportKey('jwk', k);
    return { kind: 'ec', curve, point: new Uint8Array([4, ...fromBase64Url(jwk.x!), ...fromBase64Url(jwk.y!)]) };
  } catch (e) {
    if (isSignetError(e)) throw e;
    throw new SignetError('malformed-asn1', 'The EC private key could not be read.', { cause: e });
  }
}

function fromBase64Url(s: string): Uint8Array {
  return fromBase64(s.replace(/-/g, '+').replace(/_/g, '/'));
}
