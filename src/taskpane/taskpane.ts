// Task pane entry point: wires the page up at once (so it works standalone, without office.js), then waits
// for Office.onReady and, inside Outlook, shows the selected message and follows ItemChanged (pinned pane).
// The file chooser / drop target is the path DESIGN.md keeps for mail that Outlook cannot hand over.

import { defaultLimits } from '../core/config.js';
import { isSignetError } from '../core/errors.js';
import { getItemSubject, inOutlook, onItemChanged, whenOfficeReady } from '../outlook/office.js';
import { describeMessage, type MessageSummary } from './describe.js';

function element<T extends HTMLElement>(id: string, type: new () => T): T {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`taskpane.html has no #${id} of the expected type`);
  return el;
}

const ui = {
  status: element('status', HTMLParagraphElement),
  itemSection: element('item-section', HTMLElement),
  itemSubject: element('item-subject', HTMLElement),
  dropzone: element('dropzone', HTMLDivElement),
  fileInput: element('file-input', HTMLInputElement),
  fileFacts: element('file-facts', HTMLElement),
  fileName: element('file-name', HTMLElement),
  fileSize: element('file-size', HTMLElement),
  fileSubject: element('file-subject', HTMLElement),
  fileType: element('file-type', HTMLElement),
};

function setStatus(message: string, kind: 'info' | 'error' = 'info'): void {
  ui.status.textContent = message;
  ui.status.classList.toggle('error', kind === 'error');
}

function formatSize(bytes: number): string {
  const exact = `${bytes.toLocaleString('en-US')} bytes`;
  if (bytes < 1024) return exact;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]} (${exact})`;
}

function smimeHint(summary: MessageSummary): string {
  switch (summary.smime) {
    case 'signed':
      return 'This message is S/MIME signed (multipart/signed). Signature checking arrives in a later version.';
    case 'enveloped-or-opaque':
      return 'This message is S/MIME encrypted or opaque-signed (application/pkcs7-mime). Opening it arrives in a later version.';
    default:
      return 'This message carries no S/MIME layer at its root.';
  }
}

function showSummary(fileName: string, summary: MessageSummary): void {
  ui.fileName.textContent = fileName;
  ui.fileSize.textContent = formatSize(summary.size);
  ui.fileSubject.textContent = summary.subject ?? '(no subject)';
  ui.fileType.textContent = summary.mediaType;
  ui.fileFacts.hidden = false;
  setStatus(`Read ${fileName}. ${smimeHint(summary)}`);
}

async function openFile(file: File): Promise<void> {
  ui.fileFacts.hidden = true;
  // Checked before reading: a multi-gigabyte drop must not be pulled into memory first.
  if (file.size > defaultLimits.maxMessageBytes) {
    setStatus(`${file.name} is too large (${formatSize(file.size)}).`, 'error');
    return;
  }
  setStatus(`Reading ${file.name}…`);
  try {
    const bytes = new Uint8Array(await file.arrayBuffer());
    showSummary(file.name, describeMessage(bytes));
  } catch (e) {
    const detail = isSignetError(e) ? e.message : 'The file could not be read.';
    setStatus(`${file.name}: ${detail}`, 'error');
  }
}

function wireFileInput(): void {
  ui.fileInput.addEventListener('change', () => {
    const file = ui.fileInput.files?.[0];
    if (file) void openFile(file);
  });

  // Without these, a drop that misses the zone makes the browser navigate away to the dropped file.
  for (const type of ['dragover', 'drop'] as const) {
    document.addEventListener(type, (event) => event.preventDefault());
  }
  ui.dropzone.addEventListener('dragenter', () => ui.dropzone.classList.add('dragover'));
  ui.dropzone.addEventListener('dragleave', (event) => {
    if (!ui.dropzone.contains(event.relatedTarget as Node | null)) ui.dropzone.classList.remove('dragover');
  });
  ui.dropzone.addEventListener('drop', (event) => {
    ui.dropzone.classList.remove('dragover');
    const file = event.dataTransfer?.files[0];
    if (file) void openFile(file);
    else setStatus('Drop a message file (.eml). Messages dragged straight from Outlook arrive in a later version.', 'error');
  });
}

async function showSelectedItem(): Promise<void> {
  try {
    const subject = await getItemSubject();
    ui.itemSubject.textContent = subject || '(no subject)';
    ui.itemSection.hidden = false;
  } catch {
    // A pinned pane with nothing selected: hide the section rather than show stale data.
    ui.itemSection.hidden = true;
  }
}

async function connectToOutlook(): Promise<void> {
  const info = await whenOfficeReady();
  if (!inOutlook()) {
    setStatus(
      info.host === null
        ? 'Running outside Outlook. You can still open a message file below.'
        : `Running in ${String(info.host)}, not Outlook. You can still open a message file below.`,
    );
    return;
  }
  setStatus(`Connected to Outlook (${String(info.platform)}).`);
  await showSelectedItem();
  await onItemChanged(() => void showSelectedItem());
}

wireFileInput();
connectToOutlook().catch((e: unknown) => {
  setStatus(`Could not talk to Outlook: ${e instanceof Error ? e.message : String(e)}`, 'error');
});
