// Development hooks: what only a development host (the workbench) gives the add-in — a demo CA the simulated
// user trusts, the mailbox owner's demo key, a simulated Microsoft Graph with a fixed token. They arrive by
// INJECTION from a development entry point (workbench/pane-entry.tsx, workbench/runtime-entry.ts call
// setDevelopmentHooks() before anything reads them), never from a page global: the production entry
// points (src/taskpane/taskpane.tsx, src/commands/commands.ts) never call it, so in a shipped bundle
// developmentHooks() is always NO_HOOKS and nothing on the page can add a trust anchor, an identity or a
// transport (issue 14 item 8; test/unit/build/no-workbench.test.ts checks the production bundle).

/** The simulated Graph endpoint and the token it accepts (MSAL's Nested App Authentication needs real Outlook). */
export interface DevelopmentGraph {
  readonly baseUrl: string;
  readonly accessToken: string;
}

export interface DevelopmentHooks {
  /** A PEM certificate file of roots the simulated user chose to trust (a user-trusted root, not policy). */
  readonly demoRootUrl?: string;
  /** A PEM key file held for this session only (Outlook never hands keys to an add-in). */
  readonly demoIdentityUrl?: string;
  /** Send and read through this Graph instead of the policy's app registration. */
  readonly graph?: DevelopmentGraph;
}

export const NO_HOOKS: DevelopmentHooks = Object.freeze({});

let hooks: DevelopmentHooks = NO_HOOKS;

/** Called by a development entry point only. `null` removes them (tests). */
export function setDevelopmentHooks(next: DevelopmentHooks | null): void {
  hooks = next === null ? NO_HOOKS : Object.freeze({ ...next, ...(next.graph ? { graph: Object.freeze({ ...next.graph }) } : {}) });
}

/** The hooks in force: NO_HOOKS unless a development entry point injected some. */
export function developmentHooks(): DevelopmentHooks {
  return hooks;
}
