// Task pane entry point of the shipped add-in (taskpane.html): the read pane with no development hooks.
// The workbench builds its own entry (workbench/pane-entry.tsx) around the same start().

import { start } from './start.js';

start();
