// The add-in's event and function-command runtime as Outlook on the web runs it: the manifest's
// Runtime / FunctionFile page (commands.html) in a hidden frame, with the simulated Office.js, whose
// Office.actions.associate collects the handlers by name. Events are raised as Outlook raises them: the
// handler gets an event object and the run ends with event.completed(), or when the timeout passes
// ("Configure your Outlook add-in for event-based activation": about 300 seconds). A handler that throws
// does not end the run: Outlook cannot see the exception and keeps waiting for completed().
// Tests can put their own handler in place of the add-in's (`override`), to drive the host's Smart Alerts
// pipeline independently of Signet's handlers.

import type { SendOutcome } from './smart-alerts.js';

type Handler = (event: unknown) => unknown;

export interface RunOptions {
  timeoutMs: number;
  /** Called once when the run has taken `longRunningMs` (Smart Alerts' "taking longer than expected"). */
  longRunningMs?: number;
  onLongRunning?: () => void;
  /** Event-specific members of the event object (type, changedRecipientFields, source …). */
  eventData?: Record<string, unknown>;
  /** Ends the run early (the user chose Send Anyway / Don't Send in the long-running notice). */
  signal?: AbortSignal;
}

export type RunResult = SendOutcome | { kind: 'aborted' };

export class EventRuntime {
  private readonly bound = new Map<string, Handler>();
  private readonly overrides = new Map<string, Handler>();
  private frame: HTMLIFrameElement | null = null;
  private loaded: Promise<string | null> | null = null;

  constructor(
    private readonly options: {
      /** Where the hidden frame goes. */
      container: HTMLElement;
      /** The runtime page, e.g. "commands.html?workbench=1". */
      url: string;
      /** How long to wait for the page and its Office.actions.associate calls. */
      loadTimeoutMs: number;
      log(line: string): void;
    },
  ) {}

  /** Office.actions.associate, as the runtime page's Office object reports it. */
  associate(name: string, handler: Handler): void {
    this.bound.set(name, handler);
  }

  /** Replaces (or, with null, restores) the add-in's handler for `name`. */
  override(name: string, handler: Handler | null): void {
    if (handler === null) this.overrides.delete(name);
    else this.overrides.set(name, handler);
  }

  /** The frame the runtime page lives in (office-shim.ts asks the host which Office it gets). */
  isFrame(frame: Element | null): boolean {
    return frame !== null && frame === this.frame;
  }

  /** Loads the runtime page once; resolves null when it is up, or why it is unavailable. */
  start(): Promise<string | null> {
    if (this.loaded) return this.loaded;
    this.loaded = (async () => {
      // An iframe's load event fires for an error page too: ask for the page first.
      try {
        const head = await fetch(this.options.url, { method: 'HEAD', cache: 'no-cache' });
        if (!head.ok) return `${this.options.url}: HTTP ${head.status}`;
      } catch (e) {
        return `${this.options.url}: ${e instanceof Error ? e.message : String(e)}`;
      }
      const frame = document.createElement('iframe');
      frame.title = 'Signet event runtime (hidden)';
      frame.hidden = true;
      this.frame = frame;
      const ready = new Promise<string | null>((resolve) => {
        const timer = setTimeout(() => resolve(`${this.options.url} did not load within ${this.options.loadTimeoutMs} ms`), this.options.loadTimeoutMs);
        frame.addEventListener('load', () => {
          clearTimeout(timer);
          resolve(null);
        });
      });
      frame.src = this.options.url;
      this.options.container.append(frame);
      const problem = await ready;
      if (problem === null) this.options.log(`event runtime loaded (${this.options.url}); bound: ${[...this.bound.keys()].join(', ') || 'nothing yet'}`);
      return problem;
    })();
    return this.loaded;
  }

  /** Removes the runtime (the compose form closed: Outlook ends the add-in's runtime). */
  stop(): void {
    this.frame?.remove();
    this.frame = null;
    this.loaded = null;
    this.bound.clear();
  }

  /** The handler that would run for `name`: a test override, else what the page bound. */
  private async handler(name: string): Promise<Handler | null> {
    const deadline = Date.now() + this.options.loadTimeoutMs;
    // The page may bind inside Office.onReady, a moment after its load event.
    for (;;) {
      const h = this.overrides.get(name) ?? this.bound.get(name);
      if (h !== undefined || Date.now() >= deadline) return h ?? null;
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Raises an event (or runs a function command) and waits for event.completed(). */
  async run(name: string, options: RunOptions): Promise<RunResult> {
    if (!this.overrides.has(name)) {
      const problem = await this.start();
      if (problem !== null) return { kind: 'unavailable', detail: problem };
    }
    const handler = await this.handler(name);
    return new Promise<RunResult>((resolve) => {
      let done = false;
      const timers: ReturnType<typeof setTimeout>[] = [];
      const finish = (result: RunResult): void => {
        if (done) return;
        done = true;
        for (const t of timers) clearTimeout(t);
        resolve(result);
      };
      timers.push(setTimeout(() => finish({ kind: 'timeout', detail: handler === null ? `nothing is bound to ${name} (Office.actions.associate), so the event never completed` : `${name} did not call event.completed() within ${options.timeoutMs} ms` }), options.timeoutMs));
      if (options.longRunningMs !== undefined && options.onLongRunning) {
        const notify = options.onLongRunning;
        timers.push(setTimeout(() => !done && notify(), options.longRunningMs));
      }
      options.signal?.addEventListener('abort', () => finish({ kind: 'aborted' }));
      if (handler === null) {
        this.options.log(`${name}: no handler bound; Outlook waits until the timeout`);
        return;
      }
      const event = {
        ...options.eventData,
        completed: (completion?: Office.SmartAlertsEventCompletedOptions) => {
          if (done) {
            this.options.log(`${name}: event.completed() called again after the run ended; ignored`);
            return;
          }
          this.options.log(`${name}: event.completed(${completion === undefined ? '' : JSON.stringify(completion)})`);
          finish({ kind: 'completed', options: completion });
        },
      };
      try {
        const returned = handler(event) as { then?: unknown } | undefined;
        if (returned && typeof returned.then === 'function') {
          (returned as Promise<unknown>).then(undefined, (e: unknown) => this.options.log(`${name}: the handler's promise rejected (${e instanceof Error ? e.message : String(e)}); Outlook keeps waiting for event.completed()`));
        }
      } catch (e) {
        this.options.log(`${name}: the handler threw (${e instanceof Error ? e.message : String(e)}); Outlook keeps waiting for event.completed()`);
      }
    });
  }
}
