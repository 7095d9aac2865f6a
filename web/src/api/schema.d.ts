/**
 * Types of the gridgov HTTP API, in the shape emitted by openapi-typescript.
 * `npm run api:generate -w web` regenerates this file from ../openapi.json.
 */

type NoParameters = {
  query?: never;
  header?: never;
  path?: never;
  cookie?: never;
};

type AnyHeaders = {
  [name: string]: unknown;
};

type JsonResponse<T> = {
  headers: AnyHeaders;
  content: {
    "application/json": T;
  };
};

type ErrorResponse = JsonResponse<components["schemas"]["Error"]>;

export type paths = {
  "/api/v1/auth/login": {
    parameters: NoParameters;
    get?: never;
    put?: never;
    /** Sign in with a username and password; sets the session cookie. */
    post: {
      parameters: NoParameters;
      requestBody: {
        content: {
          "application/json": components["schemas"]["LoginRequest"];
        };
      };
      responses: {
        /** @description Signed in */
        200: JsonResponse<{
          user: components["schemas"]["Me"];
        }>;
        /** @description validation_failed */
        400: ErrorResponse;
        /** @description invalid_credentials */
        401: ErrorResponse;
        /** @description account_locked */
        423: ErrorResponse;
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/auth/logout": {
    parameters: NoParameters;
    get?: never;
    put?: never;
    /** Sign out; clears the session cookie. */
    post: {
      parameters: NoParameters;
      requestBody?: never;
      responses: {
        /** @description Signed out */
        204: {
          headers: AnyHeaders;
          content?: never;
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/auth/me": {
    parameters: NoParameters;
    /** The signed-in user. */
    get: {
      parameters: NoParameters;
      requestBody?: never;
      responses: {
        /** @description The current user */
        200: JsonResponse<{
          user: components["schemas"]["Me"];
        }>;
        /** @description authentication_required */
        401: ErrorResponse;
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/divisions/{code}": {
    parameters: {
      query?: never;
      header?: never;
      path: {
        code: string;
      };
      cookie?: never;
    };
    /** A division and its descendants down to `depth` levels. */
    get: {
      parameters: {
        query?: {
          /** @description Levels of children to include (0–5) */
          depth?: number;
          /** @description Include the boundary polygons */
          geometry?: boolean;
        };
        header?: never;
        path: {
          code: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description The division */
        200: JsonResponse<{
          division: components["schemas"]["Division"];
        }>;
        /** @description validation_failed */
        400: ErrorResponse;
        /** @description authentication_required */
        401: ErrorResponse;
        /** @description division_not_found */
        404: ErrorResponse;
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/grids": {
    parameters: NoParameters;
    /** The unit grids under a division, as GeoJSON. */
    get: {
      parameters: {
        query: {
          division: string;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description The grids */
        200: JsonResponse<components["schemas"]["GridFeatureCollection"]>;
        /** @description validation_failed */
        400: ErrorResponse;
        /** @description authentication_required */
        401: ErrorResponse;
        /** @description division_not_found */
        404: ErrorResponse;
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/grids/locate": {
    parameters: NoParameters;
    /** The grid, community and street containing a point. */
    get: {
      parameters: {
        query: {
          lat: number;
          lng: number;
          crs?: "wgs84" | "gcj02" | "bd09";
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description The grid at the point */
        200: JsonResponse<components["schemas"]["GridLocation"]>;
        /** @description validation_failed */
        400: ErrorResponse;
        /** @description authentication_required */
        401: ErrorResponse;
        /** @description outside_district */
        404: ErrorResponse;
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/grids/{code}": {
    parameters: {
      query?: never;
      header?: never;
      path: {
        code: string;
      };
      cookie?: never;
    };
    /** One grid with its staff. */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          code: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description The grid */
        200: JsonResponse<{
          grid: components["schemas"]["GridDetail"];
        }>;
        /** @description validation_failed */
        400: ErrorResponse;
        /** @description authentication_required */
        401: ErrorResponse;
        /** @description grid_not_found */
        404: ErrorResponse;
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
};

export type webhooks = Record<string, never>;

export type components = {
  schemas: {
    Error: {
      error: {
        /** @description Stable, machine-readable error code */
        code: string;
        message: string;
        details?: unknown;
      };
    };
    LoginRequest: {
      username: string;
      password: string;
    };
    Scope: {
      code: string;
      name: string;
      /** @enum {string} */
      level: "district" | "street" | "community";
    };
    Me: {
      id: string;
      username: string;
      displayName: string;
      roles: string[];
      permissions: string[];
      scope: components["schemas"]["Scope"] | null;
    };
    Polygon: {
      /** @enum {string} */
      type: "Polygon";
      coordinates: number[][][];
    };
    Division: {
      code: string;
      name: string;
      /** @enum {string} */
      level: "district" | "street" | "community" | "courtyard" | "building";
      parentCode: string | null;
      geometry?: components["schemas"]["Polygon"] | null;
      lat?: number | null;
      lng?: number | null;
      children?: components["schemas"]["Division"][];
    };
    GridProperties: {
      code: string;
      name: string;
      communityCode: string;
      communityName: string;
      streetCode: string;
      streetName: string;
    };
    GridFeature: {
      /** @enum {string} */
      type: "Feature";
      id: string;
      geometry: components["schemas"]["Polygon"];
      properties: components["schemas"]["GridProperties"];
    };
    GridFeatureCollection: {
      /** @enum {string} */
      type: "FeatureCollection";
      features: components["schemas"]["GridFeature"][];
    };
    CodeName: {
      code: string;
      name: string;
    };
    GridStaff: {
      userId: string;
      displayName: string;
      /** @enum {string} */
      duty: "inspector" | "street_cadre" | "grid_worker" | "volunteer" | "building_head";
      /** @description Masked, e.g. 138****5678 */
      phone: string | null;
    };
    GridDetail: {
      code: string;
      name: string;
      community: components["schemas"]["CodeName"];
      street: components["schemas"]["CodeName"];
      staff: components["schemas"]["GridStaff"][];
    };
    GridLocation: {
      grid: components["schemas"]["CodeName"];
      community: components["schemas"]["CodeName"];
      street: components["schemas"]["CodeName"];
    };
  };
  responses: never;
  parameters: never;
  requestBodies: never;
  headers: never;
  pathItems: never;
};

export type $defs = Record<string, never>;

export type operations = Record<string, never>;
