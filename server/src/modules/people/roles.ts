/** The roles of gridgov (GLOSSARY.md) and the permissions, named `resource.action`, each grants. */
export const ROLES = [
  "resident",
  "grid_worker",
  "volunteer",
  "building_head",
  "seat_operator",
  "dispatcher",
  "handler",
  "supervisor",
  "leader",
  "merchant",
  "admin",
  "auditor",
  "security_admin",
] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  "division.read",
  "grid.read",
  "department.read",
  "user.read",
  "user.write",
  "api_key.write",
  "audit.read",
  "case.read",
  "case.export",
  "case.reveal_contact",
  "category.write",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** Staff roles work inside a division scope; residents and merchants have none. */
export const STAFF_ROLES: readonly Role[] = ROLES.filter((role) => role !== "resident" && role !== "merchant");

const GEOGRAPHY: Permission[] = ["division.read", "grid.read", "department.read"];
const CASEWORK: Permission[] = [...GEOGRAPHY, "case.read"];

const GRANTS: Record<Role, Permission[]> = {
  resident: [],
  merchant: [],
  grid_worker: CASEWORK,
  volunteer: GEOGRAPHY,
  building_head: GEOGRAPHY,
  seat_operator: [...CASEWORK, "case.reveal_contact"],
  handler: CASEWORK,
  supervisor: CASEWORK,
  dispatcher: [...CASEWORK, "user.read", "case.reveal_contact", "case.export"],
  leader: [...CASEWORK, "user.read", "case.export"],
  admin: [...CASEWORK, "user.read", "user.write", "api_key.write", "category.write", "case.export"],
  auditor: [...GEOGRAPHY, "user.read", "audit.read"],
  security_admin: [...GEOGRAPHY, "user.read", "user.write", "api_key.write", "audit.read"],
};

/** The union of the permissions of the given roles. */
export function permissionsOf(roles: readonly Role[]): Set<Permission> {
  return new Set(roles.flatMap((role) => GRANTS[role]));
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
