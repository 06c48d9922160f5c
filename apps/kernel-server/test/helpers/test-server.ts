import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AppOptions } from "../../src/app.js";
import { startServer, type RunningServer } from "../../src/server.js";

export interface TestServer {
  server: RunningServer;
  /** http://127.0.0.1:PORT/ */
  base: string;
  ws: string;
  token: string;
  root: string;
  /** fetch with the token header. */
  api(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/** Starts the real server on a free port with a fresh temporary root. */
export async function startTestServer(options: { token?: string; app?: AppOptions } = {}): Promise<TestServer> {
  const root = await mkdtemp(join(tmpdir(), "tessera-test-"));
  const token = options.token ?? "test-token-" + Math.random().toString(16).slice(2);
  const server = await startServer({ ip: "127.0.0.1", port: 0, root, token, tokenGenerated: false, allowOrigins: [], webRoot: null, quiet: true }, options.app);
  const base = server.url;
  return {
    server,
    base,
    ws: base.replace(/^http/, "ws"),
    token,
    root,
    api: (path, init = {}) =>
      fetch(new URL(path, base), { ...init, headers: { authorization: `token ${token}`, "content-type": "application/json", ...(init.headers ?? {}) } }),
    close: async () => {
      await server.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}
