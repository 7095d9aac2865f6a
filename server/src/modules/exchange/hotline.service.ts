import crypto from "node:crypto";
import { uuidv7 } from "../../ids.ts";
import type { AppContext } from "../../context.ts";
import { keepStatistics } from "../../db/statistics.ts";
import { AppError, notFound } from "../../errors.ts";
import { writeAudit } from "../audit/audit.repository.ts";
import { regionOf } from "../audit/audit.repository.ts";
import { codeInScope, requirePermission, type Actor } from "../auth/actor.ts";
import { drawCaseNumbers, insertImportedCases, type NewReport } from "../cases/cases.repository.ts";
import { appendCasesToLog, holdEventLogging } from "../events/event-log.repository.ts";
import { newReport, type Place } from "../cases/cases.service.ts";
import { activeCategories } from "../cases/categories.service.ts";
import { suggestCategories } from "../cases/text.ts";
import { ancestorCode } from "../divisions/division-codes.ts";
import { toWgs84, type Crs } from "../grids/grids.service.ts";
import { maskPhone } from "../people/people.presenters.ts";
import {
  categoryOf,
  checkMappingColumns,
  columnIndexes,
  DEFAULT_EXPORT_HEADERS,
  EXPORT_FIELDS,
  FIELD_LABELS,
  parseFileTime,
  type ImportField,
  type MappingColumns,
  type RowProblem,
} from "./hotline-mapping.ts";
import {
  existingRefs,
  findAddressPlaces,
  findExportRows,
  findMapping,
  findMappings,
  findMappingsByName,
  holdingSource,
  type MappingRow,
} from "./hotline.repository.ts";
import { AddressResolver } from "./address-resolver.ts";
import { readTable, type Table } from "./table-reader.ts";
import { TimeSlices } from "./time-slices.ts";
import { writeTable, type TableFormat } from "./table-writer.ts";

export type MappingInput = {
  name: string;
  sourceName: string;
  columns: MappingColumns;
  categoryValues?: Record<string, string>;
  crs?: Crs;
};

