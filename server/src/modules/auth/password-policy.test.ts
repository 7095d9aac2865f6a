import { describe, expect, it } from "vitest";
import { passwordProblem } from "./password-policy.ts";

describe("password policy", () => {
  it("wants at least 10 characters", () => {
    expect(passwordProblem("Xq7#pL2v!", "lin")?.rule).toBe("length");
    expect(passwordProblem("Xq7#pL2v!w", "lin")).toBeNull();
  });

  it("refuses the commonest passwords, Chinese patterns included, whatever their case", () => {
    for (const password of ["qwertyuiop", "woaini1314", "5201314520", "1234567890", "QWERTYUIOP", "1qaz2wsx3edc", "password123"]) {
      expect(passwordProblem(password, "lin")?.rule, password).toBe("common");
    }
  });

  it("refuses a password containing the user name", () => {
    expect(passwordProblem("wang.lei-2026!", "wang.lei")?.rule).toBe("username");
    expect(passwordProblem("My-WANG.LEI-pass", "wang.lei")?.rule).toBe("username");
  });

  it("accepts the demo passwords", () => {
    expect(passwordProblem("gridgov-demo", "admin")).toBeNull();
    expect(passwordProblem("demo-pass-123", "admin")).toBeNull();
  });
});
