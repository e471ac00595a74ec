// A test stand-in for the browser's DOMParser, for the EWS response reader (src/outlook/transport/ews.ts
// XmlParser) in Node, which has no DOMParser and none is installed (no jsdom, xmldom or happy-dom). It
// builds the namespace-resolved tree with the workbench's strict XML reader and answers the few DOM calls
// the reader makes; XML that is not well-formed gives a <parsererror> document, as Firefox's DOMParser does.
// test/e2e/ews-xml.test.ts runs the same reader against Chromium's real DOMParser.
import type { XmlElementLike, XmlParser } from '../../src/outlook/transport/ews.js';
import { findAll, parseXml, type XmlElement } from '../../workbench/xml.js';

class Element implements XmlElementLike {
  constructor(private readonly e: XmlElement) {}
  get localName(): string {
    return this.e.local;
  }
  get namespaceURI(): string | null {
    return this.e.uri === '' ? null : this.e.uri;
  }
  get textContent(): string {
    const text = (e: XmlElement): string => e.text + e.children.map(text).join('');
    return text(this.e);
  }
  getAttribute(name: string): string | null {
    return this.e.attrs.get(name) ?? null;
  }
  getElementsByTagNameNS(namespace: string, localName: string): Element[] {
    return findAll(this.e, (c) => (namespace === '*' || c.uri === namespace) && (localName === '*' || c.local === localName)).map((c) => new Element(c));
  }
}

export const testXmlParser: XmlParser = {
  parseFromString(text: string) {
    try {
      return { documentElement: new Element(parseXml(text)) };
    } catch (e) {
      const error: XmlElement = { name: 'parsererror', local: 'parsererror', uri: 'http://www.mozilla.org/newlayout/xml/parsererror.xml', attrs: new Map(), children: [], text: String(e), line: 1 };
      return { documentElement: new Element(error) };
    }
  },
};
