import { SendError, type OutboxItem, type OutboxPhoto, type OutboxStore, type PatrolBody, type Refusal, type ReportBody, type Sender, type Sent, type TransitionBody } from "./types";

/** Why the queue is not sending now. */
export type Pause =
  | { reason: "signed_out" }
  | { reason: "retry"; at: number; error: Refusal }
  | { reason: "rate_limited"; at: number };

export type OutboxState = { items: OutboxItem[]; pause: Pause | null; sending: string | null };

export type OutboxOptions = {
  store: OutboxStore;
  sender: Sender;
  now?: () => number;
  /** Calls `run` after `ms`; answers a function that cancels it. */
  schedule?: (run: () => void, ms: number) => () => void;
  newId?: () => string;
  onSent?: (sent: Sent) => void;
};

// Transient failures wait 2 s, 4 s, 8 s … up to 2 minutes between tries.
const BACKOFF_FIRST_MS = 2_000;
const BACKOFF_MAX_MS = 120_000;
const DEFAULT_RETRY_AFTER_S = 30;
// A 412 re-reads the case and resends; a case changing under every try is given up on after this.
const MAX_PRECONDITION_RETRIES = 3;

export function backoffMs(failures: number): number {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** Math.max(0, failures - 1));
}

function randomId(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

const refusalOf = (error: SendError): Refusal => ({ status: error.status, code: error.code, message: error.message });

/** Network errors, server errors and a key still being answered: the same request may succeed later. */
const isTransient = (error: SendError) => error.status === 0 || error.status >= 500 || error.code === "idempotency_key_in_use";

/**
 * The field app's outbox: reports and actions taken on the device, sent in the order they were
 * taken, each exactly once (its Idempotency-Key makes a resend answer the first answer).
 *
 * - Photos are uploaded first, each remembered once the server has it; the report or action that
 *   uses them follows; the item (photos included) leaves the device only when that was accepted.
 * - A network error or a 5xx stops the run and tries again with backoff, keeping the order.
 * - A 429 waits for Retry-After; a 401 pauses until the same user signs in again (`setUser`).
 * - A 412 re-reads the case and resends only if the action is still offered to the user.
 * - Any other refusal keeps the item with the server's reason; later items go on, except those on
 *   the same case, which wait behind it until it is retried or discarded.
 */
export class Outbox {
  private readonly store: OutboxStore;
  private readonly sender: Sender;
  private readonly now: () => number;
  private readonly schedule: (run: () => void, ms: number) => () => void;
  private readonly newId: () => string;
  private readonly onSent?: (sent: Sent) => void;
  private items: OutboxItem[] = [];
  private userId: string | null = null;
  private pause: Pause | null = null;
  private sending: string | null = null;
  private failures = 0;
  private cancelTimer: (() => void) | null = null;
  private running: Promise<void> | null = null;
  private runAgain = false;
  private readonly listeners = new Set<(state: OutboxState) => void>();

  constructor(options: OutboxOptions) {
    this.store = options.store;
    this.sender = options.sender;
    this.now = options.now ?? Date.now;
    this.schedule =
      options.schedule ??
      ((run, ms) => {
        const timer = setTimeout(run, ms);
        return () => clearTimeout(timer);
      });
    this.newId = options.newId ?? randomId;
    this.onSent = options.onSent;
  }

  /** Reads what the device holds. */
  async load(): Promise<void> {
    this.items = (await this.store.list()).sort((a, b) => a.seq - b.seq);
    this.emit();
  }

  state(): OutboxState {
    return { items: this.items, pause: this.pause, sending: this.sending };
  }

  subscribe(listener: (state: OutboxState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The items of one user still on the device (waiting or refused). */
  itemsOf(userId: string): OutboxItem[] {
    return this.items.filter((item) => item.userId === userId);
  }

  /** Who is signed in (null: nobody). A 401 pause ends when the user who took the items signs in again. */
  setUser(userId: string | null): void {
    this.userId = userId;
    if (userId === null) {
      this.clearTimer();
      this.pause = { reason: "signed_out" };
      this.emit();
      return;
    }
    if (this.pause?.reason === "signed_out") this.pause = null;
    this.emit();
    void this.run();
  }

  /** A report; with `handledOnSpot`, `afterPhotos` are sent as its after-photos. */
  async addReport(userId: string, report: ReportBody, photos: Blob[], afterPhotos: Blob[] = []): Promise<OutboxItem> {
    const base = this.base(userId, photos);
    return this.add({ kind: "report", report, ...base, photos: [...base.photos, ...afterPhotos.map((blob): OutboxPhoto => ({ blob, after: true }))] });
  }

  async addPatrol(userId: string, patrol: PatrolBody): Promise<OutboxItem> {
    return this.add({ kind: "patrol", patrol, ...this.base(userId, []) });
  }

  async addTransition(
    userId: string,
    target: { caseId: string; caseNumber: string; etag: string },
    transition: TransitionBody,
    photos: Blob[],
  ): Promise<OutboxItem> {
    return this.add({ kind: "transition", ...target, transition, ...this.base(userId, photos) });
  }

  /** Sends a refused item again (after an edit, or as it is), with a fresh key: the refusal created nothing. */
  async retry(id: string, edit?: { report?: Partial<ReportBody>; transition?: Partial<TransitionBody> }): Promise<void> {
    const item = this.items.find((candidate) => candidate.id === id);
    if (!item) return;
    const next: OutboxItem =
      item.kind === "report"
        ? { ...item, report: { ...item.report, ...edit?.report } }
        : item.kind === "transition"
          ? { ...item, transition: { ...item.transition, ...edit?.transition } }
          : item;
    await this.replace({ ...next, state: "waiting", refusal: undefined, idempotencyKey: this.newId() });
    this.nudge();
  }

  /** Removes an item and its photos from the device, unsent. */
  async discard(id: string): Promise<void> {
    await this.store.delete(id);
    this.items = this.items.filter((item) => item.id !== id);
    this.emit();
  }

  /** Removes everything (signing out). */
  async clear(): Promise<void> {
    this.clearTimer();
    await this.store.clear();
    this.items = [];
    this.failures = 0;
    this.emit();
  }

  /** The network is back (or the worker asked): try now instead of waiting for the backoff. */
  nudge(): void {
    if (this.pause?.reason === "retry" || this.pause?.reason === "rate_limited") {
      this.clearTimer();
      this.pause = null;
    }
    void this.run();
  }

  /** Sends what can be sent; one run at a time (a call during a run makes it run once more). */
  run(): Promise<void> {
    if (this.running) {
      this.runAgain = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.runAgain = false;
          await this.sendAll();
        } while (this.runAgain && this.pause === null);
      } finally {
        this.running = null;
        this.sending = null;
        this.emit();
      }
    })();
    return this.running;
  }

  private base(userId: string, photos: Blob[]) {
    return {
      id: this.newId(),
      seq: Math.max(this.now(), (this.items.at(-1)?.seq ?? 0) + 1),
      userId,
      idempotencyKey: this.newId(),
      takenAt: new Date(this.now()).toISOString(),
      photos: photos.map((blob): OutboxPhoto => ({ blob })),
      state: "waiting" as const,
      attempts: 0,
    };
  }

  private async add(item: OutboxItem): Promise<OutboxItem> {
    await this.store.put(item);
    this.items = [...this.items, item];
    this.emit();
    void this.run();
    return item;
  }

  private async replace(item: OutboxItem): Promise<void> {
    await this.store.put(item);
    this.items = this.items.map((candidate) => (candidate.id === item.id ? item : candidate));
    this.emit();
  }

  private async sendAll(): Promise<void> {
    if (this.pause !== null || this.userId === null) return;
    const heldCases = new Set<string>();
    for (const candidate of [...this.items]) {
      const item = this.items.find((current) => current.id === candidate.id);
      if (!item || item.userId !== this.userId) continue;
      if (item.state === "refused") {
        if (item.kind === "transition") heldCases.add(item.caseId);
        continue;
      }
      if (item.kind === "transition" && heldCases.has(item.caseId)) continue;
      this.sending = item.id;
      this.emit();
      const outcome = await this.sendOne(item);
      if (outcome === "stop") return;
      if (outcome === "refused" && item.kind === "transition") heldCases.add(item.caseId);
    }
    this.failures = 0;
  }

  private async sendOne(item: OutboxItem): Promise<"sent" | "refused" | "stop"> {
    let current: OutboxItem = { ...item, attempts: item.attempts + 1 };
    try {
      current = await this.uploadPhotos(current);
      const idsOf = (after: boolean) => current.photos.filter((photo) => Boolean(photo.after) === after).map((photo) => photo.uploadedId as string);
      const photoIds = idsOf(false);
      const afterPhotoIds = idsOf(true);
      const withPhotos = photoIds.length > 0 ? { photoIds } : {};
      let sent: Sent;
      if (current.kind === "report") {
        const body = { ...current.report, ...withPhotos, ...(afterPhotoIds.length > 0 ? { afterPhotoIds } : {}) };
        const created = await this.sender.createCase(body, current.idempotencyKey);
        sent = { item: current, caseId: created.id, caseNumber: created.number };
      } else if (current.kind === "patrol") {
        await this.sender.createPatrol(current.patrol, current.idempotencyKey);
        sent = { item: current, caseId: null, caseNumber: null };
      } else {
        await this.sendTransition(current, withPhotos);
        sent = { item: current, caseId: current.caseId, caseNumber: current.caseNumber };
      }
      await this.store.delete(current.id);
      this.items = this.items.filter((candidate) => candidate.id !== current.id);
      this.failures = 0;
      this.emit();
      this.onSent?.(sent);
      return "sent";
    } catch (cause) {
      const error = cause instanceof SendError ? cause : new SendError(0, "network_error", String(cause));
      return this.failed(current, error);
    }
  }

  private async uploadPhotos(item: OutboxItem): Promise<OutboxItem> {
    let current = item;
    for (let i = 0; i < current.photos.length; i++) {
      if (current.photos[i].uploadedId) continue;
      const uploadedId = await this.sender.uploadPhoto(current.photos[i].blob);
      const photos = current.photos.map((photo, j) => (j === i ? { ...photo, uploadedId } : photo));
      current = { ...current, photos };
      // Remembered at once: a resend after a crash or a lost answer does not upload it again.
      await this.replace(current);
    }
    return current;
  }

  private async sendTransition(item: OutboxItem & { kind: "transition" }, withPhotos: { photoIds?: string[] }): Promise<void> {
    let etag = item.etag;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.sender.transition(item.caseId, etag, { ...item.transition, ...withPhotos }, item.idempotencyKey);
        return;
      } catch (cause) {
        if (!(cause instanceof SendError) || cause.status !== 412 || attempt >= MAX_PRECONDITION_RETRIES) throw cause;
        // The case changed since the worker acted: act on the new version only if the action still stands.
        const fresh = await this.sender.readCase(item.caseId);
        if (!fresh.actions.includes(item.transition.action)) {
          throw new SendError(409, "action_not_offered", `The case changed: ${item.transition.action} is no longer offered`);
        }
        etag = fresh.etag;
      }
    }
  }

  private async failed(item: OutboxItem, error: SendError): Promise<"refused" | "stop"> {
    if (error.status === 401) {
      await this.replace({ ...item, lastError: refusalOf(error) });
      this.pause = { reason: "signed_out" };
      return "stop";
    }
    if (error.status === 429) {
      const at = this.now() + (error.retryAfter ?? DEFAULT_RETRY_AFTER_S) * 1000;
      await this.replace({ ...item, lastError: refusalOf(error) });
      this.pause = { reason: "rate_limited", at };
      this.wakeAt(at);
      return "stop";
    }
    if (isTransient(error)) {
      this.failures += 1;
      const wait = error.retryAfter !== undefined ? error.retryAfter * 1000 : backoffMs(this.failures);
      const at = this.now() + wait;
      await this.replace({ ...item, lastError: refusalOf(error) });
      this.pause = { reason: "retry", at, error: refusalOf(error) };
      this.wakeAt(at);
      return "stop";
    }
    await this.replace({ ...item, state: "refused", refusal: refusalOf(error), lastError: undefined });
    return "refused";
  }

  private wakeAt(at: number): void {
    this.clearTimer();
    this.cancelTimer = this.schedule(() => {
      this.cancelTimer = null;
      this.pause = null;
      void this.run();
    }, Math.max(0, at - this.now()));
  }

  private clearTimer(): void {
    this.cancelTimer?.();
    this.cancelTimer = null;
  }

  private emit(): void {
    const state = this.state();
    for (const listener of this.listeners) listener(state);
  }
}
