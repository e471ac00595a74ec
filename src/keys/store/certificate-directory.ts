// Correspondents' certificates, for encrypting to them: harvested from verified signed mail, imported from
// files (.cer, .pem, .p7c/.p7b), or fetched from the organisation's directory, all kept in IndexedDB and all
// judged by the same rules (recipient-certificate.ts) before use.
//
// ARCHITECTURE.md rule 8: a certificate is taken from a message only when the whole Verdict is `valid` — every
// signature verified, chained to a trust anchor and bound to the single From address — and only for that
// address. A signer's SMIMECapabilities (RFC 8551 §2.5.2) are recorded for the cipher choice and its
// SMIMEEncryptionKeyPreference (§2.5.3) decides which of its certificates is the encryption one. For each
// address the newest usable certificate is chosen; expired, revoked, untrusted or mismatched ones are never
// used, and each carries the reason.

import { fromBase64 } from '../../core/bytes.js';
import { cryptoProvider, type CryptoProvider } from '../../core/crypto.js';
import { toSignetError } from '../../core/errors.js';
import { addressKey, sameAddress } from '../../core/mime/address.js';
import type { Certificate } from '../../core/pki/certificate.js';
import type { SignerReport, Verdict } from '../../core/verdict.js';
import { loadCertificates } from '../identity-file.js';
import { certificateAddresses, readCertificate, summarizeCertificate, type CertificateSummary } from './certificate-facts.js';
import { storageError, type CertificateSource, type KeyDatabase, type StoredCertificate } from './db.js';
import { queryOrganisationDirectory, type OrganisationDirectoryOptions } from './organisation-directory.js';
import type { CertificateJudge} from './recipient-certificate.js';
import { type CertificateProblem } from './recipient-certificate.js';

/** A stored certificate as the Settings view and the readiness API see it. */
export interface RecipientCertificate extends CertificateSummary {
  id: string;
  der: Uint8Array;
  sources: CertificateSource[];
  capabilities: string[] | null;
  preferredForEncryption: boolean;
  firstSeen: string;
  lastSeen: string;
  /** null when it can be encrypted to now; otherwise why not. */
  problem: CertificateProblem | null;
  reason: string;
}

/** A certificate that was offered (by a message, a file or the directory) and not stored, with why. */
export interface RefusedCertificate {
  sha256: string | null;
  subject: string;
  addresses: string[];
  problem: CertificateProblem | 'not-an-end-entity' | 'not-harvested';
  reason: string;
}

export interface CertificateChange {
  stored: RecipientCertificate[];
  refused: RefusedCertificate[];
}

export interface HarvestResult extends CertificateChange {
  /** Ids of stored certificates a `revoked` verdict showed revoked (never used again). */
  markedRevoked: string[];
}

/** What Signet knows for one address. */
export interface AddressCertificates {
  /** The address as asked (or as the certificate names it, in list()). */
  address: string;
  /** The certificate Signet encrypts to, or null. */
  chosen: RecipientCertificate | null;
  /** Usable certificates passed over for a newer one (kept until the user removes them). */
  superseded: RecipientCertificate[];
  /** Certificates for the address that cannot be used, each with its reason. */
  rejected: RecipientCertificate[];
  /** Set when the organisation directory was asked and failed (the lookup still answers from the store). */
  directoryError: string | null;
  /** True when the organisation directory was asked during this lookup. */
  askedDirectory: boolean;
}

export interface CertificateDirectoryOptions {
  db: KeyDatabase;
  judge: CertificateJudge;
  provider?: CryptoProvider;
  /** The organisation directory from the policy, or null. */
  organisation?: OrganisationDirectoryOptions | null;
  /**
   * Further CA certificates that may complete a path (the chains of the user's own identities): a
   * colleague's .cer rarely carries the organisation's intermediate, and the pane cannot fetch AIA.
   */
  knownIntermediates?: () => Promise<Uint8Array[]>;
  now?: () => Date;
}

export interface LookupOptions {
  /** Ask the organisation directory for addresses the store cannot serve (default true when configured). */
  network?: boolean;
}

