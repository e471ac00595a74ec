// The readiness API (types in readiness-types.ts): for a sender and recipients, which recipients have a
// usable encryption certificate, which do not and why, and whether the sender can sign and keep a readable
// copy. Fast enough for every recipients change: one IndexedDB read for all addresses and cached path
// validations (recipient-certificate.ts); the organisation directory is asked only for unknown addresses.
// Also turns a Readiness into the core's EncryptOptions, with the sender's own RecipientInfo on RSA-OAEP.

import { capabilityName, DEFAULT_SMIME_CAPABILITIES } from '../../core/cms/attributes.js';
import type { CryptoProvider } from '../../core/crypto.js';
import { SignetError } from '../../core/errors.js';
import { addressKey } from '../../core/mime/address.js';
import { fingerprint } from '../../core/pki/certificate-info.js';
import type { EncryptOptions } from '../../core/smime/protect.js';
import { readCertificate } from './certificate-facts.js';
import type { AddressCertificates, CertificateDirectory } from './certificate-directory.js';
import type { IdentityStore, Purpose } from './identity-store.js';
import type { MissingReason, MissingRecipient, Readiness, ReadinessRequest, ReadyRecipient, SenderKeyStatus } from './readiness-types.js';

export type * from './readiness-types.js';

export interface ReadinessDeps {
  identities: IdentityStore;
  certificates: CertificateDirectory;
  provider: CryptoProvider;
  now?: () => Date;
}

/** A plausible addr-spec: something@domain, no spaces or angle brackets (Office.js hands us bare addresses). */
// Domain labels exclude ".", so the match is linear (a "." inside the character class made it quadratic).
const ADDR_SPEC = /^[^\s@<>()",;]+@[^\s@<>()",;.]+(?:\.[^\s@<>()",;.]+)+$|^[^\s@<>()",;]+@\[[^\]\s]+\]$/;

export async function readiness(request: ReadinessRequest, deps: ReadinessDeps): Promise<Readiness> {
  const now = (deps.now ?? (() => new Date()))();
  const senderKey = addressKey(request.sender);
  const [senderSigning, senderEncryption] = await Promise.all([
    senderStatus(request.sender, 'sign', deps),
    senderStatus(request.sender, 'encrypt', deps),
  ]);

  // De-duplicate by the address comparison form, keeping request order; the sender is served by their own key.
  const seen = new Set<string>();
  const toLookUp: string[] = [];
  const ready: ReadyRecipient[] = [];
  const missing: MissingRecipient[] = [];
  for (const raw of request.recipients) {
    const address = raw.trim();
    const key = addressKey(address);
    if (seen.has(key)) continue;
    seen.add(key);
    if (!ADDR_SPEC.test(address)) {
      missing.push({ address, reason: 'invalid-address', advice: `"${address}" is not an e-mail address.`, rejected: [] });
      continue;
    }
    if (key === senderKey && senderEncryption.ready && senderEncryption.certificate) {
      ready.push({
        address,
        certificate: senderEncryption.certificate,
        sha256: await fingerprint(senderEncryption.certificate, 'SHA-256', deps.provider),
        capabilities: OWN_CAPABILITIES,
        notAfter: senderEncryption.notAfter ?? '',
        source: 'own',
      });
      continue;
    }
    toLookUp.push(address);
  }

  const answers = await deps.certificates.lookupMany(toLookUp, request.network === false ? { network: false } : {});
  let directoryError: string | null = null;
  for (const a of answers) {
    if (a.directoryError) directoryError = a.directoryError;
    if (a.chosen) {
      ready.push({
        address: a.address,
        certificate: a.chosen.der,
        sha256: a.chosen.sha256,
        capabilities: a.chosen.capabilities,
        notAfter: a.chosen.notAfter,
        source: a.chosen.sources.includes('message') ? 'message' : a.chosen.sources.includes('directory') ? 'directory' : 'file',
      });
    } else {
      missing.push(missingEntry(a, deps.certificates.hasOrganisationDirectory));
    }
  }
  // Request order for both lists (the sender's own entry was added before the lookups finished).
  const order = new Map<string, number>();
  request.recipients.forEach((r, i) => {
    const k = addressKey(r.trim());
    if (!order.has(k)) order.set(k, i);
  });
  ready.sort((x, y) => (order.get(addressKey(x.address)) ?? 0) - (order.get(addressKey(y.address)) ?? 0));
  missing.sort((x, y) => (order.get(addressKey(x.address)) ?? 0) - (order.get(addressKey(y.address)) ?? 0));

  return {
    sender: request.sender,
    ready,
    missing,
    senderSigning,
    senderEncryption,
    canSign: senderSigning.ready,
    canEncrypt: missing.length === 0 && senderEncryption.ready,
    directoryError,
    checkedAt: now.toISOString(),
  };
}

/** Signet reads everything it advertises (core/cms/attributes.ts), so its own copy may use any of it. */
const OWN_CAPABILITIES = DEFAULT_SMIME_CAPABILITIES.map(capabilityName);

