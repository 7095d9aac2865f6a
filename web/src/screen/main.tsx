import { StrictMode, useState, type ReactNode } from "react";
import { createRoot } from "react-dom/client";
import { QueryClientProvider } from "@tanstack/react-query";
import { createQueryClient } from "../queryClient";
import "../i18n";
import ScreenApp from "./ScreenApp";
import "./screen.css";

function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(createQueryClient);
  return <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>;
}

// The big screen carries no Ant Design: a wall display shows a fixed 1920×1080 layout of its own.
const container = document.getElementById("root");
if (!container) throw new Error("Missing #root element");
createRoot(container).render(
  <StrictMode>
    <Providers>
      <ScreenApp />
    </Providers>
  </StrictMode>,
);
