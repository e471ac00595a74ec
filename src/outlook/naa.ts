// A Microsoft Graph access token through Nested App Authentication: MSAL.js's
// `createNestablePublicClientApplication` asks Outlook (the host) to broker a token for the organisation's
// own app registration (policy `graph.clientId` / `graph.authority`, docs/ADMIN.md §5). Silent first, then
// a popup where a UI may open one (the task pane; never an event handler, which has no UI)
// (https://learn.microsoft.com/office/dev/add-ins/develop/enable-nested-app-authentication-in-your-add-in).
// MSAL is loaded with a dynamic import, so it lives in its own chunk and never weighs on the read pane's
// initial bundle.

import type * as Msal from '@azure/msal-browser';
import type { IPublicClientApplication } from '@azure/msal-browser';
import { SignetError } from '../core/errors.js';

/**
 * Mail.Send for sendMail; Mail.Send.Shared for mail whose From is a shared mailbox or another user the
 * signed-in user may send as or on behalf of ("Send Outlook messages from another user",
 * https://learn.microsoft.com/graph/outlook-send-mail-from-other-user: apps with user tokens need
 * Mail.Send.Shared, and the user needs Send As or Send on Behalf in Exchange); Mail.ReadWrite to delete
 * the draft after a protected send.
 */
export const GRAPH_SCOPES: readonly string[] = ['Mail.Send', 'Mail.Send.Shared', 'Mail.ReadWrite'];

export interface NaaConfig {
  clientId: string;
  authority: string;
}

export interface TokenOptions {
  /** May a sign-in popup be shown? False in event handlers. */
  interactive: boolean;
  /** The signed-in user's address, pre-filled in a sign-in popup (userProfile.emailAddress). */
  loginHint?: string;
}

/** The part of @azure/msal-browser this module uses (so tests can stand in for the host's broker). */
export type MsalModule = Pick<typeof Msal, 'createNestablePublicClientApplication'>;

const loadMsal = (): Promise<MsalModule> => import('@azure/msal-browser');

const clients = new Map<string, Promise<IPublicClientApplication>>();

function isInteractionRequired(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const code = (e as { errorCode?: unknown }).errorCode;
  // MSAL's InteractionRequiredAuthError, and the codes NAA returns when consent or sign-in is needed.
  return (
    e.name === 'InteractionRequiredAuthError' ||
    code === 'interaction_required' ||
    code === 'consent_required' ||
    code === 'login_required' ||
    code === 'no_account_error' ||
    code === 'no_tokens_found'
  );
}

function authError(message: string, cause: unknown): SignetError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new SignetError('send-unauthorized', `${message} (${detail.slice(0, 160)})`, { cause });
}

/**
 * An access token for Microsoft Graph with GRAPH_SCOPES. Throws `send-unauthorized` with what to do when
 * no token can be had (not signed in and no UI, consent missing, NAA not available).
 */
export async function acquireGraphToken(config: NaaConfig, options: TokenOptions, load: () => Promise<MsalModule> = loadMsal): Promise<string> {
  const key = `${config.clientId}\n${config.authority}`;
  let pca = clients.get(key);
  if (pca === undefined) {
    pca = load().then((msal) => msal.createNestablePublicClientApplication({ auth: { clientId: config.clientId, authority: config.authority } }));
    clients.set(key, pca);
    // A failed start (no NAA bridge, bad configuration) is not cached: the next send tries again.
    pca.catch(() => clients.delete(key));
  }
  let app: IPublicClientApplication;
  try {
    app = await pca;
  } catch (e) {
    throw authError('Signet could not start Microsoft sign-in in this Outlook', e);
  }
  try {
    // NAA's broker knows the signed-in Outlook account; the silent request names only the scopes.
    const result = await app.acquireTokenSilent({ scopes: [...GRAPH_SCOPES] });
    if (result.accessToken) return result.accessToken;
  } catch (e) {
    if (!isInteractionRequired(e)) throw authError('Signet could not get a Microsoft Graph token', e);
    if (!options.interactive) {
      throw authError('Signet needs you to sign in to Microsoft Graph once: open the Signet pane and send from there', e);
    }
  }
  if (!options.interactive) throw new SignetError('send-unauthorized', 'Signet needs you to sign in to Microsoft Graph once: open the Signet pane and send from there.');
  try {
    const result = await app.acquireTokenPopup({ scopes: [...GRAPH_SCOPES], loginHint: options.loginHint });
    if (!result.accessToken) throw new Error('no access token in the answer');
    return result.accessToken;
  } catch (e) {
    throw authError('Sign-in to Microsoft Graph did not complete', e);
  }
}

/** Forgets cached clients (tests). */
export function resetNaaClients(): void {
  clients.clear();
}
