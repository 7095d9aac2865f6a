import { fetchDivision, type Division, type Me } from "../api/client";

type Option = { value: string; label: string };
type OptionGroup = { label: string; title: string; options: Option[] };

/** How many levels below the scope the console reads, so that streets and communities are both there. */
export function divisionDepth(level: string): number {
  return level === "community" ? 0 : level === "street" ? 1 : 2;
}

/**
 * The divisions under the user's scope without their outlines: for names and choices (the queue's
 * places and division filter, the users' scopes). One query for every page that asks.
 */
export const scopeDivisionsQuery = (scope: Me["scope"]) => ({
  queryKey: ["division", scope?.code ?? "", "names"] as const,
  queryFn: () => fetchDivision(scope?.code ?? "", divisionDepth(scope?.level ?? "community"), false),
  enabled: scope !== null,
  staleTime: Infinity,
});

/** Every division's name by its code. */
export function namesOf(division: Division | undefined, into = new Map<string, string>()): Map<string, string> {
  if (!division) return into;
  into.set(division.code, division.name);
  for (const child of division.children ?? []) namesOf(child, into);
  return into;
}

/** The scope and the divisions under it as choices, a street's communities in a group under it. */
export function divisionOptions(division: Division): (Option | OptionGroup)[] {
  const own: Option = { value: division.code, label: division.name };
  const children = division.children ?? [];
  if (children.every((child) => !child.children?.length)) return [own, ...children.map((child) => ({ value: child.code, label: child.name }))];
  return [
    own,
    ...children.map((child) => ({
      label: child.name,
      title: child.name,
      options: [{ value: child.code, label: child.name }, ...(child.children ?? []).map((c) => ({ value: c.code, label: c.name }))],
    })),
  ];
}

/** The choices of a division select: the scope and its divisions, or the scope alone while they load or if they cannot be read. */
export function divisionChoices(scope: Me["scope"], division: Division | undefined): (Option | OptionGroup)[] {
  if (division) return divisionOptions(division);
  return scope ? [{ value: scope.code, label: scope.name }] : [];
}
