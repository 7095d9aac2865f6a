import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { copyTemplate, DEMO_PASSWORD } from "./databases.ts";
import { exited, gridgov, startServer } from "./cli.ts";

const disposers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const dispose of disposers) await dispose();
});

async function signIn(url: string, username: string): Promise<string> {
  const response = await fetch(`${url}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username, password: DEMO_PASSWORD }) });
  expect(response.status).toBe(200);
  return (response.headers.get("set-cookie") ?? "").split(";")[0];
}

const REPORTS = 40;

describe("webhook deliveries through kill -9", () => {
  it("delivers the rest after a restart, repeating only deliveries whose acknowledgement may have been lost, with the same event id", { timeout: 240_000 }, async () => {
    // The receiver records an event when it answers 200 to a caller still there. Until the kill it
    // answers one request at a time, 150 ms each, so that the kill finds most deliveries in flight
    // whatever the machine's speed; afterwards each request is answered 150 ms after it came.
    const receipts: { eventId: string; caseId: string; at: number }[] = [];
    let oneAtATime = true;
    let line = Promise.resolve();
    const receiver = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { id: string; case: { id: string } };
        const answer = () =>
          new Promise<void>((resolve) =>
            setTimeout(() => {
              if (!request.socket.destroyed) {
                receipts.push({ eventId: body.id, caseId: body.case.id, at: Date.now() });
                response.writeHead(200).end();
              }
              resolve();
            }, 150),
          );
        if (oneAtATime) line = line.then(answer);
        else void answer();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    disposers.push(() => new Promise((resolve) => receiver.close(() => resolve())));
    const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

    const copy = await copyTemplate("demo");
    disposers.push(copy.dispose);
    // A short timeout: the claims of the killed process lapse seconds after it died.
    const env = { ...copy.env, OUTBOUND_ALLOWED_NETWORKS: "127.0.0.1/32", WEBHOOK_TIMEOUT_MS: "1000" };
    const startedAt = new Date().toISOString();
    const first = await startServer(env);
    const seat = await signIn(first.url, "seat-01");
    const cases: string[] = [];
    for (let k = 0; k < REPORTS; k++) {
      const response = await fetch(`${first.url}/api/v1/cases`, {
        method: "POST",
        headers: { "content-type": "application/json", cookie: seat },
        body: JSON.stringify({ description: `推送崩溃测试 ${k}：井盖松动`, gridCode: "530103001001001" }),
      });
      expect(response.status).toBe(201);
      cases.push((await response.json()).case.id);
    }
    // Subscribed after the reports and given them by the operator's replay, so that all of them
    // wait in the outbox when the next server starts, however slowly the reports came in.
    const admin = await signIn(first.url, "admin");
    const created = await fetch(`${first.url}/api/v1/webhooks`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: admin },
      body: JSON.stringify({ url: hookUrl, kinds: ["report"] }),
    });
    expect(created.status).toBe(201);
    const subscriptionId: string = (await created.json()).subscription.id;
    await first.stop();
    const queued = await gridgov(["webhooks", "replay", subscriptionId, "--from", startedAt], env);
    expect(queued.code, queued.stderr).toBe(0);
    expect(JSON.parse(queued.stdout)).toEqual({ enqueued: REPORTS });

    // Killed while deliveries are going out.
    const sending = await startServer(env);
    const deadline = Date.now() + 30_000;
    while (receipts.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    sending.child.kill("SIGKILL");
    await exited(sending.child);
    const killedAt = Date.now();
    oneAtATime = false;
    // Answers still on their way to the dead server are lost acknowledgements.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const beforeRestart = new Set(receipts.map((receipt) => receipt.eventId));
    expect(beforeRestart.size).toBeGreaterThan(0);
    expect(beforeRestart.size).toBeLessThan(REPORTS);

    const second = await startServer(env);
    const until = Date.now() + 60_000;
    // Until the outbox is empty: a delivery that reached the receiver but whose answer died with
    // the killed server stays pending until its claim lapses, and goes out again.
    const watcher = await signIn(second.url, "admin");
    const pending = async () => {
      const response = await fetch(`${second.url}/api/v1/webhooks/${subscriptionId}`, { headers: { cookie: watcher } });
      return (await response.json()).subscription.pending as number;
    };
    while ((new Set(receipts.map((receipt) => receipt.caseId)).size < REPORTS || (await pending()) > 0) && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // Whatever else was in flight settles before the count.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await second.stop();

    expect(new Set(receipts.map((receipt) => receipt.caseId))).toEqual(new Set(cases));
    const counts = new Map<string, number>();
    for (const receipt of receipts) counts.set(receipt.eventId, (counts.get(receipt.eventId) ?? 0) + 1);
    expect(counts.size).toBe(REPORTS);
    for (const [eventId, count] of counts) {
      // Twice only when the first reached the receiver before the kill, and its answer may not have reached the server.
      if (count > 1) expect(receipts.find((receipt) => receipt.eventId === eventId)?.at, eventId).toBeLessThanOrEqual(killedAt + 300);
      expect(count, eventId).toBeLessThanOrEqual(2);
    }

    // The operator's replay, with the server stopped: the same events queued again.
    const replayed = await gridgov(["webhooks", "replay", subscriptionId, "--from", new Date(Date.now() - 3_600_000).toISOString()], env);
    expect(replayed.code, replayed.stderr).toBe(0);
    expect(JSON.parse(replayed.stdout)).toEqual({ enqueued: REPORTS });
    const unknown = await gridgov(["webhooks", "replay", "0190b2f4-0000-7000-8000-000000000009", "--from", "2026-01-01"], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("webhook_not_found");
  });
});
