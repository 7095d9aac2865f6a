import { api, ApiError, unwrap } from "../api/client";
import type { paths } from "../api/schema";
import { SendError, type Sender } from "./outbox/types";

type Json<Op> = Op extends { responses: { 200: { content: { "application/json": infer Body } } } } ? Body : never;

export type CaseDetail = Json<paths["/api/v1/cases/{id}"]["get"]>;
export type TaskRow = Json<paths["/api/v1/cases"]["get"]>["cases"][number];
export type Category = Json<paths["/api/v1/categories"]["get"]>["categories"][number];
export type Place = Json<paths["/api/v1/grids/locate"]["get"]>;
export type Preview = Json<paths["/api/v1/cases/preview"]["post"]>;
export type Points = Json<paths["/api/v1/cases/points"]["get"]>;

/** A case as read, with the ETag an action on it sends back as If-Match. */
export type LoadedCase = CaseDetail & { etag: string };

// A task is open from dispatch until it is handled; the worker's list shows what still needs them.
const OPEN_STATUSES = "dispatched,in_progress,suspended";

/** The tasks of a worker: dispatched to them (or their division), and the open cases of their community. */
export async function fetchTasks(scopeCode: string | null): Promise<TaskRow[]> {
  const mine = unwrap(api.GET("/api/v1/cases", { params: { query: { queue: "mine", limit: 200 } } }));
  const community =
    scopeCode && scopeCode.length >= 9
      ? unwrap(api.GET("/api/v1/cases", { params: { query: { division: scopeCode, status: OPEN_STATUSES, limit: 200 } } }))
      : Promise.resolve({ cases: [] as TaskRow[] });
  const [a, b] = await Promise.all([mine, community]);
  const byId = new Map<string, TaskRow>();
  for (const row of [...a.cases, ...b.cases]) byId.set(row.id, row);
  return [...byId.values()];
}

/** The points of the same tasks, for the route. */
export async function fetchTaskPoints(scopeCode: string | null): Promise<{ id: string; lat: number; lng: number }[]> {
  const queries = [api.GET("/api/v1/cases/points", { params: { query: { queue: "mine" } } })];
  if (scopeCode && scopeCode.length >= 9) {
    queries.push(api.GET("/api/v1/cases/points", { params: { query: { division: scopeCode, status: OPEN_STATUSES } } }));
  }
  const answers = await Promise.all(queries.map((query) => unwrap(query)));
  const byId = new Map<string, { id: string; lat: number; lng: number }>();
  for (const points of answers) points.id.forEach((id, i) => byId.set(id, { id, lat: points.lat[i], lng: points.lng[i] }));
  return [...byId.values()];
}

const etagOf = (response: Response, version: number) => response.headers.get("etag") ?? `"${version}"`;

export async function fetchCase(id: string): Promise<LoadedCase> {
  const call = api.GET("/api/v1/cases/{id}", { params: { path: { id } } });
  const { response } = await call;
  const detail = await unwrap(call);
  return { ...detail, etag: etagOf(response, detail.case.version) };
}

export async function fetchCategories(): Promise<Category[]> {
  const { categories } = await unwrap(api.GET("/api/v1/categories"));
  return categories.filter((category) => category.active);
}

export async function locate(lat: number, lng: number): Promise<Place> {
  return unwrap(api.GET("/api/v1/grids/locate", { params: { query: { lat, lng } } }));
}

export async function previewReport(description: string, location: { lat: number; lng: number }): Promise<Preview> {
  return unwrap(api.POST("/api/v1/cases/preview", { body: { description, location, source: "grid_worker" } }));
}

export function photoUrl(caseId: string, attachmentId: string): string {
  return `/api/v1/cases/${encodeURIComponent(caseId)}/attachments/${encodeURIComponent(attachmentId)}`;
}

function retryAfterOf(response: Response): number | undefined {
  const value = Number(response.headers.get("retry-after"));
  return Number.isFinite(value) && value >= 0 && response.headers.has("retry-after") ? value : undefined;
}

/** Calls the API and turns every failure into a SendError the outbox decides on. */
async function send<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<{ data: T; response: Response }> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await call;
  } catch (cause) {
    throw new SendError(0, "network_error", cause instanceof Error ? cause.message : String(cause));
  }
  try {
    return { data: await unwrap(Promise.resolve(result)), response: result.response };
  } catch (cause) {
    if (cause instanceof ApiError) throw new SendError(cause.status, cause.code, cause.message, retryAfterOf(result.response));
    throw cause;
  }
}

/** The outbox's calls, through the generated client. */
export const apiSender: Sender = {
  async uploadPhoto(blob) {
    const { data } = await send(
      api.POST("/api/v1/attachments", {
        // The operation takes the image bytes themselves, which the document describes as no JSON body.
        body: blob as never,
        bodySerializer: (body: unknown) => body as Blob,
        headers: { "content-type": blob.type || "image/jpeg" },
      }),
    );
    return data.attachment.id;
  },
  async createCase(body, idempotencyKey) {
    const { data } = await send(api.POST("/api/v1/cases", { params: { header: { "idempotency-key": idempotencyKey } }, body }));
    return { id: data.case.id, number: data.case.number };
  },
  async readCase(caseId) {
    const loaded = await fetchCase(caseId).catch((cause: unknown) => {
      if (cause instanceof ApiError) throw new SendError(cause.status, cause.code, cause.message);
      throw cause;
    });
    return { etag: loaded.etag, actions: loaded.case.actions };
  },
  async transition(caseId, etag, body, idempotencyKey) {
    await send(
      api.POST("/api/v1/cases/{id}/transitions", {
        params: { path: { id: caseId }, header: { "if-match": etag } },
        // A resent action answers the first answer where the server keeps the key.
        headers: { "idempotency-key": idempotencyKey },
        body,
      }),
    );
  },
};

export type ReturnReason = Json<paths["/api/v1/case-reasons"]["get"]>["reasons"][number];

export async function fetchReturnReasons(): Promise<ReturnReason[]> {
  const { reasons } = await unwrap(api.GET("/api/v1/case-reasons", { params: { query: { kind: "return" } } }));
  return reasons.filter((reason) => reason.active).sort((a, b) => a.position - b.position);
}
