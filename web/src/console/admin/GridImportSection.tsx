import { useState } from "react";
import { useMutation } from "@tanstack/react-query";
import { Alert, App, Button, Card, Input, Select, Space, Table, Tag, Typography } from "antd";
import { UploadOutlined } from "@ant-design/icons";
import { useTranslation } from "react-i18next";
import { ApiError } from "../../api/client";
import { importGridShapefile, importGrids, type GridProblem, type ShapefileOptions } from "./adminApi";
import { adminError } from "./errors";
import { gridProblemText } from "./grid-problems";

type Source = { collection: { type: string; features: unknown[] } } | { zip: File; options: ShapefileOptions };
type Checked = { name: string; source: Source; grids: number; problems: GridProblem[] };

// Codes of a zipped Shapefile refused whole, said in the reader's language.
const FILE_ERRORS = ["shapefile_part_missing", "several_shapefiles", "invalid_shapefile", "not_polygons", "projected_crs", "unsupported_crs", "crs_mismatch", "shapefile_field_missing", "shapefile_field_ambiguous", "zip_bomb"];

const send = (source: Source, dryRun: boolean) => ("zip" in source ? importGridShapefile(source.zip, dryRun, source.options) : importGrids(source.collection, dryRun));

/** Upload a GeoJSON or zipped Shapefile grid file: every problem is shown by grid code; the file loads only once it has none. */
export default function GridImportSection() {
  const { t } = useTranslation("admin");
  const { message } = App.useApp();
  const [checked, setChecked] = useState<Checked | null>(null);
  const [unreadable, setUnreadable] = useState(false);

  const [options, setOptions] = useState<ShapefileOptions>({ crs: "wgs84" });
  const check = useMutation({
    mutationFn: async (file: File) => {
      let source: Source;
      if (/\.zip$/i.test(file.name)) source = { zip: file, options };
      else {
        try {
          source = { collection: JSON.parse(await file.text()) as { type: string; features: unknown[] } };
        } catch {
          setUnreadable(true);
          return null;
        }
      }
      setUnreadable(false);
      try {
        const answer = await send(source, true);
        return { name: file.name, source, grids: answer.grids, problems: answer.problems };
      } catch (error) {
        // A file that is no FeatureCollection answers with its one problem.
        if (error instanceof ApiError && error.code === "invalid_grids") {
          return { name: file.name, source, grids: 0, problems: (error.details as { problems: GridProblem[] }).problems };
        }
        throw error;
      }
    },
    onSuccess: (result) => setChecked(result),
  });
  const load = useMutation({
    mutationFn: (current: Checked) => send(current.source, false),
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

  const fileError = (error: unknown) =>
    error instanceof ApiError && FILE_ERRORS.includes(error.code)
      ? t(`grids.file.${error.code}` as "grids.file.zip_bomb", { message: error.message, part: (error.details as { part?: string } | undefined)?.part ?? "" })
      : adminError(t, error);

  return (
    <Card>
      <Typography.Paragraph type="secondary">{t("grids.hint")}</Typography.Paragraph>
      <Space direction="vertical" style={{ width: "100%" }}>
        <Space wrap>
          <Select<ShapefileOptions["crs"]>
            aria-label={t("grids.crs")}
            style={{ width: 320 }}
            value={options.crs}
            onChange={(crs) => setOptions({ ...options, crs })}
            options={[
              { value: "wgs84", label: t("grids.crs.wgs84") },
              { value: "gcj02", label: t("grids.crs.gcj02") },
            ]}
          />
          <Input aria-label={t("grids.codeField")} placeholder={t("grids.codeField")} style={{ width: 250 }} value={options.codeField ?? ""} onChange={(event) => setOptions({ ...options, codeField: event.target.value.trim() || undefined })} />
          <Input aria-label={t("grids.nameField")} placeholder={t("grids.nameField")} style={{ width: 250 }} value={options.nameField ?? ""} onChange={(event) => setOptions({ ...options, nameField: event.target.value.trim() || undefined })} />
        </Space>
        <label className="ant-btn ant-btn-default" htmlFor="grid-file">
          <UploadOutlined /> {t("grids.choose")}
        </label>
        <input
          id="grid-file"
          type="file"
          accept=".json,.geojson,.zip,application/geo+json,application/json,application/zip"
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
        {check.isError && <Alert type="error" showIcon title={fileError(check.error)} />}
        {load.isError && !(load.error instanceof ApiError && load.error.code === "invalid_grids") && <Alert type="error" showIcon title={fileError(load.error)} />}
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
