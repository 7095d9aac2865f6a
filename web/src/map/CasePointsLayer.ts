import L from "leaflet";
import Supercluster from "supercluster";
import { LIGHT_COLORS, type MapLight } from "./palette";

/** The points to draw, as columns (the API's shape), already in the tiles' coordinates. */
export type CasePointColumns = { lng: readonly number[]; lat: readonly number[]; light: readonly MapLight[] };

type PointProps = { index: number; light: MapLight };
type ClusterProps = Record<MapLight, number>;

/** What one draw put on the canvas, in container pixels: for hit tests, and for tests to aim at. */
type Drawn = { x: number; y: number; r: number } & ({ kind: "cluster"; clusterId: number; count: number; lng: number; lat: number } | { kind: "point"; index: number; lng: number; lat: number });

export type CasePointsHandlers = { onPoint: (index: number, at: L.LatLng) => void };

const LIGHT_ORDER: readonly MapLight[] = ["overdue", "near_due", "on_time", "suspended"];
/** Extra canvas around the view, as a share of its size: a pan shows drawn points until it ends and the canvas is redrawn. */
const PADDING = 0.3;
const POINT_RADIUS = 6;
/** At this zoom and above every case is drawn alone: a street's houses are apart. */
const CLUSTER_MAX_ZOOM = 16;
const CLICK_SLOP = 5;

const clusterRadius = (count: number) => Math.min(34, 12 + 5 * Math.log10(count));

/**
 * Open cases on a Leaflet map: clustered by supercluster when zoomed out, drawn on one canvas (not
 * one DOM element per case) in a pane of their own, above the grids. A cluster is a ring of its
 * cases' lights in proportion around its count; a case alone is a dot of its light. A click on a
 * cluster zooms to where it splits; a click on a case calls `onPoint`. The canvas is redrawn when
 * a move or zoom ends; while the map is dragged it moves with the map pane.
 */
export class CasePointsLayer extends L.Layer {
  private readonly handlers: CasePointsHandlers;
  private canvas: HTMLCanvasElement | null = null;
  private index: Supercluster<PointProps, ClusterProps> | null = null;
  private drawn: Drawn[] = [];
  private pressedAt: L.Point | null = null;

  constructor(handlers: CasePointsHandlers) {
    super({ pane: "casePoints" });
    this.handlers = handlers;
  }

  /** Replaces the points; a new index is built once per answer, not per frame. */
  setPoints(points: CasePointColumns): this {
    const features: Supercluster.PointFeature<PointProps>[] = new Array(points.lng.length);
    for (let i = 0; i < points.lng.length; i++) {
      features[i] = { type: "Feature", properties: { index: i, light: points.light[i] }, geometry: { type: "Point", coordinates: [points.lng[i], points.lat[i]] } };
    }
    const index = new Supercluster<PointProps, ClusterProps>({
      radius: 56,
      maxZoom: CLUSTER_MAX_ZOOM,
      map: (props) => ({ on_time: 0, near_due: 0, overdue: 0, suspended: 0, [props.light]: 1 }),
      reduce: (into, props) => {
        for (const light of LIGHT_ORDER) into[light] += props[light];
      },
    });
    index.load(features);
    this.index = index;
    this.redraw();
    return this;
  }

  override onAdd(map: L.Map): this {
    const pane = map.getPane("casePoints") ?? map.createPane("casePoints");
    pane.style.zIndex = "450";
    // Clicks are taken at the container, before the grids under the canvas see them.
    pane.style.pointerEvents = "none";
    const canvas = L.DomUtil.create("canvas", "case-points leaflet-zoom-hide", pane);
    canvas.setAttribute("aria-hidden", "true");
    this.canvas = canvas;
    map.on("moveend zoomend resize viewreset", this.redraw, this);
    const container = map.getContainer();
    container.addEventListener("mousedown", this.press, true);
    container.addEventListener("click", this.click, true);
    container.addEventListener("mousemove", this.hover);
    this.redraw();
    return this;
  }

  override onRemove(map: L.Map): this {
    map.off("moveend zoomend resize viewreset", this.redraw, this);
    const container = map.getContainer();
    container.removeEventListener("mousedown", this.press, true);
    container.removeEventListener("click", this.click, true);
    container.removeEventListener("mousemove", this.hover);
    container.style.cursor = "";
    this.canvas?.remove();
    this.canvas = null;
    return this;
  }

