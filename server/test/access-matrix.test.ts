import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InjectOptions } from "fastify";
import type { Permission } from "../src/modules/people/roles.ts";
import sharp from "sharp";
import { sql } from "kysely";
import { createTestApp, type TestApp } from "./test-app.ts";
import { OTHER_DISTRICT } from "./databases.ts";

/** What an operation is aimed at: something inside the actor's scope, or outside it. */
type Target = { division: string; grid: string; userId: string; caseId: string; photoId: string };

type Operation = {
  /** "public": open to all; "signed-in": every signed-in actor; otherwise the permission it needs. */
  access: "public" | "signed-in" | Permission;
  /** Whether the answer depends on the target being in scope (404 outside). */
  scoped: boolean;
  request(target: Target): InjectOptions;
  ok: number;
};

let serial = 0;
/**
 * Every operation of the API, keyed by its OpenAPI operationId. The test below fails when the
 * OpenAPI document has an operation this table lacks, so a new endpoint cannot be forgotten.
 */
const OPERATIONS: Record<string, Operation> = {
  // A fresh name each time, so that the failures of one source do not add up to a throttle.
  login: { access: "public", scoped: false, ok: 401, request: () => ({ method: "POST", url: "/api/v1/auth/login", payload: { username: `x-${++serial}`, password: "y" } }) },
  health: { access: "public", scoped: false, ok: 200, request: () => ({ method: "GET", url: "/healthz" }) },
  ready: { access: "public", scoped: false, ok: 200, request: () => ({ method: "GET", url: "/readyz" }) },
  locateGrid: { access: "public", scoped: false, ok: 200, request: () => ({ method: "GET", url: "/api/v1/grids/locate?lat=25.06&lng=102.72" }) },
  getMe: { access: "signed-in", scoped: false, ok: 200, request: () => ({ method: "GET", url: "/api/v1/auth/me" }) },
  logout: { access: "signed-in", scoped: false, ok: 204, request: () => ({ method: "POST", url: "/api/v1/auth/logout" }) },
  getDivision: { access: "division.read", scoped: true, ok: 200, request: (t) => ({ method: "GET", url: `/api/v1/divisions/${t.division}?depth=1` }) },
  listGrids: { access: "grid.read", scoped: true, ok: 200, request: (t) => ({ method: "GET", url: `/api/v1/grids?division=${t.division}` }) },
  getGrid: { access: "grid.read", scoped: true, ok: 200, request: (t) => ({ method: "GET", url: `/api/v1/grids/${t.grid}` }) },
  listDepartments: { access: "department.read", scoped: false, ok: 200, request: () => ({ method: "GET", url: "/api/v1/departments" }) },
  listUsers: { access: "user.read", scoped: true, ok: 200, request: (t) => ({ method: "GET", url: `/api/v1/users?division=${t.division}&covers=${t.division}&role=grid_worker&limit=5` }) },
  getUser: { access: "user.read", scoped: true, ok: 200, request: (t) => ({ method: "GET", url: `/api/v1/users/${t.userId}` }) },
  createUser: {
    access: "user.write",
    scoped: true,
    ok: 201,
    request: (t) => ({
      method: "POST",
      url: "/api/v1/users",
      payload: { username: `matrix-${++serial}`, displayName: "测试", password: "long-enough-1", roles: ["grid_worker"], scopeCode: t.division },
    }),
  },
  // Without If-Match: 428 once the account is found in scope and managed, 404 outside the scope.
  updateUser: { access: "user.write", scoped: true, ok: 428, request: (t) => ({ method: "PATCH", url: `/api/v1/users/${t.userId}`, payload: { displayName: "矩阵" } }) },
  resetUserPassword: {
    access: "user.write",
    scoped: true,
    ok: 204,
    request: (t) => ({ method: "POST", url: `/api/v1/users/${t.userId}/password-reset`, payload: { password: "Matrix-reset-2026" } }),
  },
  lockUser: { access: "user.write", scoped: true, ok: 200, request: (t) => ({ method: "POST", url: `/api/v1/users/${t.userId}/lock` }) },
  unlockUser: { access: "user.write", scoped: true, ok: 200, request: (t) => ({ method: "POST", url: `/api/v1/users/${t.userId}/unlock` }) },
  // A wrong current password: 403 wrong_password for every signed-in actor, the matrix's sessions untouched.
  changeMyPassword: {
    access: "signed-in",
    scoped: false,
    ok: 403,
    request: () => ({ method: "POST", url: "/api/v1/auth/password", payload: { currentPassword: "not-the-password", newPassword: "Matrix-change-2026" } }),
  },
  listApiKeys: { access: "api_key.write", scoped: false, ok: 200, request: () => ({ method: "GET", url: "/api/v1/api-keys" }) },
  createApiKey: { access: "api_key.write", scoped: false, ok: 201, request: () => ({ method: "POST", url: "/api/v1/api-keys", payload: { name: "matrix", organisation: "matrix" } }) },
  createCase: {
    access: "public",
    scoped: false,
    ok: 201,
    request: () => ({ method: "POST", url: "/api/v1/cases", payload: { description: "矩阵测试：路面破损", gridCode: "530103001001001" } }),
  },
  // Public like createCase: the same checks and limit, nothing written; duplicates only for staff.
  previewCase: {
    access: "public",
    scoped: false,
    ok: 200,
    request: () => ({ method: "POST", url: "/api/v1/cases/preview", payload: { description: "矩阵测试：路面破损", gridCode: "530103001001001" } }),
  },
  // Answers only places in the caller's scope, an empty list when none match.
  searchPlaces: { access: "division.read", scoped: false, ok: 200, request: () => ({ method: "GET", url: `/api/v1/places?q=${encodeURIComponent("社区")}` }) },
  listCases: { access: "case.read", scoped: true, ok: 200, request: (t) => ({ method: "GET", url: `/api/v1/cases?division=${t.division}` }) },
  getCaseStats: { access: "case.read", scoped: true, ok: 200, request: (t) => ({ method: "GET", url: `/api/v1/cases/stats?division=${t.division}` }) },
  listCasePoints: { access: "case.read", scoped: true, ok: 200, request: (t) => ({ method: "GET", url: `/api/v1/cases/points?division=${t.division}` }) },
  getMapConfig: { access: "signed-in", scoped: false, ok: 200, request: () => ({ method: "GET", url: "/api/v1/map-config" }) },
  getPublicMap: { access: "public", scoped: false, ok: 200, request: () => ({ method: "GET", url: "/api/v1/public/map" }) },
  getCaseNeighbours: { access: "case.read", scoped: true, ok: 200, request: (t) => ({ method: "GET", url: `/api/v1/cases/${t.caseId}/neighbours?queue=centre` }) },
  // A version that never matches: every case is answered (refused), none is changed.
  bulkTransitionCases: {
    access: "case.read",
    scoped: false,
    ok: 200,
    request: (t) => ({ method: "POST", url: "/api/v1/cases/bulk", payload: { action: "urge", cases: [{ id: t.caseId, version: 0 }] } }),
  },
  listSavedFilters: { access: "case.read", scoped: false, ok: 200, request: () => ({ method: "GET", url: "/api/v1/saved-filters" }) },
  createSavedFilter: {
    access: "case.read",
    scoped: false,
    ok: 201,
    request: () => ({ method: "POST", url: "/api/v1/saved-filters", payload: { name: `矩阵 ${++serial}`, query: "queue=centre" } }),
  },
  // Another user's filter, or none: 404 for every reader.
  updateSavedFilter: {
    access: "case.read",
    scoped: false,
    ok: 404,
    request: () => ({ method: "PATCH", url: "/api/v1/saved-filters/0190b2f4-0000-7000-8000-000000000004", payload: { name: "矩阵" } }),
  },
  deleteSavedFilter: { access: "case.read", scoped: false, ok: 404, request: () => ({ method: "DELETE", url: "/api/v1/saved-filters/0190b2f4-0000-7000-8000-000000000004" }) },
  exportCases: { access: "case.export", scoped: true, ok: 200, request: (t) => ({ method: "GET", url: `/api/v1/cases/export?division=${t.division}` }) },
  getCase: { access: "case.read", scoped: true, ok: 200, request: (t) => ({ method: "GET", url: `/api/v1/cases/${t.caseId}` }) },
  // Without If-Match: 428 once the case is found in scope, 404 outside it.
  transitionCase: { access: "case.read", scoped: true, ok: 428, request: (t) => ({ method: "POST", url: `/api/v1/cases/${t.caseId}/transitions`, payload: { action: "urge" } }) },
  // The app below ends every stream once it is live (EVENT_STREAM_MAX_SECONDS=0), so the request returns.
  streamEvents: { access: "case.read", scoped: false, ok: 200, request: () => ({ method: "GET", url: "/api/v1/events" }) },
  listMyNotifications: { access: "case.read", scoped: false, ok: 200, request: () => ({ method: "GET", url: "/api/v1/notifications" }) },
  // Only one's own notifications exist for one: any other id is not found.
  markNotificationRead: { access: "case.read", scoped: false, ok: 404, request: () => ({ method: "POST", url: "/api/v1/notifications/0192a0b4-0000-7000-8000-000000000000/read" }) },
  listResponseTemplates: { access: "case.read", scoped: false, ok: 200, request: () => ({ method: "GET", url: "/api/v1/response-templates?action=dispatch" }) },
  createResponseTemplate: {
    access: "category.write",
    scoped: false,
    ok: 201,
    request: () => ({ method: "POST", url: "/api/v1/response-templates", payload: { categoryCode: null, action: "urge", visibility: "staff", title: "矩阵", body: "请于{deadline}前办结" } }),
  },
  // Without If-Match: 428 before the template is looked up.
  updateResponseTemplate: {
    access: "category.write",
    scoped: false,
    ok: 428,
    request: () => ({ method: "PATCH", url: "/api/v1/response-templates/0192a0b4-0000-7000-8000-000000000001", payload: { title: "矩阵" } }),
  },
  deleteResponseTemplate: {
    access: "category.write",
    scoped: false,
    ok: 404,
    request: () => ({ method: "DELETE", url: "/api/v1/response-templates/0192a0b4-0000-7000-8000-000000000001" }),
  },
  markAllNotificationsRead: { access: "case.read", scoped: false, ok: 200, request: () => ({ method: "POST", url: "/api/v1/notifications/read-all" }) },
  revealReporterContact: { access: "case.reveal_contact", scoped: true, ok: 200, request: (t) => ({ method: "POST", url: `/api/v1/cases/${t.caseId}/reporter-contact` }) },
  trackCase: { access: "public", scoped: false, ok: 404, request: () => ({ method: "GET", url: "/api/v1/public/cases/530103-20260101-00001?token=not-a-real-token" }) },
  evaluateCase: {
    access: "public",
    scoped: false,
    ok: 404,
    request: () => ({ method: "POST", url: "/api/v1/public/cases/530103-20260101-00001/evaluation", payload: { token: "not-a-real-token", resolved: true, satisfaction: "satisfied" } }),
  },
  uploadPhoto: {
    access: "public",
    scoped: false,
    ok: 400, // the bytes are not an image; the photo tests cover real ones
    request: () => ({ method: "POST", url: "/api/v1/attachments", payload: Buffer.from("not an image"), headers: { "content-type": "image/jpeg" } }),
  },
  downloadPhoto: { access: "case.read", scoped: true, ok: 200, request: (t) => ({ method: "GET", url: `/api/v1/cases/${t.caseId}/attachments/${t.photoId}` }) },
  // A region outside the photo: 400 once the photo is found in scope, before who may redact is asked.
  putPhotoRedaction: {
    access: "case.read",
    scoped: true,
    ok: 400,
    request: (t) => ({ method: "PUT", url: `/api/v1/cases/${t.caseId}/attachments/${t.photoId}/redaction`, payload: { regions: [{ x: 0.9, y: 0, width: 0.5, height: 0.5 }] } }),
  },
  // A photo the case does not have: who may redact is asked only of a photo that exists (redaction tests).
  deletePhotoRedaction: {
    access: "case.read",
    scoped: true,
    ok: 404,
    request: (t) => ({ method: "DELETE", url: `/api/v1/cases/${t.caseId}/attachments/0190b2f4-0000-7000-8000-0000000000aa/redaction` }),
  },
  // The photos here have no redaction: 404 redaction_not_found in scope, attachment_not_found outside.
  downloadRedactedPhoto: { access: "case.read", scoped: true, ok: 404, request: (t) => ({ method: "GET", url: `/api/v1/cases/${t.caseId}/attachments/${t.photoId}/redacted` }) },
  getPublicPhoto: {
    access: "public",
    scoped: false,
    ok: 404,
    request: (t) => ({ method: "GET", url: `/api/v1/public/photos/${t.photoId}?expires=${Math.floor(Date.now() / 1000) + 60}&signature=${"A".repeat(43)}` }),
  },
  listCategories: { access: "public", scoped: false, ok: 200, request: () => ({ method: "GET", url: "/api/v1/categories" }) },
  // A code in use answers 409 to whoever may create categories, and leaves the catalogue as it was.
  createCategory: {
    access: "category.write",
    scoped: false,
    ok: 409,
    request: () => ({ method: "POST", url: "/api/v1/categories", payload: { code: "appeal.hotline.consultation", name: "矩阵", parentCode: "appeal.hotline" } }),
  },
  updateCategory: {
    access: "category.write",
    scoped: false,
    ok: 428,
    request: () => ({ method: "PATCH", url: "/api/v1/categories/appeal.hotline.consultation", payload: { active: true } }),
  },
  listCaseReasons: { access: "case.read", scoped: false, ok: 200, request: () => ({ method: "GET", url: "/api/v1/case-reasons?kind=return" }) },
  putCaseReason: {
    access: "category.write",
    scoped: false,
    ok: 200,
    request: () => ({ method: "PUT", url: "/api/v1/case-reasons/return/not_our_duty", payload: { labelZh: "不属于本单位职责", labelEn: "Not within this department's duties" } }),
  },
  listRoutingRules: { access: "department.read", scoped: true, ok: 200, request: (t) => ({ method: "GET", url: `/api/v1/routing-rules?division=${t.division}` }) },
  putRoutingRule: {
    access: "category.write",
    scoped: true,
    ok: 200,
    request: (t) => ({ method: "PUT", url: `/api/v1/routing-rules/event.street_order.road_occupation/${t.division}`, payload: { departmentCode: "cgj" } }),
  },
  // Runs after putRoutingRule, which made the rule it removes.
  deleteRoutingRule: {
    access: "category.write",
    scoped: true,
    ok: 204,
    request: (t) => ({ method: "DELETE", url: `/api/v1/routing-rules/event.street_order.road_occupation/${t.division}` }),
  },
  createDepartment: {
    access: "department.write",
    scoped: true,
    ok: 201,
    request: (t) => ({ method: "POST", url: "/api/v1/departments", payload: { code: `matrix-${++serial}`, name: "矩阵测试科", divisionCode: t.division } }),
  },
  // Without If-Match: 428 for whoever may edit departments.
  updateDepartment: { access: "department.write", scoped: false, ok: 428, request: () => ({ method: "PATCH", url: "/api/v1/departments/cgj", payload: { dutyPhone: null } }) },
  importGrids: {
    access: "grid.write",
    scoped: false,
    ok: 200,
    request: () => ({ method: "POST", url: "/api/v1/grids/import?dryRun=true", payload: { type: "FeatureCollection", features: [] } }),
  },
  recordPatrol: {
    access: "patrol.write",
    scoped: false,
    ok: 201,
    request: () => ({
      method: "POST",
      url: "/api/v1/patrols",
      payload: { startedAt: new Date(Date.now() - 600_000).toISOString(), endedAt: new Date(Date.now() - 300_000).toISOString(), points: [] },
    }),
  },
  listPatrolDays: { access: "patrol.read", scoped: true, ok: 200, request: (t) => ({ method: "GET", url: `/api/v1/patrols?division=${t.division}` }) },
  getIndicators: { access: "indicator.read", scoped: true, ok: 200, request: (t) => ({ method: "GET", url: `/api/v1/indicators?division=${t.division}&groupBy=community` }) },
  getRankings: { access: "indicator.read", scoped: false, ok: 200, request: () => ({ method: "GET", url: "/api/v1/rankings?kind=street&period=2026-11" }) },
  listBulletins: { access: "indicator.read", scoped: false, ok: 200, request: () => ({ method: "GET", url: "/api/v1/bulletins" }) },
  downloadBulletin: { access: "indicator.read", scoped: false, ok: 404, request: () => ({ method: "GET", url: "/api/v1/bulletins/2020-01/files/pdf" }) },
  fileAppeal: {
    access: "appeal.write",
    scoped: false,
    ok: 404, // a case no one can read; scope is checked in appeals.test.ts
    request: () => ({ method: "POST", url: "/api/v1/appeals", payload: { caseId: "0190b2f4-0000-7000-8000-000000000007", reason: "非本单位职责" } }),
  },
  listAppeals: { access: "appeal.write", scoped: false, ok: 200, request: () => ({ method: "GET", url: "/api/v1/appeals" }) },
  decideAppeal: {
    access: "appeal.decide",
    scoped: false,
    ok: 404,
    request: () => ({ method: "POST", url: "/api/v1/appeals/0190b2f4-0000-7000-8000-000000000006/decision", payload: { accept: true, note: "同意" } }),
  },
  getPatrol: { access: "patrol.read", scoped: false, ok: 404, request: () => ({ method: "GET", url: "/api/v1/patrols/0190b2f4-0000-7000-8000-000000000005" }) },
  listHotlineMappings: { access: "exchange.write", scoped: false, ok: 200, request: () => ({ method: "GET", url: "/api/v1/exchange/hotline-mappings" }) },
  createHotlineMapping: {
    access: "exchange.write",
    scoped: false,
    ok: 201,
    request: () => ({
      method: "POST",
      url: "/api/v1/exchange/hotline-mappings",
      payload: { name: `矩阵 ${++serial}`, sourceName: "matrix", columns: { externalRef: "编号", description: "内容", address: "地址" } },
    }),
  },
  // No mapping has this id: 404 for whoever may exchange work orders.
  getHotlineMapping: { access: "exchange.write", scoped: false, ok: 404, request: () => ({ method: "GET", url: "/api/v1/exchange/hotline-mappings/0190b2f4-0000-7000-8000-0000000000e1" }) },
  updateHotlineMapping: {
    access: "exchange.write",
    scoped: false,
    ok: 404,
    request: () => ({
      method: "PUT",
      url: "/api/v1/exchange/hotline-mappings/0190b2f4-0000-7000-8000-0000000000e1",
      payload: { name: "矩阵", sourceName: "matrix", columns: { externalRef: "编号", description: "内容", address: "地址" } },
    }),
  },
  deleteHotlineMapping: { access: "exchange.write", scoped: false, ok: 404, request: () => ({ method: "DELETE", url: "/api/v1/exchange/hotline-mappings/0190b2f4-0000-7000-8000-0000000000e1" }) },
  importHotlineWorkOrders: {
    access: "exchange.write",
    scoped: false,
    ok: 404,
    request: () => ({
      method: "POST",
      url: "/api/v1/exchange/hotline-imports?mapping=0190b2f4-0000-7000-8000-0000000000e1&preview=true",
      payload: Buffer.from("编号,内容,地址\n1,路灯不亮,金星\n"),
      headers: { "content-type": "text/csv" },
    }),
  },
  exportCasesWorkbook: { access: "case.export", scoped: true, ok: 200, request: (t) => ({ method: "GET", url: `/api/v1/exchange/exports/cases.xlsx?division=${t.division}` }) },
  exportIndicatorsWorkbook: {
    access: "indicator.read",
    scoped: true,
    ok: 200,
    request: (t) => ({ method: "GET", url: `/api/v1/exchange/exports/indicators.xlsx?division=${t.division}&groupBy=community` }),
  },
  exportRankingsWorkbook: { access: "indicator.read", scoped: false, ok: 200, request: () => ({ method: "GET", url: "/api/v1/exchange/exports/rankings.xlsx?kind=street&period=2026-11" }) },
  // A preview writes nothing: 200 with its report for whoever administers departments.
  importReferenceData: {
    access: "department.write",
    scoped: false,
    ok: 200,
    request: () => ({
      method: "POST",
      url: "/api/v1/exchange/imports/departments?preview=true",
      payload: Buffer.from("部门编码,部门名称,所属区划编码\nmatrix-dept,矩阵部门,530103\n"),
      headers: { "content-type": "text/csv" },
    }),
  },
  downloadStaffTemplate: { access: "user.write", scoped: false, ok: 200, request: () => ({ method: "GET", url: "/api/v1/exchange/templates/staff.xlsx" }) },
  downloadDepartmentsTemplate: { access: "department.write", scoped: false, ok: 200, request: () => ({ method: "GET", url: "/api/v1/exchange/templates/departments.xlsx" }) },
  downloadPlacesTemplate: { access: "grid.write", scoped: false, ok: 200, request: () => ({ method: "GET", url: "/api/v1/exchange/templates/places.xlsx" }) },
  exportStaffWorkbook: { access: "user.write", scoped: false, ok: 200, request: () => ({ method: "GET", url: "/api/v1/exchange/exports/staff.xlsx" }) },
  exportDepartmentsWorkbook: { access: "department.write", scoped: false, ok: 200, request: () => ({ method: "GET", url: "/api/v1/exchange/exports/departments.xlsx" }) },
  exportPlacesWorkbook: { access: "grid.write", scoped: false, ok: 200, request: () => ({ method: "GET", url: "/api/v1/exchange/exports/places.xlsx" }) },
  exportHotlineResults: { access: "exchange.write", scoped: false, ok: 404, request: () => ({ method: "GET", url: "/api/v1/exchange/hotline-exports?mapping=0190b2f4-0000-7000-8000-0000000000e1" }) },
  listScreenCredentials: { access: "screen.write", scoped: false, ok: 200, request: () => ({ method: "GET", url: "/api/v1/screen-credentials" }) },
  createScreenCredential: {
    access: "screen.write",
    scoped: true,
    ok: 201,
    request: (t) => ({ method: "POST", url: "/api/v1/screen-credentials", payload: { name: "矩阵大屏", division: t.division } }),
  },
  // An id that names no credential in scope.
  revokeScreenCredential: { access: "screen.write", scoped: false, ok: 404, request: () => ({ method: "DELETE", url: "/api/v1/screen-credentials/0190b2f4-0000-7000-8000-000000000001" }) },
  // Without a screen token: 401 for everyone, the staff sessions are no screen credential.
  openScreenSession: { access: "public", scoped: false, ok: 401, request: () => ({ method: "POST", url: "/api/v1/screen-credentials/session" }) },
  listOverdueCases: { access: "indicator.read", scoped: false, ok: 200, request: () => ({ method: "GET", url: "/api/v1/overdue-cases" }) },
  listWebhooks: { access: "webhook.write", scoped: false, ok: 200, request: () => ({ method: "GET", url: "/api/v1/webhooks" }) },
  // A public address given as such, so that no DNS answer is needed.
  createWebhook: {
    access: "webhook.write",
    scoped: true,
    ok: 201,
    request: (t) => ({ method: "POST", url: "/api/v1/webhooks", payload: { url: "https://93.184.215.14/matrix", scopeCode: t.division, kinds: ["report"] } }),
  },
  // An id that names no subscription in scope.
  getWebhook: { access: "webhook.write", scoped: false, ok: 404, request: () => ({ method: "GET", url: "/api/v1/webhooks/0190b2f4-0000-7000-8000-000000000007" }) },
  updateWebhook: { access: "webhook.write", scoped: false, ok: 404, request: () => ({ method: "PATCH", url: "/api/v1/webhooks/0190b2f4-0000-7000-8000-000000000007", payload: { enabled: false } }) },
  deleteWebhook: { access: "webhook.write", scoped: false, ok: 404, request: () => ({ method: "DELETE", url: "/api/v1/webhooks/0190b2f4-0000-7000-8000-000000000007" }) },
  enableWebhook: { access: "webhook.write", scoped: false, ok: 404, request: () => ({ method: "POST", url: "/api/v1/webhooks/0190b2f4-0000-7000-8000-000000000007/enable" }) },
  listWebhookDeliveries: { access: "webhook.write", scoped: false, ok: 404, request: () => ({ method: "GET", url: "/api/v1/webhooks/0190b2f4-0000-7000-8000-000000000007/deliveries" }) },
  replayWebhook: {
    access: "webhook.write",
    scoped: false,
    ok: 404,
    request: () => ({ method: "POST", url: "/api/v1/webhooks/0190b2f4-0000-7000-8000-000000000007/replay", payload: { from: "2026-01-01T00:00:00Z" } }),
  },
  revokeApiKey: {
    access: "api_key.write",
    scoped: false,
    ok: 404, // an id that is not the actor's key
    request: () => ({ method: "DELETE", url: "/api/v1/api-keys/0190b2f4-0000-7000-8000-000000000000" }),
  },
};

