import { api, fetchDivision, fetchGrids, unwrap, type Me } from "../../api/client";
import { apiQuery, readFilters, type QueueFilters } from "../queue/filters";

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

/** How many levels below the scope the map fetches, so that streets and communities are both drawn. */
export function divisionDepth(level: string): number {
  return level === "community" ? 0 : level === "street" ? 1 : 2;
}

type Reads = {
  points: { key: string; answer: ReturnType<typeof fetchPoints> } | null;
  division: { key: string; answer: ReturnType<typeof fetchDivision> } | null;
  grids: { key: string; answer: ReturnType<typeof fetchGrids> } | null;
};

const early: Reads = { points: null, division: null, grids: null };

/**
 * The map's reads, started by the console's entry on a first load of the map, before the app's
 * code has loaded: the points of the URL's filters, then the scope's divisions and grids. They are
 * the page's longest reads and would otherwise wait for the app's, the shell's and the page's
 * chunks and their first render. They start
 * as soon as the session is known: at once when the server wrote it into the page. The page's
 * queries take each answer once, if they ask for the same thing (the same scope, depth and
 * filters).
 */
export function startEarlyReads(session: Promise<Me | null>): void {
  if (window.location.pathname !== CASE_MAP_PATH) return;
  void session
    .then((me) => {
      if (!me?.scope) return;
      if (me.permissions.includes("case.read")) {
        const query = pointsQuery(readFilters(new URLSearchParams(window.location.search)));
        early.points = keep("points", { key: JSON.stringify(query), answer: fetchPoints(query) });
      }
      // The points first: they take the server longest, and the small reads after them still come
      // before the page has rendered (measured: the other order draws later).
      const depth = divisionDepth(me.scope.level);
      early.division = keep("division", { key: JSON.stringify([me.scope.code, depth]), answer: fetchDivision(me.scope.code, depth) });
      early.grids = keep("grids", { key: me.scope.code, answer: fetchGrids(me.scope.code) });
    })
    .catch(() => undefined);
}

/** An early read, dropped if it fails: the page's own query then asks again and shows why. */
function keep<K extends keyof Reads>(read: K, entry: NonNullable<Reads[K]>): NonNullable<Reads[K]> {
  entry.answer.catch(() => {
    if (early[read] === entry) early[read] = null;
  });
  return entry;
}

/** The early answer of `read` for `key`, once; null when there is none or it was for something else. */
export function takeEarly<K extends keyof Reads>(read: K, key: string): NonNullable<Reads[K]>["answer"] | null {
  const taken = early[read];
  early[read] = null;
  return taken && taken.key === key ? (taken.answer as NonNullable<Reads[K]>["answer"]) : null;
}
