import { useState } from "react";
import { useQueries, useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import type { TFunction } from "i18next";
import { api, unwrap } from "../../api/client";
import { formatDistance } from "../geo";
import { gapsOf, shiftDay, todayInChina } from "./patrol-days";
import "./patrol-days.css";

/** "1 h 5 min", "12 min", "40 s": patrol times and gaps as a supervisor reads them. */
function formatDuration(seconds: number, t: TFunction<"field">): string {
  if (seconds < 60) return t("patrolDays.seconds", { s: seconds });
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return t("patrolDays.minutes", { m: minutes });
  return t("patrolDays.hours", { h: Math.floor(minutes / 60), m: minutes % 60 });
}

function clock(at: string, language: string): string {
  return new Intl.DateTimeFormat(language, { timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit", hour12: false }).format(new Date(at));
}

/**
 * The supervisor's patrol summary (巡查统计): per grid worker, on a chosen day, the patrol time,
 * distance and gaps of the caller's scope; a tap lists that worker's patrols with their gaps.
 */
export function PatrolDays({ alone = false }: { alone?: boolean }) {
  const { t } = useTranslation("field");
  const today = todayInChina();
  const [day, setDay] = useState(today);
  const [open, setOpen] = useState<string | null>(null);
  const days = useQuery({
    queryKey: ["field", "patrol-days", day],
    queryFn: () => unwrap(api.GET("/api/v1/patrols", { params: { query: { from: day, to: day } } })),
  });
  const pick = (next: string) => {
    setDay(next);
    setOpen(null);
  };

  return (
    <section aria-labelledby="patrol-days-heading" className="f-patrol-days">
      {/* The page's heading when no recorder stands above it (a leader, who does not patrol). */}
      {alone ? (
        <h1 id="patrol-days-heading" className="f-heading">
          {t("patrolDays.heading")}
        </h1>
      ) : (
        <h2 id="patrol-days-heading" className="f-subheading">
          {t("patrolDays.heading")}
        </h2>
      )}
      <div className="f-row f-patrol-days__nav">
        <button type="button" className="m-button" onClick={() => pick(shiftDay(day, -1))}>
          {t("patrolDays.previous")}
        </button>
        <span className="f-patrol-days__day" aria-live="polite">
          {day === today ? t("patrolDays.today", { day }) : day}
        </span>
        <button type="button" className="m-button" disabled={day >= today} onClick={() => pick(shiftDay(day, 1))}>
          {t("patrolDays.next")}
        </button>
      </div>
      {days.isPending && <p className="m-muted">{t("loading")}</p>}
      {days.isError && (
        <div className="m-notice m-notice--error" role="alert">
          {t("patrolDays.failed")}
          <button type="button" className="m-button" onClick={() => void days.refetch()}>
            {t("patrolDays.retry")}
          </button>
        </div>
      )}
      {days.data && days.data.days.length === 0 && <p className="m-muted">{t("patrolDays.empty")}</p>}
      <ul className="f-list">
        {(days.data?.days ?? []).map((row) => {
          const expanded = open === row.userId;
          return (
            <li key={row.userId} className="m-card" data-testid="patrol-day">
              <button type="button" className="f-patrol-day" aria-expanded={expanded} onClick={() => setOpen(expanded ? null : row.userId)}>
                <span className="f-task__title">{row.name}</span>
                <span className="f-task__meta">
                  <span>{t("patrolDays.time", { time: formatDuration(row.durationSeconds, t) })}</span>
                  <span>{t("patrolDays.distance", { distance: formatDistance(row.distanceMeters) })}</span>
                  <span className={row.gaps > 0 ? "f-patrol-day__gaps" : "m-muted"}>{t("patrolDays.gaps", { count: row.gaps })}</span>
                </span>
                {row.patrols > 1 && <span className="m-muted">{t("patrolDays.patrols", { count: row.patrols })}</span>}
              </button>
              {expanded && <WorkerPatrols ids={row.patrolIds} />}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/** One worker's patrols of the day, each with its gaps: when the phone fell silent and for how long. */
function WorkerPatrols({ ids }: { ids: string[] }) {
  const { t, i18n } = useTranslation("field");
  const patrols = useQueries({
    queries: ids.map((id) => ({
      queryKey: ["field", "patrol", id],
      queryFn: () => unwrap(api.GET("/api/v1/patrols/{id}", { params: { path: { id } } })),
      staleTime: Infinity,
    })),
  });
  return (
    <ol className="f-patrol-list">
      {patrols.map((answer, i) => {
        if (!answer.data) return <li key={ids[i]} className="m-muted">{answer.isError ? t("patrolDays.failed") : t("loading")}</li>;
        const { patrol } = answer.data;
        const gaps = gapsOf(patrol.segments, patrol.gaps);
        return (
          <li key={patrol.id}>
            <p>
              {t("patrolDays.patrol", {
                from: clock(patrol.startedAt, i18n.language),
                to: clock(patrol.endedAt, i18n.language),
                time: formatDuration(patrol.durationSeconds, t),
                distance: formatDistance(patrol.distanceMeters),
              })}
            </p>
            {gaps.length === 0 ? (
              <p className="m-muted">{t("patrolDays.noGaps")}</p>
            ) : (
              <ul className="f-patrol-gaps" aria-label={t("patrolDays.gapList")}>
                {gaps.map((gap) => (
                  <li key={gap.from}>
                    {t(gap.reason === "jump" ? "patrolDays.gapJump" : "patrolDays.gapSilence", {
                      from: clock(gap.from, i18n.language),
                      to: clock(gap.to, i18n.language),
                      duration: formatDuration(gap.seconds, t),
                    })}
                  </li>
                ))}
              </ul>
            )}
          </li>
        );
      })}
    </ol>
  );
}
