// The "Keys & certificates" view of the task pane (loaded on demand, its own chunk): the user's identities
// (import a .p12/.pfx with its passphrase, what each may do, defaults per From address, unlock for RSA
// PKCS#1 v1.5 mail, check, export the certificate as .cer, delete) and correspondents' certificates
// (import .cer/.pem/.p7b, the one chosen per address, why others are not used, remove). It talks to the key
// store through the keyring the engine chunk built; type-only imports keep the crypto code out of this chunk.
// No window.confirm/alert: Outlook's add-in hosts block them, so deleting asks inline.

import { useCallback, useEffect, useMemo, useState, type FormEvent, type ReactElement } from 'react';
import {
  Badge,
  Button,
  Caption1,
  Checkbox,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import type { Keyring } from '../engine.js';
import type * as EngineModule from '../engine.js';
import type { IdentitySummary, Purpose } from '../../keys/store/identity-store.js';
import type { AddressCertificates, CertificateChange, RecipientCertificate } from '../../keys/store/certificate-directory.js';
import type { CheckOutcome, SelfTestResult } from '../../keys/store/self-test.js';
import { formatDateTime, formatFingerprint } from '../present.js';
import { FilePicker } from './file-picker.js';
import { saveFile } from './save-file.js';

type Engine = typeof EngineModule;

export interface SettingsViewProps {
  engine: () => Promise<Engine>;
  keyring: () => Promise<Keyring>;
}

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalL },
  h2: { fontSize: tokens.fontSizeBase400, fontWeight: tokens.fontWeightSemibold, margin: 0 },
  h3: { fontSize: tokens.fontSizeBase300, fontWeight: tokens.fontWeightSemibold, margin: 0 },
  section: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalS },
  card: {
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    padding: tokens.spacingHorizontalM,
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalXS,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  facts: { display: 'grid', gridTemplateColumns: 'max-content 1fr', columnGap: tokens.spacingHorizontalM, rowGap: '2px', margin: 0 },
  dt: { color: tokens.colorNeutralForeground3 },
  dd: { margin: 0, overflowWrap: 'anywhere' },
  row: { display: 'flex', columnGap: tokens.spacingHorizontalS, rowGap: tokens.spacingVerticalXS, alignItems: 'end', flexWrap: 'wrap' },
  badges: { display: 'flex', columnGap: tokens.spacingHorizontalXS, flexWrap: 'wrap' },
  form: {
    border: `1px dashed ${tokens.colorNeutralStroke1}`,
    borderRadius: tokens.borderRadiusMedium,
    padding: tokens.spacingHorizontalM,
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalS,
  },
  muted: { color: tokens.colorNeutralForeground3 },
  list: { margin: 0, paddingLeft: tokens.spacingHorizontalL },
});

function errorText(e: unknown): { code: string; message: string } {
  const code = typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : 'internal';
  const message = e instanceof Error ? e.message : String(e);
  return { code, message };
}

/**
 * What went wrong and what to do, for each import refusal; the store's own sentence otherwise. A damaged
 * file (broken structure, or an integrity check that fails although the passphrase decrypts it:
 * src/keys/pkcs12.ts) is never called a wrong passphrase.
 */
function importErrorText(e: unknown): { code: string; title: string; message: string } {
  const { code, message } = errorText(e);
  switch (code) {
    case 'bad-passphrase':
      return { code, title: 'Wrong passphrase', message: 'The passphrase is wrong for this file. Type the passphrase chosen when the file was exported (it is case-sensitive), then Import again.' };
    case 'not-pkcs12':
      return { code, title: 'Not an identity file', message: 'This is not a .p12 or .pfx identity file, or it is damaged (an incomplete download?). Choose the .p12/.pfx file your certificate authority gave you, or download it again.' };
    case 'damaged-file':
      // The store's sentence names the PKCS#12 part that broke; a person needs what happened and what to do.
      return { code, title: 'The file is damaged', message: 'Some of its bytes are missing or changed (an incomplete download, a damaged disk or attachment). Download it again, or export it again from where it was made; the passphrase is not the problem.' };
    case 'malformed-asn1':
      return { code, title: 'The file is damaged', message: `${message} Download it again, or export it again from where it was made; the passphrase is not the problem.` };
    case 'limit-exceeded':
      // A work budget (key-derivation rounds, nesting), not damage: say which and how to get a usable file.
      return { code, title: 'Cannot import this file', message: `${message} Export the identity again with your mail program's or openssl's default settings.` };
    case 'key-mismatch':
      return { code, title: 'Key and certificate do not match', message: 'The private key in the file does not belong to the certificate in it. Export the identity again from where it was made.' };
    case 'unsupported-algorithm':
      return { code, title: 'Not supported', message: `${message} Export the identity again with current settings (AES and PBKDF2), for example from Windows or with openssl.` };
    case 'storage':
      return { code, title: 'Could not store the key', message: `${message} Check that this browser keeps site data for Outlook, then import again.` };
    default:
      return { code, title: 'Not imported', message };
  }
}

