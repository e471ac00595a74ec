// PEM armour (RFC 7468) found by plain string search, in linear time. A regular expression of the form
// /-----BEGIN X-----([\s\S]*?)-----END X-----/g restarts its lazy scan at every BEGIN line and is quadratic
// when an input holds many BEGIN lines and no END (fuzz finding F3: 16 000 BEGIN lines, 432 KB, 28 s); an
// AIA, CRL or policy document is attacker-controlled or large enough for that to matter.

export interface PemBlock {
  /** The label between "BEGIN " and "-----", e.g. "CERTIFICATE". */
  label: string;
  /** The text between the BEGIN and END lines, as written (base64, possibly with RFC 1421 headers). */
  body: string;
}

const BEGIN = '-----BEGIN ';
const DASHES = '-----';

/**
 * The PEM blocks of `text` whose label is one of `labels`, in order. A BEGIN line without its END line is
 * skipped, and so is every later block of that label (none of them can have an END either), which keeps
 * the search linear.
 */
export function pemBlocks(text: string, labels: readonly string[]): PemBlock[] {
  const out: PemBlock[] = [];
  const unterminated = new Set<string>();
  let at = 0;
  for (;;) {
    const begin = text.indexOf(BEGIN, at);
    if (begin < 0) break;
    const labelEnd = text.indexOf(DASHES, begin + BEGIN.length);
    if (labelEnd < 0) break;
    const label = text.slice(begin + BEGIN.length, labelEnd);
    at = labelEnd + DASHES.length;
    if (!labels.includes(label) || unterminated.has(label)) continue;
    const endLine = `-----END ${label}-----`;
    const end = text.indexOf(endLine, at);
    if (end < 0) {
      unterminated.add(label);
      continue;
    }
    out.push({ label, body: text.slice(at, end) });
    at = end + endLine.length;
  }
  return out;
}

/** Removes all white space (base64 in PEM is wrapped at 64 columns). */
export function pemBase64(body: string): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) out += body[i];
  }
  return out;
}
