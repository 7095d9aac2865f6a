import type { CategoryQuestion } from "../../db/schema.ts";
import type { CaseStatus } from "../cases/workflow.ts";

/**
 * Open311 GeoReport v2 as written on the wire (docs/open311.md): the two formats, datetimes, the
 * mapping of our statuses and question types. Pure: the service hands plain records in, the
 * routes send what comes out.
 */

export type Format = "xml" | "json";
export const FORMATS: readonly Format[] = ["xml", "json"];
export const CONTENT_TYPES: Record<Format, string> = { xml: "text/xml; charset=utf-8", json: "application/json; charset=utf-8" };

/** A value of a record: lists are written as repeated child elements named by `ITEM_NAMES`. */
export type WireValue = string | number | boolean | null | undefined | WireValue[] | { [key: string]: WireValue };
export type WireRecord = { [key: string]: WireValue };

/** The element name of one item of each list the specification nests. */
const ITEM_NAMES: Record<string, string> = { attributes: "attribute", values: "value", endpoints: "endpoint", formats: "format" };

const XML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };
// Characters XML 1.0 cannot carry at all (control characters but tab, line feed, carriage return; lone surrogates).
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export const escapeXml = (text: string) => text.replace(NOT_XML, "").replace(/[&<>"']/g, (char) => XML_ESCAPES[char]);

function element(name: string, value: WireValue): string {
  if (value === null || value === undefined) return `<${name}/>`;
  if (Array.isArray(value)) {
    const item = ITEM_NAMES[name] ?? "item";
    return `<${name}>${value.map((entry) => element(item, entry)).join("")}</${name}>`;
  }
  if (typeof value === "object") return `<${name}>${Object.entries(value).map(([key, entry]) => element(key, entry)).join("")}</${name}>`;
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** A list answer: `<root><item>…</item>…</root>` in XML, an array of objects in JSON. */
export function writeList(format: Format, root: string, item: string, records: readonly WireRecord[]): string {
  if (format === "json") return JSON.stringify(records);
  return `<?xml version="1.0" encoding="utf-8"?>\n<${root}>${records.map((record) => element(item, record)).join("")}</${root}>`;
}

/** A single-object answer (a service definition, the discovery document). */
export function writeObject(format: Format, root: string, record: WireRecord): string {
  if (format === "json") return JSON.stringify(record);
  return `<?xml version="1.0" encoding="utf-8"?>\n${element(root, record)}`;
}

/** The specification's errors: `[{ code, description }]`, or `<errors><error><code/><description/></error></errors>`. */
export function writeErrors(format: Format, errors: readonly { code: number; description: string }[]): string {
  return writeList(format, "errors", "error", errors);
}

/** A datetime as Open311 clients read it: ISO 8601 in China Standard Time, with its offset and without fractions. */
export function wireTime(instant: Date | string | null | undefined): string | null {
  if (instant === null || instant === undefined) return null;
  const time = new Date(instant).getTime();
  return `${new Date(time + 8 * 3_600_000).toISOString().slice(0, 19)}+08:00`;
}

// W3C datetimes: a date, or a date and time with seconds and fractions optional, and a zone (Z or ±hh:mm) when there is a time.
const W3C_DATETIME = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2}))?$/;

/** A datetime a client sent, or null when it is no W3C datetime; a bare date is midnight China Standard Time. */
export function parseWireTime(text: string): Date | null {
  const trimmed = text.trim();
  if (!W3C_DATETIME.test(trimmed)) return null;
  const instant = new Date(/T/.test(trimmed) ? trimmed : `${trimmed}T00:00:00+08:00`);
  return Number.isNaN(instant.getTime()) ? null : instant;
}

/** open or closed: a case is closed once the loop has ended for it (closed, evaluated, not registered, merged). */
export const CLOSED_STATUSES: readonly CaseStatus[] = ["closed", "evaluated", "rejected", "merged"];
export const wireStatus = (status: string): "open" | "closed" => (CLOSED_STATUSES.includes(status as CaseStatus) ? "closed" : "open");

/**
 * The finer status of an update in mySociety's extension, which FixMyStreet shows its users:
 * registered cases are being looked into, dispatched ones have action scheduled, a merged case is
 * a duplicate, a case not registered needs no further action. `external_status_code` carries our own.
 */
const UPDATE_STATUSES: Record<CaseStatus, string> = {
  reported: "open",
  accepted: "open",
  registered: "investigating",
  rejected: "no_further_action",
  dispatched: "action_scheduled",
  in_progress: "in_progress",
  suspended: "open",
  handled: "in_progress",
  closed: "closed",
  evaluated: "closed",
  merged: "duplicate",
};
export const updateStatus = (status: string): string => UPDATE_STATUSES[status as CaseStatus] ?? wireStatus(status);