/** An address the directory had nothing usable for is not asked again for this long. */
const DIRECTORY_NEGATIVE_CACHE_MS = 10 * 60_000;

export class CertificateDirectory {
  readonly #db: KeyDatabase;
  readonly #judge: CertificateJudge;
  readonly #provider: CryptoProvider;
  #organisation: OrganisationDirectoryOptions | null;
  readonly #now: () => Date;
  readonly #knownIntermediates: () => Promise<Uint8Array[]>;
  readonly #directoryMisses = new Map<string, { until: number; refused: RefusedCertificate[] }>();
  readonly #listeners = new Set<() => void>();

  constructor(options: CertificateDirectoryOptions) {
    this.#db = options.db;
    this.#judge = options.judge;
    this.#provider = options.provider ?? cryptoProvider();
    this.#organisation = options.organisation ?? null;
    this.#now = options.now ?? (() => new Date());
    this.#knownIntermediates = options.knownIntermediates ?? (() => Promise.resolve([]));
  }

  /** Intermediates for path building: those given, those stored with any certificate, the identities' chains. */
  async #pool(given: readonly Uint8Array[]): Promise<Uint8Array[]> {
    let stored: StoredCertificate[];
    try {
      stored = await this.#db.getAll('certificates');
    } catch (e) {
      throw storageError(e);
    }
    const out: Uint8Array[] = [];
    for (const c of [...given, ...stored.flatMap((r) => r.intermediates), ...(await this.#knownIntermediates())]) {
      if (!out.some((x) => sameBytes(x, c))) out.push(c);
    }
    return out;
  }

  setOrganisationDirectory(organisation: OrganisationDirectoryOptions | null): void {
    this.#organisation = organisation;
    this.#directoryMisses.clear();
  }

  get hasOrganisationDirectory(): boolean {
    return this.#organisation !== null;
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #changed(): void {
    for (const l of this.#listeners) l();
  }

  /**
   * Learns from a message the read pane opened. Only a `valid` Verdict adds anything, and only certificates
   * naming its From address; a `revoked` Verdict marks the signer's stored certificate revoked.
   */
  async harvest(verdict: Verdict): Promise<HarvestResult> {
    const result: HarvestResult = { stored: [], refused: [], markedRevoked: [] };
    if (verdict.status === 'revoked') {
      result.markedRevoked = await this.#markRevoked(verdict);
      return result;
    }
    const from = verdict.from;
    if (verdict.status !== 'valid' || from === null) return result;
    const now = this.#now();
    for (const signer of verdict.signers) {
      // A valid Verdict has every signer valid and bound to From; checked again here so that this function
      // alone upholds rule 8 whatever Verdict it is handed.
      if (signer.status !== 'valid' || !signer.emails.some((e) => sameAddress(e, from))) continue;
      const chain = signer.chain.map((c) => fromBase64(c.der));
      const leaf = chain[0];
      if (!leaf) continue;
      const intermediates = chain.slice(1);
      const seenAt = signer.signingTime ?? verdict.checkedAt;
      const candidates: { der: Uint8Array; preferred: boolean }[] = [{ der: leaf, preferred: false }];
      if (signer.encryptionCertificate) candidates.push({ der: fromBase64(signer.encryptionCertificate), preferred: true });
      for (const c of candidates) {
        const outcome = await this.#offer(c.der, intermediates, from, 'message', now, {
          capabilities: signerCapabilities(signer),
          at: seenAt,
          preferred: c.preferred,
        });
        if ('refused' in outcome) {
          // The signing certificate of someone who encrypts with a separate certificate is expected to fail.
          if (!(c.preferred === false && signer.encryptionCertificate && outcome.refused.problem === 'no-encryption-usage')) result.refused.push(outcome.refused);
        } else result.stored.push(outcome.stored);
      }
    }
    if (result.stored.length > 0) this.#changed();
    return result;
  }