/** "1 certificate", "2 certificates". */
function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

const USES: Record<string, string> = { both: 'Sign and encrypt', sign: 'Sign only', encrypt: 'Encrypt only', none: 'Neither' };

function usesLabel(uses: { sign: boolean; encrypt: boolean }): string {
  return USES[uses.sign && uses.encrypt ? 'both' : uses.sign ? 'sign' : uses.encrypt ? 'encrypt' : 'none']!;
}

interface Model {
  keyring: Keyring;
  identities: IdentitySummary[];
  certificates: AddressCertificates[];
}

export function SettingsView({ engine, keyring }: SettingsViewProps): ReactElement {
  const s = useStyles();
  const [model, setModel] = useState<Model | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);

  const reload = useCallback(async (): Promise<void> => {
    try {
      const k = await keyring();
      if (!k.store) {
        setModel({ keyring: k, identities: [], certificates: [] });
        return;
      }
      const [identities, certificates] = await Promise.all([k.store.identities.list(), k.store.certificates.list()]);
      setModel({ keyring: k, identities, certificates });
    } catch (e) {
      setLoadError(errorText(e).message);
    }
  }, [keyring]);

  useEffect(() => {
    void reload();
    let unsubscribe: (() => void)[] = [];
    void keyring().then((k) => {
      if (!k.store) return;
      unsubscribe = [k.store.identities.onChange(() => void reload()), k.store.certificates.onChange(() => void reload())];
    });
    return () => unsubscribe.forEach((u) => u());
  }, [keyring, reload]);

  if (loadError) return <Text role="alert">Keys could not be loaded: {loadError}</Text>;
  if (!model) return <Spinner size="small" label="Loading your keys…" />;
  const store = model.keyring.store;

  return (
    <section className={s.root} aria-labelledby="settings-heading" data-testid="settings">
      <h2 id="settings-heading" className={s.h2}>
        Keys &amp; certificates
      </h2>
      <WhereKeysLive />
      {!store ? (
        <MessageBar intent="error">
          <MessageBarBody data-testid="storage-error">{model.keyring.storeError ?? 'Keys cannot be kept in this browser.'}</MessageBarBody>
        </MessageBar>
      ) : (
        <>
          <section className={s.section} aria-labelledby="identities-heading">
            <h3 id="identities-heading" className={s.h3}>
              Your identities
            </h3>
            {model.keyring.sessionIdentities.length > 0 && (
              <Caption1 className={s.muted} data-testid="session-identities">
                {model.keyring.sessionIdentities.length === 1 ? 'One key is' : `${model.keyring.sessionIdentities.length} keys are`} also loaded for this
                session only and not stored (the workbench&rsquo;s demo key, or a PEM key file).
              </Caption1>
            )}
            {model.identities.length === 0 ? (
              <Text className={s.muted} data-testid="no-identities">
                No identity yet: import the .p12 or .pfx file your certificate authority (or Windows, macOS, Firefox) gave you.
              </Text>
            ) : (
              model.identities.map((id) => <IdentityCard key={id.id} identity={id} model={model} engine={engine} onChanged={reload} />)
            )}
            <ImportIdentity engine={engine} keyring={model.keyring} onImported={reload} />
          </section>
          <section className={s.section} aria-labelledby="certificates-heading">
            <h3 id="certificates-heading" className={s.h3}>
              Correspondents&rsquo; certificates
            </h3>
            <Caption1 className={s.muted}>
              Signet saves a sender&rsquo;s certificate when their signed message checks out (valid signature, trusted authority, matching sender)
              {store.certificates.hasOrganisationDirectory ? ', and asks your organisation’s directory for others' : ''}. You can also import one.
            </Caption1>
            {model.certificates.length === 0 ? (
              <Text className={s.muted} data-testid="no-certificates">
                None yet.
              </Text>
            ) : (
              model.certificates.map((a) => <AddressCard key={a.address} entry={a} model={model} />)
            )}
            <ImportCertificates keyring={model.keyring} onImported={reload} />
          </section>
        </>
      )}
    </section>
  );
}

