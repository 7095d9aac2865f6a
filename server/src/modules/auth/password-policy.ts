import fs from "node:fs";
import { AppError } from "../../errors.ts";

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 256;

/** The bundled list of the commonest passwords (data/README.md says where it comes from), lower case. */
const COMMON_PASSWORDS_FILE = new URL("../../../data/common-passwords.txt", import.meta.url);
let common: Set<string> | undefined;

function commonPasswords(): Set<string> {
  common ??= new Set(fs.readFileSync(COMMON_PASSWORDS_FILE, "utf8").split("\n").filter(Boolean));
  return common;
}

/** A refused password: answered as 400 `weak_password`, with the rule it breaks in the details. */
export type PasswordProblem = { rule: "length" | "common" | "username"; message: string };

/**
 * Why a password may not be chosen, or null when it may: at least 10 characters, not one of the
 * commonest passwords, and not containing the account's user name (case ignored for both).
 */
export function passwordProblem(password: string, username: string): PasswordProblem | null {
  if ([...password].length < MIN_PASSWORD_LENGTH) {
    return { rule: "length", message: `A password has at least ${MIN_PASSWORD_LENGTH} characters` };
  }
  const lower = password.toLowerCase();
  if (commonPasswords().has(lower)) {
    return { rule: "common", message: "This password is among the most common ones: choose another" };
  }
  if (lower.includes(username.toLowerCase())) {
    return { rule: "username", message: "A password may not contain the user name" };
  }
  return null;
}

/** Throws 400 `weak_password` when the policy refuses the password. */
export function requireAcceptablePassword(password: string, username: string): void {
  const problem = passwordProblem(password, username);
  if (problem) throw new AppError(400, "weak_password", problem.message, { rule: problem.rule });
}
