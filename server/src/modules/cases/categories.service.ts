import { sql, type Kysely, type Selectable } from "kysely";
import type { AppContext } from "../../context.ts";
import type { CategoryQuestion, CategoryTable, DB } from "../../db/schema.ts";
import { AppError, notFound } from "../../errors.ts";
import { regionOf, writeAudit } from "../audit/audit.repository.ts";
import { codeInScope, inScope, requirePermission, type Actor } from "../auth/actor.ts";
import { CATEGORY_SEEDS } from "./categories.data.ts";
import { questionProblems, questionsFor, type Answerer } from "./category-questions.ts";
import { DEFAULT_POLICY } from "./deadlines.ts";
import { ensureCaseReasons } from "./case-reasons.service.ts";

type CategoryClass = CategoryTable["class"];
const DISTRICT_CODE_LENGTH = 6;

/** Loads the standard catalogue into an empty categories table (every deployment starts from it). */
export async function ensureCategories(db: Kysely<DB>): Promise<void> {
  // The reasons of returns and rejections are the other list a deployment starts from.
  await ensureCaseReasons(db);
  const any = await db.selectFrom("categories").select("code").limit(1).executeTakeFirst();
  if (any) return;
  // Parents first, so that parent_code always refers to a stored row.
  const ordered = [...CATEGORY_SEEDS].sort((a, b) => Number(a.parentCode !== null) - Number(b.parentCode !== null));
  await db
    .insertInto("categories")
    .values(
      ordered.map((seed) => ({
        code: seed.code,
        name: seed.name,
        class: seed.class,
        parent_code: seed.parentCode,
        department_code: seed.departmentCode,
        closure_level: seed.closureLevel,
        deadline_policy: seed.deadlinePolicy,
        photo_required: seed.photoRequired,
        emergency: seed.emergency,
        keywords: seed.keywords,
      })),
    )
    .onConflict((conflict) => conflict.column("code").doNothing())
    .execute();
}

type CategoryRow = Selectable<CategoryTable>;
// Categories change rarely and every intake reads them: keep them for a few seconds per process.
const CACHE_MS = 10_000;
let cache: { rows: Promise<CategoryRow[]>; at: number; db: Kysely<DB> } | undefined;

/**
 * The active categories, cached for 10 s (an edit in this process clears the cache at once). The
 * read itself is shared: the intakes that arrive while it runs wait for it instead of each reading.
 */
export function activeCategories(db: Kysely<DB>): Promise<CategoryRow[]> {
  if (cache && cache.db === db && Date.now() - cache.at < CACHE_MS) return cache.rows;
  const entry = { rows: db.selectFrom("categories").selectAll().where("active", "=", true).execute(), at: Date.now(), db };
  cache = entry;
  entry.rows.catch(() => {
    if (cache === entry) cache = undefined;
  });
  return entry.rows;
}

export function presentCategory(row: {
  code: string;
  name: string;
  class: string;
  parent_code: string | null;
  department_code: string | null;
  closure_level: string;
  deadline_policy: string;
  photo_required: boolean;
  emergency: boolean;
  keywords: string[];
  active: boolean;
  public: boolean;
  version: number;
  questions: CategoryQuestion[];
}, answerer: Answerer = "staff") {
  return {
    code: row.code,
    name: row.name,
    class: row.class,
    parentCode: row.parent_code,
    departmentCode: row.department_code,
    closureLevel: row.closure_level,
    deadlinePolicy: row.deadline_policy,
    photoRequired: row.photo_required,
    emergency: row.emergency,
    keywords: row.keywords,
    active: row.active,
    open311: row.public,
    version: row.version,
    questions: questionsFor(row.questions, answerer),
  };
}

/** The catalogue; the public sees only the questions it is asked. */
export async function listCategories(ctx: AppContext, answerer: Answerer, categoryClass?: string) {
  const rows = await ctx.db
    .selectFrom("categories")
    .selectAll()
    .$if(categoryClass !== undefined, (query) => query.where("class", "=", categoryClass as CategoryClass))
    .orderBy("code")
    .execute();
  return rows.map((row) => presentCategory(row, answerer));
}

export type CategoryChange = {
  name?: string;
  departmentCode?: string | null;
  closureLevel?: "community" | "street" | "district";
  deadlinePolicy?: string;
  photoRequired?: boolean;
  emergency?: boolean;
  keywords?: string[];
  active?: boolean;
  /** Offered to Open311 clients and shown in the public request list. */
  open311?: boolean;
  questions?: CategoryQuestion[];
};

function requireDistrictAdministrator(actor: Actor): void {
  requirePermission(actor, "category.write");
  if (actor.scopeCode === null || actor.scopeCode.length > DISTRICT_CODE_LENGTH) {
    throw new AppError(403, "district_scope_required", "Only an administrator of the whole district edits the categories, which every street shares");
  }
}

