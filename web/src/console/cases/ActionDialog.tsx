import { useState } from "react";
import { Button, Checkbox, Col, Form, Input, InputNumber, Modal, Radio, Row, Select, Upload, type UploadFile } from "antd";
import { UploadOutlined } from "@ant-design/icons";
import { useTranslation } from "react-i18next";
import { ApiError } from "../../api/client";
import { useCategories, useDepartments, uploadPhoto, type CaseActionName, type Category, type LoadedCase, type Place, type TransitionBody } from "./caseApi";
import { useWords } from "./words";
import { TemplatePicker } from "../templates/TemplatePicker";
import { CoHandlersField, ReasonField, ReleaseField } from "./JointHandling";
import { GridWorkerField } from "./GridWorkers";

/** What each action asks for besides its note. */
const NOTE_REQUIRED: ReadonlySet<CaseActionName> = new Set([
  "suspend", "verify_fail", "handle", "request_extension", "follow_up", "deny_return", "co_report", "release_co_handler", "reassign",
  "review_fail",
]);
const PHONE = /^[0-9+\- ]{5,20}$/;
/** Actions that take verification photos rather than after-photos. */
const VERIFYING: ReadonlySet<CaseActionName> = new Set(["verify_pass", "verify_fail", "review_pass", "review_fail"]);

export type MergeCandidate = { id: string; number: string; title: string };

type Props = {
  action: CaseActionName;
  loaded: LoadedCase;
  place: Place | undefined;
  mergeCandidates: MergeCandidate[];
  /** A merge started from a listed duplicate names its target already. */
  initialInto?: string;
  submitting: boolean;
  onSubmit: (body: TransitionBody) => void;
  onCancel: () => void;
};

type Values = {
  note?: string;
  publicNote?: boolean;
  targetKind?: "department" | "division" | "user";
  departmentCode?: string;
  divisionCode?: string;
  userId?: string;
  days?: number;
  satisfaction?: TransitionBody["satisfaction"];
  into?: string;
  categoryCode?: string;
  level?: TransitionBody["level"];
  urgency?: TransitionBody["urgency"];
  callerName?: string;
  callerPhone?: string;
  coHandlers?: string[];
  reasonCode?: string;
  releaseDepartment?: string;
};

const LEVELS = ["community", "street", "district"] as const;
const URGENCIES = ["normal", "urgent", "emergency"] as const;

/** Subcategories grouped under their main category, for a searchable select. */
export function categoryOptions(categories: Category[], suggested: string | null, suffix: string) {
  const parents = categories.filter((category) => category.parentCode === null && category.active);
  return parents
    .map((parent) => ({
      label: parent.name,
      title: parent.name,
      options: categories
        .filter((category) => category.parentCode === parent.code && category.active)
        .map((category) => ({ value: category.code, label: category.code === suggested ? `${category.name} ${suffix}` : category.name })),
    }))
    .filter((group) => group.options.length > 0);
}

