import type { ColumnType, Generated, Insertable, Selectable } from "kysely";

/** Kysely's view of the tables created by migrations/. */
export type DB = {
  schema_migrations: { name: string; applied_at: Generated<Date> };
  divisions: DivisionTable;
  grids: GridTable;
  command_centres: { division_code: string; name: string };
  departments: DepartmentTable;
  users: UserTable;
  grid_staff: { grid_code: string; user_id: string; duty: GridDuty };
  sessions: SessionTable;
  login_throttles: LoginThrottleTable;
  api_keys: ApiKeyTable;
  screen_credentials: ScreenCredentialTable;
  open311_requests: Open311RequestTable;
  open311_update_posts: Open311UpdatePostTable;
  hotline_mappings: HotlineMappingTable;
  audit_log: AuditLogTable;
  audit_chain_heads: { region_code: string; seq: number; hash: string };
  categories: CategoryTable;
  routing_rules: { category_code: string; division_code: string; department_code: string };
  case_number_counters: { region_code: string; day: string; last_value: number };
  cases: CaseTable;
  case_events: CaseEventTable;
  case_status_counts: { region_code: string; community_code: string; status: string; cases: number };
  /** Return requests and approvals per community and department they count against (docs/decisions/0028). */
  case_return_counts: { region_code: string; community_code: string; department_code: string; requested: Generated<number>; approved: Generated<number> };
  case_counts: CaseCountTable;
  case_half_counts: CaseHalfCountTable;
  case_appeals: {
    id: string;
    region_code: string;
    case_id: string;
    unit_code: string;
    reason: string;
    status: Generated<"pending" | "accepted" | "refused">;
    filed_by: string;
    filed_at: Generated<Date>;
    decided_by: string | null;
    decided_at: Date | null;
    decision_note: string | null;
  };
  bulletins: {
    region_code: string;
    period_code: string;
    period_from: string;
    period_to: string;
    generated_at: Generated<Date>;
    generated_by: string | null;
    data: Json<Record<string, unknown>>;
    workbook: Buffer;
    pdf: Buffer;
  };
  case_late_counts: CaseLateCountTable;
  case_late_half_counts: CaseLateHalfCountTable;
  evaluation_settings: {
    region_code: string;
    suspended_due: Generated<boolean>;
    response_hours: Generated<string>;
    index_weights: ColumnType<Record<string, Record<string, number>>, string | undefined, string>;
    updated_at: Generated<Date>;
  };
  case_event_log: CaseEventLogTable;
  case_event_log_heads: { region_code: string; position: number };
  webhook_subscriptions: WebhookSubscriptionTable;
  webhook_outbox: WebhookOutboxTable;
  webhook_deliveries: WebhookDeliveryTable;
  idempotency_keys: IdempotencyKeyTable;
  attachments: AttachmentTable;
  attachment_redactions: AttachmentRedactionTable;
  saved_filters: SavedFilterTable;
  scheduler_leases: { name: string; holder: string; expires_at: Date };
  rate_limits: { bucket: string; window_ends: Date; hits: number };
  case_reasons: CaseReasonTable;
  notification_cursors: { region_code: string; position: number };
  notifications: NotificationTable;
  outbound_messages: OutboundMessageTable;
  outbound_message_attempts: OutboundMessageAttemptTable;
  response_templates: ResponseTemplateTable;
  patrols: PatrolTable;
};

/** A patrol (巡查): its track as [lng, lat, epoch ms, accuracy m] points, its gaps, and its figures. */
export type PatrolTable = {
  region_code: string;
  id: string;
  user_id: string;
  division_code: string;
  started_at: Date;
  ended_at: Date;
  day: ColumnType<string, string, string>;
  track: ColumnType<[number, number, number, number][], string, string>;
  gaps: ColumnType<{ from: number; to: number; reason: "silence" | "jump"; seconds: number }[], string, string>;
  point_count: number;
  distance_meters: number;
  tracked_seconds: number;
  created_at: Generated<Date>;
};

