// A small, strict XML 1.0 reader: checks well-formedness (one root, matching tags, unique attributes, quoted
// values, known entities, comments without "--") and builds an element tree with namespace URIs resolved
// (Namespaces in XML 1.0). No DTDs: neither add-in manifests nor EWS SOAP requests need one (a DOCTYPE in a
// request is refused, which also rules out entity-expansion attacks). Used by the workbench's simulated EWS
// endpoint (ews.ts) and by the manifest tests.

export interface XmlElement {
  /** The qualified name as written, e.g. "bt:Image". */
  name: string;
  /** The local part, e.g. "Image". */
  local: string;
  /** The namespace URI the prefix (or the default namespace) resolves to; '' when none. */
  uri: string;
  /** Attributes by qualified name as written (xmlns declarations included). */
  attrs: ReadonlyMap<string, string>;
  children: XmlElement[];
  /** Concatenated character data directly inside this element. */
  text: string;
  /** 1-based line of the start tag, for error messages. */
  line: number;
}

const NAME_START = /[A-Za-z_:\u00C0-\uFFFF]/;
const NAME_CHAR = /[A-Za-z0-9_:.\-\u00B7\u00C0-\uFFFF]/;
/** Deeper nesting than any manifest or EWS request has: a bound on recursion for hostile input. */
const MAX_DEPTH = 100;
const ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function parseXml(source: string): XmlElement {
  let pos = 0;
  const fail = (message: string): never => {
    const line = source.slice(0, pos).split('\n').length;
    throw new Error(`XML not well-formed at line ${line}: ${message}`);
  };
  // Line numbers for error messages, counted incrementally: start tags come in increasing order, and
  // re-splitting a multi-megabyte SOAP body for every element would make parsing quadratic.
  let linePos = 0;
  let lineNo = 1;
  const lineAt = (at: number): number => {
    if (at < linePos) return source.slice(0, at).split('\n').length;
    for (let i = source.indexOf('\n', linePos); i >= 0 && i < at; i = source.indexOf('\n', i + 1)) lineNo++;
    linePos = at;
    return lineNo;
  };
  const startsWith = (s: string): boolean => source.startsWith(s, pos);
  const skipSpace = (): void => {
    while (pos < source.length && ' \t\r\n'.includes(source.charAt(pos))) pos++;
  };
  const readName = (): string => {
    const start = pos;
    if (!NAME_START.test(source.charAt(pos))) fail('expected a name');
    pos++;
    while (pos < source.length && NAME_CHAR.test(source.charAt(pos))) pos++;
    return source.slice(start, pos);
  };
  const decode = (raw: string): string => {
    if (!raw.includes('&') && !raw.includes('<')) return raw;
    let out = '';
    for (let i = 0; i < raw.length; i++) {
      const c = raw.charAt(i);
      if (c === '<') fail('"<" in character data or attribute value');
      if (c !== '&') {
        out += c;
        continue;
      }
      const end = raw.indexOf(';', i);
      if (end < 0) fail('unterminated entity reference');
      const ref = raw.slice(i + 1, end);
      if (ref.startsWith('#x')) out += String.fromCodePoint(parseInt(ref.slice(2), 16));
      else if (ref.startsWith('#')) out += String.fromCodePoint(parseInt(ref.slice(1), 10));
      else if (ref in ENTITIES) out += ENTITIES[ref];
      else fail(`unknown entity &${ref};`);
      i = end;
    }
    return out;
  };
  const skipMisc = (): void => {
    for (;;) {
      skipSpace();
      if (startsWith('<!--')) {
        const end = source.indexOf('-->', pos + 4);
        if (end < 0) fail('unterminated comment');
        if (source.slice(pos + 4, end).includes('--')) fail('"--" inside a comment');
        pos = end + 3;
      } else if (startsWith('<?')) {
        const end = source.indexOf('?>', pos + 2);
        if (end < 0) fail('unterminated processing instruction');
        pos = end + 2;
      } else if (startsWith('<!DOCTYPE')) {
        fail('DOCTYPE is not supported');
      } else return;
    }
  };

  type Scope = ReadonlyMap<string, string>;
  const parseElement = (parentScope: Scope, depth: number): XmlElement => {
    if (depth > MAX_DEPTH) fail(`elements nested more than ${MAX_DEPTH} deep`);
    const tagStart = pos;
    pos++; // '<'
    const name = readName();
    const attrs = new Map<string, string>();
    for (;;) {
      const before = pos;
      skipSpace();
      if (startsWith('/>') || startsWith('>')) break;
      if (pos === before) fail(`expected whitespace before attribute in <${name}>`);
      const attr = readName();
      skipSpace();
      if (source.charAt(pos) !== '=') fail(`attribute ${attr} has no value`);
      pos++;
      skipSpace();
      const quote = source.charAt(pos);
      if (quote !== '"' && quote !== "'") fail(`attribute ${attr} value is not quoted`);
      const end = source.indexOf(quote, pos + 1);
      if (end < 0) fail(`unterminated value of ${attr}`);
      if (attrs.has(attr)) fail(`duplicate attribute ${attr} in <${name}>`);
      attrs.set(attr, decode(source.slice(pos + 1, end)));
      pos = end + 1;
    }
    const scope = new Map(parentScope);
    for (const [attr, value] of attrs) {
      if (attr === 'xmlns') scope.set('', value);
      else if (attr.startsWith('xmlns:')) scope.set(attr.slice(6), value);
    }
    const colon = name.indexOf(':');
    const prefix = colon < 0 ? '' : name.slice(0, colon);
    const uri = scope.get(prefix);
    if (uri === undefined && prefix !== '') fail(`undeclared namespace prefix ${prefix}`);
    for (const attr of attrs.keys()) {
      const p = attr.includes(':') ? attr.slice(0, attr.indexOf(':')) : '';
      if (p !== '' && p !== 'xmlns' && p !== 'xml' && !scope.has(p)) fail(`undeclared attribute prefix ${p}`);
    }
    const element: XmlElement = {
      name,
      local: colon < 0 ? name : name.slice(colon + 1),
      uri: uri ?? '',
      attrs,
      children: [],
      text: '',
      line: lineAt(tagStart),
    };
    if (startsWith('/>')) {
      pos += 2;
      return element;
    }
    pos++; // '>'
    for (;;) {
      if (pos >= source.length) fail(`<${name}> is never closed`);
      if (startsWith('</')) {
        pos += 2;
        const closing = readName();
        if (closing !== name) fail(`</${closing}> closes <${name}>`);
        skipSpace();
        if (source.charAt(pos) !== '>') fail(`malformed end tag </${closing}>`);
        pos++;
        return element;
      }
      if (startsWith('<!--') || startsWith('<?')) {
        skipMisc();
        continue;
      }
      if (startsWith('<![CDATA[')) {
        const end = source.indexOf(']]>', pos);
        if (end < 0) fail('unterminated CDATA section');
        element.text += source.slice(pos + 9, end);
        pos = end + 3;
        continue;
      }
      if (startsWith('<')) {
        element.children.push(parseElement(scope, depth + 1));
        continue;
      }
      const next = source.indexOf('<', pos);
      const end = next < 0 ? source.length : next;
      const raw = source.slice(pos, end);
      if (raw.includes(']]>')) fail('"]]>" in character data');
      element.text += decode(raw);
      pos = end;
    }
  };

  if (source.charCodeAt(0) === 0xfeff) pos = 1;
  skipMisc();
  if (source.charAt(pos) !== '<') fail('no root element');
  const root = parseElement(new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]), 0);
  skipMisc();
  if (pos !== source.length) fail('content after the root element');
  return root;
}

/** All descendants (depth first, document order) for which `match` holds. */
export function findAll(root: XmlElement, match: (e: XmlElement) => boolean): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement): void => {
    for (const child of e.children) {
      if (match(child)) out.push(child);
      walk(child);
    }
  };
  walk(root);
  return out;
}
