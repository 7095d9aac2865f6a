import { Card, Descriptions, Tag } from "antd";
import { useTranslation } from "react-i18next";
import { addMessages } from "../../i18n";
import messages from "./messages";
import "./questions.css";
import { labelIn, type Answer } from "./questions";

addMessages("questions", messages);

/** The answers a case gave to its category's questions, in the order asked, as they were asked. */
export default function CaseAnswers({ answers }: { answers: Record<string, Answer> }) {
  const { t, i18n } = useTranslation("questions");
  const list = Object.entries(answers).sort(([, a], [, b]) => a.position - b.position);
  if (list.length === 0) return null;
  const valueOf = (answer: Answer) => {
    if (answer.type === "yes_no") return answer.value ? t("answers.yes") : t("answers.no");
    if (answer.type === "choice" && answer.choice) return labelIn(answer.choice, i18n.language);
    return String(answer.value);
  };
  return (
    <Card size="small" title={t("answers.title")} className="case-answers">
      <Descriptions
        size="small"
        column={1}
        items={list.map(([code, answer]) => ({
          key: code,
          label: labelIn(answer.label, i18n.language),
          children: (
            <span>
              {valueOf(answer)}
              {!answer.public && (
                <Tag className="case-answers__staff" variant="outlined">
                  {t("answers.staffOnly")}
                </Tag>
              )}
            </span>
          ),
        }))}
      />
    </Card>
  );
}