function WhereKeysLive(): ReactElement {
  const s = useStyles();
  return (
    <>
      <MessageBar intent="info">
        <MessageBarBody data-testid="where-keys-live">
          Your keys are kept in this browser or Outlook profile only, as keys that no script can read back. Outlook on the web, the new Outlook
          for Windows, classic Outlook and Outlook for Mac do not share this storage: import your .p12 in each Outlook you use. Clearing this
          browser&rsquo;s site data removes them.
        </MessageBarBody>
      </MessageBar>
      <details>
        <summary>How to import on each Outlook</summary>
        <ul className={s.list}>
          <li>Outlook on the web: open any message, open Signet, choose Keys &amp; certificates, import your .p12. Repeat in each browser or browser profile.</li>
          <li>New Outlook for Windows: the same steps inside new Outlook; it keeps its own storage.</li>
          <li>Classic Outlook for Windows: the same steps in classic Outlook&rsquo;s Signet pane; its storage is separate from your browser&rsquo;s.</li>
          <li>Outlook for Mac: the same steps in Outlook for Mac.</li>
        </ul>
        <Caption1>
          Messages encrypted to you with the older RSA PKCS#1 v1.5 method need your passphrase once per session (offered when you import, or under
          the identity): WebCrypto cannot do
          that operation with a locked key. Signet keeps that key only encrypted under your passphrase, which it never stores, and unlocks it inside a
          separate worker that this page cannot read.
        </Caption1>
      </details>
    </>
  );
}