/**
 * An administrator of the whole district (or above) edits a category; guarded by its version
 * (If-Match) and audited. Categories are one catalogue for every street, so a street's
 * administrator, who manages only the street, may not change them.
 */
export async function updateCategory(ctx: AppContext, actor: Actor, code: string, ifMatch: string | undefined, change: CategoryChange) {
  requireDistrictAdministrator(actor);
  if (!ifMatch) throw new AppError(428, "precondition_required", "Send If-Match with the category's ETag");
  return ctx.db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom("categories").selectAll().where("code", "=", code).executeTakeFirst();
    if (!row) throw notFound("category_not_found", `No category ${code}`);
    if (ifMatch !== `"${row.version}"`) throw new AppError(412, "version_mismatch", "The category changed since you read it");
    const problems = change.questions ? questionProblems(change.questions) : [];
    if (problems.length > 0) throw new AppError(422, "questions_invalid", "Some questions are not well formed", { questions: problems });
    if (change.departmentCode) {
      const department = await trx.selectFrom("departments").select("code").where("code", "=", change.departmentCode).executeTakeFirst();
      if (!department) throw notFound("department_not_found", `No department ${change.departmentCode}`);
    }
    const updated = await trx
      .updateTable("categories")
      .set({
        name: change.name ?? row.name,
        department_code: change.departmentCode === undefined ? row.department_code : change.departmentCode,
        closure_level: change.closureLevel ?? row.closure_level,
        deadline_policy: change.deadlinePolicy ?? row.deadline_policy,
        photo_required: change.photoRequired ?? row.photo_required,
        emergency: change.emergency ?? row.emergency,
        keywords: change.keywords ?? row.keywords,
        active: change.active ?? row.active,
        public: change.open311 ?? row.public,
        questions: JSON.stringify(change.questions ?? row.questions),
        version: row.version + 1,
      })
      .where("code", "=", code)
      .returningAll()
      .executeTakeFirstOrThrow();
    await writeAudit(trx, {
      regionCode: "000000",
      actorId: actor.userId,
      action: "category.update",
      targetType: "category",
      targetId: code,
      details: { change },
    });
    cache = undefined;
    return presentCategory(updated);
  });
}

export type NewCategory = Omit<CategoryChange, "active"> & {
  code: string;
  name: string;
  parentCode: string | null;
  class?: CategoryClass;
};

const SUBCATEGORY_KEY = /^[a-z0-9_]{1,40}$/;

/**
 * An administrator of the whole district adds a category: a main class under one of the four
 * classes (`<class>.<key>`) or a subcategory under a main one (`<main>.<key>`), whose class it
 * takes. What it leaves out comes from its main category (closure level, deadline policy, photo
 * rule), else the catalogue's defaults. Checked as an edit is; a code already used: 409. Audited.
 */
export async function createCategory(ctx: AppContext, actor: Actor, input: NewCategory) {
  requireDistrictAdministrator(actor);
  return ctx.db.transaction().execute(async (trx) => {
    const parent = input.parentCode === null ? undefined : await trx.selectFrom("categories").selectAll().where("code", "=", input.parentCode).executeTakeFirst();
    if (input.parentCode !== null && !parent) throw notFound("category_not_found", `No category ${input.parentCode}`);
    if (parent && parent.parent_code !== null) {
      throw new AppError(422, "category_parent_invalid", `A subcategory goes under a main category; ${parent.code} is itself a subcategory`);
    }
    const categoryClass = parent?.class ?? input.class;
    if (categoryClass === undefined) throw new AppError(400, "invalid_category", "A main category names its class");
    if (parent && input.class !== undefined && input.class !== parent.class) {
      throw new AppError(422, "category_parent_invalid", `A subcategory of ${parent.code} is of its class ${parent.class}`);
    }
    const prefix = `${parent?.code ?? categoryClass}.`;
    if (!input.code.startsWith(prefix) || !SUBCATEGORY_KEY.test(input.code.slice(prefix.length))) {
      throw new AppError(400, "invalid_category", `The code is ${prefix}<key>, the key of a-z, 0-9 and _`);
    }
    const problems = input.questions ? questionProblems(input.questions) : [];
    if (problems.length > 0) throw new AppError(422, "questions_invalid", "Some questions are not well formed", { questions: problems });
    if (input.departmentCode) {
      const department = await trx.selectFrom("departments").select("code").where("code", "=", input.departmentCode).executeTakeFirst();
      if (!department) throw notFound("department_not_found", `No department ${input.departmentCode}`);
    }
    const created = await trx
      .insertInto("categories")
      .values({
        code: input.code,
        name: input.name,
        class: categoryClass,
        parent_code: parent?.code ?? null,
        department_code: input.departmentCode ?? null,
        closure_level: input.closureLevel ?? parent?.closure_level ?? "community",
        deadline_policy: input.deadlinePolicy ?? parent?.deadline_policy ?? DEFAULT_POLICY,
        photo_required: input.photoRequired ?? parent?.photo_required ?? false,
        emergency: input.emergency ?? parent?.emergency ?? false,
        keywords: input.keywords ?? [],
        questions: JSON.stringify(input.questions ?? []),
      })
      .onConflict((conflict) => conflict.column("code").doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!created) throw new AppError(409, "category_exists", `A category ${input.code} exists already`);
    await writeAudit(trx, {
      regionCode: "000000",
      actorId: actor.userId,
      action: "category.create",
      targetType: "category",
      targetId: input.code,
      details: { category: input },
    });
    cache = undefined;
    return presentCategory(created);
  });
}

