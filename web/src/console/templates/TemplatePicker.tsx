import { Form, Select, Tag, type FormInstance } from "antd";
import { useTranslation } from "react-i18next";
import { addMessages } from "../../i18n";
import { useDepartments, type CaseActionName, type LoadedCase } from "../cases/caseApi";
import { formatDateTime } from "../queue/format";
import { fillTemplate, insertIntoNote } from "./fill";
import messages from "./messages";
import { useOfferedTemplates } from "./templatesApi";

addMessages("templates", messages);

type Props = {
  action: CaseActionName;
  loaded: LoadedCase;
  /** The action's form: its `note` receives the text, its `publicNote` is ticked for a public template. */
  form: FormInstance;
};

/**
 * The response templates (常用语) offered beside a note field: those of the case's category and
 * the action, filled from the case (number, handling deadline, department: the one chosen in a
 * dispatch form, else the case's) and added to the note.
 */
export function TemplatePicker({ action, loaded, form }: Props) {
  const { t } = useTranslation("templates");
  const view = loaded.case;
  const templates = useOfferedTemplates(view.categoryCode ?? view.suggestedCategoryCode, action);
  const departments = useDepartments();
  const chosenDepartment: string | undefined = Form.useWatch("departmentCode", form);
  const assignedId = view.assignment?.departmentId;
  const department =
    departments.data?.find((candidate) =>
      chosenDepartment ? candidate.code === chosenDepartment : assignedId ? candidate.id === assignedId : candidate.code === view.departmentCode,
    )?.name ?? null;

  const pick = (id: string) => {
    const template = templates.data?.find((candidate) => candidate.id === id);
    if (!template) return;
    const text = fillTemplate(template.body, { caseNumber: view.number, deadline: formatDateTime(view.deadlines.handleBy), department });
    form.setFieldValue("note", insertIntoNote(form.getFieldValue("note"), text));
    if (template.visibility === "public") form.setFieldValue("publicNote", true);
    void form.validateFields(["note"]).catch(() => {});
  };

  const status = templates.isPending ? t("picker.loading") : templates.isError ? t("picker.failed") : t("picker.empty");
  return (
    <Form.Item label={t("picker.label")} className="template-picker">
      <Select
        aria-label={t("picker.label")}
        placeholder={t("picker.placeholder")}
        value={null}
        showSearch={{ optionFilterProp: "title" }}
        notFoundContent={status}
        loading={templates.isPending}
        onChange={(id: string | null) => id && pick(id)}
        options={(templates.data ?? []).map((template) => ({
          value: template.id,
          title: `${template.title} ${template.body}`,
          label: (
            <span>
              <Tag color={template.visibility === "public" ? "green" : "default"}>{template.visibility === "public" ? t("picker.public") : t("picker.staff")}</Tag>
              {template.title}：{template.body}
            </span>
          ),
        }))}
      />
    </Form.Item>
  );
}
