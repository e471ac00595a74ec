// The dedicated Web Worker that opens messages for the read pane (open-client.ts starts it), so a large
// message never freezes the pane: decryption, signature and path checks run here; private-key operations
// and revocation fetches are asked of the page (open-service.ts). Bundled by webpack as one self-contained
// chunk (`new Worker(new URL(...))` in open-client.ts; webpack.config.js OPEN_WORKER), same-origin, built
// from src/ only (ARCHITECTURE.md "Trust zones").

import { serveOpenRequests, type Endpoint } from './open-service.js';

// A dedicated worker receives messages only from the page that created it.
serveOpenRequests(globalThis as unknown as Endpoint);
