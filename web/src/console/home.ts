import type { Me } from "../api/client";
import { menuFor, MENU, type MenuEntry } from "./menu";

const ADMINISTRATORS = ["admin", "security_admin", "auditor"];

/**
 * Where `/` takes a signed-in user: the page of their daily work. Seat operators take calls
 * (intake), dispatchers work their centre's queue, handlers their own tasks, supervisors the cases
 * waiting for verification, leaders and grid workers all the cases of their scope, administrators
 * the page they can use. A page the user's menu lacks is skipped, so the choice always exists.
 */
export function homePath(me: Me, entries: readonly MenuEntry[] = MENU): string {
  if (me.passwordChangeRequired) return "/console/password";
  const menu = menuFor(me, entries);
  const has = (key: string) => menu.some((entry) => entry.key === key);
  const holds = (role: string) => me.roles.includes(role);
  if (holds("seat_operator") && has("intake")) return "/console/intake";
  if (ADMINISTRATORS.some(holds)) {
    const admin = menu.find((entry) => entry.key.startsWith("admin"));
    if (admin) return admin.path;
    if (has("map")) return "/console/map";
  }
  if (has("cases")) {
    if (holds("dispatcher")) return "/console/cases?queue=centre";
    if (holds("handler")) return "/console/cases?queue=mine";
    if (holds("supervisor")) return "/console/cases?status=handled";
    return "/console/cases";
  }
  return menu[0]?.path ?? "/console/password";
}
