import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import type { Me } from "../api/client";
import { fetchTasks } from "./fieldApi";
import { sentEvents } from "./fieldState";
import { useOfflineQuery } from "./offlineQuery";
import { formatDateTime, Light } from "./parts";
import { navigate } from "./router";

export function useTasks(me: Me) {
  const tasks = useOfflineQuery(["tasks", me.id], () => fetchTasks(me.roles));
  const { refetch } = tasks;
  useEffect(() => {
    const refresh = () => void refetch();
    sentEvents.addEventListener("sent", refresh);
    return () => sentEvents.removeEventListener("sent", refresh);
  }, [refetch]);
  return tasks;
}

export function TasksPage({ me }: { me: Me }) {
  const { t } = useTranslation("field");
  const tasks = useTasks(me);
  if (tasks.isPending) return <p className="m-muted">{t("loading")}</p>;
  if (tasks.isError) {
    return (
      <div className="m-notice m-notice--error" role="alert">
        {t("error.load", { message: tasks.error.message })}{" "}
        <button type="button" className="m-button" onClick={() => void tasks.refetch()}>
          {t("retry")}
        </button>
      </div>
    );
  }
  // The server's order: overdue first, then near due, then the least time left (verification and review after).
  const rows = tasks.data.data;
  return (
    <section aria-labelledby="tasks-heading">
      <h1 id="tasks-heading" className="f-heading">
        {t("tasks.heading")}
      </h1>
      {tasks.data.cachedAt && <p className="m-muted">{t("cached", { time: formatDateTime(tasks.data.cachedAt) })}</p>}
      {rows.length === 0 && <p className="m-muted">{t("tasks.empty")}</p>}
      <ul className="f-list">
        {rows.map((row) => (
          <li key={row.id}>
            <a
              className="m-card f-task"
              href={`/field/tasks/${row.id}`}
              onClick={(event) => {
                event.preventDefault();
                navigate(`/tasks/${row.id}`);
              }}
            >
              <span className="f-task__title">{row.title}</span>
              <span className="f-number">{row.number}</span>
              <span className="f-task__meta">
                <Light status={row.status} deadline={row.deadline} minutes={row.handleWorkingMinutes} />
                <span className="m-muted">{t(`status.${row.status}` as "status.dispatched", { defaultValue: row.status })}</span>
              </span>
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}
