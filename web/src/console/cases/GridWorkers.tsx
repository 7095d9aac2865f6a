import { useQueries, useQuery } from "@tanstack/react-query";
import { Form, Select } from "antd";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";

/**
 * The grid workers who work a community: their scope is the community or a street above it, as the
 * server checks on dispatch (else `handler_out_of_reach`). Disabled accounts cannot be assigned.
 */
export function useGridWorkers(communityCode: string, enabled: boolean) {
  return useQuery({
    queryKey: ["users", "grid-workers", communityCode],
    queryFn: () => unwrap(api.GET("/api/v1/users", { params: { query: { covers: communityCode, role: "grid_worker", limit: 500 } } })),
    select: (answer) => answer.users.filter((user) => !user.disabled),
    enabled,
  });
}

/** The choice of a grid worker for a dispatch or reassignment, sent as `to.userId`. */
export function GridWorkerField({ communityCode }: { communityCode: string }) {
  const { t } = useTranslation("case");
  const workers = useGridWorkers(communityCode, true);
  return (
    <Form.Item
      name="userId"
      label={t("form.gridWorker")}
      rules={[{ required: true, message: t("form.gridWorkerRequired") }]}
      extra={workers.data?.length === 0 ? t("form.gridWorkerNone") : undefined}
    >
      <Select
        showSearch={{ optionFilterProp: "label" }}
        loading={workers.isPending}
        options={(workers.data ?? []).map((user) => ({ value: user.id, label: `${user.displayName}（${user.username}）` }))}
      />
    </Form.Item>
  );
}

/**
 * The names of the accounts a case was assigned to, for whoever may read accounts; others see the
 * id, as the server answers them 403.
 */
export function useUserNames(ids: readonly string[]): Map<string, string> {
  const unique = [...new Set(ids)];
  const answers = useQueries({
    queries: unique.map((id) => ({
      queryKey: ["users", "detail", id],
      queryFn: () => unwrap(api.GET("/api/v1/users/{id}", { params: { path: { id } } })),
      staleTime: 5 * 60_000,
      retry: false,
    })),
  });
  const names = new Map<string, string>();
  answers.forEach((answer, i) => {
    if (answer.data) names.set(unique[i], answer.data.user.displayName);
  });
  return names;
}
