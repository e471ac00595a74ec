// Per-message work budgets (ARCHITECTURE.md rule 9: "budgets count per message, not per path"). One WorkBudget
// is made for each message a caller opens (openMessage, or verifySignedData / decryptContent when called
// directly) and handed down to every layer, signer, path search and fetch of that message, so N signers
// or N RecipientInfos share one allowance instead of getting N of them. The limits and the threats they
// stop are documented in config.ts; exceeding one is SignetError 'budget-exceeded' naming the budget.

import type { Limits } from './config.js';
import { SignetError } from './errors.js';

export type BudgetLimits = Pick<Limits, 'maxNetworkFetches' | 'maxNetworkMs' | 'maxSignatureChecks' | 'maxRecipientTries'>;

/** Which budget ran out (for the error message and for tests). */
export type BudgetName = 'network-fetches' | 'network-time' | 'signature-checks' | 'recipient-tries';

const FETCH_OF = Symbol('signet.budget.fetch');

type BudgetedFetch = typeof fetch & { [FETCH_OF]?: typeof fetch };

export class WorkBudget {
  /** Work done so far, per kind. */
  readonly used = { networkFetches: 0, signatureChecks: 0, recipientTries: 0 };
  /** The first budget that ran out, if any. */
  exceeded: BudgetName | null = null;
  private networkStart: number | null = null;
  private readonly controllers = new Set<AbortController>();
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    readonly limits: BudgetLimits,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Counts one public-key signature verification (a signer, a certificate link, a path candidate). */
  chargeSignatureCheck(): void {
    if (this.used.signatureChecks >= this.limits.maxSignatureChecks) {
      throw this.fail('signature-checks', `The message needs more than ${this.limits.maxSignatureChecks} signature verifications (the per-message signature-check budget).`);
    }
    this.used.signatureChecks++;
  }

  /** Counts one private-key decryption of a RecipientInfo. */
  chargeRecipientTry(): void {
    if (this.used.recipientTries >= this.limits.maxRecipientTries) {
      throw this.fail('recipient-tries', `The message asks for more than ${this.limits.maxRecipientTries} private-key decryptions (the per-message recipient budget).`);
    }
    this.used.recipientTries++;
  }

  /** Milliseconds of network time left for this message (the whole budget before the first request). */
  networkMsLeft(): number {
    if (this.networkStart === null) return this.limits.maxNetworkMs;
    return Math.max(0, this.networkStart + this.limits.maxNetworkMs - this.clock());
  }

  /**
   * Counts one network request and starts the message's network clock at the first one. Throws
   * 'budget-exceeded' when the count or the time is spent.
   */
  chargeFetch(url: string): void {
    if (this.used.networkFetches >= this.limits.maxNetworkFetches) {
      throw this.fail('network-fetches', `Not fetching ${url}: the message already made ${this.limits.maxNetworkFetches} network requests (the per-message network budget).`);
    }
    if (this.networkStart !== null && this.networkMsLeft() <= 0) {
      throw this.fail('network-time', `Not fetching ${url}: the message's network time budget of ${this.limits.maxNetworkMs} ms is spent.`);
    }
    this.networkStart ??= this.clock();
    this.used.networkFetches++;
  }

  /**
   * `fetch` charged to this budget: each call counts, and every request is aborted when the message's
   * network time runs out (its own signal, e.g. a per-request timeout, still applies). The original
   * function stays reachable with `unbudgetedFetch` so caches keyed by it (aia.ts) live across messages.
   */
  wrapFetch(inner: typeof fetch): typeof fetch {
    const base = unbudgetedFetch(inner);
    const wrapped: BudgetedFetch = (async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      this.chargeFetch(url);
      const controller = new AbortController();
      const outer = init?.signal;
      const onOuter = (): void => controller.abort(outer?.reason);
      if (outer) {
        if (outer.aborted) controller.abort(outer.reason);
        else outer.addEventListener('abort', onOuter, { once: true });
      }
      this.controllers.add(controller);
      this.armTimer();
      try {
        return await base(input, { ...init, signal: controller.signal });
      } catch (e) {
        if (this.networkMsLeft() <= 0 && !outer?.aborted) {
          throw this.fail('network-time', `The request to ${url} was stopped: the message's network time budget of ${this.limits.maxNetworkMs} ms is spent.`, e);
        }
        throw e;
      } finally {
        this.controllers.delete(controller);
        outer?.removeEventListener('abort', onOuter);
        if (this.controllers.size === 0) this.disarmTimer();
      }
    }) as BudgetedFetch;
    wrapped[FETCH_OF] = base;
    return wrapped;
  }

  private armTimer(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      for (const c of this.controllers) c.abort(new SignetError('budget-exceeded', 'The message network time budget is spent.'));
    }, this.networkMsLeft());
    // Never keep a process alive just for this timer.
    (this.timer as { unref?: () => void }).unref?.();
  }

  private disarmTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private fail(name: BudgetName, message: string, cause?: unknown): SignetError {
    this.exceeded ??= name;
    return new SignetError('budget-exceeded', message, cause === undefined ? undefined : { cause });
  }
}

/** The fetch function a budgeted one wraps (itself when it is not wrapped). */
export function unbudgetedFetch(f: typeof fetch): typeof fetch {
  return (f as BudgetedFetch)[FETCH_OF] ?? f;
}