function ImportIdentity({ engine, keyring, onImported }: { engine: () => Promise<Engine>; keyring: Keyring; onImported: () => Promise<void> }): ReactElement {
  const s = useStyles();
  const [file, setFile] = useState<File | null>(null);
  const [pass, setPass] = useState('');
  const [unlockToo, setUnlockToo] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: true; text: string } | { ok: false; code: string; title: string; text: string } | null>(null);

  const submit = async (ev: FormEvent): Promise<void> => {
    ev.preventDefault();
    if (!file) {
      setResult({ ok: false, code: 'usage', title: 'No file chosen', text: 'Choose your .p12 or .pfx file first, then Import.' });
      return;
    }
    setBusy(true);
    setResult(null);
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      const e = await engine();
      const before = new Set((await keyring.store?.identities.list().catch(() => []))?.map((i) => i.id) ?? []);
      const n = await e.importIdentity(keyring, bytes, pass);
      bytes.fill(0);
      let unlocked = 0;
      if (unlockToo && pass !== '' && keyring.store) {
        // The same passphrase unlocks the RSA keys this import added for older (PKCS#1 v1.5) mail, this session only.
        for (const id of await keyring.store.identities.list()) {
          if (id.pkcs1 !== 'locked' || before.has(id.id)) continue;
          unlocked += await keyring.store.identities.unlock(id.id, pass).then(
            () => 1,
            () => 0,
          );
        }
      }
      const what = n === 1 ? 'your identity' : count(n, 'identity', 'identities');
      setResult({
        ok: true,
        text: `Imported ${what} from ${file.name}. The passphrase was not stored.${unlocked > 0 ? ' Older RSA-encrypted messages can be read until this pane closes.' : ''}`,
      });
      setFile(null);
      await onImported();
    } catch (e) {
      const { code, title, message } = importErrorText(e);
      setResult({ ok: false, code, title, text: message });
    } finally {
      setPass('');
      setBusy(false);
    }
  };

  return (
    <form className={s.form} onSubmit={(ev) => void submit(ev)} aria-labelledby="import-identity-heading" data-testid="import-identity">
      <span id="import-identity-heading" className={s.h3}>
        Import an identity (.p12, .pfx)
      </span>
      <Field label="Identity file" hint=".p12 or .pfx with your private key">
        {(fieldProps) => (
          <FilePicker
            label="Choose file…"
            accept=".p12,.pfx,application/x-pkcs12"
            chosen={file?.name ?? null}
            onFile={(f) => {
              setFile(f);
              setResult(null);
            }}
            testId="identity-file"
            inputLabel="Identity file (.p12 or .pfx)"
            fieldProps={fieldProps}
          />
        )}
      </Field>
      <Field label="Passphrase (not stored)">
        <Input type="password" value={pass} onChange={(_e, d) => setPass(d.value)} data-testid="identity-passphrase" autoComplete="off" />
      </Field>
      <Checkbox
        checked={unlockToo}
        onChange={(_e, d) => setUnlockToo(d.checked === true)}
        data-testid="identity-unlock-too"
        label="Also read older RSA-encrypted mail now. Some mail programs still encrypt with an older RSA method; reading it needs this passphrase once per session (kept only until this pane closes)."
      />
      <div className={s.row}>
        <Button type="submit" appearance="primary" disabled={busy} data-testid="identity-import">
          {busy ? 'Importing…' : 'Import'}
        </Button>
      </div>
      {result &&
        (result.ok ? (
          <MessageBar intent="success" layout="multiline">
            <MessageBarBody role="status" data-testid="identity-import-result">
              {result.text}
            </MessageBarBody>
          </MessageBar>
        ) : (
          <MessageBar intent="error" layout="multiline">
            <MessageBarBody role="alert" data-testid="identity-import-error" data-code={result.code}>
              <MessageBarTitle>{result.title}</MessageBarTitle>
              {result.text}
            </MessageBarBody>
          </MessageBar>
        ))}
    </form>
  );
}