export type NotificationKind = "task" | "escalated" | "urged" | "near_due" | "overdue" | "returned" | "rework" | "webhook_disabled";

export type NotificationTable = {
  id: string;
  user_id: string;
  region_code: string;
  case_id: string;
  event_id: string;
  number: string;
  title: string;
  kind: NotificationKind;
  at: Date;
  read_at: Date | null;
};

export type OutboundMessageTable = {
  id: string;
  event_id: string;
  recipient: "department_duty" | "reporter";
  region_code: string;
  case_id: string;
  department_id: string | null;
  text: string;
  status: Generated<"pending" | "sent" | "failed" | "skipped">;
  attempts: Generated<number>;
  next_attempt_at: Generated<Date>;
  created_at: Generated<Date>;
  sent_at: Date | null;
};

export type OutboundMessageAttemptTable = {
  message_id: string;
  attempt: number;
  at: Generated<Date>;
  channel: string;
  phone_masked: string | null;
  status: "sent" | "failed";
  error: string | null;
};

export type ResponseTemplateTable = {
  id: string;
  region_code: string;
  category_code: string | null;
  action: string | null;
  visibility: "staff" | "public";
  title: string;
  body: string;
  version: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
};

export type DepartmentTable = {
  id: string;
  code: string;
  name: string;
  division_code: string;
  /** Staffed phone for urgent notices; shown masked. */
  duty_phone: Generated<string | null>;
  version: Generated<number>;
};

export type AttachmentTable = {
  id: string;
  region_code: string | null;
  case_id: string | null;
  kind: "before" | "after" | "verification" | null;
  storage_key: string;
  mime: string;
  bytes: number;
  sha256: string;
  width: number;
  height: number;
  uploaded_by: string | null;
  created_at: Generated<Date>;
};

/** A redaction of a case photo: the blurred areas (image-relative) and the derived file; no regions, no file. */
export type AttachmentRedactionTable = {
  attachment_id: string;
  region_code: string;
  id: string;
  storage_key: string | null;
  mime: string | null;
  bytes: number | null;
  regions: Json<{ x: number; y: number; width: number; height: number }[]>;
  created_by: string;
  created_at: Generated<Date>;
};

export type CategoryTable = {
  code: string;
  name: string;
  class: "component" | "event" | "governance" | "appeal";
  parent_code: string | null;
  department_code: string | null;
  closure_level: "community" | "street" | "district";
  deadline_policy: string;
  photo_required: boolean;
  /** Offered to Open311 clients and shown in the public request list. */
  public: Generated<boolean>;
  /** Cases filed under it are emergencies, whatever the reporter said. */
  emergency: Generated<boolean>;
  keywords: string[];
  active: Generated<boolean>;
  version: Generated<number>;
  /** Extra questions in the order asked (see modules/cases/category-questions.ts). */
  questions: ColumnType<CategoryQuestion[], string | undefined, string>;
};

/** An extra question of a category, asked wherever the category is chosen. */
export type CategoryQuestion = {
  code: string;
  label: { zh: string; en: string };
  type: "number" | "choice" | "text" | "yes_no";
  /** Only for type choice: the values a reporter may pick, with their labels. */
  choices?: { value: string; zh: string; en: string }[];
  required: boolean;
  /** Staff-only answers never reach the public. */
  public: boolean;
  min?: number;
  max?: number;
  maxLength?: number;
};

/** A case's answer to one question, with the question as it was asked. */
export type CaseAnswer = {
  value: number | string | boolean;
  label: { zh: string; en: string };
  type: CategoryQuestion["type"];
  public: boolean;
  /** The question's place in the category's list when asked (jsonb keeps no key order). */
  position: number;
  /** For choice answers: the label of the chosen value at answer time. */
  choice?: { zh: string; en: string };
};

