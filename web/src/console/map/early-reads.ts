import { api, fetchDivision, fetchGrids, fetchMe, unwrap } from "../../api/client";
import { apiQuery, readFilters, type QueueFilters } from "../queue/filters";

/** Where the map of cases is: its reads start early only on a first load of this page. */
export const CASE_MAP_PATH = "/console/map";

/** The columns the map draws and opens a case by: a case's number and title come with its popup. */
const MAP_FIELDS = "id,lng,lat,status,light";

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
 * The map's reads, started as the app's entry runs on a first load of the map, once the session
 * (asked for here as the app asks for it) says whose scope: the points of the URL's filters, the
 * scope's divisions and its grids. They are the page's longest reads and would otherwise wait for
 * the shell's and the page's chunks and their first render. The page's queries take each answer
 * once, if they ask for the same thing.
 */
export function startEarlyReads(): void {
  if (window.location.pathname !== CASE_MAP_PATH) return;
  // Asked once the session is known: a signed-out visitor sees the sign-in page and asks nothing more.
  void fetchMe()
    .then((me) => {
      const scope = me?.scope;
      if (!me || !scope) return;
      // The small reads first: the server answers them before the points' long read, so the map
      // stands ready when the points arrive.
      const depth = divisionDepth(scope.level);
      early.division = keep("division", { key: JSON.stringify([scope.code, depth]), answer: fetchDivision(scope.code, depth) });
      early.grids = keep("grids", { key: scope.code, answer: fetchGrids(scope.code) });
      if (me.permissions.includes("case.read")) {
        const query = pointsQuery(readFilters(new URLSearchParams(window.location.search)));
        early.points = keep("points", { key: JSON.stringify(query), answer: fetchPoints(query) });
      }
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
