import { uuidv7 } from "../../ids.ts";
import type { AppContext } from "../../context.ts";
import type { CategoryQuestion, GridDuty, NewUser } from "../../db/schema.ts";
import { writeAudit } from "../audit/audit.repository.ts";
import { hashPassword } from "../auth/passwords.ts";
import { districtDivisions, readDivisionsFile } from "../divisions/divisions.service.ts";
import { upsertDivisions, type DivisionInput } from "../divisions/divisions.repository.ts";
import { GridIndex } from "../grids/grid-index.ts";
import { upsertGrids } from "../grids/grids.repository.ts";
import type { Role } from "../people/roles.ts";
import { generateDemoGeometry, mulberry32 } from "./demo-geometry.ts";
import { mobilePhone, personName } from "./demo-people.ts";
import { seedDemoTemplates } from "../templates/templates.service.ts";

export const DEMO_DISTRICT = "530103";
const SEED = 530103;

/** Two categories ask an extra question in the demo, so that intake, the case page and exports show answers. */
const DEMO_QUESTIONS: [categoryCode: string, questions: CategoryQuestion[]][] = [
  [
    "component.public_facility.manhole_cover_sewage",
    [
      {
        code: "cover_state",
        label: { zh: "井盖状况", en: "State of the cover" },
        type: "choice",
        choices: [
          { value: "missing", zh: "缺失", en: "Missing" },
          { value: "broken", zh: "破损", en: "Broken" },
          { value: "loose", zh: "松动", en: "Loose" },
        ],
        required: false,
        public: true,
      },
    ],
  ],
  [
    "event.construction.road_damage",
    [{ code: "area_m2", label: { zh: "破损面积(平方米)", en: "Damaged area (m²)" }, type: "number", required: false, public: false, min: 0, max: 10000 }],
  ],
];

/** Panlong's published staffing (PRODUCT.md): the demo has the same numbers. */
export const DEMO_STAFFING = { gridWorkers: 520, supervisors: 150, seatOperators: 20, districtDispatchers: 6 };

const DEPARTMENTS: [code: string, name: string][] = [
  ["cgj", "盘龙区城市管理局"],
  ["zjj", "盘龙区住房和城乡建设局"],
  ["scjgj", "盘龙区市场监督管理局"],
  ["sthjj", "昆明市生态环境局盘龙分局"],
  ["jtysj", "盘龙区交通运输局"],
  ["swj", "盘龙区水务局"],
  ["ylj", "盘龙区园林绿化局"],
  ["wjj", "盘龙区卫生健康局"],
  ["mzj", "盘龙区民政局"],
  ["gaj", "昆明市公安局盘龙分局"],
  ["yjj", "盘龙区应急管理局"],
  ["jtj", "盘龙区教育体育局"],
  ["rsj", "盘龙区人力资源和社会保障局"],
  ["sfj", "盘龙区司法局"],
  ["gdj", "云南电网昆明盘龙供电局"],
];
const HANDLERS_PER_DEPARTMENT = 3;

type Staff = NewUser & { duties: { grid: string; duty: GridDuty }[] };

/**
 * Seeds the demo district of Panlong (530103): its real 12 streets and 105 communities, synthetic
 * geometry around its real location, about 620 grids with courtyards and buildings, command
 * centres, departments and staff on the 1+1+1+N pattern. One transaction: all or nothing.
 */
