// What composing needs from the key store, as the smallest interface that works: the sender's signing
// identity, the sender's own encryption certificate (the sender is always an encryption recipient, so the
// Sent Items copy stays readable) and each recipient's encryption certificate. The key store (src/keys,
// issue 5) is adapted to this interface; tests and the workbench use staticServices() below.

import { defaultConfig } from '../core/config.js';
import type { Identity } from '../core/keys.js';
import { parseCertificate } from '../core/pki/certificate.js';
import { addressKey } from './draft.js';

/** RSA key transport for one RecipientInfo (core/smime/protect.ts EncryptOptions.recipientKeyTransport). */
export type RsaKeyTransport = 'oaep' | 'pkcs1';

/** The sender's own encryption certificate and how their private key can unwrap content keys. */
export interface OwnCertificate {
  /** DER certificate. */
  certificate: Uint8Array;
  /**
   * RSA key transport for the sender's own RecipientInfo, or null to let the message-wide rule decide. A
   * key kept as a non-extractable WebCrypto key can only do RSA-OAEP, so the key store says 'oaep'.
   */
  rsaKeyTransport: RsaKeyTransport | null;
}

/** A recipient whose encryption certificate is known and usable. */
export interface ReadyRecipient {
  address: string;
  /** DER certificate. */
  certificate: Uint8Array;
  /** Algorithm names from the recipient's SMIMECapabilities (RFC 8551 §2.5.2), or null when unknown. */
  capabilities: string[] | null;
}

/** A recipient without a usable encryption certificate, and why, in words for the sender. */
export interface MissingRecipient {
  address: string;
  reason: string;
}

export interface Readiness {
  ready: ReadyRecipient[];
  missing: MissingRecipient[];
}

export interface ComposeServices {
  /** The private key and certificate that sign mail from `from`, or null when this Outlook has none. */
  signingIdentity(from: string): Promise<Identity | null>;
  /** The sender's own encryption certificate, or null (then the signing certificate is used, if any). */
  encryptionCertificateOf(sender: string): Promise<OwnCertificate | null>;
  /** Splits `recipients` into those with a usable encryption certificate and those without. */
  readiness(sender: string, recipients: readonly string[]): Promise<Readiness>;
}

export interface StaticServicesOptions {
  identities?: readonly Identity[];
  /** Identity → the addresses it signs for; default: its certificate's addresses (SAN rfc822Name, subject emailAddress). */
  addressesOf?: (identity: Identity) => readonly string[];
  /** Recipients' certificates by address. */
  certificates?: ReadonlyMap<string, { certificate: Uint8Array; capabilities?: string[] | null }>;
  /** Key transport for the sender's own RecipientInfo. */
  ownKeyTransport?: RsaKeyTransport | null;
}

/**
 * In-memory services over fixed identities and certificates: what tests use, and what the workbench uses
 * for the workbench's demo key (held for the session only). Addresses are matched by the core's rule (addressKey).
 */
export function staticServices(options: StaticServicesOptions): ComposeServices {
  const identities = options.identities ?? [];
  const addressesOf = options.addressesOf ?? ((id: Identity) => parseCertificate(id.certificate, defaultConfig.limits).emails);
  const certs = new Map<string, { certificate: Uint8Array; capabilities: string[] | null }>();
  for (const [address, entry] of options.certificates ?? []) {
    certs.set(addressKey(address), { certificate: entry.certificate, capabilities: entry.capabilities ?? null });
  }
  const identityFor = (address: string): Identity | null =>
    identities.find((id) => addressesOf(id).some((a) => addressKey(a) === addressKey(address))) ?? null;
  return {
    signingIdentity: (from) => Promise.resolve(identityFor(from)),
    encryptionCertificateOf: (sender) => {
      const id = identityFor(sender);
      return Promise.resolve(id ? { certificate: id.certificate, rsaKeyTransport: options.ownKeyTransport ?? null } : null);
    },
    readiness: (_sender, recipients) => {
      const ready: ReadyRecipient[] = [];
      const missing: MissingRecipient[] = [];
      for (const address of recipients) {
        const own = identityFor(address);
        const entry = certs.get(addressKey(address)) ?? (own ? { certificate: own.certificate, capabilities: null } : undefined);
        if (entry) ready.push({ address, certificate: entry.certificate, capabilities: entry.capabilities });
        else missing.push({ address, reason: 'Signet has no certificate for this address yet.' });
      }
      return Promise.resolve({ ready, missing });
    },
  };
}

/**
 * Services that ask `primary` first and `fallback` for what it lacks: the key store first, then keys held
 * for this session only (the workbench's demo key, a PEM key the user loaded without storing it).
 */
export function combineServices(primary: ComposeServices, fallback: ComposeServices): ComposeServices {
  return {
    signingIdentity: async (from) => (await primary.signingIdentity(from)) ?? fallback.signingIdentity(from),
    encryptionCertificateOf: async (sender) => (await primary.encryptionCertificateOf(sender)) ?? fallback.encryptionCertificateOf(sender),
    readiness: async (sender, recipients) => {
      const first = await primary.readiness(sender, recipients);
      if (first.missing.length === 0) return first;
      const second = await fallback.readiness(sender, first.missing.map((m) => m.address));
      const found = new Set(second.ready.map((r) => addressKey(r.address)));
      return { ready: [...first.ready, ...second.ready], missing: first.missing.filter((m) => !found.has(addressKey(m.address))) };
    },
  };
}
