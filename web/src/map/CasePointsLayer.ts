import L from "leaflet";
import { LIGHT_COLORS, type MapLight } from "./palette";
import { LIGHT_ORDER, PointGrid, type Clusters, type WorldBox } from "./point-clusters";

/** The points to draw, as columns (the API's shape), already in the tiles' coordinates. */
export type CasePointColumns = { lng: ArrayLike<number>; lat: ArrayLike<number>; light: readonly MapLight[] };

/** What one draw put on the canvas, in container pixels: for hit tests, and for tests to aim at. */
type Drawn = { x: number; y: number; r: number; cluster: number } & ({ kind: "cluster"; count: number } | { kind: "point"; index: number });

export type CasePointsHandlers = { onPoint: (index: number, at: L.LatLng) => void };

/**
 * Extra canvas around the view, as a share of its size: a pan shows drawn points until it ends and
 * the canvas is redrawn. The grids' SVG renderer keeps Leaflet's 0.1 as well. Without a GPU the
 * canvas's memory is costly: its first frames take about 15 ms a megapixel each to hand to the
 * compositor, so 0.3 (2.6 times the view's pixels) cost a first visit about 150 ms more than 0.1.
 */
const PADDING = 0.1;
const POINT_RADIUS = 6;
/** The side of a cluster's cell, in pixels at the zoom clustered. */
const CELL = 56;
/** At this zoom and above every case is drawn alone: a street's houses are apart. */
const CLUSTER_MAX_ZOOM = 16;
const CLICK_SLOP = 5;

const clusterRadius = (count: number) => Math.min(34, 12 + 5 * Math.log10(count));

/** A canvas `side` CSS pixels square at the pixel ratio, painted once by `paint` in CSS pixels, to be copied. */
function spriteCanvas(side: number, ratio: number, paint: (context: CanvasRenderingContext2D) => void): HTMLCanvasElement {
  const canvas = document.createElement("canvas");
  canvas.width = Math.ceil(side * ratio);
  canvas.height = Math.ceil(side * ratio);
  const context = canvas.getContext("2d");
  if (!context) return canvas;
  context.scale(ratio, ratio);
  paint(context);
  return canvas;
}

/** A case's dot, drawn once per light and pixel ratio and then copied: a copy costs a fraction of two strokes and a fill. */
function pointSprite(light: MapLight, ratio: number): HTMLCanvasElement {
  const size = 2 * (POINT_RADIUS + 2);
  return spriteCanvas(size, ratio, (context) => {
    const c = size / 2;
    context.beginPath();
    context.arc(c, c, POINT_RADIUS, 0, 2 * Math.PI);
    context.fillStyle = LIGHT_COLORS[light];
    context.fill();
    context.lineWidth = 1.5;
    context.strokeStyle = "#ffffff";
    context.stroke();
    context.beginPath();
    context.arc(c, c, POINT_RADIUS + 1, 0, 2 * Math.PI);
    context.lineWidth = 0.75;
    context.strokeStyle = "rgba(0, 0, 0, 0.55)";
    context.stroke();
  });
}

/** A cluster sprite's side in whole pixels, its disc and a pixel of margin. */
const clusterSide = (r: number) => Math.ceil(2 * (r + 1));

/** Cluster sprites kept at most: a few views' worth; past it they are drawn again as needed. */
const CLUSTER_SPRITES_MAX = 4000;

/** A cluster's disc of radius `r` centred at (cx, cy): white, a ring of its lights' shares from twelve o'clock (worst first), its count. */
function paintCluster(context: CanvasRenderingContext2D, cx: number, cy: number, count: number, lights: ArrayLike<number>, r: number): void {
  context.beginPath();
  context.arc(cx, cy, r, 0, 2 * Math.PI);
  context.fillStyle = "rgba(255, 255, 255, 0.95)";
  context.fill();
  const ring = 5;
  let start = -Math.PI / 2;
  for (let slot = 0; slot < LIGHT_ORDER.length; slot++) {
    const share = lights[slot] / count;
    if (share <= 0) continue;
    const end = start + share * 2 * Math.PI;
    context.beginPath();
    context.arc(cx, cy, r - ring / 2, start, end);
    context.lineWidth = ring;
    context.strokeStyle = LIGHT_COLORS[LIGHT_ORDER[slot]];
    context.stroke();
    start = end;
  }
  context.beginPath();
  context.arc(cx, cy, r, 0, 2 * Math.PI);
  context.lineWidth = 1;
  context.strokeStyle = "rgba(0, 0, 0, 0.35)";
  context.stroke();
  context.fillStyle = "#1f1f1f";
  context.font = `600 ${r > 20 ? 13 : 12}px system-ui, sans-serif`;
  context.textAlign = "center";
  context.textBaseline = "middle";
  context.fillText(count >= 10_000 ? `${Math.round(count / 1000)}k` : String(count), cx, cy + 0.5);
}

