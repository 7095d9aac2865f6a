import type { ReactNode } from "react";
import { CheckCircleFilled, CloseCircleFilled, ExclamationCircleFilled, InfoCircleFilled, QuestionCircleFilled } from "@ant-design/icons";

type Props = {
  status: "info" | "success" | "warning" | "error" | "404";
  title: ReactNode;
  subTitle?: ReactNode;
  extra?: ReactNode;
};

const ICONS = {
  info: <InfoCircleFilled />,
  success: <CheckCircleFilled />,
  warning: <ExclamationCircleFilled />,
  error: <CloseCircleFilled />,
  "404": <QuestionCircleFilled />,
};

/**
 * A page-sized message (not found, an error, nothing to show) with what to do next. Ant Design's
 * Result would do the same but carries its large illustrations into the first chunk.
 */
export function StatusPanel({ status, title, subTitle, extra }: Props) {
  return (
    <div className={`status-panel status-panel--${status === "404" ? "info" : status}`}>
      <div className="status-panel__icon" aria-hidden="true">
        {ICONS[status]}
      </div>
      <h2 className="status-panel__title">{title}</h2>
      {subTitle ? <div className="status-panel__subtitle">{subTitle}</div> : null}
      {extra ? <div className="status-panel__extra">{extra}</div> : null}
    </div>
  );
}
