import { describe, expect, it } from "vitest";
import type { DivisionLevel } from "../../db/schema.ts";
import { AddressResolver } from "./address-resolver.ts";

const division = (code: string, level: DivisionLevel, name: string, parent: string | null, point: [number, number] | null = null) => ({
  code,
  parent_code: parent,
  level,
  name,
  lng: point?.[0] ?? null,
  lat: point?.[1] ?? null,
});

const PLACES = {
  divisions: [
    division("530103001001", "community", "金星社区", "530103001"),
    division("530103001002", "community", "星社区", "530103001"),
    division("530103001001101", "courtyard", "金星小区", "530103001001", [102.71, 25.05]),
    division("530103001001101001", "building", "3栋", "530103001001101", [102.712, 25.052]),
    division("530103001001101002", "building", "13栋", "530103001001101", [102.713, 25.053]),
  ],
  grids: [
    { code: "530103001001001", name: "金星社区第一网格", community_code: "530103001001" },
    { code: "530103001001002", name: "金星社区第二网格", community_code: "530103001001" },
    { code: "530103001002001", name: "星社区第一网格", community_code: "530103001002" },
  ],
};
const GRID_POINTS: Record<string, [number, number]> = {
  "530103001001001": [102.7, 25.04],
  "530103001001002": [102.72, 25.06],
  "530103001002001": [102.74, 25.08],
};

describe("placing a 12345 address", () => {
  const asked: string[] = [];
  const resolver = new AddressResolver(PLACES, (code) => {
    asked.push(code);
    return GRID_POINTS[code];
  });

  it("takes the longest place name the address contains, wherever it stands", () => {
    expect(resolver.resolve("盘龙区金星社区第二网格菜市场门口")).toEqual({ lng: 102.72, lat: 25.06, buildingCode: null });
    // 金星社区 and 星社区 both occur; the longer names its community, placed at its first grid.
    expect(resolver.resolve("盘龙区金星社区卫生服务站旁")).toEqual({ lng: 102.7, lat: 25.04, buildingCode: null });
    expect(resolver.resolve("北京路星社区第一网格")).toEqual({ lng: 102.74, lat: 25.08, buildingCode: null });
  });

  it("places a courtyard's building by the longest building name after the courtyard, else the courtyard", () => {
    expect(resolver.resolve("金星小区13栋2单元")).toEqual({ lng: 102.713, lat: 25.053, buildingCode: "530103001001101002" });
    expect(resolver.resolve("金星小区3栋")).toEqual({ lng: 102.712, lat: 25.052, buildingCode: "530103001001101001" });
    expect(resolver.resolve("金星小区门口")).toEqual({ lng: 102.71, lat: 25.05, buildingCode: null });
  });

  it("answers nothing for an address that names no place", () => {
    expect(resolver.resolve("昆明市某处")).toBeUndefined();
    expect(resolver.resolve("金")).toBeUndefined();
  });

  it("places a grid by the point its locator gives, asked by the grid's code", () => {
    asked.length = 0;
    expect(resolver.resolve("金星社区第二网格")).toEqual({ lng: 102.72, lat: 25.06, buildingCode: null });
    expect(asked).toEqual(["530103001001002"]);
  });
});
