import type { Messages } from "../../i18n";

// Joint handling (主办/协办) and returns that wait for the centre, on the case page and its forms.
const zhCN = {
  "action.co_acknowledge": "协办签收",
  "action.co_report": "协办反馈",
  "action.release_co_handler": "解除协办",
  "action.approve_return": "同意退回",
  "action.deny_return": "不同意退回",
  "form.coHandlers": "协办单位",
  "form.coHandlersHint": "主办单位办结前，须各协办单位反馈或由指挥员解除协办",
  "form.returnReason": "退回原因",
  "form.rejectReason": "不予立案原因",
  "form.reasonRequired": "请选择原因",
  "form.releaseDepartment": "解除协办的单位",
  "form.releaseDepartmentRequired": "请选择要解除的协办单位",
  "panel.title": "联合处置",
  "panel.lead": "主办单位",
  "panel.coHandler": "协办单位",
  "panel.none": "无协办单位",
  "coState.dispatched": "待签收",
  "coState.acknowledged": "处置中",
  "coState.reported": "已反馈",
  "coState.released": "已解除",
  "return.pending": "处置单位已申请退回，待指挥中心审核",
  "return.reason": "退回原因：{reason}",
  "error.co_handling_pending": "协办单位尚未全部反馈，主办单位暂不能办结；请等待协办反馈，或由指挥员解除协办",
  "error.unknown_reason": "该原因已停用或不存在，请重新选择",
};

const en: typeof zhCN = {
  "action.co_acknowledge": "Acknowledge co-handling",
  "action.co_report": "Report co-handled part",
  "action.release_co_handler": "Release co-handler",
  "action.approve_return": "Approve return",
  "action.deny_return": "Deny return",
  "form.coHandlers": "Co-handling departments",
  "form.coHandlersHint": "The lead completes only when every co-handler has reported or a dispatcher released it",
  "form.returnReason": "Reason for return",
  "form.rejectReason": "Reason for rejection",
  "form.reasonRequired": "Choose a reason",
  "form.releaseDepartment": "Co-handler to release",
  "form.releaseDepartmentRequired": "Choose the co-handler to release",
  "panel.title": "Joint handling",
  "panel.lead": "Lead department",
  "panel.coHandler": "Co-handling department",
  "panel.none": "No co-handling departments",
  "coState.dispatched": "To acknowledge",
  "coState.acknowledged": "Working",
  "coState.reported": "Reported",
  "coState.released": "Released",
  "return.pending": "The department asked to return this case; waiting for the centre's decision",
  "return.reason": "Reason: {reason}",
  "error.co_handling_pending": "Not every co-handling department has reported: the lead cannot complete yet. Wait for them, or a dispatcher releases one",
  "error.unknown_reason": "That reason is no longer in use; choose another",
};

const messages: Messages<typeof zhCN> = { "zh-CN": zhCN, en };
export default messages;
