import type { paths } from "../../api/schema";

type Json<Op> = Op extends { responses: { 200: { content: { "application/json": infer Body } } } } ? Body : never;

export type Question = Json<paths["/api/v1/categories"]["get"]>["categories"][number]["questions"][number];
export type Answer = Json<paths["/api/v1/cases/{id}"]["get"]>["case"]["answers"][string];
export type Label = { zh: string; en: string };

/** A label in the interface's language. */
export const labelIn = (label: Label, language: string) => (language.startsWith("zh") ? label.zh : label.en);

/** The problems of an `answers_invalid` answer, by question code. */
export function answerProblems(details: unknown): { code: string; problem: string }[] {
  const questions = (details as { questions?: unknown } | null)?.questions;
  return Array.isArray(questions) ? (questions as { code: string; problem: string }[]) : [];
}
