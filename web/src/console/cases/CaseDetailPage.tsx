import { lazy, Suspense, useEffect, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Col, Descriptions, Empty, List, Result, Row, Skeleton, Space, Spin, Tag, Timeline, Typography } from "antd";
import { EyeOutlined } from "@ant-design/icons";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { ApiError, fetchGrids } from "../../api/client";
import { addMessages } from "../../i18n";
import { usePageTitle } from "../page-title";
import {
  caseKeys,
  fetchCase,
  useCategories,
  useDepartments,
  isNotFound,
  isStale,
  locatePlace,
  revealContact,
  transitionCase,
  type CaseActionName,
  type CaseView,
  type LoadedCase,
  type Place,
  type TimelineEvent,
  type TransitionBody,
} from "./caseApi";
import { ActionDialog } from "./ActionDialog";
import CaseAnswers from "../questions/CaseAnswers";
import { CasePhotos } from "../redaction/CasePhotos";
import { JointHandlingCard, ReturnRequestAlert, useJointFacts } from "./JointHandling";
import { durationParts, STAGES, stageState, type StageState } from "./deadlines";
import messages from "./messages";
import "./case.css";
import { formatDateTime } from "../queue/format";
import { errorText, useWords } from "./words";
import { ListWalk } from "../queue/ListWalk";
import { useUserNames } from "./GridWorkers";

addMessages("case", messages);

const PointMap = lazy(() => import("./PointMap"));

/** The step that moves the case along its loop, shown as the primary button when the API offers it. */
const FORWARD: readonly CaseActionName[] = ["accept", "register", "dispatch", "acknowledge", "co_acknowledge", "co_report", "handle", "verify_pass", "approve_extension", "approve_return", "resume", "evaluate"];

const URGENCY_COLOR: Record<string, string> = { normal: "default", urgent: "orange", emergency: "red" };
/** The console's deadline lights (红黄绿灯): green in time, yellow near due, red overdue, grey stopped or not counted. */
const LIGHT: Record<StageState["kind"], "green" | "yellow" | "red" | "grey"> = {
  on_time: "green",
  near_due: "yellow",
  overdue: "red",
  suspended: "grey",
  done: "grey",
  done_on_time: "green",
  done_late: "red",
  not_applicable: "grey",
};

export default function CaseDetailPage() {
  const { id = "" } = useParams();
  const { t } = useTranslation("case");
  const query = useQuery({ queryKey: caseKeys.detail(id), queryFn: () => fetchCase(id) });

  if (query.isPending) {
    return (
      <div className="case-page" role="status" aria-live="polite" aria-label={t("page.loading")}>
        <Skeleton active paragraph={{ rows: 10 }} />
      </div>
    );
  }
  if (query.isError) {
    const notFound = isNotFound(query.error) || (query.error instanceof ApiError && query.error.code === "validation_failed");
    return (
      <div className="full-page-center">
        <Result
          status={notFound ? "404" : "warning"}
          title={notFound ? t("page.notFound") : t("page.error")}
          subTitle={notFound ? t("page.notFoundHint") : `${t("page.errorHint")} (${query.error.message})`}
          extra={
            <Space>
              <Link to="/console/cases">
                <Button>{t("page.backToQueue")}</Button>
              </Link>
              {!notFound && (
                <Button type="primary" onClick={() => void query.refetch()}>
                  {t("actions.submit")}
                </Button>
              )}
            </Space>
          }
        />
      </div>
    );
  }
  return <CaseDetail loaded={query.data} readAt={query.dataUpdatedAt} refreshing={query.isFetching} />;
}

