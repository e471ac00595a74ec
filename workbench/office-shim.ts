// Loaded in the add-in's pages in place of Microsoft's office.js when the workbench hosts them (the server
// swaps the one <script> tag of taskpane.html and commands.html, see server.ts). Like the real office.js
// it defines the `Office` global before the page's bundle runs; its implementation is the workbench
// page's (fake-office.ts), reached through the same-origin parent, which answers per frame: the read
// pane, the compose pane, or the add-in's event runtime. What only the workbench has — the mailbox owner's
// demo key (Outlook never hands keys to an add-in), the demo CA the simulated user trusts, and, in place of
// Nested App Authentication, the simulated Microsoft Graph with its token — is NOT put on the page: the
// workbench's own entry points (pane-entry.tsx, runtime-entry.ts) inject it into their bundle
// (src/outlook/development-hooks.ts), so the shipped pane has no page global to read it from.

import type { createOffice } from './fake-office.js';

export interface WorkbenchHostApi {
  /** A fresh Office namespace for a (re)loaded page, by the frame it runs in. */
  officeFor(frame: Element | null): ReturnType<typeof createOffice>['office'];
  demoIdentityUrl: string;
  /** The demo CA's root (PEM): the simulated user has chosen to trust it, as a user-trusted root. */
  demoRootUrl: string;
  /** The simulated Graph (Exchange Online), or null when the simulated mailbox is on Exchange Server (EWS). */
  graph: { baseUrl: string; accessToken: string } | null;
}

const host = (window.parent as Window & { signetWorkbenchHost?: WorkbenchHostApi }).signetWorkbenchHost;
if (window.parent === window || !host) {
  // Opened directly (not inside the workbench): behave like an office.js that failed to load.
  console.warn('Signet workbench: no workbench host around this page; the pane runs standalone.');
} else {
  (window as unknown as { Office: unknown }).Office = host.officeFor(window.frameElement);
}
