// `signet inspect`: the structure of a message without keys or trust decisions — the MIME tree and,
// for each S/MIME part, the CMS content type (RFC 5652), algorithms, signer and recipient identifiers.
// A helpdesk uses it to see what a client actually sent.

import * as pkijs from 'pkijs';
import { toHex } from '../bytes.js';
import { resolveConfig } from '../config.js';
import { toSignetError } from '../errors.js';
import { oidName, OID } from '../oids.js';
import { contentInfoFromNode, parseAsn1, type Asn1Node } from '../asn1.js';
import { parseMime } from '../mime/parser.js';
import type { MimeEntity } from '../mime/entity.js';

export interface InspectNode {
  contentType: string;
  transferEncoding: string;
  size: number;
  filename?: string;
  cms?: CmsSummary;
  children: InspectNode[];
}

export interface CmsSummary {
  contentType: string;
  error?: { code: string; message: string };
  digestAlgorithms?: string[];
  signers?: { sid: string; digest: string; signature: string }[];
  certificates?: string[];
  encryptedContentType?: string;
  cipher?: string;
  recipients?: { type: string; id: string; algorithm: string }[];
  eContentType?: string;
}

export interface InspectReport {
  headers: { name: string; value: string }[];
  root: InspectNode | null;
  error?: { code: string; message: string };
  text: string;
}

function sid(s: pkijs.IssuerAndSerialNumber | asn1OctetLike): string {
  if (s instanceof pkijs.IssuerAndSerialNumber) {
    const cn = s.issuer.typesAndValues.map((t) => `${oidShort(t.type)}=${t.value.valueBlock.value}`).join(', ');
    return `issuer "${cn}" serial ${toHex(s.serialNumber.valueBlock.valueHexView)}`;
  }
  return `subjectKeyIdentifier ${toHex(s.valueBlock.valueHexView)}`;
}
interface asn1OctetLike {
  valueBlock: { valueHexView: Uint8Array };
}
function oidShort(o: string): string {
  return ({ '2.5.4.3': 'CN', '2.5.4.10': 'O', '2.5.4.6': 'C', '2.5.4.11': 'OU', [OID.emailAddress]: 'E' } as Record<string, string>)[o] ?? o;
}

function summarizeCms(der: Uint8Array): CmsSummary {
  const limits = resolveConfig().limits;
  let ci;
  let root: Asn1Node;
  try {
    // Parsed once: the same tree serves our ContentInfo reading and pkijs's schema below.
    root = parseAsn1(der, limits, { allowTrailingData: true, what: 'The CMS ContentInfo' });
    ci = contentInfoFromNode(root);
  } catch (e) {
    const err = toSignetError(e, 'malformed-asn1');
    return { contentType: 'unreadable', error: err.toJSON() };
  }
  const out: CmsSummary = { contentType: oidName(ci.contentType) === ci.contentType ? ci.contentType : oidName(ci.contentType) };
  try {
    const info = new pkijs.ContentInfo({ schema: root });
    if (ci.contentType === OID.signedData) {
      out.contentType = 'signed-data';
      const sd = new pkijs.SignedData({ schema: info.content });
      out.eContentType = sd.encapContentInfo.eContentType;
      out.digestAlgorithms = sd.digestAlgorithms.map((a) => oidName(a.algorithmId));
      out.signers = sd.signerInfos.map((s) => ({
        sid: sid(s.sid as pkijs.IssuerAndSerialNumber),
        digest: oidName(s.digestAlgorithm.algorithmId),
        signature: oidName(s.signatureAlgorithm.algorithmId),
      }));
      out.certificates = (sd.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate).map((c) =>
        c.subject.typesAndValues.map((t) => `${oidShort(t.type)}=${t.value.valueBlock.value}`).join(', '),
      );
    } else if (ci.contentType === OID.envelopedData) {
      out.contentType = 'enveloped-data';
      const ed = new pkijs.EnvelopedData({ schema: info.content });
      out.cipher = oidName(ed.encryptedContentInfo.contentEncryptionAlgorithm.algorithmId);
      out.recipients = ed.recipientInfos.map((r) => {
        const v = r.value;
        if (v instanceof pkijs.KeyTransRecipientInfo) return { type: 'ktri', id: sid(v.rid as pkijs.IssuerAndSerialNumber), algorithm: oidName(v.keyEncryptionAlgorithm.algorithmId) };
        if (v instanceof pkijs.KeyAgreeRecipientInfo) {
          const first = v.recipientEncryptedKeys.encryptedKeys[0];
          const id = first ? (first.rid.variant === 1 ? sid(first.rid.value as pkijs.IssuerAndSerialNumber) : 'rKeyId') : 'none';
          return { type: 'kari', id, algorithm: oidName(v.keyEncryptionAlgorithm.algorithmId) };
        }
        return { type: 'other', id: '', algorithm: '' };
      });
    } else if (ci.contentType === OID.authEnvelopedData) {
      out.contentType = 'auth-enveloped-data';
    }
  } catch (e) {
    out.error = toSignetError(e, 'malformed-asn1').toJSON();
  }
  return out;
}

function walk(e: MimeEntity): InspectNode {
  const type = e.contentType.type;
  const node: InspectNode = {
    contentType: type,
    transferEncoding: e.transferEncoding,
    size: e.raw.length,
    children: e.children.map(walk),
  };
  const filename = e.contentType.params['name'];
  if (filename) node.filename = filename;
  if (/^application\/(x-)?pkcs7-(mime|signature)$/.test(type) || filename?.toLowerCase().endsWith('.p7m')) {
    try {
      node.cms = summarizeCms(e.decodeBody());
    } catch (err) {
      node.cms = { contentType: 'unreadable', error: toSignetError(err, 'malformed-base64').toJSON() };
    }
  }
  return node;
}

function render(n: InspectNode, indent: string): string {
  let s = `${indent}${n.contentType} (${n.transferEncoding}, ${n.size} bytes)${n.filename ? ` "${n.filename}"` : ''}\n`;
  if (n.cms) {
    const c = n.cms;
    s += `${indent}  CMS ${c.contentType}${c.eContentType ? `, eContentType ${oidName(c.eContentType)}` : ''}${c.cipher ? `, ${c.cipher}` : ''}\n`;
    if (c.digestAlgorithms) s += `${indent}  digests: ${c.digestAlgorithms.join(', ')}\n`;
    for (const sg of c.signers ?? []) s += `${indent}  signer: ${sg.sid}, ${sg.signature}/${sg.digest}\n`;
    for (const ce of c.certificates ?? []) s += `${indent}  certificate: ${ce}\n`;
    for (const r of c.recipients ?? []) s += `${indent}  recipient (${r.type}, ${r.algorithm}): ${r.id}\n`;
    if (c.error) s += `${indent}  error: ${c.error.message} [${c.error.code}]\n`;
  }
  for (const ch of n.children) s += render(ch, indent + '  ');
  return s;
}

export function inspectMessage(message: Uint8Array): InspectReport {
  try {
    const root = parseMime(message, resolveConfig().limits);
    const tree = walk(root);
    const headers = root.headers.filter((h) => /^(from|to|cc|subject|date|message-id|sender)$/i.test(h.name)).map((h) => ({ name: h.name, value: h.value }));
    let text = headers.map((h) => `${h.name}: ${h.value}`).join('\n') + '\n\n' + render(tree, '');
    text = text.replace(/^\n+/, '');
    return { headers, root: tree, text };
  } catch (e) {
    const err = toSignetError(e, 'malformed-mime');
    return { headers: [], root: null, error: err.toJSON(), text: `error: ${err.message} [${err.code}]\n` };
  }
}
