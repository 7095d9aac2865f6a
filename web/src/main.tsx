import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { AppProviders } from "./AppProviders";
import { startEarlyReads } from "./console/map/early-reads";
import "./i18n";
import { preloadRoute } from "./routes";
import { askSessionEarly } from "./session";
import "./styles.css";

// Before the app renders: the page's chunks, and on a first load of the map its data, are asked
// for while the session is.
const session = askSessionEarly();
preloadRoute(window.location.pathname);
startEarlyReads(session);

const container = document.getElementById("root");
if (!container) throw new Error("Missing #root element");

createRoot(container).render(
  <StrictMode>
    <AppProviders>
      <App />
    </AppProviders>
  </StrictMode>,
);
