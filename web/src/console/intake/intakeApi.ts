import { api, unwrap } from "../../api/client";
import type { paths } from "../../api/schema";

type CreateOp = paths["/api/v1/cases"]["post"];
export type IntakeBody = CreateOp["requestBody"] extends { content: { "application/json": infer Body } } | undefined ? Body : never;
export type Created = CreateOp["responses"][201]["content"]["application/json"];
export type Preview = paths["/api/v1/cases/preview"]["post"]["responses"][200]["content"]["application/json"];
export type Duplicate = Preview["duplicates"][number];
export type Place = paths["/api/v1/places"]["get"]["responses"][200]["content"]["application/json"]["places"][number];

/** Places in the operator's area by a few characters of their name, best first. */
export async function searchPlaces(q: string): Promise<Place[]> {
  return (await unwrap(api.GET("/api/v1/places", { params: { query: { q, limit: 12 } } }))).places;
}

/** What creating the case would find (grid, suggested category, duplicates), without writing anything. */
export async function previewCase(body: IntakeBody): Promise<Preview> {
  return unwrap(api.POST("/api/v1/cases/preview", { body }));
}

/** Creates the case; the Idempotency-Key makes a retry after a dropped answer return the first case, not a second one. */
export async function createCase(body: IntakeBody, idempotencyKey: string): Promise<Created> {
  return unwrap(api.POST("/api/v1/cases", { params: { header: { "idempotency-key": idempotencyKey } }, body }));
}
