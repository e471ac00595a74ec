// The compose pane: Sign and Encrypt for the message being written, what the organisation policy requires
// (locked on, with the reason), the recipients' readiness for encryption with the fix in each row ("Add
// certificate", "Ask for it"), and "Sign & Send" / "Encrypt & Send". The choice lives on the item
// (sessionData `signet-protection`, events/guard.ts), where the ribbon's toggles and the send handler read
// it, so it survives closing and reopening the pane; who decided each switch (a default or the sender) is
// kept beside it (compose/defaults.ts CHOICE_KEY), so a default never overrides the sender. The crypto comes
// from the lazily loaded compose-engine chunk. This pane never sends a message unprotected: its only send
// is the protected one.

import { useCallback, useEffect, useRef, useState, type DragEvent, type ReactElement } from 'react';
import { Button, Caption1, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle, Spinner, Switch, Text, makeStyles, tokens } from '@fluentui/react-components';
import { CertificateRegular, CheckmarkCircleFilled, MailArrowForwardRegular } from '@fluentui/react-icons';
import { isSignetError } from '../../core/errors.js';
import { domainKey } from '../../core/idn.js';
import { getComposeFrom, getComposeRecipients, getSessionValue, mailboxSupports, onRecipientsChanged, setSessionValue, signedInUser } from '../../outlook/office.js';
import { surfaceSupport } from '../../outlook/requirements.js';
import { PROTECTION_KEY, parseProtection, policyRequirement, serializeProtection, type ProtectionState, type Requirement } from '../../events/guard.js';
import { CHOICE_KEY, applyDefaults, parseChoice, serializeChoice, unsignedEncryption, type ProtectionChoice, type ReadinessFacts } from '../../compose/defaults.js';
import type { Keyring } from '../engine.js';
import { HideSubjectSwitch } from './hide-subject-switch.js';
import type * as ComposeEngineModule from '../compose-engine.js';
import type { PaneReadiness, PaneSendResult, RecipientRow, SendStep } from '../compose-engine.js';
import { rememberSent } from './sent-notice.js';

type ComposeEngine = typeof ComposeEngineModule;

let composeEnginePromise: Promise<ComposeEngine> | null = null;
function composeEngine(): Promise<ComposeEngine> {
  composeEnginePromise ??= import(/* webpackChunkName: "compose-engine" */ '../compose-engine.js');
  return composeEnginePromise;
}

/** How long the confirmation shows in the pane before the sent message's form is closed. */
const CLOSE_AFTER_MS = 2500;

export interface ComposeViewProps {
  keyring: () => Promise<Keyring>;
  /** Opens "Keys & certificates" (to import one's own key). */
  openSettings: () => void;
}

const useStyles = makeStyles({
  section: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalS, minWidth: 0 },
  h2: { fontSize: tokens.fontSizeBase300, fontWeight: tokens.fontWeightSemibold, margin: 0 },
  list: { listStyleType: 'none', padding: 0, margin: 0, display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalXS },
  row: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalXS,
    padding: tokens.spacingVerticalXS,
    borderBottom: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    overflowWrap: 'anywhere',
  },
  dragover: { outline: `2px dashed ${tokens.colorBrandStroke1}`, backgroundColor: tokens.colorBrandBackground2 },
  ready: { color: tokens.colorPaletteGreenForeground1, fontWeight: tokens.fontWeightSemibold },
  missing: { color: tokens.colorPaletteDarkOrangeForeground1, fontWeight: tokens.fontWeightSemibold },
  buttons: { display: 'flex', columnGap: tokens.spacingHorizontalS, rowGap: tokens.spacingVerticalXS, flexWrap: 'wrap', alignItems: 'center' },
  sent: { fontSize: tokens.fontSizeBase400, fontWeight: tokens.fontWeightSemibold, lineHeight: tokens.lineHeightBase400, margin: 0 },
  request: { whiteSpace: 'pre-wrap', margin: 0, fontFamily: 'inherit', color: tokens.colorNeutralForeground2 },
});