function CaseDetail({ loaded, readAt, refreshing }: { loaded: LoadedCase; readAt: number; refreshing: boolean }) {
  const { t } = useTranslation("case");
  const view = loaded.case;
  usePageTitle(view.number);
  const place = useQuery({ queryKey: caseKeys.place(view.location.lat, view.location.lng), queryFn: () => locatePlace(view.location.lat, view.location.lng), staleTime: Infinity });
  const [stale, setStale] = useState(false);
  const [open, setOpen] = useState<OpenAction | null>(null);
  const mayMerge = view.actions.includes("merge");

  return (
    <div className="case-page">
      <ListWalk caseId={view.id} />
      {stale && (
        <Alert type="warning" showIcon role="alert" title={t("actions.stale")} description={t("actions.staleHint")} closable={{ onClose: () => setStale(false) }} className="case-page__alert" />
      )}
      <CaseHeader loaded={loaded} place={place.data} refreshing={refreshing} open={open} setOpen={setOpen} onStale={() => setStale(true)} onActed={() => setStale(false)} />
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={15}>
          <Space direction="vertical" size={16} className="case-page__column">
            <ReturnRequestAlert view={view} />
            <CaseFacts view={view} place={place.data} />
            <JointHandlingCard view={view} />
            {(loaded.duplicates.length > 0 || !isFinished(view.status)) && (
              <Duplicates duplicates={loaded.duplicates} onMerge={mayMerge ? (into) => setOpen({ action: "merge", into, read: loaded }) : undefined} />
            )}
            <CaseTimeline timeline={loaded.timeline} />
          </Space>
        </Col>
        <Col xs={24} xl={9}>
          <Space direction="vertical" size={16} className="case-page__column">
            <Deadlines view={view} timeline={loaded.timeline} readAt={readAt} />
            <CaseAnswers answers={view.answers} />
            <LocationCard view={view} />
            <CasePhotos caseId={view.id} photos={loaded.photos} canRedact={loaded.canRedactPhotos} />
          </Space>
        </Col>
      </Row>
    </div>
  );
}

/**
 * An action's form, with the case as it was read when the form opened: a live update may refresh
 * the page underneath, but the form still sends the version its user looked at.
 */
type OpenAction = { action: CaseActionName; into?: string; read: LoadedCase };

function CaseHeader({
  loaded,
  place,
  refreshing,
  open,
  setOpen,
  onStale,
  onActed,
}: {
  loaded: LoadedCase;
  place: Place | undefined;
  refreshing: boolean;
  open: OpenAction | null;
  setOpen: (open: OpenAction | null) => void;
  onStale: () => void;
  onActed: () => void;
}) {
  const word = useWords();
  const { t } = useTranslation("case");
  const view = loaded.case;
  const queryClient = useQueryClient();
  const { message } = App.useApp();


  const act = useMutation({
    mutationFn: ({ body, etag }: { body: TransitionBody; etag: string }) => transitionCase(view.id, etag, body),
    onSuccess: (updated, { body }) => {
      queryClient.setQueryData(caseKeys.detail(view.id), updated);
      void queryClient.invalidateQueries({ queryKey: ["cases", "list"] });
      setOpen(null);
      onActed();
      void message.success(t("actions.success", { action: word("action", body.action) }));
    },
    onError: (error) => {
      if (isStale(error)) {
        // Someone else changed the case: show theirs, never send ours over it.
        setOpen(null);
        onStale();
        void queryClient.invalidateQueries({ queryKey: caseKeys.detail(view.id) });
        return;
      }
      void message.error(errorText(t, error));
    },
  });

  const actions = view.actions as CaseActionName[];
  const primary = FORWARD.find((action) => actions.includes(action));

  return (
    <Card className="case-header">
      <div className="case-header__top">
        <div className="case-header__identity">
          <span className="case-header__label">{t("field.number")}</span>
          <Typography.Text className="case-number case-number--large" copyable={{ text: view.number, tooltips: [t("page.copy"), t("page.copied")] }}>
            {view.number}
          </Typography.Text>
          <Space size={8} wrap>
            <Tag color="blue" className="case-header__status">
              {word("status", view.status)}
            </Tag>
            <Tag color={URGENCY_COLOR[view.urgency] ?? "default"}>{word("urgency", view.urgency)}</Tag>
            <Tag>{word("level", view.level)}</Tag>
            {refreshing && <Spin size="small" />}
          </Space>
          <Typography.Title level={2} className="case-header__title">
            {view.title}
          </Typography.Title>
        </div>
        <section className="case-header__actions" aria-label={t("actions.title")}>
          {actions.length === 0 ? (
            <Typography.Text type="secondary">{t("actions.none")}</Typography.Text>
          ) : (
            <Space wrap>
              {actions.map((action) => (
                <Button key={action} type={action === primary ? "primary" : "default"} danger={action === "reject" || action === "verify_fail"} onClick={() => setOpen({ action, read: loaded })}>
                  {word("action", action)}
                </Button>
              ))}
            </Space>
          )}
        </section>
      </div>
      {open && (
        <ActionDialog
          action={open.action}
          initialInto={open.into}
          loaded={open.read}
          place={place}
          mergeCandidates={open.read.duplicates}
          submitting={act.isPending}
          onSubmit={(body) => act.mutate({ body, etag: open.read.etag })}
          onCancel={() => setOpen(null)}
        />
      )}
    </Card>
  );
}

