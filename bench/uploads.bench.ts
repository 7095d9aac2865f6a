import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import sharp from "sharp";
import { startServer } from "../server/test/cli.ts";
import { fmt, latency, percentile } from "./lib.ts";

/** Uploads at once in the loaded phases: a field team flushing its offline queues together. */
const CONCURRENT = 8;
/** Sign-ins and health checks measured per phase, one after another. */
const SAMPLES = 40;

type Upload = { status: number; ms: number; code: string | null };

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function send(base: string, method: string, url: string, body: Buffer | undefined, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(base + url, { method, agent, headers: body ? { ...headers, "content-length": body.length } : headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("error", reject);
      response.on("end", () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
    });
    request.on("error", reject);
    request.end(body);
  });
}

async function upload(base: string, image: Buffer, type: string): Promise<Upload> {
  const started = performance.now();
  const answer = await send(base, "POST", "/api/v1/attachments", image, { "content-type": type });
  const ms = performance.now() - started;
  let code: string | null = null;
  if (answer.status !== 201) code = (JSON.parse(answer.text) as { error?: { code?: string } }).error?.code ?? answer.text.slice(0, 80);
  return { status: answer.status, ms, code };
}

/** Resident memory of a process (Linux), in MB: now (VmRSS) or its peak so far (VmHWM). */
function rssMb(pid: number | undefined, field: "VmRSS" | "VmHWM"): number {
  if (!pid) return Number.NaN;
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

/** Samples a process's resident memory every 50 ms while `work` runs; the highest sample, in MB. */
async function highestRss<T>(pid: number | undefined, work: () => Promise<T>): Promise<{ result: T; mb: number }> {
  let mb = rssMb(pid, "VmRSS");
  const timer = setInterval(() => (mb = Math.max(mb, rssMb(pid, "VmRSS"))), 50);
  try {
    return { result: await work(), mb };
  } finally {
    clearInterval(timer);
  }
}

/** Latencies of `operation` run SAMPLES times one after another, or fewer if that takes over 20 s. */
async function sequential(operation: () => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  const deadline = performance.now() + 20_000;
  for (let i = 0; i < SAMPLES && (i < 5 || performance.now() < deadline); i++) {
    const started = performance.now();
    await operation();
    samples.push(performance.now() - started);
  }
  return samples;
}

const summary = (uploads: Upload[]) => {
  const statuses = new Map<string, number>();
  for (const u of uploads) statuses.set(u.code ? `${u.status} ${u.code}` : String(u.status), (statuses.get(u.code ? `${u.status} ${u.code}` : String(u.status)) ?? 0) + 1);
  const times = uploads.map((u) => u.ms);
  return `mean ${fmt(times.reduce((a, b) => a + b, 0) / times.length / 1000, 2)} s, max ${fmt(Math.max(...times) / 1000, 2)} s (${[...statuses].map(([s, n]) => `${n}× ${s}`).join(", ")})`;
};

/**
 * Photo uploads against a served process on the embedded database: the time of one large upload
 * alone and eight at once, sign-in and GET /healthz latency idle and during eight concurrent large
 * uploads, and the server's peak resident memory.
 */
export async function run(): Promise<void> {
  // 48 MP at 8-bit RGB: the largest photo accepted, 144 MB decoded; PNG, which has no shrink-on-load.
  const large = await sharp({ create: { width: 8000, height: 6000, channels: 3, background: "#7090b0" } }).png().toBuffer();
  // 49 MP at 16 bits per channel: under the pixel cap, twice the decoded size of the largest photo.
  const deep = await sharp({ create: { width: 7000, height: 7000, channels: 3, background: "#406080" } }).toColourspace("rgb16").png().toBuffer();
  const described = async (image: Buffer) => {
    const { width, height, channels, depth } = await sharp(image).metadata();
    return `${width}×${height}, ${channels} channels of ${depth}, ${fmt(image.length / 1024)} KB`;
  };
  console.log(`large photo: PNG ${await described(large)}; deep photo: PNG ${await described(deep)}`);

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "gridgov-bench-uploads-"));
  const server = await startServer({ DATA_DIR: dataDir, PUBLIC_REQUESTS_PER_MINUTE: "1000000" }, ["--demo"]);
  try {
    const base = server.url;
    const signIn = async () => {
      const answer = await send(base, "POST", "/api/v1/auth/login", Buffer.from(JSON.stringify({ username: "resident", password: "gridgov-demo" })), {
        "content-type": "application/json",
      });
      if (answer.status !== 200) throw new Error(`sign-in: ${answer.status} ${answer.text.slice(0, 200)}`);
    };
    const health = () => send(base, "GET", "/healthz", undefined, {});
    await signIn();
    await upload(base, large, "image/png"); // warm-up: loads libvips
    const pid = server.child.pid;
    const rssIdle = rssMb(pid, "VmRSS");

    const alone: Upload[] = [];
    for (let i = 0; i < 3; i++) alone.push(await upload(base, large, "image/png"));
    const deepAlone = await upload(base, deep, "image/png");
    const { result: together, mb: rssTogether } = await highestRss(pid, () => Promise.all(Array.from({ length: CONCURRENT }, () => upload(base, large, "image/png"))));

    const idleSignIn = await sequential(signIn);
    const idleHealth = await sequential(health);

    // Eight clients upload large photos in a loop while sign-ins and health checks are measured.
    let loading = true;
    const loaded: Upload[] = [];
    const load = Promise.all(
      Array.from({ length: CONCURRENT }, async () => {
        while (loading) loaded.push(await upload(base, large, "image/png"));
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    const busySignIn = await sequential(signIn);
    const busyHealth = await sequential(health);
    loading = false;
    await load;
    const { result: deepTogether, mb: rssDeep } = await highestRss(pid, () => Promise.all(Array.from({ length: CONCURRENT }, () => upload(base, deep, "image/png"))));

    const ratio = (busy: number[], idle: number[], p: number) => fmt(percentile(busy, p) / percentile(idle, p), 1);
    console.log(`one large upload alone: ${summary(alone)}`);
    console.log(`${CONCURRENT} large uploads at once: ${summary(together)}`);
    console.log(`one deep upload alone: ${summary([deepAlone])}; ${CONCURRENT} at once: ${summary(deepTogether)}`);
    console.log(`sign-in idle: ${latency(idleSignIn)}; during ${CONCURRENT} concurrent large uploads: ${latency(busySignIn)} (p50 ${ratio(busySignIn, idleSignIn, 50)}×, p99 ${ratio(busySignIn, idleSignIn, 99)}×)`);
    console.log(`GET /healthz idle: ${latency(idleHealth)}; during: ${latency(busyHealth)} (p50 ${ratio(busyHealth, idleHealth, 50)}×, p99 ${ratio(busyHealth, idleHealth, 99)}×)`);
    console.log(`uploads during the measurement: ${summary(loaded)}`);
    console.log(
      `server RSS: ${fmt(rssIdle, 0)} MB idle after one upload; highest ${fmt(rssTogether, 0)} MB during ${CONCURRENT} large uploads, ` +
        `${fmt(rssDeep, 0)} MB during ${CONCURRENT} deep ones; peak over the run ${fmt(rssMb(pid, "VmHWM"), 0)} MB (the demo seed at start included)`,
    );
  } finally {
    agent.destroy();
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await run();