/** What each status tells a resident, for an update that carries no public note. */
const STATUS_NOTES: Record<CaseStatus, string> = {
  reported: "已收到您的反映",
  accepted: "已受理",
  registered: "已立案，等待派遣",
  rejected: "不予立案",
  dispatched: "已派遣至处置单位",
  in_progress: "处置中",
  suspended: "缓办",
  handled: "已处置，等待核查",
  closed: "已核查结案",
  evaluated: "已结案并完成评价",
  merged: "已与同一问题的其他案件合并办理",
};
export const statusText = (status: string): string => STATUS_NOTES[status as CaseStatus] ?? status;

export type Open311Datatype = "string" | "number" | "datetime" | "text" | "singlevaluelist" | "multivaluelist";

/** A question's Open311 datatype: a yes/no question is a list of 是/否; a short text a string. */
export function datatypeOf(question: CategoryQuestion): Open311Datatype {
  switch (question.type) {
    case "number":
      return "number";
    case "choice":
    case "yes_no":
      return "singlevaluelist";
    case "text":
      return question.maxLength !== undefined && question.maxLength <= 100 ? "string" : "text";
  }
}

/** One public question as an Open311 attribute, in the order asked (1 first). */
export function attributeOf(question: CategoryQuestion, order: number): WireRecord {
  const bounds =
    question.type === "number" && (question.min !== undefined || question.max !== undefined)
      ? `数字${question.min !== undefined ? `，不小于 ${question.min}` : ""}${question.max !== undefined ? `，不大于 ${question.max}` : ""}`
      : question.type === "number"
        ? "数字"
        : question.type === "text"
          ? `不超过 ${question.maxLength ?? 500} 字`
          : null;
  const values =
    question.type === "choice"
      ? (question.choices ?? []).map((choice) => ({ key: choice.value, name: choice.zh }))
      : question.type === "yes_no"
        ? [
            { key: "true", name: "是" },
            { key: "false", name: "否" },
          ]
        : undefined;
  return {
    variable: true,
    code: question.code,
    datatype: datatypeOf(question),
    required: question.required,
    datatype_description: bounds,
    order,
    description: question.label.zh,
    ...(values ? { values } : {}),
  };
}

/**
 * The value of `attribute[code]` as the question stores it, or undefined when the text cannot be
 * one (then the question's own check names the attribute): numbers are decimal, yes/no is
 * true/false (or 1/0, yes/no), a choice is its key.
 */
export function attributeValue(question: CategoryQuestion, text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === "") return "";
  switch (question.type) {
    case "number":
      return /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(trimmed) ? Number(trimmed) : text;
    case "yes_no":
      return /^(true|1|yes)$/i.test(trimmed) ? true : /^(false|0|no)$/i.test(trimmed) ? false : text;
    default:
      return trimmed;
  }
}

/** What a client posted, as form fields: the first value of each name, and `attribute[code]` apart. */
export type Form = { fields: Map<string, string>; attributes: Map<string, string> };

/** More fields than any request needs is no request. */
const MAX_FORM_FIELDS = 200;
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });
const ATTRIBUTE = /^attribute\[([^\][]{1,100})\](?:\[\])?$/;

/**
 * An application/x-www-form-urlencoded body, strictly: valid UTF-8 and valid percent-escapes, or
 * null (a malformed body is refused, not guessed at). `attribute[code]` values go apart; a repeated
 * `attribute[code][]` (a multi-value list) is joined with commas.
 */
export function parseForm(raw: Buffer | string): Form | null {
  let text: string;
  try {
    text = typeof raw === "string" ? raw : strictUtf8.decode(raw);
  } catch {
    return null;
  }
  const fields = new Map<string, string>();
  const attributes = new Map<string, string>();
  const pairs = text.split("&").filter((pair) => pair !== "");
  if (pairs.length > MAX_FORM_FIELDS) return null;
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    let name: string;
    let value: string;
    try {
      name = decodeURIComponent((at < 0 ? pair : pair.slice(0, at)).replaceAll("+", " "));
      value = at < 0 ? "" : decodeURIComponent(pair.slice(at + 1).replaceAll("+", " "));
    } catch {
      return null;
    }
    const attribute = ATTRIBUTE.exec(name);
    if (attribute) {
      const earlier = attributes.get(attribute[1]);
      attributes.set(attribute[1], earlier === undefined ? value : `${earlier},${value}`);
    } else if (!fields.has(name)) fields.set(name, value);
  }
  return { fields, attributes };
}
