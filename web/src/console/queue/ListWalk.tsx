import { useEffect } from "react";
import { useQuery } from "@tanstack/react-query";
import { Button, Space, Tooltip } from "antd";
import { LeftOutlined, RightOutlined, UnorderedListOutlined } from "@ant-design/icons";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useSearchParams } from "react-router";
import { api, unwrap } from "../../api/client";
import { caseLink, listLink, walkQuery } from "./walk";
import "./tools-messages";
import "./tools.css";

/** Whether a key press belongs to something being typed or to an open dialog, not to the page. */
function typing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || target.closest("input, textarea, select, [role='dialog'], [role='combobox']") !== null;
}

/**
 * Previous and next through the list a case was opened from (`?from=` holds the list's query), in
 * the list's order and across its pages; `[` and `]` do the same from the keyboard. Nothing shows
 * when the case was not opened from a list.
 */
export function ListWalk({ caseId }: { caseId: string }) {
  const { t } = useTranslation("tools");
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const from = params.get("from");
  const neighbours = useQuery({
    queryKey: ["cases", "neighbours", caseId, from],
    queryFn: () => unwrap(api.GET("/api/v1/cases/{id}/neighbours", { params: { path: { id: caseId }, query: walkQuery(from ?? "") } })),
    enabled: from !== null,
    staleTime: 30_000,
  });
  const previous = neighbours.data?.previous ?? null;
  const next = neighbours.data?.next ?? null;

  useEffect(() => {
    if (from === null) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
      const target = event.key === "[" ? previous : event.key === "]" ? next : null;
      if (!target) return;
      event.preventDefault();
      void navigate(caseLink(target.id, from));
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [from, previous, next, navigate]);

  if (from === null) return null;
  return (
    <nav className="list-walk" aria-label={t("walk.label")}>
      <Link to={listLink(from)}>
        <UnorderedListOutlined aria-hidden="true" /> {t("walk.back")}
      </Link>
      <Tooltip title={t("walk.keys")}>
        <Space.Compact>
          <Button
            icon={<LeftOutlined aria-hidden="true" />}
            disabled={!previous}
            loading={neighbours.isPending}
            aria-keyshortcuts="["
            title={previous ? `${previous.number} ${previous.title}` : t("walk.first")}
            onClick={() => previous && void navigate(caseLink(previous.id, from))}
          >
            {t("walk.previous")}
          </Button>
          <Button
            disabled={!next}
            loading={neighbours.isPending}
            aria-keyshortcuts="]"
            title={next ? `${next.number} ${next.title}` : t("walk.last")}
            onClick={() => next && void navigate(caseLink(next.id, from))}
          >
            {t("walk.next")} <RightOutlined aria-hidden="true" />
          </Button>
        </Space.Compact>
      </Tooltip>
    </nav>
  );
}