export type CaseTable = {
  region_code: string;
  id: string;
  number: string;
  version: Generated<number>;
  status: string;
  level: "community" | "street" | "district";
  source: string;
  category_code: string | null;
  suggested_category_code: string | null;
  department_code: string | null;
  urgency: Generated<string>;
  title: string;
  description: string;
  search_text: string;
  lat: number;
  lng: number;
  grid_code: string;
  community_code: string;
  street_code: string;
  building_code: string | null;
  reporter_user_id: string | null;
  reporter_name: string | null;
  reporter_phone: string | null;
  tracking_token_hash: string;
  assignment: NullableJson<Record<string, string>>;
  suspended_from: string | null;
  suspended_at: Date | null;
  pending_extension_days: number | null;
  extension_requested_by: string | null;
  rework_count: Generated<number>;
  reopen_count: Generated<number>;
  satisfaction: string | null;
  merged_into: string | null;
  accept_by: Date;
  dispatch_by: Date;
  feedback_by: Date;
  handle_by: Date;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  closed_at: Date | null;
  deadline_state: Generated<"on_time" | "near_due" | "overdue">;
  /** Answers to the category's extra questions, keyed by question code. */
  answers: ColumnType<Record<string, CaseAnswer>, string | undefined, string>;
  /** The co-handling departments of the current dispatch: [{ departmentId, state }]. */
  co_handlers: ColumnType<{ departmentId: string; state: "dispatched" | "acknowledged" | "reported" | "released" }[], string | undefined, string>;
  /** A return waiting for the owning centre: { requestedBy, reasonCode }. */
  return_request: NullableJson<{ requestedBy: string; reasonCode: string }>;
  /** Handled on the spot (就地处置) by its finder, and closed at community level on report. */
  handled_on_spot: Generated<boolean>;
  /** The sample review (抽查) of a case handled on the spot; a failure stays recorded after the rework. */
  spot_review: "passed" | "failed" | null;
  /** Whether the reporter said the problem was solved (是否解决); null until rated. */
  resolved: boolean | null;
  /** The moments indicators count by: first registration, first dispatch, first acknowledgement, last handling. */
  registered_at: Date | null;
  dispatched_at: Date | null;
  acknowledged_at: Date | null;
  /** Acknowledged within the region's response limit after the first dispatch (响应率). */
  responded_on_time: boolean | null;
  handled_at: Date | null;
  handled_by: string | null;
  /** Working minutes from the first dispatch to the last handling. */
  handling_minutes: number | null;
  /** Extensions (延期) approved. */
  extension_count: Generated<number>;
  /** An accepted appeal (考核申诉) left the case out of the due figures. */
  evaluation_excluded: Generated<boolean>;
  /** Imported from another platform (12345): its source name and work-order number, unique per region. */
  external_source: string | null;
  external_ref: string | null;
  /** When that platform took the call. */
  external_reported_at: Date | null;
};

/** Counts per region, kind of grouping, day, community and value (docs/decisions/0033); kept by triggers. */
export type CaseCountTable = {
  region_code: string;
  kind: "all" | "grid" | "department" | "person" | "category" | "level" | "source" | "reporter";
  day: string;
  community_code: string;
  value: string;
  accepted: number;
  registered: number;
  dispatched: number;
  responded: number;
  due_close: number;
  closed_due: number;
  closed_on_time: number;
  reworked: number;
  extended: number;
  due_handle: number;
  handled_on_time: number;
  handled: number;
  handling_minutes: string;
  closed: number;
  on_spot: number;
  rated: number;
  resolved: number;
  satisfied: number;
};

/** The same counts by half month (the 1st or the 16th in `half`), for the kinds 'all' and 'reporter'. */
export type CaseHalfCountTable = Omit<CaseCountTable, "kind" | "day"> & { kind: "all" | "reporter"; half: string };

/** Cases closed or handled on a later day than their deadline's, by both days. */
export type CaseLateCountTable = {
  region_code: string;
  kind: CaseCountTable["kind"];
  stage: "close" | "handle";
  done_day: string;
  due_day: string;
  community_code: string;
  value: string;
  cases: number;
  reworked: number;
  extended: number;
};

