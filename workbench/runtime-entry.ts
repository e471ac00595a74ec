// The add-in's event and function-command runtime as the workbench hosts it (workbench-commands.html): the
// shipped commands.ts (which binds its handlers as it loads) plus the workbench's development hooks
// (host-hooks.ts). Handlers read the hooks only when an event arrives, after this module has run.

import '../src/commands/commands.js';
import { setDevelopmentHooks } from '../src/outlook/development-hooks.js';
import { hostHooks } from './host-hooks.js';

setDevelopmentHooks(hostHooks());
