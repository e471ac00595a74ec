// Internationalised domain names for comparison (RFC 5890-5891 labels, RFC 3492 Punycode): a domain written
// with U-labels ("münchen.example") and the same domain with A-labels ("xn--mnchen-3ya.example") are one
// domain, for sender binding (ARCHITECTURE.md rule 4) and name constraints (RFC 5280 §7.2-7.5).
//
// The conversion is the platform's: the WHATWG URL host parser applies UTS #46 ToASCII (mapping, NFC,
// Punycode, validity and bidi checks) in every runtime that calls this — Chromium/WebView2/WebKit in the
// pane and the browser event runtime, Node for the CLI and the tests. The classic-Outlook JavaScript-only
// runtime never calls it (launchevent.ts imports only guard.ts), so no hand-written fallback is kept.
// Each label goes through the parser on its own, after `http://` and before a fixed `.invalid`, so that the
// URL syntax around a host cannot change what is converted: a label holding a character the parser would
// read as URL syntax (port ':', userinfo '@', path '/', '?', '#', '\'), percent-decode ('%'), silently
// drop (tab, newline) or refuse (the other WHATWG forbidden host code points) is not a domain label and is
// kept as written; the fixed last label keeps a numeric label from being read as IPv4.

/** DNS labels are at most 63 octets (RFC 1035 §2.3.4); a longer label has no A-label and is not converted. */
const MAX_LABEL = 63;
const SUFFIX = '.invalid';

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

/** WHATWG URL "forbidden domain code points" (C0 controls, space, % and the URL delimiters) and DEL. */
function hasUrlSyntax(label: string): boolean {
  for (let i = 0; i < label.length; i++) {
    const c = label.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f || '#%/:<>?@[\\]^|'.includes(label[i]!)) return true;
  }
  return false;
}

/** UTS #46 ToASCII of one label through the URL host parser, or null when the parser refuses it. */
function platformToAscii(label: string): string | null {
  try {
    const host = new URL(`http://${label}${SUFFIX}`).hostname;
    return host.endsWith(SUFFIX) ? host.slice(0, -SUFFIX.length) : null;
  } catch {
    return null;
  }
}

function labelKey(raw: string): string {
  // Plain ASCII labels need no conversion; an "xn--" label is checked (a broken one equals only itself).
  if (isAscii(raw) && !/^xn--/i.test(raw)) return raw.toLowerCase();
  const asWritten = raw.normalize('NFKC').toLowerCase();
  // A label of more than 63 code points has no A-label of at most 63 octets (RFC 5890 §2.3.2.1; every code
  // point costs at least one Punycode digit), so it is not a domain label: it is kept as written, where it
  // can only equal itself (issue 13: a From domain of 100k distinct CJK characters must not cost seconds).
  if (asWritten.length > MAX_LABEL || hasUrlSyntax(raw)) return asWritten;
  return platformToAscii(raw) ?? asWritten;
}

/**
 * A domain's comparison key: every label in lowercase A-label form (UTS #46 ToASCII), so "MÜNCHEN.example",
 * "münchen.example" and "xn--mnchen-3ya.example" give one key. A label that is not a valid IDN label (an
 * "xn--" label that is not valid Punycode, a label with URL syntax in it, or one the UTS #46 checks refuse)
 * is kept as written (NFKC, lowercased): it then equals only itself. Domain literals ("[192.0.2.1]") are
 * returned lowercased.
 */
export function domainKey(domain: string): string {
  if (domain.startsWith('[')) return domain.toLowerCase();
  return domain.split('.').map(labelKey).join('.');
}

/**
 * An "xn--" label that is a valid A-label (RFC 5891 §5.4, checked by UTS #46): its Punycode decodes to a
 * valid U-label (NFC, no disallowed, mapped, space, control or out-of-context joiner code points, bidi
 * rule) whose canonical encoding is the label itself, ignoring ASCII case.
 */
export function isValidALabel(label: string): boolean {
  if (!/^xn--/i.test(label) || !isAscii(label) || hasUrlSyntax(label)) return false;
  return platformToAscii(label) === label.toLowerCase();
}
