// Test pieces for the revocation relay (src/host/relay/): a Fastify instance with the relay registered,
// structurally valid OCSP requests, OCSP responses and CRLs built with the project's DER writer (the
// relay checks shape and nextUpdate, never signatures, so these need no key), and a resolver that answers
// from a table so DNS names can "resolve" to internal addresses without touching real DNS.

import Fastify, { type FastifyInstance } from 'fastify';
import type { LookupAddress } from 'node:dns';
import { algorithmIdentifier, octetString, oid, sequence, time, tlv } from '../../src/core/der.js';
import { OID } from '../../src/core/oids.js';
import { registerRelay, type RelayOptions, type RelayStats } from '../../src/host/relay/relay.js';

export async function relayApp(options: RelayOptions = {}): Promise<{ app: FastifyInstance; stats: RelayStats }> {
  const app = Fastify({ logger: false });
  const stats = await registerRelay(app, options);
  await app.ready();
  return { app, stats };
}

/** A resolver from a table; counts calls per name. A function value answers per call (DNS rebinding). */
export function tableResolver(table: Record<string, string[] | ((call: number) => string[])>): { resolve: (h: string) => Promise<LookupAddress[]>; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  return {
    calls,
    resolve: async (host: string) => {
      const n = (calls.get(host) ?? 0) + 1;
      calls.set(host, n);
      const entry = table[host];
      const addrs = typeof entry === 'function' ? entry(n) : entry;
      if (!addrs) throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
      return addrs.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    },
  };
}

export function certId(serial = 0x1234): Uint8Array {
  return sequence(algorithmIdentifier(OID.sha1, 'null'), octetString(new Uint8Array(20).fill(1)), octetString(new Uint8Array(20).fill(2)), tlv(0x02, new Uint8Array([serial >> 8, serial & 0xff])));
}

/** An OCSPRequest for `ids` (one normally), with a nonce extension when asked. */
export function ocspRequest(ids: Uint8Array[] = [certId()], nonce = false): Uint8Array {
  const parts = [sequence(...ids.map((id) => sequence(id)))];
  if (nonce) parts.push(tlv(0xa2, sequence(sequence(oid('1.3.6.1.5.5.7.48.1.2'), octetString(octetString(new Uint8Array(32).fill(7)))))));
  return sequence(sequence(...parts));
}

/** A (unsigned, structurally valid) successful basic OCSPResponse with one "good" SingleResponse. */
export function ocspResponse(thisUpdate: Date, nextUpdate: Date | null, id: Uint8Array = certId()): Uint8Array {
  const single = sequence(id, tlv(0x80), time(thisUpdate), ...(nextUpdate ? [tlv(0xa0, time(nextUpdate))] : []));
  const tbs = sequence(tlv(0xa1, sequence()), tlv(0x18, new TextEncoder().encode('20260101000000Z')), sequence(single));
  const basic = sequence(tbs, algorithmIdentifier('1.2.840.10045.4.3.2'), tlv(0x03, new Uint8Array([0, 1, 2, 3])));
  return sequence(tlv(0x0a, new Uint8Array([0])), tlv(0xa0, sequence(oid('1.3.6.1.5.5.7.48.1.1'), octetString(basic))));
}

/** A (unsigned, structurally valid) CRL with the given validity window and `entries` revoked serials. */
export function crl(thisUpdate: Date, nextUpdate: Date | null, entries = 0): Uint8Array {
  const revoked = Array.from({ length: entries }, (_, i) => sequence(tlv(0x02, new Uint8Array([1, i >> 8, i & 0xff])), time(thisUpdate)));
  const tbs = sequence(tlv(0x02, new Uint8Array([1])), algorithmIdentifier('1.2.840.10045.4.3.2'), sequence(), time(thisUpdate), ...(nextUpdate ? [time(nextUpdate)] : []), ...(entries ? [sequence(...revoked)] : []));
  return sequence(tbs, algorithmIdentifier('1.2.840.10045.4.3.2'), tlv(0x03, new Uint8Array([0, 1, 2, 3])));
}

export { startHttpServer as loopbackServer, type LocalServer as LoopbackServer } from './loopback-server.js';