const presentRule = (row: { category_code: string; division_code: string; department_code: string }) => ({
  categoryCode: row.category_code,
  divisionCode: row.division_code,
  departmentCode: row.department_code,
});

/** Routing rules in the actor's scope: which department handles a category in a division. */
export async function listRoutingRules(ctx: AppContext, actor: Actor, filter: { category?: string; division?: string }) {
  requirePermission(actor, "department.read");
  if (filter.division !== undefined && !codeInScope(actor, filter.division)) throw notFound("division_not_found", `No division ${filter.division}`);
  const rows = await ctx.db
    .selectFrom("routing_rules")
    .selectAll()
    .where(inScope(actor, sql.ref("division_code")))
    .$if(filter.category !== undefined, (query) => query.where("category_code", "=", filter.category as string))
    .$if(filter.division !== undefined, (query) => query.where("division_code", "like", `${filter.division}%`))
    .orderBy("category_code")
    .orderBy("division_code")
    .execute();
  return rows.map(presentRule);
}

/**
 * Sets the department that handles a category in a division (and the divisions under it, unless a
 * more specific rule says otherwise). Idempotent; audited with the department it replaces.
 */
export async function putRoutingRule(ctx: AppContext, actor: Actor, categoryCode: string, divisionCode: string, departmentCode: string) {
  requirePermission(actor, "category.write");
  if (!codeInScope(actor, divisionCode)) throw notFound("division_not_found", `No division ${divisionCode}`);
  return ctx.db.transaction().execute(async (trx) => {
    const [category, division, department] = await Promise.all([
      trx.selectFrom("categories").select("code").where("code", "=", categoryCode).executeTakeFirst(),
      trx.selectFrom("divisions").select("code").where("code", "=", divisionCode).executeTakeFirst(),
      trx.selectFrom("departments").select("code").where("code", "=", departmentCode).executeTakeFirst(),
    ]);
    if (!category) throw notFound("category_not_found", `No category ${categoryCode}`);
    if (!division) throw notFound("division_not_found", `No division ${divisionCode}`);
    if (!department) throw notFound("department_not_found", `No department ${departmentCode}`);
    const previous = await trx
      .selectFrom("routing_rules")
      .select("department_code")
      .where("category_code", "=", categoryCode)
      .where("division_code", "=", divisionCode)
      .forUpdate()
      .executeTakeFirst();
    const row = await trx
      .insertInto("routing_rules")
      .values({ category_code: categoryCode, division_code: divisionCode, department_code: departmentCode })
      .onConflict((conflict) => conflict.columns(["category_code", "division_code"]).doUpdateSet({ department_code: departmentCode }))
      .returningAll()
      .executeTakeFirstOrThrow();
    await writeAudit(trx, {
      regionCode: regionOf(divisionCode),
      actorId: actor.userId,
      action: "routing_rule.put",
      targetType: "routing_rule",
      targetId: `${categoryCode}@${divisionCode}`,
      details: { departmentCode, previousDepartmentCode: previous?.department_code ?? null },
    });
    return presentRule(row);
  });
}

/** Removes a routing rule: the category's default department (or a broader rule) applies again. */
export async function deleteRoutingRule(ctx: AppContext, actor: Actor, categoryCode: string, divisionCode: string) {
  requirePermission(actor, "category.write");
  if (!codeInScope(actor, divisionCode)) throw notFound("routing_rule_not_found", "No such routing rule");
  await ctx.db.transaction().execute(async (trx) => {
    const removed = await trx
      .deleteFrom("routing_rules")
      .where("category_code", "=", categoryCode)
      .where("division_code", "=", divisionCode)
      .returning("department_code")
      .executeTakeFirst();
    if (!removed) throw notFound("routing_rule_not_found", "No such routing rule");
    await writeAudit(trx, {
      regionCode: regionOf(divisionCode),
      actorId: actor.userId,
      action: "routing_rule.delete",
      targetType: "routing_rule",
      targetId: `${categoryCode}@${divisionCode}`,
      details: { previousDepartmentCode: removed.department_code },
    });
  });
}