function IdentityCard({ identity, model, engine, onChanged }: { identity: IdentitySummary; model: Model; engine: () => Promise<Engine>; onChanged: () => Promise<void> }): ReactElement {
  const s = useStyles();
  const store = model.keyring.store!;
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [pass, setPass] = useState('');
  const [message, setMessage] = useState<{ alert: boolean; text: string } | null>(null);
  const [check, setCheck] = useState<SelfTestResult | 'running' | null>(null);
  const title = identity.name ?? identity.addresses[0] ?? identity.subject;

  const act = async (run: () => Promise<void>, done?: string): Promise<void> => {
    setMessage(null);
    try {
      await run();
      if (done) setMessage({ alert: false, text: done });
      await onChanged();
    } catch (e) {
      const { code, message: text } = errorText(e);
      setMessage({ alert: true, text: code === 'bad-passphrase' ? 'The passphrase is wrong: type the passphrase of this identity\u2019s .p12 file (the one you typed to import it).' : text });
    }
  };

  const setDefault = (address: string, purpose: Purpose, on: boolean): Promise<void> =>
    act(() => store.identities.setDefault(address, purpose, on ? identity.id : null));

  return (
    <article className={s.card} aria-label={`Identity ${title}`} data-testid="identity" data-id={identity.id}>
      <Text weight="semibold">{title}</Text>
      <div className={s.badges}>
        <Badge appearance="tint" color={identity.uses.sign || identity.uses.encrypt ? 'brand' : 'danger'} data-testid="identity-uses">
          {usesLabel(identity.uses)}
        </Badge>
        {identity.validity !== 'ok' && (
          <Badge appearance="tint" color="danger">
            {identity.validity === 'expired' ? 'Expired' : 'Not valid yet'}
          </Badge>
        )}
      </div>
      <dl className={s.facts}>
        <dt className={s.dt}>Address</dt>
        <dd className={s.dd} data-testid="identity-addresses">
          {identity.addresses.join(', ')}
        </dd>
        <dt className={s.dt}>Issuer</dt>
        <dd className={s.dd}>{identity.issuer}</dd>
        <dt className={s.dt}>Valid</dt>
        <dd className={s.dd}>
          {formatDateTime(identity.notBefore)} – {formatDateTime(identity.notAfter)}
        </dd>
        <dt className={s.dt}>Key</dt>
        <dd className={s.dd}>{identity.keyAlgorithm}</dd>
        <dt className={s.dt}>SHA-256</dt>
        <dd className={s.dd} data-testid="identity-fingerprint">
          {formatFingerprint(identity.sha256)}
        </dd>
      </dl>
      <fieldset style={{ border: 'none', padding: 0, margin: 0 }}>
        <legend className={s.dt}>Use by default when sending as</legend>
        {identity.addresses.flatMap((address) =>
          (['sign', 'encrypt'] as const)
            .filter((p) => identity.uses[p])
            .map((p) => (
              <Checkbox
                key={`${address}/${p}`}
                label={`${p === 'sign' ? 'Signing' : 'Encryption'} as ${address}`}
                checked={identity.defaultFor[p].includes(address)}
                data-testid={`default-${p}`}
                onChange={(_e, d) => void setDefault(address, p, d.checked === true)}
              />
            )),
        )}
      </fieldset>
      <Pkcs1Unlock identity={identity} pass={pass} setPass={setPass} act={act} model={model} />
      <div className={s.row}>
        <Button
          size="small"
          data-testid="identity-check"
          onClick={() => {
            setCheck('running');
            void engine()
              .then((e) => e.checkIdentity(model.keyring, identity.id))
              .then(setCheck, (e: unknown) => {
                setCheck(null);
                setMessage({ alert: true, text: errorText(e).message });
              });
          }}
        >
          Check this key
        </Button>
        <Button
          size="small"
          data-testid="identity-export"
          onClick={() => void act(async () => saveFile(await store.identities.exportCertificate(identity.id), `${identity.addresses[0] ?? 'certificate'}.cer`, 'application/pkix-cert'))}
        >
          Export certificate (.cer)
        </Button>
        {confirmDelete ? (
          <>
            <Button size="small" appearance="primary" data-testid="identity-delete-confirm" onClick={() => void act(() => store.identities.remove(identity.id))}>
              Delete this identity and its key
            </Button>
            <Button size="small" onClick={() => setConfirmDelete(false)}>
              Keep it
            </Button>
          </>
        ) : (
          <Button size="small" data-testid="identity-delete" onClick={() => setConfirmDelete(true)}>
            Delete…
          </Button>
        )}
      </div>
      {check === 'running' && <Spinner size="tiny" label="Checking…" />}
      {check && check !== 'running' && <CheckResult result={check} />}
      {message &&
        (message.alert ? (
          <MessageBar intent="error" layout="multiline">
            <MessageBarBody role="alert" data-testid="identity-message">
              {message.text}
            </MessageBarBody>
          </MessageBar>
        ) : (
          <Text role="status" data-testid="identity-message">
            {message.text}
          </Text>
        ))}
    </article>
  );
}

function Pkcs1Unlock({
  identity,
  pass,
  setPass,
  act,
  model,
}: {
  identity: IdentitySummary;
  pass: string;
  setPass: (v: string) => void;
  act: (run: () => Promise<void>, done?: string) => Promise<void>;
  model: Model;
}): ReactElement | null {
  const s = useStyles();
  const store = model.keyring.store!;
  switch (identity.pkcs1) {
    case 'not-applicable':
      return null;
    case 'unavailable':
      return (
        <Caption1 data-testid="pkcs1-state" data-state="unavailable">
          Older RSA PKCS#1 v1.5 messages cannot be read with this key: it was imported without a passphrase, so Signet kept no protected copy. Import the
          .p12 again with a passphrase.
        </Caption1>
      );
    case 'unlocked':
      return (
        <div className={s.row}>
          <Caption1 data-testid="pkcs1-state" data-state="unlocked">
            Unlocked for this session: older RSA PKCS#1 v1.5 messages can be read.
          </Caption1>
          <Button size="small" data-testid="identity-lock" onClick={() => void act(async () => store.identities.lock(identity.id))}>
            Lock
          </Button>
        </div>
      );
    case 'locked':
      // Offered at import; here only on request (the read pane says when a message needs it), not as a
      // passphrase field on every identity.
      return <LockedPkcs1 identity={identity} pass={pass} setPass={setPass} act={act} store={store} />;
  }
}

