// The content iframe's sandbox (ARCHITECTURE.md rules 7 and 11), in its own module so the pane's initial bundle and
// the e2e tests can name it without pulling in DOMPurify (which lives in the lazily loaded engine chunk).

/**
 * No allow-scripts, no allow-same-origin: the message document runs no script and has an opaque origin.
 * allow-popups(-to-escape-sandbox) only lets a link the reader clicks open in a new, normal tab.
 */
export const CONTENT_SANDBOX = 'allow-popups allow-popups-to-escape-sandbox';

/**
 * Content whose links are inert (not integrity-protected, or under a failed check): every sandbox flag off,
 * so even a link the sanitiser missed could not open a window (links are opened from the pane's chrome).
 */
export const INERT_CONTENT_SANDBOX = '';

/** The heading of the warning region around content under a failed check (ARCHITECTURE.md rule 10). */
export const FAILED_CHECK_HEADING = 'Content of a message that failed its check — do not act on it';
