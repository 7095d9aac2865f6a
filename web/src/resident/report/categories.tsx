import type { ReactNode } from "react";

/** The common problems a resident picks from a picture; any other goes to staff ("不清楚"). */
export const COMMON_CATEGORIES = [
  { key: "garbage", code: "event.city_appearance.exposed_garbage" },
  { key: "road", code: "event.construction.road_damage" },
  { key: "light", code: "component.public_facility.street_light" },
  { key: "manhole", code: "component.public_facility.manhole_cover_sewage" },
  { key: "vendor", code: "event.street_order.road_occupation" },
  { key: "flyer", code: "event.advertising.illegal_flyer" },
  { key: "noise", code: "event.construction.construction_noise" },
  { key: "tree", code: "component.greening.street_tree" },
] as const;

export type CommonCategory = (typeof COMMON_CATEGORIES)[number]["key"];

const stroke = { fill: "none", stroke: "currentColor", strokeWidth: 2, strokeLinecap: "round", strokeLinejoin: "round" } as const;

/** Simple line pictures, inline so they cost no request and no image policy. */
const ICONS: Record<CommonCategory | "unsure", ReactNode> = {
  garbage: (
    <g {...stroke}>
      <path d="M9 10h14l-1.5 16h-11z" />
      <path d="M7 10h18M13 10V7h6v3M14 14v8M18 14v8" />
    </g>
  ),
  road: (
    <g {...stroke}>
      <path d="M10 27 14 5M22 27 18 5" />
      <path d="M16 8v3M16 15v3" />
      <path d="M11 22c2-2 4 0 6-2s4 1 5-1" />
    </g>
  ),
  light: (
    <g {...stroke}>
      <path d="M12 28h8M16 28V9c0-2 2-4 5-4h3" />
      <path d="M22 9h5l-1 3h-3z" />
      <path d="M5 5l22 22" />
    </g>
  ),
  manhole: (
    <g {...stroke}>
      <ellipse cx="16" cy="17" rx="11" ry="7" />
      <path d="M8 15h16M8 19h16M12 12v10M20 12v10" />
    </g>
  ),
  vendor: (
    <g {...stroke}>
      <path d="M5 12h22l-2-5H7z" />
      <path d="M7 12v12h18V12M11 24v-6h4v6" />
      <circle cx="9" cy="27" r="1.5" />
      <circle cx="23" cy="27" r="1.5" />
    </g>
  ),
  flyer: (
    <g {...stroke}>
      <path d="M14 4v24" />
      <path d="M7 9h14v6H7zM10 17h14v6H10z" />
    </g>
  ),
  noise: (
    <g {...stroke}>
      <path d="M5 13h5l6-5v16l-6-5H5z" />
      <path d="M20 12c2 2 2 6 0 8M23 9c4 4 4 10 0 14" />
    </g>
  ),
  tree: (
    <g {...stroke}>
      <circle cx="16" cy="12" r="8" />
      <path d="M16 20v8M12 28h8M16 16l-3-3M16 18l4-4" />
    </g>
  ),
  unsure: (
    <g {...stroke}>
      <circle cx="16" cy="16" r="12" />
      <path d="M12.5 12.5a3.5 3.5 0 1 1 5 3.2c-1 .5-1.5 1.3-1.5 2.3v1" />
      <circle cx="16" cy="23" r="0.8" fill="currentColor" />
    </g>
  ),
};

export function CategoryIcon({ name }: { name: CommonCategory | "unsure" }) {
  return (
    <svg aria-hidden="true" focusable="false" width="40" height="40" viewBox="0 0 32 32" className="r-category__icon">
      {ICONS[name]}
    </svg>
  );
}
