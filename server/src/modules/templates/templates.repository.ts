import { sql, type Kysely, type Selectable } from "kysely";
import type { DB, ResponseTemplateTable } from "../../db/schema.ts";

export type TemplateRow = Selectable<ResponseTemplateTable>;

/**
 * A district's templates; with a category, those for it, for a category above it, or for any;
 * with an action, those for it or for any. Most specific first.
 */
export async function findTemplates(db: Kysely<DB>, regionCode: string, filter: { category?: string; action?: string; visibility?: string }): Promise<TemplateRow[]> {
  const { category, action, visibility } = filter;
  return db
    .selectFrom("response_templates")
    .selectAll()
    .where("region_code", "=", regionCode)
    .$if(category !== undefined, (query) =>
      query.where((eb) =>
        eb.or([eb("category_code", "is", null), eb("category_code", "=", category as string), eb(sql.val(category as string), "like", sql<string>`category_code || '.%'`)]),
      ),
    )
    .$if(action !== undefined, (query) => query.where((eb) => eb.or([eb("action", "is", null), eb("action", "=", action as string)])))
    .$if(visibility !== undefined, (query) => query.where("visibility", "=", visibility as "staff" | "public"))
    .orderBy(sql`category_code is null`)
    .orderBy(sql`length(category_code)`, "desc")
    .orderBy(sql`action is null`)
    .orderBy("title")
    .limit(500)
    .execute();
}
