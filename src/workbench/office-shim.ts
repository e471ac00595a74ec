// Loaded in the task pane iframe in place of Microsoft's office.js when the workbench hosts the pane (the
// server swaps the one <script> tag, see server.ts). Like the real office.js it defines the `Office` global
// before the pane's bundle runs; its implementation is the workbench page's (fake-office.ts), reached
// through the same-origin parent. It also announces the mailbox owner's demo key, which only the workbench
// has: Outlook never hands keys to an add-in.

import type { createOffice } from './fake-office.js';

export interface WorkbenchHostApi {
  /** A fresh Office namespace for a (re)loaded pane. */
  officeFor(): ReturnType<typeof createOffice>['office'];
  demoIdentityUrl: string;
  /** The demo CA's root (PEM): the simulated user has chosen to trust it, as a user-trusted root. */
  demoRootUrl: string;
}

const host = (window.parent as Window & { signetWorkbenchHost?: WorkbenchHostApi }).signetWorkbenchHost;
if (window.parent === window || !host) {
  // Opened directly (not inside the workbench): behave like an office.js that failed to load.
  console.warn('Signet workbench: no workbench host around this page; the pane runs standalone.');
} else {
  (window as unknown as { Office: unknown }).Office = host.officeFor();
  (window as unknown as { signetWorkbench: unknown }).signetWorkbench = { demoIdentityUrl: host.demoIdentityUrl, demoRootUrl: host.demoRootUrl };
}