  async #markRevoked(verdict: Verdict): Promise<string[]> {
    const marked: string[] = [];
    for (const s of verdict.signers) {
      if (s.status !== 'revoked' || !s.chain[0]) continue;
      const id = s.chain[0].sha256.toLowerCase();
      const revocation = s.chain.find((c) => c.revocation?.status === 'revoked')?.revocation;
      try {
        const tx = this.#db.transaction('certificates', 'readwrite');
        const rec = await tx.store.get(id);
        if (rec && !rec.revoked) {
          rec.revoked = { at: this.#now().toISOString(), reason: revocation?.reason ?? null };
          await tx.store.put(rec);
          marked.push(id);
        }
        await tx.done;
      } catch (e) {
        throw storageError(e);
      }
    }
    if (marked.length > 0) this.#changed();
    return marked;
  }

  /**
   * Imports correspondents' certificates from a file: PEM, DER, or a PKCS#7 certs-only bundle. CA
   * certificates in the file only help build paths. Each end-entity certificate is validated; the usable
   * ones are stored, the others are refused with their reason.
   */
  async importCertificates(file: Uint8Array): Promise<CertificateChange> {
    const ders = loadCertificates(file);
    const parsed: Certificate[] = ders.map((d, i) => readCertificate(d, `Certificate ${i + 1} in the file`));
    const isCa = (c: Certificate): boolean => c.basicConstraints?.cA === true;
    const pool = parsed.filter(isCa).map((c) => c.der);
    const leaves = parsed.filter((c) => !isCa(c));
    const result: CertificateChange = { stored: [], refused: [] };
    if (leaves.length === 0) {
      for (const c of parsed) {
        result.refused.push({
          ...(await this.#describeRefusal(c)),
          problem: 'not-an-end-entity',
          reason: 'This is a certificate authority, not a person’s certificate. To trust an authority, add it as a trusted root instead.',
        });
      }
      return result;
    }
    const now = this.#now();
    for (const leaf of leaves) {
      const outcome = await this.#offer(leaf.der, pool, null, 'file', now, null);
      if ('refused' in outcome) result.refused.push(outcome.refused);
      else result.stored.push(outcome.stored);
    }
    if (result.stored.length > 0) this.#changed();
    return result;
  }

  async #describeRefusal(cert: Certificate): Promise<Pick<RefusedCertificate, 'sha256' | 'subject' | 'addresses'>> {
    const s = await summarizeCertificate(cert, this.#provider);
    return { sha256: s.sha256, subject: s.subject, addresses: s.addresses };
  }

  /** Validates one certificate and stores it when usable; otherwise says why not. */
  async #offer(
    der: Uint8Array,
    intermediates: Uint8Array[],
    address: string | null,
    source: CertificateSource,
    now: Date,
    learnt: { capabilities: string[] | null; at: string; preferred: boolean } | null,
  ): Promise<{ stored: RecipientCertificate } | { refused: RefusedCertificate }> {
    let cert: Certificate;
    try {
      cert = readCertificate(der);
    } catch (e) {
      return { refused: { sha256: null, subject: '', addresses: [], problem: 'malformed', reason: toSignetError(e, 'malformed-asn1').message } };
    }
    const existing = await this.#get((await summarizeCertificate(cert, this.#provider)).sha256);
    const assessment = await this.#judge.assess(cert.der, await this.#pool(intermediates), address, now, existing?.revoked ?? null);
    if (assessment.problem !== null) {
      return { refused: { ...(await this.#describeRefusal(cert)), problem: assessment.problem, reason: assessment.reason } };
    }
    const summary = await summarizeCertificate(cert, this.#provider);
    const nowIso = now.toISOString();
    const record: StoredCertificate = existing ?? {
      id: summary.sha256,
      addresses: certificateAddresses(cert),
      der: cert.der.slice(),
      intermediates: [],
      sources: [],
      firstSeen: nowIso,
      lastSeen: nowIso,
      capabilities: null,
      capabilitiesAt: null,
      preferredAt: null,
      revoked: null,
    };
    record.lastSeen = nowIso;
    if (!record.sources.includes(source)) record.sources.push(source);
    // Keep the CA certificates of the validated path, so it still builds when the pool changes later.
    for (const i of assessment.path) if (!record.intermediates.some((x) => sameBytes(x, i))) record.intermediates.push(i.slice());
    if (learnt) {
      // Capabilities of a later message replace older ones (the correspondent may have upgraded their client).
      if (learnt.capabilities && (record.capabilitiesAt === null || learnt.at >= record.capabilitiesAt)) {
        record.capabilities = learnt.capabilities;
        record.capabilitiesAt = learnt.at;
      }
      if (learnt.preferred && (record.preferredAt === null || learnt.at > record.preferredAt)) record.preferredAt = learnt.at;
    }
    try {
      await this.#db.put('certificates', record);
    } catch (e) {
      throw storageError(e);
    }
    return { stored: { ...summary, ...recordFields(record), problem: null, reason: assessment.reason } };
  }

  async #get(id: string): Promise<StoredCertificate | undefined> {
    try {
      return await this.#db.get('certificates', id);
    } catch (e) {
      throw storageError(e);
    }
  }

  /** Removes a stored certificate (a message signed with it later may add it again). */
  async remove(id: string): Promise<void> {
    try {
      await this.#db.delete('certificates', id);
    } catch (e) {
      throw storageError(e);
    }
    this.#changed();
  }

  async #judged(records: StoredCertificate[], address: string | null, now: Date): Promise<RecipientCertificate[]> {
    return Promise.all(
      records.map(async (r) => {
        const cert = readCertificate(r.der);
        const summary = await summarizeCertificate(cert, this.#provider);
        const a = await this.#judge.assess(r.der, r.intermediates, address, now, r.revoked);
        return { ...summary, ...recordFields(r), problem: a.problem, reason: a.reason };
      }),
    );
  }

  /**
   * The certificate to encrypt to for each address (newest usable first), with the rejected ones and
   * their reasons. Reads the store in one transaction; asks the organisation directory (when configured
   * and `network` is not false) only for addresses the store cannot serve.
   */
  async lookupMany(addresses: readonly string[], options: LookupOptions = {}): Promise<AddressCertificates[]> {
    const now = this.#now();
    let records: StoredCertificate[][];
    try {
      const tx = this.#db.transaction('certificates', 'readonly');
      const index = tx.store.index('by-address');
      records = await Promise.all(addresses.map((a) => index.getAll(addressKey(a))));
      // A read-only transaction's answers are final once they arrive: waiting for its "complete" event as well
      // only cost a turn of a busy page before a send could go on (issue 17, compose latency).
      tx.done.catch(() => undefined);
    } catch (e) {
      throw storageError(e);
    }
    return Promise.all(
      addresses.map(async (address, i) => {
        let answer = choose(address, await this.#judged(records[i]!, address, now));
        if (answer.chosen === null && options.network !== false && this.#organisation) answer = await this.#askDirectory(address, answer, now);
        return answer;
      }),
    );
  }

  async lookup(address: string, options: LookupOptions = {}): Promise<AddressCertificates> {
    return (await this.lookupMany([address], options))[0]!;
  }

  async #askDirectory(address: string, local: AddressCertificates, now: Date): Promise<AddressCertificates> {
    const key = addressKey(address);
    const miss = this.#directoryMisses.get(key);
    const refusedAsCertificates = (refused: RefusedCertificate[]): RecipientCertificate[] => refused.map((r) => refusedView(r, now));
    if (miss && miss.until > now.getTime()) return { ...local, rejected: [...local.rejected, ...refusedAsCertificates(miss.refused)], askedDirectory: false };
    let ders: Uint8Array[];
    try {
      ders = await queryOrganisationDirectory(address, this.#organisation!);
    } catch (e) {
      return { ...local, askedDirectory: true, directoryError: toSignetError(e, 'network').message };
    }
    const refused: RefusedCertificate[] = [];
    let storedAny = false;
    // Each entry is a DER certificate or a PKCS#7 certs-only bundle (what LDAP's userSMIMECertificate holds).
    const parsed = ders.flatMap((d) => {
      try {
        return loadCertificates(d).map((c) => readCertificate(c));
      } catch {
        return [];
      }
    });
    const pool = parsed.filter((c) => c.basicConstraints?.cA === true).map((c) => c.der);
    for (const c of parsed.filter((x) => x.basicConstraints?.cA !== true)) {
      const outcome = await this.#offer(c.der, pool, address, 'directory', now, null);
      if ('refused' in outcome) refused.push(outcome.refused);
      else storedAny = true;
    }
    if (storedAny) {
      this.#changed();
      const again = await this.lookupMany([address], { network: false });
      return { ...again[0]!, askedDirectory: true };
    }
    this.#directoryMisses.set(key, { until: now.getTime() + DIRECTORY_NEGATIVE_CACHE_MS, refused });
    return { ...local, rejected: [...local.rejected, ...refusedAsCertificates(refused)], askedDirectory: true };
  }

  /** Every stored certificate grouped by the addresses it names, for the Settings view. */
  async list(): Promise<AddressCertificates[]> {
    let records: StoredCertificate[];
    try {
      records = await this.#db.getAll('certificates');
    } catch (e) {
      throw storageError(e);
    }
    const now = this.#now();
    const byAddress = new Map<string, { address: string; records: StoredCertificate[] }>();
    for (const r of records) {
      for (const address of readCertificate(r.der).emails) {
        const key = addressKey(address);
        const entry = byAddress.get(key) ?? { address, records: [] };
        entry.records.push(r);
        byAddress.set(key, entry);
      }
    }
    const out: AddressCertificates[] = [];
    for (const { address, records: rs } of byAddress.values()) out.push(choose(address, await this.#judged(rs, address, now)));
    return out.sort((a, b) => a.address.localeCompare(b.address));
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function recordFields(r: StoredCertificate): Pick<RecipientCertificate, 'id' | 'der' | 'sources' | 'capabilities' | 'preferredForEncryption' | 'firstSeen' | 'lastSeen'> {
  return {
    id: r.id,
    der: r.der,
    sources: [...r.sources],
    capabilities: r.capabilities ? [...r.capabilities] : null,
    preferredForEncryption: r.preferredAt !== null,
    firstSeen: r.firstSeen,
    lastSeen: r.lastSeen,
  };
}

/** A refused directory answer shown among an address's rejected certificates. */
function refusedView(r: RefusedCertificate, now: Date): RecipientCertificate {
  return {
    sha256: r.sha256 ?? '',
    addresses: r.addresses,
    name: null,
    subject: r.subject,
    issuer: '',
    notBefore: '',
    notAfter: '',
    keyAlgorithm: '',
    uses: { sign: false, encrypt: false, emailProtection: false },
    id: r.sha256 ?? '',
    der: new Uint8Array(0),
    sources: ['directory'],
    capabilities: null,
    preferredForEncryption: false,
    firstSeen: now.toISOString(),
    lastSeen: now.toISOString(),
    problem: r.problem === 'not-an-end-entity' || r.problem === 'not-harvested' ? 'untrusted' : r.problem,
    reason: r.reason,
  };
}

/**
 * The newest usable certificate (latest notBefore: a renewal replaces its predecessor); between equals, one
 * the correspondent named as their encryption certificate.
 */
function choose(address: string, judged: RecipientCertificate[]): AddressCertificates {
  const usable = judged
    .filter((c) => c.problem === null)
    .sort((a, b) => b.notBefore.localeCompare(a.notBefore) || Number(b.preferredForEncryption) - Number(a.preferredForEncryption));
  const chosen = usable[0] ?? null;
  return {
    address,
    chosen,
    superseded: usable.slice(1),
    rejected: judged.filter((c) => c.problem !== null),
    directoryError: null,
    askedDirectory: false,
  };
}

function signerCapabilities(s: SignerReport): string[] | null {
  return s.capabilities.length > 0 ? [...s.capabilities] : null;
}
