/** Refused because the queue is full: the caller should come back after `retryAfterSeconds`. */
export class QueueFullError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`Busy: try again in ${retryAfterSeconds} s`);
    this.name = "QueueFullError";
  }
}

type Waiting = { start: () => void };

/**
 * Runs at most `slots` jobs at once and lets at most `maxWaiting` more wait, in order; beyond
 * that a job is refused at once with `QueueFullError`, so a burst costs a bounded amount of
 * memory and CPU and everything else the process does keeps its latency.
 */
export class DecodeQueue {
  private running = 0;
  private readonly waiting: Waiting[] = [];
  // A running mean of job durations, for an honest Retry-After.
  private averageMs = 1000;

  constructor(
    readonly slots: number,
    readonly maxWaiting: number,
  ) {}

  /** Jobs running and waiting now. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.running >= this.slots) {
      if (this.waiting.length >= this.maxWaiting) throw new QueueFullError(this.retryAfterSeconds());
      await new Promise<void>((start) => this.waiting.push({ start }));
    } else {
      this.running++;
    }
    const started = performance.now();
    try {
      return await job();
    } finally {
      this.averageMs = 0.8 * this.averageMs + 0.2 * (performance.now() - started);
      const next = this.waiting.shift();
      // The slot passes straight to the next job, so no newcomer can overtake those waiting.
      if (next) next.start();
      else this.running--;
    }
  }

  /** The time the jobs ahead need to clear, whole seconds from 1 to 60. */
  private retryAfterSeconds(): number {
    const ahead = this.running + this.waiting.length;
    return Math.min(60, Math.max(1, Math.ceil((ahead * this.averageMs) / this.slots / 1000)));
  }
}
