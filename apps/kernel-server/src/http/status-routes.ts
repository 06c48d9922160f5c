import type { FastifyInstance } from "fastify";
import type { StatusModel } from "@tessera/protocol";
import type { WorkspaceOf } from "../users/workspace.js";

/** `/api/status`, `/api` and `/api/me`, as Jupyter Server has them; counts are the user's own. */
export function statusRoutes(app: FastifyInstance, opts: { workspaceOf: WorkspaceOf; version: string }): void {
  const started = new Date().toISOString();
  app.get("/api", async () => ({ version: opts.version }));
  app.get("/api/status", async (req): Promise<StatusModel> => {
    const list = opts.workspaceOf(req).kernels.list();
    const last =
      list
        .map((k) => k.last_activity)
        .sort()
        .pop() ?? started;
    return { started, last_activity: last, connections: list.reduce((n, k) => n + k.connections, 0), kernels: list.length };
  });
  app.get("/api/me", async (req) => {
    const name = opts.workspaceOf(req).user.name;
    return {
      identity: { username: name, name, display_name: name, initials: name.slice(0, 1).toUpperCase(), avatar_url: null, color: null },
      permissions: {},
    };
  });
}
