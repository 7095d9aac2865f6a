import { describe, expect, it } from "vitest";
import type { Division, Me } from "../api/client";
import { divisionChoices, divisionDepth, namesOf } from "./scope-divisions";

const node = (code: string, name: string, level: Division["level"], children?: Division[]): Division => ({ code, name, level, parentCode: null, lat: null, lng: null, children });
const district = node("530103", "盘龙区", "district", [
  node("530103001", "拓东街道", "street", [node("530103001001", "尚义社区居委会", "community"), node("530103001002", "明通巷社区居委会", "community")]),
  node("530103002", "鼓楼街道", "street", []),
]);
const scope = { code: "530103", name: "盘龙区", level: "district" } as NonNullable<Me["scope"]>;

describe("the scope's divisions", () => {
  it("read two levels below a district, one below a street, none below a community", () => {
    expect([divisionDepth("district"), divisionDepth("street"), divisionDepth("community")]).toEqual([2, 1, 0]);
  });

  it("name every division by its code", () => {
    const names = namesOf(district);
    expect(names.get("530103001002")).toBe("明通巷社区居委会");
    expect(names.size).toBe(5);
  });

  it("offer the scope, then each street with its communities in a group; the scope alone until they are read", () => {
    expect(divisionChoices(scope, district)).toEqual([
      { value: "530103", label: "盘龙区" },
      {
        label: "拓东街道",
        title: "拓东街道",
        options: [
          { value: "530103001", label: "拓东街道" },
          { value: "530103001001", label: "尚义社区居委会" },
          { value: "530103001002", label: "明通巷社区居委会" },
        ],
      },
      { label: "鼓楼街道", title: "鼓楼街道", options: [{ value: "530103002", label: "鼓楼街道" }] },
    ]);
    expect(divisionChoices(scope, undefined)).toEqual([{ value: "530103", label: "盘龙区" }]);
    expect(divisionChoices(null, undefined)).toEqual([]);
    // A street's communities, with none below them: a flat list after the street.
    expect(divisionChoices(scope, node("530103001", "拓东街道", "street", [node("530103001001", "尚义社区居委会", "community")]))).toEqual([
      { value: "530103001", label: "拓东街道" },
      { value: "530103001001", label: "尚义社区居委会" },
    ]);
  });
});
