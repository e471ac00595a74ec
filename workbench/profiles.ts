// One profile per Outlook client, as data taken from Microsoft's documentation and the office-js issue
// tracker. The workbench simulates the chosen profile (the switch in its header, or `?profile=<id>`): the
// fake Office answers isSetSupported and exposes only the Office.js members of the profile's Mailbox
// requirement sets (fake-office.ts gateMembers), Nested App Authentication only where the profile has it,
// the item class the client reports for S/MIME mail, the "Restricted item" prompt, and Smart Alerts only
// where the client runs them. test/e2e/profiles.test.ts runs the read, compose-and-send and guard journeys
// in every profile and writes the support matrix (support-matrix.ts) from what it saw.
//
// Sources, cited per value below by these keys:
// [RS]  Outlook JavaScript API requirement set support, office-js-docs-reference
//       docs/requirement-sets/outlook/outlook-api-requirement-sets.md at fa81c2a (2026-08-21):
//       "Requirement sets supported by Exchange servers and Outlook clients" (client table; server table;
//       "Version support for requirement sets in classic Outlook on Windows").
//       https://learn.microsoft.com/javascript/api/requirement-sets/outlook/outlook-api-requirement-sets
// [SA]  Handle OnMessageSend and OnAppointmentSend events in your Outlook add-in with Smart Alerts,
//       office-js-docs-pr docs/outlook/onmessagesend-onappointmentsend-events.md: "Supported clients and
//       platforms", "Available send mode options", "Long-running add-in operations" (5 s), "Add-in timed
//       out" (5 min), "User navigates away from current message".
//       https://learn.microsoft.com/office/dev/add-ins/outlook/onmessagesend-onappointmentsend-events
// [SW]  Automatically check for an attachment before a message is sent (Smart Alerts walkthrough),
//       office-js-docs-pr docs/outlook/smart-alerts-onmessagesend-walkthrough.md: Take Action / Don't Send
//       button per client and version (commandId 1.14, contextData 1.15).
// [EA]  Activate add-ins with events, office-js-docs-pr docs/develop/event-based-activation.md: JavaScript-only
//       runtime in classic Outlook on Windows, browser runtime elsewhere.
// [NAA] Nested app authentication requirement sets, office-js-docs-reference
//       docs/requirement-sets/common/nested-app-auth-requirement-sets.md (and the NestedAppAuth 1.1 column
//       of [RS]'s client table).
// [4334] office-js #4334: the same signed/encrypted message is IPM.Note in classic Outlook on Windows,
//       IPM.Note.SMIME.MultipartSigned in Outlook on the web and on Mac.
// [6569] office-js #6569: a "Restricted item" error before a task pane opens on S/MIME-encrypted mail in
//       the new Outlook and Outlook on the web (platforms PC, Mac, web; "not Outlook Classic"); after OK
//       the add-in loads.
// [3363] office-js #3363: addFileAttachmentAsync never calls back while composing S/MIME mail on the web.

import type { SendMode } from './smart-alerts.js';

export type ProfileId = 'web-exo' | 'new-outlook' | 'classic-current' | 'classic-ltsc2021' | 'mac' | 'web-exchange2019';

export interface ClientProfile {
  id: ProfileId;
  /** What a user calls it. */
  name: string;
  /** The highest Mailbox requirement set the client reports (every set from 1.1 up to it). [RS] */
  mailbox: string;
  /** Where the mailbox is: Exchange Online (Graph) or Exchange Server on-premises (EWS). */
  exchange: 'online' | 'on-premises';
  /** NestedAppAuth 1.1: the Graph token Signet sends with in Exchange Online. [NAA] */
  nestedAppAuth: boolean;
  /** Where launch events run: a browser runtime, classic Outlook's JavaScript-only runtime, or not at all. [EA] */
  eventRuntime: 'browser' | 'javascript-only' | 'none';
  /** Smart Alerts (OnMessageSend): run at all, and with which send modes. [SA] */
  smartAlerts: { supported: boolean; sendModes: readonly SendMode[] };
  /** "Take Action" (commandId) on the Smart Alerts dialog; false → "Don't Send" only, words must say where the pane is. [SW] */
  takeAction: boolean;
  /** Navigating away while OnMessageSend runs: a Wait / Save as Draft dialog, or processing on in the background. [SA] */
  navigateAway: 'dialog' | 'background' | 'not-applicable';
  /** Item class reported for a received S/MIME message. [4334] */
  smimeItemClass: 'IPM.Note' | 'IPM.Note.SMIME.MultipartSigned';
  /** "Restricted item" prompt before the pane opens on S/MIME-encrypted mail. [6569] */
  restrictedItemPrompt: boolean;
  /** addFileAttachmentAsync never calls back on S/MIME compose (Signet never uses it: it sends its own MIME). [3363] */
  addFileAttachmentHangs: boolean;
  /** Where each value comes from (keys above), and what the profile leaves out. */
  notes: string;
}

export const LONG_RUNNING_NOTICE_MS = 5_000; // [SA] "more than five seconds"
export const SEND_HANDLER_TIMEOUT_MS = 5 * 60_000; // [SA] "five minutes or more"

const ALL_MODES: readonly SendMode[] = ['PromptUser', 'SoftBlock', 'Block'];

