import { Ajv, type Options } from "ajv";
import addFormatsImport from "ajv-formats";
import type { FastifySchemaCompiler } from "fastify";

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

/** Where the first NUL character is in a value's strings or keys, as a JSON pointer; PostgreSQL text cannot hold one. */
function nulCharacterAt(value: unknown, pointer = ""): string | undefined {
  if (typeof value === "string") return value.includes("\u0000") ? pointer : undefined;
  if (typeof value !== "object" || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const at = `${pointer}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`;
    if (key.includes("\u0000")) return at;
    const found = nulCharacterAt(item, at);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Strict validation for bodies, coercing validation for the parts of a request that are text.
 * Either way a string holding a NUL character is refused: no column or JSON value could store it.
 */
export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) => {
  const validate = (httpPart === "body" ? bodyAjv : textAjv).compile(schema);
  const check = (data: unknown): boolean => {
    const valid = validate(data);
    const nulAt = valid ? nulCharacterAt(data) : undefined;
    check.errors =
      nulAt === undefined ? validate.errors : [{ instancePath: nulAt, schemaPath: "#", keyword: "nul", params: {}, message: "must not contain a NUL character" }];
    return valid && nulAt === undefined;
  };
  check.errors = null as typeof validate.errors;
  return check;
};