export function presentMapping(row: MappingRow) {
  return {
    id: row.id,
    name: row.name,
    sourceName: row.source_name,
    columns: row.columns as MappingColumns,
    categoryValues: row.category_values,
    crs: row.crs,
    version: row.version,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** The region an actor's mappings and imports belong to: their district. */
function regionOfActor(actor: Actor): string {
  if (actor.scopeCode === null) throw new AppError(403, "forbidden", "Exchanging work orders needs a staff scope");
  return regionOf(actor.scopeCode);
}

const mappingNotFound = (id: string) => notFound("mapping_not_found", `No mapping ${id}`);

async function checkMapping(ctx: AppContext, input: MappingInput): Promise<void> {
  checkMappingColumns(input.columns);
  const codes = new Set((await activeCategories(ctx.db)).map((category) => category.code));
  const unknown = Object.entries(input.categoryValues ?? {}).filter(([, code]) => !codes.has(code));
  if (unknown.length > 0) {
    throw new AppError(422, "unknown_category", `No category ${unknown.map(([, code]) => code).join(", ")}`, { values: unknown.map(([value]) => value) });
  }
}

export async function listMappings(ctx: AppContext, actor: Actor) {
  requirePermission(actor, "exchange.write");
  return (await findMappings(ctx.db, regionOfActor(actor))).map(presentMapping);
}

export async function getMapping(ctx: AppContext, actor: Actor, id: string) {
  requirePermission(actor, "exchange.write");
  const row = await findMapping(ctx.db, regionOfActor(actor), id);
  if (!row) throw mappingNotFound(id);
  return presentMapping(row);
}

const nameTaken = (name: string) => new AppError(409, "mapping_name_taken", `A mapping named ${name} exists`);
const isUniqueViolation = (error: unknown) => (error as { code?: string }).code === "23505";

export async function createMapping(ctx: AppContext, actor: Actor, input: MappingInput) {
  requirePermission(actor, "exchange.write");
  const regionCode = regionOfActor(actor);
  await checkMapping(ctx, input);
  const id = uuidv7();
  try {
    return await ctx.db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto("hotline_mappings")
        .values({
          id,
          region_code: regionCode,
          name: input.name,
          source_name: input.sourceName,
          columns: JSON.stringify(input.columns),
          category_values: JSON.stringify(input.categoryValues ?? {}),
          crs: input.crs ?? "wgs84",
          created_by: actor.userId,
        })
        .returning(["id", "region_code", "name", "source_name", "columns", "category_values", "crs", "version", "created_at", "updated_at"])
        .executeTakeFirstOrThrow();
      await writeAudit(trx, { regionCode, actorId: actor.userId, action: "exchange.mapping_create", targetType: "hotline_mapping", targetId: id, details: { name: input.name, source: input.sourceName } });
      return presentMapping(row);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(input.name);
    throw error;
  }
}

/** Replaces a mapping; with If-Match, only the version it names (else 412). */
export async function updateMapping(ctx: AppContext, actor: Actor, id: string, input: MappingInput, version?: number) {
  requirePermission(actor, "exchange.write");
  const regionCode = regionOfActor(actor);
  await checkMapping(ctx, input);
  try {
    return await ctx.db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable("hotline_mappings")
        .set((eb) => ({
          name: input.name,
          source_name: input.sourceName,
          columns: JSON.stringify(input.columns),
          category_values: JSON.stringify(input.categoryValues ?? {}),
          crs: input.crs ?? "wgs84",
          version: eb("version", "+", 1),
          updated_at: new Date(),
        }))
        .where("region_code", "=", regionCode)
        .where("id", "=", id)
        .$if(version !== undefined, (query) => query.where("version", "=", version as number))
        .returning(["id", "region_code", "name", "source_name", "columns", "category_values", "crs", "version", "created_at", "updated_at"])
        .executeTakeFirst();
      if (!row) {
        if (await findMapping(trx, regionCode, id)) throw new AppError(412, "version_mismatch", "The mapping was changed meanwhile: read it again");
        throw mappingNotFound(id);
      }
      await writeAudit(trx, { regionCode, actorId: actor.userId, action: "exchange.mapping_update", targetType: "hotline_mapping", targetId: id, details: { name: input.name, source: input.sourceName } });
      return presentMapping(row);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(input.name);
    throw error;
  }
}

export async function deleteMapping(ctx: AppContext, actor: Actor, id: string): Promise<void> {
  requirePermission(actor, "exchange.write");
  const regionCode = regionOfActor(actor);
  await ctx.db.transaction().execute(async (trx) => {
    const deleted = await trx.deleteFrom("hotline_mappings").where("region_code", "=", regionCode).where("id", "=", id).returning(["name"]).executeTakeFirst();
    if (!deleted) throw mappingNotFound(id);
    await writeAudit(trx, { regionCode, actorId: actor.userId, action: "exchange.mapping_delete", targetType: "hotline_mapping", targetId: id, details: { name: deleted.name } });
  });
}

/** The mapping the command line names, in its region or the only region that has one by that name. */
export async function mappingByName(ctx: AppContext, name: string, regionCode?: string): Promise<MappingRow> {
  const rows = await findMappingsByName(ctx.db, name, regionCode);
  if (rows.length === 0) throw notFound("mapping_not_found", `No mapping named ${name}`);
  if (rows.length > 1) throw new AppError(400, "region_required", `Mappings named ${name} exist in ${rows.map((row) => row.region_code).join(", ")}: name the region`);
  return rows[0];
}

/** A row of the file as it would be imported. */
type CheckedRow = {
  row: number;
  externalRef: string;
  reportedAt: Date | null;
  title: string | undefined;
  description: string;
  address: string | null;
  categoryCode: string | undefined;
  callerName: string | undefined;
  callerPhone: string | undefined;
  place: Place;
  deadline: Date | null;
};

const PHONE = /^[0-9+\- ]{5,20}$/;

/**
 * Reads every row through the mapping: each problem is reported with the row number the
 * spreadsheet shows, the file's column and the reason in Chinese (the clerk reads it); a row with
 * any problem is not imported. A large file is checked in slices of the event loop.
 */
async function checkRows(ctx: AppContext, actor: Actor | null, mapping: MappingRow, table: Table) {
  const columns = mapping.columns as MappingColumns;
  const indexes = columnIndexes(table.headers, columns);
  const categories = await activeCategories(ctx.db);
  const resolver = indexes.address !== undefined ? new AddressResolver(await findAddressPlaces(ctx.db, mapping.region_code), (code) => ctx.grids.interiorPoint(code)) : undefined;
  const problems: RowProblem[] = [];
  const checked: CheckedRow[] = [];
  const firstRowOf = new Map<string, number>();
  const now = Date.now();
  const slices = new TimeSlices();
  for (const { number, cells } of table.rows) {
    if (slices.due()) await slices.next();
    const before = problems.length;
    const cell = (field: ImportField) => {
      const index = indexes[field];
      return index === undefined ? "" : (cells[index] ?? "").trim();
    };
    const problem = (field: ImportField, reason: string) => problems.push({ row: number, column: columns[field] ?? FIELD_LABELS[field], reason });
    const externalRef = cell("externalRef");
    if (!externalRef) problem("externalRef", "工单编号为空");
    else if (externalRef.length > 64) problem("externalRef", "工单编号超过64个字符");
    else if (firstRowOf.has(externalRef)) problem("externalRef", `工单编号与第${firstRowOf.get(externalRef)}行重复`);
    else firstRowOf.set(externalRef, number);
    const description = cell("description");
    if (description.length < 2) problem("description", "诉求内容为空或过短（至少2个字）");
    else if (description.length > 2000) problem("description", "诉求内容超过2000字");
    const title = cell("title") || undefined;
    if (title && title.length > 200) problem("title", "标题超过200字");
    let reportedAt: Date | null = null;
    if (cell("reportedAt")) {
      reportedAt = parseFileTime(cell("reportedAt")) ?? null;
      if (!reportedAt) problem("reportedAt", `受理时间「${cell("reportedAt")}」无法识别，应如 2026-12-03 09:30`);
      else if (reportedAt.getTime() > now + 5 * 60_000) problem("reportedAt", "受理时间晚于当前时间");
    }
    let deadline: Date | null = null;
    if (cell("deadline")) {
      deadline = parseFileTime(cell("deadline")) ?? null;
      if (!deadline) problem("deadline", `办理时限「${cell("deadline")}」无法识别，应如 2026-12-10 18:00`);
      else if (reportedAt && deadline < reportedAt) problem("deadline", "办理时限早于受理时间");
    }
    let categoryCode: string | undefined;
    const categoryValue = cell("category");
    if (categoryValue) {
      categoryCode = categoryOf(categoryValue, mapping.category_values, categories);
      if (!categoryCode) problem("category", `类别「${categoryValue}」未对应本系统的类别，请在映射中设置`);
    }
    const callerName = cell("callerName") || undefined;
    if (callerName && callerName.length > 50) problem("callerName", "来电人姓名超过50字");
    const callerPhone = cell("callerPhone") || undefined;
    if (callerPhone && !PHONE.test(callerPhone)) problem("callerPhone", `来电号码「${maskPhone(callerPhone) ?? ""}」格式不对`);
    let point: { lng: number; lat: number; buildingCode: string | null } | undefined;
    const address = cell("address") || null;
    const byCoordinates = Boolean(cell("lng") || cell("lat"));
    if (byCoordinates) {
      const lng = Number(cell("lng"));
      const lat = Number(cell("lat"));
      if (!cell("lng") || !cell("lat") || !Number.isFinite(lng) || !Number.isFinite(lat) || Math.abs(lng) > 180 || Math.abs(lat) > 90) {
        problem(cell("lng") ? "lat" : "lng", "经纬度不完整或不是数字");
      } else {
        const [x, y] = toWgs84(lng, lat, mapping.crs);
        point = { lng: x, lat: y, buildingCode: null };
      }
    } else if (address && resolver) {
      point = resolver.resolve(address);
      if (!point) problem("address", `地址「${address}」找不到对应的网格、社区或小区`);
    } else {
      problem(indexes.address !== undefined ? "address" : "lng", "没有位置：地址和经纬度都为空");
    }
    let place: Place | undefined;
    if (point) {
      const found = ctx.grids.locate(point.lng, point.lat);
      const field = byCoordinates ? "lng" : "address";
      if (!found) problem(field, "位置不在本区任何网格内");
      else if (ancestorCode(found.grid.code, "district") !== mapping.region_code) problem(field, "位置不在本映射所属的区");
      else if (actor && !codeInScope(actor, found.grid.code)) problem(field, "位置不在您的管辖范围内");
      else place = { lng: point.lng, lat: point.lat, gridCode: found.grid.code, buildingCode: point.buildingCode };
    }
    if (problems.length === before && place) {
      checked.push({ row: number, externalRef, reportedAt, title, description, address, categoryCode, callerName, callerPhone, place, deadline });
    }
  }
  return { problems, checked, categories };
}

export type ImportOptions = { preview?: boolean; goodRowsOnly?: boolean; onProgress?: (done: number, total: number) => void };

/** Rows per statement and transaction. */
const IMPORT_BATCH = 500;
/**
 * Lanes written at once on PostgreSQL, each on its own connection: a lane holds the rows of its
 * communities, so that two batches never count into one rollup row (each names its community),
 * and each batch draws its numbers in a statement of its own, committed at once, so that neither
 * waits for the other's counter row until its commit. PGlite has one connection, so one lane.
 */
const LANES_ON_SERVER = 2;

/**
 * The rows in `count` lanes of about the same size, each community's rows in one lane, together
 * and in file order: a batch then counts into the rollup rows of one or two communities, not of
 * every community the file names (upserting 750 rows for 500 cases).
 */
function lanesByCommunity(rows: CheckedRow[], count: number): CheckedRow[][] {
  const byCommunity = new Map<string, CheckedRow[]>();
  for (const row of rows) {
    const community = ancestorCode(row.place.gridCode, "community");
    const group = byCommunity.get(community) ?? [];
    byCommunity.set(community, group);
    group.push(row);
  }
  const lanes = Array.from({ length: count }, () => [] as CheckedRow[]);
  // Largest first, each to the lane with fewest rows so far.
  for (const group of [...byCommunity.values()].sort((a, b) => b.length - a.length)) {
    const lane = lanes.reduce((fewest, candidate) => (candidate.length < fewest.length ? candidate : fewest));
    for (const row of group) lane.push(row);
  }
  return lanes.filter((lane) => lane.length > 0);
}
/** Rows a preview shows. */
const PREVIEW_ROWS = 20;

/**
 * Imports a 12345 file through a mapping as cases of source `hotline`, each keeping its work-order
 * number as its external reference (unique per region and source). Every row is checked before
 * anything is written: with any bad row nothing is imported (422 `invalid_rows` listing every
 * one) unless `goodRowsOnly`. A number already held is left as it is, so the same file twice
 * makes its cases once. `preview` checks and answers the first rows as they would be imported,
 * writing nothing. The cases go in through the intake's statement in batches, each in its own
 * transaction: the checks come first, so a failure part way leaves whole batches, and running the
 * import again completes it. The cases are numbered community by community (`lanesByCommunity`);
 * on PostgreSQL a batch draws its numbers before its statement, so one that fails leaves them
 * unused.
 */
export async function importHotlineFile(ctx: AppContext, actor: Actor | null, mapping: MappingRow, data: Buffer, options: ImportOptions = {}) {
  if (actor) requirePermission(actor, "exchange.write");
  const table = await readTable(data);
  const { problems, checked, categories } = await checkRows(ctx, actor, mapping, table);
  const held = await existingRefs(ctx.db, mapping.region_code, mapping.source_name, checked.map((row) => row.externalRef));
  const summary = {
    rows: table.rows.length,
    good: checked.length,
    bad: new Set(problems.map((problem) => problem.row)).size,
    new: checked.filter((row) => !held.has(row.externalRef)).length,
    existing: checked.filter((row) => held.has(row.externalRef)).length,
    problems,
  };
  if (options.preview) {
    const names = new Map(categories.map((category) => [category.code, category.name]));
    const preview = checked.slice(0, PREVIEW_ROWS).map((row) => ({
      row: row.row,
      externalRef: row.externalRef,
      reportedAt: row.reportedAt?.toISOString() ?? null,
      title: row.title ?? row.description.slice(0, 40),
      description: row.description,
      address: row.address,
      category: row.categoryCode ? { code: row.categoryCode, name: names.get(row.categoryCode) ?? row.categoryCode } : null,
      callerName: row.callerName ? `${Array.from(row.callerName)[0]}*` : null,
      callerPhone: maskPhone(row.callerPhone ?? null),
      gridCode: row.place.gridCode,
      deadline: row.deadline?.toISOString() ?? null,
      exists: held.has(row.externalRef),
    }));
    return { ...summary, preview: true, imported: 0, headers: table.headers, rowsShown: preview };
  }
  if (problems.length > 0 && !options.goodRowsOnly) {
    throw new AppError(422, "invalid_rows", `${summary.bad} rows cannot be imported; nothing was imported (goodRowsOnly=true imports the others)`, summary);
  }
  const fresh = checked.filter((row) => !held.has(row.externalRef));
  const leaves = categories.filter((category) => category.parent_code !== null);
  const byCode = new Map(categories.map((category) => [category.code, category]));
  const onServer = ctx.config.database.kind === "postgres";
  const statistics = keepStatistics(ctx.db, "cases");
  /** Writes a batch in its own transaction; `whileInserting` starts when its long statement is sent. */
  const write = (batch: PreparedReport[], whileInserting: () => void) =>
    ctx.db.transaction().execute(async (trx) => {
      // Another import of the same source may have written some since they were read.
      const now = await existingRefs(trx, mapping.region_code, mapping.source_name, batch.map(({ row }) => row.externalRef));
      const reports = batch.filter(({ row }) => !now.has(row.externalRef)).map(({ report }) => report);
      if (reports.length === 0) return 0;
      const drawn = onServer ? await drawCaseNumbers(ctx.db, reports) : undefined;
      // The batch's events reach the event log in one statement, the last, rather than a trigger per case.
      await holdEventLogging(trx);
      const inserting = insertImportedCases(trx, reports, drawn);
      whileInserting();
      const ids = await inserting;
      await appendCasesToLog(trx, mapping.region_code, ids);
      return ids.length;
    });
  let imported = 0;
  let done = 0;
  let failed = false;
  /** Writes a lane's rows batch by batch, preparing the next batch's reports while a batch's long statement runs. */
  const writeLane = async (rows: CheckedRow[]) => {
    const prepare = (start: number) => prepareReports(rows.slice(start, start + IMPORT_BATCH), (row) => reportOf(actor, mapping, row, byCode, leaves));
    let batch = await prepare(0);
    for (let start = 0; start < rows.length && !failed; start += IMPORT_BATCH) {
      let next: Promise<PreparedReport[]> | undefined;
      const prepareNext = () => (next ??= prepare(start + IMPORT_BATCH));
      const written = await write(batch, prepareNext).catch(async (error: unknown) => {
        failed = true;
        // The preparing ends before the failure is told, so that nothing is left unawaited.
        await next?.catch(() => undefined);
        throw error;
      });
      imported += written;
      done += batch.length;
      ctx.caseEvents.wakeAfterWrite();
      await statistics.wrote(written);
      options.onProgress?.(done, fresh.length);
      batch = await prepareNext();
    }
  };
  const writeAll = async () => {
    const lanes = await Promise.allSettled(lanesByCommunity(fresh, onServer ? LANES_ON_SERVER : 1).map(writeLane));
    for (const lane of lanes) if (lane.status === "rejected") throw lane.reason;
  };
  options.onProgress?.(0, fresh.length);
  // PGlite's one connection never runs two transactions at once; on PostgreSQL the source is held.
  await (onServer ? holdingSource(ctx.db, mapping.region_code, mapping.source_name, writeAll) : writeAll());
  await writeAudit(ctx.db, {
    regionCode: mapping.region_code,
    actorId: actor?.userId ?? null,
    action: "exchange.hotline_import",
    targetType: "hotline_mapping",
    targetId: mapping.id,
    details: {
      mapping: mapping.name,
      source: mapping.source_name,
      sha256: crypto.createHash("sha256").update(data).digest("hex"),
      rows: summary.rows,
      imported,
      existing: summary.existing + (fresh.length - imported),
      bad: summary.bad,
    },
  });
  return { ...summary, new: imported, existing: summary.existing + (fresh.length - imported), preview: false, imported };
}

type Categories = Awaited<ReturnType<typeof activeCategories>>;

/** How long preparing reports may hold the event loop: the write beside it waits at most that long for each answer. */
const PREPARE_SLICE_MS = 2;

type PreparedReport = { row: CheckedRow; report: NewReport };

/** Each row with its report, made in slices so that a write going on meanwhile keeps moving. */
async function prepareReports(rows: CheckedRow[], reportOf: (row: CheckedRow) => NewReport): Promise<PreparedReport[]> {
  const slices = new TimeSlices(PREPARE_SLICE_MS);
  const prepared: PreparedReport[] = [];
  for (const row of rows) {
    if (slices.due()) await slices.next();
    prepared.push({ row, report: reportOf(row) });
  }
  return prepared;
}

function reportOf(actor: Actor | null, mapping: MappingRow, row: CheckedRow, byCode: Map<string, Categories[number]>, leaves: Categories): NewReport {
  const category = row.categoryCode ? byCode.get(row.categoryCode) : undefined;
  const suggested = suggestCategories(row.description + (row.title ?? ""), leaves)[0]?.code ?? null;
  const reporter = row.callerName || row.callerPhone ? { name: row.callerName, phone: row.callerPhone } : undefined;
  const { report } = newReport(
    actor,
    { description: row.description, title: row.title, categoryCode: row.categoryCode, source: "hotline", reporter },
    { place: row.place, category, suggested, source: "hotline", answers: {}, id: uuidv7(), now: new Date(), photoIds: [] },
  );
  const values = report.case;
  values.external_source = mapping.source_name;
  values.external_ref = row.externalRef;
  values.external_reported_at = row.reportedAt;
  // The platform's own deadline governs the handling; the earlier stages keep within it.
  if (row.deadline && row.deadline > (values.created_at as Date)) {
    values.handle_by = row.deadline;
    if ((values.feedback_by as Date) > row.deadline) values.feedback_by = row.deadline;
  }
  report.event.details = { ...report.event.details, externalSource: mapping.source_name, externalRef: row.externalRef, mapping: mapping.name };
  return report;
}

const STATUS_LABELS: Record<string, string> = {
  reported: "已受理",
  accepted: "已受理",
  registered: "已立案",
  rejected: "不予立案",
  dispatched: "已派遣",
  in_progress: "处置中",
  suspended: "缓办",
  handled: "已处置待核查",
  closed: "已办结",
  evaluated: "已办结",
  merged: "已合并",
};
const SATISFACTION_LABELS: Record<string, string> = { satisfied: "满意", basically_satisfied: "基本满意", dissatisfied: "不满意" };

/** At most this many days in one export. */
const EXPORT_MAX_DAYS = 366;

/**
 * The results of a source's imported cases, in the mapping's columns: the work-order number, then
 * status, department, handling note, closed time and rating, as xlsx or CSV. Cases imported from
 * `from` (inclusive) to `to` (exclusive), in the actor's scope; audited.
 */
export async function exportHotlineResults(ctx: AppContext, actor: Actor | null, mapping: MappingRow, q: { from: Date; to: Date; format: TableFormat }) {
  if (actor) requirePermission(actor, "exchange.write");
  if (!(q.from < q.to) || q.to.getTime() - q.from.getTime() > EXPORT_MAX_DAYS * 86400_000) {
    throw new AppError(400, "invalid_period", `from must come before to, at most ${EXPORT_MAX_DAYS} days apart`);
  }
  const rows = await findExportRows(ctx.db, actor, { regionCode: mapping.region_code, source: mapping.source_name, from: q.from, to: q.to });
  const columns = mapping.columns as MappingColumns;
  const headers = [columns.externalRef ?? "工单编号", ...EXPORT_FIELDS.map((field) => columns[field] || DEFAULT_EXPORT_HEADERS[field])];
  const values = rows.map((row) => [
    row.external_ref,
    STATUS_LABELS[row.status] ?? row.status,
    row.department_name,
    row.note,
    row.closed_at ? new Date(row.closed_at) : null,
    row.satisfaction ? (SATISFACTION_LABELS[row.satisfaction] ?? row.satisfaction) : null,
  ]);
  await writeAudit(ctx.db, {
    regionCode: mapping.region_code,
    actorId: actor?.userId ?? null,
    action: "exchange.hotline_export",
    targetType: "hotline_mapping",
    targetId: mapping.id,
    details: { mapping: mapping.name, from: q.from.toISOString(), to: q.to.toISOString(), rows: rows.length, format: q.format },
  });
  return { rows: rows.length, file: await writeTable(q.format, "办理结果", headers, values) };
}

/** The mapping an API caller names by id, in their region. */
export async function mappingOfActor(ctx: AppContext, actor: Actor, id: string): Promise<MappingRow> {
  requirePermission(actor, "exchange.write");
  const row = await findMapping(ctx.db, regionOfActor(actor), id);
  if (!row) throw mappingNotFound(id);
  return row;
}
