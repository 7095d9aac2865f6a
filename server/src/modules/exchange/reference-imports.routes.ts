import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { AppContext } from "../../context.ts";
import { AppError } from "../../errors.ts";
import { errors } from "../../http/schemas.ts";
import { requirePermission } from "../auth/actor.ts";
import { fileOfMultipart } from "./multipart-file.ts";
import { REFERENCE_KINDS, type ReferenceKind } from "./reference-columns.ts";
import { exportReference, importReferenceFile, REFERENCE_PERMISSIONS } from "./reference-imports.service.ts";
import { referenceWorkbook } from "./reference-template.ts";
import { TABLE_LIMITS } from "./table-reader.ts";
import { TABLE_TYPES } from "./table-writer.ts";

const Kind = Type.Enum(REFERENCE_KINDS, { description: "staff (accounts), departments, or places (courtyards and buildings)" });
const Problem = Type.Object({
  row: Type.Integer({ description: "The row number as the spreadsheet shows it (the header is usually row 1)" }),
  column: Type.String({ description: "The column's Chinese header" }),
  code: Type.String({ description: "Stable: required, invalid_username, duplicate_in_file, unknown_role, administrator_roles_exclusive, role_not_managed, scope_required, division_not_found, department_not_found, username_taken, own_account, masked_phone, invalid_phone, weak_password, invalid_code, department_code_taken, too_long, invalid_level, level_mismatch, parent_not_found, invalid_point, point_outside" }),
  reason: Type.String({ description: "Why, in Chinese, for the clerk" }),
});
const Summary = Type.Object({
  kind: Kind,
  rows: Type.Integer({ description: "Data rows in the file" }),
  good: Type.Integer(),
  bad: Type.Integer({ description: "Rows with a problem" }),
  created: Type.Integer({ description: "Good rows whose key is new (created, unless preview)" }),
  updated: Type.Integer({ description: "Good rows of existing records that differ (changed where they differ, unless preview)" }),
  unchanged: Type.Integer({ description: "Good rows of existing records that are the same" }),
  problems: Type.Array(Problem),
  changes: Type.Array(Type.Object({ row: Type.Integer(), key: Type.String({ description: "Username, department code or place code" }), action: Type.Enum(["create", "update"]), fields: Type.Array(Type.String(), { description: "What an update changes (field names)" }) }), {
    description: "The rows that create or change a record (at most 1,000)",
  }),
  preview: Type.Boolean(),
  passwords: Type.Array(Type.Object({ row: Type.Integer(), username: Type.String(), password: Type.String() }), {
    description: "Staff: the one-time passwords generated for new accounts whose row had none, shown this once; each must be changed at first sign-in",
  }),
});
const WORKBOOK = { description: "The workbook", content: { [TABLE_TYPES.xlsx]: { schema: Type.Unsafe<Buffer>(Type.String({ format: "binary" })) } } };
const day = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
const TITLES: Record<ReferenceKind, string> = { staff: "Staff", departments: "Departments", places: "Places" };

/** Imports, templates and exports of reference data: staff, departments, courtyards and buildings. */
export async function referenceImportRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  await app.register(async (files) => {
    // The file is the raw body (told from its bytes), or the file field of a multipart form.
    files.addContentTypeParser(
      [TABLE_TYPES.xlsx, "text/csv", "application/octet-stream", "application/vnd.ms-excel", "multipart/form-data"],
      { parseAs: "buffer", bodyLimit: TABLE_LIMITS.maxBytes },
      (_request, body, done) => done(null, body),
    );
    files.withTypeProvider<TypeBoxTypeProvider>().post(
      "/exchange/imports/:kind",
      {
        config: { apiKeyScope: "exchange" },
        bodyLimit: TABLE_LIMITS.maxBytes,
        schema: {
          operationId: "importReferenceData",
          tags: ["exchange"],
          summary: "Import staff, departments or places (courtyards and buildings) from an xlsx or CSV file; keyed, so the same file twice changes nothing",
          description:
            "The body is the file (xlsx, or CSV in UTF-8 or GB18030), raw or as the `file` field of multipart/form-data; the columns are the template's (GET /exchange/templates/{kind}.xlsx), headed in Chinese or by the English field names. " +
            `Limits as for 12345 files: ${TABLE_LIMITS.maxBytes / 1024 / 1024} MiB (413), ${TABLE_LIMITS.maxRows.toLocaleString("en")} rows, ${TABLE_LIMITS.maxColumns} columns, zip bombs refused (422); a required column missing is 422 columns_missing. ` +
            "Needs the permission of the kind's administration: user.write (staff), department.write (departments), grid.write (places). Every row is checked by the administration's rules, the caller's roles and scope included: " +
            "`preview=true` answers 200 with what would be created, updated or left unchanged and every bad row (row, column, code, reason in Chinese), writing nothing. " +
            "Otherwise a bad row is 422 invalid_rows (details: the same report) and nothing is imported, unless goodRowsOnly=true. Rows are keyed by username, department code or place code; existing records change only where they differ. " +
            "One transaction; each change audited. Staff: a new account without an initial password gets a one-time password, answered once in `passwords`; every new account changes its password at first sign-in; existing accounts keep theirs.",
          params: Type.Object({ kind: Kind }),
          querystring: Type.Object({ preview: Type.Optional(Type.Boolean()), goodRowsOnly: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
          response: { 200: Summary, 201: Summary, ...errors(400, 401, 403, 413, 415, 422) },
        },
      },
      async (request, reply) => {
        if (!Buffer.isBuffer(request.body)) throw new AppError(415, "unsupported_media_type", "Send the file as the body or as a multipart form's file field");
        const type = request.headers["content-type"] ?? "";
        const file = type.toLowerCase().startsWith("multipart/form-data") ? fileOfMultipart(request.body, type) : request.body;
        const result = await importReferenceFile(ctx, request.actor, request.params.kind, file, { preview: request.query.preview, goodRowsOnly: request.query.goodRowsOnly });
        return reply.status(result.preview ? 200 : 201).send(result);
      },
    );
  });

  for (const kind of REFERENCE_KINDS) {
    app.get(
      `/exchange/templates/${kind}.xlsx`,
      {
        config: { apiKeyScope: "exchange" },
        schema: {
          operationId: `download${TITLES[kind]}Template`,
          tags: ["exchange"],
          summary: `The ${kind} import template: the Chinese header row, and a sheet 说明 describing every column, the values allowed and an example row (${REFERENCE_PERMISSIONS[kind]})`,
          response: { 200: WORKBOOK, ...errors(401, 403) },
        },
      },
      async (request, reply) => {
        requirePermission(request.actor, REFERENCE_PERMISSIONS[kind]);
        return reply.type(TABLE_TYPES.xlsx).header("content-disposition", `attachment; filename="${kind}-template.xlsx"`).send(await referenceWorkbook(kind, []));
      },
    );
    app.get(
      `/exchange/exports/${kind}.xlsx`,
      {
        config: { apiKeyScope: "exchange" },
        schema: {
          operationId: `export${TITLES[kind]}Workbook`,
          tags: ["exchange"],
          summary: `The ${kind} of the caller's scope in the template's columns, which import back unchanged; phones masked; audited (${REFERENCE_PERMISSIONS[kind]})`,
          response: { 200: WORKBOOK, ...errors(401, 403) },
        },
      },
      async (request, reply) => {
        const { file } = await exportReference(ctx, request.actor, kind);
        return reply.type(TABLE_TYPES.xlsx).header("content-disposition", `attachment; filename="${kind}-${day()}.xlsx"`).send(file);
      },
    );
  }
}
