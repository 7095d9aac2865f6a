import { Type, type TSchema } from "typebox";

/** A schema that also allows null. */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** The one error shape of the API. */
export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: "Stable, machine-readable error code" }),
      message: Type.String(),
      details: Type.Optional(Type.Unknown()),
    }),
  },
  { $id: "Error", title: "Error" },
);

/** Standard error responses for a route, referencing the shared Error schema. */
export function errors(...statusCodes: number[]): Record<number, TSchema> {
  return Object.fromEntries(statusCodes.map((status) => [status, Type.Ref("Error")]));
}

export const DivisionCode = Type.String({ pattern: "^[0-9]{6,18}$", description: "Division code (GB/T 2260 + statistical code)" });
export const GridCode = Type.String({ pattern: "^[0-9]{15}$", description: "15-digit grid code" });
export const Uuid = Type.String({ format: "uuid" });
