import { useState } from "react";
import { useMutation } from "@tanstack/react-query";
import { Alert, App, Button, Card, Space, Table, Tag, Typography } from "antd";
import { UploadOutlined } from "@ant-design/icons";
import { useTranslation } from "react-i18next";
import { ApiError } from "../../api/client";
import { importGrids, type GridProblem } from "./adminApi";
import { adminError } from "./errors";
import { gridProblemText } from "./grid-problems";

type Checked = { name: string; collection: { type: string; features: unknown[] }; grids: number; problems: GridProblem[] };

/** Upload a GeoJSON grid file: every problem is shown by grid code; the file loads only once it has none. */
export default function GridImportSection() {
  const { t } = useTranslation("admin");
  const { message } = App.useApp();
  const [checked, setChecked] = useState<Checked | null>(null);
  const [unreadable, setUnreadable] = useState(false);

  const check = useMutation({
    mutationFn: async (file: File) => {
      let collection: { type: string; features: unknown[] };
      try {
        collection = JSON.parse(await file.text()) as typeof collection;
      } catch {
        setUnreadable(true);
        return null;
      }
      setUnreadable(false);
      try {
        const answer = await importGrids(collection, true);
        return { name: file.name, collection, grids: answer.grids, problems: answer.problems };
      } catch (error) {
        // A file that is no FeatureCollection answers with its one problem.
        if (error instanceof ApiError && error.code === "invalid_grids") {
          return { name: file.name, collection, grids: 0, problems: (error.details as { problems: GridProblem[] }).problems };
        }
        throw error;
      }
    },
    onSuccess: (result) => setChecked(result),
  });
  const load = useMutation({
    mutationFn: (current: Checked) => importGrids(current.collection, false),
    onSuccess: (answer) => {
      void message.success(t("grids.loaded", { count: answer.grids }));
      setChecked(null);
    },
    onError: (error) => {
      if (error instanceof ApiError && error.code === "invalid_grids" && checked) {
        setChecked({ ...checked, problems: (error.details as { problems: GridProblem[] }).problems });
      }
    },
  });

  return (
    <Card>
      <Typography.Paragraph type="secondary">{t("grids.hint")}</Typography.Paragraph>
      <Space direction="vertical" style={{ width: "100%" }}>
        <label className="ant-btn ant-btn-default" htmlFor="grid-file">
          <UploadOutlined /> {t("grids.choose")}
        </label>
        <input
          id="grid-file"
          type="file"
          accept=".json,.geojson,application/geo+json,application/json"
          aria-label={t("grids.file")}
          className="visually-hidden"
          style={{ position: "absolute", width: 1, height: 1, opacity: 0 }}
          onChange={(event) => {
            const file = event.target.files?.[0];
            event.target.value = "";
            setChecked(null);
            if (file) check.mutate(file);
          }}
        />
        {check.isPending && <Alert type="info" title={t("grids.checking")} />}
        {unreadable && <Alert type="error" showIcon title={t("grids.unreadable")} />}
        {check.isError && <Alert type="error" showIcon title={adminError(t, check.error)} />}
        {load.isError && !(load.error instanceof ApiError && load.error.code === "invalid_grids") && <Alert type="error" showIcon title={adminError(t, load.error)} />}
        {checked && checked.problems.length === 0 && (
          <Alert
            type="success"
            showIcon
            title={t("grids.valid", { count: checked.grids })}
            action={
              <Button type="primary" loading={load.isPending} onClick={() => load.mutate(checked)}>
                {t("grids.load", { count: checked.grids })}
              </Button>
            }
          />
        )}
        {checked && checked.problems.length > 0 && (
          <>
            <Alert type="error" showIcon title={t("grids.problems", { count: checked.problems.length })} />
            <Table<GridProblem>
              className="admin-problems"
              size="small"
              rowKey={(_row, index) => String(index)}
              pagination={false}
              dataSource={checked.problems}
              aria-label={t("grids.problems", { count: checked.problems.length })}
              columns={[
                {
                  title: t("grids.gridCodes"),
                  dataIndex: "gridCodes",
                  render: (codes: string[]) => (
                    <Space wrap>
                      {codes.map((code) => (
                        <code key={code}>{code}</code>
                      ))}
                    </Space>
                  ),
                },
                {
                  title: t("grids.problem"),
                  dataIndex: "code",
                  width: 180,
                  render: (code: string) => <Tag color="error">{t(`grids.problem.${code}` as "grids.problem.overlap", { defaultValue: code })}</Tag>,
                },
                { title: t("grids.message"), key: "message", render: (_: unknown, problem) => gridProblemText(t, problem) },
              ]}
            />
          </>
        )}
      </Space>
    </Card>
  );
}
