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
  "grid.write",
  "department.read",
  "department.write",
  "user.read",
  "user.write",
  "api_key.write",
  "api_key.admin",
  "audit.read",
  "case.read",
  "case.export",
  "case.reveal_contact",
  "category.write",
  "patrol.write",
  "patrol.read",
  "indicator.read",
  "appeal.write",
  "appeal.decide",
  "screen.write",
  "exchange.write",
  "webhook.write",
  "webhook.personal_data",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** Staff roles work inside a division scope; residents and merchants have none. */
export const STAFF_ROLES: readonly Role[] = ROLES.filter((role) => role !== "resident" && role !== "merchant");

const GEOGRAPHY: Permission[] = ["division.read", "grid.read", "department.read"];
const CASEWORK: Permission[] = [...GEOGRAPHY, "case.read"];

const GRANTS: Record<Role, Permission[]> = {
  resident: [],
  merchant: [],
  grid_worker: [...CASEWORK, "patrol.write"],
  volunteer: GEOGRAPHY,
  building_head: GEOGRAPHY,
  seat_operator: [...CASEWORK, "case.reveal_contact"],
  handler: [...CASEWORK, "appeal.write"],
  supervisor: [...CASEWORK, "patrol.write", "patrol.read", "indicator.read"],
  dispatcher: [...CASEWORK, "user.read", "case.reveal_contact", "case.export", "indicator.read", "appeal.write", "exchange.write"],
  leader: [...CASEWORK, "user.read", "case.export", "patrol.read", "indicator.read", "appeal.write", "appeal.decide", "screen.write"],
  admin: [...CASEWORK, "user.read", "user.write", "api_key.write", "api_key.admin", "category.write", "department.write", "grid.write", "case.export", "indicator.read", "screen.write", "exchange.write", "webhook.write"],
  auditor: [...GEOGRAPHY, "user.read", "audit.read"],
  // Only the security administrator grants a webhook subscription personal data.
  security_admin: [...GEOGRAPHY, "user.read", "user.write", "api_key.write", "api_key.admin", "audit.read", "webhook.write", "webhook.personal_data"],
};

/** The union of the permissions of the given roles. */
export function permissionsOf(roles: readonly Role[]): Set<Permission> {
  return new Set(roles.flatMap((role) => GRANTS[role]));
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/**
 * The three administrators (三员): system administrator, security administrator, auditor. One
 * account holds at most one of them (the database refuses more), so that no one both acts and
 * checks the acts.
 */
export const ADMINISTRATOR_ROLES: readonly Role[] = ["admin", "security_admin", "auditor"];
const ORDINARY_ROLES: readonly Role[] = ROLES.filter((role) => !ADMINISTRATOR_ROLES.includes(role));

/**
 * The roles each role manages: grants, removes, and administers the accounts that hold them (reset,
 * lock, edit, disable). The system administrator manages the ordinary roles; the security
 * administrator also the system administrator and auditor roles; nobody the security
 * administrator role, which only the operator grants on the server (`gridgov users create`).
 */
const MANAGES: Partial<Record<Role, readonly Role[]>> = {
  admin: ORDINARY_ROLES,
  security_admin: [...ORDINARY_ROLES, "admin", "auditor"],
};

/** The roles that an actor holding `roles` manages. */
export function managedRoles(roles: readonly Role[]): Set<Role> {
  return new Set(roles.flatMap((role) => MANAGES[role] ?? []));
}

/** The administrator roles among `roles` when there is more than one of them, else an empty list. */
export function conflictingAdministratorRoles(roles: readonly Role[]): Role[] {
  const held = ADMINISTRATOR_ROLES.filter((role) => roles.includes(role));
  return held.length > 1 ? held : [];
}
