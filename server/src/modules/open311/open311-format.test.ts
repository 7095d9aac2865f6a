import { describe, expect, it } from "vitest";
import { attributeValue, datatypeOf, escapeXml, parseForm, parseWireTime, updateStatus, wireStatus, wireTime, writeErrors, writeList } from "./open311-format.ts";

describe("Open311 on the wire", () => {
  it("parses form bodies strictly: plus as space, attributes apart, first value wins", () => {
    const form = parseForm(Buffer.from("api_key=k&description=a+b%20c&attribute%5Bdepth%5D=3&attribute[tags][]=x&attribute[tags][]=y&api_key=second&flag"));
    expect(form?.fields.get("api_key")).toBe("k");
    expect(form?.fields.get("description")).toBe("a b c");
    expect(form?.fields.get("flag")).toBe("");
    expect(Object.fromEntries(form?.attributes ?? [])).toEqual({ depth: "3", tags: "x,y" });
    expect(parseForm("a=%zz")).toBeNull();
    expect(parseForm(Buffer.from([0x61, 0x3d, 0xc3, 0x28]))).toBeNull();
    expect(parseForm(Array.from({ length: 201 }, (_, k) => `f${k}=1`).join("&"))).toBeNull();
  });

  it("writes datetimes in China Standard Time with the offset and whole seconds, and reads W3C datetimes", () => {
    expect(wireTime(new Date("2026-12-05T01:30:00.789Z"))).toBe("2026-12-05T09:30:00+08:00");
    expect(wireTime(null)).toBeNull();
    expect(parseWireTime("2026-12-05T09:30:00+08:00")?.toISOString()).toBe("2026-12-05T01:30:00.000Z");
    expect(parseWireTime("2026-12-05")?.toISOString()).toBe("2026-12-04T16:00:00.000Z");
    expect(parseWireTime("2026-12-05T09:30:00.5Z")?.toISOString()).toBe("2026-12-05T09:30:00.500Z");
    for (const bad of ["yesterday", "2026-12-05T09:30", "2026-13-45T00:00:00Z", "1733390000"]) expect(parseWireTime(bad), bad).toBeNull();
  });

  it("escapes text for XML and drops what XML cannot carry", () => {
    expect(escapeXml(`<a href="x">&'\u0001`)).toBe("&lt;a href=&quot;x&quot;&gt;&amp;&apos;");
    expect(writeList("xml", "service_requests", "request", [{ service_request_id: "1", status_notes: null, lat: 25.5 }])).toBe(
      '<?xml version="1.0" encoding="utf-8"?>\n<service_requests><request><service_request_id>1</service_request_id><status_notes/><lat>25.5</lat></request></service_requests>',
    );
    expect(writeErrors("json", [{ code: 404, description: "No token x" }])).toBe('[{"code":404,"description":"No token x"}]');
  });

  it("maps our statuses and question types", () => {
    expect(["reported", "in_progress", "handled", "closed", "evaluated", "rejected", "merged"].map(wireStatus)).toEqual(["open", "open", "open", "closed", "closed", "closed", "closed"]);
    expect(["registered", "dispatched", "merged", "rejected"].map(updateStatus)).toEqual(["investigating", "action_scheduled", "duplicate", "no_further_action"]);
    const yesNo = { code: "q", label: { zh: "是否", en: "Yes?" }, type: "yes_no" as const, required: false, public: true };
    const number = { ...yesNo, type: "number" as const };
    expect([datatypeOf(yesNo), datatypeOf(number), datatypeOf({ ...yesNo, type: "text", maxLength: 50 }), datatypeOf({ ...yesNo, type: "text" })]).toEqual([
      "singlevaluelist",
      "number",
      "string",
      "text",
    ]);
    expect([attributeValue(yesNo, "TRUE"), attributeValue(yesNo, "0"), attributeValue(yesNo, "maybe")]).toEqual([true, false, "maybe"]);
    expect([attributeValue(number, " 3.5 "), attributeValue(number, "1e2"), attributeValue(number, "3 m")]).toEqual([3.5, 100, "3 m"]);
  });
});