/** One actor per role and scope level of the demo district. */
const ACTORS = [
  "admin",
  "secadmin",
  "auditor",
  "leader",
  "dispatcher",
  "seat-01",
  "handler-cgj-1",
  "leader-001",
  "dispatcher-001-1",
  "supervisor-001",
  "cadre-001-1",
  "community-530103001001",
  "gw-530103001001-1",
  "volunteer-530103001001001",
  "resident",
  "merchant",
];

describe("access matrix: role × operation × in scope / out of scope", () => {
  let t: TestApp;
  const cookies = new Map<string, string>();
  const actors = new Map<string, { scope: string | null; permissions: string[] }>();
  beforeAll(async () => {
    // Event streams end once live instead of staying open, so that each row answers.
    t = await createTestApp("demo", { EVENT_STREAM_MAX_SECONDS: "0" });
    // A case with a photo in each community a target may name.
    const photo = await sharp({ create: { width: 8, height: 8, channels: 3, background: "#396" } }).png().toBuffer();
    for (const gridCode of ["530103001001001", "530103001002001", "530103002001001"]) {
      const uploaded = await t.app.inject({ method: "POST", url: "/api/v1/attachments", payload: photo, headers: { "content-type": "image/png" } });
      expect(uploaded.statusCode, uploaded.body).toBe(201);
      const created = await t.app.inject({
        method: "POST",
        url: "/api/v1/cases",
        payload: { description: "矩阵测试用案件", gridCode, reporter: { phone: "13800000000" }, photoIds: [uploaded.json().attachment.id] },
      });
      expect(created.statusCode, created.body).toBe(201);
    }
    for (const username of ACTORS) {
      const response = await t.app.inject({ method: "POST", url: "/api/v1/auth/login", payload: { username, password: "demo-pass-123" } });
      expect(response.statusCode, username).toBe(200);
      cookies.set(username, String(response.headers["set-cookie"]).split(";")[0]);
      const { user } = response.json();
      actors.set(username, { scope: user.scope?.code ?? null, permissions: user.permissions });
    }
  });
  afterAll(() => t.close());

  /** A target inside the scope, and one outside it at the same level (another street, community or district). */
  async function targets(scope: string | null): Promise<{ inside: Target; outside: Target }> {
    const pick = async (division: string): Promise<Target> => {
      const grid = await t.ctx.db.selectFrom("grids").select("code").where("code", "like", `${division}%`).orderBy("code").executeTakeFirst();
      // An account that no actor here uses and that holds no administrator role, which resets and locks may change.
      const user = await t.ctx.db
        .selectFrom("users")
        .select("id")
        .where("scope_code", "like", `${division}%`)
        .where("username", "not in", ACTORS)
        .where(sql<boolean>`not (roles && array['admin', 'security_admin', 'auditor'])`)
        .orderBy("username")
        .executeTakeFirst();
      const found = await t.ctx.db.selectFrom("cases").select("id").where("community_code", "like", `${division}%`).orderBy("id").executeTakeFirst();
      const photo = found && (await t.ctx.db.selectFrom("attachments").select("id").where("case_id", "=", found.id).executeTakeFirst());
      return {
        division,
        grid: grid?.code ?? "530102001001001",
        userId: user?.id ?? "0190b2f4-0000-7000-8000-000000000001",
        caseId: found?.id ?? "0190b2f4-0000-7000-8000-000000000002",
        photoId: photo?.id ?? "0190b2f4-0000-7000-8000-000000000003",
      };
    };
    const inside = await pick(scope ?? "530103001");
    const outsideDivision = !scope || scope.length === 6 ? OTHER_DISTRICT : scope.length === 9 ? "530103002" : "530103001002";
    const outside = await pick(outsideDivision);
    return { inside, outside };
  }

  it("covers every operation of the OpenAPI document", async () => {
    const document = (await t.app.inject({ method: "GET", url: "/api/v1/openapi.json" })).json();
    const operationIds = Object.values(document.paths as Record<string, Record<string, { operationId?: string }>>)
      .flatMap((methods) => Object.values(methods).map((operation) => operation.operationId))
      .filter((id): id is string => Boolean(id));
    expect(operationIds.sort()).toEqual(Object.keys(OPERATIONS).sort());
  });

  it("answers without a session with 401 on every operation that is not public", async () => {
    const { inside } = await targets("530103");
    for (const [id, operation] of Object.entries(OPERATIONS)) {
      const response = await t.app.inject(operation.request(inside));
      if (operation.access === "public") expect(response.statusCode, id).toBe(operation.ok);
      else {
        expect(response.statusCode, id).toBe(401);
        expect(response.json().error.code, id).toBe("authentication_required");
      }
    }
  });

  it("never lists, finds or exports a case outside the caller's scope", async () => {
    for (const username of ACTORS) {
      const actor = actors.get(username);
      if (!actor?.permissions.includes("case.read")) continue;
      const inScope = (communityCode: string) => actor.scope !== null && communityCode.startsWith(actor.scope);
      const expected = (await t.ctx.db.selectFrom("cases").select("community_code").execute()).filter((row) => inScope(row.community_code)).length;
      for (const query of ["limit=200", "limit=200&q=矩阵", "limit=200&status=reported"]) {
        const listed = await t.app.inject({ method: "GET", url: `/api/v1/cases?${query}`, headers: { cookie: cookies.get(username) ?? "" } });
        const communities = (listed.json().cases as { communityCode: string }[]).map((summary) => summary.communityCode);
        expect(communities.filter((code) => !inScope(code)), `${username} ?${query}`).toEqual([]);
        expect(communities, `${username} ?${query}`).toHaveLength(expected);
      }
      if (!actor.permissions.includes("case.export")) continue;
      const exported = await t.app.inject({ method: "GET", url: "/api/v1/cases/export", headers: { cookie: cookies.get(username) ?? "" } });
      const [header, ...lines] = exported.body.slice(1).trim().split("\r\n");
      const column = header.split(",").indexOf("community");
      const communities = lines.map((line) => line.split(",")[column]);
      expect(communities.filter((code) => !inScope(code)), `${username} export`).toEqual([]);
      expect(communities, `${username} export`).toHaveLength(expected);
    }
  });

  for (const username of ACTORS) {
    it(`gives ${username} exactly what their role and scope allow`, async () => {
      const actor = actors.get(username);
      if (!actor) throw new Error(username);
      const { inside, outside } = await targets(actor.scope);
      for (const [id, operation] of Object.entries(OPERATIONS)) {
        if (id === "logout") continue; // would end the session the other rows use; covered in auth tests
        const allowed = operation.access === "public" || operation.access === "signed-in" || actor.permissions.includes(operation.access);
        const send = (target: Target) => {
          const request = operation.request(target);
          return t.app.inject({ ...request, headers: { ...request.headers, cookie: cookies.get(username) ?? "" } });
        };
        const answer = await send(inside);
        const label = `${username} ${id}`;
        if (!allowed) {
          expect(answer.statusCode, label).toBe(403);
          expect(answer.json().error.code, label).toBe("forbidden");
          continue;
        }
        expect(answer.statusCode, `${label} in scope: ${answer.body.slice(0, 200)}`).toBe(operation.ok);
        if (operation.scoped) {
          const outsideAnswer = await send(outside);
          expect(outsideAnswer.statusCode, `${label} out of scope`).toBe(404);
        }
      }
    });
  }
});
