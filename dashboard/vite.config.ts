// Vite build of the dashboard: served by Bay at /dashboard/ under a strict
// CSP, so nothing may be inlined (no data: URLs, no inline scripts).
import { defineConfig } from "vite";

const bay = process.env.BAY_URL ?? "http://127.0.0.1:8114";

export default defineConfig({
  base: "/dashboard/",
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 700,
  },
  // `npm run dev` proxies the API to a running Bay (BAY_URL).
  server: {
    proxy: {
      "/v1": { target: bay, ws: true },
      "/metrics": bay,
      "/health": bay,
    },
  },
});
