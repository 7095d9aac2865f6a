import http from "node:http";
import type { AddressInfo } from "node:net";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../src/modules/auth/api-keys.service.ts";
import { createTestApp, type TestApp } from "./test-app.ts";
import { expectConforms, parseXml, type SchemaName } from "./open311-conformance-kit.ts";

type Format = "xml" | "json";
type Row = Record<string, unknown>;

/**
 * An Open311 client over real HTTP, in XML (as FixMyStreet speaks it) and in JSON: services, a
 * definition, a request with attributes and a photo fetched from the client's own server, read back
 * by token and by id while staff work the case to its closure, and followed through updates.
 */
describe("Open311 client round trip over HTTP", () => {
  let t: TestApp;
  let base: string;
  let key: string;
  let photos: http.Server;
  let photoUrl: string;
  let point: { lat: number; lng: number };
  const cookies: Record<string, string> = {};
  const SERVICE = "component.public_facility.manhole_cover_sewage";

  beforeAll(async () => {
    t = await createTestApp("demo", { OUTBOUND_ALLOWED_NETWORKS: "127.0.0.1/32" });
    await t.app.listen({ port: 0, host: "127.0.0.1" });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    const seat = await t.ctx.db.selectFrom("users").select("id").where("username", "=", "seat-01").executeTakeFirstOrThrow();
    key = (await createApiKey(t.ctx, null, seat.id, { name: "fixmystreet", organisation: "Open311 client" })).key;
    for (const username of ["dispatcher", "handler-swj-1", "supervisor-001"]) cookies[username] = await t.login(username);
    const interior = t.ctx.grids.interiorPoint("530103001001001");
    if (!interior) throw new Error("no grid");
    point = { lng: interior[0], lat: interior[1] };
    // The client's photo, with EXIF that must not survive the intake.
    const jpeg = await sharp({ create: { width: 80, height: 60, channels: 3, background: "#a33" } })
      .jpeg()
      .withExif({ IFD0: { Copyright: "resident's camera", Artist: "王小明" } })
      .toBuffer();
    photos = http.createServer((_request, response) => response.writeHead(200, { "content-type": "image/jpeg" }).end(jpeg));
    await new Promise<void>((resolve) => photos.listen(0, "127.0.0.1", resolve));
    photoUrl = `http://127.0.0.1:${(photos.address() as AddressInfo).port}/photo.jpg`;
  });
  afterAll(async () => {
    await new Promise((resolve) => photos.close(resolve));
    await t.close();
  });

  const SCHEMAS: Record<string, SchemaName> = { request: "requests", request_update: "updates", service: "services" };

  /** One call as a client makes it; the answer's items, checked against the schema (JSON) or parsed (XML). */
  async function call(format: Format, path: string, init: { form?: Record<string, string>; item?: string; schema?: SchemaName } = {}) {
    const url = `${base}/open311/v2/${path.replace("{f}", format)}${path.includes("?") ? "&" : "?"}jurisdiction_id=530103`;
    const response = await fetch(url, init.form ? { method: "POST", body: new URLSearchParams(init.form) } : {});
    const text = await response.text();
    expect(response.status, text).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    if (format === "json") {
      const body = JSON.parse(text) as unknown;
      const schema = init.schema ?? (init.item ? SCHEMAS[init.item] : undefined);
      if (schema) expectConforms(schema, body);
      return body as Row[] & Row;
    }
    expect(response.headers.get("content-type")).toBe("text/xml; charset=utf-8");
    const { content } = parseXml(text);
    return (init.item ? ((content[init.item] as Row[] | undefined) ?? []) : content) as Row[] & Row;
  }

  async function act(who: string, number: string, body: Record<string, unknown>) {
    const { id } = await t.ctx.db.selectFrom("cases").select("id").where("number", "=", number).executeTakeFirstOrThrow();
    const current = await t.app.inject({ method: "GET", url: `/api/v1/cases/${id}`, headers: { cookie: cookies[who] } });
    const done = await t.app.inject({ method: "POST", url: `/api/v1/cases/${id}/transitions`, payload: body, headers: { cookie: cookies[who], "if-match": String(current.headers.etag) } });
    expect(done.statusCode, done.body).toBe(200);
  }

  for (const format of ["xml", "json"] as const) {
    it(`reports, follows and comments on a case in ${format.toUpperCase()}`, async () => {
      const started = new Date(Date.now() - 1000);
      const services = await call(format, "services.{f}", { item: "service" });
      expect(services.map((service) => service.service_code)).toContain(SERVICE);
      const definition = await call(format, `services/${SERVICE}.{f}`, { schema: "service-definition" });
      expect(definition.service_code).toBe(SERVICE);

      const [created] = await call(format, "requests.{f}", {
        item: "request",
        schema: "request-created",
        form: {
          api_key: key,
          service_code: SERVICE,
          lat: String(point.lat),
          long: String(point.lng),
          description: `井盖缺失（${format}）`,
          "attribute[cover_state]": "missing",
          media_url: photoUrl,
          first_name: "小明",
          last_name: "王",
          email: "xiaoming@example.org",
        },
      });
      const number = String(created.service_request_id);
      expect(number).toMatch(/^530103-\d{8}-\d{5}$/);
      const [resolved] = await call(format, `tokens/${created.token}.{f}`, { item: "request", schema: "token" });
      expect(resolved.service_request_id).toBe(number);

      const read = async () => (await call(format, `requests/${number}.{f}`, { item: "request" }))[0];
      const first = await read();
      expect(first).toMatchObject({ service_request_id: number, status: "open", service_code: SERVICE });
      // A client's photo waits for staff's review, as a photo staff took does, then is public through
      // the residents' photo links: the blurred copy, re-encoded, without the client's EXIF.
      expect(first.media_url || null).toBeNull();
      const { id: caseId } = await t.ctx.db.selectFrom("cases").select("id").where("number", "=", number).executeTakeFirstOrThrow();
      const attachment = await t.ctx.db.selectFrom("attachments").select("id").where("case_id", "=", caseId).executeTakeFirstOrThrow();
      const redacted = await t.app.inject({
        method: "PUT",
        url: `/api/v1/cases/${caseId}/attachments/${attachment.id}/redaction`,
        payload: { regions: [{ x: 0, y: 0, width: 0.5, height: 0.5 }] },
        headers: { cookie: cookies["supervisor-001"] },
      });
      expect(redacted.statusCode, redacted.body).toBe(200);
      const reviewed = await read();
      expect(String(reviewed.media_url)).toMatch(new RegExp(`^${base}/api/v1/public/photos/`));
      const photo = await fetch(String(reviewed.media_url));
      expect(photo.status).toBe(200);
      const metadata = await sharp(Buffer.from(await photo.arrayBuffer())).metadata();
      expect(metadata.exif).toBeUndefined();

      // Manhole covers are the district's (the water bureau's): its dispatcher works the case.
      await act("dispatcher", number, { action: "accept" });
      await act("dispatcher", number, { action: "register" });
      await act("dispatcher", number, { action: "dispatch", to: { departmentCode: "swj" } });
      await act("handler-swj-1", number, { action: "acknowledge" });
      await act("handler-swj-1", number, { action: "handle", note: "已补装新井盖", publicNote: true });
      expect(await read()).toMatchObject({ status: "open", status_notes: "已补装新井盖" });
      await act("supervisor-001", number, { action: "verify_pass" });
      const closed = await read();
      expect(closed.status).toBe("closed");

      // A resident's comment through the client, once however often the client sends it.
      const comment = { api_key: key, service_request_id: number, description: "谢谢，修得很快", update_id_ext: `fms-${format}-1`, status: "CLOSED", first_name: "小明", last_name: "王" };
      const [posted] = await call(format, "servicerequestupdates.{f}", { item: "request_update", schema: "update-posted", form: comment });
      const [again] = await call(format, "servicerequestupdates.{f}", { item: "request_update", schema: "update-posted", form: comment });
      expect(again.update_id).toBe(posted.update_id);

      const ended = new Date(Date.now() + 1000);
      const updates = (
        await call(format, `servicerequestupdates.{f}?start_date=${encodeURIComponent(started.toISOString())}&end_date=${encodeURIComponent(ended.toISOString())}`, {
          item: "request_update",
        })
      ).filter((update) => update.service_request_id === number);
      expect(updates.map((update) => update.external_status_code)).toEqual(["reported", "accepted", "registered", "dispatched", "in_progress", "handled", "closed", "closed"]);
      expect(updates.map((update) => update.status)).toEqual(["open", "open", "investigating", "action_scheduled", "in_progress", "in_progress", "closed", "closed"]);
      expect(updates.find((update) => update.external_status_code === "handled")?.description).toBe("已补装新井盖");
      expect(updates.at(-1)).toMatchObject({ update_id: posted.update_id, description: "谢谢，修得很快" });
      const audit = await t.ctx.db.selectFrom("audit_log").select("details").where("action", "=", "case.open311_comment").execute();
      expect(audit.filter((entry) => (entry.details as { number?: string }).number === number)).toHaveLength(1);
    });
  }

  it("refuses a media_url on a private or metadata address that is not allowed", async () => {
    for (const url of ["http://169.254.169.254/latest/meta-data/", "http://10.1.2.3/photo.jpg", photoUrl.replace("127.0.0.1", "127.0.0.2")]) {
      const response = await fetch(`${base}/open311/v2/requests.xml`, {
        method: "POST",
        body: new URLSearchParams({ api_key: key, service_code: SERVICE, lat: String(point.lat), long: String(point.lng), "attribute[cover_state]": "broken", media_url: url }),
      });
      expect(response.status, url).toBe(400);
      const { content } = parseXml(await response.text());
      expect((content.error as { description: string }[])[0].description).toMatch(/media_url refused/);
    }
  });
});
