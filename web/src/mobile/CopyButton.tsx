import { useState } from "react";
import { useTranslation } from "react-i18next";
import "./SecureContextNotice";

/** Copies text; navigator.clipboard needs a secure context, so plain HTTP falls back to a selection. */
async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Fall through to the selection.
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.className = "m-visually-hidden";
  document.body.appendChild(area);
  area.select();
  const copied = document.execCommand("copy");
  area.remove();
  return copied;
}

export function CopyButton({ text, label }: { text: string; label?: string }) {
  const { t } = useTranslation("mobile");
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="m-button"
      onClick={() => {
        void copyText(text).then((done) => {
          setCopied(done);
          if (done) window.setTimeout(() => setCopied(false), 2000);
        });
      }}
    >
      {copied ? t("copied") : (label ?? t("copy"))}
    </button>
  );
}
