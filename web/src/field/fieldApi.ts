import { api, ApiError, unwrap } from "../api/client";
import type { paths } from "../api/schema";
import { SendError, type Sender } from "./outbox/types";

type Json<Op> = Op extends { responses: { 200: { content: { "application/json": infer Body } } } } ? Body : never;

export type CaseDetail = Json<paths["/api/v1/cases/{id}"]["get"]>;
export type TaskRow = Json<paths["/api/v1/cases"]["get"]>["cases"][number];
export type Category = Json<paths["/api/v1/categories"]["get"]>["categories"][number];
export type Place = Json<paths["/api/v1/grids/locate"]["get"]>;
export type Preview = Json<paths["/api/v1/cases/preview"]["post"]>;

/** A case as read, with the ETag an action on it sends back as If-Match. */
export type LoadedCase = CaseDetail & { etag: string };

/**
 * The user's tasks. Grid workers and handlers: dispatched to them or to their community, not yet
 * verified, the handling deadline first (overdue, then near due). Supervisors: the handled cases of
 * their scope waiting for verification (核查), then the on-the-spot closures not yet sampled (抽查).
 * Each row carries its WGS-84 location for the route.
 */
export async function fetchTasks(roles: readonly string[]): Promise<TaskRow[]> {
  const lists: Promise<{ cases: TaskRow[] }>[] = [];
  if (roles.includes("grid_worker") || roles.includes("handler")) {
    lists.push(unwrap(api.GET("/api/v1/cases", { params: { query: { queue: "mine", sort: "deadline", limit: 200 } } })));
  }
  if (roles.includes("supervisor")) {
    lists.push(unwrap(api.GET("/api/v1/cases", { params: { query: { status: "handled", sort: "deadline", limit: 200 } } })));
    lists.push(unwrap(api.GET("/api/v1/cases", { params: { query: { status: "closed", handledOnSpot: true, reviewed: false, limit: 100 } } })));
  }
  const byId = new Map<string, TaskRow>();
  for (const { cases } of await Promise.all(lists)) for (const row of cases) if (!byId.has(row.id)) byId.set(row.id, row);
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
  async createPatrol(body, idempotencyKey) {
    const { data } = await send(api.POST("/api/v1/patrols", { params: { header: { "idempotency-key": idempotencyKey } }, body }));
    return { id: data.patrol.id };
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
        // A resent action answers the first answer instead of acting again.
        params: { path: { id: caseId }, header: { "if-match": etag, "idempotency-key": idempotencyKey } },
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
