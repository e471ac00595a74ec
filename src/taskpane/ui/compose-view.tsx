// The compose pane: Sign and Encrypt for the message being written, what the organisation policy requires
// (locked on, with the reason), the recipients' readiness for encryption and what to do about those who are
// not ready, and "Sign & Send" / "Encrypt & Send". The choice lives on the item (sessionData
// `signet-protection`, events/guard.ts), where the ribbon's toggles and the send handler read it, so it
// survives closing and reopening the pane. The crypto comes from the lazily loaded compose-engine chunk.
// This pane never sends a message unprotected: its only send is the protected one.

import { useCallback, useEffect, useRef, useState, type ReactElement } from 'react';
import { Button, Caption1, MessageBar, MessageBarBody, MessageBarTitle, Spinner, Switch, Text, makeStyles, tokens } from '@fluentui/react-components';
import { isSignetError } from '../../core/errors.js';
import { domainKey } from '../../core/idn.js';
import { getComposeFrom, getComposeRecipients, getSessionValue, mailboxSupports, onRecipientsChanged, setSessionValue, signedInUser } from '../../outlook/office.js';
import { surfaceSupport } from '../../outlook/requirements.js';
import { PROTECTION_KEY, parseProtection, policyRequirement, serializeProtection, type ProtectionState, type Requirement } from '../../events/guard.js';
import type { Keyring } from '../engine.js';
import { HideSubjectSwitch } from './hide-subject-switch.js';
import type * as ComposeEngineModule from '../compose-engine.js';
import type { PaneReadiness, PaneSendResult, SendStep } from '../compose-engine.js';

type ComposeEngine = typeof ComposeEngineModule;

let composeEnginePromise: Promise<ComposeEngine> | null = null;
function composeEngine(): Promise<ComposeEngine> {
  composeEnginePromise ??= import(/* webpackChunkName: "compose-engine" */ '../compose-engine.js');
  return composeEnginePromise;
}

export interface ComposeViewProps {
  keyring: () => Promise<Keyring>;
  /** Opens "Keys & certificates" (to import a correspondent's certificate or one's own key). */
  openSettings: () => void;
}

const useStyles = makeStyles({
  section: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalS },
  h2: { fontSize: tokens.fontSizeBase300, fontWeight: tokens.fontWeightSemibold, margin: 0 },
  list: { listStyleType: 'none', padding: 0, margin: 0, display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalXS },
  row: { display: 'flex', flexDirection: 'column', padding: tokens.spacingVerticalXS, borderBottom: `1px solid ${tokens.colorNeutralStroke2}` },
  ready: { color: tokens.colorPaletteGreenForeground1, fontWeight: tokens.fontWeightSemibold },
  missing: { color: tokens.colorPaletteDarkOrangeForeground1, fontWeight: tokens.fontWeightSemibold },
  buttons: { display: 'flex', columnGap: tokens.spacingHorizontalS, flexWrap: 'wrap', alignItems: 'center' },
});

