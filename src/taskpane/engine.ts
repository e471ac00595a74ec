// The pane's crypto side, loaded lazily (a dynamic import from taskpane.tsx) so that PKI.js, asn1js and the
// core stay out of the initial bundle: opens a message with the core (smime/open.ts), and turns the content
// the Verdict covers into a sanitised document and downloadable attachments. Trust anchors come from the
// organisation's `trust-anchors.pem` served next to the pane (the admin hosts the add-in, DESIGN.md
// "Deployment"); private keys from the session keyring (keyring.ts).

import { SignetError, toSignetError } from '../core/errors.js';
import { parseMime } from '../core/mime/parser.js';
import { openMessage } from '../core/smime/open.js';
import type { Verdict } from '../core/verdict.js';
import type { Identity } from '../core/keys.js';
import { cryptoProvider } from '../core/crypto.js';
import { loadCertificates, loadIdentities } from '../keys/identity-file.js';
import { extractContent, type AttachmentView } from './content.js';
import { htmlDocument, plainTextDocument, type SafeDocument } from './sanitize.js';

export interface Keyring {
  anchors: Uint8Array[];
  identities: Identity[];
  /** Where the keys came from, for the pane's "Keys" line ("workbench demo key for dana@example.org"). */
  notes: string[];
}

export interface Analysis {
  verdict: Verdict;
  document: SafeDocument | null;
  attachments: AttachmentView[];
}

/**
 * The workbench (src/workbench/office-shim.ts) announces a demo key for the mailbox owner. Outlook never
 * provides keys: in production the keyring holds only what the user imported.
 */
interface WorkbenchKeys {
  demoIdentityUrl?: string;
}

async function fetchBytes(url: string): Promise<Uint8Array | null> {
  try {
    const r = await fetch(url, { credentials: 'same-origin', cache: 'no-cache' });
    if (!r.ok) return null;
    return new Uint8Array(await r.arrayBuffer());
  } catch {
    return null;
  }
}

export async function loadKeyring(): Promise<Keyring> {
  const provider = cryptoProvider();
  const notes: string[] = [];
  const anchorsPem = await fetchBytes('trust-anchors.pem');
  const anchors = anchorsPem ? loadCertificates(anchorsPem) : [];
  notes.push(anchors.length > 0 ? `${anchors.length} trust anchor(s) from your organisation` : 'No trust anchors configured: no signer can be trusted');
  const identities: Identity[] = [];
  const demo = (globalThis as { signetWorkbench?: WorkbenchKeys }).signetWorkbench?.demoIdentityUrl;
  if (typeof demo === 'string') {
    const pem = await fetchBytes(demo);
    if (pem) {
      identities.push(...(await loadIdentities(pem, undefined, provider)));
      notes.push('Workbench demo key loaded');
    }
  }
  return { anchors, identities, notes };
}

/** Adds a PKCS#12 or PEM identity the user chose, for this session only (never stored, nor its passphrase). */
export async function importIdentity(keyring: Keyring, bytes: Uint8Array, passphrase: string | undefined): Promise<number> {
  const found = await loadIdentities(bytes, passphrase, cryptoProvider());
  if (found.length === 0) throw new SignetError('usage', 'The file holds no private key with its certificate.');
  keyring.identities.push(...found);
  keyring.notes.push(`${found.length} key(s) imported for this session`);
  return found.length;
}

export async function analyse(bytes: Uint8Array, keyring: Keyring): Promise<Analysis> {
  const { verdict, content } = await openMessage(bytes, { anchors: keyring.anchors, identities: keyring.identities });
  let document: SafeDocument | null = null;
  let attachments: AttachmentView[] = [];
  if (content) {
    try {
      const view = extractContent(parseMime(content));
      attachments = view.attachments;
      if (view.body?.kind === 'html') document = htmlDocument(view.body.text, view.inline);
      else if (view.body) document = plainTextDocument(view.body.text);
    } catch (e) {
      // The verdict stands; only the preview failed.
      document = plainTextDocument(`The content could not be displayed: ${toSignetError(e, 'malformed-mime').message}`);
    }
  }
  return { verdict, document, attachments };
}
