import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AppOptions } from "../../src/app.js";
import type { ServerConfig } from "../../src/cli/config.js";
import { startServer, type RunningServer } from "../../src/server.js";

export interface TestServer {
  server: RunningServer;
  /** http://127.0.0.1:PORT/ (and the base URL, when one is set) */
  base: string;
  ws: string;
  token: string;
  root: string;
  /** fetch with the token header; `path` is relative to the base URL ("/api/x" and "api/x" alike). */
  api(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/** Starts the real server on a free port with a fresh temporary root; `config` overrides settings (base URL, password, TLS). */
export async function startTestServer(
  options: { token?: string; app?: AppOptions; config?: Partial<ServerConfig> } = {},
): Promise<TestServer> {
  const root = await mkdtemp(join(tmpdir(), "tessera-test-"));
  const token = options.token ?? "test-token-" + Math.random().toString(16).slice(2);
  const config: ServerConfig = {
    ip: "127.0.0.1",
    port: 0,
    root,
    token,
    tokenGenerated: false,
    allowOrigins: [],
    webRoot: null,
    quiet: true,
    ...options.config,
  };
  const server = await startServer(config, options.app).catch(async (err: Error) => {
    await rm(root, { recursive: true, force: true });
    throw err;
  });
  const base = server.url;
  return {
    server,
    base,
    ws: base.replace(/^http/, "ws"),
    token: config.token,
    root,
    api: (path, init = {}) =>
      fetch(new URL(path.replace(/^\//, ""), base), {
        ...init,
        headers: { authorization: `token ${config.token}`, "content-type": "application/json", ...(init.headers ?? {}) },
      }),
    close: async () => {
      await server.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}
