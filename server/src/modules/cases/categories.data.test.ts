import { describe, expect, it } from "vitest";
import { CATEGORY_SEEDS, type CategorySeed } from "./categories.data.ts";

const DEPARTMENT_CODES = [
  "cgj", "zjj", "scjgj", "sthjj", "jtysj", "swj", "ylj", "wjj", "mzj", "gaj", "yjj", "jtj", "rsj", "sfj", "gdj",
];

const byCode = new Map(CATEGORY_SEEDS.map((c) => [c.code, c]));
const mains = CATEGORY_SEEDS.filter((c) => c.parentCode === null);
const subs = CATEGORY_SEEDS.filter((c) => c.parentCode !== null);
const named = (name: string, cls: CategorySeed["class"]): CategorySeed[] =>
  CATEGORY_SEEDS.filter((c) => c.name === name && c.class === cls && c.parentCode !== null);

describe("category catalogue", () => {
  it("has a catalogue of realistic size", () => {
    expect(CATEGORY_SEEDS.length).toBeGreaterThanOrEqual(90);
    expect(CATEGORY_SEEDS.length).toBeLessThanOrEqual(120);
  });

  it("has unique, stable ASCII codes", () => {
    expect(byCode.size).toBe(CATEGORY_SEEDS.length);
    for (const c of CATEGORY_SEEDS) expect(c.code).toMatch(/^[a-z]+(\.[a-z0-9_]+){1,2}$/);
  });

  it("nests every subcategory under an existing main class of the same class, with its code as prefix", () => {
    for (const c of subs) {
      const parent = byCode.get(c.parentCode ?? "");
      expect(parent, c.code).toBeDefined();
      expect(parent?.parentCode, c.code).toBeNull();
      expect(parent?.class, c.code).toBe(c.class);
      expect(c.code.startsWith(`${c.parentCode}.`), c.code).toBe(true);
    }
    for (const c of mains) expect(c.code.split(".")).toHaveLength(2);
  });

  it("has the six component and six event main classes of GB/T 30428.2", () => {
    const mainNames = (cls: CategorySeed["class"]): string[] => mains.filter((c) => c.class === cls).map((c) => c.name);
    expect(mainNames("component")).toEqual(expect.arrayContaining(["公用设施", "道路交通", "市容环境", "园林绿化", "房屋土地", "其他设施"]));
    expect(mainNames("event")).toEqual(expect.arrayContaining(["市容环境", "宣传广告", "施工管理", "突发事件", "街面秩序", "其他事件"]));
    expect(mainNames("governance")).toEqual(expect.arrayContaining(["矛盾纠纷", "治安隐患", "民生服务", "关爱帮扶"]));
  });

  it("gives GB/T main classes 4 to 8 subcategories", () => {
    for (const m of mains.filter((c) => c.class === "component" || c.class === "event")) {
      const count = subs.filter((c) => c.parentCode === m.code).length;
      expect(count, m.code).toBeGreaterThanOrEqual(4);
      expect(count, m.code).toBeLessThanOrEqual(8);
    }
  });

  it("routes to the demo district's departments only", () => {
    for (const c of CATEGORY_SEEDS) {
      if (c.departmentCode !== null) expect(DEPARTMENT_CODES, c.code).toContain(c.departmentCode);
    }
    for (const c of subs.filter((s) => s.class !== "appeal")) expect(c.departmentCode, c.code).not.toBeNull();
    for (const c of mains) expect(c.departmentCode, c.code).toBeNull();
  });

  it("gives keywords to subcategories only, at least 3 outside appeals, at most 8", () => {
    for (const c of mains) expect(c.keywords, c.code).toEqual([]);
    for (const c of subs) {
      if (c.class !== "appeal") expect(c.keywords.length, c.code).toBeGreaterThanOrEqual(3);
      expect(c.keywords.length, c.code).toBeLessThanOrEqual(8);
      expect(new Set(c.keywords).size, c.code).toBe(c.keywords.length);
      for (const k of c.keywords) expect(k.trim(), c.code).toBe(k);
    }
  });

  it("lists the 12345 appeal types without department or photo", () => {
    const appeals = subs.filter((c) => c.class === "appeal");
    expect(appeals.map((c) => c.name).sort()).toEqual(["举报", "咨询", "建议", "投诉", "求助"].sort());
    for (const c of appeals) {
      expect(c.departmentCode).toBeNull();
      expect(c.photoRequired).toBe(false);
      expect(c.deadlinePolicy).toBe(c.name === "咨询" ? "consultation" : "standard");
    }
  });

  it("puts incidents on the emergency clock and hazards on the urgent one", () => {
    for (const c of subs.filter((s) => s.parentCode === "event.emergency")) expect(c.deadlinePolicy, c.code).toBe("emergency");
    for (const c of subs.filter((s) => s.parentCode === "governance.safety")) expect(c.deadlinePolicy, c.code).toBe("urgent");
    expect(named("危房", "component")[0].deadlinePolicy).toBe("urgent");
  });

  it("routes and levels well-known cases as the district does", () => {
    const expectations: [name: string, cls: CategorySeed["class"], department: string, level: CategorySeed["closureLevel"]][] = [
      ["路灯", "component", "cgj", "street"],
      ["电力井盖", "component", "gdj", "district"],
      ["行道树", "component", "ylj", "street"],
      ["暴露垃圾", "event", "cgj", "community"],
      ["乱堆物料", "event", "cgj", "community"],
      ["非机动车乱停放", "event", "cgj", "community"],
      ["占道经营", "event", "cgj", "street"],
      ["非法小广告", "event", "cgj", "street"],
      ["井盖丢失", "event", "swj", "district"],
      ["路面塌陷", "event", "jtysj", "district"],
      ["燃气管道破裂", "event", "zjj", "district"],
      ["违法建设", "event", "cgj", "district"],
      ["邻里纠纷", "governance", "sfj", "community"],
      ["劳资纠纷", "governance", "rsj", "district"],
      ["消防隐患", "governance", "yjj", "street"],
      ["电信诈骗", "governance", "gaj", "district"],
      ["医疗", "governance", "wjj", "street"],
      ["空巢老人", "governance", "mzj", "community"],
    ];
    for (const [name, cls, department, level] of expectations) {
      const [c] = named(name, cls);
      expect(c, name).toBeDefined();
      expect(c.departmentCode, name).toBe(department);
      expect(c.closureLevel, name).toBe(level);
    }
  });

  it("asks for photos of components and street scenes but not of disputes and services", () => {
    for (const c of subs.filter((s) => s.class === "component")) expect(c.photoRequired, c.code).toBe(true);
    for (const c of subs.filter((s) => s.parentCode === "event.street_order")) expect(c.photoRequired, c.code).toBe(true);
    for (const parent of ["governance.dispute", "governance.livelihood", "governance.care"]) {
      for (const c of subs.filter((s) => s.parentCode === parent)) expect(c.photoRequired, c.code).toBe(false);
    }
  });
});
