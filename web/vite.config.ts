import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import { BUILD_TARGET } from "./build-target.ts";
import { precompress } from "./precompress.ts";
import { fieldServiceWorker } from "./field-sw.ts";
import { cspSafeOverlays } from "./csp-safe-overlays.ts";
import { antdStylesheet } from "./antd-styles.ts";

// `npm run dev` serves the app and forwards API calls to a server on port 3000.
const apiTarget = "http://localhost:3000";

export default defineConfig({
  plugins: [react(), cspSafeOverlays(), antdStylesheet(), fieldServiceWorker(), precompress()],
  // The server puts a fresh nonce here in every index.html it sends (server/src/app.ts); the app
  // hands it to Ant Design, whose <style> elements the Content-Security-Policy then admits.
  html: { cspNonce: "__CSP_NONCE__" },
  server: {
    proxy: {
      "/api": { target: apiTarget, changeOrigin: false },
      "/healthz": { target: apiTarget, changeOrigin: false },
    },
  },
  preview: {
    proxy: {
      "/api": { target: apiTarget, changeOrigin: false },
      "/healthz": { target: apiTarget, changeOrigin: false },
    },
  },
  build: {
    // For the browsers built into WeChat and Android phones (build-target.ts says why); checked by
    // server/test/build-target.test.ts on the built files.
    target: BUILD_TARGET,
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1200,
    // Images stay files: the policy admits images from this origin only, never data: URLs.
    assetsInlineLimit: 0,
    // Three apps, each its own page and first load: the console, the residents' portal and the
    // field app. The server answers /resident/… with resident.html and /field/… with field.html.
    rollupOptions: {
      input: {
        console: fileURLToPath(new URL("index.html", import.meta.url)),
        resident: fileURLToPath(new URL("resident.html", import.meta.url)),
        field: fileURLToPath(new URL("field.html", import.meta.url)),
        screen: fileURLToPath(new URL("screen.html", import.meta.url)),
      },
    },
  },
});
