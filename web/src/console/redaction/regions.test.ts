import { describe, expect, it } from "vitest";
import { regionOf, regionStyle, toFraction } from "./regions";

describe("drawing regions", () => {
  const box = { left: 100, top: 50, width: 400, height: 300 };

  it("turns pointer positions into fractions of the photo, clamped to its edges", () => {
    expect(toFraction(300, 200, box)).toEqual({ x: 0.5, y: 0.5 });
    expect(toFraction(0, 1000, box)).toEqual({ x: 0, y: 1 });
  });

  it("makes the same rectangle whichever way the drag went, and none from a click", () => {
    const forward = regionOf({ x: 0.2, y: 0.3 }, { x: 0.6, y: 0.5 });
    expect(forward).toEqual({ x: 0.2, y: 0.3, width: 0.4, height: 0.2 });
    expect(regionOf({ x: 0.6, y: 0.5 }, { x: 0.2, y: 0.3 })).toEqual(forward);
    expect(regionOf({ x: 0.2, y: 0.3 }, { x: 0.205, y: 0.5 })).toBeUndefined();
    const edge = regionOf({ x: 0.9, y: 0.9 }, { x: 1, y: 1 });
    expect(edge && edge.x + edge.width).toBeLessThanOrEqual(1);
  });

  it("places a region over the displayed photo in percentages", () => {
    expect(regionStyle({ x: 0.25, y: 0.1, width: 0.5, height: 0.125 })).toEqual({ left: "25.00%", top: "10.00%", width: "50.00%", height: "12.50%" });
  });
});
