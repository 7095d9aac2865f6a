import createClient from "openapi-fetch";
import type { paths } from "./schema";

// Types are taken from the operations rather than from named component schemas, so they hold
// whatever names the generator gives the shared schemas.
type JsonOk<Path extends keyof paths, Method extends "get" | "post"> = paths[Path][Method] extends {
  responses: { 200: { content: { "application/json": infer Body } } };
}
  ? Body
  : never;

export type Me = JsonOk<"/api/v1/auth/me", "get">["user"];
export type Scope = NonNullable<Me["scope"]>;
export type Division = JsonOk<"/api/v1/divisions/{code}", "get">["division"];
export type DivisionLevel = Division["level"];
export type GridFeatureCollection = JsonOk<"/api/v1/grids", "get">;
export type GridFeature = GridFeatureCollection["features"][number];
export type GridDetail = JsonOk<"/api/v1/grids/{code}", "get">["grid"];
export type GridStaff = GridDetail["staff"][number];
export type StaffDuty = GridStaff["duty"];
export type ApiErrorBody = { error: { code: string; message: string; details?: unknown } };

/** The API lives on the same origin as the web app; the session is an HttpOnly cookie. */
export const api = createClient<paths>({ baseUrl: "", credentials: "same-origin" });

/** A failed API call: the HTTP status and the API's stable error code. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

function isErrorBody(value: unknown): value is ApiErrorBody {
  if (typeof value !== "object" || value === null || !("error" in value)) return false;
  const error = value.error;
  return typeof error === "object" && error !== null && "code" in error && typeof error.code === "string";
}

export function toApiError(response: Response, body: unknown): ApiError {
  if (isErrorBody(body)) {
    return new ApiError(response.status, body.error.code, body.error.message ?? "", body.error.details);
  }
  return new ApiError(response.status, `http_${response.status}`, response.statusText || `HTTP ${response.status}`);
}

type FetchResult<T> = { data?: T; error?: unknown; response: Response };

/** Returns the data of a successful call, or throws an ApiError. */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>;
  try {
    result = await call;
  } catch (cause) {
    throw new ApiError(0, "network_error", cause instanceof Error ? cause.message : String(cause));
  }
  const { data, error, response } = result;
  if (!response.ok || error !== undefined) throw toApiError(response, error);
  return data as T;
}

export async function fetchMe(): Promise<Me | null> {
  try {
    const { user } = await unwrap(api.GET("/api/v1/auth/me"));
    return user;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

export async function login(username: string, password: string): Promise<Me> {
  const { user } = await unwrap(api.POST("/api/v1/auth/login", { body: { username, password } }));
  return user;
}

export async function logout(): Promise<void> {
  await unwrap(api.POST("/api/v1/auth/logout"));
}

/** A division and `depth` levels of its children; with their outlines unless `geometry` is false (names only). */
export async function fetchDivision(code: string, depth: number, geometry = true): Promise<Division> {
  const { division } = await unwrap(
    api.GET("/api/v1/divisions/{code}", {
      params: { path: { code }, query: { depth, geometry } },
    }),
  );
  return division;
}

export async function fetchGrids(division: string): Promise<GridFeatureCollection> {
  return unwrap(api.GET("/api/v1/grids", { params: { query: { division } } }));
}

export async function fetchGrid(code: string): Promise<GridDetail> {
  const { grid } = await unwrap(api.GET("/api/v1/grids/{code}", { params: { path: { code } } }));
  return grid;
}
