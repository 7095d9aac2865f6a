/**
 * The placeholders a response template (常用语) may hold; the console fills them from the case
 * when a template is picked (web/src/console/templates/fill.ts).
 */
export const PLACEHOLDERS = ["caseNumber", "deadline", "department"] as const;

/** The `{name}` placeholders in a text that are not ones the console fills. */
export function unknownPlaceholders(text: string): string[] {
  const names = [...text.matchAll(/\{([A-Za-z]+)\}/g)].map((match) => match[1]);
  return [...new Set(names.filter((name) => !(PLACEHOLDERS as readonly string[]).includes(name)))];
}
