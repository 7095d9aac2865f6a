import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { AppContext } from "../../context.ts";
import { DivisionCode, errors, GridCode } from "../../http/schemas.ts";
import { Crs, GridDetail, GridFeatureCollection, Location } from "./grids.schemas.ts";
import { getGrid, importGrids, importGridShapefile, listGrids, locatePoint } from "./grids.service.ts";

/** A district's grid file runs to a few MB (some thousand grids with detailed boundaries). */
export const GRID_IMPORT_MAX_BYTES = 16 * 1024 * 1024;
const ZIP_TYPES = ["application/zip", "application/x-zip-compressed"];

const GridImportProblem = Type.Object({
  code: Type.String({ description: "invalid_code, duplicate_code, invalid_geometry, ring_not_closed, out_of_range, self_intersection, unknown_community, outside_community, overlap, gap, outside_scope, invalid_file" }),
  gridCodes: Type.Array(Type.String(), { description: "The grids involved" }),
  message: Type.String({ description: "The problem in English, for API users; screens say it from `code` and `details`" }),
  details: Type.Object(
    {
      gridCode: Type.Optional(Type.String({ description: "The grid at fault" })),
      gridName: Type.Optional(Type.String({ description: "Its name as the file gives it" })),
      otherGridCode: Type.Optional(Type.String({ description: "overlap: the grid it overlaps" })),
      communityCode: Type.Optional(Type.String({ description: "unknown_community, outside_community, gap: the community" })),
      count: Type.Optional(Type.Integer({ description: "duplicate_code: how many times the code appears" })),
      fault: Type.Optional(
        Type.Enum(["missing", "not_polygon", "no_rings", "short_ring", "not_position", "non_finite"], { description: "invalid_geometry: what is wrong with it" }),
      ),
      geometryType: Type.Optional(Type.String({ description: "invalid_geometry, not_polygon: the type the file gives" })),
      coveredPercent: Type.Optional(Type.Number({ description: "gap: the share of the community's area its grids cover" })),
    },
    { description: "The problem's facts, by its code" },
  ),
});