const isFinished = (status: string) => ["rejected", "closed", "evaluated", "merged"].includes(status);

/** Open cases nearby with similar words, from the API; those allowed to merge can fold this case into one. */
function Duplicates({ duplicates, onMerge }: { duplicates: LoadedCase["duplicates"]; onMerge: ((into: string) => void) | undefined }) {
  const word = useWords();
  const { t } = useTranslation("case");
  return (
    <Card title={t("duplicates.title")} size="small">
      {duplicates.length === 0 ? (
        <Typography.Text type="secondary">{t("duplicates.none")}</Typography.Text>
      ) : (
        <List
          size="small"
          dataSource={duplicates}
          renderItem={(duplicate) => (
            <List.Item
              actions={[
                <Link key="open" to={`/console/cases/${duplicate.id}`}>
                  {t("duplicates.open")}
                </Link>,
                ...(onMerge
                  ? [
                      <Button key="merge" size="small" onClick={() => onMerge(duplicate.id)}>
                        {t("duplicates.merge")}
                      </Button>,
                    ]
                  : []),
              ]}
            >
              <List.Item.Meta
                title={
                  <Space size={8} wrap>
                    <span className="case-number case-number--inline">{duplicate.number}</span>
                    <Tag>{word("status", duplicate.status)}</Tag>
                  </Space>
                }
                description={
                  <Space size={12} wrap>
                    <span>{duplicate.title}</span>
                    <span>{t("duplicates.similarity", { percent: Math.round(duplicate.similarity * 100) })}</span>
                    <span>{t("duplicates.distance", { meters: Math.round(duplicate.distanceMeters) })}</span>
                    <span>{t("duplicates.reported", { time: formatDateTime(duplicate.createdAt) })}</span>
                  </Space>
                }
              />
            </List.Item>
          )}
        />
      )}
    </Card>
  );
}

