// The read pane: follows the selected message (pinned pane, ItemChanged), reads its MIME from the most
// faithful source (outlook/message-source.ts), opens it with the lazily loaded engine, and shows the badge,
// details, chain and content. A dropped or chosen .eml goes through the same path. The short verdict also
// goes to Outlook's info bar (item.notificationMessages).

import { Suspense, lazy, useCallback, useEffect, useRef, useState, type ReactElement } from 'react';
import { Button, Caption1, FluentProvider, MessageBar, MessageBarBody, MessageBarTitle, ProgressBar, Spinner, Text, makeStyles, tokens, webDarkTheme, webLightTheme } from '@fluentui/react-components';
import { defaultLimits } from '../../core/config.js';
import { isSignetError } from '../../core/errors.js';
import { inOutlook, isComposeMode, officeThemeIsDark, onItemChanged, readItemEnvelope, showInfoBar, whenOfficeReady } from '../../outlook/office.js';
import { checkWithSecondCopy, readSecondCopy, readSelectedMessage, type MessageSnapshot } from '../../outlook/message-source.js';
import type { GraphMimeSource } from '../../outlook/graph-read.js';
import type * as EngineModule from '../engine.js';
import type { Analysis, Keyring } from '../engine.js';
import { mayBeReserialized, present, type Presentation } from '../present.js';
import { Badge, EnclosedParts, VerdictDetails } from './verdict-view.js';
import { ContentView } from './content-view.js';
import { SentNotice } from './sent-notice.js';
import { FilePicker } from './file-picker.js';
import { formatSize } from '../size.js';

type Engine = typeof EngineModule;

// The "Keys & certificates" view is its own chunk, fetched the first time it is opened.
const SettingsView = lazy(() => import(/* webpackChunkName: "settings" */ './settings-view.js').then((m) => ({ default: m.SettingsView })));
type View = 'message' | 'settings';
// The compose view (a message being written) is its own chunk too; its crypto is a further lazy chunk.
const ComposeView = lazy(() => import(/* webpackChunkName: "compose" */ './compose-view.js').then((m) => ({ default: m.ComposeView })));

// Started at once, not awaited: the crypto chunk downloads while React paints and Office initialises.
let enginePromise: Promise<Engine> | null = null;
let keyringPromise: Promise<Keyring> | null = null;
function engine(): Promise<Engine> {
  enginePromise ??= import(/* webpackChunkName: "engine" */ '../engine.js');
  return enginePromise;
}
function keyring(): Promise<Keyring> {
  keyringPromise ??= engine().then((e) => e.loadKeyring());
  return keyringPromise;
}

/**
 * Starts loading the engine chunk and the keyring (policy, trust anchors parsed, key store opened) before
 * React's first render rather than after it (start.tsx calls this once the development hooks are set):
 * the first message's MIME usually arrives while they load, and whatever is done by then is off the
 * cold first badge's path (issue 17, bench/pane-latency.ts). Failures surface where they are awaited.
 */
export function prefetchEngine(): void {
  keyring().catch(() => undefined);
}

export const INFO_BAR_KEY = 'signet-verdict';

/**
 * Graph, the last message source, needs the engine chunk (policy, NAA): loaded only when the first two
 * sources failed, so the usual path never waits for it.
 */
const lazyGraph: GraphMimeSource = {
  available: true,
  fetchMime: async (restId) => {
    const [e, k] = await Promise.all([engine(), keyring()]);
    return e.graphSource(k).fetchMime(restId);
  },
};

type Phase =
  | { kind: 'starting' }
  | { kind: 'idle'; note: string }
  | { kind: 'loading'; what: string; bytes?: number; slow?: boolean }
  | { kind: 'done'; snapshot: MessageSnapshot; analysis: Analysis; presentation: Presentation; title: string; learnt: string[] | null }
  | { kind: 'error'; message: string };

