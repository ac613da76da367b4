import { XMLParser, XMLValidator } from "fast-xml-parser";
import { AppError } from "../core/errors.js";

/** A 400 naming the nuspec field at fault and why. */
export const invalidNuspec = (field: string, why: string): AppError =>
  new AppError("validation", `nuspec ${field}: ${why}`, { code: "invalid-nuspec", extensions: { field } });

/** A parsed element: attributes under "@_name", text under "#text", child elements always as arrays. */
export type XmlNode = { readonly [key: string]: unknown };

const PREDEFINED: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/**
 * Decodes XML's five predefined entities and character references in one pass (no recursion, so nothing can
 * expand); throws invalid-nuspec on any other entity, which a document without a DTD cannot define.
 */
export function decodeEntities(text: string, field: string): string {
  return text.replace(/&([^;&\s]{0,32});/g, (whole, name: string) => {
    const predefined = PREDEFINED[name];
    if (predefined !== undefined) return predefined;
    const numeric = /^#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}))$/.exec(name);
    if (numeric !== null) {
      const code = numeric[1] !== undefined ? parseInt(numeric[1], 16) : Number(numeric[2]);
      const allowed = code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff));
      if (allowed) return String.fromCodePoint(code);
    }
    throw invalidNuspec(field, `${whole} is not an entity XML allows without a DTD`);
  });
}

// fast-xml-parser must never see a DTD: refuse "<!" unless it opens a comment or CDATA section.
function refuseDeclarations(xml: string): void {
  if (/<!DOCTYPE/i.test(xml)) throw invalidNuspec("document", "a DOCTYPE is not allowed (no DTDs, no external entities)");
  if (/<!ENTITY/i.test(xml)) throw invalidNuspec("document", "an ENTITY declaration is not allowed");
  if (/<!(?!--|\[CDATA\[)/.test(xml)) throw invalidNuspec("document", "markup declarations (<!...>) are not allowed");
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  textNodeName: "#text",
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  // Trimmed by textOf instead: the parser would trim each text piece around CDATA separately.
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: 32,
  isArray: (_name, _path, _leaf, isAttribute) => !isAttribute,
});

/** Parses nuspec XML with DTDs and entity expansion off; returns the root `package` element or throws invalid-nuspec. */
export function parseNuspecXml(xml: string): XmlNode {
  refuseDeclarations(xml);
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw invalidNuspec("document", `not well-formed XML at line ${valid.err.line}: ${valid.err.msg}`);
  let parsed: unknown;
  try {
    parsed = parser.parse(xml);
  } catch (error) {
    throw invalidNuspec("document", `not well-formed XML: ${error instanceof Error ? error.message : String(error)}`);
  }
  const root = isNode(parsed) ? only(parsed, "package", "package") : undefined;
  if (root === undefined) throw invalidNuspec("package", "the root element must be <package>");
  return root;
}

/** True for an element object (not text, not an array). */
export const isNode = (value: unknown): value is XmlNode => typeof value === "object" && value !== null && !Array.isArray(value);

/** The single child element `name` as a node; undefined when absent; throws invalid-nuspec when repeated. */
export function only(parent: XmlNode, name: string, field: string): XmlNode | undefined {
  const children = all(parent, name);
  if (children.length > 1) throw invalidNuspec(field, `<${name}> appears ${children.length} times`);
  return children[0];
}

/** Every child element `name`, as nodes (a text-only element becomes {"#text": ...}). */
export function all(parent: XmlNode, name: string): XmlNode[] {
  const value = parent[name];
  if (value === undefined) return [];
  const list: unknown[] = Array.isArray(value) ? value : [value];
  return list.map((item) => (isNode(item) ? item : { "#text": typeof item === "string" ? item : "" }));
}

/** The decoded, trimmed text of an element; "" when empty; throws invalid-nuspec when it holds child elements. */
export function textOf(node: XmlNode, field: string): string {
  if (Object.keys(node).some((key) => key !== "#text" && !key.startsWith("@_"))) {
    throw invalidNuspec(field, "must be text, not nested elements");
  }
  const text = node["#text"];
  return typeof text === "string" ? decodeEntities(text, field).trim() : "";
}

/** A decoded attribute; undefined when absent. */
export function attributeOf(node: XmlNode, name: string, field: string): string | undefined {
  const value = node[`@_${name}`];
  return typeof value === "string" ? decodeEntities(value, field) : undefined;
}
