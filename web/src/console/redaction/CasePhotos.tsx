import { useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { Button, Card, Empty, Image, Space, Tag, Typography } from "antd";
import { EyeInvisibleOutlined } from "@ant-design/icons";
import { useTranslation } from "react-i18next";
import { addMessages } from "../../i18n";
import { caseKeys, photoUrl, type CasePhoto } from "../cases/caseApi";
import messages from "./messages";
import { RedactDialog } from "./RedactDialog";
import { redactedPhotoUrl } from "./redactionApi";
import "./redaction.css";

addMessages("redaction", messages);

/**
 * A case's photos before and after handling, each full size on click (the original: staff see it
 * whole), with whether the public sees it and how: redacted, reviewed as it is, the reporter's
 * own, or waiting for review; and, for those who may, a button that opens the redact dialog.
 */
export function CasePhotos({ caseId, photos, canRedact }: { caseId: string; photos: CasePhoto[]; canRedact: boolean }) {
  const { t } = useTranslation("redaction");
  // The photo words are the case page's, which holds this card.
  const { t: words } = useTranslation("case");
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<CasePhoto | null>(null);
  const groups = [
    { kind: "before", label: words("photos.before"), items: photos.filter((photo) => photo.kind !== "after" && photo.kind !== "verification") },
    { kind: "after", label: words("photos.after"), items: photos.filter((photo) => photo.kind === "after") },
    // Taken when the result was verified or a closure on the spot reviewed; shown only when there are some.
    { kind: "verification", label: words("photos.verification"), items: photos.filter((photo) => photo.kind === "verification") },
  ].filter((group) => group.kind !== "verification" || group.items.length > 0);
  return (
    <Card title={words("photos.title")} size="small">
      {photos.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={words("photos.none")} />
      ) : (
        groups.map((group) => (
          <div key={group.kind} className="case-photos">
            <div className="case-photos__label">{group.label}</div>
            {group.items.length === 0 ? (
              <Typography.Text type="secondary">{words("photos.none")}</Typography.Text>
            ) : (
              <Space wrap size={12} align="start">
                {group.items.map((photo, index) => {
                  const alt = words("photos.alt", { kind: group.label, index: index + 1 });
                  return (
                    <figure key={photo.id} className="redact-photo">
                      <Image.PreviewGroup
                        items={[
                          photoUrl(caseId, photo.id),
                          ...(photo.redaction?.redacted ? [redactedPhotoUrl(caseId, photo.id, photo.redaction.createdAt)] : []),
                        ]}
                      >
                        <Image width={96} height={72} className="case-photos__thumb" src={photoUrl(caseId, photo.id)} alt={alt} />
                      </Image.PreviewGroup>
                      <figcaption className="redact-photo__caption">
                        <PublicMarker photo={photo} />
                        {canRedact && (
                          <Button size="small" icon={<EyeInvisibleOutlined />} onClick={() => setEditing(photo)} aria-label={`${t("button.redact")} ${alt}`}>
                            {t("button.redact")}
                          </Button>
                        )}
                        {photo.redaction?.redacted && (
                          <a href={redactedPhotoUrl(caseId, photo.id, photo.redaction.createdAt)} target="_blank" rel="noreferrer" className="redact-photo__link">
                            {t("button.viewRedacted")}
                          </a>
                        )}
                      </figcaption>
                    </figure>
                  );
                })}
              </Space>
            )}
          </div>
        ))
      )}
      {editing && (
        <RedactDialog
          caseId={caseId}
          photo={editing}
          onClose={() => setEditing(null)}
          onChanged={() => void queryClient.invalidateQueries({ queryKey: caseKeys.detail(caseId) })}
        />
      )}
    </Card>
  );
}

/** Whether the reporter's tracking page shows the photo, and as what; in words, not colour alone. */
function PublicMarker({ photo }: { photo: CasePhoto }) {
  const { t } = useTranslation("redaction");
  if (photo.redaction?.redacted) return <Tag color="blue">{t("marker.redacted")}</Tag>;
  if (photo.redaction) return <Tag color="green">{t("marker.reviewed")}</Tag>;
  if (photo.public) return <Tag>{t("marker.public")}</Tag>;
  return <Tag color="orange">{t("marker.pending")}</Tag>;
}
