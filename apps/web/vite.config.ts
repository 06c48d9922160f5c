import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const protocolSrc = fileURLToPath(new URL("../../packages/protocol/src/index.ts", import.meta.url));

// The kernel server serves dist/ itself: assets under <base-url>static/, index.html for page
// routes (it makes index.html's "./assets/…" absolute). A relative base keeps chunks, workers
// and fonts loading relative to one another, so the page works under any --base-url.
export default defineConfig({
  base: "./",
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
