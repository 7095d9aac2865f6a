import type caseMessages from "../console/cases/messages";
import type common from "./common";
import type intake from "../console/intake/messages";
import type caseMap from "../console/map/messages";
import type joint from "../console/cases/jointMessages";
import type consoleMessages from "../console/messages";
import type questions from "../console/questions/messages";
import type admin from "../console/admin/messages";
import type redaction from "../console/redaction/messages";
import type resident from "../resident/track/messages";
import type residentPortal from "../resident/messages";
import type mobile from "../mobile/messages";
import type templates from "../console/templates/messages";
import type notifications from "../console/notifications/messages";
import type tools from "../console/queue/tools-messages";
import type field from "../field/messages";
import type dashboard from "../console/dashboard/messages";
import type apiKeys from "../console/apikeys/messages";
import type exchange from "../console/exchange/messages";
import type webhooks from "../console/webhooks/messages";
import type referenceImports from "../console/exchange/referenceMessages";

/**
 * The namespaces of messages, for typed keys. An area adds its own namespace here (type only, so its
 * messages stay in its own chunk) and registers it with `addMessages` when its code loads.
 */
export type Resources = {
  common: (typeof common)["zh-CN"];
  console: (typeof consoleMessages)["zh-CN"];
  case: (typeof caseMessages)["zh-CN"];
  intake: (typeof intake)["zh-CN"];
  questions: (typeof questions)["zh-CN"];
  admin: (typeof admin)["zh-CN"];
  caseMap: (typeof caseMap)["zh-CN"];
  resident: (typeof resident)["zh-CN"];
  residentPortal: (typeof residentPortal)["zh-CN"];
  mobile: (typeof mobile)["zh-CN"];
  redaction: (typeof redaction)["zh-CN"];
  templates: (typeof templates)["zh-CN"];
  notifications: (typeof notifications)["zh-CN"];
  tools: (typeof tools)["zh-CN"];
  joint: (typeof joint)["zh-CN"];
  field: (typeof field)["zh-CN"];
  dashboard: (typeof dashboard)["zh-CN"];
  apiKeys: (typeof apiKeys)["zh-CN"];
  exchange: (typeof exchange)["zh-CN"];
  webhooks: (typeof webhooks)["zh-CN"];
  referenceImports: (typeof referenceImports)["zh-CN"];
};

declare module "i18next" {
  interface CustomTypeOptions {
    defaultNS: "common";
    resources: Resources;
    // Keys are flat strings with dots in them ("login.heading"), not paths into nested objects.
    keySeparator: false;
  }
}
