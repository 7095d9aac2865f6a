import { useMemo, useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Alert, Button, Checkbox, Form, Input, Modal, Result, Select, Typography } from "antd";
import { useTranslation } from "react-i18next";
import { api, ApiError, unwrap } from "../../api/client";
import { useDepartments } from "../cases/caseApi";
import type { BulkAction, BulkAnswer, BulkBody, BulkRefusal, Selected } from "./bulk";
import messages from "./tools-messages";

type Props = {
  action: BulkAction;
  selected: Selected[];
  onClose: () => void;
  onSelect: (cases: Selected[]) => void;
};

type Values = { departmentCode?: string; note?: string; publicNote?: boolean };

type RefusalKey = keyof (typeof messages)["zh-CN"] & `refusal.${string}`;
const isRefusalKey = (key: string): key is RefusalKey => key in messages["zh-CN"];

/**
 * The parameters of a bulk action, then its report: how many were done, and each case left undone
 * with its reason, which can be selected again to retry. The request carries an Idempotency-Key
 * made when the dialog opens, so that a second click or a retry after a lost answer acts once.
 */
export default function BulkDialog({ action, selected, onClose, onSelect }: Props) {
  const { t } = useTranslation("tools");
  const queryClient = useQueryClient();
  const [form] = Form.useForm<Values>();
  // 128 random bits; getRandomValues, unlike randomUUID, also works on an intranet served over plain HTTP.
  const [key] = useState(() => Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, "0")).join(""));
  const [cases] = useState(selected);
  const assigning = action === "dispatch" || action === "reassign";
  const departments = useDepartments(assigning);
  // The departments that serve every selected case's community; a department that serves only some
  // would be refused for the others.
  const reachable = useMemo(() => {
    const all = departments.data ?? [];
    const everywhere = all.filter((department) => cases.every((c) => c.communityCode.startsWith(department.divisionCode)));
    return everywhere.length ? everywhere : all;
  }, [departments.data, cases]);

  const run = useMutation({
    mutationFn: (values: Values) => {
      const body: BulkBody = { action, cases: cases.map((c) => ({ id: c.id })) };
      if (values.note?.trim()) body.note = values.note.trim();
      if (values.publicNote) body.publicNote = true;
      if (assigning && values.departmentCode) body.to = { departmentCode: values.departmentCode };
      return unwrap(api.POST("/api/v1/cases/bulk", { params: { header: { "idempotency-key": key } }, body }));
    },
    onSettled: () => void queryClient.invalidateQueries({ queryKey: ["cases"] }),
  });

  const actionName = t(`bulk.${action}`);
  if (run.data) return <BulkReport answer={run.data} cases={cases} actionName={actionName} onClose={onClose} onSelect={onSelect} />;

  return (
    <Modal
      open
      title={t(`bulk.${action}Title`, { count: cases.length })}
      okText={t("bulk.submit")}
      confirmLoading={run.isPending}
      onOk={() => form.submit()}
      onCancel={onClose}
      maskClosable={false}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">{t("bulk.hint")}</Typography.Paragraph>
      {run.isPending && <Alert type="info" showIcon title={t("bulk.running", { count: cases.length })} className="bulk-dialog__alert" />}
      {run.isError && (
        <Alert
          type="error"
          showIcon
          role="alert"
          className="bulk-dialog__alert"
          title={t("bulk.failed", { message: run.error instanceof ApiError ? run.error.message : String(run.error) })}
        />
      )}
      <Form form={form} layout="vertical" onFinish={(values) => run.mutate(values)} disabled={run.isPending}>
        {assigning && (
          <Form.Item name="departmentCode" label={t(action === "reassign" ? "bulk.reassignDepartment" : "bulk.department")} rules={[{ required: true, message: t("bulk.departmentRequired") }]}>
            <Select
              showSearch={{ optionFilterProp: "label" }}
              loading={departments.isPending}
              options={reachable.map((department) => ({ value: department.code, label: department.name }))}
            />
          </Form.Item>
        )}
        <Form.Item
          name="note"
          label={t(action === "reassign" ? "bulk.reassignNote" : "bulk.note")}
          rules={[{ max: 2000 }, ...(action === "reassign" ? [{ required: true, whitespace: true, message: t("bulk.reassignNoteRequired") }] : [])]}
        >
          <Input.TextArea rows={3} maxLength={2000} placeholder={t(`bulk.${action}NotePlaceholder`)} />
        </Form.Item>
        <Form.Item name="publicNote" valuePropName="checked">
          <Checkbox>{t("bulk.publicNote")}</Checkbox>
        </Form.Item>
      </Form>
    </Modal>
  );
}

function BulkReport({ answer, cases, actionName, onClose, onSelect }: { answer: BulkAnswer; cases: Selected[]; actionName: string; onClose: () => void; onSelect: (cases: Selected[]) => void }) {
  const { t } = useTranslation("tools");
  const byId = new Map(cases.map((c) => [c.id, c]));
  const refused = answer.results.filter((result): result is BulkRefusal => !result.ok);
  const reason = (refusal: BulkRefusal) => {
    const key = `refusal.${refusal.error.code}`;
    return isRefusalKey(key) ? t(key) : t("refusal.other", { message: refusal.error.message });
  };
  // Done: the list has changed under the selection, which starts again (or holds the refused cases, to retry).
  const close = () => {
    onSelect([]);
    onClose();
  };
  return (
    <Modal
      open
      width={760}
      title={t("bulk.reportTitle", { action: actionName })}
      onCancel={close}
      footer={[
        refused.length > 0 ? (
          <Button
            key="select"
            onClick={() => {
              onSelect(refused.flatMap((refusal) => byId.get(refusal.id) ?? []));
              onClose();
            }}
          >
            {t("bulk.selectRefused")}
          </Button>
        ) : null,
        <Button key="close" type="primary" onClick={close}>
          {t("bulk.close")}
        </Button>,
      ]}
    >
      <Result
        className="bulk-report__result"
        status={refused.length === 0 ? "success" : answer.succeeded === 0 ? "error" : "warning"}
        title={t("bulk.summary", { succeeded: answer.succeeded, refused: answer.refused })}
        subTitle={refused.length === 0 ? t("bulk.allDone", { count: answer.succeeded }) : undefined}
      />
      {refused.length > 0 && (
        <table className="bulk-report__table" aria-label={t("bulk.refusedList")}>
          <caption>{t("bulk.refusedList")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("bulk.col.number")}</th>
              <th scope="col">{t("bulk.col.title")}</th>
              <th scope="col">{t("bulk.col.reason")}</th>
            </tr>
          </thead>
          <tbody>
            {refused.map((refusal) => {
              const selected = byId.get(refusal.id);
              return (
                <tr key={refusal.id}>
                  <td className="case-number">{selected?.number ?? refusal.id}</td>
                  <td>{selected?.title ?? ""}</td>
                  <td>{reason(refusal)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </Modal>
  );
}
