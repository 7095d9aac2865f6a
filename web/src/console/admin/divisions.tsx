import { useMemo } from "react";
import { useQuery } from "@tanstack/react-query";
import { Select, type SelectProps } from "antd";
import { useTranslation } from "react-i18next";
import { useMe } from "../../session";
import { divisionOptions, namesOf, scopeDivisionsQuery } from "../scope-divisions";

/** The divisions under the administrator's scope, names only. */
function useScopeDivisions() {
  return useQuery(scopeDivisionsQuery(useMe().scope));
}

/** The administrator's divisions by code, for the tables: a code shows as its name with the code beside it. */
export function useDivisionNames(): Map<string, string> {
  const divisions = useScopeDivisions();
  return useMemo(() => namesOf(divisions.data), [divisions.data]);
}

/** A division code in a table cell: its name, the code beside it; the code alone when it is not a division of the scope. */
export function DivisionName({ code, names }: { code: string | null; names: Map<string, string> }) {
  if (!code) return null;
  const name = names.get(code);
  return name ? (
    <span className="admin-scope">
      {name}
      <span className="admin-scope__code">{code}</span>
    </span>
  ) : (
    <span className="admin-code">{code}</span>
  );
}

/** A choice of the district, its streets and communities by name (searchable), for a form's division code. */
export function DivisionSelect(props: Omit<SelectProps<string>, "options" | "showSearch" | "loading">) {
  const { t } = useTranslation("admin");
  const divisions = useScopeDivisions();
  const options = useMemo(() => (divisions.data ? divisionOptions(divisions.data) : []), [divisions.data]);
  return (
    <Select<string>
      placeholder={t("division.placeholder")}
      {...props}
      showSearch={{ optionFilterProp: "label" }}
      loading={divisions.isPending}
      options={options}
      // Unreadable, the choice says so, and asks again when opened.
      status={divisions.isError ? "error" : undefined}
      notFoundContent={divisions.isError ? t("division.loadError") : undefined}
      onOpenChange={(open) => {
        if (open && divisions.isError) void divisions.refetch();
      }}
    />
  );
}
