// `signet inspect`: the structure of a message without keys or trust decisions — the MIME tree and,
// for each S/MIME part, the CMS content type (RFC 5652), algorithms, signer and recipient identifiers.
// A helpdesk uses it to see what a client actually sent. CMS is read by the same limit-checked readers
// that verification and decryption use (ARCHITECTURE.md §6, "One reader for CMS"), names are formatted as
// in the Verdict (RFC 4514 order).

import { toHex } from '../bytes.js';
import { resolveConfig, type Limits } from '../config.js';
import { toSignetError } from '../errors.js';
import { oidName, OID } from '../oids.js';
import { parseAsn1, parseContentInfo, type Asn1Node } from '../asn1.js';
import { readCertificates, readSignedData, readSignerInfo, type ParsedSignerInfo } from '../cms/signed-data.js';
import { readEnvelopedData } from '../cms/enveloped-data.js';
import type { RecipientId } from '../cms/envelope-recipient.js';
import { formatName, parseName } from '../pki/certificate.js';
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

function nameText(node: Asn1Node | undefined): string {
  try {
    return formatName(parseName(node));
  } catch {
    return 'unreadable name';
  }
}

function signerId(sid: ParsedSignerInfo['sid']): string {
  if (sid.kind === 'subjectKeyIdentifier') return `subjectKeyIdentifier ${toHex(sid.keyId)}`;
  return `issuer "${nameText(sid.issuer)}" serial ${toHex(sid.serial)}`;
}

function recipientId(rid: RecipientId, limits: Limits): string {
  if (rid.kind === 'subject-key-identifier') return `subjectKeyIdentifier ${toHex(rid.ski)}`;
  return `issuer "${nameText(parseAsn1(rid.issuer, limits))}" serial ${toHex(rid.serial)}`;
}

/** SignedData through the same reader as verification (cms/signed-data.ts). */
function summarizeSignedData(content: Asn1Node, out: CmsSummary, limits: Limits): void {
  out.contentType = 'signed-data';
  const sd = readSignedData(content);
  out.eContentType = sd.eContentType;
  out.digestAlgorithms = sd.digestAlgorithms;
  out.signers = sd.signerInfoNodes.map(readSignerInfo).map((s) => ({
    sid: signerId(s.sid),
    digest: oidName(s.digestAlgorithmOid),
    signature: oidName(s.signatureAlgorithmOid),
  }));
  out.certificates = readCertificates(sd.certsNode, limits).messageCerts.map((c) => formatName(c.subject));
}

/** EnvelopedData and AuthEnvelopedData through the decryption code's readers (cms/enveloped-data.ts). */
function summarizeEnveloped(content: Asn1Node, out: CmsSummary, limits: Limits): void {
  const ed = readEnvelopedData(content);
  out.cipher = oidName(ed.encryptedContentInfo.contentEncryptionAlgorithm.oid);
  out.recipients = ed.recipientInfos.map((r) => {
    if (r.type === 'ktri') return { type: 'ktri', id: recipientId(r.rid, limits), algorithm: oidName(r.keyEncryptionAlgorithm.oid) };
    if (r.type === 'kari') {
      const first = r.recipientEncryptedKeys[0];
      return { type: 'kari', id: first ? recipientId(first.rid, limits) : 'none', algorithm: oidName(r.keyEncryptionAlgorithm.oid) };
    }
    return { type: 'other', id: '', algorithm: '' };
  });
}

function summarizeCms(der: Uint8Array): CmsSummary {
  const limits = resolveConfig().limits;
  let ci;
  try {
    ci = parseContentInfo(der, limits);
  } catch (e) {
    const err = toSignetError(e, 'malformed-asn1');
    return { contentType: 'unreadable', error: err.toJSON() };
  }
  const out: CmsSummary = { contentType: oidName(ci.contentType) === ci.contentType ? ci.contentType : oidName(ci.contentType) };
  try {
    if (ci.contentType === OID.signedData) summarizeSignedData(ci.content, out, limits);
    else if (ci.contentType === OID.envelopedData) {
      out.contentType = 'enveloped-data';
      summarizeEnveloped(ci.content, out, limits);
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
