import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { AppProviders } from "./AppProviders";
import { deliverEarlyReads } from "./console/map/early-reads";
import "./i18n";
import { createQueryClient } from "./queryClient";
import { preloadRoute } from "./routes";
import "./styles.css";

// The page's chunks first: they load while React renders the first screen.
preloadRoute(window.location.pathname);

// The answers the entry's early reads already have are in the cache before the first render.
const queryClient = createQueryClient();
deliverEarlyReads(queryClient);

const container = document.getElementById("root");
if (!container) throw new Error("Missing #root element");

createRoot(container).render(
  <StrictMode>
    <AppProviders queryClient={queryClient}>
      <App />
    </AppProviders>
  </StrictMode>,
);
