import { Form, Input, InputNumber, Radio, Select } from "antd";
import { useTranslation } from "react-i18next";
import { addMessages } from "../../i18n";
import messages from "./messages";
import "./questions.css";
import { labelIn, type Question } from "./questions";

addMessages("questions", messages);

/**
 * A category's extra questions as form fields under `answers.<code>`, with the same rules the API
 * checks (required, type, bounds), so that a missing answer is caught before the call is sent.
 */
export default function QuestionFields({ questions, disabled }: { questions: readonly Question[]; disabled?: boolean }) {
  const { t, i18n } = useTranslation("questions");
  if (questions.length === 0) return null;
  return (
    <fieldset className="question-fields">
      <legend>{t("fields.title")}</legend>
      {questions.map((question) => {
        const label = labelIn(question.label, i18n.language) + (question.public ? "" : ` ${t("fields.staffOnly")}`);
        const required = { required: question.required, message: t("fields.required", { label: labelIn(question.label, i18n.language) }) };
        const name = ["answers", question.code];
        switch (question.type) {
          case "number":
            return (
              <Form.Item key={question.code} name={name} label={label} rules={[required, { type: "number", message: t("fields.number") }]}>
                <InputNumber min={question.min} max={question.max} disabled={disabled} style={{ width: 200 }} />
              </Form.Item>
            );
          case "yes_no":
            return (
              <Form.Item key={question.code} name={name} label={label} rules={[required]}>
                <Radio.Group
                  disabled={disabled}
                  options={[
                    { value: true, label: t("answers.yes") },
                    { value: false, label: t("answers.no") },
                  ]}
                />
              </Form.Item>
            );
          case "choice":
            return (
              <Form.Item key={question.code} name={name} label={label} rules={[required]}>
                <Select
                  allowClear
                  disabled={disabled}
                  placeholder={t("fields.choose")}
                  style={{ maxWidth: 320 }}
                  options={(question.choices ?? []).map((choice) => ({ value: choice.value, label: labelIn(choice, i18n.language) }))}
                />
              </Form.Item>
            );
          default:
            return (
              <Form.Item
                key={question.code}
                name={name}
                label={label}
                rules={[{ ...required, whitespace: true }, { max: question.maxLength ?? 500, message: t("fields.tooLong", { max: question.maxLength ?? 500 }) }]}
              >
                <Input disabled={disabled} maxLength={question.maxLength ?? 500} />
              </Form.Item>
            );
        }
      })}
    </fieldset>
  );
}
