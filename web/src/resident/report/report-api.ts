import { api, unwrap } from "../../api/client";
import type { paths } from "../../api/schema";

export type PointCrs = "wgs84" | "gcj02";
/** A point as the resident gave it: from GPS (WGS-84) or a tap on tiles drawn in `crs`. */
export type PickedPoint = { lat: number; lng: number; crs: PointCrs; source: "gps" | "map" };
export type Located = paths["/api/v1/grids/locate"]["get"]["responses"][200]["content"]["application/json"];
export type PublicMap = paths["/api/v1/public/map"]["get"]["responses"][200]["content"]["application/json"];
type CreateBody = paths["/api/v1/cases"]["post"]["requestBody"]["content"]["application/json"];
export type Created = paths["/api/v1/cases"]["post"]["responses"][201]["content"]["application/json"];

export function locate(point: PickedPoint): Promise<Located> {
  return unwrap(api.GET("/api/v1/grids/locate", { params: { query: { lat: point.lat, lng: point.lng, crs: point.crs } } }));
}

export function fetchPublicMap(): Promise<PublicMap> {
  return unwrap(api.GET("/api/v1/public/map"));
}

/** Uploads one photo as the raw body; its id attaches it to the report. */
export async function uploadPhoto(photo: Blob): Promise<string> {
  const { attachment } = await unwrap(
    api.POST("/api/v1/attachments", {
      // The operation takes the image bytes themselves, which the document describes as no JSON body.
      body: photo as never,
      bodySerializer: (body: unknown) => body as Blob,
      headers: { "content-type": photo.type || "image/jpeg" },
    }),
  );
  return attachment.id;
}

export type ReportInput = {
  point: PickedPoint;
  categoryCode: string | null;
  description: string;
  phone: string;
  photoIds: string[];
};

/** Sends the report; the same Idempotency-Key on a retry returns the first answer instead of a second case. */
export function createReport(input: ReportInput, idempotencyKey: string): Promise<Created> {
  const body: CreateBody = {
    description: input.description,
    source: "resident_web",
    location: { lat: input.point.lat, lng: input.point.lng, crs: input.point.crs },
    ...(input.categoryCode ? { categoryCode: input.categoryCode } : {}),
    ...(input.phone ? { reporter: { phone: input.phone } } : {}),
    ...(input.photoIds.length ? { photoIds: input.photoIds } : {}),
  };
  return unwrap(api.POST("/api/v1/cases", { body, headers: { "idempotency-key": idempotencyKey } }));
}

/** A phone number as the API takes it (digits, +, - and spaces, 5 to 20), or undefined. */
export function normalisePhone(typed: string): string | undefined {
  const phone = typed.trim();
  return /^[0-9+\- ]{5,20}$/.test(phone) ? phone : undefined;
}
