import { useEffect, useMemo, useState, type ChangeEvent } from "react";
import { useTranslation } from "react-i18next";
import { countdown, formatDateTime } from "../console/queue/format";
import { compressPhoto } from "../mobile/compress-photo";
import { mapLinks } from "./geo";

const LIGHT = { on_time: "green", near_due: "yellow", overdue: "red" } as const;

/** The deadline light (红黄绿灯) with its words beside it. */
export function Light({ status, deadline, minutes }: { status: string; deadline: "on_time" | "near_due" | "overdue" | null; minutes: number | null }) {
  const { t } = useTranslation("field");
  let light: "green" | "yellow" | "red" | "grey" = "grey";
  let words: string;
  if (deadline === null) words = t("deadline.finished");
  else if (status === "suspended") words = t("deadline.suspended");
  else {
    light = LIGHT[deadline];
    const left = minutes === null ? null : countdown(minutes);
    const count = left ? t(left.key, { count: left.count }) : t(`deadline.${deadline}`);
    words = deadline === "near_due" && left ? `${t("deadline.near_due")} · ${count}` : count;
  }
  return (
    <span className={`f-light f-light--${light}`} data-deadline={deadline ?? "none"}>
      <span className="f-light__dot" aria-hidden="true" />
      {words}
    </span>
  );
}

export { formatDateTime };

/** Photos from the camera, compressed on the phone as soon as they are taken. */
export function PhotoPicker({ label, photos, onChange }: { label: string; photos: Blob[]; onChange: (photos: Blob[]) => void }) {
  const { t } = useTranslation("field");
  const [busy, setBusy] = useState(false);
  const urls = useMemo(() => photos.map((photo) => URL.createObjectURL(photo)), [photos]);
  useEffect(() => () => urls.forEach((url) => URL.revokeObjectURL(url)), [urls]);
  const add = async (event: ChangeEvent<HTMLInputElement>) => {
    const files = [...(event.target.files ?? [])];
    event.target.value = "";
    setBusy(true);
    try {
      const compressed = await Promise.all(files.map(async (file) => (await compressPhoto(file)).blob));
      onChange([...photos, ...compressed].slice(0, 9));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="m-field">
      <span className="m-field__label">{label}</span>
      <div className="f-photos">
        {urls.map((url, i) => (
          <button key={url} type="button" className="f-photo" aria-label={t("report.removePhoto", { n: i + 1 })} onClick={() => onChange(photos.filter((_, j) => j !== i))}>
            <img src={url} alt="" />
          </button>
        ))}
        {photos.length < 9 && (
          <label className="f-photo f-photo--add">
            <span>{busy ? t("report.compressing") : `＋ ${t("report.addPhoto")}`}</span>
            <input type="file" accept="image/*" capture="environment" multiple aria-label={label} onChange={(event) => void add(event)} />
          </label>
        )}
      </div>
    </div>
  );
}

/** Navigation to a place: Amap, and the phone's other map app (Apple Maps on iOS, a geo: link on Android). */
export function NavigateLinks({ point, title }: { point: Parameters<typeof mapLinks>[0]; title: string }) {
  const { t } = useTranslation("field");
  const links = mapLinks(point, title, navigator.userAgent);
  return (
    <div className="f-row">
      <a className="m-button" href={links.amap} target="_blank" rel="noreferrer">
        {t("route.amap")}
      </a>
      <a className="m-button" href={links.other}>
        {t("route.other")}
      </a>
    </div>
  );
}
