import type { QueryClient } from "@tanstack/react-query";
import { api, fetchDivision, fetchGrids, unwrap, type Me } from "../../api/client";
import { apiQuery, readFilters, type QueueFilters } from "../queue/filters";
import { divisionDepth } from "../scope-divisions";

/** Where the map of cases is: its reads start early only on a first load of this page. */
export const CASE_MAP_PATH = "/console/map";

/**
 * The columns the map draws. No ids: they were most of the answer's bytes (random, they do not
 * compress), and only a clicked point needs them, which `spot.ts` asks for then.
 */
const MAP_FIELDS = "lng,lat,status,light";

/** The points query of the map's filters: the list's filters less its text search, which the map does not take. */
export function pointsQuery(filters: QueueFilters) {
  const { q: _q, ...rest } = apiQuery(filters);
  return { ...rest, fields: MAP_FIELDS };
}

export type PointsQuery = ReturnType<typeof pointsQuery>;

export const fetchPoints = (query: PointsQuery) => unwrap(api.GET("/api/v1/cases/points", { params: { query } }));
export const fetchMapConfig = () => unwrap(api.GET("/api/v1/map-config"));

/** The map's query keys: the page's queries and the early reads' answers meet under them. */
export const mapKeys = {
  points: (query: PointsQuery) => ["cases", "points", query] as const,
  division: (code: string, depth: number) => ["division", code, depth] as const,
  grids: (code: string) => ["grids", code] as const,
  config: () => ["map-config"] as const,
};

/** A read started before the app: its query key, its answer, and the answer's data once it came. */
type Early = { key: readonly unknown[]; answer: Promise<unknown>; settled?: { data: unknown; at: number } };

const early = new Map<string, Early>();
let delivery: QueryClient | null = null;

/**
 * The map's reads, started by the console's entry on a first load of the map, before the app's
 * code has loaded: the points of the URL's filters, then the scope's divisions and grids and the
 * map's configuration. They are the page's longest reads and would otherwise wait for the app's,
 * the shell's and the page's chunks and their first render. They start as soon as the session is
 * known: at once when the server wrote it into the page. An answer that comes before the page
 * renders goes into the app's query cache (`deliverEarlyReads`), so that the page's first render
 * draws it; one still on its way is taken by the page's query that asks for the same thing.
 */
export function startEarlyReads(session: Promise<Me | null>): void {
  if (window.location.pathname !== CASE_MAP_PATH) return;
  void session
    .then((me) => {
      if (!me?.scope) return;
      if (me.permissions.includes("case.read")) {
        const query = pointsQuery(readFilters(new URLSearchParams(window.location.search)));
        start(mapKeys.points(query), fetchPoints(query));
      }
      // The points first: they take the server longest, and the small reads after them still come
      // before the page has rendered (measured: the other order draws later).
      const depth = divisionDepth(me.scope.level);
      start(mapKeys.division(me.scope.code, depth), fetchDivision(me.scope.code, depth));
      start(mapKeys.grids(me.scope.code), fetchGrids(me.scope.code));
      start(mapKeys.config(), fetchMapConfig());
    })
    .catch(() => undefined);
}

/** An early read, dropped if it fails: the page's own query then asks again and shows why. */
function start(key: readonly unknown[], answer: Promise<unknown>): void {
  const id = JSON.stringify(key);
  const entry: Early = { key, answer };
  early.set(id, entry);
  answer.then(
    (data) => {
      if (early.get(id) !== entry) return;
      entry.settled = { data, at: Date.now() };
      if (delivery) deliver(id, entry, delivery);
    },
    () => {
      if (early.get(id) === entry) early.delete(id);
    },
  );
}

function deliver(id: string, entry: Early, client: QueryClient): void {
  early.delete(id);
  if (entry.settled) client.setQueryData(entry.key, entry.settled.data, { updatedAt: entry.settled.at });
}

/** Puts the early answers into the app's query cache, those already here at once and the others as they come. */
export function deliverEarlyReads(client: QueryClient): void {
  delivery = client;
  for (const [id, entry] of early) if (entry.settled) deliver(id, entry, client);
}

/** The early answer still on its way for a query of this key (taken: once), else what `read` answers. */
export function takeEarlyOr<T>(key: readonly unknown[], read: () => Promise<T>): Promise<T> {
  const id = JSON.stringify(key);
  const entry = early.get(id);
  if (!entry) return read();
  early.delete(id);
  return entry.answer as Promise<T>;
}
