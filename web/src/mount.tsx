import { StrictMode, type ReactNode } from "react";
import { createRoot } from "react-dom/client";
import { AppProviders } from "./AppProviders";
import "./i18n";
import "./styles.css";

/** Renders an app's root into the page's #root, inside the providers every app shares. */
export function mount(app: ReactNode): void {
  const container = document.getElementById("root");
  if (!container) throw new Error("Missing #root element");
  createRoot(container).render(
    <StrictMode>
      <AppProviders>{app}</AppProviders>
    </StrictMode>,
  );
}
