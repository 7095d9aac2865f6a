import { setImmediate as nextTurn } from "node:timers/promises";

/** How long a loop over a file's rows may hold the event loop before it lets other work run. */
const SLICE_MS = 10;

/**
 * Cuts a long synchronous loop (reading and checking a 100,000-row file takes seconds) into slices:
 * between rows the loop asks `due()`, and when its slice has run out awaits `next()`, which lets
 * the requests and timers that queued meanwhile run first. Other requests then wait at most a slice.
 */
export class TimeSlices {
  private started = performance.now();

  constructor(private readonly sliceMs = SLICE_MS) {}

  due(): boolean {
    return performance.now() - this.started >= this.sliceMs;
  }

  async next(): Promise<void> {
    await nextTurn();
    this.started = performance.now();
  }
}
