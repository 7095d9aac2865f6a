import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { compressPhoto, drawThumbnail } from "./compress-photo";
import "./SecureContextNotice";

export type PickedPhoto = { key: string; blob: Blob };

function Thumbnail({ photo, label }: { photo: Blob; label: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (canvas.current) void drawThumbnail(canvas.current, photo, 240);
  }, [photo]);
  return <canvas ref={canvas} className="m-photos__thumb" role="img" aria-label={label} />;
}

/**
 * Photos from the camera or the gallery (`capture` lets a phone offer both), each made smaller on
 * the phone before it is kept, shown as thumbnails with a remove button.
 */
export function PhotoPicker({ photos, onChange, max = 9, label }: { photos: PickedPhoto[]; onChange: (photos: PickedPhoto[]) => void; max?: number; label?: string }) {
  const { t } = useTranslation("mobile");
  const [preparing, setPreparing] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const counter = useRef(0);

  const add = async (files: FileList | null) => {
    if (!files || files.length === 0) return;
    setPreparing(true);
    try {
      const room = Math.max(0, max - photos.length);
      const chosen = Array.from(files).slice(0, room);
      const prepared = [];
      for (const file of chosen) prepared.push({ key: `photo-${(counter.current += 1)}`, blob: (await compressPhoto(file)).blob });
      onChange([...photos, ...prepared]);
    } finally {
      setPreparing(false);
      if (input.current) input.current.value = "";
    }
  };

  return (
    <div className="m-photos">
      {photos.length > 0 && (
        <ul className="m-photos__list">
          {photos.map((photo, index) => (
            <li key={photo.key} className="m-photos__item">
              <Thumbnail photo={photo.blob} label={t("photos.alt", { index: index + 1 })} />
              <button
                type="button"
                className="m-photos__remove"
                aria-label={t("photos.remove", { index: index + 1 })}
                onClick={() => onChange(photos.filter((other) => other.key !== photo.key))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <label className={`m-button m-button--block${photos.length >= max || preparing ? " m-button--disabled" : ""}`}>
        <svg aria-hidden="true" width="22" height="22" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2">
          <path d="M4 7h3l2-3h6l2 3h3v13H4z" />
          <circle cx="12" cy="13" r="4" />
        </svg>
        {preparing ? t("photos.preparing") : (label ?? t("photos.add"))}
        <input
          ref={input}
          type="file"
          accept="image/*"
          capture="environment"
          multiple
          className="m-visually-hidden"
          disabled={photos.length >= max || preparing}
          onChange={(event) => void add(event.target.files)}
        />
      </label>
      <p className="m-muted">{t("photos.count", { count: photos.length, max })}</p>
    </div>
  );
}
