// Task pane entry point (read mode): mounts the React read pane. Kept tiny on purpose: the pane's initial
// JavaScript is React, Fluent UI and this UI; the S/MIME engine is a separate chunk loaded on demand
// (ui/app.tsx), which is how the 250 KB gzipped initial-JS budget holds (scripts/check-budget.js).

import { createRoot } from 'react-dom/client';
import { App } from './ui/app.js';

const container = document.getElementById('root');
if (!container) throw new Error('taskpane.html has no #root');
createRoot(container).render(<App />);
