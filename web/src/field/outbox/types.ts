/**
 * What the field app keeps on the device until the server has accepted it: a report with its
 * photos, or a workflow action on a case. Each carries the Idempotency-Key made when it was taken,
 * so that sending it again after a lost answer never makes a second case or a second action.
 */

/**
 * A photo waiting on the device; `uploadedId` once the server has it (so a retry never uploads it
 * twice). `after` marks the after-photos of a report handled on the spot.
 */
export type OutboxPhoto = { blob: Blob; uploadedId?: string; after?: boolean };

export type ReportBody = {
  description: string;
  categoryCode?: string;
  location: { lat: number; lng: number };
  source: "grid_worker" | "supervisor_patrol" | "volunteer";
  /** Handled on the spot (就地处置): the worker fixed it; the after-photos are the `after` ones. */
  handledOnSpot?: boolean;
};

/** One GPS fix of a patrol's track: WGS-84, taken at `t` (epoch ms), accurate to `accuracy` metres. */
export type TrackPoint = { lng: number; lat: number; t: number; accuracy: number };

export type PatrolBody = { startedAt: string; endedAt: string; points: TrackPoint[] };

export type TransitionAction = "acknowledge" | "handle" | "request_extension" | "return" | "verify_pass" | "verify_fail" | "review_pass" | "review_fail";

export type TransitionBody = {
  action: TransitionAction;
  note?: string;
  days?: number;
  reasonCode?: string;
};

/** The server's refusal, kept with the item so the worker sees why. */
export type Refusal = { status: number; code: string; message: string };

type ItemBase = {
  id: string;
  /** Order of taking: items are sent in this order. */
  seq: number;
  /** Who took it: only that user's session sends it. */
  userId: string;
  idempotencyKey: string;
  takenAt: string;
  photos: OutboxPhoto[];
  /** `waiting` until sent; `refused` when the server said no (kept until retried or discarded). */
  state: "waiting" | "refused";
  refusal?: Refusal;
  /** The last transient failure (network, 5xx), shown while the item waits for the next try. */
  lastError?: Refusal;
  attempts: number;
};

export type ReportItem = ItemBase & { kind: "report"; report: ReportBody };
export type TransitionItem = ItemBase & {
  kind: "transition";
  caseId: string;
  caseNumber: string;
  /** The ETag of the case as the worker saw it when acting. */
  etag: string;
  transition: TransitionBody;
};
export type PatrolItem = ItemBase & { kind: "patrol"; patrol: PatrolBody };
export type OutboxItem = ReportItem | TransitionItem | PatrolItem;

/** Where items live: IndexedDB in the app, memory in unit tests. */
export type OutboxStore = {
  list(): Promise<OutboxItem[]>;
  put(item: OutboxItem): Promise<void>;
  delete(id: string): Promise<void>;
  clear(): Promise<void>;
};

/** A failed call at the network edge: status 0 for no network. */
export class SendError extends Error {
  readonly status: number;
  readonly code: string;
  /** Seconds from a 429's or 503's Retry-After. */
  readonly retryAfter?: number;

  constructor(status: number, code: string, message: string, retryAfter?: number) {
    super(message);
    this.name = "SendError";
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

/** The calls the outbox makes; the app's implementation speaks to the API, tests inject a fake. */
export type Sender = {
  uploadPhoto(blob: Blob): Promise<string>;
  createCase(body: ReportBody & { photoIds?: string[]; afterPhotoIds?: string[] }, idempotencyKey: string): Promise<{ id: string; number: string }>;
  createPatrol(body: PatrolBody, idempotencyKey: string): Promise<{ id: string }>;
  readCase(caseId: string): Promise<{ etag: string; actions: string[] }>;
  transition(caseId: string, etag: string, body: TransitionBody & { photoIds?: string[] }, idempotencyKey: string): Promise<void>;
};

/** What a successful send produced, for the app to show: the case (none for a patrol). */
export type Sent = { item: OutboxItem; caseId: string | null; caseNumber: string | null };