type SendPhase =
  | { kind: 'idle' }
  | { kind: 'confirm-unsigned'; reason: 'sender-chose' | 'no-signing-key' }
  | { kind: 'sending'; step: SendStep }
  | { kind: 'sent'; result: PaneSendResult; closeFailed: boolean }
  | { kind: 'error'; code: string; message: string };

const STEP_TEXT: Record<SendStep, string> = {
  reading: 'Reading the message from Outlook…',
  protecting: 'Signing and encrypting…',
  sending: 'Sending…',
  'cleaning-up': 'Sent. Removing the draft…',
};

/** A heading per error the sender can act on; anything else is shown with its own message. */
const ERROR_TITLE: Record<string, string> = {
  'message-too-large': 'Too large to send protected',
  'missing-certificate': 'A recipient has no certificate',
  'no-signing-key': 'No signing key',
  'no-certificate': 'No certificate of your own',
  'send-failed': 'The mail server did not take the message',
  'send-throttled': 'The mail server is busy',
  'send-unauthorized': 'Not allowed to send',
  timeout: 'Sending took too long',
  'unsupported-attachment': 'An attachment cannot be included',
  usage: 'Not sent',
};

function describeError(e: unknown): { code: string; message: string } {
  if (isSignetError(e)) return { code: e.code, message: e.message };
  return { code: 'internal', message: e instanceof Error ? e.message : String(e) };
}

async function readRecipients(): Promise<string[]> {
  const lists = await Promise.all([getComposeRecipients('to'), getComposeRecipients('cc'), getComposeRecipients('bcc')]);
  const seen = new Set<string>();
  const out: string[] = [];
  for (const r of lists.flat()) {
    const a = (r.emailAddress ?? '').trim();
    if (a !== '' && !seen.has(a)) {
      seen.add(a);
      out.push(a);
    }
  }
  return out;
}

async function readFrom(): Promise<string> {
  const from = await getComposeFrom().catch(() => null);
  return from?.emailAddress?.trim() || signedInUser()?.email || '';
}

function requirementText(req: Requirement, which: 'sign' | 'encrypt'): string {
  if (which === 'sign') return 'Your organisation requires every message to be signed.';
  if (req.encryptDomains.length > 0) return `Your organisation requires encryption for mail to ${req.encryptDomains.join(', ')}.`;
  return 'Your organisation requires every message to be encrypted.';
}

/** The row's status words: "certificate ready", "no certificate", or what is wrong with the one Signet knows. */
const ROW_STATUS: Record<string, string> = {
  'no-certificate': 'no certificate',
  expired: 'certificate expired',
  'not-yet-valid': 'certificate not valid yet',
  revoked: 'certificate revoked',
  'revocation-unknown': 'revocation not checked',
  untrusted: 'certificate not trusted',
  'no-encryption-usage': 'certificate for signing only',
  'weak-key': 'certificate key too short',
  'unsupported-key': 'certificate key not supported',
  'invalid-address': 'not an e-mail address',
};

/**
 * The compose pane where this Outlook can run it; elsewhere one plain explanation of what is missing
 * (outlook/requirements.ts), with no toggle or button that could not keep its promise.
 */
export function ComposeView(props: ComposeViewProps): ReactElement {
  const [support] = useState(() => surfaceSupport('compose', mailboxSupports));
  if (!support.ok) {
    return (
      <MessageBar intent="error" data-testid="compose-unsupported">
        <MessageBarBody>
          <MessageBarTitle>Signet can&rsquo;t send from this Outlook</MessageBarTitle>
          {support.sentence} Messages you send here go out unsigned and unencrypted.
        </MessageBarBody>
      </MessageBar>
    );
  }
  return <ComposePane {...props} />;
}

