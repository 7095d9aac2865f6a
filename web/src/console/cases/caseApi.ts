import { useQuery } from "@tanstack/react-query";
import { api, ApiError, unwrap } from "../../api/client";
import type { paths } from "../../api/schema";

type Json<Op> = Op extends { responses: { 200: { content: { "application/json": infer Body } } } } ? Body : never;

export type CaseDetail = Json<paths["/api/v1/cases/{id}"]["get"]>;
export type CaseView = CaseDetail["case"];
export type TimelineEvent = CaseDetail["timeline"][number];
export type CasePhoto = CaseDetail["photos"][number];
export type TransitionBody = NonNullable<paths["/api/v1/cases/{id}/transitions"]["post"]["requestBody"]>["content"]["application/json"];
export type CaseActionName = TransitionBody["action"];
export type Category = Json<paths["/api/v1/categories"]["get"]>["categories"][number];
export type Department = Json<paths["/api/v1/departments"]["get"]>["departments"][number];
export type Place = Json<paths["/api/v1/grids/locate"]["get"]>;

/** A case as read, with the ETag every write on it sends back as If-Match. */
export type LoadedCase = CaseDetail & { etag: string };

/** Query keys: the live-update layer invalidates these. */
export const caseKeys = {
  detail: (id: string) => ["cases", "detail", id] as const,
  categories: ["categories"] as const,
  departments: ["departments"] as const,
  place: (lat: number, lng: number) => ["grids", "locate", lat, lng] as const,
};

const etagOf = (response: Response, version: number) => response.headers.get("etag") ?? `"${version}"`;

export async function fetchCase(id: string): Promise<LoadedCase> {
  const call = api.GET("/api/v1/cases/{id}", { params: { path: { id } } });
  const { response } = await call;
  const detail = await unwrap(call);
  return { ...detail, etag: etagOf(response, detail.case.version) };
}

/** One workflow action, guarded by the version the case was read with (412 when it changed). */
export async function transitionCase(id: string, etag: string, body: TransitionBody): Promise<LoadedCase> {
  const call = api.POST("/api/v1/cases/{id}/transitions", { params: { path: { id }, header: { "if-match": etag } }, body });
  const { response } = await call;
  const detail = await unwrap(call);
  return { ...detail, etag: etagOf(response, detail.case.version) };
}

export async function revealContact(id: string) {
  return unwrap(api.POST("/api/v1/cases/{id}/reporter-contact", { params: { path: { id } } }));
}

/** Uploads one photo as the raw request body; the id it answers attaches it to a report or a handling step. */
export async function uploadPhoto(file: File) {
  const { attachment } = await unwrap(
    api.POST("/api/v1/attachments", {
      // The operation takes the image bytes themselves, which the document describes as no JSON body.
      body: file as never,
      bodySerializer: (body: unknown) => body as File,
      headers: { "content-type": file.type },
    }),
  );
  return attachment;
}

/** The category catalogue; the cache holds the API's answer under the key every page uses for it. */
export function useCategories(enabled = true) {
  return useQuery({
    queryKey: caseKeys.categories,
    queryFn: () => unwrap(api.GET("/api/v1/categories")),
    select: (answer): Category[] => answer.categories,
    staleTime: Infinity,
    enabled,
  });
}

export function useDepartments(enabled = true) {
  return useQuery({
    queryKey: caseKeys.departments,
    queryFn: () => unwrap(api.GET("/api/v1/departments")),
    select: (answer): Department[] => answer.departments,
    staleTime: Infinity,
    enabled,
  });
}

export async function locatePlace(lat: number, lng: number): Promise<Place> {
  return unwrap(api.GET("/api/v1/grids/locate", { params: { query: { lat, lng } } }));
}

/** The URL of a photo of a case, served by the attachments API under the caller's session. */
export const photoUrl = (caseId: string, photoId: string) => `/api/v1/cases/${encodeURIComponent(caseId)}/attachments/${encodeURIComponent(photoId)}`;

export const isStale = (error: unknown) => error instanceof ApiError && error.status === 412;
export const isNotFound = (error: unknown) => error instanceof ApiError && error.status === 404;
