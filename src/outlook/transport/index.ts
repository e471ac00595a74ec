// Chooses how a protected message leaves, by environment (ARCHITECTURE.md "Platform facts"):
//
// 1. Microsoft Graph (`graph.ts`) when the organisation policy names a Graph app registration
//    (`graph.clientId`) and Outlook supports Nested App Authentication (`isSetSupported('NestedAppAuth',
//    '1.1')`): Exchange Online. In a development host (the workbench) the simulated Graph endpoint and its
//    token are injected instead (development-hooks.ts; MSAL's NAA needs the real Outlook host).
// 2. Exchange Web Services (`ews.ts`) only when the mailbox is positively on Exchange Server on-premises: the
//    mailbox's EWS URL (`Office.context.mailbox.ewsUrl`, else `restUrl`) is on a host that is not Microsoft
//    365's. Never on Exchange Online, where EWS is being switched off from October 2026 and the legacy
//    tokens makeEwsRequestAsync relies on are already off.
// 3. Otherwise nothing: a typed error saying what the administrator has to set up.

import { SignetError } from '../../core/errors.js';
import type { Policy } from '../../policy/policy.js';
import { mailboxEndpoints, requirementSupported, signedInUser, type MailboxEndpoints } from '../office.js';
import { acquireGraphToken, type NaaConfig } from '../naa.js';
import { ewsTransport } from './ews.js';
import { DEFAULT_GRAPH_BASE, graphTransport } from './graph.js';
import type { Transport } from './transport.js';
import { developmentHooks, type DevelopmentGraph } from '../development-hooks.js';

export type { Transport } from './transport.js';
export { TransportError } from './transport.js';

export interface TransportEnvironment {
  /** The policy's Graph app registration, or null. */
  graph: NaaConfig | null;
  naaSupported: boolean;
  /** A development host's simulated Graph (injected, development-hooks.ts), or null: always null in production. */
  developmentGraph: DevelopmentGraph | null;
  endpoints: MailboxEndpoints;
}

export type TransportChoice =
  | { kind: 'graph'; via: 'naa'; config: NaaConfig }
  | { kind: 'graph'; via: 'development'; graph: DevelopmentGraph }
  | { kind: 'ews' }
  | { kind: 'none'; reason: string };

/**
 * Host names of Microsoft's Exchange Online endpoints in every cloud: worldwide, GCC High / DoD
 * (office365.us), 21Vianet (partner.outlook.cn), the retired German cloud (office.de), consumer Outlook.
 */
const EXCHANGE_ONLINE_SUFFIXES = ['office365.com', 'office.com', 'outlook.com', 'office365.us', 'outlook.cn', 'office.de', 'live.com', 'microsoft.com'];

/** True for an Exchange Online mailbox, false for Exchange Server on-premises, null when Outlook does not say. */
export function isExchangeOnline(endpoints: MailboxEndpoints): boolean | null {
  const url = endpoints.ewsUrl ?? endpoints.restUrl;
  if (url === null) return null;
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return null;
  }
  return EXCHANGE_ONLINE_SUFFIXES.some((s) => host === s || host.endsWith(`.${s}`));
}

/** The transport rule above as a pure function of the environment. */
export function chooseTransport(env: TransportEnvironment): TransportChoice {
  if (env.developmentGraph !== null) return { kind: 'graph', via: 'development', graph: env.developmentGraph };
  if (env.graph !== null && env.naaSupported) return { kind: 'graph', via: 'naa', config: env.graph };
  const online = isExchangeOnline(env.endpoints);
  if (online === false) return { kind: 'ews' };
  if (online === true && env.graph === null) {
    return {
      kind: 'none',
      reason:
        'Your organisation has not set up Microsoft Graph for Signet, which sending protected mail from Exchange Online needs. Ask your administrator (Signet policy "graph", docs/ADMIN.md section 5).',
    };
  }
  if (env.graph !== null) {
    return {
      kind: 'none',
      reason: 'This Outlook cannot give Signet a Microsoft Graph sign-in (Nested App Authentication is not supported here). Send protected mail from Outlook on the web or the new Outlook.',
    };
  }
  return { kind: 'none', reason: 'Signet cannot tell where your mailbox is hosted, so it has no way to send protected mail from this Outlook.' };
}

/** What Outlook and the page say about the environment right now. */
export function currentEnvironment(policy: Pick<Policy, 'graph'>): TransportEnvironment {
  return {
    graph: policy.graph,
    naaSupported: requirementSupported('NestedAppAuth', '1.1'),
    developmentGraph: developmentHooks().graph ?? null,
    endpoints: mailboxEndpoints(),
  };
}

export interface CreateTransportOptions {
  /** May NAA show a sign-in popup (task pane: yes; event handler: no)? */
  interactive: boolean;
  /** The organisation's Exchange Server size limit, when known. */
  ewsMaxMessageBytes?: number;
}

/** The transport for this environment, or a `usage` error that says what is missing. */
export function createTransport(env: TransportEnvironment, options: CreateTransportOptions): Transport {
  const choice = chooseTransport(env);
  switch (choice.kind) {
    case 'graph':
      if (choice.via === 'development') {
        const token = choice.graph.accessToken;
        return graphTransport({ baseUrl: choice.graph.baseUrl, token: () => Promise.resolve(token) });
      }
      return graphTransport({
        baseUrl: DEFAULT_GRAPH_BASE,
        token: () => acquireGraphToken(choice.config, { interactive: options.interactive, loginHint: signedInUser()?.email || undefined }),
      });
    case 'ews':
      return ewsTransport({ maxMessageBytes: options.ewsMaxMessageBytes });
    case 'none':
      throw new SignetError('usage', choice.reason);
  }
}
