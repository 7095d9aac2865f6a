import type { Messages } from "../../i18n/languages";

// A category's extra questions: asked at intake, shown on the case page, edited by administrators.
const zhCN = {
  "answers.title": "补充信息",
  "answers.staffOnly": "仅工作人员可见",
  "answers.yes": "是",
  "answers.no": "否",
  "fields.title": "类别补充问题",
  "fields.required": "请回答：{label}",
  "fields.number": "请输入数字",
  "fields.min": "不能小于 {min}",
  "fields.max": "不能大于 {max}",
  "fields.tooLong": "不能超过 {max} 个字",
  "fields.choose": "请选择",
  "fields.staffOnly": "（仅工作人员可见）",
  "problem.required": "必须回答",
  "problem.wrong_type": "类型不对",
  "problem.not_a_choice": "不是可选项",
  "problem.below_min": "小于最小值",
  "problem.above_max": "大于最大值",
  "problem.too_long": "过长",
  "problem.not_asked": "不是该类别的问题",
  "problem.summary": "补充问题未答完或有误：{list}",
};

const en: Record<keyof typeof zhCN, string> = {
  "answers.title": "Further details",
  "answers.staffOnly": "Staff only",
  "answers.yes": "Yes",
  "answers.no": "No",
  "fields.title": "Questions of the category",
  "fields.required": "Please answer: {label}",
  "fields.number": "Enter a number",
  "fields.min": "At least {min}",
  "fields.max": "At most {max}",
  "fields.tooLong": "At most {max} characters",
  "fields.choose": "Choose",
  "fields.staffOnly": "(staff only)",
  "problem.required": "must be answered",
  "problem.wrong_type": "wrong type",
  "problem.not_a_choice": "not one of the choices",
  "problem.below_min": "below the minimum",
  "problem.above_max": "above the maximum",
  "problem.too_long": "too long",
  "problem.not_asked": "not a question of this category",
  "problem.summary": "Questions unanswered or wrong: {list}",
};

const messages: Messages<typeof zhCN> = { "zh-CN": zhCN, en };
export default messages;