/** The same late rows by the half months (their 1st or 16th) the case was closed or handled in and was due in. */
export type CaseLateHalfCountTable = Omit<CaseLateCountTable, "done_day" | "due_day"> & { done_half: string; due_half: string };

/** The configured reasons of a return (退回) or a rejection (不予立案). */
export type CaseReasonTable = {
  kind: "return" | "reject";
  code: string;
  label_zh: string;
  label_en: string;
  position: Generated<number>;
  active: Generated<boolean>;
};

export type CaseEventTable = {
  region_code: string;
  id: string;
  case_id: string;
  at: Generated<Date>;
  actor_id: string | null;
  action: string;
  from_status: string | null;
  to_status: string;
  level: string;
  note: string | null;
  public_note: Generated<boolean>;
  details: Json<Record<string, unknown>>;
  /** The columns of the case the event changed, with their new values (the report: the first state). */
  changes: ColumnType<Record<string, unknown>, string | undefined, string>;
  /** The API key of the request that wrote the event, if one did. */
  api_key_id: ColumnType<string | null, string | null | undefined, string | null>;
};

/** A subscription to a region's case events (docs/decisions/0041). */
export type WebhookSubscriptionTable = {
  id: string;
  region_code: string;
  scope_code: string;
  url: string;
  description: Generated<string>;
  /** Null: every action. */
  kinds: string[] | null;
  personal_data: Generated<boolean>;
  secret: string;
  active: Generated<boolean>;
  disabled_reason: "manual" | "failing" | null;
  disabled_at: Date | null;
  created_by: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
};

/** A delivery to make or made: one per subscription and event, written by a trigger on case_event_log. */
export type WebhookOutboxTable = {
  id: Generated<number>;
  subscription_id: string;
  event_id: string;
  case_id: string;
  region_code: string;
  status: Generated<"pending" | "delivered">;
  attempts: Generated<number>;
  next_attempt_at: Generated<Date>;
  claimed_until: Date | null;
  failing_since: Date | null;
  /** The event's case event log position: a case's pending deliveries go out in this order. */
  position: Generated<number>;
  created_at: Generated<Date>;
  delivered_at: Date | null;
};

/** One attempt to deliver, for the delivery log. */
export type WebhookDeliveryTable = {
  id: Generated<number>;
  subscription_id: string;
  event_id: string;
  case_number: string;
  kind: string;
  attempt: number;
  at: Date;
  outcome: "delivered" | "retry" | "disabled";
  status_code: number | null;
  latency_ms: number;
  error_code: string | null;
};

/** An entry of a region's commit-ordered case event log (written by a trigger on case_events). */
export type CaseEventLogTable = {
  region_code: string;
  position: number;
  at: Generated<Date>;
  event_id: string;
  case_id: string;
  number: string;
  action: string;
  status: string;
  level: string;
  street_code: string;
  community_code: string;
  grid_code: string;
  department_code: string | null;
  co_department_ids: Generated<string[]>;
};

/** Rows found by a hash of scope and key; the answer sealed under a key derived from the Idempotency-Key. */
export type IdempotencyKeyTable = {
  key_hash: Buffer;
  request_mac: Buffer;
  /** 0 while the first request is being written (never visible after its transaction commits). */
  status_code: number;
  response: Buffer;
  created_at: Generated<Date>;
  expires_at: Date;
};

/** A user's saved view of the case queue: a name and the queue's URL query. */
export type SavedFilterTable = {
  id: string;
  user_id: string;
  name: string;
  query: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
};

export type DivisionLevel = "district" | "street" | "community" | "courtyard" | "building";
export type GridDuty = "inspector" | "street_cadre" | "grid_worker" | "volunteer" | "building_head";

/** jsonb columns: objects come out, JSON text goes in. */
type Json<T> = ColumnType<T, string, string>;
type NullableJson<T> = ColumnType<T | null, string | null, string | null>;

export type GeoJsonPolygon = { type: "Polygon"; coordinates: number[][][] };

