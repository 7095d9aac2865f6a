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

/** Strict validation for bodies, coercing validation for the parts of a request that are text. */
export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) =>
  (httpPart === "body" ? bodyAjv : textAjv).compile(schema);
