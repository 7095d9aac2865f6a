import fs from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";
import formats from "ajv-formats";
import { XMLParser } from "fast-xml-parser";
import { expect } from "vitest";

/**
 * Checks Open311 answers as a client reads them: JSON against the GeoReport v2 schemas written in
 * fixtures/open311, XML by its structure (the root, one element per item, the same fields and
 * values as the JSON answer).
 */

const FIXTURES = new URL("./fixtures/open311/", import.meta.url);
const ajv = new Ajv({ allErrors: true, strict: false });
// A CommonJS module: its default export is the module object, whose `default` is the plugin.
type AddFormats = (ajv: Ajv) => Ajv;
const addFormats = ((formats as unknown as { default?: AddFormats }).default ?? formats) as unknown as AddFormats;
addFormats(ajv);
for (const file of fs.readdirSync(FIXTURES)) ajv.addSchema(JSON.parse(fs.readFileSync(new URL(file, FIXTURES), "utf8")));

export type SchemaName =
  | "services"
  | "service-definition"
  | "requests"
  | "request-created"
  | "token"
  | "errors"
  | "updates"
  | "update-posted"
  | "discovery";

/** Fails with every schema error when the JSON answer does not conform. */
export function expectConforms(schema: SchemaName, body: unknown): void {
  const validate = ajv.getSchema(`${schema}.json`) as ValidateFunction;
  const valid = validate(body);
  expect(valid, `${schema}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 500)}`).toBe(true);
}

const LISTS = new Set(["service", "request", "error", "attribute", "value", "endpoint", "format", "request_update"]);
const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: false, isArray: (name) => LISTS.has(name) });

/** The XML answer parsed: its one root element's name and content. Fails unless it is well-formed XML with an XML declaration. */
export function parseXml(text: string): { root: string; content: Record<string, unknown> } {
  expect(text.startsWith('<?xml version="1.0" encoding="utf-8"?>'), text.slice(0, 100)).toBe(true);
  const parsed = parser.parse(text, true) as Record<string, unknown>;
  const roots = Object.keys(parsed).filter((key) => key !== "?xml");
  expect(roots).toHaveLength(1);
  const content = parsed[roots[0]];
  return { root: roots[0], content: typeof content === "object" && content !== null ? (content as Record<string, unknown>) : {} };
}

/** What a JSON value reads as in XML: text, an empty element for null, lists as repeated elements. */
function asXml(value: unknown, name: string): unknown {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) {
    const item = { attributes: "attribute", values: "value", endpoints: "endpoint", formats: "format" }[name] ?? "item";
    return value.length === 0 ? "" : { [item]: value.map((entry) => asXml(entry, item)) };
  }
  if (typeof value === "object") return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, asXml(entry, key)]));
  return String(value);
}

/** The XML answer holds exactly what the JSON answer of the same call holds, under the root and item names given. */
export function expectSameAsJson(xml: string, json: unknown, root: string, item?: string): void {
  const { root: name, content } = parseXml(xml);
  expect(name).toBe(root);
  if (item) {
    const items = (json as unknown[]).map((entry) => asXml(entry, item));
    expect(items.length === 0 ? content : content[item]).toEqual(items.length === 0 ? {} : items);
  } else expect(content).toEqual(asXml(json, root));
}

/** An XML error answer: `<errors><error><code/><description/></error></errors>` with the status as code. */
export function expectXmlError(text: string, status: number): string {
  const { root, content } = parseXml(text);
  expect(root).toBe("errors");
  const [error] = content.error as { code: string; description: string }[];
  expect(error.code).toBe(String(status));
  expect(error.description.length).toBeGreaterThan(0);
  return error.description;
}
