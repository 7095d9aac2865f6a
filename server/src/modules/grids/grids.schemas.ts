import { Type } from "typebox";

const Position = Type.Array(Type.Number(), { minItems: 2, maxItems: 3 });

export const Polygon = Type.Object({
  type: Type.Literal("Polygon"),
  coordinates: Type.Array(Type.Array(Position)),
});

const NamedRef = Type.Object({ code: Type.String(), name: Type.String() });

export const GridFeatureCollection = Type.Object({
  type: Type.Literal("FeatureCollection"),
  features: Type.Array(
    Type.Object({
      type: Type.Literal("Feature"),
      id: Type.String(),
      geometry: Polygon,
      properties: Type.Object({
        code: Type.String(),
        name: Type.String(),
        communityCode: Type.String(),
        communityName: Type.String(),
        streetCode: Type.String(),
        streetName: Type.String(),
      }),
    }),
  ),
});

export const Duty = Type.Enum(["inspector", "street_cadre", "grid_worker", "volunteer", "building_head"]);

export const GridDetail = Type.Object({
  code: Type.String(),
  name: Type.String(),
  community: NamedRef,
  street: NamedRef,
  staff: Type.Array(
    Type.Object({
      userId: Type.String(),
      displayName: Type.String(),
      duty: Duty,
      phone: Type.Union([Type.String(), Type.Null()], { description: "Masked: 138****5678" }),
    }),
  ),
});

export const Location = Type.Object({ grid: NamedRef, community: NamedRef, street: NamedRef });

export const Crs = Type.Union([Type.Literal("wgs84"), Type.Literal("gcj02"), Type.Literal("bd09")], {
  description: "Coordinate system of the point: WGS-84 (GPS), GCJ-02 (Amap, Tencent, WeChat) or BD-09 (Baidu)",
});
