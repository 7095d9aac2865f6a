import { useRef, useState, type PointerEvent } from "react";
import { useMutation } from "@tanstack/react-query";
import { App, Button, Checkbox, Modal, Popconfirm, Space, Tag, Typography } from "antd";
import { DeleteOutlined } from "@ant-design/icons";
import { useTranslation } from "react-i18next";
import { ApiError } from "../../api/client";
import { photoUrl, type CasePhoto } from "../cases/caseApi";
import { regionOf, regionStyle, toFraction, type Region } from "./regions";
import { removeRedaction, saveRedaction } from "./redactionApi";

type Props = {
  caseId: string;
  photo: CasePhoto;
  onClose: () => void;
  /** After a change is saved: the case is read again. */
  onChanged: () => void;
};

/**
 * Staff draw rectangles over a case photo with a mouse or a finger (pointer events), see the blur
 * previewed over each, and save: the server blurs the original into the copy the public gets.
 */
export function RedactDialog({ caseId, photo, onClose, onChanged }: Props) {
  const { t } = useTranslation("redaction");
  const { message } = App.useApp();
  const [regions, setRegions] = useState<Region[]>(photo.redaction?.regions ?? []);
  const [drawing, setDrawing] = useState<{ start: { x: number; y: number }; end: { x: number; y: number } } | null>(null);
  const [preview, setPreview] = useState(true);
  const surface = useRef<HTMLDivElement>(null);

  const failed = (error: Error) => {
    const busy = error instanceof ApiError && error.code === "busy";
    void message.error(busy ? t("dialog.busy") : t("dialog.failed", { reason: error.message }));
  };
  const save = useMutation({
    mutationFn: () => saveRedaction(caseId, photo.id, regions),
    onSuccess: (answer) => {
      void message.success(answer.redacted ? t("dialog.saved") : t("dialog.savedAsIs"));
      onChanged();
      onClose();
    },
    onError: failed,
  });
  const remove = useMutation({
    mutationFn: () => removeRedaction(caseId, photo.id),
    onSuccess: () => {
      void message.success(t("dialog.removed"));
      onChanged();
      onClose();
    },
    onError: failed,
  });

  const pointAt = (event: PointerEvent<HTMLDivElement>) => {
    const box = surface.current?.getBoundingClientRect();
    return box ? toFraction(event.clientX, event.clientY, box) : { x: 0, y: 0 };
  };
  const onPointerDown = (event: PointerEvent<HTMLDivElement>) => {
    if (event.button !== 0) return;
    event.currentTarget.setPointerCapture(event.pointerId);
    const start = pointAt(event);
    setDrawing({ start, end: start });
  };
  const onPointerMove = (event: PointerEvent<HTMLDivElement>) => {
    if (drawing) setDrawing({ ...drawing, end: pointAt(event) });
  };
  const onPointerUp = (event: PointerEvent<HTMLDivElement>) => {
    if (!drawing) return;
    const region = regionOf(drawing.start, pointAt(event));
    if (region) setRegions((current) => [...current, region]);
    setDrawing(null);
  };
  const sketch = drawing ? regionOf(drawing.start, drawing.end) : undefined;
  const busy = save.isPending || remove.isPending;

  return (
    <Modal
      open
      title={t("dialog.title")}
      width={1000}
      onCancel={onClose}
      destroyOnHidden
      footer={
        <Space wrap>
          {photo.redaction && (
            <Popconfirm title={t("dialog.removeConfirm")} onConfirm={() => remove.mutate()} okText={t("dialog.remove")} cancelText={t("dialog.cancel")}>
              <Button danger loading={remove.isPending} disabled={busy}>
                {t("dialog.remove")}
              </Button>
            </Popconfirm>
          )}
          <Button onClick={onClose} disabled={busy}>
            {t("dialog.cancel")}
          </Button>
          <Button type="primary" loading={save.isPending} disabled={busy} onClick={() => save.mutate()}>
            {regions.length > 0 ? t("dialog.save") : t("dialog.saveAsIs")}
          </Button>
        </Space>
      }
    >
      <Typography.Paragraph type="secondary">{t("dialog.hint")}</Typography.Paragraph>
      <div
        ref={surface}
        className="redact-surface"
        role="application"
        aria-label={t("dialog.canvas")}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={() => setDrawing(null)}
      >
        <img src={photoUrl(caseId, photo.id)} alt="" draggable={false} className="redact-surface__image" width={photo.width} height={photo.height} />
        {regions.map((region, index) => (
          <div key={index} className={preview ? "redact-region redact-region--preview" : "redact-region"} style={regionStyle(region)}>
            <span className="redact-region__label">{index + 1}</span>
          </div>
        ))}
        {sketch && <div className="redact-region redact-region--drawing" style={regionStyle(sketch)} />}
      </div>
      <div className="redact-toolbar">
        <Typography.Text>{t("dialog.regions", { count: regions.length })}</Typography.Text>
        <Space wrap size={4}>
          {regions.map((_region, index) => (
            <Tag key={index} closable closeIcon={<DeleteOutlined aria-label={t("dialog.removeRegion", { index: index + 1 })} />} onClose={() => setRegions((current) => current.filter((_, i) => i !== index))}>
              {t("dialog.region", { index: index + 1 })}
            </Tag>
          ))}
        </Space>
        <Space>
          <Checkbox checked={preview} onChange={(event) => setPreview(event.target.checked)}>
            {t("dialog.preview")}
          </Checkbox>
          <Button size="small" onClick={() => setRegions([])} disabled={regions.length === 0}>
            {t("dialog.clear")}
          </Button>
        </Space>
      </div>
    </Modal>
  );
}
