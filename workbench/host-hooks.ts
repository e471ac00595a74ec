// The development hooks the workbench injects into the add-in's pages (src/outlook/development-hooks.ts):
// read from the workbench page around the frame (host.ts `signetWorkbenchHost`, same origin). Only the
// workbench's own entry points import this; the shipped entry points never do.

import type { DevelopmentHooks } from '../src/outlook/development-hooks.js';
import type { WorkbenchHostApi } from './office-shim.js';

export function hostHooks(): DevelopmentHooks {
  if (window.parent === window) return {};
  const host = (window.parent as Window & { signetWorkbenchHost?: WorkbenchHostApi }).signetWorkbenchHost;
  if (!host) return {};
  return {
    demoIdentityUrl: host.demoIdentityUrl,
    demoRootUrl: host.demoRootUrl,
    ...(host.graph ? { graph: host.graph } : {}),
  };
}
