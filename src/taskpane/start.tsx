// Mounts the React read pane. Kept tiny on purpose: the pane's initial JavaScript is React, Fluent UI and
// this UI; the S/MIME engine is a separate chunk loaded on demand (ui/app.tsx), which is how the 200 KB
// gzipped initial-JS budget holds (scripts/check-budget.js).
//
// `start(hooks)` is the one way development hooks reach the pane (outlook/development-hooks.ts): the
// production entry (taskpane.tsx) passes none; the workbench's entry (workbench/pane-entry.tsx) passes its
// demo CA, demo key and simulated Graph.

import { createRoot } from 'react-dom/client';
import { App, prefetchEngine } from './ui/app.js';
import { setDevelopmentHooks, type DevelopmentHooks } from '../outlook/development-hooks.js';

export function start(hooks?: DevelopmentHooks): void {
  if (hooks !== undefined) setDevelopmentHooks(hooks);
  prefetchEngine();
  const container = document.getElementById('root');
  if (!container) throw new Error('taskpane.html has no #root');
  createRoot(container).render(<App />);
}