function LockedPkcs1({
  identity,
  pass,
  setPass,
  act,
  store,
}: {
  identity: IdentitySummary;
  pass: string;
  setPass: (v: string) => void;
  act: (run: () => Promise<void>, done?: string) => Promise<void>;
  store: NonNullable<Keyring['store']>;
}): ReactElement {
  const s = useStyles();
  const [open, setOpen] = useState(false);
  if (!open) {
    return (
      <div className={s.row}>
        <Button size="small" appearance="subtle" onClick={() => setOpen(true)} data-testid="identity-unlock-open">
          Read older RSA-encrypted mail…
        </Button>
        <span data-testid="pkcs1-state" data-state="locked" hidden />
      </div>
    );
  }
  return (
    <form
      className={s.row}
      onSubmit={(ev) => {
        ev.preventDefault();
        const p = pass;
        setPass('');
        void act(() => store.identities.unlock(identity.id, p), 'Unlocked until this pane closes.');
      }}
    >
      <Field label="Passphrase of this identity" hint="Some mail programs encrypt with an older RSA method; reading it needs the passphrase once per session. Not stored.">
        <Input type="password" value={pass} onChange={(_e, d) => setPass(d.value)} data-testid="unlock-passphrase" autoComplete="off" />
      </Field>
      <Button type="submit" size="small" data-testid="identity-unlock">
        Unlock
      </Button>
      <span data-testid="pkcs1-state" data-state="locked" hidden />
    </form>
  );
}

function outcomeText(what: string, o: CheckOutcome): string {
  if (o.status === 'ok') return `${what}: works`;
  if (o.status === 'not-allowed') return `${what}: not allowed by this certificate`;
  return `${what}: ${o.error.code === 'key-locked' ? 'needs Unlock' : `failed (${o.error.message})`}`;
}

function CheckResult({ result }: { result: SelfTestResult }): ReactElement {
  return (
    <Text role="status" data-testid="identity-check-result" data-sign={result.sign.status} data-decrypt={result.decrypt.status} data-pkcs1={result.decryptPkcs1.status}>
      {[outcomeText('Signing', result.sign), outcomeText('Decryption', result.decrypt), ...(result.decryptPkcs1.status === 'not-allowed' ? [] : [outcomeText('Older RSA PKCS#1 v1.5 decryption', result.decryptPkcs1)])].join(' · ')}
    </Text>
  );
}

const SOURCES: Record<string, string> = { message: 'from a signed message', file: 'imported', directory: "from your organisation's directory" };

function CertificateFacts({ c }: { c: RecipientCertificate }): ReactElement {
  const s = useStyles();
  const gcm = c.capabilities?.some((x) => /GCM/i.test(x));
  return (
    <dl className={s.facts}>
      <dt className={s.dt}>Issuer</dt>
      <dd className={s.dd}>{c.issuer}</dd>
      <dt className={s.dt}>Valid until</dt>
      <dd className={s.dd}>{formatDateTime(c.notAfter)}</dd>
      <dt className={s.dt}>SHA-256</dt>
      <dd className={s.dd}>{formatFingerprint(c.sha256)}</dd>
      <dt className={s.dt}>Source</dt>
      <dd className={s.dd}>{c.sources.map((x) => SOURCES[x] ?? x).join(', ')}</dd>
      {c.capabilities && (
        <>
          <dt className={s.dt}>Their client</dt>
          <dd className={s.dd}>{gcm ? 'reads AES-GCM (tamper-evident encryption)' : 'reads AES-CBC'}</dd>
        </>
      )}
    </dl>
  );
}

