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

// Every code a request names has one schema here: never empty, never padded, only its own characters.
export const DivisionCode = Type.String({ pattern: "^[0-9]{6,18}$", description: "Division code (GB/T 2260 + statistical code)" });
export const GridCode = Type.String({ pattern: "^[0-9]{15}$", description: "15-digit grid code" });
export const BuildingCode = Type.String({ pattern: "^[0-9]{18}$", description: "18-digit building code" });
export const CategoryCode = Type.String({ pattern: "^[a-z0-9_.]{1,100}$", description: "Category code, e.g. component.public.manhole" });
export const DepartmentCode = Type.String({ pattern: "^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$", description: "Department code, e.g. cgj" });
export const Uuid = Type.String({ format: "uuid" });