type SendPhase =
  | { kind: 'idle' }
  | { kind: 'sending'; step: SendStep }
  | { kind: 'sent'; result: PaneSendResult }
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
  const check = useRef(0);
  const latest = useRef(stored);
  latest.current = stored;
  // Writes of the setting in flight or done since a read started: that read's answer is stale.
  const writes = useRef({ started: 0, pending: 0 });

  const policyLoaded = keys !== null && !(keys.policy.source === 'defaults' && keys.policy.errors.some((e) => e.code === 'unreadable'));
  const requirement: Requirement | null = keys === null ? null : policyRequirement({ status: 'loaded', policy: keys.policy.policy }, { status: 'read', addresses: recipients }, domainKey);
  const want: ProtectionState = { sign: stored.sign || (requirement?.sign ?? false), encrypt: stored.encrypt || (requirement?.encrypt ?? false) };

  const readStored = useCallback(async (): Promise<void> => {
    const at = writes.current.started;
    try {
      const parsed = parseProtection(await getSessionValue(PROTECTION_KEY));
      if (writes.current.started !== at || writes.current.pending > 0) return;
      if (parsed.status === 'unreadable') setStoredError(parsed.reason);
      else {
        setStoredError(null);
        const next = parsed.status === 'set' ? parsed.value : { sign: false, encrypt: false };
        setStored((old) => (old.sign === next.sign && old.encrypt === next.encrypt ? old : next));
      }
    } catch (e) {
      setStoredError(describeError(e).message);
    }
  }, []);

  const refresh = useCallback(async (): Promise<void> => {
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
      if (mine === check.current) setReadiness(answer);
    } catch (e) {
      if (mine === check.current) setPhase({ kind: 'error', ...describeError(e) });
    } finally {
      if (mine === check.current) setChecking(false);
    }
  }, [keyring]);

  useEffect(() => {
    void composeEngine(); // prefetch the crypto while the pane paints
    void readStored();
    void refresh();
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
    latest.current = next;
    setStored(next);
    writes.current.started++;
    writes.current.pending++;
    try {
      await setSessionValue(PROTECTION_KEY, serializeProtection(next));
    } catch (e) {
      setPhase({ kind: 'error', ...describeError(e) });
    } finally {
      writes.current.pending--;
    }
    void readStored();
  };

  const send = async (): Promise<void> => {
    const k = keys ?? (await keyring());
    setPhase({ kind: 'sending', step: 'reading' });
    try {
      const engine = await composeEngine();
      const result = await engine.sendFromPane(k, want, (step) => setPhase({ kind: 'sending', step }));
      setPhase({ kind: 'sent', result });
    } catch (e) {
      setPhase({ kind: 'error', ...describeError(e) });
    }
  };

  const missing = readiness?.rows.filter((r) => !r.ready) ?? [];
  const sending = phase.kind === 'sending';
  const sent = phase.kind === 'sent';
  const label = want.encrypt ? 'Encrypt & Send' : 'Sign & Send';
  const lockedSign = requirement?.sign === true;
  const lockedEncrypt = requirement?.encrypt === true;

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
          disabled={lockedSign || sending || sent}
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
          disabled={lockedEncrypt || sending || sent}
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
        <HideSubjectSwitch defaults={keys?.policy.policy.headerProtection ?? null} encrypt={want.encrypt} disabled={sending || sent} />
        {readiness && want.sign && !readiness.canSign && (
          <Text role="alert" data-testid="no-signing-key">
            You have no signing key for {from || 'your address'} in this Outlook. Import your .p12 file under Keys &amp; certificates.
          </Text>
        )}
      </section>

      <section className={s.section} aria-labelledby="readiness-heading" data-testid="readiness" data-state={checking ? 'checking' : 'done'}>
        <h2 id="readiness-heading" className={s.h2}>
          Recipients {want.encrypt ? '' : '(for encryption)'}
        </h2>
        {recipients.length === 0 && <Caption1>Add recipients to see who Signet can encrypt to.</Caption1>}
        <ul className={s.list} aria-live="polite">
          {readiness?.rows.map((r) => (
            <li key={r.address} className={s.row} data-testid="readiness-row" data-address={r.address} data-ready={r.ready ? 'yes' : 'no'}>
              <span>
                {r.address}: <span className={r.ready ? s.ready : s.missing}>{r.ready ? 'certificate ready' : 'no certificate'}</span>
              </span>
              {!r.ready && <Caption1>{r.reason}</Caption1>}
              {r.ready && r.revocation && <Caption1 data-testid="readiness-revocation">Revocation: {r.revocation}</Caption1>}
            </li>
          ))}
        </ul>
        {checking && <Spinner size="tiny" label="Checking certificates…" />}
        {missing.length > 0 && (
          <MessageBar intent={want.encrypt ? 'warning' : 'info'}>
            <MessageBarBody data-testid="readiness-advice">
              <MessageBarTitle>
                {missing.length === 1 ? '1 recipient has no certificate' : `${missing.length} recipients have no certificate`}
                {want.encrypt ? ': Signet cannot encrypt to them.' : '.'}
              </MessageBarTitle>
              Send them a signed message (Encrypt off, Sign &amp; Send) so their mail program learns your certificate, and ask them to reply signed: Signet learns theirs when
              you open the reply. Or import their certificate (.cer, .pem, .p7c) under Keys &amp; certificates.
              <div className={s.buttons}>
                <Button size="small" onClick={openSettings} data-testid="import-their-certificate">
                  Import a certificate
                </Button>
                <Button size="small" appearance="subtle" onClick={() => void refresh()} data-testid="check-again">
                  Check again
                </Button>
              </div>
            </MessageBarBody>
          </MessageBar>
        )}
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
        <div className={s.buttons}>
          <Button appearance="primary" disabled={sending || sent || (!want.sign && !want.encrypt)} onClick={() => void send()} data-testid="send-protected">
            {label}
          </Button>
          {!want.sign && !want.encrypt && <Caption1>Turn on Sign or Encrypt to send from here.</Caption1>}
        </div>
        {phase.kind === 'sending' && <Spinner size="small" label={STEP_TEXT[phase.step]} data-testid="send-progress" data-step={phase.step} />}
        {phase.kind === 'sent' && (
          <MessageBar intent="success">
            <MessageBarBody data-testid="send-done">
              <MessageBarTitle>Sent {phase.result.what}</MessageBarTitle>
              The protected copy is in Sent Items. {phase.result.closed ? '' : 'Close this draft without saving it; do not press Outlook\u2019s Send.'} {phase.result.notes.join(' ')}
            </MessageBarBody>
          </MessageBar>
        )}
        {phase.kind === 'error' && (
          <MessageBar intent="error">
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