function AddressCard({ entry, model }: { entry: AddressCertificates; model: Model }): ReactElement {
  const s = useStyles();
  const store = model.keyring.store!;
  const [error, setError] = useState<string | null>(null);
  const remove = (id: string): void => {
    setError(null);
    void store.certificates.remove(id).catch((e: unknown) => setError(errorText(e).message));
  };
  return (
    <article className={s.card} aria-label={`Certificates for ${entry.address}`} data-testid="recipient" data-address={entry.address} data-ready={entry.chosen ? 'yes' : 'no'}>
      <div className={s.row}>
        <Text weight="semibold">{entry.address}</Text>
        <Badge appearance="tint" color={entry.chosen ? 'success' : 'warning'} data-testid="recipient-state">
          {entry.chosen ? 'Ready for encryption' : 'Cannot encrypt'}
        </Badge>
      </div>
      {entry.chosen && (
        <>
          <CertificateFacts c={entry.chosen} />
          <div className={s.row}>
            <Button size="small" onClick={() => remove(entry.chosen!.id)} aria-label={`Remove the certificate for ${entry.address}`}>
              Remove
            </Button>
          </div>
        </>
      )}
      {[...entry.superseded, ...entry.rejected].map((c) => (
        <div key={c.id} className={s.row} data-testid="recipient-unused">
          <Caption1>
            Not used ({c.problem ? c.reason : `a newer certificate is used; this one is valid until ${formatDateTime(c.notAfter)}`}) — SHA-256 {formatFingerprint(c.sha256).slice(0, 23)}…
          </Caption1>
          <Button size="small" onClick={() => remove(c.id)} aria-label={`Remove an unused certificate for ${entry.address}`}>
            Remove
          </Button>
        </div>
      ))}
      {error && (
        <MessageBar intent="error" layout="multiline">
          <MessageBarBody role="alert">{error} Try again, or reload the pane.</MessageBarBody>
        </MessageBar>
      )}
    </article>
  );
}

function ImportCertificates({ keyring, onImported }: { keyring: Keyring; onImported: () => Promise<void> }): ReactElement {
  const s = useStyles();
  const [result, setResult] = useState<CertificateChange | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [chosen, setChosen] = useState<string | null>(null);
  const summary = useMemo(
    () => result && `${count(result.stored.length, 'certificate', 'certificates')} saved${result.refused.length > 0 ? `, ${result.refused.length} refused` : ''}.`,
    [result],
  );
  const onFile = async (file: File): Promise<void> => {
    setError(null);
    setResult(null);
    setChosen(file.name);
    try {
      const r = await keyring.store!.certificates.importCertificates(new Uint8Array(await file.arrayBuffer()));
      setResult(r);
      await onImported();
    } catch (e) {
      setError(`${file.name} cannot be read as a certificate: ${errorText(e).message} Choose a .cer, .pem or .p7c file (the one your correspondent sent), or ask them to send it again.`);
    }
  };
  return (
    <div className={s.form} data-testid="import-certificates">
      <Field label="Import a correspondent's certificate" hint=".cer, .crt, .pem, .p7b or .p7c; it must be issued by an authority you trust">
        {(fieldProps) => (
          <FilePicker
            label="Choose file…"
            accept=".cer,.crt,.der,.pem,.p7b,.p7c"
            chosen={chosen}
            onFile={(f) => void onFile(f)}
            testId="certificate-file"
            inputLabel="Correspondent's certificate file"
            fieldProps={fieldProps}
          />
        )}
      </Field>
      {result && (
        <MessageBar intent={result.refused.length > 0 ? (result.stored.length > 0 ? 'warning' : 'error') : 'success'} layout="multiline">
          <MessageBarBody role="status" data-testid="certificate-import-result">
            <MessageBarTitle>{summary}</MessageBarTitle>
            <ul className={s.list}>
              {result.stored.map((c) => (
                <li key={c.id}>Saved for {c.addresses.join(', ')}.</li>
              ))}
              {result.refused.map((c, i) => (
                <li key={`${c.sha256 ?? i}`} data-testid="certificate-refused" data-problem={c.problem}>
                  Refused{c.addresses.length ? ` (${c.addresses.join(', ')})` : c.subject ? ` (${c.subject})` : ''}: {c.reason}
                </li>
              ))}
            </ul>
          </MessageBarBody>
        </MessageBar>
      )}
      {error && (
        <MessageBar intent="error" layout="multiline">
          <MessageBarBody role="alert" data-testid="certificate-import-error">
            <MessageBarTitle>Not imported</MessageBarTitle>
            {error}
          </MessageBarBody>
        </MessageBar>
      )}
    </div>
  );
}
