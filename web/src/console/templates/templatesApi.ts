import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import type { paths } from "../../api/schema";

type Json<Op> = Op extends { responses: { 200: { content: { "application/json": infer Body } } } } ? Body : never;

export type ResponseTemplate = Json<paths["/api/v1/response-templates"]["get"]>["templates"][number];
export type TemplateBody = NonNullable<paths["/api/v1/response-templates"]["post"]["requestBody"]>["content"]["application/json"];
type Query = NonNullable<paths["/api/v1/response-templates"]["get"]["parameters"]["query"]>;

export const templateKeys = {
  all: ["response-templates"] as const,
  offered: (category: string | null, action: string) => ["response-templates", "offered", category, action] as const,
};

/** The templates offered for a note of this action on a case of this category. */
export function useOfferedTemplates(category: string | null, action: Query["action"]) {
  return useQuery({
    queryKey: templateKeys.offered(category, action ?? ""),
    queryFn: () => unwrap(api.GET("/api/v1/response-templates", { params: { query: { action, ...(category ? { category } : {}) } } })),
    select: (answer) => answer.templates,
    staleTime: 60_000,
  });
}

export function useAllTemplates() {
  return useQuery({
    queryKey: templateKeys.all,
    queryFn: () => unwrap(api.GET("/api/v1/response-templates")),
    select: (answer) => answer.templates,
  });
}

export const createTemplate = (body: TemplateBody) => unwrap(api.POST("/api/v1/response-templates", { body }));

export const updateTemplate = (id: string, version: number, body: Partial<TemplateBody>) =>
  unwrap(api.PATCH("/api/v1/response-templates/{id}", { params: { path: { id }, header: { "if-match": `"${version}"` } }, body }));

export const deleteTemplate = (id: string) => unwrap(api.DELETE("/api/v1/response-templates/{id}", { params: { path: { id } } }));
