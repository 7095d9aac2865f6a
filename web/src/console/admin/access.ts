import type { Me } from "../../api/client";

export const SECTIONS = ["users", "departments", "categories", "routing", "grids"] as const;
export type Section = (typeof SECTIONS)[number];

const DISTRICT_CODE_LENGTH = 6;
const wholeDistrict = (me: Me) => me.scope !== null && me.scope !== undefined && me.scope.code.length <= DISTRICT_CODE_LENGTH;
const can = (me: Me, permission: string) => me.permissions.includes(permission);

/**
 * Which administration sections a user may open. Only hides what they cannot use: the API refuses
 * it anyway. Categories and grid import are for administrators of a whole district.
 */
export function allowedSection(me: Me, section: Section): boolean {
  switch (section) {
    case "users":
      return can(me, "user.write");
    case "departments":
      return can(me, "department.write");
    case "categories":
      return can(me, "category.write") && wholeDistrict(me);
    case "routing":
      return can(me, "category.write");
    case "grids":
      return can(me, "grid.write") && wholeDistrict(me);
  }
}

export const allowedSections = (me: Me): Section[] => SECTIONS.filter((section) => allowedSection(me, section));
