import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { AppProviders } from "./AppProviders";
import { startEarlyReads } from "./console/map/early-reads";
import "./i18n";
import "./styles.css";

// Before the app renders: a first load of the map asks for its data while the chunks arrive.
startEarlyReads();

const container = document.getElementById("root");
if (!container) throw new Error("Missing #root element");

createRoot(container).render(
  <StrictMode>
    <AppProviders>
      <App />
    </AppProviders>
  </StrictMode>,
);
