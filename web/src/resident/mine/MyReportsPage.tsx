import { useEffect, useState } from "react";
import { Link, useNavigate } from "react-router";
import { useTranslation } from "react-i18next";
import { formatDateTime } from "../../console/queue/format";
import { saveKey } from "../track/tracking";
import { forgetReport, loadMyReports, type MyReport } from "./my-reports";

function readReports(): MyReport[] {
  try {
    return loadMyReports(window.localStorage);
  } catch {
    return [];
  }
}

/** `/resident/mine`: the reports made on this device, each a tap away from its progress; removable. */
export default function MyReportsPage() {
  const { t } = useTranslation("residentPortal");
  const navigate = useNavigate();
  const [reports, setReports] = useState(readReports);
  useEffect(() => {
    document.title = t("mine.title");
  }, [t]);

  const open = (report: MyReport) => {
    // The tracking page reads the key from this tab's storage: no token in any address.
    saveKey(window.sessionStorage, { number: report.number, token: report.token });
    void navigate("/resident/track");
  };

  return (
    <div className="r-mine">
      <h1 className="r-page__title">{t("mine.title")}</h1>
      <p className="m-muted">{t("mine.intro")}</p>
      {reports.length === 0 ? (
        <div className="m-card">
          <p>{t("mine.empty")}</p>
          <Link to="/resident/report" className="m-button m-button--primary m-button--block">
            {t("home.report")}
          </Link>
        </div>
      ) : (
        <ul className="r-mine__list">
          {reports.map((report) => (
            <li key={report.number} className="m-card">
              <div className="r-number r-number--small">{report.number}</div>
              <div className="r-case__title">{report.title}</div>
              <div className="m-muted">{t("mine.reportedAt", { time: formatDateTime(report.reportedAt) })}</div>
              <div className="r-mine__actions">
                <button type="button" className="m-button m-button--primary" aria-label={`${t("mine.open")} ${report.number}`} onClick={() => open(report)}>
                  {t("mine.open")}
                </button>
                <button
                  type="button"
                  className="m-button"
                  aria-label={`${t("mine.remove")} ${report.number}`}
                  onClick={() => {
                    if (window.confirm(t("mine.removeConfirm", { number: report.number }))) setReports(forgetReport(window.localStorage, report.number));
                  }}
                >
                  {t("mine.remove")}
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
