// Sizes for people, in its own module so the pane's initial bundle (content-view.tsx) does not pull in
// content.ts and the MIME core it imports.

/** "12 B", "1.5 KB", "3.2 MB" (binary multiples, as file managers on Windows show them). */
export function formatSize(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(1)} GB`;
}