/** A cluster's sprite: its disc on a canvas of its own, to be copied. */
function clusterSprite(count: number, lights: ArrayLike<number>, r: number, ratio: number): HTMLCanvasElement {
  const side = clusterSide(r);
  return spriteCanvas(side, ratio, (context) => paintCluster(context, side / 2, side / 2, count, lights, r));
}

/**
 * Open cases on a Leaflet map: clustered on a grid fixed to the world when zoomed out, drawn on
 * one canvas (not one DOM element per case) in a pane of their own, above the grids. A cluster is
 * a ring of its cases' lights in proportion around its count; a case alone is a dot of its light.
 * A click on a cluster zooms to where it splits; a click on a case calls `onPoint`. The canvas is
 * redrawn at once for new points and once in the frame after a move or zoom; while the map is
 * dragged it moves with the map pane, and only the cells around the view are clustered and drawn.
 */
export class CasePointsLayer extends L.Layer {
  private readonly handlers: CasePointsHandlers;
  private canvas: HTMLCanvasElement | null = null;
  private grid: PointGrid | null = null;
  private clusters: Clusters | null = null;
  private drawn: Drawn[] = [];
  private pressedAt: L.Point | null = null;
  private frame = 0;
  private sprites: { ratio: number; byLight: Map<MapLight, HTMLCanvasElement> } | null = null;
  /** Cluster sprites by count and lights, at the sprites' pixel ratio. */
  private readonly clusterSprites = new Map<string, HTMLCanvasElement>();
  /** Clusters drawn once without a sprite: the next draw of one makes its sprite. */
  private readonly clustersSeen = new Set<string>();

  constructor(handlers: CasePointsHandlers) {
    super({ pane: "casePoints" });
    this.handlers = handlers;
  }

  /**
   * Replaces the points: their world positions are computed once per answer, not per frame. They
   * are drawn at once, so that the frame they arrive in shows them (the first answer usually comes
   * as the map is made, whose frame then shows the cases too).
   */
  setPoints(points: CasePointColumns): this {
    this.grid = new PointGrid(points, CELL);
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.redraw();
    return this;
  }

