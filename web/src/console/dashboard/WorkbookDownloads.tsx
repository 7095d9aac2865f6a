import { useState } from "react";
import { useMutation } from "@tanstack/react-query";
import { Button, Select, Space, Typography } from "antd";
import { DownloadOutlined } from "@ant-design/icons";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";
import { saveFile } from "../../api/save-file";
import type { Grouping, RankingKind } from "./data";

/** The groupings offered for the workbook: divisions, departments, categories, sources, levels, days. */
const WORKBOOK_GROUPINGS = ["none", "street", "community", "grid", "department", "category", "source", "level", "day"] as const;
type WorkbookGrouping = (typeof WORKBOOK_GROUPINGS)[number];

/** Downloads the indicators the dashboard shows (its division and period) as an Excel workbook, grouped as chosen. */
export function IndicatorsDownload({ division, days }: { division: string; days: { from: string; to: string } }) {
  const { t } = useTranslation("dashboard");
  // A street has no streets under it, a community no communities.
  const offered = WORKBOOK_GROUPINGS.filter((grouping) => !(grouping === "street" && division.length > 6) && !(grouping === "community" && division.length > 9));
  const [grouping, setGrouping] = useState<WorkbookGrouping>(division.length > 6 ? "community" : "street");
  const shown = offered.includes(grouping) ? grouping : "none";
  const download = useMutation({
    mutationFn: async () => {
      const groupBy = shown === "none" ? undefined : (shown as Grouping);
      const query = { division, from: days.from, to: days.to, ...(groupBy ? { groupBy } : {}) };
      const blob = (await unwrap(api.GET("/api/v1/exchange/exports/indicators.xlsx", { params: { query }, parseAs: "blob" }))) as Blob;
      saveFile(blob, `indicators-${division}-${days.from}-${days.to}.xlsx`);
    },
  });
  return (
    <Space wrap>
      <Select
        aria-label={t("workbook.grouping")}
        style={{ width: 150 }}
        value={shown}
        options={offered.map((value) => ({ value, label: t(`workbook.by.${value}`) }))}
        onChange={setGrouping}
      />
      <Button icon={<DownloadOutlined />} loading={download.isPending} onClick={() => download.mutate()}>
        {t("workbook.indicators")}
      </Button>
      {download.isError ? <Typography.Text type="danger">{t("workbook.failed")}</Typography.Text> : null}
    </Space>
  );
}

/** Downloads the whole ranking of a kind and period as an Excel workbook. */
export function RankingDownload({ kind, period }: { kind: RankingKind; period: string }) {
  const { t } = useTranslation("dashboard");
  const download = useMutation({
    mutationFn: async () => {
      const blob = (await unwrap(api.GET("/api/v1/exchange/exports/rankings.xlsx", { params: { query: { kind, period } }, parseAs: "blob" }))) as Blob;
      saveFile(blob, `rankings-${kind}-${period}.xlsx`);
    },
  });
  return (
    <Space>
      <Button size="small" icon={<DownloadOutlined />} loading={download.isPending} onClick={() => download.mutate()}>
        {t("workbook.ranking")}
      </Button>
      {download.isError ? <Typography.Text type="danger">{t("workbook.failed")}</Typography.Text> : null}
    </Space>
  );
}
