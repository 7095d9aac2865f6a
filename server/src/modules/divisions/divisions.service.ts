import fs from "node:fs";
import type { AppContext } from "../../context.ts";
import type { DivisionLevel, GeoJsonPolygon } from "../../db/schema.ts";
import { AppError, notFound } from "../../errors.ts";
import { regionOf, writeAudit } from "../audit/audit.repository.ts";
import { codeInScope, requirePermission, type Actor } from "../auth/actor.ts";
import { LEVELS, levelOfCode, levelsBelow } from "./division-codes.ts";
import { findSubtree, upsertDivisions, type DivisionInput } from "./divisions.repository.ts";

export type DivisionNode = {
  code: string;
  name: string;
  level: DivisionLevel;
  parentCode: string | null;
  geometry?: GeoJsonPolygon | null;
  lat: number | null;
  lng: number | null;
  children?: DivisionNode[];
};

/**
 * A division with its descendants down to `depth` levels. A division outside the actor's scope
 * answers 404, exactly like one that does not exist.
 */
export async function getDivisionTree(
  ctx: AppContext,
  actor: Actor,
  code: string,
  depth: number,
  withGeometry: boolean,
): Promise<DivisionNode> {
  requirePermission(actor, "division.read");
  const level = levelOfCode(code);
  if (!level || !codeInScope(actor, code)) throw divisionNotFound(code);
  const rows = await findSubtree(ctx.db, code, levelsBelow(level, depth), withGeometry);
  const nodes = new Map<string, DivisionNode>();
  for (const row of rows) {
    const node: DivisionNode = {
      code: row.code,
      name: row.name,
      level: row.level,
      parentCode: row.parent_code,
      lat: row.lat,
      lng: row.lng,
      ...(withGeometry ? { geometry: "geometry" in row ? (row.geometry as GeoJsonPolygon | null) : null } : {}),
      // Nodes above the requested depth list their children; the deepest ones carry none.
      ...(levelDepth(row.level) < levelDepth(level) + depth ? { children: [] } : {}),
    };
    nodes.set(row.code, node);
    if (row.code !== code && row.parent_code) nodes.get(row.parent_code)?.children?.push(node);
  }
  const root = nodes.get(code);
  if (!root) throw divisionNotFound(code);
  return root;
}

const levelDepth = (level: DivisionLevel) => LEVELS.indexOf(level);

const divisionNotFound = (code: string) => notFound("division_not_found", `No division ${code}`);

/** The shape of data/divisions-5301.json (the National Bureau of Statistics' codes). */
export type DivisionsFile = {
  areas: { code: string; name: string }[];
  streets: { code: string; name: string; areaCode: string }[];
  communities: { code: string; name: string; streetCode: string }[];
};

export const BUNDLED_DIVISIONS = new URL("../../../data/divisions-5301.json", import.meta.url);

export function readDivisionsFile(file: string | URL = BUNDLED_DIVISIONS): DivisionsFile {
  return JSON.parse(fs.readFileSync(file, "utf8")) as DivisionsFile;
}

/** The district, its streets and its communities from a divisions file, parents first. */
export function districtDivisions(file: DivisionsFile, districtCode: string): DivisionInput[] {
  const district = file.areas.find((area) => area.code === districtCode);
  if (!district) {
    throw new AppError(404, "unknown_district", `The divisions file has no district ${districtCode}`);
  }
  const streets = file.streets.filter((street) => street.areaCode === districtCode);
  const streetCodes = new Set(streets.map((street) => street.code));
  const communities = file.communities.filter((community) => streetCodes.has(community.streetCode));
  const base = { regionCode: districtCode };
  return [
    { ...base, code: district.code, parentCode: null, level: "district", name: district.name },
    ...streets.map((street): DivisionInput => ({ ...base, code: street.code, parentCode: districtCode, level: "street", name: street.name })),
    ...communities.map((community): DivisionInput => ({
      ...base,
      code: community.code,
      parentCode: community.streetCode,
      level: "community",
      name: community.name,
    })),
  ];
}

/** Loads one district of a divisions file (all or nothing), audited. */
export async function importDistrict(ctx: AppContext, file: DivisionsFile, districtCode: string) {
  const divisions = districtDivisions(file, districtCode);
  await ctx.db.transaction().execute(async (trx) => {
    await upsertDivisions(trx, divisions);
    await writeAudit(trx, {
      regionCode: regionOf(districtCode),
      actorId: null,
      action: "division.import",
      targetType: "division",
      targetId: districtCode,
      details: { divisions: divisions.length },
    });
  });
  const count = (level: DivisionLevel) => divisions.filter((division) => division.level === level).length;
  return { district: districtCode, streets: count("street"), communities: count("community") };
}
