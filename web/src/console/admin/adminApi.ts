import { api, unwrap } from "../../api/client";
import type { paths } from "../../api/schema";

type Json<Op, Status extends number = 200> = Op extends { responses: { [S in Status]: { content: { "application/json": infer Body } } } } ? Body : never;
type BodyOf<Op> = Op extends { requestBody?: { content: { "application/json": infer Body } } } ? Body : never;

export type User = Json<paths["/api/v1/users"]["get"]>["users"][number];
export type NewUser = BodyOf<paths["/api/v1/users"]["post"]>;
export type UserChange = BodyOf<paths["/api/v1/users/{id}"]["patch"]>;
export type Department = Json<paths["/api/v1/departments"]["get"]>["departments"][number];
export type NewDepartment = BodyOf<paths["/api/v1/departments"]["post"]>;
export type DepartmentChange = BodyOf<paths["/api/v1/departments/{code}"]["patch"]>;
export type Category = Json<paths["/api/v1/categories"]["get"]>["categories"][number];
export type CategoryChange = BodyOf<paths["/api/v1/categories/{code}"]["patch"]>;
export type NewCategory = BodyOf<paths["/api/v1/categories"]["post"]>;
export type RoutingRule = Json<paths["/api/v1/routing-rules"]["get"]>["rules"][number];
export type GridCheck = Json<paths["/api/v1/grids/import"]["post"]>;
export type GridProblem = GridCheck["problems"][number];

export const adminKeys = {
  users: (role: string | undefined) => ["admin", "users", role ?? "all"] as const,
  departments: ["departments"] as const,
  categories: ["categories"] as const,
  routing: ["admin", "routing"] as const,
};

export async function listUsers(role: string | undefined, cursor: string | undefined) {
  return unwrap(api.GET("/api/v1/users", { params: { query: { limit: 100, ...(role ? { role: role as never } : {}), ...(cursor ? { cursor } : {}) } } }));
}
export const createUser = (body: NewUser) => unwrap(api.POST("/api/v1/users", { body }));
export const updateUser = (id: string, version: number, body: UserChange) =>
  unwrap(api.PATCH("/api/v1/users/{id}", { params: { path: { id }, header: { "if-match": `"${version}"` } }, body }));
export const lockUser = (id: string) => unwrap(api.POST("/api/v1/users/{id}/lock", { params: { path: { id } } }));
export const unlockUser = (id: string) => unwrap(api.POST("/api/v1/users/{id}/unlock", { params: { path: { id } } }));
export const resetPassword = (id: string, password: string) => unwrap(api.POST("/api/v1/users/{id}/password-reset", { params: { path: { id } }, body: { password } }));

export const listDepartments = async () => (await unwrap(api.GET("/api/v1/departments"))).departments;
export const createDepartment = (body: NewDepartment) => unwrap(api.POST("/api/v1/departments", { body }));
export const updateDepartment = (code: string, version: number, body: DepartmentChange) =>
  unwrap(api.PATCH("/api/v1/departments/{code}", { params: { path: { code }, header: { "if-match": `"${version}"` } }, body }));

export const createCategory = (body: NewCategory) => unwrap(api.POST("/api/v1/categories", { body }));
export const updateCategory = (code: string, version: number, body: CategoryChange) =>
  unwrap(api.PATCH("/api/v1/categories/{code}", { params: { path: { code }, header: { "if-match": `"${version}"` } }, body }));

export const listRoutingRules = async () => (await unwrap(api.GET("/api/v1/routing-rules", { params: { query: {} } }))).rules;
export const putRoutingRule = (categoryCode: string, divisionCode: string, departmentCode: string) =>
  unwrap(api.PUT("/api/v1/routing-rules/{categoryCode}/{divisionCode}", { params: { path: { categoryCode, divisionCode } }, body: { departmentCode } }));
export const deleteRoutingRule = (categoryCode: string, divisionCode: string) =>
  unwrap(api.DELETE("/api/v1/routing-rules/{categoryCode}/{divisionCode}", { params: { path: { categoryCode, divisionCode } } }));

/** Checks a grid file (dryRun) or loads it. */
export const importGrids = (collection: { type: string; features: unknown[] }, dryRun: boolean) =>
  unwrap(api.POST("/api/v1/grids/import", { params: { query: { dryRun } }, body: collection }));

export type ShapefileOptions = { crs: "wgs84" | "gcj02"; codeField?: string; nameField?: string };

/** Checks a zipped Shapefile of grids (dryRun) or loads it: the zip itself is the body. */
export const importGridShapefile = (file: File, dryRun: boolean, options: ShapefileOptions) =>
  unwrap(
    api.POST("/api/v1/grids/import", {
      params: { query: { dryRun, crs: options.crs, ...(options.codeField ? { codeField: options.codeField } : {}), ...(options.nameField ? { nameField: options.nameField } : {}) } },
      // The operation takes the zip's bytes beside JSON.
      body: file as never,
      bodySerializer: (body: unknown) => body as File,
      headers: { "content-type": "application/zip" },
    }),
  );

/** A random initial password that passes the server's policy; shown once. */
export function initialPassword(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `Gg-${Array.from(bytes, (b) => "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"[b % 56]).join("")}`;
}
