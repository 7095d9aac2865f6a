import { Tooltip } from "antd";
import { useTranslation } from "react-i18next";
import "../messages";
import { countdown, formatDateTime } from "./format";

type Props = {
  status: string;
  /** The API's deadline state; null for a finished case. */
  deadline: "on_time" | "near_due" | "overdue" | null;
  /** The server's working minutes to the handling deadline, negative once past. */
  workingMinutes: number | null;
  handleBy: string;
};

const LIGHT = { on_time: "green", near_due: "yellow", overdue: "red" } as const;

/**
 * The deadline light (红黄绿灯) with its words beside it, so that colour is never the only signal:
 * green in time, yellow near due, red overdue, grey suspended or finished.
 */
export function DeadlineLight({ status, deadline, workingMinutes, handleBy }: Props) {
  const { t } = useTranslation("console");
  let light: "green" | "yellow" | "red" | "grey" = "grey";
  let words: string;
  if (deadline === null) {
    words = t("deadline.finished");
  } else if (status === "suspended") {
    words = t("deadline.suspended");
  } else {
    light = LIGHT[deadline];
    const left = workingMinutes === null ? null : countdown(workingMinutes);
    const count = left ? t(left.key, { count: left.count }) : t(`deadline.${deadline}`);
    words = deadline === "near_due" && left ? `${t("deadline.near_due")} · ${count}` : count;
  }
  return (
    <Tooltip title={t("deadline.title", { time: formatDateTime(handleBy) })}>
      <span className={`deadline deadline--${light}`} data-deadline={deadline ?? "none"}>
        <span className="deadline__light" aria-hidden="true" />
        <span className="deadline__words">{words}</span>
      </span>
    </Tooltip>
  );
}
