import type { paths } from "../api/schema";

/** The stream's path, checked against the generated OpenAPI types. */
export const EVENTS_PATH: keyof paths = "/api/v1/events";

/** `event: case`: a case in the user's scope changed (GET /api/v1/events in the OpenAPI document). */
export type CaseEvent = {
  type: "case";
  position: number;
  caseId: string;
  number: string;
  action: string;
  status: string;
  level: string;
  streetCode: string;
  communityCode: string;
  gridCode: string;
  departmentCode: string | null;
  at: string;
};

/** `event: reset`: the missed events are gone; everything shown must be reloaded. */
export type ResetEvent = { type: "reset"; reason: "expired" | "malformed" | "ahead"; position: number };

/** What subscribers receive: a case change, or a reset. */
export type LiveEvent = CaseEvent | ResetEvent;