const ADVICE: Record<Exclude<MissingReason, 'invalid-address'>, (address: string, directory: boolean) => string> = {
  'no-certificate': (a, d) =>
    `Signet has no certificate for ${a}${d ? ", and your organisation's directory has none either" : ''}. Ask them to send you a signed message, or import their certificate under Keys & certificates.`,
  expired: (a) => `The certificate Signet knows for ${a} has expired. Ask them to send you a signed message with their new certificate.`,
  'not-yet-valid': (a) => `The certificate Signet knows for ${a} is not valid yet. Try again later, or ask them for their current certificate.`,
  revoked: (a) => `The certificate Signet knows for ${a} was revoked by its issuer. Ask them for their new certificate.`,
  untrusted: (a) => `The certificate Signet knows for ${a} was not issued by an authority you trust, so it may belong to an impostor.`,
  'no-encryption-usage': (a) => `The certificate Signet knows for ${a} may only be used for signing. Ask them for their encryption certificate.`,
  'weak-key': (a) => `The certificate Signet knows for ${a} has a key too short for your organisation's policy.`,
  'unsupported-key': (a) => `The certificate Signet knows for ${a} uses a key type Signet cannot encrypt to.`,
};

function missingEntry(a: AddressCertificates, directory: boolean): MissingRecipient {
  // The newest rejected certificate explains the address best (an expired one replaced by a revoked one …).
  const newest = [...a.rejected].sort((x, y) => y.notBefore.localeCompare(x.notBefore))[0];
  const reason: Exclude<MissingReason, 'invalid-address'> = !newest
    ? 'no-certificate'
    : newest.problem === 'malformed' || newest.problem === 'address-mismatch' || newest.problem === null
      ? 'no-certificate'
      : newest.problem;
  return {
    address: a.address,
    reason,
    advice: ADVICE[reason](a.address, directory && a.askedDirectory),
    rejected: a.rejected.map((c) => ({ sha256: c.sha256, subject: c.subject, notAfter: c.notAfter, problem: c.problem ?? '', reason: c.reason })),
  };
}

async function senderStatus(address: string, purpose: Purpose, deps: ReadinessDeps): Promise<SenderKeyStatus> {
  const found = await deps.identities.defaultFor(address, purpose);
  if (found) {
    const cert = readCertificate(found.certificate);
    return { ready: true, identityId: found.id, certificate: found.certificate, notAfter: cert.notAfter.toISOString(), reason: null, advice: null };
  }
  const key = addressKey(address);
  const mine = (await deps.identities.list()).filter((s) => s.addresses.some((x) => addressKey(x) === key));
  const doing = purpose === 'sign' ? 'sign' : 'receive encrypted mail';
  const forPurpose = mine.filter((s) => s.uses[purpose]);
  let reason: SenderKeyStatus['reason'];
  let advice: string;
  if (mine.length === 0) {
    reason = 'no-identity';
    advice = `You have no certificate for ${address} in this Outlook. Import your .p12 file under Keys & certificates.`;
  } else if (forPurpose.length === 0) {
    reason = 'no-usage';
    advice = `Your certificates for ${address} do not allow you to ${doing}. Import the certificate your authority issued for that.`;
  } else if (forPurpose.every((s) => s.validity === 'not-yet-valid')) {
    reason = 'not-yet-valid';
    advice = `Your certificate for ${address} is not valid yet.`;
  } else {
    reason = 'expired';
    advice = `Your certificate for ${address} has expired. Import the renewed one under Keys & certificates.`;
  }
  return { ready: false, identityId: null, certificate: null, notAfter: null, reason, advice };
}

/**
 * EncryptOptions for protectMessage() from a Readiness: the sender's own certificate first (Sent Items stays
 * readable), always with RSA-OAEP, since the sender's key is a non-extractable WebCrypto key that cannot
 * do RSAES-PKCS1-v1_5; the others with their advertised capabilities and the core's rule for the key
 * transport. `missing-certificate` when any recipient is missing or the sender has no encryption key.
 */
export function encryptOptionsFor(r: Readiness): EncryptOptions {
  if (!r.senderEncryption.ready || !r.senderEncryption.certificate) {
    throw new SignetError('missing-certificate', r.senderEncryption.advice ?? 'You have no certificate to keep a readable copy of encrypted mail.');
  }
  if (r.missing.length > 0) {
    const names = r.missing.map((m) => m.address).join(', ');
    throw new SignetError('missing-certificate', `Signet cannot encrypt to ${names}: ${r.missing[0]!.advice}`);
  }
  const own = r.senderEncryption.certificate;
  const ownIsRsa = readCertificate(own).publicKey.type === 'rsa';
  const others = r.ready.filter((x) => x.source !== 'own');
  return {
    recipients: [own, ...others.map((x) => x.certificate)],
    capabilities: [OWN_CAPABILITIES, ...others.map((x) => x.capabilities)],
    recipientKeyTransport: [ownIsRsa ? 'oaep' : null, ...others.map(() => null)],
  };
}
