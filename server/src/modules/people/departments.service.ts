import type { Kysely } from "kysely";
import { uuidv7 } from "../../ids.ts";
import type { AppContext } from "../../context.ts";
import type { DB } from "../../db/schema.ts";
import { AppError, notFound } from "../../errors.ts";
import { regionOf, writeAudit } from "../audit/audit.repository.ts";
import { codeInScope, requirePermission, type Actor } from "../auth/actor.ts";
import { maskPhone } from "./people.presenters.ts";

type DepartmentRow = { id: string; code: string; name: string; division_code: string; duty_phone: string | null; version: number };

/** A department as lists show it: the duty phone masked like every phone the API shows. */
export const presentDepartment = (row: DepartmentRow) => ({
  id: row.id,
  code: row.code,
  name: row.name,
  divisionCode: row.division_code,
  dutyPhone: maskPhone(row.duty_phone),
  version: row.version,
});

export type NewDepartment = { code: string; name: string; divisionCode: string; dutyPhone?: string | null };
export type DepartmentChange = { name?: string; divisionCode?: string; dutyPhone?: string | null };

/** The division a department belongs to must exist and lie in the administrator's scope (any, for the operator). */
async function checkDivision(db: Kysely<DB>, actor: Actor | null, divisionCode: string) {
  const division = !actor || codeInScope(actor, divisionCode)
    ? await db.selectFrom("divisions").select("code").where("code", "=", divisionCode).executeTakeFirst()
    : undefined;
  if (!division) throw notFound("division_not_found", `No division ${divisionCode} in your scope`);
}

/** Adds a department under a division of the administrator's scope; its code is unique (409 otherwise). Audited. */
export async function createDepartment(ctx: AppContext, actor: Actor, input: NewDepartment) {
  return ctx.db.transaction().execute((trx) => createDepartmentIn(trx, actor, input));
}

/** `createDepartment` inside the caller's transaction; `actor` null for the operator. */
export async function createDepartmentIn(trx: Kysely<DB>, actor: Actor | null, input: NewDepartment) {
  if (actor) requirePermission(actor, "department.write");
  await checkDivision(trx, actor, input.divisionCode);
  const row = await trx
    .insertInto("departments")
    .values({ id: uuidv7(), code: input.code, name: input.name, division_code: input.divisionCode, duty_phone: input.dutyPhone ?? null })
    .onConflict((conflict) => conflict.column("code").doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new AppError(409, "department_code_taken", `A department ${input.code} exists already`);
  await writeAudit(trx, {
    regionCode: regionOf(input.divisionCode),
    actorId: actor?.userId ?? null,
    action: "department.create",
    targetType: "department",
    targetId: row.id,
    // The duty phone is personal enough to stay out of the log: only whether one was set.
    details: { code: input.code, name: input.name, divisionCode: input.divisionCode, dutyPhone: row.duty_phone !== null },
  });
  return presentDepartment(row);
}

/**
 * Edits a department of the administrator's scope (a department outside it answers 404, as one that
 * does not exist), guarded by its version (If-Match). Audited with what changed.
 */
export async function updateDepartment(ctx: AppContext, actor: Actor, code: string, ifMatch: string | undefined, change: DepartmentChange) {
  return ctx.db.transaction().execute((trx) => updateDepartmentIn(trx, actor, code, ifMatch, change));
}

/** `updateDepartment` inside the caller's transaction; `actor` null for the operator. */
export async function updateDepartmentIn(trx: Kysely<DB>, actor: Actor | null, code: string, ifMatch: string | undefined, change: DepartmentChange) {
  if (actor) requirePermission(actor, "department.write");
  if (!ifMatch) throw new AppError(428, "precondition_required", "Send If-Match with the department's ETag");
  if (change.divisionCode !== undefined) await checkDivision(trx, actor, change.divisionCode);
  const row = await trx.selectFrom("departments").selectAll().where("code", "=", code).forUpdate().executeTakeFirst();
  if (!row || (actor && !codeInScope(actor, row.division_code))) throw notFound("department_not_found", `No department ${code}`);
  if (ifMatch !== `"${row.version}"`) throw new AppError(412, "version_mismatch", "The department changed since you read it");
  const updated = await trx
    .updateTable("departments")
    .set({
      name: change.name ?? row.name,
      division_code: change.divisionCode ?? row.division_code,
      duty_phone: change.dutyPhone === undefined ? row.duty_phone : change.dutyPhone,
      version: row.version + 1,
    })
    .where("id", "=", row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await writeAudit(trx, {
    regionCode: regionOf(updated.division_code),
    actorId: actor?.userId ?? null,
    action: "department.update",
    targetType: "department",
    targetId: row.id,
    details: {
      code,
      ...(change.name !== undefined ? { name: { from: row.name, to: updated.name } } : {}),
      ...(change.divisionCode !== undefined ? { divisionCode: { from: row.division_code, to: updated.division_code } } : {}),
      ...(change.dutyPhone !== undefined ? { dutyPhone: { from: maskPhone(row.duty_phone), to: maskPhone(updated.duty_phone) } } : {}),
    },
  });
  return presentDepartment(updated);
}
