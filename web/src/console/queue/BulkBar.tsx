import { lazy, Suspense, useState } from "react";
import { Button, Space } from "antd";
import { CloseOutlined } from "@ant-design/icons";
import { useTranslation } from "react-i18next";
import { useMe } from "../../session";
import { BULK_MAX, bulkActionsFor, type BulkAction, type Selected } from "./bulk";
import "./tools-messages";
import "./tools.css";

const BulkDialog = lazy(() => import("./BulkDialog"));

type Props = {
  selected: Selected[];
  onClear: () => void;
  /** Replaces the selection (the cases a bulk action left undone, to retry them). */
  onSelect: (cases: Selected[]) => void;
};

/** The bar over a queue with a selection: how many, the actions the selection allows, and clearing it. */
export default function BulkBar({ selected, onClear, onSelect }: Props) {
  const { t } = useTranslation("tools");
  const me = useMe();
  const [action, setAction] = useState<BulkAction | null>(null);
  const actions = bulkActionsFor(selected, me.roles);
  const tooMany = selected.length > BULK_MAX;
  return (
    <section className="bulk-bar" aria-label={t("bulk.label")}>
      <span className="bulk-bar__count" role="status">
        {t("bulk.selected", { count: selected.length })}
      </span>
      <Space size={8} wrap>
        {actions.map((name) => (
          <Button key={name} type={name === "dispatch" ? "primary" : "default"} disabled={tooMany} onClick={() => setAction(name)}>
            {t(`bulk.${name}`)}
          </Button>
        ))}
        {tooMany ? <span className="bulk-bar__warning">{t("bulk.tooMany")}</span> : null}
        <Button type="text" icon={<CloseOutlined aria-hidden="true" />} onClick={onClear}>
          {t("bulk.clear")}
        </Button>
      </Space>
      {action && (
        <Suspense fallback={null}>
          <BulkDialog action={action} selected={selected} onClose={() => setAction(null)} onSelect={onSelect} />
        </Suspense>
      )}
    </section>
  );
}
