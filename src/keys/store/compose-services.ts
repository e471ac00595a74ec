// The key store behind compose's services (src/compose/services.ts, ComposeServices): the sender's signing
// identity, the sender's own encryption certificate — always on RSA-OAEP, since a non-extractable WebCrypto
// key cannot do RSAES-PKCS1-v1_5 — and the readiness split with the store's advice as the reason. Shaped
// structurally so that this layer does not import compose; test/unit/keystore/compose-services.test.ts
// checks it against the interface.

import type { KeyStore } from './key-store.js';
import type { StoreIdentity } from './identity-store.js';

export interface ComposeServicesOptions {
  /** Ask the organisation directory for unknown recipients (default true). */
  network?: boolean;
}

export function composeServicesFor(store: KeyStore, options: ComposeServicesOptions = {}) {
  return {
    signingIdentity: (from: string): Promise<StoreIdentity | null> => store.signingIdentity(from),
    async encryptionCertificateOf(sender: string): Promise<{ certificate: Uint8Array; rsaKeyTransport: 'oaep' | null } | null> {
      const own = await store.identities.defaultFor(sender, 'encrypt');
      if (!own) return null;
      return { certificate: own.certificate, rsaKeyTransport: own.privateKey.type === 'rsa' ? 'oaep' : null };
    },
    async readiness(
      sender: string,
      recipients: readonly string[],
    ): Promise<{ ready: { address: string; certificate: Uint8Array; capabilities: string[] | null }[]; missing: { address: string; reason: string }[] }> {
      const r = await store.readiness({ sender, recipients, ...(options.network === false ? { network: false } : {}) });
      return {
        ready: r.ready.map((x) => ({ address: x.address, certificate: x.certificate, capabilities: x.capabilities })),
        missing: r.missing.map((m) => ({ address: m.address, reason: m.advice })),
      };
    },
  };
}
