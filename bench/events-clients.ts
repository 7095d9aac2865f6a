// The client side of `npm run bench events`, in a worker thread of its own so that the server's
// event loop measures the server alone: SSE clients that time each event from its commit to its
// receipt, and the driver that makes the case changes.
import http from "node:http";
import { parentPort, workerData } from "node:worker_threads";
import { percentile } from "./lib.ts";

export type ClientsInput = {
  base: string;
  /** One entry per stream: the session it uses and the scope its account has. */
  streams: { cookie: string; scope: string }[];
  /** Where reports are made, and the session of the community that accepts each. */
  places: { gridCode: string; communityCode: string }[];
  communityCookies: Record<string, string>;
  seatCookie: string;
  seconds: number;
  eventsPerSecond: number;
};

export type ClientsResult = {
  connected: number;
  changes: number;
  changeErrors: number;
  firstError: string | null;
  deliveries: number;
  expectedDeliveries: number;
  outOfScope: number;
  latency: { p50: number; p99: number; max: number };
  dropped: number;
};

type Stream = { scope: string; received: number; ended: boolean };

const input = workerData as ClientsInput;
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const latencies: number[] = [];
let outOfScope = 0;

/** Opens one stream; resolves when its `ready` event has come. */
function open(entry: ClientsInput["streams"][number], stream: Stream): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = http.get(`${input.base}/api/v1/events`, { headers: { cookie: entry.cookie, accept: "text/event-stream" }, agent: false }, (response) => {
      if (response.statusCode !== 200) {
        reject(new Error(`stream: ${response.statusCode}`));
        response.resume();
        return;
      }
      response.setEncoding("utf8");
      let buffer = "";
      response.on("data", (chunk: string) => {
        buffer += chunk;
        let end = buffer.indexOf("\n\n");
        while (end !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf("\n\n");
          if (block.startsWith("event: ready")) resolve();
          else if (block.startsWith("event: case")) {
            const data = JSON.parse(block.slice(block.indexOf("data: ") + 6)) as { at: string; streetCode: string; communityCode: string; gridCode: string };
            latencies.push(Date.now() - Date.parse(data.at));
            stream.received++;
            if (!data.gridCode.startsWith(stream.scope)) outOfScope++;
          }
        }
      });
      response.on("close", () => (stream.ended = true));
    });
    request.on("error", reject);
  });
}

type Answer = { status: number; etag: string | undefined; body: string };

function send(method: string, url: string, body: unknown, headers: Record<string, string>): Promise<Answer> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${input.base}${url}`,
      { method, agent, headers: { "content-type": "application/json", "content-length": payload.length, ...headers } },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (text += chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, etag: response.headers.etag, body: text }));
      },
    );
    request.on("error", reject);
    request.end(payload);
  });
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)];

/**
 * Case changes at `eventsPerSecond` for `seconds`, paced, not waiting on each other: every other
 * one a report by the seat operator, the others the acceptance of an earlier report by its
 * community. Answers the grid codes of the changes made.
 */
async function drive(): Promise<{ grids: string[]; errors: number; firstError: string | null }> {
  const grids: string[] = [];
  const reported: { id: string; etag: string; communityCode: string; gridCode: string }[] = [];
  let errors = 0;
  let firstError: string | null = null;
  const fail = (message: string) => {
    errors++;
    firstError ??= message;
  };
  const total = Math.round(input.seconds * input.eventsPerSecond);
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / input.eventsPerSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const earlier = i % 2 === 1 ? reported.shift() : undefined;
    if (earlier) {
      pending.push(
        send("POST", `/api/v1/cases/${earlier.id}/transitions`, { action: "accept" }, { cookie: input.communityCookies[earlier.communityCode], "if-match": earlier.etag }).then(
          (answer) => (answer.status === 200 ? void grids.push(earlier.gridCode) : fail(`accept: ${answer.status} ${answer.body.slice(0, 160)}`)),
          (error: Error) => fail(error.message),
        ),
      );
      continue;
    }
    const place = pick(input.places);
    pending.push(
      send("POST", "/api/v1/cases", { description: "路灯坏了好几盏，晚上一片漆黑，请尽快修理", gridCode: place.gridCode }, { cookie: input.seatCookie }).then(
        (answer) => {
          if (answer.status !== 201 || !answer.etag) return fail(`report: ${answer.status} ${answer.body.slice(0, 160)}`);
          grids.push(place.gridCode);
          const { case: created } = JSON.parse(answer.body) as { case: { id: string } };
          reported.push({ id: created.id, etag: answer.etag, communityCode: place.communityCode, gridCode: place.gridCode });
        },
        (error: Error) => fail(error.message),
      ),
    );
  }
  await Promise.all(pending);
  return { grids, errors, firstError };
}

const streams: Stream[] = input.streams.map((entry) => ({ scope: entry.scope, received: 0, ended: false }));
// Opened a few dozen at a time, as browsers arriving would.
for (let i = 0; i < input.streams.length; i += 25) {
  await Promise.all(input.streams.slice(i, i + 25).map((entry, k) => open(entry, streams[i + k])));
}
parentPort?.postMessage({ type: "connected", connected: streams.length });
await new Promise<void>((resolve) => parentPort?.once("message", () => resolve()));
const driven = await drive();
// The last events reach their streams.
await new Promise((resolve) => setTimeout(resolve, 2_000));
const expectedDeliveries = driven.grids.reduce((sum, grid) => sum + streams.filter((stream) => grid.startsWith(stream.scope)).length, 0);
const result: ClientsResult = {
  connected: streams.length,
  changes: driven.grids.length,
  changeErrors: driven.errors,
  firstError: driven.firstError,
  deliveries: latencies.length,
  expectedDeliveries,
  outOfScope,
  latency: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.reduce((max, value) => Math.max(max, value), 0) },
  dropped: streams.filter((stream) => stream.ended).length,
};
parentPort?.postMessage({ type: "done", result });