export type DivisionTable = {
  code: string;
  parent_code: string | null;
  level: DivisionLevel;
  name: string;
  region_code: string;
  geometry: NullableJson<GeoJsonPolygon>;
  lat: number | null;
  lng: number | null;
};

export type GridTable = {
  code: string;
  community_code: string;
  region_code: string;
  name: string;
  geometry: Json<GeoJsonPolygon>;
  min_lng: number;
  min_lat: number;
  max_lng: number;
  max_lat: number;
};

export type UserTable = {
  id: string;
  username: string;
  display_name: string;
  phone: string | null;
  password_hash: string | null;
  roles: string[];
  scope_code: string | null;
  department_id: string | null;
  /** Set by an administrator's lock; sign-in is refused until an unlock clears it. */
  locked_at: Date | null;
  disabled_at: Date | null;
  password_change_required: Generated<boolean>;
  version: Generated<number>;
  created_at: Generated<Date>;
};

export type LoginThrottleTable = {
  username: string;
  source: string;
  failures: number;
  last_failed_at: Date;
  blocked_until: Date | null;
};

export type SessionTable = {
  token_hash: string;
  user_id: string;
  created_at: Generated<Date>;
  last_seen_at: Generated<Date>;
  expires_at: Date;
};

export type ApiKeyTable = {
  id: string;
  user_id: string;
  name: string;
  key_hash: string;
  prefix: string;
  created_at: Generated<Date>;
  last_used_at: Date | null;
  revoked_at: Date | null;
  /** The organisation the key serves (the client's owner), shown beside its name. */
  organisation: string;
  /** Of read, report, exchange: what the key may be used for, on top of its user's permissions. */
  scopes: ColumnType<string[], string[] | undefined, string[]>;
  /** Its own per-minute limit; null: the configured API_KEY_REQUESTS_PER_MINUTE. */
  requests_per_minute: number | null;
  expires_at: Date | null;
  revoked_by: string | null;
};

/** A request an Open311 client posted: its token (hashed), its case, and the contact details Open311 carries. */
export type Open311RequestTable = {
  token_hash: string;
  region_code: string;
  case_id: string;
  case_number: string;
  user_id: string;
  request_hash: string;
  email: string | null;
  device_id: string | null;
  account_id: string | null;
  created_at: Generated<Date>;
};

/** A comment an Open311 client posted, by the client's own id for it. */
export type Open311UpdatePostTable = {
  user_id: string;
  update_id_ext: string;
  region_code: string;
  case_id: string;
  event_id: string;
  email: string | null;
  created_at: Generated<Date>;
};

export type ScreenCredentialTable = {
  id: string;
  name: string;
  division_code: string;
  token_hash: string;
  created_by: string;
  created_at: Generated<Date>;
  revoked_at: Date | null;
  last_used_at: Date | null;
};

export type AuditLogTable = {
  region_code: string;
  id: string;
  at: Generated<Date>;
  actor_id: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  details: Json<Record<string, unknown>>;
  /** Position in the region's hash chain, from 1. */
  seq: number;
  /** Hex SM3; null only for entries written before the chain began (migration 0006). */
  prev_hash: string | null;
  hash: string | null;
};

export type UserRow = Selectable<UserTable>;
export type NewUser = Insertable<UserTable>;
export type DivisionRow = Selectable<DivisionTable>;
export type GridRow = Selectable<GridTable>;
export type CaseRow = Selectable<CaseTable>;

/** Which columns of a 12345 file hold what (modules/exchange/hotline-mapping.ts). */
export type HotlineColumns = Record<string, string>;

export type HotlineMappingTable = {
  id: string;
  region_code: string;
  name: string;
  /** The platform the files come from: the namespace of their work-order numbers. */
  source_name: string;
  columns: ColumnType<HotlineColumns, string, string>;
  /** A file's category values and the category codes they mean. */
  category_values: ColumnType<Record<string, string>, string | undefined, string>;
  crs: Generated<"wgs84" | "gcj02" | "bd09">;
  version: Generated<number>;
  created_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
};