function CaseFacts({ view, place }: { view: CaseView; place: Place | undefined }) {
  const word = useWords();
  const { t } = useTranslation("case");
  const categories = useCategories();
  const departments = useDepartments();
  const categoryName = (code: string | null) => (code ? (categories.data?.find((category) => category.code === code)?.name ?? code) : null);
  const departmentName = (code: string | null) => (code ? (departments.data?.find((department) => department.code === code)?.name ?? code) : null);
  // A case dispatched to a person (a grid worker or handler) names them.
  const assignee = view.assignment?.userId;
  const userNames = useUserNames(assignee ? [assignee] : []);

  return (
    <Card title={t("page.title")} size="small">
      <Descriptions column={{ xs: 1, md: 2 }} size="small" bordered className="case-facts">
        <Descriptions.Item label={t("field.status")}>{word("status", view.status)}</Descriptions.Item>
        <Descriptions.Item label={t("field.level")}>{word("level", view.level)}</Descriptions.Item>
        <Descriptions.Item label={t("field.category")}>
          {categoryName(view.categoryCode) ?? (
            <Space size={4} wrap>
              <Typography.Text type="secondary">{t("field.uncategorised")}</Typography.Text>
              {view.suggestedCategoryCode && <Tag>{t("field.suggested", { name: categoryName(view.suggestedCategoryCode) })}</Tag>}
            </Space>
          )}
        </Descriptions.Item>
        <Descriptions.Item label={t("field.urgency")}>{word("urgency", view.urgency)}</Descriptions.Item>
        <Descriptions.Item label={t("field.source")}>{word("source", view.source)}</Descriptions.Item>
        <Descriptions.Item label={t("field.department")}>{departmentName(view.departmentCode) ?? t("field.noDepartment")}</Descriptions.Item>
        {assignee && <Descriptions.Item label={t("field.assignee")}>{userNames.get(assignee) ?? assignee}</Descriptions.Item>}
        <Descriptions.Item label={t("field.street")}>{place?.street.name ?? view.streetCode}</Descriptions.Item>
        <Descriptions.Item label={t("field.community")}>{place?.community.name ?? view.communityCode}</Descriptions.Item>
        <Descriptions.Item label={t("field.grid")} span={2}>
          {place ? `${place.grid.name} ` : ""}
          <Typography.Text code>{view.gridCode}</Typography.Text>
        </Descriptions.Item>
        <Descriptions.Item label={t("field.reporter")}>{view.reporter.name ?? t("field.anonymous")}</Descriptions.Item>
        <Descriptions.Item label={t("field.reporterPhone")}>
          <ReporterPhone view={view} />
        </Descriptions.Item>
        <Descriptions.Item label={t("field.createdAt")}>
          <span className="case-facts__time">{formatDateTime(view.createdAt)}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t("field.closedAt")}>{view.closedAt ? <span className="case-facts__time">{formatDateTime(view.closedAt)}</span> : "—"}</Descriptions.Item>
        {view.satisfaction && <Descriptions.Item label={t("field.satisfaction")}>{word("satisfaction", view.satisfaction)}</Descriptions.Item>}
        {view.pendingExtensionDays !== null && (
          <Descriptions.Item label={t("action.request_extension")}>{t("field.pendingExtension", { days: view.pendingExtensionDays })}</Descriptions.Item>
        )}
        {(view.reworkCount > 0 || view.reopenCount > 0) && (
          <Descriptions.Item label={t("action.verify_fail")}>
            {[view.reworkCount > 0 && t("field.rework", { count: view.reworkCount }), view.reopenCount > 0 && t("field.reopen", { count: view.reopenCount })].filter(Boolean).join("，")}
          </Descriptions.Item>
        )}
        {view.mergedInto && (
          <Descriptions.Item label={t("field.mergedInto")}>
            <Link to={`/console/cases/${view.mergedInto}`}>{view.mergedInto}</Link>
          </Descriptions.Item>
        )}
        <Descriptions.Item label={t("field.description")} span={2}>
          <Typography.Paragraph className="case-description">{view.description}</Typography.Paragraph>
        </Descriptions.Item>
      </Descriptions>
    </Card>
  );
}

/** The masked phone, and the audited reveal for those whose permissions include it. */
function ReporterPhone({ view }: { view: CaseView }) {
  const { t } = useTranslation("case");
  const reveal = useMutation({ mutationFn: () => revealContact(view.id) });
  if (!view.reporter.phone) return <>—</>;
  if (reveal.data?.phone) return <Typography.Text copyable>{reveal.data.phone}</Typography.Text>;
  return (
    <Space size={8} wrap>
      <span>{view.reporter.phone}</span>
      {view.reporter.canReveal && (
        <>
          <Button size="small" icon={<EyeOutlined aria-hidden="true" />} loading={reveal.isPending} onClick={() => reveal.mutate()} aria-describedby={`reveal-hint-${view.id}`}>
            {t("reveal.button")}
          </Button>
          <Typography.Text type="secondary" id={`reveal-hint-${view.id}`} className="case-reveal-hint">
            {t("reveal.hint")}
          </Typography.Text>
        </>
      )}
      {reveal.isError && <Typography.Text type="danger">{errorText(t, reveal.error)}</Typography.Text>}
    </Space>
  );
}

