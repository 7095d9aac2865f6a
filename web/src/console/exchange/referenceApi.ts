import { api, unwrap } from "../../api/client";
import type { paths } from "../../api/schema";
import { saveFile } from "../../api/save-file";

type Json<Op, Status extends number = 200> = Op extends { responses: { [S in Status]: { content: { "application/json": infer Body } } } } ? Body : never;

export const REFERENCE_KINDS = ["staff", "departments", "places"] as const;
export type ReferenceKind = (typeof REFERENCE_KINDS)[number];
export type ReferenceReport = Json<paths["/api/v1/exchange/imports/{kind}"]["post"], 200>;
export type ReferenceProblem = ReferenceReport["problems"][number];
export type ReferenceChange = ReferenceReport["changes"][number];
export type OneTimePassword = ReferenceReport["passwords"][number];

/** The permission each kind's administration needs, as the API requires it. */
export const KIND_PERMISSIONS: Record<ReferenceKind, string> = { staff: "user.write", departments: "department.write", places: "grid.write" };

/** Sends the file itself as the body; the server tells a workbook from CSV by its bytes. */
async function sendFile(kind: ReferenceKind, file: File, query: { preview?: boolean; goodRowsOnly?: boolean }): Promise<ReferenceReport> {
  return unwrap(
    api.POST("/api/v1/exchange/imports/{kind}", {
      params: { path: { kind }, query },
      // The operation takes the file's bytes, which the document describes as no JSON body.
      body: file as never,
      bodySerializer: (body: unknown) => body as File,
      headers: { "content-type": "application/octet-stream" },
    }),
  ) as Promise<ReferenceReport>;
}

export const previewReferenceImport = (kind: ReferenceKind, file: File) => sendFile(kind, file, { preview: true });
export const runReferenceImport = (kind: ReferenceKind, file: File, goodRowsOnly: boolean) => sendFile(kind, file, { goodRowsOnly });

function workbook(what: "template" | "export", kind: ReferenceKind) {
  const options = { parseAs: "blob" as const };
  if (what === "template") {
    if (kind === "staff") return api.GET("/api/v1/exchange/templates/staff.xlsx", options);
    if (kind === "departments") return api.GET("/api/v1/exchange/templates/departments.xlsx", options);
    return api.GET("/api/v1/exchange/templates/places.xlsx", options);
  }
  if (kind === "staff") return api.GET("/api/v1/exchange/exports/staff.xlsx", options);
  if (kind === "departments") return api.GET("/api/v1/exchange/exports/departments.xlsx", options);
  return api.GET("/api/v1/exchange/exports/places.xlsx", options);
}

/** Downloads a template or an export through the client and hands it to the browser as a download. */
export async function downloadWorkbook(what: "template" | "export", kind: ReferenceKind, fileName: string): Promise<void> {
  const blob = (await unwrap(workbook(what, kind) as Promise<{ data?: unknown; error?: unknown; response: Response }>)) as Blob;
  saveFile(blob, fileName);
}
