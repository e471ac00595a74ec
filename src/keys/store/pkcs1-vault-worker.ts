// The Web Worker that holds unlocked RSA keys for RSAES-PKCS1-v1_5 decryption (pkcs1-vault.ts explains
// why): it answers VaultRequests from the task pane and keeps the PKCS#8 in its own memory, which no
// script on the page can read. Bundled by webpack as its own chunk (`new Worker(new URL(...))` in
// ../../taskpane/pane-keys.ts); it loads nothing else and makes no network request.

import { cryptoProvider } from '../../core/crypto.js';
import { VaultCore, type VaultReply, type VaultRequest } from './pkcs1-vault.js';

/** The dedicated worker's global scope, as far as this file uses it (tsconfig has the DOM lib, not WebWorker). */
interface WorkerScope {
  addEventListener(type: 'message', listener: (event: { data: unknown; origin?: string }) => void): void;
  postMessage(message: VaultReply): void;
}

const scope = globalThis as unknown as WorkerScope;
const core = new VaultCore(cryptoProvider());

scope.addEventListener('message', (event) => {
  // A dedicated worker receives messages only from the page that created it.
  void core.handle(event.data as VaultRequest).then((reply) => scope.postMessage(reply));
});
