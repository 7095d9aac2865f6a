import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { AppContext } from "../../context.ts";
import { AppError } from "../../errors.ts";
import { CategoryCode, errors, Nullable, Uuid } from "../../http/schemas.ts";
import { EXPORT_FIELDS, IMPORT_FIELDS } from "./hotline-mapping.ts";
import { createMapping, deleteMapping, exportHotlineResults, getMapping, importHotlineFile, listMappings, mappingOfActor, updateMapping } from "./hotline.service.ts";
import { TABLE_LIMITS } from "./table-reader.ts";
import { TABLE_TYPES } from "./table-writer.ts";

const Header = Type.String({ minLength: 1, maxLength: 100 });
const Columns = Type.Object(
  Object.fromEntries([...IMPORT_FIELDS, ...EXPORT_FIELDS].map((field) => [field, Type.Optional(Header)])),
  {
    additionalProperties: false,
    description:
      "The file's column header for each field. Import: externalRef (the work-order number) and description are required, and a place by address or by lng and lat; reportedAt, title, category, callerName, callerPhone, deadline are optional. Export: the headers of status, department, handlingNote, closedAt, rating (defaults 办理状态, 承办单位, 办理结果, 办结时间, 满意度)",
  },
);
const Crs = Type.Enum(["wgs84", "gcj02", "bd09"], { description: "The coordinate system of the file's lng/lat columns" });
const MappingBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    sourceName: Type.String({ minLength: 1, maxLength: 100, description: "The platform the files come from: work-order numbers are unique per region and source" }),
    columns: Columns,
    categoryValues: Type.Optional(Type.Record(Type.String({ maxLength: 100 }), CategoryCode, { description: "A category value of the file → our category code" })),
    crs: Type.Optional(Crs),
  },
  { additionalProperties: false },
);
const Mapping = Type.Object({
  id: Type.String(),
  name: Type.String(),
  sourceName: Type.String(),
  columns: Type.Record(Type.String(), Type.String()),
  categoryValues: Type.Record(Type.String(), Type.String()),
  crs: Crs,
  version: Type.Integer(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
const Problem = Type.Object({
  row: Type.Integer({ description: "The row number as the spreadsheet shows it (the header is usually row 1)" }),
  column: Type.String({ description: "The file's column" }),
  reason: Type.String({ description: "Why, in Chinese, for the clerk" }),
});
const ImportSummary = {
  rows: Type.Integer({ description: "Data rows in the file" }),
  good: Type.Integer(),
  bad: Type.Integer({ description: "Rows with a problem" }),
  new: Type.Integer({ description: "Good rows whose work-order number is not held yet (imported, unless preview)" }),
  existing: Type.Integer({ description: "Good rows whose work-order number is already held: left as they are" }),
  problems: Type.Array(Problem),
  preview: Type.Boolean(),
  imported: Type.Integer(),
};
const PreviewRow = Type.Object({
  row: Type.Integer(),
  externalRef: Type.String(),
  reportedAt: Nullable(Type.String()),
  title: Type.String(),
  description: Type.String(),
  address: Nullable(Type.String()),
  category: Nullable(Type.Object({ code: Type.String(), name: Type.String() })),
  callerName: Nullable(Type.String({ description: "Masked" })),
  callerPhone: Nullable(Type.String({ description: "Masked" })),
  gridCode: Type.String(),
  deadline: Nullable(Type.String()),
  exists: Type.Boolean({ description: "Already imported: importing leaves it as it is" }),
});

const DAY = Type.String({ pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", description: "A day, yyyy-mm-dd, China Standard Time" });
const startOfShanghaiDay = (day: string) => new Date(`${day}T00:00:00+08:00`);
const shanghaiToday = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

function ifMatchVersion(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const match = /^(?:W\/)?"?([0-9]{1,9})"?$/.exec(header.trim());
  if (!match) throw new AppError(412, "version_mismatch", "If-Match names no version of this mapping");
  return Number(match[1]);
}

export async function hotlineRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/exchange/hotline-mappings",
    {
      config: { apiKeyScope: "exchange" },
      schema: {
        operationId: "listHotlineMappings",
        tags: ["exchange"],
        summary: "The region's saved 12345 column mappings (exchange.write)",
        response: { 200: Type.Object({ mappings: Type.Array(Mapping) }), ...errors(401, 403) },
      },
    },
    async (request) => ({ mappings: await listMappings(ctx, request.actor) }),
  );

  app.post(
    "/exchange/hotline-mappings",
    {
      config: { apiKeyScope: "exchange" },
      schema: {
        operationId: "createHotlineMapping",
        tags: ["exchange"],
        summary: "Save a column mapping for a source's work-order files (audited); 422 invalid_mapping, unknown_category; 409 mapping_name_taken",
        body: MappingBody,
        response: { 201: Type.Object({ mapping: Mapping }), ...errors(400, 401, 403, 409, 422) },
      },
    },
    async (request, reply) => {
      const mapping = await createMapping(ctx, request.actor, request.body);
      return reply.status(201).header("etag", `"${mapping.version}"`).send({ mapping });
    },
  );

  app.get(
    "/exchange/hotline-mappings/:id",
    {
      config: { apiKeyScope: "exchange" },
      schema: {
        operationId: "getHotlineMapping",
        tags: ["exchange"],
        summary: "One mapping of the region",
        params: Type.Object({ id: Uuid }),
        response: { 200: Type.Object({ mapping: Mapping }), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const mapping = await getMapping(ctx, request.actor, request.params.id);
      return reply.header("etag", `"${mapping.version}"`).send({ mapping });
    },
  );

  app.put(
    "/exchange/hotline-mappings/:id",
    {
      config: { apiKeyScope: "exchange" },
      schema: {
        operationId: "updateHotlineMapping",
        tags: ["exchange"],
        summary: "Replace a mapping (audited); with If-Match only the version it names (else 412 version_mismatch)",
        params: Type.Object({ id: Uuid }),
        headers: Type.Object({ "if-match": Type.Optional(Type.String()) }),
        body: MappingBody,
        response: { 200: Type.Object({ mapping: Mapping }), ...errors(400, 401, 403, 404, 409, 412, 422) },
      },
    },
    async (request, reply) => {
      const mapping = await updateMapping(ctx, request.actor, request.params.id, request.body, ifMatchVersion(request.headers["if-match"]));
      return reply.header("etag", `"${mapping.version}"`).send({ mapping });
    },
  );

  app.delete(
    "/exchange/hotline-mappings/:id",
    {
      config: { apiKeyScope: "exchange" },
      schema: {
        operationId: "deleteHotlineMapping",
        tags: ["exchange"],
        summary: "Delete a mapping (audited); the cases it imported keep their work-order numbers",
        params: Type.Object({ id: Uuid }),
        response: { 204: Type.Null(), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await deleteMapping(ctx, request.actor, request.params.id);
      return reply.status(204).send(null);
    },
  );

  // The file is the raw body; what it is (a workbook or CSV) is told from its bytes.
  await app.register(async (files) => {
    files.addContentTypeParser(
      [TABLE_TYPES.xlsx, "text/csv", "application/octet-stream", "application/vnd.ms-excel"],
      { parseAs: "buffer", bodyLimit: TABLE_LIMITS.maxBytes },
      (_request, body, done) => done(null, body),
    );
    const filesApp = files.withTypeProvider<TypeBoxTypeProvider>();
    filesApp.post(
      "/exchange/hotline-imports",
      {
        config: { apiKeyScope: "exchange" },
        bodyLimit: TABLE_LIMITS.maxBytes,
        schema: {
          operationId: "importHotlineWorkOrders",
          tags: ["exchange"],
          summary: "Import a 12345 work-order file (xlsx or CSV body) through a saved mapping as hotline cases; idempotent by work-order number",
          description:
            `The body is the file itself (Content-Type ${TABLE_TYPES.xlsx}, text/csv or application/octet-stream): the first sheet of an .xlsx, or CSV in UTF-8 (with or without BOM) or GB18030/GBK. ` +
            `At most ${TABLE_LIMITS.maxBytes / 1024 / 1024} MiB (else 413 body_too_large), ${TABLE_LIMITS.maxRows.toLocaleString("en")} data rows (422 too_many_rows), ${TABLE_LIMITS.maxColumns} columns (422 too_many_columns); ` +
            `a workbook inflating beyond ${TABLE_LIMITS.maxUncompressedBytes / 1024 / 1024} MiB or ${TABLE_LIMITS.maxRatio}× is 422 zip_bomb; .xls is 415 unsupported_table_format; a column the mapping names and the file lacks is 422 columns_missing. ` +
            "Every row is checked first. `preview=true` answers 200 with the counts, every bad row (row, column, reason in Chinese) and the first 20 good rows as they would be imported, writing nothing. " +
            "Otherwise any bad row is 422 invalid_rows (details: the same report) and nothing is imported, unless goodRowsOnly=true, which imports the good rows and reports the bad. " +
            "A work-order number already held for the mapping's source in the region is left as it is: the same file twice makes its cases once (201 with new and existing counts). Audited; the cases have source hotline and go through intake (routing, deadlines, events).",
          querystring: Type.Object(
            { mapping: Uuid, preview: Type.Optional(Type.Boolean()), goodRowsOnly: Type.Optional(Type.Boolean()) },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({ ...ImportSummary, headers: Type.Array(Type.String()), rowsShown: Type.Array(PreviewRow) }),
            201: Type.Object(ImportSummary),
            ...errors(400, 401, 403, 404, 413, 415, 422),
          },
        },
      },
      async (request, reply) => {
        if (!Buffer.isBuffer(request.body)) throw new AppError(415, "unsupported_media_type", "Send the file as the body: xlsx, text/csv or application/octet-stream");
        const mapping = await mappingOfActor(ctx, request.actor, request.query.mapping);
        const result = await importHotlineFile(ctx, request.actor, mapping, request.body, { preview: request.query.preview, goodRowsOnly: request.query.goodRowsOnly });
        return reply.status(result.preview ? 200 : 201).send(result);
      },
    );
  });

  app.get(
    "/exchange/hotline-exports",
    {
      config: { apiKeyScope: "exchange" },
      schema: {
        operationId: "exportHotlineResults",
        tags: ["exchange"],
        summary: "The results of a source's imported cases in the mapping's columns (work-order number, status, department, handling note, closed time, rating), as xlsx or CSV (UTF-8 with BOM); audited",
        description: "Cases imported from `from` to `to` (days, China Standard Time, both included; by default the last 30 days), in the caller's scope.",
        querystring: Type.Object(
          { mapping: Uuid, from: Type.Optional(DAY), to: Type.Optional(DAY), format: Type.Optional(Type.Enum(["xlsx", "csv"])) },
          { additionalProperties: false },
        ),
        response: {
          200: {
            description: "The file",
            content: {
              [TABLE_TYPES.xlsx]: { schema: Type.Unsafe<Buffer>(Type.String({ format: "binary" })) },
              "text/csv": { schema: Type.Unsafe<Buffer>(Type.String()) },
            },
          },
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const mapping = await mappingOfActor(ctx, request.actor, request.query.mapping);
      const to = request.query.to ?? shanghaiToday();
      const from = request.query.from ?? new Date(startOfShanghaiDay(to).getTime() - 29 * 86400_000 + 8 * 3600_000).toISOString().slice(0, 10);
      const format = request.query.format ?? "xlsx";
      const { file } = await exportHotlineResults(ctx, request.actor, mapping, {
        from: startOfShanghaiDay(from),
        to: new Date(startOfShanghaiDay(to).getTime() + 86400_000),
        format,
      });
      return reply
        .type(TABLE_TYPES[format])
        .header("content-disposition", `attachment; filename="hotline-results-${from}-${to}.${format}"`)
        .send(file);
    },
  );
}
