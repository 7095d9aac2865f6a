import { describe, expect, it } from "vitest";
import { casesAt, spotQuery } from "./spot";

const mapQuery = { fields: "lng,lat,status,light", queue: "overdue" as const };

describe("the cases at a clicked point", () => {
  it("asks with the map's filters for a box a hair around the point, in fixed decimals", () => {
    const query = spotQuery(mapQuery, 102.7123457, 25.0412345);
    expect(query.queue).toBe("overdue");
    expect(query.fields).toBe("id,lng,lat,status,light");
    const [minLng, minLat, maxLng, maxLat] = query.bbox.split(",");
    expect([minLng, minLat, maxLng, maxLat]).toEqual(["102.71234560", "25.04123440", "102.71234580", "25.04123460"]);
    // A stored point the answer rounded to this one lies inside.
    const stored = { lng: 102.71234574, lat: 25.04123446 };
    expect(Number(minLng) <= stored.lng && stored.lng <= Number(maxLng) && Number(minLat) <= stored.lat && stored.lat <= Number(maxLat)).toBe(true);
  });

  it("writes no exponent for points near zero, which the API's bbox refuses", () => {
    expect(spotQuery(mapQuery, 0, 0).bbox).toBe("-0.00000010,-0.00000010,0.00000010,0.00000010");
  });

  it("keeps the cases drawn at the point, greys the suspended, and drops neighbours the box caught", () => {
    const answer = {
      count: 3,
      truncated: false,
      id: ["a", "b", "c"],
      lng: [102.7123457, 102.7123457, 102.7123458],
      lat: [25.0412345, 25.0412345, 25.0412345],
      status: ["dispatched", "suspended", "dispatched"],
      light: ["overdue", "on_time", "near_due"] as ("overdue" | "on_time" | "near_due")[],
    };
    expect(casesAt(answer, 102.7123457, 25.0412345)).toEqual([
      { id: "a", status: "dispatched", light: "overdue" },
      { id: "b", status: "suspended", light: "suspended" },
    ]);
    expect(casesAt({ ...answer, count: 0, id: [], lng: [], lat: [], status: [], light: [] }, 102.7123457, 25.0412345)).toEqual([]);
  });
});