/** Re-renders every half minute, so countdowns stay true while the page is open. */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 30_000);
    return () => window.clearInterval(timer);
  }, []);
  return now;
}

function Deadlines({ view, timeline, readAt }: { view: CaseView; timeline: readonly TimelineEvent[]; readAt: number }) {
  const { t } = useTranslation("case");
  const elapsedMinutes = Math.max(0, Math.floor((useNow() - readAt) / 60_000));
  const duration = (minutes: number) => {
    const { unit, count } = durationParts(minutes);
    return t(`deadlines.${unit}`, { count });
  };
  const describe = (state: StageState) => {
    switch (state.kind) {
      case "done":
        return t("deadlines.done");
      case "done_on_time":
        return t("deadlines.doneOnTime");
      case "done_late":
        return t("deadlines.doneLate");
      case "not_applicable":
        return t("deadlines.notApplicable");
      case "suspended":
        return t("deadlines.suspended");
      case "on_time":
        return t("deadlines.onTime", { time: duration(state.minutes) });
      case "near_due":
        return t("deadlines.nearDue", { time: duration(state.minutes) });
      case "overdue":
        return t("deadlines.overdue", { time: duration(state.minutes) });
    }
  };
  return (
    <Card title={t("deadlines.title")} size="small">
      <ul className="case-deadlines">
        {STAGES.map((stage) => {
          const state = stageState(view, stage, elapsedMinutes, timeline);
          return (
            <li key={stage} className="case-deadlines__row">
              <span className="case-deadlines__stage">{t(`deadlines.${stage}`)}</span>
              <span className="case-deadlines__time">{formatDateTime(view.deadlines[stage])}</span>
              <span className={`deadline deadline--${LIGHT[state.kind]}`} data-deadline={state.kind}>
                <span className="deadline__light" aria-hidden="true" />
                <span className="deadline__words">{describe(state)}</span>
              </span>
            </li>
          );
        })}
      </ul>
    </Card>
  );
}

function LocationCard({ view }: { view: CaseView }) {
  const { t } = useTranslation("case");
  const grids = useQuery({ queryKey: ["grids", view.communityCode], queryFn: () => fetchGrids(view.communityCode), staleTime: Infinity });
  return (
    <Card title={t("map.title")} size="small" className="case-map-card">
      <Suspense fallback={<Skeleton.Node active className="case-map case-map--loading">{t("map.loading")}</Skeleton.Node>}>
        <PointMap className="case-map" grids={grids.data} point={view.location} gridCode={view.gridCode} label={t("map.label")} />
      </Suspense>
    </Card>
  );
}

/** The accounts an event assigned the case to or took it from. */
function assignedUsers(details: Record<string, unknown>): string[] {
  return [details.assignment, details.previousAssignment].flatMap((value) =>
    typeof value === "object" && value !== null && typeof (value as Record<string, unknown>).userId === "string" ? [(value as Record<string, string>).userId] : [],
  );
}

