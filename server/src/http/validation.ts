import { Ajv, type Options } from "ajv";
import addFormatsImport from "ajv-formats";
import type { FastifyRequest, FastifySchemaCompiler } from "fastify";
import { AppError } from "../errors.ts";

// ajv-formats ships CommonJS; under NodeNext its default export is the module namespace.
const addFormats = addFormatsImport as unknown as (ajv: Ajv) => Ajv;

const common: Options = {
  allErrors: false,
  removeAdditional: false,
  useDefaults: true,
  strict: false,
  keywords: ["example"],
};

// Bodies are checked as sent: a number in quotes is a wrong type, an unknown field an error.
const bodyAjv = addFormats(new Ajv({ ...common, coerceTypes: false }));
// Query strings, params and headers are text on the wire, so numbers and booleans are coerced.
const textAjv = addFormats(new Ajv({ ...common, coerceTypes: "array" }));

/**
 * Text no column could store as sent: a NUL character (PostgreSQL text cannot hold one), or a lone
 * UTF-16 surrogate (JSON's `\ud800` escape parses to one, and UTF-8 would silently turn it into U+FFFD).
 */
function unstorable(text: string): string | undefined {
  if (text.includes("\u0000")) return "must not contain a NUL character";
  // With the u flag a well-formed surrogate pair is one code point, so only a lone half matches.
  if (/\p{Cs}/u.test(text)) return "must not contain a lone surrogate";
  return undefined;
}

/** Where the first unstorable string or key of a value is, as a JSON pointer, and why. */
function unstorableTextAt(value: unknown, pointer = ""): { at: string; message: string } | undefined {
  if (typeof value === "string") {
    const message = unstorable(value);
    return message ? { at: pointer, message } : undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const at = `${pointer}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`;
    const message = unstorable(key);
    if (message) return { at, message };
    const found = unstorableTextAt(item, at);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Strict validation for bodies, coercing validation for the parts of a request that are text.
 * Either way a string holding a NUL character or a lone surrogate is refused: no column or JSON
 * value could store it as sent.
 */
export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) => {
  const validate = (httpPart === "body" ? bodyAjv : textAjv).compile(schema);
  const check = (data: unknown): boolean => {
    const valid = validate(data);
    const bad = valid ? unstorableTextAt(data) : undefined;
    check.errors = bad === undefined ? validate.errors : [{ instancePath: bad.at, schemaPath: "#", keyword: "text", params: {}, message: bad.message }];
    return valid && bad === undefined;
  };
  check.errors = null as typeof validate.errors;
  return check;
};

/**
 * Refuses a query string whose percent-encoding is not UTF-8, such as an encoded lone surrogate
 * (%ED%A0%80) or a stray "%": the query parser would keep it as literal text instead.
 */
export async function refuseMalformedQuery(request: FastifyRequest): Promise<void> {
  const start = request.url.indexOf("?");
  if (start === -1) return;
  for (const pair of request.url.slice(start + 1).split("&")) {
    try {
      decodeURIComponent(pair);
    } catch {
      throw new AppError(400, "invalid_query", "The query string is not valid percent-encoded UTF-8");
    }
  }
}
