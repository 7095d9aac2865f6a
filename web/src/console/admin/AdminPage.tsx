import { lazy, Suspense } from "react";
import { Skeleton, Tabs } from "antd";
import { useTranslation } from "react-i18next";
import { Navigate, useNavigate, useParams } from "react-router";
import { StatusPanel } from "../../components/StatusPanel";
import { addMessages } from "../../i18n";
import { useMe } from "../../session";
import { allowedSection, allowedSections, SECTIONS, type Section } from "./access";
import messages from "./messages";
import "./admin.css";

addMessages("admin", messages);

const PANES: Record<Section, React.LazyExoticComponent<() => React.ReactNode>> = {
  users: lazy(() => import("./UsersSection")),
  departments: lazy(() => import("./DepartmentsSection")),
  categories: lazy(() => import("./CategoriesSection")),
  routing: lazy(() => import("./RoutingSection")),
  grids: lazy(() => import("./GridImportSection")),
};

const isSection = (value: string | undefined): value is Section => (SECTIONS as readonly string[]).includes(value ?? "");

/** /console/admin/:section: one tab per section the user may open; any other shows that there is no access. */
export default function AdminPage() {
  const { t } = useTranslation("admin");
  const me = useMe();
  const navigate = useNavigate();
  const { section } = useParams();
  const allowed = allowedSections(me);
  if (section === undefined && allowed[0]) return <Navigate to={`/console/admin/${allowed[0]}`} replace />;
  if (!isSection(section) || !allowedSection(me, section)) {
    return <StatusPanel status="warning" title={t("page.noAccess")} subTitle={t("page.noAccessHint")} />;
  }
  const Pane = PANES[section];
  return (
    <div className="admin-page">
      <h1 className="admin-page__title">{t("page.title")}</h1>
      <Tabs
        activeKey={section}
        onChange={(key) => navigate(`/console/admin/${key}`)}
        items={allowed.map((key) => ({ key, label: t(`tab.${key}`) }))}
      />
      <Suspense fallback={<Skeleton active />}>
        <Pane />
      </Suspense>
    </div>
  );
}