const useStyles = makeStyles({
  root: { minHeight: '100vh', backgroundColor: tokens.colorNeutralBackground1, color: tokens.colorNeutralForeground1 },
  main: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalM, padding: tokens.spacingHorizontalM, maxWidth: '720px' },
  checking: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalS },
  // Wraps at 320 px (Outlook's narrowest pane) instead of clipping the view switch (issue 18).
  header: { display: 'flex', alignItems: 'center', columnGap: tokens.spacingHorizontalS, rowGap: tokens.spacingVerticalXS, flexWrap: 'wrap' },
  product: { fontWeight: tokens.fontWeightSemibold, fontSize: tokens.fontSizeBase400, margin: 0 },
  views: { display: 'flex', columnGap: tokens.spacingHorizontalXS, flexWrap: 'wrap', minWidth: 0 },
  drop: {
    border: `1px dashed ${tokens.colorNeutralStroke1}`,
    borderRadius: tokens.borderRadiusMedium,
    padding: tokens.spacingHorizontalM,
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalS,
  },
  dragover: { outline: `2px solid ${tokens.colorBrandStroke1}`, backgroundColor: tokens.colorBrandBackground2 },
  h2: { fontSize: tokens.fontSizeBase300, fontWeight: tokens.fontWeightSemibold, margin: 0 },
  row: { display: 'flex', columnGap: tokens.spacingHorizontalS, alignItems: 'end', flexWrap: 'wrap' },
});

function useDarkMode(): boolean {
  const media = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null;
  const [dark, setDark] = useState<boolean>(() => officeThemeIsDark() ?? media?.matches ?? false);
  useEffect(() => {
    const update = (): void => setDark(officeThemeIsDark() ?? media?.matches ?? false);
    media?.addEventListener('change', update);
    void whenOfficeReady().then(update);
    return () => media?.removeEventListener('change', update);
  }, [media]);
  return dark;
}

function errorText(e: unknown): string {
  return isSignetError(e) ? e.message : e instanceof Error ? e.message : String(e);
}

/** After this long the check shows a progress bar (issue 17: progress for anything over half a second). */
const SLOW_MS = 500;

