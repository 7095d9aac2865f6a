import { describe, expect, it } from "vitest";
import { CASE_SHADES } from "../../map/palette";
import { classLabel, gridMapOption, hottestGrids, joinGrids, shadeClasses, type MapGrid } from "./grid-map";

const feature = (code: string, name: string) => ({ properties: { code, name, communityName: "翠湖社区", streetName: "华山街道" } });
const figures = (accepted: number, closures = 0, overdue = 0) => ({ accepted, closures, overdue });

describe("the map's scale", () => {
  it("has no class without a grid that has cases", () => {
    expect(shadeClasses([0, 0, 0])).toEqual([]);
  });

  it("uses all five colours when the counts spread", () => {
    const classes = shadeClasses(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(classes.map(classLabel)).toEqual(["1–41", "42–66", "67–86", "87–96", "97+"]);
    expect(classes.map((shade) => shade.color)).toEqual(CASE_SHADES.light);
  });

  it("on the dark screen runs from dim to bright", () => {
    expect(shadeClasses(Array.from({ length: 100 }, (_, i) => i + 1), true).map((shade) => shade.color)).toEqual(CASE_SHADES.dark);
  });

  it("is one class, the darkest, when every busy grid has the same count", () => {
    expect(shadeClasses([0, 3, 3, 3])).toEqual([{ min: 1, max: null, color: CASE_SHADES.light[CASE_SHADES.light.length - 1] }]);
  });

  it("cuts a skewed district at quantiles, so that one very busy grid does not pale every other", () => {
    const values = [...Array<number>(40).fill(1), ...Array<number>(30).fill(2), ...Array<number>(20).fill(4), ...Array<number>(8).fill(7), 40, 90];
    const classes = shadeClasses([0, 0, ...values]);
    expect(classes.map(classLabel)).toEqual(["1–2", "3–4", "5–7", "8+"]);
    // Fewer classes than colours take the darkest ones.
    expect(classes.map((shade) => shade.color)).toEqual(CASE_SHADES.light.slice(1));
    // Every count falls in exactly one class.
    for (let n = 1; n <= 100; n++) expect(classes.filter((c) => n >= c.min && (c.max === null || n <= c.max))).toHaveLength(1);
  });
});

describe("the grids on the map", () => {
  const features = [feature("530103001001001", "一号网格"), feature("530103001001002", "二号网格"), feature("530103001001003", "三号网格")];
  const rows = [
    { key: "530103001001002", figures: figures(5, 3, 1) },
    { key: "530103001001003", figures: figures(5) },
    // A grid outside the collection is not drawn.
    { key: "530103002001001", figures: figures(9) },
  ];

  it("joins every grid of the collection with its figures, 0 without any", () => {
    const grids = joinGrids(features, rows);
    expect(grids.map((grid) => [grid.code, grid.accepted, grid.closures, grid.overdue])).toEqual([
      ["530103001001001", 0, 0, 0],
      ["530103001001002", 5, 3, 1],
      ["530103001001003", 5, 0, 0],
    ]);
    expect(grids[0].place).toBe("华山街道 · 翠湖社区");
  });

  it("ranks the hottest by cases, ties by code, leaving out grids without a case", () => {
    expect(hottestGrids(joinGrids(features, rows), 8).map((grid) => grid.code)).toEqual(["530103001001002", "530103001001003"]);
    expect(hottestGrids(joinGrids(features, rows), 1)).toHaveLength(1);
  });

  it("shades each grid by its count, numbers the hottest and names its figures on hover", () => {
    const grids: MapGrid[] = joinGrids(features, rows);
    const option = gridMapOption("grids-test", grids, ["530103001001002"], { none: "无案件", figures: (grid) => `受理 ${grid.accepted} 件` }, { latitude: 60 }) as {
      tooltip: { formatter: (params: { name: string }) => string };
      visualMap: { pieces: { label: string }[] };
      series: { map: string; aspectScale: number; data: { name: string; value: number; label?: { formatter: string }; itemStyle?: { areaColor?: string } }[] }[];
    };
    const [series] = option.series;
    expect(series.map).toBe("grids-test");
    expect(series.aspectScale).toBeCloseTo(0.5);
    expect(series.data.map((item) => [item.name, item.value])).toEqual([
      ["530103001001001", 0],
      ["530103001001002", 5],
      ["530103001001003", 5],
    ]);
    expect(series.data[1].label?.formatter).toBe("1");
    // A numbered grid keeps its shade under its own border.
    expect(series.data[1].itemStyle?.areaColor).toBe(CASE_SHADES.light[CASE_SHADES.light.length - 1]);
    expect(series.data[2].label).toBeUndefined();
    expect(option.visualMap.pieces.map((piece) => piece.label)).toEqual(["无案件", "1+"]);
    expect(option.tooltip.formatter({ name: "530103001001002" })).toBe("二号网格\n华山街道 · 翠湖社区\n受理 5 件");
  });
});