function CaseTimeline({ timeline }: { timeline: TimelineEvent[] }) {
  const word = useWords();
  const { t } = useTranslation("case");
  const departments = useDepartments();
  const categories = useCategories();
  const jointFacts = useJointFacts();
  const userNames = useUserNames(timeline.flatMap((event) => assignedUsers(event.details)));
  const categoryName = (code: string | null) => (code ? (categories.data?.find((category) => category.code === code)?.name ?? code) : t("timeline.none"));
  const departmentName = (code: string | null) => (code ? (departments.data?.find((department) => department.code === code)?.name ?? code) : t("timeline.none"));
  const target = (assignment: unknown): string | null => {
    if (typeof assignment !== "object" || assignment === null) return null;
    const value = assignment as Record<string, unknown>;
    if (typeof value.departmentId === "string") return departments.data?.find((department) => department.id === value.departmentId)?.name ?? value.departmentId;
    if (typeof value.divisionCode === "string") return value.divisionCode;
    if (typeof value.userId === "string") return userNames.get(value.userId) ?? value.userId;
    return null;
  };
  const facts = (event: TimelineEvent): string[] => {
    const details = event.details;
    const list: string[] = [];
    const to = target(details.assignment);
    const from = target(details.previousAssignment);
    if (from) list.push(t("timeline.reassignedFrom", { target: from }));
    if (to) list.push(t("timeline.dispatchedTo", { target: to }));
    const change = (value: unknown): { from: string | null; to: string | null } | null => {
      if (typeof value !== "object" || value === null) return null;
      const { from, to } = value as Record<string, unknown>;
      return { from: typeof from === "string" ? from : null, to: typeof to === "string" ? to : null };
    };
    const category = change(details.category);
    if (category) list.push(t("timeline.category", { from: categoryName(category.from), to: categoryName(category.to) }));
    const department = change(details.department);
    if (department) list.push(t("timeline.department", { from: departmentName(department.from), to: departmentName(department.to) }));
    const level = change(details.level);
    if (level?.from && level.to) list.push(t("timeline.levelChange", { from: word("level", level.from), to: word("level", level.to) }));
    const urgency = change(details.urgency);
    if (urgency?.from && urgency.to) list.push(t("timeline.urgency", { from: word("urgency", urgency.from), to: word("urgency", urgency.to) }));
    list.push(...jointFacts(event.action, details));
    if (typeof details.days === "number") list.push(t("timeline.days", { days: details.days }));
    if (typeof details.toLevel === "string") list.push(t("timeline.toLevel", { level: word("level", details.toLevel) }));
    if (typeof details.satisfaction === "string") list.push(word("satisfaction", details.satisfaction));
    if (details.reopened === true) list.push(t("timeline.reopened"));
    if (typeof details.caller === "object" && details.caller !== null) {
      const { name, phone } = details.caller as Record<string, unknown>;
      const caller = [name, phone].filter((part): part is string => typeof part === "string" && part.length > 0).join(" ");
      if (caller) list.push(t("timeline.caller", { caller }));
    }
    if (typeof details.into === "string") list.push(t("timeline.mergedInto"));
    if (Array.isArray(details.photos) && details.photos.length > 0) list.push(t("timeline.photos", { count: details.photos.length }));
    return list;
  };
  return (
    <Card title={t("timeline.title")} size="small">
      {timeline.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t("timeline.empty")} />
      ) : (
        <Timeline
          className="case-timeline"
          items={timeline.map((event) => ({
            key: event.id,
            color: event.action === "reject" || event.action === "verify_fail" ? "red" : event.to === "closed" || event.to === "evaluated" ? "green" : "blue",
            children: (
              <article className="case-timeline__event" aria-label={word("action", event.action)}>
                <div className="case-timeline__head">
                  <strong className="case-timeline__action">{word("action", event.action)}</strong>
                  <span className="case-timeline__time">{formatDateTime(event.at)}</span>
                </div>
                <div className="case-timeline__meta">
                  <span className="case-timeline__actor">{t("timeline.actorLevel", { actor: event.actor ?? t("timeline.system"), level: word("level", event.level) })}</span>
                  {event.apiKey && <Tag>{t("timeline.viaApiKey", { name: event.apiKey.name, organisation: event.apiKey.organisation })}</Tag>}
                  {event.from && event.from !== event.to && (
                    <span className="case-timeline__move">{t("timeline.move", { from: word("status", event.from), to: word("status", event.to) })}</span>
                  )}
                  {facts(event).map((fact) => (
                    <Tag key={fact}>{fact}</Tag>
                  ))}
                </div>
                {event.note && <Typography.Paragraph className="case-timeline__note">{event.note}</Typography.Paragraph>}
              </article>
            ),
          }))}
        />
      )}
    </Card>
  );
}
