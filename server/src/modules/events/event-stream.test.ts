import { describe, expect, it } from "vitest";
import type { LogEntry } from "./event-log.repository.ts";
import { EventStream, type EventStreamOptions } from "./event-stream.ts";

const entry = (position: number, communityCode = "530103001001"): LogEntry => ({
  regionCode: "530103",
  position,
  at: new Date("2026-12-03T02:00:00Z"),
  eventId: `0190b2f4-0000-7000-8000-${String(position).padStart(12, "0")}`,
  caseId: `0190b2f4-0000-7000-9000-${String(position).padStart(12, "0")}`,
  number: `530103-20261203-${String(position).padStart(5, "0")}`,
  action: "report",
  status: "reported",
  level: "community",
  streetCode: communityCode.slice(0, 9),
  communityCode,
  gridCode: `${communityCode}001`,
  departmentCode: null,
  coDepartmentIds: [],
});

function streamOf(options: Partial<EventStreamOptions> = {}) {
  const ends: string[] = [];
  const stream = new EventStream({
    accepts: (candidate) => candidate.communityCode === "530103001001",
    maxBufferedBytes: 1 << 20,
    maxHeldEntries: 100,
    onEnd: (reason) => ends.push(reason),
    ...options,
  });
  const read = () => {
    const chunks: string[] = [];
    for (let chunk = stream.body.read(); chunk !== null; chunk = stream.body.read()) chunks.push(String(chunk));
    return chunks.join("");
  };
  const ids = (text: string) => [...text.matchAll(/^id: (\d+)$/gm)].map((match) => Number(match[1]));
  const events = (text: string) => [...text.matchAll(/^event: (\w+)$/gm)].map((match) => match[1]);
  return { stream, ends, read, ids, events };
}

describe("an event stream", () => {
  it("sends the missed entries, then those that came meanwhile, each once and in order, then ready", () => {
    const { stream, read, ids, events } = streamOf();
    stream.start(3000);
    stream.resumeAfter(10);
    // Live entries past the hub's position (13) arrive while the missed ones are read.
    stream.deliver(entry(14));
    stream.deliver(entry(15, "530103002001"));
    stream.catchUp([entry(11), entry(12, "530103002001"), entry(13)]);
    stream.live(13);
    stream.deliver(entry(16));
    const text = read();
    expect(text.startsWith("retry: 3000\n\n")).toBe(true);
    expect(events(text)).toEqual(["case", "case", "case", "ready", "case"]);
    expect(ids(text)).toEqual([11, 13, 14, 15, 16]);
  });

  it("moves a client past entries it may not see with a bare id on the heartbeat", () => {
    const { stream, read } = streamOf();
    stream.live(0);
    read();
    stream.deliver(entry(1, "530103002001"));
    stream.deliver(entry(2, "530103002001"));
    expect(read()).toBe("");
    stream.heartbeat();
    expect(read()).toBe(": ping\nid: 2\n\n");
    stream.heartbeat();
    expect(read()).toBe(": ping\n\n");
  });

  it("drops a client that leaves more than its buffer unread, and one whose held entries overflow", () => {
    const slow = streamOf({ maxBufferedBytes: 2048 });
    slow.stream.live(0);
    for (let position = 1; position <= 50 && slow.stream.open; position++) slow.stream.deliver(entry(position));
    expect(slow.stream.open).toBe(false);
    expect(slow.ends).toEqual(["slow"]);

    const held = streamOf({ maxHeldEntries: 3 });
    for (let position = 1; position <= 4; position++) held.stream.deliver(entry(position));
    expect(held.ends).toEqual(["slow"]);
  });

  it("tells the client why it ends when it can act on it, once", () => {
    const { stream, ends, read, events } = streamOf();
    stream.live(0);
    stream.end("session_ended");
    stream.end("closed");
    expect(events(read())).toEqual(["ready", "end"]);
    expect(ends).toEqual(["session_ended"]);
  });
});
