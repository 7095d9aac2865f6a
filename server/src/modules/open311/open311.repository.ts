import { sql, type Kysely, type SqlBool } from "kysely";
import type { DB } from "../../db/schema.ts";
import { inScope, type Actor } from "../auth/actor.ts";
import { publicPhotosJson, type PublicPhotoRow } from "../attachments/redactions.repository.ts";

/** A case as the public request list reads it: its category public, never its reporter. */
export type RequestRow = {
  region_code: string;
  id: string;
  number: string;
  status: string;
  category_code: string;
  category_name: string;
  description: string;
  department_name: string | null;
  handle_by: Date;
  created_at: Date;
  updated_at: Date;
  closed_at: Date | null;
  lat: number;
  lng: number;
  building_code: string | null;
  building_name: string | null;
  tracking_token_hash: string;
  status_note: string | null;
  photos: PublicPhotoRow[];
};

export type RequestFilter = {
  /** A key's actor: only its scope. Null: a caller without a key, every region. */
  actor: Actor | null;
  numbers?: readonly string[];
  serviceCodes?: readonly string[];
  statuses?: readonly string[];
  from?: Date;
  to?: Date;
  limit: number;
};

/**
 * Cases of public categories, newest first, with the department that handles them, the latest
 * public note on their timeline and their public photos. A list of numbers is looked up by number
 * (each in the region its number starts with), whenever they were reported.
 */
export async function findRequests(db: Kysely<DB>, filter: RequestFilter): Promise<RequestRow[]> {
  const query = db
    .selectFrom("cases")
    .innerJoin("categories", "categories.code", "cases.category_code")
    .leftJoin("departments", "departments.code", "cases.department_code")
    .leftJoin("divisions as building", "building.code", "cases.building_code")
    .select([
      "cases.region_code",
      "cases.id",
      "cases.number",
      "cases.status",
      "cases.category_code",
      "categories.name as category_name",
      "cases.description",
      "departments.name as department_name",
      "cases.handle_by",
      "cases.created_at",
      "cases.updated_at",
      "cases.closed_at",
      "cases.lat",
      "cases.lng",
      "cases.building_code",
      "building.name as building_name",
      "cases.tracking_token_hash",
      sql<string | null>`(
        select e.note from case_events as e
        where e.region_code = cases.region_code and e.case_id = cases.id and e.public_note and e.note is not null
        order by e.at desc, e.id desc limit 1
      )`.as("status_note"),
      publicPhotosJson("cases").as("photos"),
    ])
    .where("categories.public", "=", true)
    .$if(filter.actor !== null, (q) => q.where(inScope(filter.actor as Actor, sql.ref("cases.community_code"))))
    .$if(filter.numbers !== undefined, (q) =>
      q.where("cases.number", "in", [...(filter.numbers ?? [])]).where("cases.region_code", "in", [...new Set((filter.numbers ?? []).map((n) => n.slice(0, 6)))]),
    )
    .$if(filter.serviceCodes !== undefined, (q) => q.where("cases.category_code", "in", [...(filter.serviceCodes ?? [])]))
    .$if(filter.statuses !== undefined, (q) => q.where("cases.status", "in", [...(filter.statuses ?? [])]))
    .$if(filter.from !== undefined, (q) => q.where("cases.created_at", ">=", filter.from as Date))
    .$if(filter.to !== undefined, (q) => q.where("cases.created_at", "<=", filter.to as Date))
    .orderBy("cases.created_at", "desc")
    .orderBy("cases.id", "desc")
    .limit(filter.limit);
  return (await query.execute()) as RequestRow[];
}

/** An update a client follows: a report, a change of status, or a public note, of a case of a public category. */
export type UpdateRow = {
  id: string;
  at: Date;
  action: string;
  to_status: string;
  note: string | null;
  number: string;
  photos: { id: string; kind: string }[];
};

/** The public updates between two instants, oldest first, in the key's scope or everywhere. */
export async function findUpdates(db: Kysely<DB>, filter: { actor: Actor | null; from: Date; to: Date; limit: number }): Promise<UpdateRow[]> {
  const rows = await db
    .selectFrom("case_events as e")
    .innerJoin("cases", (join) => join.onRef("cases.region_code", "=", "e.region_code").onRef("cases.id", "=", "e.case_id"))
    .innerJoin("categories", "categories.code", "cases.category_code")
    .select(["e.id", "e.at", "e.action", "e.to_status", "cases.number"])
    .select(sql<string | null>`case when e.public_note then e.note end`.as("note"))
    .select(sql<{ id: string; kind: string }[]>`'[]'::json`.as("photos"))
    .where("categories.public", "=", true)
    .where(sql<SqlBool>`(e.public_note or e.from_status is distinct from e.to_status)`)
    .where("e.at", ">=", filter.from)
    .where("e.at", "<=", filter.to)
    .$if(filter.actor !== null, (q) => q.where(inScope(filter.actor as Actor, sql.ref("cases.community_code"))))
    .orderBy("e.at")
    .orderBy("e.id")
    .limit(filter.limit)
    .execute();
  return rows;
}

/** The case a client's request token names, or undefined. */
export function findRequestByToken(db: Kysely<DB>, tokenHash: string) {
  return db.selectFrom("open311_requests").select(["case_number", "region_code", "case_id"]).where("token_hash", "=", tokenHash).executeTakeFirst();
}