function ComposePane({ keyring, openSettings }: ComposeViewProps): ReactElement {
  const s = useStyles();
  const [keys, setKeys] = useState<Keyring | null>(null);
  const [stored, setStored] = useState<ProtectionState>({ sign: false, encrypt: false });
  const [storedError, setStoredError] = useState<string | null>(null);
  const [recipients, setRecipients] = useState<string[]>([]);
  const [from, setFrom] = useState('');
  const [readiness, setReadiness] = useState<PaneReadiness | null>(null);
  const [checking, setChecking] = useState(false);
  const [phase, setPhase] = useState<SendPhase>({ kind: 'idle' });
  /** What a default just did, said once ("Encrypt is on: every recipient has a certificate."). */
  const [autoNote, setAutoNote] = useState<string | null>(null);
  const check = useRef(0);
  const latest = useRef(stored);
  latest.current = stored;
  // Who decided each switch; null until read from the item.
  const choice = useRef<ProtectionChoice | null>(null);
  // Writes of the setting in flight or done since a read started: that read's answer is stale.
  const writes = useRef({ started: 0, pending: 0 });
  // The sender confirmed "encrypted, not signed" once for this message.
  const unsignedConfirmed = useRef(false);

  const policyLoaded = keys !== null && !(keys.policy.source === 'defaults' && keys.policy.errors.some((e) => e.code === 'unreadable'));
  const requirement: Requirement | null = keys === null ? null : policyRequirement({ status: 'loaded', policy: keys.policy.policy }, { status: 'read', addresses: recipients }, domainKey);
  const want: ProtectionState = { sign: stored.sign || (requirement?.sign ?? false), encrypt: stored.encrypt || (requirement?.encrypt ?? false) };

  const writeChoice = useCallback(async (next: ProtectionChoice): Promise<void> => {
    choice.current = next;
    await setSessionValue(CHOICE_KEY, serializeChoice(next)).catch(() => undefined);
  }, []);

  /** Writes the switches to the item (where the guard and the ribbon read them). */
  const writeStored = useCallback(async (next: ProtectionState): Promise<void> => {
    latest.current = next;
    setStored(next);
    writes.current.started++;
    writes.current.pending++;
    try {
      await setSessionValue(PROTECTION_KEY, serializeProtection(next));
    } finally {
      writes.current.pending--;
    }
  }, []);

  const readStored = useCallback(async (): Promise<void> => {
    const at = writes.current.started;
    try {
      const [raw, rawChoice] = await Promise.all([getSessionValue(PROTECTION_KEY), choice.current === null ? getSessionValue(CHOICE_KEY) : Promise.resolve(null)]);
      const parsed = parseProtection(raw);
      if (writes.current.started !== at || writes.current.pending > 0) return;
      const first = choice.current === null;
      if (choice.current === null) {
        // Who made a setting found on the item without a record of it: OnNewMessageCompose stores the
        // policy's requirements as the item's first setting (events/handlers.ts), so a value equal to them is
        // still the defaults'; anything else came from the ribbon's Sign / Encrypt, so the sender's.
        const k = await keyring();
        const explicit = parseChoice(rawChoice);
        const p = k.policy.policy;
        const initial = parsed.status === 'set' && (parsed.value.sign !== p.signing.alwaysSign || parsed.value.encrypt !== (p.encryption.required === 'always'));
        choice.current = explicit ?? (initial ? { sign: 'user', encrypt: 'user' } : { sign: 'auto', encrypt: 'auto' });
      }
      if (parsed.status === 'unreadable') setStoredError(parsed.reason);
      else {
        setStoredError(null);
        const next = parsed.status === 'set' ? parsed.value : { sign: false, encrypt: false };
        const old = latest.current;
        if (old.sign !== next.sign || old.encrypt !== next.encrypt) {
          // Changed outside this pane after it read the item (the ribbon's Sign / Encrypt): the sender's choice from now on.
          const c = choice.current;
          if (!first) void writeChoice({ sign: old.sign !== next.sign ? 'user' : c.sign, encrypt: old.encrypt !== next.encrypt ? 'user' : c.encrypt });
          latest.current = next;
          setStored(next);
        }
      }
    } catch (e) {
      setStoredError(describeError(e).message);
    }
  }, [keyring, writeChoice]);

  /** Applies the defaults (compose/defaults.ts) to the switches a default still decides. */
  const applyAutomatic = useCallback(
    async (k: Keyring, answer: PaneReadiness, fixedInPlace: boolean): Promise<void> => {
      const c = choice.current;
      if (c === null || (c.sign === 'user' && c.encrypt === 'user')) return;
      const facts: ReadinessFacts = { canSign: answer.canSign, ownCertificate: answer.ownCertificate, recipients: answer.rows.length, missing: answer.rows.filter((r) => !r.ready).length };
      const old = latest.current;
      const next = applyDefaults(old, c, k.policy.policy.compose, facts, fixedInPlace);
      if (next.sign === old.sign && next.encrypt === old.encrypt) return;
      if (next.encrypt && !old.encrypt) setAutoNote('Encrypt is on: every recipient has a certificate.');
      else if (!next.encrypt && old.encrypt) setAutoNote('Encrypt is off: not every recipient has a certificate.');
      if (fixedInPlace && next.encrypt) await writeChoice({ ...c, encrypt: 'user' });
      await writeStored(next).catch((e: unknown) => setPhase({ kind: 'error', ...describeError(e) }));
    },
    [writeChoice, writeStored],
  );

  const refresh = useCallback(
    async (fixedInPlace = false): Promise<void> => {
      const mine = ++check.current;
      setChecking(true);
      try {
        const [k, f, r] = await Promise.all([keyring(), readFrom(), readRecipients()]);
        if (mine !== check.current) return;
        setKeys(k);
        setFrom(f);
        setRecipients(r);
        const engine = await composeEngine();
        const answer = await engine.paneReadiness(k, f, r);
        if (mine !== check.current) return;
        setReadiness(answer);
        await applyAutomatic(k, answer, fixedInPlace);
      } catch (e) {
        if (mine === check.current) setPhase({ kind: 'error', ...describeError(e) });
      } finally {
        if (mine === check.current) setChecking(false);
      }
    },
    [keyring, applyAutomatic],
  );

  useEffect(() => {
    void composeEngine(); // prefetch the crypto while the pane paints
    // The stored setting first: the defaults apply only to what the sender has not decided.
    void readStored()
      .then(() => refresh())
      .then(async () => {
        // Once the pane has shown who is ready: the send's byte handling, run once while nobody waits for it
        // (compose-engine.ts warmUp). Only ever a head start: a failure here changes nothing for the send.
        const engine = await composeEngine();
        const idle = (globalThis as { requestIdleCallback?: (cb: () => void) => void }).requestIdleCallback ?? ((cb: () => void) => setTimeout(cb, 0));
        idle(() => {
          try {
            engine.warmUp();
          } catch {
            // see above
          }
        });
      })
      .catch(() => undefined);
    void onRecipientsChanged(() => void refresh());
    // The ribbon's Sign / Encrypt buttons change the same sessionData key; Outlook raises no event for it.
    const timer = setInterval(() => void readStored(), 1500);
    const onFocus = (): void => void readStored();
    window.addEventListener('focus', onFocus);
    return () => {
      clearInterval(timer);
      window.removeEventListener('focus', onFocus);
    };
  }, [readStored, refresh]);

  const toggle = async (which: 'sign' | 'encrypt', on: boolean): Promise<void> => {
    // From the latest choice, not this render's: two quick clicks must not undo each other.
    const next = { ...latest.current, [which]: on };
    setAutoNote(null);
    await writeChoice({ ...(choice.current ?? { sign: 'auto', encrypt: 'auto' }), [which]: 'user' });
    try {
      await writeStored(next);
    } catch (e) {
      setPhase({ kind: 'error', ...describeError(e) });
    }
    void readStored();
  };

  const send = async (confirmedUnsigned = false): Promise<void> => {
    const k = keys ?? (await keyring());
    let protection = want;
    const c = choice.current ?? { sign: 'auto', encrypt: 'auto' };
    const decision = unsignedEncryption(protection, c, readiness?.canSign ?? false);
    if (decision.action === 'ask' && !confirmedUnsigned && !unsignedConfirmed.current) {
      setPhase({ kind: 'confirm-unsigned', reason: decision.reason });
      return;
    }
    if (decision.action === 'ask') unsignedConfirmed.current = true;
    if (decision.action === 'sign-too') {
      // Sign was off only by default: encrypted mail is signed too (RFC 8551 §3.6, sign then encrypt).
      protection = { ...protection, sign: true };
      await writeStored({ ...latest.current, sign: true }).catch(() => undefined);
    }
    setPhase({ kind: 'sending', step: 'reading' });
    try {
      const engine = await composeEngine();
      const result = await engine.sendFromPane(k, protection, (step) => setPhase({ kind: 'sending', step }), { from, recipients });
      rememberSent({ sentence: result.sentence, subject: result.subject, at: new Date().toISOString() });
      setPhase({ kind: 'sent', result, closeFailed: false });
      if (result.notes.length === 0) {
        // Long enough to read the confirmation; Outlook ends this pane with the form.
        setTimeout(() => {
          void engine.closeForm().then((closed) => {
            if (!closed) setPhase({ kind: 'sent', result, closeFailed: true });
          });
        }, CLOSE_AFTER_MS);
      }
    } catch (e) {
      setPhase({ kind: 'error', ...describeError(e) });
    }
  };

  const signAndSend = async (): Promise<void> => {
    await toggle('sign', true);
    await send(true);
  };

  const missing = readiness?.rows.filter((r) => !r.ready) ?? [];
  const sending = phase.kind === 'sending';
  const label = want.encrypt ? 'Encrypt & Send' : 'Sign & Send';
  const lockedSign = requirement?.sign === true;
  const lockedEncrypt = requirement?.encrypt === true;

  if (phase.kind === 'sent') return <SentConfirmation result={phase.result} closeFailed={phase.closeFailed} />;

  return (
    <div className={s.section} data-testid="compose-view" aria-busy={sending || checking}>
      {keys !== null && !policyLoaded && (
        <MessageBar intent="error">
          <MessageBarBody data-testid="policy-error">
            <MessageBarTitle>Organisation policy not loaded</MessageBarTitle>
            {keys.policy.errors[0]?.message} Outlook&rsquo;s Send stops every message until it loads; you can still send protected from here.
          </MessageBarBody>
        </MessageBar>
      )}
      {storedError !== null && (
        <MessageBar intent="warning">
          <MessageBarBody data-testid="stored-error">Signet could not read this message&rsquo;s setting ({storedError}). Choose Sign or Encrypt again.</MessageBarBody>
        </MessageBar>
      )}

      <section className={s.section} aria-labelledby="protection-heading">
        <h2 id="protection-heading" className={s.h2}>
          Protection
        </h2>
        <Switch
          label="Sign"
          checked={want.sign}
          disabled={lockedSign || sending}
          onChange={(_e, d) => void toggle('sign', d.checked)}
          data-testid="toggle-sign"
          data-locked={lockedSign ? 'yes' : 'no'}
          aria-describedby={lockedSign ? 'sign-locked' : undefined}
        />
        {lockedSign && requirement && (
          <Caption1 id="sign-locked" data-testid="sign-locked-reason">
            {requirementText(requirement, 'sign')}
          </Caption1>
        )}
        <Switch
          label="Encrypt"
          checked={want.encrypt}
          disabled={lockedEncrypt || sending}
          onChange={(_e, d) => void toggle('encrypt', d.checked)}
          data-testid="toggle-encrypt"
          data-locked={lockedEncrypt ? 'yes' : 'no'}
          aria-describedby={lockedEncrypt ? 'encrypt-locked' : undefined}
        />
        {lockedEncrypt && requirement && (
          <Caption1 id="encrypt-locked" data-testid="encrypt-locked-reason">
            {requirementText(requirement, 'encrypt')}
          </Caption1>
        )}
        <HideSubjectSwitch defaults={keys?.policy.policy.headerProtection ?? null} encrypt={want.encrypt} disabled={sending} />
        {autoNote !== null && (
          <Caption1 role="status" data-testid="auto-note">
            {autoNote}
          </Caption1>
        )}
        {readiness && !readiness.canSign && (
          <MessageBar intent={want.sign ? 'error' : 'warning'}>
            <MessageBarBody data-testid="no-signing-key">
              <MessageBarTitle>No signing key</MessageBarTitle>
              You have no signing key for {from || 'your address'} in this Outlook, so Signet cannot sign. Import your .p12 file under Keys &amp; certificates.
            </MessageBarBody>
            <MessageBarActions>
              <Button size="small" onClick={openSettings} data-testid="open-keys">
                Import
              </Button>
            </MessageBarActions>
          </MessageBar>
        )}
      </section>

      <section className={s.section} aria-labelledby="readiness-heading" data-testid="readiness" data-state={checking ? 'checking' : 'done'}>
        <h2 id="readiness-heading" className={s.h2}>
          Recipients {want.encrypt ? '' : '(for encryption)'}
        </h2>
        {recipients.length === 0 && <Caption1>Add recipients to see who Signet can encrypt to.</Caption1>}
        {missing.length > 0 && (
          <Caption1 data-testid="readiness-advice">
            {missing.length === 1 ? '1 recipient has no certificate' : `${missing.length} recipients have no certificate`}
            {want.encrypt ? ', so Signet cannot encrypt to them yet' : ''}. Add it below (a .cer, .pem or .p7c file they gave you), or ask for it: a signed
            request lets them reply signed, and Signet learns their certificate when you open the reply.
          </Caption1>
        )}
        <ul className={s.list} aria-live="polite">
          {readiness?.rows.map((r) => (
            <RecipientItem
              key={r.address}
              row={r}
              from={from}
              keys={keys}
              disabled={sending}
              onAdded={() => refresh(true)}
            />
          ))}
        </ul>
        {checking && <Spinner size="tiny" label="Checking certificates…" />}
        {readiness && want.encrypt && !readiness.ownCertificate && (
          <Text role="alert" data-testid="no-own-certificate">
            You have no certificate of your own for {from || 'your address'}: Signet needs one to keep a readable copy in Sent Items. Import your .p12 file under Keys &amp; certificates.
          </Text>
        )}
      </section>

      <section className={s.section} aria-labelledby="send-heading">
        <h2 id="send-heading" className={s.h2}>
          Send
        </h2>
        {phase.kind === 'confirm-unsigned' ? (
          <MessageBar intent="warning" layout="multiline">
            <MessageBarBody data-testid="confirm-unsigned" data-reason={phase.reason}>
              <MessageBarTitle>Send encrypted but not signed?</MessageBarTitle>
              {phase.reason === 'no-signing-key'
                ? 'You have no signing key here. '
                : 'You switched Sign off. '}
              Without a signature the recipients cannot tell the message is from you, and they cannot tell whether it was changed on the way.
            </MessageBarBody>
            <MessageBarActions>
              {phase.reason === 'sender-chose' && (
                <Button size="small" appearance="primary" onClick={() => void signAndSend()} data-testid="confirm-sign-too">
                  Sign it too
                </Button>
              )}
              <Button size="small" onClick={() => void send(true)} data-testid="confirm-send-unsigned">
                Send unsigned
              </Button>
            </MessageBarActions>
          </MessageBar>
        ) : (
          <div className={s.buttons}>
            <Button appearance="primary" disabled={sending || (!want.sign && !want.encrypt)} onClick={() => void send()} data-testid="send-protected">
              {label}
            </Button>
            {!want.sign && !want.encrypt && <Caption1>Turn on Sign or Encrypt to send from here.</Caption1>}
          </div>
        )}
        {phase.kind === 'sending' && <Spinner size="small" label={STEP_TEXT[phase.step]} data-testid="send-progress" data-step={phase.step} />}
        {phase.kind === 'error' && (
          <MessageBar intent="error" layout="multiline">
            <MessageBarBody data-testid="send-error" data-code={phase.code}>
              <MessageBarTitle>{ERROR_TITLE[phase.code] ?? 'Not sent'}</MessageBarTitle>
              <span role="alert">{phase.message}</span> Nothing was sent unprotected.
            </MessageBarBody>
          </MessageBar>
        )}
      </section>
    </div>
  );
}

