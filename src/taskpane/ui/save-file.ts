// Saving bytes from the pane as a file the browser downloads: an attachment, a certificate, an exported
// identity. The Blob and its object URL are made at the click, not when the view renders: a message with
// attachments then holds no second copy of them in blob storage until the reader asks for one (issue 17,
// the pane's memory per message). The anchor is clicked within the user's click, so the download keeps
// its user activation; the URL is revoked once the browser has had time to start reading it.

const REVOKE_AFTER_MS = 60_000;

export function saveFile(bytes: Uint8Array, name: string, type = 'application/octet-stream'): void {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), REVOKE_AFTER_MS);
}
