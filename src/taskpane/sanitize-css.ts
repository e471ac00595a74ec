// The CSS filter of the content sandbox (ARCHITECTURE.md rule 7: decrypted HTML is shown with no remote loads at all).
// The iframe's CSP already forbids every load; this filter makes sure nothing is even attempted and that the
// pane's "N remote items blocked" count is exact. Pure and DOM-free (unit-tested in Node).
//
// Method: the style sheet is split the way a CSS parser splits it (CSS Syntax Level 3 §5: rules, at-rules,
// blocks, declarations; strings, comments and escapes respected, so a ';' or '}' inside a string does not end
// anything). Each declaration, rule prelude and at-rule is then judged on its NORMALISED text — comments
// removed (§4.3.2), escapes decoded (§4.3.7, so `u\72 l(` is `url(` and `@\69mport` is `@import`), lowercased —
// and dropped whole if it could load anything: url(), image-set() and -webkit-image-set(), image(),
// cross-fade(), element(), src(), paint(), IE's expression(), behavior, -moz-binding, progid filters, @import,
// @font-face. Kept text is the original (its meaning is what was judged); dropped text is counted once per
// declaration or rule. Anything ambiguous (a loader name inside a string, an unbalanced block) is dropped.

/** Functions and words whose presence in a normalised declaration means it may load something. */
const LOADERS = /(?:url|image-set|image|cross-fade|element|src|paint|expression)\(|progid:|javascript:|vbscript:/;
/** url() of a data: URL or of a fragment of the document itself: dropped with the rest, but not remote. */
const LOCAL_URL = /url\(\s*["']?\s*(?:data:|#)[^)]*\)/g;
/** Properties that load or run something whatever their value (IE behaviors, Mozilla XBL bindings). */
const LOADING_PROPERTIES = new Set(['behavior', '-ms-behavior', '-moz-binding', 'binding']);
/** At-rules whose block holds further rules that are filtered the same way. */
const NESTING_AT_RULES = new Set(['media', 'supports', 'layer', 'container', 'scope', 'starting-style', 'keyframes', '-webkit-keyframes', 'document', '-moz-document']);

export interface CssResult {
  css: string;
  /** Declarations and rules dropped because they could load something. */
  blocked: number;
}

const isHex = (c: string): boolean => /^[0-9a-f]$/i.test(c);
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f';

/**
 * CSS Syntax Level 3 §4.3.7 "consume an escaped code point", applied everywhere, and §4.3.2 comments removed:
 * what a CSS parser sees. An escaped newline (a line continuation in strings, §4.3.5) disappears. A backslash
 * at the very end becomes U+FFFD. Code points 0, surrogates and beyond U+10FFFF become U+FFFD.
 */
export function normaliseCss(css: string): string {
  let out = '';
  let i = 0;
  while (i < css.length) {
    const c = css[i]!;
    if (c === '/' && css[i + 1] === '*') {
      const end = css.indexOf('*/', i + 2);
      i = end < 0 ? css.length : end + 2;
      continue;
    }
    if (c !== '\\') {
      out += c;
      i++;
      continue;
    }
    i++;
    if (i >= css.length) {
      out += '\uFFFD';
      break;
    }
    const n = css[i]!;
    if (n === '\n' || n === '\r' || n === '\f') {
      i += n === '\r' && css[i + 1] === '\n' ? 2 : 1;
      continue;
    }
    if (isHex(n)) {
      let hex = '';
      while (i < css.length && hex.length < 6 && isHex(css[i]!)) hex += css[i++];
      if (css[i] === '\r' && css[i + 1] === '\n') i += 2;
      else if (isSpace(css[i])) i++;
      const cp = parseInt(hex, 16);
      out += cp === 0 || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff ? '\uFFFD' : String.fromCodePoint(cp);
      continue;
    }
    out += css.slice(i, i + (n.codePointAt(0)! > 0xffff ? 2 : 1));
    i += n.codePointAt(0)! > 0xffff ? 2 : 1;
  }
  return out.replace(/\s+/g, ' ').toLowerCase();
}

/**
 * Reads from `i` to the first of `stops` at nesting level zero, skipping strings, comments, escapes and
 * balanced (), [] and {} (a `}` at level zero is a stop only when listed). Returns the stop's index, or the
 * length of the text.
 */
function scanTo(css: string, i: number, stops: string): number {
  const closers: string[] = [];
  while (i < css.length) {
    const c = css[i]!;
    if (c === '\\') {
      i += 2;
      continue;
    }
    if (c === '/' && css[i + 1] === '*') {
      const end = css.indexOf('*/', i + 2);
      i = end < 0 ? css.length : end + 2;
      continue;
    }
    if (c === '"' || c === "'") {
      // §4.3.5: a string ends at its quote, or (a bad string) at an unescaped newline.
      i++;
      while (i < css.length && css[i] !== c && css[i] !== '\n') i += css[i] === '\\' ? 2 : 1;
      i++;
      continue;
    }
    if (closers.length === 0 && stops.includes(c)) return i;
    if (c === '(' || c === '[' || c === '{') closers.push(c === '(' ? ')' : c === '[' ? ']' : '}');
    else if (closers.length > 0 && c === closers[closers.length - 1]) closers.pop();
    i++;
  }
  return css.length;
}

function dangerous(normalised: string): boolean {
  return LOADERS.test(normalised);
}

/** An at-rule that loads (@import, @font-face) appearing inside other text (a nested or malformed rule). */
const AT_LOADER = /@(?:import|font-face)/;

/** Whether a dropped item referred to anything outside the message (what the "blocked" count counts). */
function remote(normalised: string): boolean {
  return LOADERS.test(normalised.replace(LOCAL_URL, ''));
}

/** Filters a declaration list (a style attribute, or a rule's block; nested rules in it are judged whole). */
export function filterDeclarations(css: string): CssResult {
  let blocked = 0;
  const kept: string[] = [];
  let i = 0;
  while (i < css.length) {
    const end = scanTo(css, i, ';');
    const decl = css.slice(i, end);
    i = end + 1;
    const norm = normaliseCss(decl).trim();
    if (norm === '') continue;
    const property = norm.split(':', 1)[0]!.trim();
    if (dangerous(norm) || LOADING_PROPERTIES.has(property) || AT_LOADER.test(norm)) {
      if (remote(norm) || LOADING_PROPERTIES.has(property) || norm.includes('@import')) blocked++;
      continue;
    }
    kept.push(decl.trim());
  }
  return { css: kept.join('; '), blocked };
}

/** Filters a style sheet (the text of a <style> element). */
export function filterStyleSheet(css: string, depth = 0): CssResult {
  let blocked = 0;
  let out = '';
  let i = 0;
  while (i < css.length) {
    while (i < css.length && isSpace(css[i])) i++;
    if (css.startsWith('/*', i)) {
      const end = css.indexOf('*/', i + 2);
      i = end < 0 ? css.length : end + 2;
      continue;
    }
    if (i >= css.length) break;
    // A rule (qualified or at-rule): prelude up to '{' or, for statement at-rules, ';'.
    const stop = scanTo(css, i, '{;');
    const prelude = css.slice(i, stop);
    const normPrelude = normaliseCss(prelude).trim();
    if (stop >= css.length) {
      // No block and no ';': nothing a parser would apply, except a last statement at-rule (@import "x").
      if (normPrelude.startsWith('@import') || remote(normPrelude)) blocked++;
      break;
    }
    if (css[stop] === ';') {
      i = stop + 1;
      if (normPrelude.startsWith('@')) {
        if (normPrelude.includes('@import') || remote(normPrelude)) blocked++;
        else if (dangerous(normPrelude) || AT_LOADER.test(normPrelude)) {
          // dropped, nothing remote
        } else if (/^@(?:charset|namespace|layer)\b/.test(normPrelude)) out += `${prelude.trim()};\n`;
      }
      // A ';' in a qualified rule's prelude makes it invalid (§5.4.3 drops it with its block): drop it here too.
      continue;
    }
    const close = scanTo(css, stop + 1, '}');
    const block = css.slice(stop + 1, close);
    i = close + 1;
    if (normPrelude.startsWith('@')) {
      const name = /^@([-a-z0-9_]+)/.exec(normPrelude)?.[1] ?? '';
      if (name === 'import' || name === 'font-face' || dangerous(normPrelude) || AT_LOADER.test(normPrelude.slice(1))) {
        // @font-face counts when its block or prelude names something to load (a src: of local() only does not).
        if (name === 'import' || remote(normPrelude) || (name === 'font-face' && remote(normaliseCss(block)))) blocked++;
        continue;
      }
      if (NESTING_AT_RULES.has(name) && depth < 8) {
        const inner = name.endsWith('keyframes') ? filterKeyframes(block) : filterStyleSheet(block, depth + 1);
        blocked += inner.blocked;
        out += `${prelude.trim()} {\n${inner.css}}\n`;
        continue;
      }
      if (name === 'page' || name === 'font-feature-values' || name === 'counter-style' || name === 'property') {
        const inner = filterDeclarations(block);
        blocked += inner.blocked;
        out += `${prelude.trim()} { ${inner.css} }\n`;
      }
      continue;
    }
    if (dangerous(normPrelude) || AT_LOADER.test(normPrelude)) {
      if (remote(normPrelude) || normPrelude.includes('@import')) blocked++;
      continue;
    }
    const inner = filterDeclarations(block);
    blocked += inner.blocked;
    out += `${prelude.trim()} { ${inner.css} }\n`;
  }
  return { css: out, blocked };
}

function filterKeyframes(css: string): CssResult {
  let blocked = 0;
  let out = '';
  let i = 0;
  while (i < css.length) {
    const stop = scanTo(css, i, '{');
    if (stop >= css.length) break;
    const close = scanTo(css, stop + 1, '}');
    const selector = css.slice(i, stop).trim();
    const inner = filterDeclarations(css.slice(stop + 1, close));
    blocked += inner.blocked;
    if (!dangerous(normaliseCss(selector))) out += `${selector} { ${inner.css} }\n`;
    i = close + 1;
  }
  return { css: out, blocked };
}
