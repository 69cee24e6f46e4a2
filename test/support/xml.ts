import { DOMParser, type Document } from '@xmldom/xmldom';

/** Parses `xml` with a real XML parser, failing on any error or warning (not well-formed, bad entity, …). */
export function parseXmlStrictly(xml: string): Document {
  return new DOMParser({
    onError: (level, message) => {
      throw new Error(`XML ${level}: ${message}`);
    },
  }).parseFromString(xml, 'application/xml');
}

/** The text of every element named `name` (any namespace) that is a child of an element named `parent`. */
export function childTexts(doc: Document, parent: string, name: string): string[] {
  return [...doc.getElementsByTagName(name)]
    .filter((el) => el.parentNode?.nodeName === parent)
    .map((el) => el.textContent ?? '');
}
