import { describe, expect, it } from "vitest";
import type { Me } from "../api/client";
import { homePath } from "./home";
import { MENU, menuFor } from "./menu";

const CASEWORK = ["case.read", "department.read", "division.read", "grid.read"];
const person = (roles: string[], permissions: string[], passwordChangeRequired = false): Me => ({
  id: "u",
  username: "u",
  displayName: "U",
  roles,
  permissions,
  scope: { code: "530103", name: "盘龙区", level: "district" },
  passwordChangeRequired,
});

describe("the home page of a role", () => {
  it("is the queue that role works", () => {
    expect(homePath(person(["dispatcher"], CASEWORK))).toBe("/console/cases?queue=centre");
    expect(homePath(person(["dispatcher", "handler"], CASEWORK))).toBe("/console/cases?queue=centre");
    expect(homePath(person(["handler"], CASEWORK))).toBe("/console/cases?queue=mine");
    expect(homePath(person(["supervisor"], CASEWORK))).toBe("/console/cases?status=handled");
    expect(homePath(person(["leader"], CASEWORK))).toBe("/console/cases");
    expect(homePath(person(["grid_worker"], CASEWORK))).toBe("/console/cases");
  });

  it("is intake for a seat operator, the queue where the menu lacks it", () => {
    const seat = person(["seat_operator"], CASEWORK);
    expect(homePath(seat)).toBe("/console/intake");
    expect(homePath(seat, MENU.filter((entry) => entry.key !== "intake"))).toBe("/console/cases");
  });

  it("is a page an administrator can use, and the password page for an account that must change it", () => {
    expect(homePath(person(["auditor"], ["division.read", "grid.read", "audit.read", "user.read"]))).toBe("/console/map");
    expect(homePath(person(["admin"], [...CASEWORK, "user.write"]))).toBe("/console/admin");
    expect(homePath(person(["volunteer"], []))).toBe("/console/password");
    expect(homePath(person(["dispatcher"], CASEWORK, true))).toBe("/console/password");
  });
});

describe("the menu", () => {
  it("shows only what the permissions allow", () => {
    expect(menuFor(person(["grid_worker"], CASEWORK)).map((entry) => entry.key)).toEqual(["cases", "map"]);
    expect(menuFor(person(["seat_operator"], CASEWORK)).map((entry) => entry.key)).toEqual(["intake", "cases", "map"]);
    expect(menuFor(person(["auditor"], ["grid.read", "audit.read"])).map((entry) => entry.key)).toEqual(["map"]);
  });
});
