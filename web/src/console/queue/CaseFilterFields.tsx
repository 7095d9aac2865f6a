import { useMemo } from "react";
import { useQuery } from "@tanstack/react-query";
import { Input, Select, Space } from "antd";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";
import type { paths } from "../../api/schema";
import "../messages";
import { LEVELS, SOURCES, type QueueFilters, type STATUSES } from "./filters";

type Category = paths["/api/v1/categories"]["get"]["responses"][200]["content"]["application/json"]["categories"][number];
type Option = { value: string; label: string };
export type OptionGroup = { label: string; title: string; options: Option[] };

/** The categories as groups under their top-level category, each option named with its parents' names. */
export function categoryOptions(categories: Category[]): OptionGroup[] {
  const byCode = new Map(categories.map((category) => [category.code, category]));
  const rootOf = (category: Category): Category => {
    let current = category;
    while (current.parentCode && byCode.has(current.parentCode)) current = byCode.get(current.parentCode) as Category;
    return current;
  };
  const groups = new Map<string, OptionGroup>();
  for (const category of categories) {
    const root = rootOf(category);
    const group = groups.get(root.code) ?? { label: root.name, title: root.name, options: [] };
    groups.set(root.code, group);
    const parent = category.parentCode ? byCode.get(category.parentCode) : undefined;
    const label = category === root ? category.name : parent && parent !== root ? `${parent.name} / ${category.name}` : category.name;
    group.options.push({ value: category.code, label });
  }
  return [...groups.values()];
}

type Props = {
  /** Makes the ids of this bar's elements unique on the page ("queue", "case-map"). */
  idPrefix: string;
  filters: QueueFilters;
  update: (change: Partial<QueueFilters>) => void;
  /** The statuses the page offers (the map: the open ones). */
  statuses: readonly (typeof STATUSES)[number][];
  /** The divisions under the scope, where the page filters by them. */
  divisions?: { options: (Option | OptionGroup)[]; loading: boolean };
};

/**
 * The case filters the queues and the map share, in the queues' words and URL parameters, so that
 * a link shows the same cases in both: status, category, division (where offered), level, source
 * and period. Placed inside the page's own filter bar, beside its own controls.
 */
export default function CaseFilterFields({ idPrefix, filters, update, statuses, divisions }: Props) {
  const { t } = useTranslation("console");
  const categories = useQuery({ queryKey: ["categories"], queryFn: () => unwrap(api.GET("/api/v1/categories")), staleTime: Infinity });
  const categoryChoices = useMemo(() => categoryOptions(categories.data?.categories ?? []), [categories.data]);
  const periodId = `${idPrefix}-period`;
  return (
    <>
      <Select
        className="queue-filters__status"
        aria-label={t("queue.status")}
        mode="multiple"
        allowClear
        maxTagCount="responsive"
        placeholder={t("queue.status")}
        value={filters.statuses}
        onChange={(chosen: string[]) => update({ statuses: chosen })}
        options={statuses.map((status) => ({ value: status, label: t(`status.${status}`) }))}
      />
      <Select
        className="queue-filters__category"
        aria-label={t("queue.category")}
        allowClear
        showSearch={{ optionFilterProp: "label" }}
        placeholder={t("queue.category")}
        value={filters.category}
        onChange={(category?: string) => update({ category })}
        options={categoryChoices}
        loading={categories.isPending}
        popupMatchSelectWidth={300}
      />
      {divisions ? (
        <Select
          className="queue-filters__division"
          aria-label={t("queue.division")}
          allowClear
          showSearch={{ optionFilterProp: "label" }}
          placeholder={t("queue.division")}
          value={filters.division}
          onChange={(division?: string) => update({ division })}
          options={divisions.options}
          loading={divisions.loading}
          popupMatchSelectWidth={240}
        />
      ) : null}
      <Select
        className="queue-filters__level"
        aria-label={t("queue.level")}
        allowClear
        placeholder={t("queue.level")}
        value={filters.level}
        onChange={(level?: QueueFilters["level"]) => update({ level })}
        options={LEVELS.map((level) => ({ value: level, label: t(`level.${level}`) }))}
      />
      <Select
        className="queue-filters__source"
        aria-label={t("queue.source")}
        allowClear
        placeholder={t("queue.source")}
        value={filters.source}
        onChange={(source?: string) => update({ source })}
        options={SOURCES.map((source) => ({ value: source, label: t(`source.${source}`) }))}
        popupMatchSelectWidth={140}
      />
      <div className="queue-filters__period" role="group" aria-labelledby={periodId}>
        <span className="queue-filters__label" id={periodId}>
          {t("queue.period")}
        </span>
        <Space.Compact>
          <Input
            type="date"
            aria-label={t("queue.periodFrom")}
            value={filters.from ?? ""}
            max={filters.to}
            onChange={(event) => update({ from: event.target.value || undefined })}
          />
          <Input
            type="date"
            aria-label={t("queue.periodTo")}
            value={filters.to ?? ""}
            min={filters.from}
            onChange={(event) => update({ to: event.target.value || undefined })}
          />
        </Space.Compact>
      </div>
    </>
  );
}
