/** What a response template's placeholders are filled with, from the case the note is about. */
export type FillValues = { caseNumber: string; deadline: string | null; department: string | null };

const PLACEHOLDER = /\{(caseNumber|deadline|department)\}/g;

/**
 * A template's text with `{caseNumber}`, `{deadline}` and `{department}` replaced. A value the case
 * does not have yet (no department before dispatch) leaves its placeholder, for the user to see and
 * complete; any other brace is text.
 */
export function fillTemplate(body: string, values: FillValues): string {
  return body.replace(PLACEHOLDER, (whole, name: keyof FillValues) => values[name] ?? whole);
}

/** The note with a template's text added: a blank note takes it, a written one gets it on a new line. */
export function insertIntoNote(note: string | undefined, text: string): string {
  const current = note?.trimEnd() ?? "";
  return current === "" ? text : `${current}\n${text}`;
}
