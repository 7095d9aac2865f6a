import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { AppProviders } from "./AppProviders";
import "./i18n";
import { preloadRoute } from "./routes";
import "./styles.css";

// The page's chunks first: they load while React renders the first screen.
preloadRoute(window.location.pathname);

const container = document.getElementById("root");
if (!container) throw new Error("Missing #root element");

createRoot(container).render(
  <StrictMode>
    <AppProviders>
      <App />
    </AppProviders>
  </StrictMode>,
);
