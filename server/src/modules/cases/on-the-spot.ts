/**
 * Handled on the spot (就地处置): most of what a grid worker finds on a patrol they fix themselves.
 * Such a report arrives already handled, with before- and after-photos, and is recorded as a case
 * closed at community level with its finder as handler; supervisors check a sample of them (抽查,
 * the `review_pass` / `review_fail` actions of the workflow). Pure: the service writes the result.
 */
import type { CaseState, WorkflowActor } from "./workflow.ts";

/**
 * Who may report a problem as handled on the spot: grid workers, who read cases and can be given
 * the rework a failed review sends back. Volunteers and building heads report it for a worker to
 * handle; supervisors are the ones who review these cases.
 */
export const ON_SPOT_ROLES: readonly string[] = ["grid_worker"];

export type OnSpotRefusal = { status: 403; code: "on_spot_not_allowed" | "on_spot_outside_community"; message: string };

/**
 * Why this actor may not close a report at this place on the spot, or null when they may: a grid
 * worker, inside their own community (their scope covers the grid's community).
 */
export function onSpotRefusal(actor: WorkflowActor, communityCode: string): OnSpotRefusal | null {
  if (!actor.roles.some((role) => ON_SPOT_ROLES.includes(role))) {
    return { status: 403, code: "on_spot_not_allowed", message: "Only grid workers report a problem as handled on the spot" };
  }
  if (actor.scopeCode === null || !communityCode.startsWith(actor.scopeCode)) {
    return { status: 403, code: "on_spot_outside_community", message: `The place lies in community ${communityCode}, outside your own; report it for dispatch instead` };
  }
  return null;
}

/** The two events after the report: handled on the spot, then closed, both by the finder. */
export const ON_SPOT_EVENTS = [
  { action: "handle_on_spot", from: "reported", to: "handled" },
  { action: "close_on_spot", from: "handled", to: "closed" },
] as const;

/**
 * The state of a report closed on the spot: at community level (its 自循环), assigned to its finder
 * (who reworks it if a review fails), not reviewed yet.
 */
export function closedOnSpot(reported: CaseState, finderId: string): CaseState {
  return {
    ...reported,
    status: "closed",
    level: "community",
    assignment: { kind: "user", userId: finderId },
    handledOnSpot: true,
    spotReview: null,
  };
}
