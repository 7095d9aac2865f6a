import { StrictMode, useState, type ReactNode } from "react";
import { createRoot } from "react-dom/client";
import { QueryClientProvider } from "@tanstack/react-query";
import { createQueryClient } from "../queryClient";
import "../i18n";
import "./mobile.css";

function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(createQueryClient);
  return <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>;
}

/**
 * Renders a phone app (the residents' portal, the field app) into #root. These apps carry no Ant
 * Design: their first load must stay small on a cheap phone, so they use the plain components of
 * `web/src/mobile/`.
 */
export function mountMobile(app: ReactNode): void {
  const container = document.getElementById("root");
  if (!container) throw new Error("Missing #root element");
  createRoot(container).render(
    <StrictMode>
      <Providers>{app}</Providers>
    </StrictMode>,
  );
}
