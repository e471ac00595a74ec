// Internationalised domain names for comparison (RFC 5890-5891 labels, RFC 3492 Punycode): a domain written
// with U-labels ("münchen.example") and the same domain with A-labels ("xn--mnchen-3ya.example") are one
// domain, for sender binding (ARCHITECTURE.md rule 4) and name constraints (RFC 5280 §7.2-7.5). Written out
// here (small) so src/core keeps working in browsers, where no punycode module exists.

const BASE = 36;
const TMIN = 1;
const TMAX = 26;
const SKEW = 38;
const DAMP = 700;
const INITIAL_BIAS = 72;
const INITIAL_N = 0x80;
/** DNS labels are at most 63 octets (RFC 1035 §2.3.4); longer input is not a label and is not decoded. */
const MAX_LABEL = 63;

function adapt(delta: number, numPoints: number, first: boolean): number {
  delta = first ? Math.floor(delta / DAMP) : delta >> 1;
  delta += Math.floor(delta / numPoints);
  let k = 0;
  while (delta > ((BASE - TMIN) * TMAX) >> 1) {
    delta = Math.floor(delta / (BASE - TMIN));
    k += BASE;
  }
  return k + Math.floor(((BASE - TMIN + 1) * delta) / (delta + SKEW));
}

const threshold = (k: number, bias: number): number => (k <= bias ? TMIN : k >= bias + TMAX ? TMAX : k - bias);
const digitChar = (d: number): string => String.fromCharCode(d < 26 ? 97 + d : 22 + d);

function charDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 22;
  if (c >= 0x41 && c <= 0x5a) return c - 0x41;
  if (c >= 0x61 && c <= 0x7a) return c - 0x61;
  return BASE;
}

/** RFC 3492 §6.3: Unicode label → Punycode (without the "xn--" prefix). */
export function punycodeEncode(label: string): string {
  const cps = Array.from(label, (c) => c.codePointAt(0)!);
  let out = cps.filter((c) => c < 0x80).map((c) => String.fromCharCode(c)).join('');
  const b = out.length;
  let h = b;
  if (b > 0) out += '-';
  let n = INITIAL_N;
  let delta = 0;
  let bias = INITIAL_BIAS;
  while (h < cps.length) {
    let m = Infinity;
    for (const c of cps) if (c >= n && c < m) m = c;
    delta += (m - n) * (h + 1);
    n = m;
    for (const c of cps) {
      if (c < n) delta++;
      if (c !== n) continue;
      let q = delta;
      for (let k = BASE; ; k += BASE) {
        const t = threshold(k, bias);
        if (q < t) break;
        out += digitChar(t + ((q - t) % (BASE - t)));
        q = Math.floor((q - t) / (BASE - t));
      }
      out += digitChar(q);
      bias = adapt(delta, h + 1, h === b);
      delta = 0;
      h++;
    }
    delta++;
    n++;
  }
  return out;
}

/** RFC 3492 §6.2: Punycode (without "xn--") → Unicode label; null when it is not valid Punycode. */
export function punycodeDecode(input: string): string | null {
  if (input.length > MAX_LABEL) return null;
  const dash = input.lastIndexOf('-');
  const output: number[] = [];
  for (let j = 0; j < Math.max(dash, 0); j++) {
    const c = input.charCodeAt(j);
    if (c >= 0x80) return null;
    output.push(c);
  }
  let i = 0;
  let n = INITIAL_N;
  let bias = INITIAL_BIAS;
  for (let idx = dash > 0 ? dash + 1 : 0; idx < input.length; ) {
    const oldi = i;
    let w = 1;
    for (let k = BASE; ; k += BASE) {
      if (idx >= input.length) return null;
      const d = charDigit(input.charCodeAt(idx++));
      if (d >= BASE) return null;
      i += d * w;
      const t = threshold(k, bias);
      if (d < t) break;
      w *= BASE - t;
      if (w > 0x7fffffff) return null;
    }
    if (i > 0x7fffffff) return null;
    bias = adapt(i - oldi, output.length + 1, oldi === 0);
    n += Math.floor(i / (output.length + 1));
    if (n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return null;
    i %= output.length + 1;
    output.splice(i++, 0, n);
  }
  return String.fromCodePoint(...output);
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

/**
 * A domain's comparison key: every label lowercased (after NFKC, the mapping step of UTS #46) and in
 * A-label form, so "MÜNCHEN.example", "münchen.example" and "xn--mnchen-3ya.example" give one key. An
 * "xn--" label that is not valid Punycode is kept as written (lowercased): it then equals only itself.
 * Domain literals ("[192.0.2.1]") are returned lowercased.
 */
export function domainKey(domain: string): string {
  if (domain.startsWith('[')) return domain.toLowerCase();
  return domain
    .split('.')
    .map((raw) => {
      let label = raw;
      if (/^xn--/i.test(label)) {
        const u = punycodeDecode(label.slice(4).toLowerCase());
        if (u === null || isAscii(u)) return label.toLowerCase();
        label = u;
      }
      label = label.normalize('NFKC').toLowerCase();
      if (isAscii(label)) return label;
      // RFC 3492's encoder costs label length × distinct code points. A label of more than 63 code
      // points has no A-label of at most 63 octets (RFC 5890 §2.3.2.1; every code point costs at least
      // one Punycode digit), so it is not a domain label: it is kept as written, where it can only equal
      // itself (issue 13: a From domain of 100k distinct CJK characters otherwise took seconds).
      if (label.length > MAX_LABEL) return label;
      return 'xn--' + punycodeEncode(label);
    })
    .join('.');
}