/** The form of one workflow action: exactly the fields the action's body needs. */
export function ActionDialog({ action, loaded, place, mergeCandidates, initialInto, submitting, onSubmit, onCancel }: Props) {
  const word = useWords();
  const { t } = useTranslation("case");
  const [form] = Form.useForm<Values>();
  const [photos, setPhotos] = useState<UploadFile[]>([]);
  const [photoError, setPhotoError] = useState<string | null>(null);
  const view = loaded.case;
  const title = word("action", action);
  const targetKind = Form.useWatch("targetKind", form) ?? "department";
  const leadDepartment = Form.useWatch("departmentCode", form);

  const classifying = action === "register" || action === "reclassify";
  const categories = useCategories(classifying);
  // A reassignment names its assignee as a dispatch does.
  const assigning = action === "dispatch" || action === "reassign";
  const departments = useDepartments(assigning);
  // Departments that serve the case's community (their division lies above it).
  const reachable = (departments.data ?? []).filter((department) => view.communityCode.startsWith(department.divisionCode));
  const divisions = [
    { value: view.communityCode, label: place ? `${place.community.name}（${t("field.community")}）` : view.communityCode },
    { value: view.streetCode, label: place ? `${place.street.name}（${t("field.street")}）` : view.streetCode },
  ];

  const uploading = photos.some((file) => file.status === "uploading");

  const submit = (values: Values) => {
    const body: TransitionBody = { action };
    if (values.note?.trim()) body.note = values.note.trim();
    if (values.publicNote) body.publicNote = true;
    if (assigning) {
      if (values.targetKind === "division") body.to = { divisionCode: values.divisionCode };
      else if (values.targetKind === "user") body.to = { userId: values.userId };
      else body.to = { departmentCode: values.departmentCode };
      // Co-handlers work beside a lead department only.
      if ((values.targetKind ?? "department") === "department" && values.coHandlers?.length) body.coHandlers = values.coHandlers;
    }
    if (action === "return" || action === "reject") body.reasonCode = values.reasonCode;
    if (action === "release_co_handler") body.departmentCode = values.releaseDepartment;
    if (action === "request_extension") body.days = values.days;
    if (action === "evaluate") body.satisfaction = values.satisfaction;
    if (action === "merge") body.into = values.into;
    if (action === "follow_up") {
      const name = values.callerName?.trim();
      const phone = values.callerPhone?.trim();
      if (name || phone) body.caller = { ...(name ? { name } : {}), ...(phone ? { phone } : {}) };
    }
    if (classifying) {
      // Only what changed is sent: reclassify refuses a body that changes nothing.
      if (values.categoryCode && values.categoryCode !== view.categoryCode) body.categoryCode = values.categoryCode;
      if (values.level && values.level !== view.level) body.level = values.level;
      if (values.urgency && values.urgency !== view.urgency) body.urgency = values.urgency;
    }
    if (action === "handle" || action === "co_report") {
      const ids = photos.flatMap((file) => (file.status === "done" && typeof file.response === "string" ? [file.response] : []));
      if (ids.length) body.photoIds = ids;
    }
    onSubmit(body);
  };

  return (
    <Modal
      open
      title={title}
      okText={t("actions.submit")}
      cancelText={t("actions.cancel")}
      onOk={() => form.submit()}
      onCancel={onCancel}
      confirmLoading={submitting}
      okButtonProps={{ disabled: uploading }}
      destroyOnHidden
      width={560}
    >
      <Form<Values>
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={{
          targetKind: "department",
          // A reassignment goes elsewhere: nothing is chosen for it.
          departmentCode: action === "reassign" ? undefined : (view.departmentCode ?? undefined),
          into: initialInto,
          categoryCode: view.categoryCode ?? view.suggestedCategoryCode ?? undefined,
          level: view.level,
          urgency: view.urgency,
        }}
        requiredMark
      >
        {classifying && (
          <>
            <Form.Item name="categoryCode" label={t("form.category")} rules={action === "register" ? [{ required: true, message: t("form.categoryRequired") }] : []}>
              <Select
                showSearch={{ optionFilterProp: "label" }}
                loading={categories.isPending}
                options={categoryOptions(categories.data ?? [], view.suggestedCategoryCode, t("form.categorySuggested"))}
              />
            </Form.Item>
            <Form.Item name="level" label={t("form.level")}>
              <Radio.Group options={LEVELS.map((value) => ({ value, label: word("level", value) }))} />
            </Form.Item>
            <Form.Item name="urgency" label={t("form.urgency")}>
              <Radio.Group options={URGENCIES.map((value) => ({ value, label: word("urgency", value) }))} />
            </Form.Item>
          </>
        )}
        {assigning && (
          <>
            <Form.Item name="targetKind" label={t(action === "reassign" ? "form.reassignTarget" : "form.dispatchTarget")}>
              <Radio.Group
                options={[
                  { value: "department", label: t("form.targetDepartment") },
                  { value: "division", label: t("form.targetDivision") },
                  { value: "user", label: t("form.targetGridWorker") },
                ]}
              />
            </Form.Item>
            {targetKind === "department" ? (
              <Form.Item name="departmentCode" label={t("form.department")} rules={[{ required: true, message: t("form.departmentRequired") }]}>
                <Select
                  showSearch={{ optionFilterProp: "label" }}
                  loading={departments.isPending}
                  options={reachable.map((department) => ({ value: department.code, label: department.name }))}
                />
              </Form.Item>
            ) : targetKind === "user" ? (
              <GridWorkerField communityCode={view.communityCode} />
            ) : (
              <Form.Item name="divisionCode" label={t("form.division")} rules={[{ required: true, message: t("form.divisionRequired") }]}>
                <Select options={divisions} />
              </Form.Item>
            )}
            {targetKind === "department" && <CoHandlersField reachable={reachable} lead={leadDepartment} />}
          </>
        )}
        {(action === "return" || action === "reject") && <ReasonField kind={action} />}
        {action === "release_co_handler" && <ReleaseField view={view} />}
        {action === "request_extension" && (
          <Form.Item name="days" label={t("form.days")} rules={[{ required: true, type: "integer", min: 1, max: 30, message: t("form.daysRequired") }]}>
            <InputNumber min={1} max={30} precision={0} />
          </Form.Item>
        )}
        {action === "evaluate" && (
          <Form.Item name="satisfaction" label={t("form.satisfaction")} rules={[{ required: true, message: t("form.satisfactionRequired") }]}>
            <Radio.Group
              options={(["satisfied", "basically_satisfied", "dissatisfied"] as const).map((value) => ({ value, label: word("satisfaction", value) }))}
            />
          </Form.Item>
        )}
        {action === "merge" && (
          <Form.Item name="into" label={t("form.into")} rules={[{ required: true, message: t("form.intoRequired") }]}>
            <Select options={mergeCandidates.map((candidate) => ({ value: candidate.id, label: `${candidate.number} ${candidate.title}` }))} />
          </Form.Item>
        )}
        {action === "follow_up" && (
          <Row gutter={16}>
            <Col span={12}>
              <Form.Item name="callerPhone" label={t("form.callerPhone")} rules={[{ pattern: PHONE, message: t("form.callerPhoneInvalid") }]}>
                <Input inputMode="tel" autoComplete="off" />
              </Form.Item>
            </Col>
            <Col span={12}>
              <Form.Item name="callerName" label={t("form.callerName")}>
                <Input autoComplete="off" maxLength={50} />
              </Form.Item>
            </Col>
          </Row>
        )}
        <TemplatePicker action={action} loaded={loaded} form={form} />
        <Form.Item
          name="note"
          label={t(action === "reassign" ? "form.reassignReason" : "form.note")}
          rules={NOTE_REQUIRED.has(action) ? [{ required: true, whitespace: true, message: t("form.noteRequired") }] : []}
        >
          <Input.TextArea rows={3} maxLength={2000} showCount />
        </Form.Item>
        {(action === "handle" || action === "co_report" || VERIFYING.has(action)) && (
          <Form.Item label={t(VERIFYING.has(action) ? "form.verificationPhotos" : "form.photos")} extra={photoError ?? t("form.photosHint")} validateStatus={photoError ? "error" : undefined}>
            <Upload
              accept="image/jpeg,image/png,image/webp"
              listType="picture"
              multiple
              maxCount={9}
              fileList={photos}
              onChange={({ fileList }) => setPhotos(fileList)}
              customRequest={({ file, onSuccess, onError }) => {
                setPhotoError(null);
                if (!(file instanceof File)) return;
                uploadPhoto(file).then(
                  (attachment) => onSuccess?.(attachment.id),
                  (error: unknown) => {
                    const message = error instanceof ApiError ? error.message : String(error);
                    setPhotoError(t("form.photoFailed", { message }));
                    onError?.(error instanceof Error ? error : new Error(message));
                  },
                );
              }}
            >
              <Button icon={<UploadOutlined aria-hidden="true" />}>{t("form.photoUpload")}</Button>
            </Upload>
          </Form.Item>
        )}
        <Form.Item name="publicNote" valuePropName="checked">
          <Checkbox>{t("form.publicNote")}</Checkbox>
        </Form.Item>
      </Form>
    </Modal>
  );
}
