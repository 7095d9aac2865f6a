import { describe, expect, it } from "vitest";
import type { CategoryQuestion } from "../../db/schema.ts";
import { answersText, checkAnswers, publicAnswers, questionProblems } from "./category-questions.ts";

const label = (zh: string) => ({ zh, en: zh });
const depth: CategoryQuestion = { code: "depth_cm", label: label("坑深(厘米)"), type: "number", required: true, public: true, min: 1, max: 500 };
const cover: CategoryQuestion = {
  code: "cover",
  label: label("井盖状态"),
  type: "choice",
  choices: [
    { value: "missing", zh: "缺失", en: "Missing" },
    { value: "broken", zh: "破损", en: "Broken" },
  ],
  required: false,
  public: true,
};
const injured: CategoryQuestion = { code: "injured", label: label("有人受伤"), type: "yes_no", required: true, public: false };
const remark: CategoryQuestion = { code: "remark", label: label("补充"), type: "text", required: false, public: true, maxLength: 5 };
const questions = [depth, cover, injured, remark];

describe("checkAnswers", () => {
  it("keeps each answer with its question's label, type and visibility", () => {
    const { answers, problems } = checkAnswers(questions, { depth_cm: 30, cover: "broken", injured: false, remark: " 很深 " }, "staff");
    expect(problems).toEqual([]);
    expect(answers).toEqual({
      depth_cm: { value: 30, label: depth.label, type: "number", public: true, position: 0 },
      cover: { value: "broken", label: cover.label, type: "choice", public: true, position: 1, choice: { zh: "破损", en: "Broken" } },
      injured: { value: false, label: injured.label, type: "yes_no", public: false, position: 2 },
      remark: { value: "很深", label: remark.label, type: "text", public: true, position: 3 },
    });
  });

  it("reports every problem by question code", () => {
    const { problems } = checkAnswers(questions, { depth_cm: "30", cover: "gone", remark: "太长的一段话", extra: 1 }, "staff");
    expect(problems).toEqual([
      { code: "extra", problem: "not_asked" },
      { code: "depth_cm", problem: "wrong_type" },
      { code: "cover", problem: "not_a_choice" },
      { code: "injured", problem: "required" },
      { code: "remark", problem: "too_long" },
    ]);
  });

  it("checks bounds and treats a blank optional answer as none", () => {
    expect(checkAnswers([depth], { depth_cm: 0 }, "staff").problems).toEqual([{ code: "depth_cm", problem: "below_min" }]);
    expect(checkAnswers([depth], { depth_cm: 501 }, "staff").problems).toEqual([{ code: "depth_cm", problem: "above_max" }]);
    expect(checkAnswers([depth], { depth_cm: Number.NaN }, "staff").problems).toEqual([{ code: "depth_cm", problem: "wrong_type" }]);
    expect(checkAnswers([remark], { remark: "  " }, "staff")).toEqual({ answers: {}, problems: [] });
    expect(checkAnswers([injured], { injured: "yes" }, "staff").problems).toEqual([{ code: "injured", problem: "wrong_type" }]);
  });

  it("asks the public only the public questions and refuses an answer to a staff-only one", () => {
    expect(checkAnswers(questions, { depth_cm: 10 }, "public").problems).toEqual([]);
    expect(checkAnswers(questions, { depth_cm: 10, injured: true }, "public").problems).toEqual([{ code: "injured", problem: "not_asked" }]);
  });
});

describe("publicAnswers and answersText", () => {
  const { answers } = checkAnswers(questions, { depth_cm: 30, cover: "missing", injured: true }, "staff");
  it("leaves out staff-only answers", () => expect(Object.keys(publicAnswers(answers))).toEqual(["depth_cm", "cover"]));
  it("reads as one line in Chinese", () => expect(answersText(answers)).toBe("坑深(厘米): 30; 井盖状态: 缺失; 有人受伤: 是"));
});

describe("questionProblems", () => {
  it("accepts a sound list", () => expect(questionProblems(questions)).toEqual([]));
  it("refuses repeated codes, a choice without choices, bounds on the wrong type, min above max", () => {
    expect(
      questionProblems([
        depth,
        { ...depth, min: 9, max: 1 },
        { ...cover, choices: [] },
        { ...remark, min: 1 },
        { ...injured, choices: [{ value: "a", zh: "a", en: "a" }] },
      ]),
    ).toEqual([
      { code: "depth_cm", problem: "duplicate_code" },
      { code: "depth_cm", problem: "min_above_max" },
      { code: "cover", problem: "choices_required" },
      { code: "remark", problem: "bounds_not_allowed" },
      { code: "injured", problem: "choices_not_allowed" },
    ]);
  });
});