  /** One redraw in the next frame, however many events asked for it (a zoom ends with both zoomend and moveend). */
  private readonly scheduleRedraw = () => {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.redraw();
    });
  };

  override onAdd(map: L.Map): this {
    const pane = map.getPane("casePoints") ?? map.createPane("casePoints");
    pane.style.zIndex = "450";
    // Clicks are taken at the container, before the grids under the canvas see them.
    pane.style.pointerEvents = "none";
    const canvas = L.DomUtil.create("canvas", "case-points leaflet-zoom-hide", pane);
    canvas.setAttribute("aria-hidden", "true");
    this.canvas = canvas;
    map.on("moveend zoomend resize viewreset", this.scheduleRedraw);
    const container = map.getContainer();
    container.addEventListener("mousedown", this.press, true);
    container.addEventListener("click", this.click, true);
    container.addEventListener("mousemove", this.hover);
    // Nothing to draw before the first points: a canvas never drawn costs the compositor no buffer.
    if (this.grid) this.redraw();
    return this;
  }

  override onRemove(map: L.Map): this {
    map.off("moveend zoomend resize viewreset", this.scheduleRedraw);
    cancelAnimationFrame(this.frame);
    this.frame = 0;
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
    this.clusters = null;
    if (!this.grid) return;
    // The view and its margin in world pixels at zoom 0, and the map's pixels at its zoom from there.
    const zoom = map.getZoom();
    const scale = 2 ** zoom;
    const shift = map.getPixelOrigin().add(map.containerPointToLayerPoint([0, 0]));
    const box: WorldBox = {
      minX: (shift.x - pad.x) / scale,
      minY: (shift.y - pad.y) / scale,
      maxX: (shift.x + size.x + pad.x) / scale,
      maxY: (shift.y + size.y + pad.y) / scale,
    };
    const clusterZoom = Math.floor(zoom);
    const clusters = this.grid.cluster(clusterZoom, box, clusterZoom > CLUSTER_MAX_ZOOM);
    this.clusters = clusters;
    const sprites = this.spritesFor(ratio);
    const toContainer = (k: number) => ({ x: clusters.x[k] * scale - shift.x, y: clusters.y[k] * scale - shift.y });
    let points = 0;
    // Cases alone first, clusters over them.
    for (let k = 0; k < clusters.length; k++) {
      if (clusters.count[k] !== 1) continue;
      const { x, y } = toContainer(k);
      let slot = 0;
      while (slot < 3 && clusters.lights[k * 4 + slot] === 0) slot++;
      const sprite = sprites.get(LIGHT_ORDER[slot]);
      if (sprite) context.drawImage(sprite, x + pad.x - POINT_RADIUS - 2, y + pad.y - POINT_RADIUS - 2, 2 * (POINT_RADIUS + 2), 2 * (POINT_RADIUS + 2));
      this.drawn.push({ kind: "point", x, y, r: POINT_RADIUS, cluster: k, index: clusters.point[k] });
      points++;
    }
    for (let k = 0; k < clusters.length; k++) {
      if (clusters.count[k] === 1) continue;
      const { x, y } = toContainer(k);
      const r = clusterRadius(clusters.count[k]);
      this.drawCluster(context, x + pad.x, y + pad.y, r, clusters, k, ratio);
      this.drawn.push({ kind: "cluster", x, y, r, cluster: k, count: clusters.count[k] });
    }
    const clusterCount = this.drawn.length - points;
    // What is drawn, for the page's summary and for browser tests (a canvas has no elements to find).
    canvas.dataset.zoom = String(zoom);
    canvas.dataset.clusters = String(clusterCount);
    canvas.dataset.points = String(points);
    const view = L.bounds(L.point(0, 0), size);
    canvas.dataset.targets = JSON.stringify(
      this.drawn
        .filter((target) => view.contains(L.point(target.x, target.y)))
        .slice(-40)
        .map((target) => ({ kind: target.kind, x: Math.round(target.x), y: Math.round(target.y), count: target.kind === "cluster" ? target.count : 1 })),
    );
  }

  private spritesFor(ratio: number): Map<MapLight, HTMLCanvasElement> {
    if (this.sprites?.ratio !== ratio) {
      this.sprites = { ratio, byLight: new Map(LIGHT_ORDER.map((light) => [light, pointSprite(light, ratio)])) };
      this.clusterSprites.clear();
      this.clustersSeen.clear();
    }
    return this.sprites.byLight;
  }

  /** A cluster's centre (a case's place, for a case alone) as a map position. */
  private latLngOf(clusters: Clusters, k: number): L.LatLng {
    return L.CRS.EPSG3857.pointToLatLng(L.point(clusters.x[k], clusters.y[k]), 0);
  }

  /**
   * A cluster: its sprite for its count and lights, drawn once and then copied, since a pan redraws
   * the same cells with the same counts. A cluster seen for the first time is painted straight onto
   * the canvas: a sprite costs a canvas of its own, several times a painting, and a first view's
   * clusters (hundreds, nearly all different) would otherwise each make one.
   */
  private drawCluster(context: CanvasRenderingContext2D, x: number, y: number, r: number, clusters: Clusters, k: number, ratio: number): void {
    const count = clusters.count[k];
    const lights = clusters.lights.subarray(k * 4, k * 4 + 4);
    const key = `${count}:${lights[0]}:${lights[1]}:${lights[2]}`;
    const side = clusterSide(r);
    // On whole pixels: a copy, not a resampling that blurs the count.
    const left = Math.round(x - side / 2);
    const top = Math.round(y - side / 2);
    let sprite = this.clusterSprites.get(key);
    if (!sprite) {
      if (!this.clustersSeen.has(key)) {
        if (this.clustersSeen.size >= CLUSTER_SPRITES_MAX) this.clustersSeen.clear();
        this.clustersSeen.add(key);
        paintCluster(context, left + side / 2, top + side / 2, count, lights, r);
        return;
      }
      sprite = clusterSprite(count, lights, r, ratio);
      if (this.clusterSprites.size >= CLUSTER_SPRITES_MAX) this.clusterSprites.clear();
      this.clusterSprites.set(key, sprite);
    }
    context.drawImage(sprite, left, top, side, side);
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
    if (!map || !this.grid) return;
    // Controls and popups over the map keep their own clicks.
    if (event.target instanceof Element && event.target.closest(".leaflet-control, .leaflet-popup")) return;
    const point = map.mouseEventToContainerPoint(event);
    // The end of a drag is no click.
    if (this.pressedAt && this.pressedAt.distanceTo(point) > CLICK_SLOP) return;
    const target = this.targetAt(point);
    if (!target) return;
    event.stopPropagation();
    event.preventDefault();
    const clusters = this.clusters;
    if (!clusters) return;
    const at = this.latLngOf(clusters, target.cluster);
    if (target.kind === "cluster") {
      const zoom = this.grid.expansionZoom(clusters, target.cluster, CLUSTER_MAX_ZOOM + 1);
      map.setView(at, Math.max(zoom, map.getZoom() + 1));
    } else {
      this.handlers.onPoint(target.index, at);
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
