import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import type { paths } from "../../api/schema";
import { saveFile } from "../../api/save-file";

type Json<Op, Status extends number = 200> = Op extends { responses: { [S in Status]: { content: { "application/json": infer Body } } } } ? Body : never;

export type HotlineMapping = Json<paths["/api/v1/exchange/hotline-mappings"]["get"]>["mappings"][number];
export type MappingBody = NonNullable<paths["/api/v1/exchange/hotline-mappings"]["post"]["requestBody"]>["content"]["application/json"];
export type ImportPreview = Json<paths["/api/v1/exchange/hotline-imports"]["post"], 200>;
export type ImportResult = Json<paths["/api/v1/exchange/hotline-imports"]["post"], 201>;
export type RowProblem = ImportResult["problems"][number];

export const exchangeKeys = { mappings: ["exchange", "hotline-mappings"] as const };

export function useMappings() {
  return useQuery({
    queryKey: exchangeKeys.mappings,
    queryFn: () => unwrap(api.GET("/api/v1/exchange/hotline-mappings")),
    select: (answer) => answer.mappings,
  });
}

export const createMapping = (body: MappingBody) => unwrap(api.POST("/api/v1/exchange/hotline-mappings", { body }));

export const updateMapping = (id: string, version: number, body: MappingBody) =>
  unwrap(api.PUT("/api/v1/exchange/hotline-mappings/{id}", { params: { path: { id }, header: { "if-match": `"${version}"` } }, body }));

export const deleteMapping = (id: string) => unwrap(api.DELETE("/api/v1/exchange/hotline-mappings/{id}", { params: { path: { id } } }));

/** Sends the file itself as the body; the server tells a workbook from CSV by its bytes. */
function sendFile(file: File, query: { mapping: string; preview?: boolean; goodRowsOnly?: boolean }) {
  return api.POST("/api/v1/exchange/hotline-imports", {
    params: { query },
    // The operation takes the file's bytes, which the document describes as no JSON body.
    body: file as never,
    bodySerializer: (body: unknown) => body as File,
    headers: { "content-type": "application/octet-stream" },
  });
}

export const previewImport = async (file: File, mapping: string) => (await unwrap(sendFile(file, { mapping, preview: true }))) as ImportPreview;

export const runImport = async (file: File, mapping: string, goodRowsOnly: boolean) =>
  (await unwrap(sendFile(file, { mapping, goodRowsOnly }))) as unknown as ImportResult;

/** Downloads the results file through the client and hands it to the browser as a download. */
export async function downloadResults(query: { mapping: string; from: string; to: string; format: "xlsx" | "csv" }): Promise<void> {
  const blob = (await unwrap(api.GET("/api/v1/exchange/hotline-exports", { params: { query }, parseAs: "blob" }))) as Blob;
  saveFile(blob, `hotline-results-${query.from}-${query.to}.${query.format}`);
}