/** After sending: what left and to whom, unmistakably, until the form closes (and in the read pane after). */
function SentConfirmation({ result, closeFailed }: { result: PaneSendResult; closeFailed: boolean }): ReactElement {
  const s = useStyles();
  return (
    <div className={s.section} data-testid="compose-view">
      <MessageBar intent="success" layout="multiline" icon={<CheckmarkCircleFilled />}>
        <MessageBarBody data-testid="send-done" data-what={result.what} data-recipients={result.recipients}>
          <Text as="p" block className={s.sent} role="status">
            {result.sentence}
          </Text>
          {result.subject ? <Caption1 block>Subject: &ldquo;{result.subject}&rdquo;</Caption1> : null}
        </MessageBarBody>
      </MessageBar>
      {(closeFailed || result.notes.length > 0) && (
        <MessageBar intent="warning" layout="multiline">
          <MessageBarBody data-testid="send-notes">
            {[...result.notes, ...(closeFailed ? ['Close this draft without saving it; do not press Outlook\u2019s Send.'] : [])].join(' ')}
          </MessageBarBody>
        </MessageBar>
      )}
      {!closeFailed && result.notes.length === 0 && <Caption1>This message closes by itself in a moment.</Caption1>}
    </div>
  );
}

type RowState = { kind: 'idle' } | { kind: 'busy'; what: string } | { kind: 'refused'; code: string; reason: string } | { kind: 'asking' } | { kind: 'asked' };

