export { useLiveCases } from "./useLiveCases";
export { subscribeLiveEvents } from "./shared-connection";
export type { CaseEvent, LiveEvent, ResetEvent } from "./live-events";
