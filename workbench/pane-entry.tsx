// The task pane as the workbench hosts it (workbench-taskpane.html): the shipped pane's start() with the
// workbench's development hooks injected (host-hooks.ts). The shipped entry, src/taskpane/taskpane.tsx,
// calls the same start() with none.

import { start } from '../src/taskpane/start.js';
import { hostHooks } from './host-hooks.js';

start(hostHooks());
