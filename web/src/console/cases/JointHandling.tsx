import { useQuery } from "@tanstack/react-query";
import { Alert, Card, Descriptions, Form, Select, Space, Tag, Typography } from "antd";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";
import { addMessages } from "../../i18n";
import type { paths } from "../../api/schema";
import { useDepartments, type CaseView, type Department } from "./caseApi";
import messages from "./jointMessages";

addMessages("joint", messages);

type ReasonKind = "return" | "reject";
type Reason = paths["/api/v1/case-reasons"]["get"]["responses"][200]["content"]["application/json"]["reasons"][number];

/** The configured reasons of a return or a rejection, as the district keeps them. */
function useCaseReasons(kind: ReasonKind, enabled = true) {
  return useQuery({
    queryKey: ["case-reasons", kind] as const,
    queryFn: () => unwrap(api.GET("/api/v1/case-reasons", { params: { query: { kind } } })),
    select: (answer): Reason[] => answer.reasons.filter((reason) => reason.active),
    staleTime: 5 * 60_000,
    enabled,
  });
}

const reasonLabel = (reason: Reason, language: string) => (language.startsWith("zh") ? reason.labelZh : reason.labelEn);

/** The reason a return or a rejection gives, from the configured list: the `reasonCode` of the body. */
export function ReasonField({ kind }: { kind: ReasonKind }) {
  const { t, i18n } = useTranslation("joint");
  const reasons = useCaseReasons(kind);
  return (
    <Form.Item name="reasonCode" label={t(kind === "return" ? "form.returnReason" : "form.rejectReason")} rules={[{ required: true, message: t("form.reasonRequired") }]}>
      <Select loading={reasons.isPending} options={(reasons.data ?? []).map((reason) => ({ value: reason.code, label: reasonLabel(reason, i18n.language) }))} />
    </Form.Item>
  );
}

/** The co-handling departments (协办) of a dispatch: any reachable department but the lead. */
export function CoHandlersField({ reachable, lead }: { reachable: Department[]; lead: string | undefined }) {
  const { t } = useTranslation("joint");
  return (
    <Form.Item name="coHandlers" label={t("form.coHandlers")} extra={t("form.coHandlersHint")}>
      <Select
        mode="multiple"
        allowClear
        showSearch={{ optionFilterProp: "label" }}
        options={reachable.filter((department) => department.code !== lead).map((department) => ({ value: department.code, label: department.name }))}
      />
    </Form.Item>
  );
}

/** Which pending co-handler a dispatcher releases. */
export function ReleaseField({ view }: { view: CaseView }) {
  const { t } = useTranslation("joint");
  const pending = view.coHandlers.filter((co) => co.state === "dispatched" || co.state === "acknowledged");
  return (
    <Form.Item name="releaseDepartment" label={t("form.releaseDepartment")} rules={[{ required: true, message: t("form.releaseDepartmentRequired") }]}>
      <Select options={pending.map((co) => ({ value: co.departmentCode ?? "", label: co.departmentName ?? co.departmentCode }))} />
    </Form.Item>
  );
}

/**
 * What a timeline event of joint handling or a return adds to its line: the co-handling
 * departments named, and the reason given (by its label in the user's language).
 */
export function useJointFacts(): (action: string, details: Record<string, unknown>) => string[] {
  const { t, i18n } = useTranslation("joint");
  const departments = useDepartments();
  const returns = useCaseReasons("return");
  const rejects = useCaseReasons("reject");
  const departmentName = (id: unknown) => (typeof id === "string" ? (departments.data?.find((department) => department.id === id)?.name ?? id) : "");
  return (action, details) => {
    const facts: string[] = [];
    if (Array.isArray(details.coHandlers) && details.coHandlers.length > 0) {
      facts.push(t("timeline.coHandlers", { departments: details.coHandlers.map(departmentName).join("、") }));
    }
    if (typeof details.coHandler === "object" && details.coHandler !== null) {
      facts.push(t("timeline.coHandler", { department: departmentName((details.coHandler as Record<string, unknown>).departmentId) }));
    }
    if (typeof details.reason === "string") {
      const reasons = (action === "reject" ? rejects : returns).data ?? [];
      const reason = reasons.find((entry) => entry.code === details.reason);
      facts.push(t("timeline.reason", { reason: reason ? reasonLabel(reason, i18n.language) : details.reason }));
    }
    return facts;
  };
}

const CO_STATE_COLOR: Record<string, string> = { dispatched: "orange", acknowledged: "blue", reported: "green", released: "default" };

/** A return waiting for the centre: the reason, shown above the case's facts until someone decides. */
export function ReturnRequestAlert({ view }: { view: CaseView }) {
  const { t, i18n } = useTranslation("joint");
  const reasons = useCaseReasons("return", view.returnRequest !== null);
  if (!view.returnRequest) return null;
  const reason = reasons.data?.find((entry) => entry.code === view.returnRequest?.reasonCode);
  return (
    <Alert
      type="warning"
      showIcon
      title={t("return.pending")}
      description={t("return.reason", { reason: reason ? reasonLabel(reason, i18n.language) : view.returnRequest.reasonCode })}
    />
  );
}

/** The lead (主办) and the co-handling departments (协办) with where each stands. */
export function JointHandlingCard({ view }: { view: CaseView }) {
  const { t } = useTranslation("joint");
  const departments = useDepartments();
  if (view.coHandlers.length === 0) return null;
  const leadId = view.assignment?.departmentId;
  const leadName = departments.data?.find((department) => department.id === leadId)?.name;
  return (
    <Card title={t("panel.title")} size="small">
      <Descriptions column={1} size="small" bordered>
        <Descriptions.Item label={t("panel.lead")}>{leadName ?? "—"}</Descriptions.Item>
        {view.coHandlers.map((co) => (
          <Descriptions.Item key={co.departmentCode ?? ""} label={t("panel.coHandler")}>
            <Space size={8}>
              <Typography.Text>{co.departmentName ?? co.departmentCode}</Typography.Text>
              <Tag color={CO_STATE_COLOR[co.state] ?? "default"}>{t(`coState.${co.state}`)}</Tag>
            </Space>
          </Descriptions.Item>
        ))}
      </Descriptions>
    </Card>
  );
}
