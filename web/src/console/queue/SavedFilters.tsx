import { lazy, Suspense, useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { App, Button, Dropdown, Typography } from "antd";
import { MoreOutlined, SaveOutlined } from "@ant-design/icons";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { ApiError } from "../../api/client";
import { readFilters, writeFilters } from "./filters";
import { deleteFilter, queueUrl, renameFilter, saveFilter, savedFilterKey, useSavedFilters, type SavedFilter } from "./savedFiltersApi";
import "./tools-messages";
import "./tools.css";

const FilterNameDialog = lazy(() => import("./FilterNameDialog"));

/** Two queries name the same view when the queue page reads them alike (the server writes its parameters in its own order). */
const sameView = (a: string, b: string) => writeFilters(readFilters(new URLSearchParams(a))).toString() === b;

type Props = {
  /** The queue's current URL query (filters only), as the page writes it. */
  current: string;
};

type Naming = { kind: "save" } | { kind: "rename"; filter: SavedFilter };

/**
 * The user's saved views of the queue: each a link to the queue with its filters (so it can be
 * opened in a new tab or shared), with rename, copy link and delete; and the current filters saved
 * under a name.
 */
export default function SavedFilters({ current }: Props) {
  const { t } = useTranslation("tools");
  const { message, modal } = App.useApp();
  const queryClient = useQueryClient();
  const filters = useSavedFilters();
  const [naming, setNaming] = useState<Naming | null>(null);
  const [nameError, setNameError] = useState<string | null>(null);

  const refresh = () => queryClient.invalidateQueries({ queryKey: savedFilterKey });
  const failure = (error: unknown) => {
    const code = error instanceof ApiError ? error.code : "";
    if (code === "saved_filter_name_taken") setNameError(t("saved.nameTaken"));
    else void message.error(code === "too_many_saved_filters" ? t("saved.tooMany") : t("saved.failed", { message: error instanceof Error ? error.message : String(error) }));
  };
  const save = useMutation({
    mutationFn: async ({ name }: { name: string }) => {
      if (naming?.kind === "rename") return (await renameFilter(naming.filter.id, name)).filter;
      return (await saveFilter(name, current)).filter;
    },
    onSuccess: (filter) => {
      void message.success(naming?.kind === "rename" ? t("saved.renamed", { name: filter.name }) : t("saved.saved", { name: filter.name }));
      setNaming(null);
      void refresh();
    },
    onError: failure,
  });
  const remove = useMutation({
    mutationFn: (filter: SavedFilter) => deleteFilter(filter.id),
    onSuccess: (_, filter) => {
      void message.success(t("saved.deleted", { name: filter.name }));
      void refresh();
    },
    onError: () => void refresh(),
  });

  const copyLink = async (filter: SavedFilter) => {
    const url = new URL(queueUrl(filter.query), window.location.origin).toString();
    try {
      await navigator.clipboard.writeText(url);
      void message.success(t("saved.copied"));
    } catch {
      void message.info(t("saved.copyFailed", { url }), 10);
    }
  };

  const open = (next: Naming) => {
    setNameError(null);
    setNaming(next);
  };

  return (
    <section className="saved-filters" aria-label={t("saved.label")}>
      <span className="saved-filters__label">{t("saved.label")}</span>
      {filters.isError ? (
        <Typography.Text type="danger">{t("saved.error")}</Typography.Text>
      ) : filters.data?.length === 0 ? (
        <Typography.Text type="secondary" className="saved-filters__none">
          {t("saved.none")}
        </Typography.Text>
      ) : (
        <ul className="saved-filters__list">
          {(filters.data ?? []).map((filter) => {
            const active = sameView(filter.query, current);
            return (
              <li key={filter.id} className={active ? "saved-filter saved-filter--active" : "saved-filter"}>
                <Link to={queueUrl(filter.query)} className="saved-filter__link" aria-current={active ? "true" : undefined} title={active ? t("saved.current") : undefined}>
                  {filter.name}
                </Link>
                <Dropdown
                  trigger={["click"]}
                  menu={{
                    items: [
                      { key: "rename", label: t("saved.rename") },
                      { key: "copy", label: t("saved.copyLink") },
                      { type: "divider" },
                      { key: "delete", label: t("saved.delete"), danger: true },
                    ],
                    onClick: ({ key }) => {
                      if (key === "rename") open({ kind: "rename", filter });
                      else if (key === "copy") void copyLink(filter);
                      else
                        modal.confirm({
                          title: t("saved.deleteConfirm", { name: filter.name }),
                          okText: t("saved.delete"),
                          okButtonProps: { danger: true },
                          onOk: () => remove.mutateAsync(filter),
                        });
                    },
                  }}
                >
                  <Button type="text" size="small" icon={<MoreOutlined aria-hidden="true" />} aria-label={t("saved.more", { name: filter.name })} />
                </Dropdown>
              </li>
            );
          })}
        </ul>
      )}
      <Button size="small" icon={<SaveOutlined aria-hidden="true" />} onClick={() => open({ kind: "save" })}>
        {t("saved.save")}
      </Button>
      {naming && (
        <Suspense fallback={null}>
          <FilterNameDialog
            title={naming.kind === "rename" ? t("saved.renameTitle") : t("saved.saveTitle")}
            initialName={naming.kind === "rename" ? naming.filter.name : ""}
            saving={save.isPending}
            nameError={nameError}
            onSave={(name) => save.mutate({ name })}
            onCancel={() => setNaming(null)}
          />
        </Suspense>
      )}
    </section>
  );
}