export const PROFILES: readonly ClientProfile[] = [
  {
    id: 'web-exo',
    name: 'Outlook on the web (Exchange Online)',
    mailbox: '1.16', // [RS] web browser, modern UI, Exchange Online: 1.1–1.16, NestedAppAuth 1.1
    exchange: 'online',
    nestedAppAuth: true,
    eventRuntime: 'browser', // [EA]
    smartAlerts: { supported: true, sendModes: ALL_MODES }, // [SA] Web browser (modern UI)
    takeAction: true, // [SW] web browser: Take Action
    navigateAway: 'dialog', // [SA] reply in the Reading Pane: Wait / Save as Draft
    smimeItemClass: 'IPM.Note.SMIME.MultipartSigned', // [4334]
    restrictedItemPrompt: true, // [6569]
    addFileAttachmentHangs: true, // [3363]
    notes: '[RS] [SA] [SW] [EA] [NAA] [4334] [6569] [3363]',
  },
  {
    id: 'new-outlook',
    name: 'new Outlook for Windows',
    mailbox: '1.16', // [RS] Windows, new Outlook UI with a Microsoft 365 subscription: 1.1–1.16, NestedAppAuth 1.1
    exchange: 'online',
    nestedAppAuth: true,
    eventRuntime: 'browser', // [EA]
    smartAlerts: { supported: true, sendModes: ALL_MODES }, // [SA] Windows (new)
    takeAction: true, // [SW] Windows (new): Take Action
    navigateAway: 'dialog', // [SA] same tab as the web
    smimeItemClass: 'IPM.Note.SMIME.MultipartSigned', // [4334] names web and Mac; the new Outlook runs the web client
    restrictedItemPrompt: true, // [6569] "New Outlook"
    addFileAttachmentHangs: true, // [3363] the web client's compose
    notes: '[RS] [SA] [SW] [EA] [NAA] [6569]; item class and #3363 assumed as on the web (the new Outlook is the web client), not stated by #4334/#3363',
  },
  {
    id: 'classic-current',
    name: 'classic Outlook for Windows (Microsoft 365, Current Channel)',
    mailbox: '1.16', // [RS] classic Outlook, Microsoft 365 subscription: 1.1–1.16 (1.16 from Version 2602)
    exchange: 'online',
    nestedAppAuth: true, // [NAA] Version 2409 (Build 18025.20000) and later
    eventRuntime: 'javascript-only', // [EA] launchevent.js
    smartAlerts: { supported: true, sendModes: ALL_MODES }, // [SA] Version 2206 (Build 15330.20196) and later
    takeAction: true, // [SW] Version 2412 (Build 18324.20000) and later: Take Action
    navigateAway: 'dialog', // [SA] classic tab: Wait / Save as Draft for the Reading Pane
    smimeItemClass: 'IPM.Note', // [4334]
    restrictedItemPrompt: false, // [6569] "not Outlook Classic"
    addFileAttachmentHangs: false,
    notes: '[RS] [SA] [SW] [EA] [NAA] [4334] [6569]; the workbench runs launchevent.js\'s decisions through the same guard (guard.ts) in its browser frame',
  },
  {
    id: 'classic-ltsc2021',
    name: 'classic Outlook for Windows (volume-licensed LTSC 2021)',
    mailbox: '1.9', // [RS] volume-licensed perpetual/LTSC Outlook 2021: 1.1–1.9, no NestedAppAuth
    exchange: 'online',
    nestedAppAuth: false, // [RS] no NestedAppAuth in that row
    eventRuntime: 'none', // [SA] Smart Alerts need 1.12; OnNewMessageCompose 1.10 — below both
    smartAlerts: { supported: false, sendModes: [] },
    takeAction: false,
    navigateAway: 'not-applicable',
    smimeItemClass: 'IPM.Note', // [4334]
    restrictedItemPrompt: false, // [6569]
    addFileAttachmentHangs: false,
    notes: '[RS] [SA] [4334] [6569]',
  },
  {
    id: 'mac',
    name: 'Outlook for Mac (new UI)',
    mailbox: '1.14', // [RS] Mac, new UI: 1.1–1.14, NestedAppAuth 1.1
    exchange: 'online',
    nestedAppAuth: true,
    eventRuntime: 'browser', // [EA]
    smartAlerts: { supported: true, sendModes: ALL_MODES }, // [SA] Version 16.65 (22082700) and later
    takeAction: true, // [SW] Mac 16.100: Don't Send customisable with commandId (Take Action 16.105, preview)
    navigateAway: 'background', // [SA] Mac tab: processing continues in the background
    smimeItemClass: 'IPM.Note.SMIME.MultipartSigned', // [4334]
    restrictedItemPrompt: true, // [6569] lists Mac among the platforms of the new Outlook
    addFileAttachmentHangs: false,
    notes: '[RS] [SA] [SW] [EA] [NAA] [4334] [6569]; contextData (1.15) is not available (Mailbox 1.14)',
  },
  {
    id: 'web-exchange2019',
    name: 'Outlook on the web (Exchange Server 2019)',
    mailbox: '1.6', // [RS] web browser, classic UI with Exchange on-premises: 1.1–1.6 (the server table: 2019 → 1.1–1.5)
    exchange: 'on-premises',
    nestedAppAuth: false, // [RS] no NestedAppAuth in that row; there is no Graph on-premises either
    eventRuntime: 'none', // [SA] no Smart Alerts below 1.12
    smartAlerts: { supported: false, sendModes: [] },
    takeAction: false,
    navigateAway: 'not-applicable',
    smimeItemClass: 'IPM.Note.SMIME.MultipartSigned', // [4334] web
    restrictedItemPrompt: false, // [6569] is about the modern web client
    addFileAttachmentHangs: false,
    notes: '[RS] [SA] [4334]',
  },
];

export const DEFAULT_PROFILE: ProfileId = 'web-exo';

export function profileById(id: string | null | undefined): ClientProfile {
  return PROFILES.find((p) => p.id === id) ?? PROFILES.find((p) => p.id === DEFAULT_PROFILE)!;
}