export function App(): ReactElement {
  const s = useStyles();
  const dark = useDarkMode();
  const [phase, setPhase] = useState<Phase>({ kind: 'starting' });
  const [dragover, setDragover] = useState(false);
  const [keyNote, setKeyNote] = useState<string>('');
  const [view, setView] = useState<View>('message');
  const [composing, setComposing] = useState(false);
  const sequence = useRef(0);

  const open = useCallback(async (getSnapshot: () => Promise<MessageSnapshot>, title: string, fromOutlook: boolean): Promise<void> => {
    const mine = ++sequence.current;
    setPhase({ kind: 'loading', what: title });
    try {
      const first = await getSnapshot();
      performance.mark('signet:mime-available');
      // The size while it is checked; a bar once it takes longer than half a second (large messages are
      // opened in a worker, so the pane stays usable meanwhile: open-client.ts).
      const bytes = first.bytes.byteLength;
      if (mine === sequence.current) setPhase({ kind: 'loading', what: title, bytes });
      setTimeout(() => {
        if (mine === sequence.current) setPhase((p) => (p.kind === 'loading' ? { ...p, slow: true } : p));
      }, SLOW_MS);
      const [e, keys] = await Promise.all([engine(), keyring()]);
      // A clear signature that fails only on the digest of a possibly rebuilt copy: check a second copy
      // (Graph) before saying "could not be checked" (message-source.ts).
      const { snapshot, result: analysis } = await checkWithSecondCopy(
        first,
        (s) => e.analyse(s.bytes, keys),
        (a, s) => mayBeReserialized(a.verdict, s.byteExact),
        () => (fromOutlook ? readSecondCopy(first, { graph: lazyGraph }) : Promise.resolve(null)),
      );
      if (mine !== sequence.current) return; // another message was selected meanwhile
      const presentation = present(analysis.verdict, snapshot, keys.config);
      setPhase({ kind: 'done', snapshot, analysis, presentation, title, learnt: null });
      if (fromOutlook) void showInfoBar(INFO_BAR_KEY, presentation.infoBar, presentation.infoBarKind).catch(() => undefined);
      // Off the badge's critical path: store the sender's certificate when the verdict allows it.
      void e.learnFrom(keys, analysis.verdict).then((learnt) => {
        if (mine === sequence.current) setPhase((p) => (p.kind === 'done' ? { ...p, learnt } : p));
      });
    } catch (err) {
      if (mine !== sequence.current) return;
      setPhase({ kind: 'error', message: errorText(err) });
    }
  }, []);

  const openSelected = useCallback((): void => {
    const env = readItemEnvelope();
    if (env === null) {
      sequence.current++;
      setPhase({ kind: 'idle', note: 'Select a message to check it.' });
      return;
    }
    void open(() => readSelectedMessage({ graph: lazyGraph }), env.subject || '(no subject)', true);
  }, [open]);

  useEffect(() => {
    prefetchEngine(); // started by start.tsx already; here for an App mounted on its own (tests)
    void whenOfficeReady().then(async (info) => {
      if (!inOutlook()) {
        setPhase({ kind: 'idle', note: info.host === null ? 'Running outside Outlook: open a message file below.' : `Running in ${String(info.host)}, not Outlook.` });
        return;
      }
      if (isComposeMode()) {
        // Opened next to a message being written: the compose view, not the read pane.
        setComposing(true);
        return;
      }
      openSelected();
      await onItemChanged(openSelected);
    });
  }, [openSelected]);

  // An organisation policy that could not be read or has invalid fields: safe defaults are in force, and
  // the pane says so where everyone sees it (issue 7: never a silent weakening, always a visible admin error).
  const [policyError, setPolicyError] = useState<string | null>(null);
  useEffect(() => {
    void keyring().then(
      (k) => {
        setKeyNote(k.notes.join(' · '));
        if (k.policy.errors.length > 0) setPolicyError(k.policyStatus);
      },
      (e: unknown) => setKeyNote(`Keys could not be loaded: ${errorText(e)}`),
    );
  }, []);

  const openFile = (file: File): void => {
    if (file.size > defaultLimits.maxMessageBytes) {
      setPhase({ kind: 'error', message: `${file.name} is too large.` });
      return;
    }
    void open(async () => ({ bytes: new Uint8Array(await file.arrayBuffer()), source: 'file', byteExact: true, label: `the file ${file.name}` }), file.name, false);
  };

  return (
    <FluentProvider theme={dark ? webDarkTheme : webLightTheme} className={s.root} data-theme={dark ? 'dark' : 'light'}>
      <main
        className={s.main}
        onDragOver={(ev) => {
          ev.preventDefault();
          setDragover(true);
        }}
        onDragLeave={() => setDragover(false)}
        onDrop={(ev) => {
          ev.preventDefault();
          setDragover(false);
          const file = ev.dataTransfer.files[0];
          if (file) openFile(file);
          else setPhase({ kind: 'error', message: 'Drop a message file (.eml).' });
        }}
      >
        <header className={s.header}>
          <img src="assets/icon-32.png" width={24} height={24} alt="" />
          <h1 className={s.product}>Signet</h1>
          {/* Two plain toggle buttons, not a Fluent TabList: TabList's arrow-key Mover adds Tabster focus
              guards (aria-hidden yet focusable), which axe reports as aria-hidden-focus. */}
          <nav className={s.views} aria-label="Signet views">
            <Button size="small" appearance={view === 'message' ? 'primary' : 'subtle'} aria-pressed={view === 'message'} onClick={() => setView('message')} data-testid="tab-message">
              {composing ? 'Send protected' : 'Message'}
            </Button>
            <Button size="small" appearance={view === 'settings' ? 'primary' : 'subtle'} aria-pressed={view === 'settings'} onClick={() => setView('settings')} data-testid="tab-settings">
              Keys &amp; certificates
            </Button>
          </nav>
        </header>
        {policyError !== null && (
          <MessageBar intent="error" data-testid="policy-error">
            <MessageBarBody>
              <MessageBarTitle>For your administrator</MessageBarTitle>
              {policyError}
            </MessageBarBody>
          </MessageBar>
        )}
        {view === 'settings' ? (
          <Suspense fallback={<Spinner size="small" label="Loading keys…" />}>
            <SettingsView engine={engine} keyring={keyring} />
          </Suspense>
        ) : composing ? (
          <Suspense fallback={<Spinner size="small" label="Loading…" />}>
            <ComposeView keyring={keyring} openSettings={() => setView('settings')} />
          </Suspense>
        ) : (
          <>
            <SentNotice />
            <PhaseView phase={phase} />
            <section className={`${s.drop} ${dragover ? s.dragover : ''}`} aria-labelledby="file-heading">
              <h2 id="file-heading" className={s.h2}>
                Check a message file
              </h2>
              <Caption1 id="file-hint">Drop an .eml file here, or choose one. Files are checked exactly as saved.</Caption1>
              <FilePicker
                label="Choose a message file…"
                accept=".eml,message/rfc822"
                chosen={null}
                emptyText={null}
                onFile={openFile}
                testId="file-input"
                inputLabel="Message file (.eml)"
                fieldProps={{ 'aria-describedby': 'file-hint' }}
              />
            </section>
            <details>
              <summary>Keys and trust</summary>
              <Caption1 data-testid="key-note">{keyNote || 'Loading…'}</Caption1>
              <div className={s.row}>
                <Button size="small" onClick={() => setView('settings')} data-testid="open-settings">
                  Manage your keys and correspondents&rsquo; certificates
                </Button>
              </div>
              <Caption1>Keys are kept in this browser or Outlook profile only; each Outlook client has its own storage.</Caption1>
            </details>
          </>
        )}
      </main>
    </FluentProvider>
  );
}