  /** The canvas again for the current view: placed over the view and its margin, then painted. */
  redraw(): void {
    const map = this._map as L.Map | undefined;
    const canvas = this.canvas;
    if (!map || !canvas) return;
    const size = map.getSize();
    const pad = size.multiplyBy(PADDING).round();
    const full = size.add(pad.multiplyBy(2));
    const ratio = window.devicePixelRatio || 1;
    // A new size reallocates the bitmap: only when the view's size changed.
    if (canvas.width !== Math.round(full.x * ratio) || canvas.height !== Math.round(full.y * ratio)) {
      canvas.width = Math.round(full.x * ratio);
      canvas.height = Math.round(full.y * ratio);
      canvas.style.width = `${full.x}px`;
      canvas.style.height = `${full.y}px`;
    }
    L.DomUtil.setPosition(canvas, map.containerPointToLayerPoint(pad.multiplyBy(-1)));
    const context = canvas.getContext("2d");
    if (!context) return;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, full.x, full.y);
    this.drawn = [];
    if (!this.index) return;
    const west = map.containerPointToLatLng(pad.multiplyBy(-1));
    const east = map.containerPointToLatLng(size.add(pad));
    const bbox: [number, number, number, number] = [Math.max(-180, west.lng), Math.max(-85, east.lat), Math.min(180, east.lng), Math.min(85, west.lat)];
    const items = this.index.getClusters(bbox, Math.floor(map.getZoom()));
    let clusters = 0;
    let points = 0;
    // Cases alone first, clusters over them.
    for (const item of items) {
      if ("cluster" in item.properties && item.properties.cluster) continue;
      const props = item.properties as PointProps;
      const [lng, lat] = item.geometry.coordinates;
      const at = map.latLngToContainerPoint([lat, lng]);
      this.drawPoint(context, at.add(pad), props.light);
      this.drawn.push({ kind: "point", x: at.x, y: at.y, r: POINT_RADIUS, index: props.index, lng, lat });
      points++;
    }
    for (const item of items) {
      if (!("cluster" in item.properties && item.properties.cluster)) continue;
      const props = item.properties as Supercluster.ClusterProperties & ClusterProps;
      const [lng, lat] = item.geometry.coordinates;
      const at = map.latLngToContainerPoint([lat, lng]);
      const r = clusterRadius(props.point_count);
      this.drawCluster(context, at.add(pad), r, props);
      this.drawn.push({ kind: "cluster", x: at.x, y: at.y, r, clusterId: props.cluster_id, count: props.point_count, lng, lat });
      clusters++;
    }
    // What is drawn, for the page's summary and for browser tests (a canvas has no elements to find).
    canvas.dataset.clusters = String(clusters);
    canvas.dataset.points = String(points);
    const view = L.bounds(L.point(0, 0), size);
    canvas.dataset.targets = JSON.stringify(
      this.drawn
        .filter((target) => view.contains(L.point(target.x, target.y)))
        .slice(-40)
        .map((target) => ({ kind: target.kind, x: Math.round(target.x), y: Math.round(target.y), count: target.kind === "cluster" ? target.count : 1 })),
    );
  }

  private drawPoint(context: CanvasRenderingContext2D, at: L.Point, light: MapLight): void {
    context.beginPath();
    context.arc(at.x, at.y, POINT_RADIUS, 0, 2 * Math.PI);
    context.fillStyle = LIGHT_COLORS[light];
    context.fill();
    context.lineWidth = 1.5;
    context.strokeStyle = "#ffffff";
    context.stroke();
    context.beginPath();
    context.arc(at.x, at.y, POINT_RADIUS + 1, 0, 2 * Math.PI);
    context.lineWidth = 0.75;
    context.strokeStyle = "rgba(0, 0, 0, 0.55)";
    context.stroke();
  }

  private drawCluster(context: CanvasRenderingContext2D, at: L.Point, r: number, counts: ClusterProps & { point_count: number }): void {
    context.beginPath();
    context.arc(at.x, at.y, r, 0, 2 * Math.PI);
    context.fillStyle = "rgba(255, 255, 255, 0.95)";
    context.fill();
    // The lights as a ring, from twelve o'clock, worst first.
    const ring = 5;
    let start = -Math.PI / 2;
    for (const light of LIGHT_ORDER) {
      const share = counts[light] / counts.point_count;
      if (share <= 0) continue;
      const end = start + share * 2 * Math.PI;
      context.beginPath();
      context.arc(at.x, at.y, r - ring / 2, start, end);
      context.lineWidth = ring;
      context.strokeStyle = LIGHT_COLORS[light];
      context.stroke();
      start = end;
    }
    context.beginPath();
    context.arc(at.x, at.y, r, 0, 2 * Math.PI);
    context.lineWidth = 1;
    context.strokeStyle = "rgba(0, 0, 0, 0.35)";
    context.stroke();
    context.fillStyle = "#1f1f1f";
    context.font = `600 ${r > 20 ? 13 : 12}px system-ui, sans-serif`;
    context.textAlign = "center";
    context.textBaseline = "middle";
    context.fillText(counts.point_count >= 10_000 ? `${Math.round(counts.point_count / 1000)}k` : String(counts.point_count), at.x, at.y + 0.5);
  }

  /** The topmost thing drawn under a container point. */
  private targetAt(point: L.Point): Drawn | undefined {
    for (let i = this.drawn.length - 1; i >= 0; i--) {
      const target = this.drawn[i];
      if ((target.x - point.x) ** 2 + (target.y - point.y) ** 2 <= (target.r + 2) ** 2) return target;
    }
    return undefined;
  }

  private readonly press = (event: MouseEvent) => {
    const map = this._map as L.Map | undefined;
    this.pressedAt = map ? map.mouseEventToContainerPoint(event) : null;
  };

  private readonly click = (event: MouseEvent) => {
    const map = this._map as L.Map | undefined;
    if (!map || !this.index) return;
    // Controls and popups over the map keep their own clicks.
    if (event.target instanceof Element && event.target.closest(".leaflet-control, .leaflet-popup")) return;
    const point = map.mouseEventToContainerPoint(event);
    // The end of a drag is no click.
    if (this.pressedAt && this.pressedAt.distanceTo(point) > CLICK_SLOP) return;
    const target = this.targetAt(point);
    if (!target) return;
    event.stopPropagation();
    event.preventDefault();
    if (target.kind === "cluster") {
      const zoom = Math.min(this.index.getClusterExpansionZoom(target.clusterId), CLUSTER_MAX_ZOOM + 1);
      map.setView([target.lat, target.lng], Math.max(zoom, map.getZoom() + 1));
    } else {
      this.handlers.onPoint(target.index, L.latLng(target.lat, target.lng));
    }
  };

  private readonly hover = (event: MouseEvent) => {
    const map = this._map as L.Map | undefined;
    // Not while dragging: the frames of a pan are the map's.
    if (!map || event.buttons !== 0) return;
    const cursor = this.targetAt(map.mouseEventToContainerPoint(event)) ? "pointer" : "";
    const style = map.getContainer().style;
    if (style.cursor !== cursor) style.cursor = cursor;
  };
}
