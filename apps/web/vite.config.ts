import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const protocolSrc = fileURLToPath(new URL("../../packages/protocol/src/index.ts", import.meta.url));

// The kernel server serves dist/ itself: assets under /static/, index.html for page routes.
export default defineConfig({
  base: "/static/",
  plugins: [react()],
  resolve: {
    // Bundle the shared protocol from source so the page never depends on a stale dist/.
    alias: { "@tessera/protocol": protocolSrc },
  },
  worker: { format: "es" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 8000,
    sourcemap: false,
  },
  server: { port: 5173 },
});