export async function gridRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  // A zipped Shapefile is the raw body; GeoJSON stays JSON.
  await app.register(async (files) => {
    files.addContentTypeParser(ZIP_TYPES, { parseAs: "buffer", bodyLimit: GRID_IMPORT_MAX_BYTES }, (_request, body, done) => done(null, body));
    const filesApp = files.withTypeProvider<TypeBoxTypeProvider>();
    filesApp.post(
      "/grids/import",
      {
        bodyLimit: GRID_IMPORT_MAX_BYTES,
        schema: {
          operationId: "importGrids",
          tags: ["geography"],
          summary: "Validate a GeoJSON FeatureCollection or a zipped Shapefile of grids and, unless dryRun, load it (district administrators; audited)",
          description:
            "Each feature has `properties.code` (15 digits) and `properties.name` and a Polygon geometry. The grids are checked together with the stored ones they do not replace (codes, rings, self-intersections, communities, overlaps, gaps, the caller's scope), and every problem is reported with the grid codes involved. " +
            "`dryRun=true` answers 200 with the problems (none when the file would load). A load checks again in its transaction and loads nothing while any problem remains: 422 `invalid_grids` with `details.problems`. " +
            "A zipped Shapefile (Content-Type application/zip) holds one layer's .shp, .shx, .dbf and .prj (and optionally .cpg); it is read into the same features and checked the same way. " +
            "The grid code and name come from the attribute `code`, `CODE` or `网格编码` and `name`, `NAME` or `网格名称` (or `codeField`, `nameField`); text is in the encoding the .cpg names, else UTF-8 or else GB18030 (GBK). " +
            "The .prj names WGS-84 or CGCS2000 geographic coordinates (CGCS2000 is taken as WGS-84: they differ by centimetres); a projected system is 422 `projected_crs`, another datum 422 `unsupported_crs`. " +
            "`crs=gcj02` says the points are GCJ-02 (Amap, Tencent), converted to WGS-84 on the way in (for GeoJSON too); a .prj other than WGS-84 with it is 422 `crs_mismatch`; without a .prj, `crs` is required. " +
            "A zip without its .shp, .shx, .dbf or .prj is 422 `shapefile_part_missing` (`details.part`), with several layers 422 `several_shapefiles`, one that is no Shapefile of polygons 422 `invalid_shapefile` or `not_polygons`, " +
            "without the code attribute 422 `shapefile_field_missing`, with more than one of the usual attributes 422 `shapefile_field_ambiguous`, one inflating beyond 256 MiB or 100× 422 `zip_bomb`. A multi-part polygon is reported as `invalid_geometry` (a grid is one polygon). " +
            `Bodies up to ${GRID_IMPORT_MAX_BYTES / 1024 / 1024} MiB (else 413). Only an administrator of a whole district: else 403 \`district_scope_required\`.`,
          querystring: Type.Object(
            {
              dryRun: Type.Optional(Type.Boolean()),
              crs: Type.Optional(Type.Enum(["wgs84", "gcj02"], { description: "The coordinate system of the file's points; wgs84 by default, or as the .prj says" })),
              codeField: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: "Shapefile: the attribute holding the grid code" })),
              nameField: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: "Shapefile: the attribute holding the grid name" })),
            },
            { additionalProperties: false },
          ),
          body: {
            content: {
              "application/json": { schema: Type.Object({ type: Type.String(), features: Type.Array(Type.Unknown()) }, { description: "GeoJSON FeatureCollection" }) },
              ...Object.fromEntries(ZIP_TYPES.map((type) => [type, { schema: Type.Unsafe<Buffer>({ description: "A zipped Shapefile" }) }])),
            },
          } as unknown as ReturnType<typeof Type.Unknown>,
          response: {
            200: Type.Object({ dryRun: Type.Boolean(), grids: Type.Integer({ description: "Grids in the file" }), problems: Type.Array(GridImportProblem) }),
            201: Type.Object({ dryRun: Type.Boolean(), grids: Type.Integer({ description: "Grids loaded" }), problems: Type.Array(GridImportProblem) }),
            ...errors(400, 401, 403, 413, 415, 422),
          },
        },
      },
      async (request, reply) => {
        const { dryRun = false, crs, codeField, nameField } = request.query;
        const options = { actor: request.actor, dryRun, ...(crs ? { crs } : {}) };
        const result = Buffer.isBuffer(request.body)
          ? await importGridShapefile(ctx, request.body, { ...options, ...(codeField ? { codeField } : {}), ...(nameField ? { nameField } : {}) })
          : await importGrids(ctx, request.body, options);
        return reply.status(result.dryRun ? 200 : 201).send(result);
      },
    );
  });

  app.get(
    "/grids/locate",
    {
      config: { public: true },
      schema: {
        operationId: "locateGrid",
        tags: ["geography"],
        summary: "The grid, community and street of a point",
        querystring: Type.Object(
          {
            lat: Type.Number({ minimum: -90, maximum: 90 }),
            lng: Type.Number({ minimum: -180, maximum: 180 }),
            crs: Type.Optional(Crs),
          },
          { additionalProperties: false },
        ),
        response: { 200: Location, ...errors(400, 404) },
      },
    },
    async (request) => locatePoint(ctx, request.query.lat, request.query.lng, request.query.crs ?? "wgs84"),
  );

  app.get(
    "/grids",
    {
      schema: {
        operationId: "listGrids",
        tags: ["geography"],
        summary: "The grids under a division, as a GeoJSON FeatureCollection",
        querystring: Type.Object({ division: DivisionCode }, { additionalProperties: false }),
        response: { 200: GridFeatureCollection, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => listGrids(ctx, request.actor, request.query.division),
  );

  app.get(
    "/grids/:code",
    {
      schema: {
        operationId: "getGrid",
        tags: ["geography"],
        summary: "One grid with its staff on the 1+1+1+N pattern",
        params: Type.Object({ code: GridCode }),
        response: { 200: Type.Object({ grid: GridDetail }), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => ({ grid: await getGrid(ctx, request.actor, request.params.code) }),
  );
}
