import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { Alert, Descriptions, Drawer, Empty, Skeleton, Tag, Typography } from "antd";
import { PhoneOutlined, UserOutlined } from "@ant-design/icons";
import { ApiError, fetchGrid, type GridFeature, type StaffDuty } from "../api/client";

function dutyLabel(duty: StaffDuty, t: TFunction): string {
  const key = DUTY_LABELS[duty];
  return key ? t(key) : duty;
}
import { useTranslation } from "react-i18next";
import type { TFunction } from "i18next";
import type { MessageKey } from "../i18n";

const DUTY_LABELS: Readonly<Record<string, MessageKey | undefined>> = {
  inspector: "duty.inspector",
  street_cadre: "duty.street_cadre",
  grid_worker: "duty.grid_worker",
  volunteer: "duty.volunteer",
  building_head: "duty.building_head",
};

const DUTY_COLORS: Readonly<Record<string, string | undefined>> = {
  inspector: "purple",
  street_cadre: "geekblue",
  grid_worker: "green",
  volunteer: "orange",
  building_head: "cyan",
};

type Props = {
  /** The selected grid as drawn on the map, shown while its details load. */
  feature: GridFeature | null;
  onClose: () => void;
};

export function GridDrawer({ feature, onClose }: Props) {
  const { t } = useTranslation();
  // Keep showing the last grid while the drawer slides closed.
  const [lastFeature, setLastFeature] = useState(feature);
  if (feature !== null && feature !== lastFeature) setLastFeature(feature);
  const shown = feature ?? lastFeature;
  const code = shown?.properties.code ?? null;
  const grid = useQuery({
    queryKey: ["grid", code],
    queryFn: () => fetchGrid(code ?? ""),
    enabled: code !== null,
  });

  const summary = grid.data
    ? {
        code: grid.data.code,
        name: grid.data.name,
        community: grid.data.community.name,
        street: grid.data.street.name,
      }
    : shown
      ? {
          code: shown.properties.code,
          name: shown.properties.name,
          community: shown.properties.communityName,
          street: shown.properties.streetName,
        }
      : null;

  return (
    <Drawer
      title={t("grid.drawerTitle")}
      open={feature !== null}
      onClose={onClose}
      mask={false}
      placement="right"
      size={380}
      className="grid-drawer"
      rootClassName="grid-drawer-root"
      // Inside the map area, below the header, so the header stays usable while it is open.
      getContainer={false}
      rootStyle={{ position: "absolute" }}
    >
      {summary ? (
        <Descriptions
          column={1}
          size="small"
          bordered
          items={[
            {
              key: "code",
              label: t("grid.code"),
              children: (
                <Typography.Text copyable className="grid-drawer__code" data-testid="grid-code">
                  {summary.code}
                </Typography.Text>
              ),
            },
            { key: "name", label: t("grid.name"), children: summary.name },
            { key: "community", label: t("grid.community"), children: summary.community },
            { key: "street", label: t("grid.street"), children: summary.street },
          ]}
        />
      ) : null}

      <Typography.Title level={3} className="grid-drawer__staff-title" id="grid-staff-title">
        {t("grid.staff")}
      </Typography.Title>
      {grid.isPending ? (
        <Skeleton active paragraph={{ rows: 3 }} title={false} />
      ) : grid.isError ? (
        <Alert
          type="error"
          showIcon
          title={
            grid.error instanceof ApiError && grid.error.code === "grid_not_found"
              ? t("grid.notFound")
              : t("grid.loadError")
          }
        />
      ) : grid.data.staff.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t("grid.staffEmpty")} />
      ) : (
        <ul className="staff-list" aria-labelledby="grid-staff-title">
          {grid.data.staff.map((person) => (
            <li key={`${person.userId}-${person.duty}`} className="staff-list__item">
              <span className="staff-list__avatar" aria-hidden="true">
                <UserOutlined />
              </span>
              <span className="staff-list__body">
                <span className="staff-list__name">{person.displayName}</span>
                <span className="staff-list__phone">
                  <PhoneOutlined aria-hidden="true" />
                  <span className="visually-hidden">{`${t("grid.phone")}: `}</span>
                  {person.phone ?? t("grid.noPhone")}
                </span>
              </span>
              <Tag color={DUTY_COLORS[person.duty] ?? "default"} className="staff-list__duty">
                {dutyLabel(person.duty, t)}
              </Tag>
            </li>
          ))}
        </ul>
      )}
    </Drawer>
  );
}
