import { describe, expect, it } from "vitest";
import { conflictingAdministratorRoles, managedRoles } from "./roles.ts";

describe("separation of the three administrators", () => {
  it("finds an account holding two or three of them, and only then", () => {
    expect(conflictingAdministratorRoles(["admin", "auditor"])).toEqual(["admin", "auditor"]);
    expect(conflictingAdministratorRoles(["security_admin", "auditor", "admin"])).toEqual(["admin", "security_admin", "auditor"]);
    expect(conflictingAdministratorRoles(["admin", "dispatcher"])).toEqual([]);
    expect(conflictingAdministratorRoles(["auditor"])).toEqual([]);
  });

  it("lets no role manage its own administrator role or the security administrator's", () => {
    const system = managedRoles(["admin"]);
    expect(system.has("dispatcher")).toBe(true);
    expect([...system].filter((role) => ["admin", "security_admin", "auditor"].includes(role))).toEqual([]);
    const security = managedRoles(["security_admin"]);
    expect(security.has("admin") && security.has("auditor") && security.has("grid_worker")).toBe(true);
    expect(security.has("security_admin")).toBe(false);
    expect(managedRoles(["auditor"]).size).toBe(0);
    expect(managedRoles(["dispatcher", "leader"]).size).toBe(0);
  });
});
