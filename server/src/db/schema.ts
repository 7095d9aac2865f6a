import type { ColumnType, Generated, Insertable, Selectable } from "kysely";

/** Kysely's view of the tables created by migrations/. */
export type DB = {
  schema_migrations: { name: string; applied_at: Generated<Date> };
  divisions: DivisionTable;
  grids: GridTable;
  command_centres: { division_code: string; name: string };
  departments: { id: string; code: string; name: string; division_code: string };
  users: UserTable;
  grid_staff: { grid_code: string; user_id: string; duty: GridDuty };
  sessions: SessionTable;
  api_keys: ApiKeyTable;
  audit_log: AuditLogTable;
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
  failed_logins: Generated<number>;
  locked_until: Date | null;
  disabled_at: Date | null;
  created_at: Generated<Date>;
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
};

export type UserRow = Selectable<UserTable>;
export type NewUser = Insertable<UserTable>;
export type DivisionRow = Selectable<DivisionTable>;
export type GridRow = Selectable<GridTable>;
