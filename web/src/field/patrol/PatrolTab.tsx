import type { Me } from "../../api/client";
import { PatrolDays } from "./PatrolDays";
import { PatrolPage } from "./PatrolPage";

/**
 * The 巡查 tab: the patrol recorder for whoever patrols (grid workers, supervisors), and for whoever
 * oversees patrols (supervisors, leaders) the summary per grid worker and day.
 */
export function PatrolTab({ me }: { me: Me }) {
  const patrols = me.permissions.includes("patrol.write");
  const oversees = me.permissions.includes("patrol.read");
  return (
    <>
      {(patrols || !oversees) && <PatrolPage me={me} />}
      {oversees && <PatrolDays alone={!patrols} />}
    </>
  );
}
