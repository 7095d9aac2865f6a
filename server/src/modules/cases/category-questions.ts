import type { CaseAnswer, CategoryQuestion } from "../../db/schema.ts";
import { STAFF_ROLES, type Role } from "../people/roles.ts";

/**
 * A category's extra questions and the answers a case gives them (docs/decisions/0022). Pure: the
 * same rules for every channel that files a case under a category (intake, registration,
 * reclassification, later the apps and Open311).
 */

export type QuestionType = CategoryQuestion["type"];
export const QUESTION_TYPES: readonly QuestionType[] = ["number", "choice", "text", "yes_no"];
export const MAX_QUESTIONS = 20;
/** A text answer is at most this long when its question sets no maxLength. */
export const TEXT_ANSWER_MAX = 500;

/** Why one question's answer, or one question's definition, was refused; `code` names the question. */
export type QuestionProblem = {
  code: string;
  problem:
    | "required"
    | "wrong_type"
    | "not_a_choice"
    | "below_min"
    | "above_max"
    | "too_long"
    | "not_asked"
    | "duplicate_code"
    | "choices_required"
    | "choices_not_allowed"
    | "bounds_not_allowed"
    | "min_above_max";
};

/** Who answers: the public is asked only the public questions; staff are asked every question. */
export type Answerer = "public" | "staff";

/** Staff answer every question; anyone else (anonymous, residents, merchants) only the public ones. */
export const answererOf = (actor: { roles: readonly Role[] } | null): Answerer =>
  actor !== null && actor.roles.some((role) => STAFF_ROLES.includes(role)) ? "staff" : "public";

/** The problems of a list of question definitions (the shape itself is checked by the route's schema). */
export function questionProblems(questions: readonly CategoryQuestion[]): QuestionProblem[] {
  const problems: QuestionProblem[] = [];
  const seen = new Set<string>();
  for (const question of questions) {
    const add = (problem: QuestionProblem["problem"]) => problems.push({ code: question.code, problem });
    if (seen.has(question.code)) add("duplicate_code");
    seen.add(question.code);
    if (question.type === "choice") {
      if (!question.choices?.length) add("choices_required");
      else if (new Set(question.choices.map((choice) => choice.value)).size !== question.choices.length) add("duplicate_code");
    } else if (question.choices !== undefined) add("choices_not_allowed");
    if ((question.min !== undefined || question.max !== undefined) && question.type !== "number") add("bounds_not_allowed");
    if (question.maxLength !== undefined && question.type !== "text") add("bounds_not_allowed");
    if (question.min !== undefined && question.max !== undefined && question.min > question.max) add("min_above_max");
  }
  return problems;
}

/** The questions an answerer is asked, in order. */
export const questionsFor = (questions: readonly CategoryQuestion[], answerer: Answerer) =>
  answerer === "staff" ? [...questions] : questions.filter((question) => question.public);

const isBlank = (value: unknown) => value === undefined || value === null || (typeof value === "string" && value.trim() === "");

/** One answer checked against its question: the stored form, or why it is refused. */
function answerOf(question: CategoryQuestion, position: number, value: unknown): CaseAnswer | QuestionProblem["problem"] {
  const kept = { label: question.label, type: question.type, public: question.public, position };
  switch (question.type) {
    case "number": {
      if (typeof value !== "number" || !Number.isFinite(value)) return "wrong_type";
      if (question.min !== undefined && value < question.min) return "below_min";
      if (question.max !== undefined && value > question.max) return "above_max";
      return { ...kept, value };
    }
    case "yes_no":
      return typeof value === "boolean" ? { ...kept, value } : "wrong_type";
    case "text": {
      if (typeof value !== "string") return "wrong_type";
      const text = value.trim();
      return text.length > (question.maxLength ?? TEXT_ANSWER_MAX) ? "too_long" : { ...kept, value: text };
    }
    case "choice": {
      if (typeof value !== "string") return "wrong_type";
      const choice = question.choices?.find((option) => option.value === value);
      return choice ? { ...kept, value, choice: { zh: choice.zh, en: choice.en } } : "not_a_choice";
    }
  }
}

/**
 * Checks the answers given for a category's questions and turns them into what the case stores,
 * each answer keeping its question's label, type and visibility as they are now. Every problem is
 * reported, by question code: a required question left blank, a value of the wrong type or out of
 * bounds, an answer to a question this answerer is not asked (or that does not exist). A blank
 * answer to an optional question is no answer.
 */
export function checkAnswers(
  questions: readonly CategoryQuestion[],
  given: Readonly<Record<string, unknown>>,
  answerer: Answerer,
): { answers: Record<string, CaseAnswer>; problems: QuestionProblem[] } {
  const asked = questionsFor(questions, answerer);
  const problems: QuestionProblem[] = [];
  const answers: Record<string, CaseAnswer> = {};
  for (const code of Object.keys(given)) {
    if (!asked.some((question) => question.code === code)) problems.push({ code, problem: "not_asked" });
  }
  for (const question of asked) {
    const value = given[question.code];
    if (isBlank(value)) {
      if (question.required) problems.push({ code: question.code, problem: "required" });
      continue;
    }
    const answer = answerOf(question, questions.indexOf(question), value);
    if (typeof answer === "string") problems.push({ code: question.code, problem: answer });
    else answers[question.code] = answer;
  }
  return { answers, problems };
}

/** Stored answers in the order their questions were asked. */
export const orderedAnswers = (answers: Readonly<Record<string, CaseAnswer>>): CaseAnswer[] =>
  Object.values(answers).sort((a, b) => a.position - b.position);

/** The answers the public may see: never a staff-only one. */
export function publicAnswers(answers: Readonly<Record<string, CaseAnswer>>): Record<string, CaseAnswer> {
  return Object.fromEntries(Object.entries(answers).filter(([, answer]) => answer.public));
}

/** The raw values of stored answers, keyed by question code: what a later check starts from. */
export const answerValues = (answers: Readonly<Record<string, CaseAnswer>>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(answers).map(([code, answer]) => [code, answer.value]));

/** Answers in one readable line for an export: "标签: 值; 标签: 值", in Chinese as the labels were when answered. */
export function answersText(answers: Readonly<Record<string, CaseAnswer>>): string {
  return orderedAnswers(answers)
    .map((answer) => {
      const value =
        answer.type === "yes_no" ? (answer.value ? "是" : "否") : answer.type === "choice" ? (answer.choice?.zh ?? String(answer.value)) : String(answer.value);
      return `${answer.label.zh}: ${value}`;
    })
    .join("; ");
}