export async function seedDemoDistrict(ctx: AppContext, password: string): Promise<{ users: number; grids: number }> {
  const random = mulberry32(SEED + 1);
  const file = readDivisionsFile();
  const divisions = districtDivisions(file, DEMO_DISTRICT);
  const streets = divisions.filter((division) => division.level === "street");
  const communities = divisions.filter((division) => division.level === "community");
  const geometry = generateDemoGeometry(
    streets.map(({ code, name }) => ({ code, name })),
    communities.map(({ code, name, parentCode }) => ({ code, name, streetCode: parentCode ?? "" })),
    SEED,
  );
  const region = { regionCode: DEMO_DISTRICT };
  const placed: DivisionInput[] = [
    ...divisions.map((division) => ({
      ...division,
      geometry:
        division.level === "district"
          ? geometry.district
          : (geometry.streets.get(division.code) ?? geometry.communities.get(division.code) ?? null),
    })),
    ...geometry.courtyards.map((courtyard): DivisionInput => ({
      ...region,
      code: courtyard.code,
      parentCode: courtyard.communityCode,
      level: "courtyard",
      name: courtyard.name,
      lat: courtyard.lat,
      lng: courtyard.lng,
    })),
    ...geometry.buildings.map((building): DivisionInput => ({
      ...region,
      code: building.code,
      parentCode: building.courtyardCode,
      level: "building",
      name: building.name,
      lat: building.lat,
      lng: building.lng,
    })),
  ];

  const passwordHash = await hashPassword(password);
  const gridIndex = new GridIndex(geometry.grids);
  const gridsOf = new Map<string, string[]>();
  for (const grid of geometry.grids) {
    const list = gridsOf.get(grid.communityCode) ?? [];
    list.push(grid.code);
    gridsOf.set(grid.communityCode, list);
  }
  // Each department's staffed duty phone (values of the demo's own, not real numbers).
  const departments = DEPARTMENTS.map(([code, name], i) => ({ id: uuidv7(), code, name, division_code: DEMO_DISTRICT, duty_phone: `0871-6310${String(i).padStart(4, "0")}` }));
  const staff: Staff[] = [];
  const person = (username: string, roles: Role[], scope: string | null, extra: Partial<Staff> = {}): Staff => {
    const member: Staff = {
      id: uuidv7(),
      username,
      display_name: personName(random),
      phone: mobilePhone(random),
      password_hash: passwordHash,
      roles,
      scope_code: scope,
      department_id: null,
      duties: [],
      ...extra,
    };
    staff.push(member);
    return member;
  };

  person("admin", ["admin"], DEMO_DISTRICT, { display_name: "系统管理员" });
  person("secadmin", ["security_admin"], DEMO_DISTRICT, { display_name: "安全管理员" });
  person("auditor", ["auditor"], DEMO_DISTRICT, { display_name: "安全审计员" });
  person("leader", ["leader"], DEMO_DISTRICT);
  for (let i = 1; i <= DEMO_STAFFING.districtDispatchers; i++) person(i === 1 ? "dispatcher" : `dispatcher-${i}`, ["dispatcher"], DEMO_DISTRICT);
  for (let i = 1; i <= DEMO_STAFFING.seatOperators; i++) person(`seat-${String(i).padStart(2, "0")}`, ["seat_operator"], DEMO_DISTRICT);
  for (const department of departments) {
    for (let i = 1; i <= HANDLERS_PER_DEPARTMENT; i++) {
      person(`handler-${department.code}-${i}`, ["handler"], DEMO_DISTRICT, { department_id: department.id });
    }
  }

  const streetGrids = streets.map((street) => geometry.grids.filter((grid) => grid.code.startsWith(street.code)).map((grid) => grid.code));
  const supervisorsPerStreet = apportion(streetGrids.map((grids) => grids.length), DEMO_STAFFING.supervisors);
  let supervisorNo = 0;
  streets.forEach((street, s) => {
    const suffix = street.code.slice(6);
    person(`leader-${suffix}`, ["leader"], street.code);
    person(`dispatcher-${suffix}-1`, ["dispatcher"], street.code);
    person(`dispatcher-${suffix}-2`, ["dispatcher"], street.code);
    // 1+1+1+N: a district supervisor (inspector) and a street cadre answer for every grid.
    const supervisors = Array.from({ length: supervisorsPerStreet[s] }, () =>
      person(`supervisor-${String(++supervisorNo).padStart(3, "0")}`, ["supervisor"], street.code),
    );
    const cadres = Array.from({ length: Math.max(2, Math.ceil(streetGrids[s].length / 6)) }, (_, i) =>
      person(`cadre-${suffix}-${i + 1}`, ["handler"], street.code),
    );
    streetGrids[s].forEach((grid, g) => {
      supervisors[g % supervisors.length].duties.push({ grid, duty: "inspector" });
      cadres[g % cadres.length].duties.push({ grid, duty: "street_cadre" });
    });
  });

  const communityGrids = communities.map((community) => gridsOf.get(community.code) ?? []);
  const workersPerCommunity = apportion(communityGrids.map((grids) => grids.length), DEMO_STAFFING.gridWorkers);
  communities.forEach((community, c) => {
    const grids = communityGrids[c];
    person(`community-${community.code}`, ["dispatcher", "handler"], community.code);
    // Full-time grid workers cover one grid each; where there are fewer workers, some cover two.
    const workers = Array.from({ length: Math.max(1, workersPerCommunity[c]) }, (_, i) =>
      person(`gw-${community.code}-${i + 1}`, ["grid_worker"], community.code),
    );
    grids.forEach((grid, g) => {
      workers[g % workers.length].duties.push({ grid, duty: "grid_worker" });
      person(`volunteer-${grid}`, ["volunteer"], community.code).duties.push({ grid, duty: "volunteer" });
    });
  });
  for (const courtyard of geometry.courtyards) {
    const grid = gridIndex.locate(courtyard.lng, courtyard.lat);
    const head = person(`head-${courtyard.code}`, ["building_head"], courtyard.communityCode);
    if (grid) head.duties.push({ grid, duty: "building_head" });
  }
  person("resident", ["resident"], null, { display_name: "市民张女士" });
  person("merchant", ["merchant"], null, { display_name: "盘龙便民超市" });

  await ctx.db.transaction().execute(async (trx) => {
    await upsertDivisions(trx, placed);
    await upsertGrids(trx, geometry.grids.map((grid) => ({ ...grid, regionCode: DEMO_DISTRICT })));
    await trx
      .insertInto("command_centres")
      .values([
        { division_code: DEMO_DISTRICT, name: "盘龙区网格化综合指挥中心" },
        ...streets.map((street) => ({ division_code: street.code, name: `${street.name}网格化分中心` })),
      ])
      .execute();
    await trx.insertInto("departments").values(departments).execute();
    for (const [code, questions] of DEMO_QUESTIONS) {
      await trx.updateTable("categories").set({ questions: JSON.stringify(questions) }).where("code", "=", code).execute();
    }
    for (const batch of chunks(staff, 500)) {
      await trx.insertInto("users").values(batch.map(({ duties: _duties, ...user }) => user)).execute();
    }
    const duties = staff.flatMap((member) => member.duties.map(({ grid, duty }) => ({ grid_code: grid, user_id: member.id as string, duty })));
    for (const batch of chunks(duties, 1000)) await trx.insertInto("grid_staff").values(batch).execute();
    await seedDemoTemplates(trx, DEMO_DISTRICT);
    await writeAudit(trx, {
      regionCode: DEMO_DISTRICT,
      actorId: null,
      action: "demo.seed",
      targetType: "division",
      targetId: DEMO_DISTRICT,
      details: { users: staff.length, grids: geometry.grids.length },
    });
  });
  return { users: staff.length, grids: geometry.grids.length };
}

/** Whether the database is still empty of divisions, the state the demo seed starts from. */
export async function holdsNoDivisions(ctx: AppContext): Promise<boolean> {
  return (await ctx.db.selectFrom("divisions").select("code").limit(1).execute()).length === 0;
}

/** Splits `total` in proportion to `weights` (largest remainders), so the parts add up exactly. */
export function apportion(weights: number[], total: number): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((weight) => (sum === 0 ? 0 : (weight * total) / sum));
  const parts = exact.map(Math.floor);
  const order = exact.map((value, i) => [value - Math.floor(value), i] as const).sort((a, b) => b[0] - a[0]);
  const missing = total - parts.reduce((a, b) => a + b, 0);
  for (let k = 0; k < missing; k++) parts[order[k % order.length][1]]++;
  return parts;
}

function chunks<T>(items: T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}
