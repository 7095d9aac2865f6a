import type { MapLight } from "../../map/palette";
import type { fetchPoints, PointsQuery } from "./early-reads";

/** What a clicked point's popup lists: the cases at that very spot among the map's. */
const SPOT_FIELDS = "id,lng,lat,status,light";

/** About a centimetre around a point: the box holds the stored point, which the answer rounded to seven decimals. */
const SPOT_MARGIN = 1e-7;

/**
 * The query for the cases at a point of the map's answer: the map's filters and a box a hair wider
 * than the point (fixed decimals, as the API's bbox takes them).
 */
export function spotQuery(query: PointsQuery, lng: number, lat: number): PointsQuery & { bbox: string } {
  const bbox = [lng - SPOT_MARGIN, lat - SPOT_MARGIN, lng + SPOT_MARGIN, lat + SPOT_MARGIN].map((degrees) => degrees.toFixed(8)).join(",");
  return { ...query, bbox, fields: SPOT_FIELDS };
}

export type SpotCase = { id: string; status: string; light: MapLight };

/**
 * The cases of a box's answer that the map drew at the point: those whose rounded coordinates are
 * the point's (the box is a hair wider). Suspended cases are grey, whatever their deadline, as on the map.
 */
export function casesAt(answer: Awaited<ReturnType<typeof fetchPoints>>, lng: number, lat: number): SpotCase[] {
  const { id = [], lng: lngs = [], lat: lats = [], status = [], light = [] } = answer;
  return id.flatMap((caseId, i) =>
    lngs[i] === lng && lats[i] === lat ? [{ id: caseId, status: status[i], light: status[i] === "suspended" ? "suspended" : light[i] }] : [],
  );
}