function PhaseView({ phase }: { phase: Phase }): ReactElement {
  const s = useStyles();
  const badgeShown = phase.kind === 'done';
  useEffect(() => {
    if (!badgeShown) return;
    // After the commit and the next frame: the badge is on screen (the latency benchmark reads this).
    requestAnimationFrame(() => {
      performance.mark('signet:badge-shown');
      try {
        performance.measure('signet:badge-latency', 'signet:mime-available', 'signet:badge-shown');
      } catch {
        // no start mark (a re-render): nothing to measure
      }
    });
  }, [badgeShown, phase]);
  switch (phase.kind) {
    case 'starting':
      return <Spinner size="small" label="Starting…" />;
    case 'idle':
      return <Text data-testid="idle">{phase.note}</Text>;
    case 'loading': {
      const label = `Checking ${phase.what}${phase.bytes !== undefined ? ` (${formatSize(phase.bytes)})` : ''}…`;
      if (!phase.slow) return <Spinner size="small" label={label} />;
      return (
        <div data-testid="checking" className={s.checking} role="status">
          <Text>{label}</Text>
          <ProgressBar thickness="large" aria-label={label} />
          <Caption1>Large messages take a moment; you can keep using the pane meanwhile.</Caption1>
        </div>
      );
    }
    case 'error':
      return (
        <Text role="alert" data-testid="error">
          {phase.message}
        </Text>
      );
    case 'done':
      return (
        <>
          <Badge presentation={phase.presentation} subject={phase.title} />
          {phase.learnt && phase.learnt.length > 0 && (
            <Caption1 data-testid="learnt">
              Saved the certificate of {phase.learnt.join(', ')}: you can now send them encrypted mail.
            </Caption1>
          )}
          {phase.learnt && <span data-testid="learning-done" hidden />}
          <VerdictDetails verdict={phase.analysis.verdict} presentation={phase.presentation} sourceLabel={phase.snapshot.label} fromFile={phase.snapshot.source === 'file'} />
          <ContentView document={phase.analysis.document} attachments={phase.analysis.attachments} title={phase.title} severity={phase.presentation.severity} safety={phase.analysis.safety} />
          <EnclosedParts presentation={phase.presentation} verdict={phase.analysis.verdict} enclosed={phase.analysis.enclosed} title={phase.title} />
        </>
      );
  }
}
