// Nested App Authentication (src/outlook/naa.ts). MSAL's NAA needs the Outlook host's broker, which cannot
// run here, so a stand-in for @azure/msal-browser's createNestablePublicClientApplication (typed against
// MSAL's own declarations) plays the broker: silent first, a popup only where a UI may open one, the
// configuration and scopes passed through, and every failure a send-unauthorized with what to do.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import type { AuthenticationResult, Configuration, IPublicClientApplication, PopupRequest, SilentRequest } from '@azure/msal-browser';
import { isSignetError } from '../../../src/core/errors.js';
import { acquireGraphToken, GRAPH_SCOPES, resetNaaClients, type MsalModule } from '../../../src/outlook/naa.js';

const CONFIG = { clientId: '11111111-2222-3333-4444-555555555555', authority: 'https://login.microsoftonline.com/contoso.onmicrosoft.com' };

class InteractionRequiredAuthError extends Error {
  override name = 'InteractionRequiredAuthError';
  errorCode = 'interaction_required';
}

interface Broker {
  log: string[];
  configs: Configuration[];
  silent: () => Promise<Partial<AuthenticationResult>>;
  popup: () => Promise<Partial<AuthenticationResult>>;
  failStart?: boolean;
}

function msal(b: Broker): () => Promise<MsalModule> {
  const module: MsalModule = {
    createNestablePublicClientApplication: async (configuration: Configuration) => {
      b.log.push('create');
      b.configs.push(configuration);
      if (b.failStart) throw new Error('window.nestedAppAuthBridge is undefined');
      return {
        acquireTokenSilent: async (r: SilentRequest) => {
          b.log.push(`silent(${r.scopes.join(' ')})`);
          return (await b.silent()) as AuthenticationResult;
        },
        acquireTokenPopup: async (r: PopupRequest) => {
          b.log.push(`popup(${r.scopes.join(' ')};${r.loginHint ?? ''})`);
          return (await b.popup()) as AuthenticationResult;
        },
      } as unknown as IPublicClientApplication;
    },
  };
  return async () => module;
}

beforeEach(resetNaaClients);

test('a cached or refreshed token comes silently, for Mail.Send, Mail.Send.Shared and Mail.ReadWrite', async () => {
  const b: Broker = { log: [], configs: [], silent: async () => ({ accessToken: 'silent-token' }), popup: async () => ({ accessToken: 'x' }) };
  const token = await acquireGraphToken(CONFIG, { interactive: false, loginHint: 'alice@contoso.com' }, msal(b));
  assert.equal(token, 'silent-token');
  assert.deepEqual(GRAPH_SCOPES, ['Mail.Send', 'Mail.Send.Shared', 'Mail.ReadWrite']);
  assert.deepEqual(b.log, ['create', 'silent(Mail.Send Mail.Send.Shared Mail.ReadWrite)']);
  assert.deepEqual(b.configs[0]!.auth, { clientId: CONFIG.clientId, authority: CONFIG.authority });
  // The client is created once per registration.
  await acquireGraphToken(CONFIG, { interactive: false }, msal(b));
  assert.equal(b.log.filter((l) => l === 'create').length, 1);
});

test('interaction required: the task pane gets a popup, pre-filled with the user', async () => {
  const b: Broker = { log: [], configs: [], silent: async () => Promise.reject(new InteractionRequiredAuthError('consent')), popup: async () => ({ accessToken: 'popup-token' }) };
  assert.equal(await acquireGraphToken(CONFIG, { interactive: true, loginHint: 'alice@contoso.com' }, msal(b)), 'popup-token');
  assert.deepEqual(b.log, ['create', 'silent(Mail.Send Mail.Send.Shared Mail.ReadWrite)', 'popup(Mail.Send Mail.Send.Shared Mail.ReadWrite;alice@contoso.com)']);
});

test('interaction required in an event handler (no UI): send-unauthorized telling the user to use the pane, no popup', async () => {
  const b: Broker = { log: [], configs: [], silent: async () => Promise.reject(new InteractionRequiredAuthError('login')), popup: async () => ({ accessToken: 'never' }) };
  await assert.rejects(acquireGraphToken(CONFIG, { interactive: false }, msal(b)), (e: Error) => isSignetError(e, 'send-unauthorized') && /open the Signet pane/.test(e.message));
  assert.ok(!b.log.some((l) => l.startsWith('popup')));
});

test('other failures: a broken silent call, a cancelled popup, no NAA bridge — each send-unauthorized; a failed start is retried', async () => {
  const broken: Broker = { log: [], configs: [], silent: async () => Promise.reject(new Error('network_error')), popup: async () => ({ accessToken: 'x' }) };
  await assert.rejects(acquireGraphToken(CONFIG, { interactive: true }, msal(broken)), (e: Error) => isSignetError(e, 'send-unauthorized') && /network_error/.test(e.message));
  resetNaaClients();
  const cancelled: Broker = { log: [], configs: [], silent: async () => Promise.reject(new InteractionRequiredAuthError('x')), popup: async () => Promise.reject(new Error('user_cancelled')) };
  await assert.rejects(acquireGraphToken(CONFIG, { interactive: true }, msal(cancelled)), (e: Error) => isSignetError(e, 'send-unauthorized') && /did not complete/.test(e.message));
  resetNaaClients();
  const noBridge: Broker = { log: [], configs: [], failStart: true, silent: async () => ({ accessToken: 'x' }), popup: async () => ({ accessToken: 'x' }) };
  await assert.rejects(acquireGraphToken(CONFIG, { interactive: false }, msal(noBridge)), (e: Error) => isSignetError(e, 'send-unauthorized') && /nestedAppAuthBridge/.test(e.message));
  noBridge.failStart = false;
  assert.equal(await acquireGraphToken(CONFIG, { interactive: false }, msal(noBridge)), 'x');
  assert.equal(noBridge.log.filter((l) => l === 'create').length, 2);
});