/** One recipient with its readiness and, when not ready, the fix right there: "Add certificate" (pick or drop a file) and "Ask for it". */
function RecipientItem({ row, from, keys, disabled, onAdded }: { row: RecipientRow; from: string; keys: Keyring | null; disabled: boolean; onAdded: () => Promise<void> }): ReactElement {
  const s = useStyles();
  const [state, setState] = useState<RowState>({ kind: 'idle' });
  const [dragover, setDragover] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const id = `row-${row.address.replace(/[^a-z0-9]/gi, '-')}`;

  const add = async (file: File): Promise<void> => {
    if (keys === null) return;
    setState({ kind: 'busy', what: `Checking ${file.name}…` });
    const engine = await composeEngine();
    const r = await engine.addRecipientCertificate(keys, row.address, new Uint8Array(await file.arrayBuffer()));
    if (r.ok) {
      setState({ kind: 'idle' });
      await onAdded();
    } else setState({ kind: 'refused', code: r.code, reason: r.reason });
  };

  const ask = async (): Promise<void> => {
    if (keys === null) return;
    setState({ kind: 'busy', what: 'Sending the signed request…' });
    try {
      const engine = await composeEngine();
      await engine.sendCertificateRequest(keys, from, row.address);
      setState({ kind: 'asked' });
    } catch (e) {
      const { code, message } = describeError(e);
      setState({ kind: 'refused', code, reason: `The request was not sent: ${message}` });
    }
  };

  const onDrop = (ev: DragEvent<HTMLLIElement>): void => {
    ev.preventDefault();
    ev.stopPropagation();
    setDragover(false);
    const f = ev.dataTransfer.files[0];
    if (f && !row.ready) void add(f);
  };

  return (
    <li
      className={`${s.row} ${dragover ? s.dragover : ''}`}
      data-testid="readiness-row"
      data-address={row.address}
      data-ready={row.ready ? 'yes' : 'no'}
      aria-labelledby={`${id}-name`}
      onDragOver={(ev) => {
        if (row.ready) return;
        ev.preventDefault();
        ev.stopPropagation();
        setDragover(true);
      }}
      onDragLeave={() => setDragover(false)}
      onDrop={onDrop}
    >
      <span id={`${id}-name`}>
        {row.address}: <span className={row.ready ? s.ready : s.missing}>{row.ready ? 'certificate ready' : (ROW_STATUS[row.code ?? ''] ?? 'no certificate')}</span>
      </span>
      {!row.ready && row.code !== 'no-certificate' && row.reason && <Caption1>{row.reason}</Caption1>}
      {row.ready && row.revocation && <Caption1 data-testid="readiness-revocation">Revocation: {row.revocation}</Caption1>}
      {!row.ready && row.code !== 'invalid-address' && (
        <>
          <div className={s.buttons}>
            <Button size="small" icon={<CertificateRegular />} disabled={disabled || state.kind === 'busy'} onClick={() => input.current?.click()} data-testid="add-certificate" aria-describedby={`${id}-name`}>
              Add certificate
            </Button>
            <Button size="small" appearance="subtle" icon={<MailArrowForwardRegular />} disabled={disabled || state.kind === 'busy' || state.kind === 'asked'} onClick={() => setState({ kind: 'asking' })} data-testid="ask-for-it" aria-describedby={`${id}-name`}>
              Ask for it
            </Button>
            <input
              ref={input}
              type="file"
              hidden
              accept=".cer,.crt,.der,.pem,.p7b,.p7c,application/pkix-cert,application/x-pem-file,application/pkcs7-mime"
              aria-label={`Certificate file for ${row.address}`}
              data-testid="row-certificate-file"
              onChange={(ev) => {
                const f = ev.currentTarget.files?.[0];
                ev.currentTarget.value = '';
                if (f) void add(f);
              }}
            />
          </div>
          {state.kind === 'busy' && <Spinner size="tiny" label={state.what} />}
          {state.kind === 'refused' && (
            <MessageBar intent="error" layout="multiline">
              <MessageBarBody data-testid="row-error" data-code={state.code}>
                <MessageBarTitle>Certificate not added</MessageBarTitle>
                {state.reason}
              </MessageBarBody>
            </MessageBar>
          )}
          {state.kind === 'asking' && (
            <MessageBar intent="info" layout="multiline">
              <MessageBarBody data-testid="request-preview">
                <MessageBarTitle>Signed request to {row.address}</MessageBarTitle>
                &ldquo;Please reply signed, so that I can send you encrypted mail.&rdquo; It goes out signed, apart from this message; their signed reply
                gives Signet their certificate.
              </MessageBarBody>
              <MessageBarActions>
                <Button size="small" appearance="primary" onClick={() => void ask()} data-testid="send-request">
                  Send request
                </Button>
                <Button size="small" onClick={() => setState({ kind: 'idle' })}>
                  Cancel
                </Button>
              </MessageBarActions>
            </MessageBar>
          )}
          {state.kind === 'asked' && (
            <Caption1 role="status" data-testid="request-sent">
              Signed request sent to {row.address}. Open their signed reply in Signet and this row turns ready.
            </Caption1>
          )}
        </>
      )}
    </li>
  );
}
