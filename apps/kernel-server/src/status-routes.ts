import type { FastifyInstance } from "fastify";
import type { StatusModel } from "@tessera/protocol";
import type { KernelManager } from "./kernels/kernel-manager.js";

/** `/api/status`, `/api` and `/api/me`, as Jupyter Server has them. */
export function statusRoutes(app: FastifyInstance, opts: { kernels: KernelManager; version: string }): void {
  const started = new Date().toISOString();
  app.get("/api", async () => ({ version: opts.version }));
  app.get("/api/status", async (): Promise<StatusModel> => {
    const list = opts.kernels.list();
    const last = list.map((k) => k.last_activity).sort().pop() ?? started;
    return { started, last_activity: last, connections: list.reduce((n, k) => n + k.connections, 0), kernels: list.length };
  });
  app.get("/api/me", async () => ({
    identity: { username: "tessera", name: "Tessera user", display_name: "Tessera user", initials: "T", avatar_url: null, color: null },
    permissions: {},
  }));
}
