// The workbench's Smart Alerts rules (workbench/smart-alerts.ts) against Microsoft's documented
// behaviour, per SendMode: what event.completed({allowEvent, errorMessage, cancelLabel, commandId,
// sendModeOverride}) does, and what a timeout or an unavailable add-in does. Each case asserts the exact
// decision: send, or the dialog's reason and buttons.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideSend, longRunningAlert, MAX_ERROR_MESSAGE, type SendDecision, type SendMode, type SendOutcome } from '../../../workbench/smart-alerts.js';

const ADDIN = { name: 'Signet', taskPaneIds: new Set(['signetComposePaneButton']) };
const MODES: SendMode[] = ['PromptUser', 'SoftBlock', 'Block'];

function buttons(d: SendDecision): string[] {
  assert.equal(d.action, 'alert');
  return d.action === 'alert' ? d.alert.buttons.map((b) => b.id) : [];
}

const completed = (options?: Office.SmartAlertsEventCompletedOptions): SendOutcome => ({ kind: 'completed', options });

test('allowEvent: true sends in every mode; a missing allowEvent sends too, with a note', () => {
  for (const mode of MODES) {
    assert.deepEqual(decideSend(mode, completed({ allowEvent: true }), ADDIN), { action: 'send', notes: [] });
    const implicit = decideSend(mode, completed(), ADDIN);
    assert.equal(implicit.action, 'send');
    assert.match(implicit.notes.join(), /without allowEvent/);
  }
});

test('allowEvent: false stops the send: Don\'t Send everywhere, Send Anyway only in PromptUser', () => {
  const block = (mode: SendMode) => decideSend(mode, completed({ allowEvent: false, errorMessage: 'Recipient bob@example.org has no certificate.' }), ADDIN);
  assert.deepEqual(buttons(block('PromptUser')), ['send-anyway', 'dont-send']);
  assert.deepEqual(buttons(block('SoftBlock')), ['dont-send']);
  assert.deepEqual(buttons(block('Block')), ['dont-send']);
  const d = block('SoftBlock');
  assert.ok(d.action === 'alert');
  assert.equal(d.alert.reason, 'blocked');
  assert.equal(d.alert.message, 'Recipient bob@example.org has no certificate.');
  assert.equal(d.alert.title, 'Signet');
  assert.equal(d.alert.commandId, null);
});

test('without errorMessage Outlook shows its default sentence; over 500 characters is cut, with a note', () => {
  const d = decideSend('SoftBlock', completed({ allowEvent: false }), ADDIN);
  assert.ok(d.action === 'alert');
  assert.equal(d.alert.message, 'Signet is preventing this email from being sent.');
  const long = decideSend('SoftBlock', completed({ allowEvent: false, errorMessage: 'x'.repeat(600) }), ADDIN);
  assert.ok(long.action === 'alert');
  assert.equal(long.alert.message.length, MAX_ERROR_MESSAGE);
  assert.match(long.notes.join(), /600 characters/);
});

test('commandId adds the Take Action button (cancelLabel as its text) that opens that task pane', () => {
  const d = decideSend('SoftBlock', completed({ allowEvent: false, errorMessage: 'Open Signet to finish.', commandId: 'signetComposePaneButton', cancelLabel: 'Open Signet' }), ADDIN);
  assert.ok(d.action === 'alert');
  assert.deepEqual(d.alert.buttons, [
    { id: 'dont-send', label: "Don't Send" },
    { id: 'take-action', label: 'Open Signet' },
  ]);
  assert.equal(d.alert.commandId, 'signetComposePaneButton');
  assert.deepEqual(d.notes, []);
  const unknown = decideSend('SoftBlock', completed({ allowEvent: false, commandId: 'noSuchButton' }), ADDIN);
  assert.ok(unknown.action === 'alert');
  assert.deepEqual(unknown.alert.buttons.map((b) => b.label), ["Don't Send", 'Take Action']);
  assert.equal(unknown.alert.commandId, null, 'an unknown commandId only cancels');
  assert.match(unknown.notes.join(), /noSuchButton/);
  const lonely = decideSend('SoftBlock', completed({ allowEvent: false, cancelLabel: 'Fix it' }), ADDIN);
  assert.deepEqual(buttons(lonely), ['dont-send']);
  assert.match(lonely.notes.join(), /cancelLabel without commandId/);
  const longLabel = decideSend('SoftBlock', completed({ allowEvent: false, commandId: 'signetComposePaneButton', cancelLabel: 'Open the Signet pane now' }), ADDIN);
  assert.ok(longLabel.action === 'alert');
  assert.equal(longLabel.alert.buttons.at(-1)!.label, 'Open the Signet pane');
});

test('sendModeOverride "promptUser" offers Send Anyway even in SoftBlock and Block; other values are ignored', () => {
  for (const mode of ['SoftBlock', 'Block'] as const) {
    assert.deepEqual(buttons(decideSend(mode, completed({ allowEvent: false, sendModeOverride: 'promptUser' }), ADDIN)), ['send-anyway', 'dont-send']);
  }
  const bogus = decideSend('SoftBlock', completed({ allowEvent: false, sendModeOverride: 'softBlock' }), ADDIN);
  assert.deepEqual(buttons(bogus), ['dont-send']);
  assert.match(bogus.notes.join(), /only "promptUser"/);
});

test('a timeout never sends by itself: SoftBlock and Block need a new Send, PromptUser may Send Anyway', () => {
  const t: SendOutcome = { kind: 'timeout', detail: 'the handler threw TypeError' };
  assert.deepEqual(buttons(decideSend('SoftBlock', t, ADDIN)), ['ok']);
  assert.deepEqual(buttons(decideSend('Block', t, ADDIN)), ['ok']);
  assert.deepEqual(buttons(decideSend('PromptUser', t, ADDIN)), ['send-anyway', 'dont-send']);
  const d = decideSend('SoftBlock', t, ADDIN);
  assert.ok(d.action === 'alert');
  assert.equal(d.alert.reason, 'timeout');
  assert.match(d.alert.message, /wasn't sent/);
  assert.deepEqual(d.notes, ['the handler threw TypeError']);
});

test('an unavailable add-in: Send Anyway or Try Later in PromptUser and SoftBlock, nothing in Block', () => {
  const u: SendOutcome = { kind: 'unavailable', detail: 'commands.html: HTTP 404' };
  assert.deepEqual(buttons(decideSend('PromptUser', u, ADDIN)), ['send-anyway', 'try-later']);
  assert.deepEqual(buttons(decideSend('SoftBlock', u, ADDIN)), ['send-anyway', 'try-later']);
  assert.deepEqual(buttons(decideSend('Block', u, ADDIN)), ['ok']);
});

test('the long-running notice lets only PromptUser send without waiting', () => {
  assert.deepEqual(longRunningAlert('PromptUser', ADDIN).buttons.map((b) => b.id), ['send-anyway', 'dont-send']);
  assert.deepEqual(longRunningAlert('SoftBlock', ADDIN).buttons, []);
  assert.deepEqual(longRunningAlert('Block', ADDIN).buttons, []);
});
